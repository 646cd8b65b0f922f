import {
  AppautoscalingPolicy,
  type AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
  type AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetrics,
} from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Construct } from "constructs";

import { checkName, type Naming } from "../naming";
import { ValidationError } from "../validation-error";

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
   * Blue/green's second group. With it, the request policy tracks a metric-math series over both
   * groups instead of the predefined per-group metric (see `requestsPerTaskMetrics`).
   * @default - the predefined ALBRequestCountPerTarget of `targetGroup`
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
  /**
   * Scheduled actions own the target's min and max (off-hours: 0 at night). Terraform then sets
   * them only at creation and ignores them afterwards, so an apply at night does not wake the
   * service; a changed minCount/maxCount takes effect through the wake action. @default false
   */
  readonly scheduledCapacity?: boolean;
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
    for (const [setting, value] of [
      ["cpuTargetPercent", cpu],
      ["memoryTargetPercent", memory],
    ] as const) {
      if (!(value > 0 && value <= 100))
        throw new ValidationError(`${setting} must be above 0 and at most 100; received ${value}`, this);
    }

    this.target = new AppautoscalingTarget(this, "Target", {
      serviceNamespace: "ecs",
      resourceId: `service/${props.cluster.name}/${props.service.name}`,
      scalableDimension: "ecs:service:DesiredCount",
      minCapacity: props.minCount,
      maxCapacity: props.maxCount,
      ...(props.scheduledCapacity ? { lifecycle: { ignoreChanges: ["min_capacity", "max_capacity"] } } : {}),
    });

    type Metric = Pick<
      AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
      "predefinedMetricSpecification" | "customizedMetricSpecification"
    >;
    const policy = (policyId: string, suffix: string, targetValue: number, metric: Metric) => {
      const created = new AppautoscalingPolicy(this, policyId, {
        name: checkName(this, "generic", `${props.naming.prefix}-${suffix}`),
        policyType: "TargetTrackingScaling",
        serviceNamespace: this.target.serviceNamespace,
        resourceId: this.target.resourceId,
        scalableDimension: this.target.scalableDimension,
        targetTrackingScalingPolicyConfiguration: { targetValue, scaleInCooldown, scaleOutCooldown, ...metric },
      });
      this.policies.push(created);
      return created;
    };
    policy("Cpu", "cpu", cpu, {
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
    });
    policy("Memory", "memory", memory, {
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageMemoryUtilization" },
    });
    if (props.greenTargetGroup) {
      // AWS: "ALBRequestCountPerTarget is not supported for services using CodeDeploy blue/green"
      // (Amazon ECS developer guide, service auto scaling, target tracking). One policy on a
      // metric-math series over both groups keeps "requests per task per minute" whichever
      // group serves, and may scale in too (it always has data while tasks are healthy).
      policy("Requests", "requests", requests, {
        customizedMetricSpecification: {
          metrics: requestsPerTaskMetrics(props.loadBalancer.arnSuffix, [
            props.targetGroup.arnSuffix,
            props.greenTargetGroup.arnSuffix,
          ]),
        },
      });
    } else {
      policy("Requests", "requests", requests, {
        predefinedMetricSpecification: {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: `${props.loadBalancer.arnSuffix}/${props.targetGroup.arnSuffix}`,
        },
      });
    }
  }
}

/** Id of the metric-math expression the blue/green request policy tracks. */
export const REQUESTS_PER_TASK_ID = "requests_per_task";

/**
 * Requests per healthy task per minute across target groups, as a target-tracking metric-math
 * query: the sum of `RequestCount` (Sum) of every group divided by the sum of their
 * `HealthyHostCount` (Average). Application Auto Scaling evaluates customized metrics over
 * one-minute periods, so the Sum is per minute, the meaning of ALBRequestCountPerTarget. FILL
 * turns the idle group's missing points into 0 (the load balancer publishes nothing for a group
 * without traffic); with no healthy task at all the division has no value and the policy waits,
 * while CPU and memory still act. Only the last expression returns data, as AWS requires.
 */
export function requestsPerTaskMetrics(
  loadBalancer: string,
  targetGroups: readonly string[],
): AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetrics[] {
  const stat = (id: string, metricName: string, statistic: string, targetGroup: string) => ({
    id,
    returnData: false,
    metricStat: {
      stat: statistic,
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName,
        dimensions: [
          { name: "LoadBalancer", value: loadBalancer },
          { name: "TargetGroup", value: targetGroup },
        ],
      },
    },
  });
  const requests = targetGroups.map((tg, i) => stat(`requests_${i}`, "RequestCount", "Sum", tg));
  const healthy = targetGroups.map((tg, i) => stat(`healthy_${i}`, "HealthyHostCount", "Average", tg));
  const sum = (ids: string[]) => ids.map((id) => `FILL(${id}, 0)`).join(" + ");
  return [
    ...requests,
    ...healthy,
    {
      id: REQUESTS_PER_TASK_ID,
      label: "Requests per healthy task per minute (all target groups)",
      expression: `(${sum(requests.map((m) => m.id))}) / (${sum(healthy.map((m) => m.id))})`,
      returnData: true,
    },
  ];
}
