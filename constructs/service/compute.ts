import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { EcsService, type EcsServiceCapacityProviderStrategy } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

import { type DataTierOutputs, SERVICE_SECRET_NAMES } from "../contracts";
import { assumeRolePolicy, policyDocument, type PolicyStatement } from "../iam";
import type { CustomerManagedKey, KeyUseAction } from "../kms-key";
import { checkName, type Naming } from "../naming";
import type { Network } from "../network";
import { CONTAINER_NAME, containerDefinitions, parseEndpoint, scratchVolumes } from "./container";

/** The X-Ray write actions the collector needs to send traces and read sampling rules. */
export const XRAY_WRITE_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
] as const;

/** The SSM channel ECS Exec opens from inside the container. */
export const ECS_EXEC_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
] as const;

/**
 * Attributes Terraform leaves alone on a rolling (ECS controller) service: the pipeline owns the
 * running revision, auto-scaling owns the count.
 */
export const ROLLING_IGNORED_ATTRIBUTES = ["task_definition", "desired_count"] as const;

/**
 * Attributes of a CODE_DEPLOY service that UpdateService refuses ("Unable to update ... on services
 * with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment"). The
 * ECS API reference (UpdateService) lists what such a service accepts: desired count, deployment
 * configuration, health-check grace period, placement, managed tags and tag propagation; network
 * configuration, platform version, task definition and load balancers go through a CodeDeploy
 * deployment. Capacity providers and ECS Exec are not in the accepted list either. So Terraform
 * ignores all of them after creation and the deployment carries them: the appspec repeats the
 * network configuration, platform version and capacity providers (constructs/pipeline/buildspec.ts,
 * generated from the same values), and the deploy step brings ECS Exec in step before it starts
 * the deployment. The guardrail LIM-CODEDEPLOY-IGNORES refuses a CODE_DEPLOY service that does not ignore them.
 */
export const CODE_DEPLOY_REFUSED_ATTRIBUTES = [
  "task_definition",
  "load_balancer",
  "capacity_provider_strategy",
  "network_configuration",
  "platform_version",
  "enable_execute_command",
] as const;

/** What a CODE_DEPLOY service ignores: the refused attributes, and the count auto-scaling owns. */
export const CODE_DEPLOY_IGNORED_ATTRIBUTES = [...CODE_DEPLOY_REFUSED_ATTRIBUTES, "desired_count"] as const;

/**
 * What the ECS Exec agent in the container needs to log a session to an encrypted log group
 * (OVERRIDE logging with CloudWatch encryption): it checks the group's encryption with
 * DescribeLogGroups, then writes its stream; it decrypts the session's data key. Same set as
 * CDK's `BaseService` for a cluster with an Exec KMS key and a log group (aws-cdk-lib
 * aws-ecs/lib/base/base-service.ts, enableExecuteCommandEncryption / executeCommandLogConfiguration).
 */
export const ECS_EXEC_LOG_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"] as const;
export const ECS_EXEC_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const satisfies readonly KeyUseAction[];

/** Image pull from one repository. */
export const ECR_PULL_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchGetImage",
] as const;

/** Log levels the service understands (`LOG_LEVEL`). */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The task and the service: size, initial count and what the container is configured with. */
export interface ServiceComputeSettings {
  /** Task CPU units; a Fargate size (256, 512, 1024, 2048, 4096, 8192, 16384). */
  readonly cpu: number;
  /** Task memory, MiB; one Fargate allows with `cpu`. */
  readonly memoryMiB: number;
  /** Tasks at creation; auto scaling owns the count afterwards (ignored by Terraform). */
  readonly desiredCount: number;
  /** Port the container listens on (`SERVICE_PORT`), the target groups' port. */
  readonly containerPort: number;
  /** Database connections of each task's pool (`DB_POSTGRES_MAX_CONNS`). */
  readonly dbMaxConnsPerTask: number;
  /** `LOG_LEVEL` of the service. */
  readonly logLevel: LogLevel;
  /** Bare origins (scheme://host[:port]) joined into `CORS_ALLOWED_ORIGINS`. */
  readonly corsAllowedOrigins: readonly string[];
  /** ECS Exec into the tasks (scratch volumes, init process, the SSM channel in the task role). @default false */
  readonly enableExecuteCommand?: boolean;
  /** Fargate Spot as a second capacity provider, weight 1 (FARGATE keeps base 1). @default false */
  readonly fargateSpot?: boolean;
  /** Container Insights on the cluster ("enabled"; the task-count alarm reads it). @default true */
  readonly containerInsights?: boolean;
  /** The ADOT collector sidecar and `ENABLE_TRACING`, with X-Ray writes in the task role. @default false */
  readonly tracing?: boolean;
}

