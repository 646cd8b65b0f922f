import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import type { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService, EcsServiceCapacityProviderStrategy } from "@cdktf/provider-aws/lib/ecs-service";
import type { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

import type { EnvironmentConfig } from "../../config/schema";
import type { DataTierOutputs, ServiceTierOutputs } from "../contracts";
import type { CustomerManagedKey } from "../kms-key";
import type { Naming } from "../naming";
import type { Network } from "../network";
import { ValidationError } from "../validation-error";
import { BlueGreenDeployment } from "./blue-green";
import { ServiceCompute } from "./compute";
import { CONTAINER_NAME, parseEndpoint } from "./container";
import { ServiceLoadBalancer } from "./load-balancer";
import { ServiceRegistry } from "./registry";
import { ServiceScaling } from "./scaling";

export interface ServiceTierProps {
  readonly naming: Naming;
  readonly network: Network;
  /** Database endpoint, user and name, its security group, the secrets and their key. */
  readonly data: DataTierOutputs;
  /** Environment name (`ENVIRONMENT` of the container). */
  readonly name: EnvironmentConfig["name"];
  readonly region: string;
  readonly service: EnvironmentConfig["service"];
  readonly loadBalancer: EnvironmentConfig["loadBalancer"];
  /** `style` picks rolling (ECS) or blue/green (CodeDeploy); the rest shapes blue/green. */
  readonly deployment: EnvironmentConfig["deployment"];
  readonly aaa: EnvironmentConfig["aaa"];
  /** Log retention of the service's log group. */
  readonly observability: Pick<EnvironmentConfig["observability"], "logRetentionDays">;
  /** Customer-managed key of the service's log groups and ECS Exec sessions. */
  readonly logsKey: CustomerManagedKey;
  /**
   * Tag of the image in the task definition Terraform creates. The repository is empty on the
   * first apply: tasks start once the pipeline's first run pushes and deploys a real image
   * (or an operator pushes this tag).
   * @default "bootstrap"
   */
  readonly initialImageTag?: string;
  /** Off-hours scheduled actions own the scaling bounds (ServiceScaling.scheduledCapacity). @default false */
  readonly scheduledCapacity?: boolean;
  /** Image of the ADOT collector sidecar (tracing only). @default DEFAULT_COLLECTOR_IMAGE (pinned) */
  readonly collectorImage?: string;
  /**
   * The environment is destroyed with its contents (config `protection: "disposable"`): the
   * image repository is deleted even when it holds images.
   * @default false - destroy fails while the repository holds images
   */
  readonly disposable?: boolean;
}

/**
 * The Farmers Module service tier: ECR repository, internet-facing HTTPS load balancer, ECS
 * Fargate service with auto-scaling, and rolling or CodeDeploy blue/green deployments.
 *
 * ```ts
 * const service = new ServiceTier(this, "service", {
 *   naming, network, data, name: config.name, region: config.region,
 *   service: config.service, loadBalancer: config.loadBalancer, deployment: config.deployment,
 *   aaa: config.aaa, observability: config.observability,
 * });
 * ```
 */
export class ServiceTier extends Construct implements ServiceTierOutputs {
  readonly repository: EcrRepository;
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly securityGroup: SecurityGroup;
  readonly loadBalancer: Lb;
  readonly loadBalancerSecurityGroup: SecurityGroup;
  readonly httpsListener: LbListener;
  readonly targetGroup: LbTargetGroup;
  readonly accessLogBucket: S3Bucket;
  readonly blueGreen?: ServiceTierOutputs["blueGreen"];
  readonly containerName = CONTAINER_NAME;
  readonly containerPort: number;
  /** Capacity providers of the service (blue/green appspecs must repeat them). */
  readonly capacityProviderStrategy: readonly EcsServiceCapacityProviderStrategy[];
  /** `https://<record or ALB DNS name>`: the service's base URL. */
  readonly url: string;
  readonly compute: ServiceCompute;
  readonly scaling: ServiceScaling;
  /** The account the stack deploys into (token), for confused-deputy conditions. */
  readonly accountId: string;
  private readonly deployment?: BlueGreenDeployment;
  private readonly rollingAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: ServiceTierProps) {
    super(scope, id);
    const { naming, network, service: config } = props;
    const blueGreen = props.deployment.style === "blue-green";
    const imageTag = props.initialImageTag ?? "bootstrap";
    this.containerPort = config.containerPort;
    this.validate(props, imageTag);

    const account = new DataAwsCallerIdentity(this, "Account", {});
    this.accountId = account.accountId;

    this.repository = new ServiceRegistry(this, "Registry", {
      naming,
      forceDelete: props.disposable ?? false,
    }).repository;

    const lb = new ServiceLoadBalancer(this, "LoadBalancer", {
      naming,
      network,
      loadBalancer: props.loadBalancer,
      containerPort: config.containerPort,
      blueGreen,
      accountId: account.accountId,
    });
    this.loadBalancer = lb.loadBalancer;
    this.loadBalancerSecurityGroup = lb.securityGroup;
    this.httpsListener = lb.httpsListener;
    this.targetGroup = lb.targetGroup;
    this.accessLogBucket = lb.accessLogBucket;
    this.url = `https://${lb.endpointHost}`;

    this.compute = new ServiceCompute(this, "Compute", {
      naming,
      network,
      data: props.data,
      region: props.region,
      accountId: account.accountId,
      environment: props.name,
      service: config,
      aaaEndpoint: props.aaa.endpoint,
      aaaCidr: network.aaaCidr,
      logRetentionDays: props.observability.logRetentionDays,
      logsKey: props.logsKey,
      repository: this.repository,
      imageTag,
      collectorImage: props.collectorImage,
      targetGroup: lb.targetGroup,
      blueGreen,
      // The target group must be attached to the ALB (through its listener) before ECS uses it.
      dependsOn: [lb.httpsListener, ...(lb.testListener ? [lb.testListener] : [])],
    });
    this.cluster = this.compute.cluster;
    this.service = this.compute.service;
    this.taskDefinition = this.compute.taskDefinition;
    this.executionRole = this.compute.executionRole;
    this.taskRole = this.compute.taskRole;
    this.logGroup = this.compute.logGroup;
    this.securityGroup = this.compute.securityGroup;
    this.capacityProviderStrategy = this.compute.capacityProviderStrategy;

    // Load balancer -> tasks on the container port, declared on both groups.
    new VpcSecurityGroupEgressRule(this, "LoadBalancerToService", {
      securityGroupId: lb.securityGroup.id,
      description: "To the Farmers Module tasks on the container port",
      ipProtocol: "tcp",
      fromPort: config.containerPort,
      toPort: config.containerPort,
      referencedSecurityGroupId: this.securityGroup.id,
    });
    new VpcSecurityGroupIngressRule(this, "ServiceFromLoadBalancer", {
      securityGroupId: this.securityGroup.id,
      description: "From the load balancer on the container port",
      ipProtocol: "tcp",
      fromPort: config.containerPort,
      toPort: config.containerPort,
      referencedSecurityGroupId: lb.securityGroup.id,
    });

    this.scaling = new ServiceScaling(this, "Scaling", {
      naming,
      cluster: this.cluster,
      service: this.service,
      minCount: config.minCount,
      maxCount: config.maxCount,
      loadBalancer: lb.loadBalancer,
      targetGroup: lb.targetGroup,
      greenTargetGroup: lb.greenTargetGroup,
      scheduledCapacity: props.scheduledCapacity,
    });

    if (blueGreen) {
      this.deployment = new BlueGreenDeployment(this, "BlueGreen", {
        naming,
        deployment: props.deployment,
        cluster: this.cluster,
        service: this.service,
        productionListener: lb.httpsListener,
        testListener: lb.testListener!,
        blueTargetGroup: lb.targetGroup,
        greenTargetGroup: lb.greenTargetGroup!,
        taskRoles: [this.compute.executionRole, this.compute.taskRole],
        accountId: account.accountId,
      });
      this.blueGreen = {
        greenTargetGroup: lb.greenTargetGroup!,
        testListener: lb.testListener!,
        application: this.deployment.application,
        deploymentGroup: this.deployment.deploymentGroup,
      };
    }
  }

  /**
   * Rolls deployments back when any of these alarms fires: the CodeDeploy group's alarm
   * configuration (blue/green) or the ECS deployment alarms (rolling). Calls accumulate.
   */
  useDeploymentAlarms(alarmNames: readonly string[]): void {
    if (alarmNames.length === 0)
      throw new ValidationError("useDeploymentAlarms needs at least one alarm name; received none", this);
    if (this.deployment) {
      this.deployment.useAlarms(alarmNames);
      return;
    }
    this.rollingAlarmNames.push(...alarmNames);
    this.service.putAlarms({ alarmNames: [...this.rollingAlarmNames], enable: true, rollback: true });
  }

  private validate(props: ServiceTierProps, imageTag: string): void {
    const { port } = parseEndpoint(props.aaa.endpoint);
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535))
      throw new ValidationError(
        `aaa.endpoint port must be 1-65535; received ${JSON.stringify(props.aaa.endpoint)}`,
        this,
      );
    for (const origin of props.service.corsAllowedOrigins) {
      // Joined with commas into CORS_ALLOWED_ORIGINS; browsers send the bare origin, no path.
      if (origin.includes(",") || new URL(origin).origin !== origin)
        throw new ValidationError(
          `service.corsAllowedOrigins entries must be bare origins (scheme://host[:port], no path, no trailing slash, no comma); received ${JSON.stringify(origin)}`,
          this,
        );
    }
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag))
      throw new ValidationError(
        `initialImageTag must be a Docker tag (letters, digits, _ . -, at most 128); received ${JSON.stringify(imageTag)}`,
        this,
      );
  }
}
