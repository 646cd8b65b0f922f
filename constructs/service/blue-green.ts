import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Construct } from "constructs";

import { assumeRolePolicy, policyDocument } from "../iam";
import { type Naming } from "../naming";
import { ValidationError } from "../validation-error";

/** CodeDeploy accepts at most this many CloudWatch alarms per deployment group. */
export const CODEDEPLOY_MAX_ALARMS = 10;

/** Rolls back on a failed deployment; with alarms configured, also when one fires. */
export const ROLLBACK_EVENTS = ["DEPLOYMENT_FAILURE"] as const;
export const ROLLBACK_EVENTS_WITH_ALARMS = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] as const;

/** How CodeDeploy shifts traffic to the replacement tasks and when it retires the original ones. */
export interface BlueGreenSettings {
  /** Percentage of traffic moved to the replacement tasks at each step; below 100 (linear shifting). */
  readonly linearPercent: number;
  /** Minutes between two steps. */
  readonly linearIntervalMinutes: number;
  /** Minutes the original tasks keep running after all traffic has moved (the rollback window). */
  readonly terminationWaitMinutes: number;
}

/**
 * The longest a blue/green deployment runs once the replacement tasks are healthy: every linear
 * step, then the wait before the original tasks are terminated.
 */
export function blueGreenDurationMinutes(settings: BlueGreenSettings): number {
  return Math.ceil(100 / settings.linearPercent) * settings.linearIntervalMinutes + settings.terminationWaitMinutes;
}

/** Props of BlueGreenDeployment: the traffic shifting, and the service and routes it deploys. */
export interface BlueGreenDeploymentProps extends BlueGreenSettings {
  readonly naming: Naming;
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  /** Production route (443). */
  readonly productionListener: LbListener;
  /** Test route (e.g. 8443), reachable only from the configured CIDRs. */
  readonly testListener: LbListener;
  readonly blueTargetGroup: LbTargetGroup;
  /** The execution and task roles CodeDeploy passes to the replacement task set. */
  readonly taskRoles: readonly IamRole[];
  readonly greenTargetGroup: LbTargetGroup;
  /** Account id (token), for the role's confused-deputy condition. */
  readonly accountId: string;
  /** Partition (token), for the managed policy's ARN. */
  readonly partition: string;
}

/**
 * CodeDeploy blue/green for the ECS service: the application, a linear traffic-shifting
 * configuration, a service role with AWSCodeDeployRoleForECSLimited plus PassRole on the task roles, and the deployment group.
 */
export class BlueGreenDeployment extends Construct {
  readonly application: CodedeployApp;
  readonly deploymentConfig: CodedeployDeploymentConfig;
  readonly role: IamRole;
  readonly deploymentGroup: CodedeployDeploymentGroup;
  /** `blueGreenDurationMinutes` of the settings: how long the deploy step waits at most. */
  readonly durationMinutes: number;
  private readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    const { naming, linearPercent, linearIntervalMinutes } = props;
    if (linearPercent >= 100)
      throw new ValidationError(
        `linearPercent must be below 100 for linear traffic shifting; received ${linearPercent}`,
        this,
      );
    this.durationMinutes = blueGreenDurationMinutes(props);

    this.application = new CodedeployApp(this, "Application", {
      name: naming.name(this, "generic"),
      computePlatform: "ECS",
    });

    // The name carries the parameters: a change creates a new configuration before the group
    // moves to it, because CodeDeploy refuses to delete a configuration a group still uses.
    this.deploymentConfig = new CodedeployDeploymentConfig(this, "DeploymentConfig", {
      deploymentConfigName: naming.name(
        this,
        "generic",
        `linear-${linearPercent}pct-every-${linearIntervalMinutes}min`,
      ),
      computePlatform: "ECS",
      trafficRoutingConfig: {
        type: "TimeBasedLinear",
        timeBasedLinear: { percentage: linearPercent, interval: linearIntervalMinutes },
      },
      lifecycle: { createBeforeDestroy: true },
    });

    this.role = new IamRole(this, "Role", {
      name: naming.name(this, "iamRole", "codedeploy"),
      description: "CodeDeploy blue/green deployments of the Farmers Module service",
      // Confused-deputy protection: CodeDeploy sets aws:SourceAccount when it assumes a service
      // role (CodeDeploy User Guide, "Cross-service confused deputy prevention").
      assumeRolePolicy: assumeRolePolicy("codedeploy.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": props.accountId },
      }),
    });
    // The Limited managed policy (task sets, listeners, alarms) instead of AWSCodeDeployRoleForECS,
    // which may also publish to any topic, read any object and invoke any function. Its own
    // PassRole covers only a role named ecsTaskExecutionRole, so ours are granted here.
    const managedPolicy = new IamRolePolicyAttachment(this, "RolePolicy", {
      role: this.role.name,
      policyArn: `arn:${props.partition}:iam::aws:policy/AWSCodeDeployRoleForECSLimited`,
    });
    new IamRolePolicy(this, "PassTaskRoles", {
      role: this.role.name,
      name: "pass-task-roles",
      policy: policyDocument([
        {
          Sid: "PassTheServiceTaskRoles",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: props.taskRoles.map((r) => r.arn),
          Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
      ]),
    });

    this.deploymentGroup = new CodedeployDeploymentGroup(this, "DeploymentGroup", {
      appName: this.application.name,
      deploymentGroupName: naming.name(this, "generic", "service"),
      serviceRoleArn: this.role.arn,
      deploymentConfigName: this.deploymentConfig.deploymentConfigName,
      deploymentStyle: { deploymentOption: "WITH_TRAFFIC_CONTROL", deploymentType: "BLUE_GREEN" },
      autoRollbackConfiguration: { enabled: true, events: [...ROLLBACK_EVENTS] },
      blueGreenDeploymentConfig: {
        // Shift as soon as the replacement tasks are healthy; the test listener is for the
        // appspec's AfterAllowTestTraffic hook, which can still fail the deployment.
        deploymentReadyOption: { actionOnTimeout: "CONTINUE_DEPLOYMENT" },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: "TERMINATE",
          terminationWaitTimeInMinutes: props.terminationWaitMinutes,
        },
      },
      ecsService: { clusterName: props.cluster.name, serviceName: props.service.name },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [props.productionListener.arn] },
          testTrafficRoute: { listenerArns: [props.testListener.arn] },
          targetGroup: [{ name: props.blueTargetGroup.name }, { name: props.greenTargetGroup.name }],
        },
      },
      dependsOn: [managedPolicy],
    });
  }

  /** Stops and rolls back a deployment when any of `names` goes into ALARM. Accumulates. */
  useAlarms(names: readonly string[]): void {
    this.alarmNames.push(...names);
    if (this.alarmNames.length > CODEDEPLOY_MAX_ALARMS)
      throw new ValidationError(
        `a CodeDeploy deployment group takes at most ${CODEDEPLOY_MAX_ALARMS} alarms; received ${this.alarmNames.length}`,
        this,
      );
    this.deploymentGroup.putAlarmConfiguration({ enabled: true, alarms: [...this.alarmNames] });
    this.deploymentGroup.putAutoRollbackConfiguration({ enabled: true, events: [...ROLLBACK_EVENTS_WITH_ALARMS] });
  }
}
