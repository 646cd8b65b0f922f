import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";

import type { EnvironmentConfig } from "../config/schema";
import { DataTier, type DataTierDatabaseProps } from "../constructs/data/data-tier";
import { applyGuardrails } from "../constructs/guardrails/engine";
import { CustomerManagedKey } from "../constructs/kms-key";
import { Naming } from "../constructs/naming";
import { Network, type NetworkProps, type PrivateNetworkRoute } from "../constructs/network";
import { Observability, type ObservabilitySettings } from "../constructs/observability/observability";
import { OffHours, type OffHoursProps } from "../constructs/off-hours";
import { DeliveryPipeline, type DeliveryPipelineSettings } from "../constructs/pipeline/pipeline";
import type { BlueGreenSettings } from "../constructs/service/blue-green";
import type { ServiceLoadBalancerSettings } from "../constructs/service/load-balancer";
import { type ServiceSettings, ServiceTier, type ServiceTierSettings } from "../constructs/service/service-tier";
import { LoadBalancerFirewall, type LoadBalancerFirewallProps } from "../constructs/waf";
import { s3Backend } from "./backend";
import { awsProvider } from "./provider";
import type { Feeds } from "./settings";

type AaaNetwork = NonNullable<EnvironmentConfig["aaa"]["network"]>;
type WafSettings = EnvironmentConfig["loadBalancer"]["waf"];

/** `farmers-module-<env>`: the stack name of an environment. */
export function environmentStackName(config: Pick<EnvironmentConfig, "project" | "name">): string {
  return `${config.project}-${config.name}`;
}

/**
 * One environment of the Farmers Module: network, data tier, service, pipeline and alarms.
 * Every environment is this class; they differ only by their configuration.
 */
