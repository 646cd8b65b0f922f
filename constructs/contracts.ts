import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import type { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import type { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import type { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";

/**
 * What each tier offers the next. Tiers are wired with these objects in stacks/environment-stack.ts;
 * a construct depends on the interface, not on the class that implements it, so each tier can
 * be tested with a small fixture.
 */

/** The secret names of the service, `farmers-module/<env>/<name>` in Secrets Manager. */
/**
 * Prefix of the tag the deploy step adds to every image it deploys (`deployed-<commit>`). The
 * repository's lifecycle policy keeps those images generously and expires the others, so an image a
 * service runs or can roll back to is never expired by builds that were not deployed.
 */
export const DEPLOYED_TAG_PREFIX = "deployed-";

export const SERVICE_SECRET_NAMES = [
  "db-password",
  "aaa-api-key",
  "jwt-secret",
  "secret-key",
  "aaa-default-password",
] as const;
export type ServiceSecretName = (typeof SERVICE_SECRET_NAMES)[number];

/** The container environment variable each secret is delivered as (the service's contract). */
export const SECRET_ENV_VARIABLES: Readonly<Record<ServiceSecretName, string>> = {
  "db-password": "DB_POSTGRES_PASSWORD",
  "aaa-api-key": "AAA_API_KEY",
  "jwt-secret": "JWT_SECRET",
  "secret-key": "SECRET_KEY",
  "aaa-default-password": "AAA_DEFAULT_PASSWORD",
};

/** The data tier as the service sees it (implemented by constructs/data). */
export interface DataTierOutputs {
  /** Customer-managed key encrypting the database, its Performance Insights and the secrets. */
  readonly kmsKey: KmsKey;
  readonly instance: DbInstance;
  /** Security group of the database; admits nothing until `allowFrom` is called. */
  readonly securityGroup: SecurityGroup;
  readonly address: string;
  readonly port: number;
  readonly databaseName: string;
  readonly username: string;
  /** `max_connections` of the parameter group, for alarms and the connection budget. */
  readonly maxConnections: number;
  /** Storage allocated at creation (GiB); autoscaling only grows it. For the free-storage alarm. */
  readonly allocatedStorageGiB: number;
  /** ARN of each of the service's secrets. */
  readonly secretArns: Readonly<Record<ServiceSecretName, string>>;
  /** Admits PostgreSQL (5432) from `source` (the service's security group). */
  allowFrom(source: SecurityGroup): void;
}

/** The service tier as the pipeline and the alarms see it (implemented by constructs/service). */
export interface ServiceTierOutputs {
  readonly repository: EcrRepository;
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly securityGroup: SecurityGroup;
  readonly loadBalancer: Lb;
  readonly httpsListener: LbListener;
  /** Serving target group ("blue" under blue/green). */
  readonly targetGroup: LbTargetGroup;
  /** Blue/green only: the second target group, test listener and CodeDeploy resources. */
  readonly blueGreen?: {
    readonly greenTargetGroup: LbTargetGroup;
    readonly testListener: LbListener;
    readonly application: CodedeployApp;
    readonly deploymentGroup: CodedeployDeploymentGroup;
    /** Longest a deployment shifts traffic and waits before retiring the original tasks, minutes. */
    readonly durationMinutes: number;
  };
  /** Name of the container in the task definition (`farmers-module`). */
  readonly containerName: string;
  readonly containerPort: number;
  /**
   * Roll back deployments when any of these CloudWatch alarms fires: the CodeDeploy group's
   * alarm configuration (blue/green) or the ECS deployment alarms (rolling).
   */
  useDeploymentAlarms(alarmNames: readonly string[]): void;
}

/** Notification topics (implemented by constructs/observability). */
export interface AlertTopics {
  readonly critical: SnsTopic;
  readonly warning: SnsTopic;
}