/** Props of ServiceCompute: the settings, and what the tasks are wired to. */
export interface ServiceComputeProps extends ServiceComputeSettings {
  readonly naming: Naming;
  readonly network: Network;
  readonly data: DataTierOutputs;
  readonly region: string;
  /** Account id (token), for the roles' confused-deputy condition. */
  readonly accountId: string;
  /** AAA gRPC endpoint, host:port (`AAA_GRPC_ADDR`). */
  readonly aaaEndpoint: string;
  /** CIDR of the AAA network when routed privately: the AAA egress rule goes only there. @default - the AAA port to anywhere */
  readonly aaaCidr?: string;
  /** Retention of the container and ECS Exec log groups, days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** Customer-managed key of the container and ECS Exec log groups and of Exec sessions. */
  readonly logsKey: CustomerManagedKey;
  readonly repository: EcrRepository;
  /** Tag of the image in the first task definition; the pipeline registers the real ones. */
  readonly imageTag: string;
  /** Image of the ADOT collector sidecar (tracing only). @default DEFAULT_COLLECTOR_IMAGE (pinned) */
  readonly collectorImage?: string;
  /** Serving target group the service registers its tasks in. */
  readonly targetGroup: LbTargetGroup;
  /** CODE_DEPLOY deployment controller instead of ECS rolling. @default false */
  readonly blueGreen?: boolean;
  /** What must exist before the service (the listener that attaches the target group to the ALB). @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * ECS cluster, log group, roles, task definition, security group and the Fargate service.
 * The service ignores task-definition (and, under blue/green, load-balancer and capacity
 * provider) changes after creation: the pipeline owns deployments.
 */
export class ServiceCompute extends Construct {
  readonly cluster: EcsCluster;
  readonly capacityProviders: EcsClusterCapacityProviders;
  readonly capacityProviderStrategy: EcsServiceCapacityProviderStrategy[];
  readonly logGroup: CloudwatchLogGroup;
  /** Where ECS Exec sessions are logged (`/ecs/<prefix>/exec`), encrypted with the logs key. */
  readonly execLogGroup: CloudwatchLogGroup;
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  readonly taskDefinition: EcsTaskDefinition;
  readonly securityGroup: SecurityGroup;
  readonly service: EcsService;