export class EnvironmentStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly naming: Naming;
  /** Encrypts every log group of the environment but the build's, and ECS Exec sessions. */
  readonly logsKey: CustomerManagedKey;
  readonly network: Network;
  readonly data: DataTier;
  readonly service: ServiceTier;
  readonly observability: Observability;
  readonly pipeline: DeliveryPipeline;
  /** Scale-to-zero and database stop outside working hours, when `offHours.enabled`. */
  readonly offHours?: OffHours;
  /** The web ACL on the load balancer, when `loadBalancer.waf.enabled`. */
  readonly firewall?: LoadBalancerFirewall;

  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, environmentStackName(config));
    this.config = config;
    this.naming = new Naming(config.project, config.name);
    // The stack's one account and partition lookup (data sources `account` and `partition`): the
    // constructs take them as strings rather than each looking them up again.
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    s3Backend(this, config);
    awsProvider(this, config);
    // Generates the database password, JWT secret and secret key (constructs/data).
    new RandomProvider(this, "random");

    // Each construct registers its log groups with the key (encryptLogGroup), so the key policy
    // names exactly those groups; the build logs use the pipeline's key.
    this.logsKey = new CustomerManagedKey(this, "logs-key", {
      description: `Log groups of ${this.naming.prefix} (containers, ECS Exec, flow logs, RDS, WAF) and ECS Exec sessions`,
      aliasName: `alias/${this.naming.prefix}-logs`,
      accountId,
      partition,
      region: config.region,
    });

    this.network = new Network(this, "network", {
      naming: this.naming,
      accountId,
      partition,
      region: config.region,
      availabilityZones: config.availabilityZones,
      ...(config.network satisfies Feeds<EnvironmentConfig["network"], NetworkProps>),
      aaaNetwork: config.aaa.network satisfies Feeds<AaaNetwork, PrivateNetworkRoute> | undefined,
      aaaPrivateHostedZoneId: config.aaa.privateHostedZoneId,
      logsKey: this.logsKey,
    });

    this.data = new DataTier(this, "data", {
      naming: this.naming,
      accountId,
      partition,
      network: this.network,
      region: config.region,
      database: config.database satisfies Feeds<
        EnvironmentConfig["database"],
        DataTierDatabaseProps,
        "reservedConnections"
      >,
      logRetentionDays: config.observability.logRetentionDays,
      logsKey: this.logsKey,
    });

    // Admits itself to the database (data.allowFrom) and opens its egress to it.
    this.service = new ServiceTier(this, "service", {
      naming: this.naming,
      accountId,
      partition,
      network: this.network,
      data: this.data,
      logsKey: this.logsKey,
      ...serviceTierSettings(config),
      disposable: config.protection === "disposable",
      scheduledCapacity: config.offHours.enabled,
    });

    if (config.offHours.enabled) {
      this.offHours = new OffHours(this, "offHours", {
        naming: this.naming,
        accountId,
        database: this.data.instance,
        scalingTarget: this.service.scaling.target,
        minCount: config.service.minCount,
        maxCount: config.service.maxCount,
        ...(config.offHours satisfies Feeds<EnvironmentConfig["offHours"], OffHoursProps, "enabled">),
      });
    }

    // Topics, alarms and dashboard; wires the 5xx-rate and unhealthy-target alarms into the
    // service's deployment rollback (service.useDeploymentAlarms).
    this.observability = new Observability(this, "observability", {
      naming: this.naming,
      accountId,
      partition,
      service: this.service,
      data: this.data,
      ...observabilitySettings(config),
    });

    this.pipeline = new DeliveryPipeline(this, "pipeline", {
      naming: this.naming,
      accountId,
      partition,
      service: this.service,
      topics: this.observability,
      ...deliveryPipelineSettings(config),
      disposable: config.protection === "disposable",
    });

    if (config.loadBalancer.waf.enabled) {
      this.firewall = new LoadBalancerFirewall(this, "waf", {
        naming: this.naming,
        loadBalancer: this.service.loadBalancer,
        ...(config.loadBalancer.waf satisfies Feeds<WafSettings, LoadBalancerFirewallProps, "enabled">),
        logRetentionDays: config.observability.logRetentionDays,
        logsKey: this.logsKey,
      });
    }

    // A production-protected environment keeps its stateful protections whatever its name.
    applyGuardrails(this, {
      production: config.protection === "production",
      disposable: config.protection === "disposable",
    });
    this.outputs();
  }

  private outputs(): void {
    const out = (id: string, value: unknown, description: string) =>
      new TerraformOutput(this, id, { value, description });
    out("vpc_id", this.network.vpc.id, "ID of the environment's VPC");
    out("public_subnet_ids", this.network.public.ids, "Public subnets (load balancer, NAT gateways), one per AZ");
    out("private_subnet_ids", this.network.private.ids, "Private subnets (ECS tasks), one per AZ");
    out(
      "database_subnet_ids",
      this.network.database.ids,
      "Database subnets (RDS), one per AZ, no route to the internet",
    );
    out("db_endpoint_address", this.data.address, "Host name of the PostgreSQL instance (DB_POSTGRES_HOST)");
    out("db_port", this.data.instance.port, "Port of the PostgreSQL instance (DB_POSTGRES_PORT)");
    out("db_name", this.data.databaseName, "Name of the service's database (DB_POSTGRES_DBNAME)");
    out(
      "db_secret_arns",
      this.data.secretArns,
      "ARN of each of the service's Secrets Manager secrets, by name (ARNs only, never values)",
    );
    out(
      "data_kms_key_arn",
      this.data.kmsKey.arn,
      "Customer-managed KMS key of the database, its Performance Insights and the secrets",
    );

    const s = this.service;
    out("alb_dns_name", s.loadBalancer.dnsName, "DNS name of the internet-facing load balancer");
    out(
      "service_url",
      s.url,
      "HTTPS base URL of the API (the Route 53 record when configured, else the load balancer's name)",
    );
    out("health_check_url", `${s.url}/health`, "Health endpoint: GET, no auth, 200 when the service is up");
    out("docs_url", `${s.url}/docs`, "API documentation of the service");
    out("ecs_cluster_name", s.cluster.name, "ECS cluster running the service");
    out("ecs_service_name", s.service.name, "ECS service of the Farmers Module");
    out(
      "ecr_repository_url",
      s.repository.repositoryUrl,
      "ECR repository the pipeline pushes images to (tags are immutable)",
    );
    out("log_group_name", s.logGroup.name, "CloudWatch log group of the service's containers");
    if (s.blueGreen) {
      out(
        "codedeploy_application_name",
        s.blueGreen.application.name,
        "CodeDeploy application of the blue/green deployments",
      );
      out(
        "codedeploy_deployment_group_name",
        s.blueGreen.deploymentGroup.deploymentGroupName,
        "CodeDeploy deployment group of the service",
      );
      out(
        "test_listener_url",
        `${s.url}:${this.config.loadBalancer.testListenerPort}`,
        "Blue/green test listener (replacement tasks during a deployment; only from loadBalancer.testListenerCidrs)",
      );
    }

    out("critical_topic_arn", this.observability.critical.arn, "SNS topic of critical alarms (subscribe on-call here)");
    out(
      "warning_topic_arn",
      this.observability.warning.arn,
      "SNS topic of warning alarms and failed pipeline/build notifications",
    );
    out(
      "dashboard_url",
      this.observability.dashboardUrl ?? "none: observability.dashboard is false",
      "CloudWatch dashboard of the environment",
    );

    const p = this.pipeline;
    out("pipeline_name", p.pipeline.name, "CodePipeline of this environment");
    out("pipeline_console_url", p.consoleUrl, "AWS console page of the pipeline");
    out("build_project_name", p.buildProject.name, "CodeBuild project that builds and pushes the image");
    out("pipeline_artifact_bucket", p.artifactBucket.bucket, "S3 bucket of pipeline artifacts (KMS, expiring)");
    out(
      "codestar_connection_arn",
      p.connectionArn ?? "none: github-token source mode",
      "GitHub connection used by the Source stage",
    );
    out(
      "codestar_connection_status",
      p.connectionStatusHint,
      "PENDING until the one-time console handshake (docs/pipeline.md)",
    );
    if (p.webhook)
      new TerraformOutput(this, "github_webhook_url", {
        value: p.webhook.url,
        description: "URL for GitHub's push webhook (legacy github-token mode)",
        sensitive: true,
      });
  }
}

