import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
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

import type { DataTierOutputs, ServiceTierOutputs } from "../contracts";
import type { CustomerManagedKey } from "../kms-key";
import type { Naming } from "../naming";
import type { Network } from "../network";
import { ValidationError } from "../validation-error";
import { BlueGreenDeployment, type BlueGreenSettings } from "./blue-green";
import { ServiceCompute, type ServiceComputeSettings } from "./compute";
import { CONTAINER_NAME } from "./container";
import { ServiceLoadBalancer, type ServiceLoadBalancerSettings } from "./load-balancer";
import { ServiceRegistry } from "./registry";
import { ServiceScaling } from "./scaling";

/** The service's settings: the task, the container and the auto scaling bounds. */
export interface ServiceSettings extends ServiceComputeSettings {
  /** Fewest tasks auto scaling keeps. */
  readonly minCount: number;
  /** Most tasks auto scaling starts. */
  readonly maxCount: number;
}

/** The settings of each part of the service tier. */
export interface ServiceTierSettings {
  readonly region: string;
  readonly service: ServiceSettings;
  readonly loadBalancer: ServiceLoadBalancerSettings;
  /**
   * Deploy with CodeDeploy blue/green (a second target group, a test listener, linear traffic
   * shifting) instead of the ECS rolling controller.
   * @default - rolling deployments by ECS, with the deployment circuit breaker
   */
  readonly blueGreen?: BlueGreenSettings;
  /** AAA gRPC endpoint, host:port (`AAA_GRPC_ADDR`). */
  readonly aaaEndpoint: string;
  /** Retention of the service's log groups, days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
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

/** Props of ServiceTier: the tiers it joins, and its settings. */
export interface ServiceTierProps extends ServiceTierSettings {
  readonly naming: Naming;
  /** The account the stack deploys into (the stack's one `aws_caller_identity`), for ARNs and confused-deputy conditions. */
  readonly accountId: string;
  /** The partition (the stack's one `aws_partition`), for ARNs. */
  readonly partition: string;
  readonly network: Network;
  /** Database endpoint, user and name, its security group, the secrets and their key. */
  readonly data: DataTierOutputs;
  /** Customer-managed key of the service's log groups and ECS Exec sessions. */
  readonly logsKey: CustomerManagedKey;
}

/**
 * The Farmers Module service tier: ECR repository, internet-facing HTTPS load balancer, ECS
 * Fargate service with auto-scaling, and rolling or CodeDeploy blue/green deployments.
 *
 * ```ts
 * const service = new ServiceTier(this, "service", {
 *   naming, accountId, partition, network, data, logsKey, region: "us-east-1",
 *   service: { cpu: 512, memoryMiB: 1024, desiredCount: 2, minCount: 2, maxCount: 6, containerPort: 8000,
 *     dbMaxConnsPerTask: 20, logLevel: "info", corsAllowedOrigins: ["https://app.example.com"] },
 *   loadBalancer: { certificate: { domain: "api.example.com" }, accessLogExpirationDays: 90, testListenerPort: 8443 },
 *   aaaEndpoint: "aaa-service.internal:50052", logRetentionDays: 30,
 * });
 * ```
 */
export class ServiceTier extends Construct implements ServiceTierOutputs {
  // The registry (registry.ts).
  readonly repository: EcrRepository;

  // The load balancer (load-balancer.ts): listener, serving target group, access logs.
  readonly loadBalancer: Lb;
  readonly loadBalancerSecurityGroup: SecurityGroup;
  readonly httpsListener: LbListener;
  readonly targetGroup: LbTargetGroup;
  readonly accessLogBucket: S3Bucket;
  /** `https://<record or ALB DNS name>`: the service's base URL. */
  readonly url: string;

  // Compute (compute.ts): the cluster, task definition, roles, container logs and the ECS service.
  readonly compute: ServiceCompute;
  readonly cluster: EcsCluster;
  readonly taskDefinition: EcsTaskDefinition;
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly securityGroup: SecurityGroup;
  readonly service: EcsService;
  readonly containerName = CONTAINER_NAME;
  readonly containerPort: number;
  /** Capacity providers of the service (blue/green appspecs must repeat them). */
  readonly capacityProviderStrategy: readonly EcsServiceCapacityProviderStrategy[];

  // Scaling (scaling.ts) and, under blue/green, the CodeDeploy side (blue-green.ts).
  readonly scaling: ServiceScaling;
  readonly blueGreen?: ServiceTierOutputs["blueGreen"];
  private readonly deployment?: BlueGreenDeployment;
  private readonly rollingAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: ServiceTierProps) {
    super(scope, id);
    const { naming, network, service: config } = props;
    const blueGreen = props.blueGreen !== undefined;
    const imageTag = props.initialImageTag ?? "bootstrap";
    this.containerPort = config.containerPort;
    this.validate(imageTag);

    const { accountId, partition } = props;

    this.repository = new ServiceRegistry(this, "Registry", {
      naming,
      forceDelete: props.disposable ?? false,
    }).repository;

    const lb = new ServiceLoadBalancer(this, "LoadBalancer", {
      naming,
      network,
      ...props.loadBalancer,
      containerPort: config.containerPort,
      blueGreen,
      accountId,
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
      accountId,
      ...config,
      aaaEndpoint: props.aaaEndpoint,
      aaaCidr: network.aaaCidr,
      logRetentionDays: props.logRetentionDays,
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

    if (props.blueGreen) {
      this.deployment = new BlueGreenDeployment(this, "BlueGreen", {
        naming,
        ...props.blueGreen,
        cluster: this.cluster,
        service: this.service,
        productionListener: lb.httpsListener,
        testListener: lb.testListener!,
        blueTargetGroup: lb.targetGroup,
        greenTargetGroup: lb.greenTargetGroup!,
        taskRoles: [this.compute.executionRole, this.compute.taskRole],
        accountId,
        partition,
      });
      this.blueGreen = {
        greenTargetGroup: lb.greenTargetGroup!,
        testListener: lb.testListener!,
        application: this.deployment.application,
        deploymentGroup: this.deployment.deploymentGroup,
        durationMinutes: this.deployment.durationMinutes,
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

  // The AAA endpoint and the CORS origins are user input: config/schema.ts checks them once.
  private validate(imageTag: string): void {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag))
      throw new ValidationError(
        `initialImageTag must be a Docker tag (letters, digits, _ . -, at most 128); received ${JSON.stringify(imageTag)}`,
        this,
      );
  }
}
