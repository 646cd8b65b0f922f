import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { ValidationError } from "../validation-error";
import { checkName, type Naming } from "../naming";

export interface ServiceScalingProps {
  readonly naming: Naming;
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  readonly minCount: number;
  readonly maxCount: number;
  readonly loadBalancer: Lb;
  /** Serving target group; its requests per target drive scaling. */
  readonly targetGroup: LbTargetGroup;
  /**
   * Blue/green's second group. It gets a request policy too: live traffic is on either group
   * after a deployment, and the idle group's policy (no requests) never blocks scaling out.
   * @default - one request policy
   */
  readonly greenTargetGroup?: LbTargetGroup;
  /** Average CPU utilisation to hold, percent. @default 60 */
  readonly cpuTargetPercent?: number;
  /** Average memory utilisation to hold, percent. @default 70 */
  readonly memoryTargetPercent?: number;
  /** ALB requests per task per minute to hold. @default 1000 */
  readonly requestsPerTarget?: number;
  /** Seconds between scale-in steps. @default 300 */
  readonly scaleInCooldownSeconds?: number;
  /** Seconds between scale-out steps. @default 60 */
  readonly scaleOutCooldownSeconds?: number;
}

/**
 * Target tracking on the service's desired count: CPU, memory and ALB requests per target.
 * Application Auto Scaling scales out when any policy asks and in only when all agree.
 */
export class ServiceScaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly policies: AppautoscalingPolicy[] = [];

  constructor(scope: Construct, id: string, props: ServiceScalingProps) {
    super(scope, id);
    const cpu = props.cpuTargetPercent ?? 60;
    const memory = props.memoryTargetPercent ?? 70;
    const requests = props.requestsPerTarget ?? 1000;
    const scaleInCooldown = props.scaleInCooldownSeconds ?? 300;
    const scaleOutCooldown = props.scaleOutCooldownSeconds ?? 60;
    if (props.minCount > props.maxCount)
      throw new ValidationError(`minCount (${props.minCount}) must not exceed maxCount (${props.maxCount})`, this);
    for (const [setting, value] of [["cpuTargetPercent", cpu], ["memoryTargetPercent", memory]] as const) {
      if (!(value > 0 && value <= 100)) throw new ValidationError(`${setting} must be above 0 and at most 100; received ${value}`, this);
    }

    this.target = new AppautoscalingTarget(this, "Target", {
      serviceNamespace: "ecs",
      resourceId: `service/${props.cluster.name}/${props.service.name}`,
      scalableDimension: "ecs:service:DesiredCount",
      minCapacity: props.minCount,
      maxCapacity: props.maxCount,
    });

    const policy = (policyId: string, suffix: string, targetValue: number, predefinedMetricType: string, resourceLabel?: string, disableScaleIn?: boolean) => {
      const created = new AppautoscalingPolicy(this, policyId, {
        name: checkName(this, "generic", `${props.naming.prefix}-${suffix}`),
        policyType: "TargetTrackingScaling",
        serviceNamespace: this.target.serviceNamespace,
        resourceId: this.target.resourceId,
        scalableDimension: this.target.scalableDimension,
        targetTrackingScalingPolicyConfiguration: {
          targetValue,
          scaleInCooldown,
          scaleOutCooldown,
          disableScaleIn,
          predefinedMetricSpecification: { predefinedMetricType, ...(resourceLabel ? { resourceLabel } : {}) },
        },
      });
      this.policies.push(created);
      return created;
    };
    policy("Cpu", "cpu", cpu, "ECSServiceAverageCPUUtilization");
    policy("Memory", "memory", memory, "ECSServiceAverageMemoryUtilization");
    const label = (tg: LbTargetGroup) => `${props.loadBalancer.arnSuffix}/${tg.arnSuffix}`;
    if (props.greenTargetGroup) {
      // After each deployment one of the two groups carries no traffic: its policy has no data,
      // and a policy without data would hold every scale-in back. So the request policies only
      // scale out; CPU and memory decide scale-in.
      policy("Requests", "requests-blue", requests, "ALBRequestCountPerTarget", label(props.targetGroup), true);
      policy("RequestsGreen", "requests-green", requests, "ALBRequestCountPerTarget", label(props.greenTargetGroup), true);
    } else {
      policy("Requests", "requests", requests, "ALBRequestCountPerTarget", label(props.targetGroup));
    }
  }
}