  constructor(scope: Construct, id: string, props: ServiceComputeProps) {
    super(scope, id);
    const { naming, network, data, logsKey } = props;
    const tracing = props.tracing ?? false;
    const exec = props.enableExecuteCommand ?? false;
    const containerInsights = props.containerInsights ?? true;
    const blueGreen = props.blueGreen ?? false;

    const logGroupName = checkName(this, "logGroup", `/ecs/${naming.prefix}`);
    this.logGroup = new CloudwatchLogGroup(this, "LogGroup", {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      // Container logs can hold farmers' personal data.
      kmsKeyId: logsKey.encryptLogGroup(logGroupName),
    });
    // Exists whether or not Exec is on, so the cluster's configuration never changes with it.
    const execLogGroupName = checkName(this, "logGroup", `/ecs/${naming.prefix}/exec`);
    this.execLogGroup = new CloudwatchLogGroup(this, "ExecLogGroup", {
      name: execLogGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: logsKey.encryptLogGroup(execLogGroupName),
    });

    this.cluster = new EcsCluster(this, "Cluster", {
      name: naming.name(this, "ecsName", "cluster"),
      // "enabled" is accepted by every provider version in use; "enhanced" is not. Off, the
      // task-count alarm reads the load balancer's healthy-host count instead (alarms.ts).
      setting: [{ name: "containerInsights", value: containerInsights ? "enabled" : "disabled" }],
      // Who opened a session is in CloudTrail (ExecuteCommand); what was typed and printed goes
      // to the Exec log group (OVERRIDE), which the agent refuses to use unless it is encrypted
      // (cloud_watch_encryption_enabled). The session's data channel is encrypted with the key.
      configuration: {
        executeCommandConfiguration: {
          kmsKeyId: logsKey.arn,
          logging: "OVERRIDE",
          logConfiguration: { cloudWatchLogGroupName: this.execLogGroup.name, cloudWatchEncryptionEnabled: true },
        },
      },
    });
    this.capacityProviderStrategy = [
      { capacityProvider: "FARGATE", base: 1, weight: 1 },
      ...(props.fargateSpot ? [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] : []),
    ];
    this.capacityProviders = new EcsClusterCapacityProviders(this, "CapacityProviders", {
      clusterName: this.cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategy: this.capacityProviderStrategy,
    });

    const trust = assumeRolePolicy("ecs-tasks.amazonaws.com", {
      StringEquals: { "aws:SourceAccount": props.accountId },
    });
    this.executionRole = new IamRole(this, "ExecutionRole", {
      name: naming.name(this, "iamRole", "task-execution"),
      description: "ECS agent: pull the service image, write its logs, read its five secrets",
      assumeRolePolicy: trust,
    });
    const executionPolicy = new IamRolePolicy(this, "ExecutionRolePolicy", {
      role: this.executionRole.id,
      name: "pull-log-secrets",
      policy: policyDocument(
        executionRoleStatements({
          repositoryArn: props.repository.arn,
          logGroupArn: this.logGroup.arn,
          secretArns: SERVICE_SECRET_NAMES.map((n) => data.secretArns[n]),
          kmsKeyArn: data.kmsKey.arn,
          region: props.region,
        }),
      ),
    });

    this.taskRole = new IamRole(this, "TaskRole", {
      name: naming.name(this, "iamRole", "task"),
      description: "The Farmers Module container: ECS Exec channel and X-Ray writes, each only when enabled",
      assumeRolePolicy: trust,
    });
    if (exec) {
      // The operator's client generates the session's data key and the agent decrypts it, each
      // as itself: the key policy delegates that use to IAM (the task role's policy below, the
      // operators' own policies).
      logsKey.grantAccountUse("EcsExecSessions", ECS_EXEC_KEY_ACTIONS);
    }
    const taskStatements = taskRoleStatements({
      executeCommand: exec ? { logGroupArn: this.execLogGroup.arn, keyArn: logsKey.arn } : false,
      tracing,
    });
    if (taskStatements.length > 0) {
      new IamRolePolicy(this, "TaskRolePolicy", {
        role: this.taskRole.id,
        name: "container",
        policy: policyDocument(taskStatements),
      });
    }

    const family = naming.name(this, "ecsName");
    this.taskDefinition = new EcsTaskDefinition(this, "TaskDefinition", {
      family,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memoryMiB),
      // The pipeline builds linux/amd64 images.
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      volume: scratchVolumes(exec).map((v) => ({ name: v.name })),
      containerDefinitions: JSON.stringify(
        containerDefinitions({
          image: `${props.repository.repositoryUrl}:${props.imageTag}`,
          environment: naming.environment,
          serviceName: naming.project,
          containerPort: props.containerPort,
          database: { host: data.address, port: data.port, username: data.username, name: data.databaseName },
          dbMaxConnsPerTask: props.dbMaxConnsPerTask,
          aaaEndpoint: props.aaaEndpoint,
          logLevel: props.logLevel,
          tracing,
          corsAllowedOrigins: props.corsAllowedOrigins,
          secretArns: data.secretArns,
          logGroupName: this.logGroup.name,
          region: props.region,
          enableExecuteCommand: exec,
          collectorImage: props.collectorImage,
        }),
      ),
    });

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      // Prefix + create_before_destroy: a replacement must coexist with the group the tasks use.
      namePrefix: naming.namePrefix(this, "securityGroup", "service"),
      description: "Farmers Module tasks: in from the load balancer only; out to HTTPS, the database and AAA",
      vpcId: network.vpc.id,
      tags: { Name: `${naming.prefix}-service` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.egressRules(props);
    // The database admits the tasks; the tasks may reach the database (both directions).
    data.allowFrom(this.securityGroup);

    const ignoreChanges = blueGreen ? [...CODE_DEPLOY_IGNORED_ATTRIBUTES] : [...ROLLING_IGNORED_ATTRIBUTES];
    this.service = new EcsService(this, "Service", {
      name: naming.name(this, "ecsName", "service"),
      cluster: this.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      // Initial count; auto-scaling owns it afterwards (hence ignored).
      desiredCount: props.desiredCount,
      capacityProviderStrategy: this.capacityProviderStrategy,
      platformVersion: "LATEST",
      // Private subnets behind NAT; with network.natGateways "none" the public subnets and a
      // public IP on the task's ENI (the subnets do not map public IPs themselves). The
      // security group admits only the load balancer's group either way.
      networkConfiguration: {
        subnets: network.taskSubnets.ids,
        securityGroups: [this.securityGroup.id],
        assignPublicIp: network.tasksNeedPublicIp,
      },
      loadBalancer: [
        { targetGroupArn: props.targetGroup.arn, containerName: CONTAINER_NAME, containerPort: props.containerPort },
      ],
      // Migrations run before the port opens: 25-35 s on an empty database.
      healthCheckGracePeriodSeconds: 45,
      deploymentMaximumPercent: 200,
      deploymentMinimumHealthyPercent: 100,
      deploymentController: { type: blueGreen ? "CODE_DEPLOY" : "ECS" },
      ...(blueGreen ? {} : { deploymentCircuitBreaker: { enable: true, rollback: true } }),
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      enableExecuteCommand: exec,
      waitForSteadyState: false,
      lifecycle: { ignoreChanges },
      dependsOn: [this.capacityProviders, executionPolicy, ...(props.dependsOn ?? [])],
    });
  }