/*
 * Configuration to props for the service tier, the pipeline and observability. Each construct
 * owns its props; these functions map an environment's configuration onto them (the construct
 * tests use them too). Each configuration section is checked with `Feeds` (stacks/settings.ts):
 * a setting added, renamed or retyped in config/schema.ts that no prop takes fails `tsc`, and the
 * declared return types catch a prop the configuration no longer fills.
 */

/** The service tier's settings of an environment: task, container, load balancer, deployment style. */
export function serviceTierSettings(
  config: EnvironmentConfig,
): Omit<ServiceTierSettings, "disposable" | "scheduledCapacity" | "initialImageTag" | "collectorImage"> {
  const { deployment } = config;
  return {
    region: config.region,
    service: config.service satisfies Feeds<EnvironmentConfig["service"], ServiceSettings>,
    // `waf` is the firewall's (LoadBalancerFirewall below).
    loadBalancer: config.loadBalancer satisfies Feeds<
      EnvironmentConfig["loadBalancer"],
      ServiceLoadBalancerSettings,
      "waf"
    >,
    // `style` picks the construct: blue/green settings present means CodeDeploy.
    blueGreen:
      deployment.style === "blue-green"
        ? (deployment satisfies Feeds<EnvironmentConfig["deployment"], BlueGreenSettings, "style">)
        : undefined,
    aaaEndpoint: config.aaa.endpoint,
    logRetentionDays: config.observability.logRetentionDays,
  };
}

/** The delivery pipeline's settings of an environment: repository, branch, source, approval, retention. */
export function deliveryPipelineSettings(
  config: EnvironmentConfig,
): Omit<DeliveryPipelineSettings, "disposable" | "buildImage" | "buildComputeType" | "buildTimeoutMinutes"> {
  return {
    region: config.region,
    ...(config.pipeline satisfies Feeds<EnvironmentConfig["pipeline"], DeliveryPipelineSettings>),
  };
}

/** The observability settings of an environment: alerting, and the service facts its alarms depend on. */
export function observabilitySettings(config: EnvironmentConfig): ObservabilitySettings {
  const { service } = config;
  return {
    region: config.region,
    // `logRetentionDays` is the service's, data tier's and firewall's log groups'.
    ...(config.observability satisfies Feeds<
      EnvironmentConfig["observability"],
      ObservabilitySettings,
      "logRetentionDays"
    >),
    containerInsights: service.containerInsights,
    minTaskCount: service.minCount,
    maxTaskCount: service.maxCount,
    sleeps: config.offHours.enabled,
  };
}