  /** Egress: 443 anywhere, PostgreSQL to the database's group, the AAA port where AAA lives. */
  private egressRules(props: ServiceComputeProps): void {
    const sg = this.securityGroup.id;
    new VpcSecurityGroupEgressRule(this, "EgressHttps", {
      securityGroupId: sg,
      description: "HTTPS: ECR, Secrets Manager, CloudWatch Logs, X-Ray (through NAT or endpoints)",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
    new VpcSecurityGroupEgressRule(this, "EgressDatabase", {
      securityGroupId: sg,
      description: "PostgreSQL to the database",
      ipProtocol: "tcp",
      fromPort: props.data.port,
      toPort: props.data.port,
      referencedSecurityGroupId: props.data.securityGroup.id,
    });
    const rule = aaaEgressRule(props.aaaEndpoint, props.aaaCidr);
    if (rule) {
      new VpcSecurityGroupEgressRule(this, "EgressAaa", {
        securityGroupId: sg,
        description: rule.description,
        ipProtocol: "tcp",
        fromPort: rule.port,
        toPort: rule.port,
        cidrIpv4: rule.cidr,
      });
    }
  }
}

/**
 * Where the tasks may reach AAA. A routed AAA network (aaa.network) gets the port to its CIDR
 * only. Without one, the address behind the endpoint's name is unknown: the port is opened to
 * anywhere, one port wide; on 443 the HTTPS rule already covers it and nothing is added.
 */
export function aaaEgressRule(
  endpoint: string,
  aaaCidr: string | undefined,
): { port: number; cidr: string; description: string } | undefined {
  const { port } = parseEndpoint(endpoint);
  if (aaaCidr) return { port, cidr: aaaCidr, description: `AAA gRPC (${endpoint}) in the AAA network` };
  if (port === 443) return undefined;
  return {
    port,
    cidr: "0.0.0.0/0",
    description: `AAA gRPC (${endpoint}); configure aaa.network to narrow this to its CIDR`,
  };
}

/** The execution role's permissions: this repository, this log group, these five secrets, their key. */
export function executionRoleStatements(input: {
  repositoryArn: string;
  logGroupArn: string;
  secretArns: readonly string[];
  kmsKeyArn: string;
  region: string;
}): PolicyStatement[] {
  return [
    // GetAuthorizationToken is account-wide: the API has no resource to scope it to.
    { Sid: "EcrAuthorization", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    { Sid: "EcrPull", Effect: "Allow", Action: [...ECR_PULL_ACTIONS], Resource: input.repositoryArn },
    {
      Sid: "Logs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [input.logGroupArn, `${input.logGroupArn}:log-stream:*`],
    },
    { Sid: "Secrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [...input.secretArns] },
    {
      Sid: "DecryptSecrets",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: input.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${input.region}.amazonaws.com` } },
    },
  ];
}

/**
 * The task role's permissions: nothing unless ECS Exec or tracing is on. With Exec: the SSM
 * channel, logging the session to the Exec log group, and the session key.
 */
export function taskRoleStatements(input: {
  executeCommand: false | { logGroupArn: string; keyArn: string };
  tracing: boolean;
}): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const exec = input.executeCommand;
  if (exec) {
    statements.push(
      // ssmmessages has no resource types: the channel is opened before any session exists.
      { Sid: "EcsExec", Effect: "Allow", Action: [...ECS_EXEC_ACTIONS], Resource: "*" },
      // DescribeLogGroups lists groups: it has no resource to scope to.
      { Sid: "EcsExecFindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
      {
        Sid: "EcsExecLogSessions",
        Effect: "Allow",
        Action: [...ECS_EXEC_LOG_ACTIONS],
        Resource: [exec.logGroupArn, `${exec.logGroupArn}:*`],
      },
      { Sid: "EcsExecSessionKey", Effect: "Allow", Action: [...ECS_EXEC_KEY_ACTIONS], Resource: exec.keyArn },
    );
  }
  // X-Ray's write and sampling APIs do not support resource-level permissions.
  if (input.tracing)
    statements.push({ Sid: "XRayWrite", Effect: "Allow", Action: [...XRAY_WRITE_ACTIONS], Resource: "*" });
  return statements;
}
