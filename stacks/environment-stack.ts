import type { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import type { EnvironmentConfig } from "../config/schema";
import { DataTier } from "../constructs/data/data-tier";
import { Naming } from "../constructs/naming";
import { Network } from "../constructs/network";
import { s3Backend } from "./backend";
import { awsProvider } from "./provider";

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
  readonly network: Network;
  readonly data: DataTier;

  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, environmentStackName(config));
    this.config = config;
    this.naming = new Naming(config.project, config.name);
    s3Backend(this, config);
    awsProvider(this, config);
    // Generates the database password, JWT secret and secret key (constructs/data).
    new RandomProvider(this, "random");

    this.network = new Network(this, "network", {
      naming: this.naming,
      region: config.region,
      availabilityZones: config.availabilityZones,
      network: config.network,
      aaa: config.aaa,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
    });

    this.data = new DataTier(this, "data", {
      naming: this.naming,
      network: this.network,
      region: config.region,
      database: config.database,
      logRetentionDays: config.observability.logRetentionDays,
    });

    this.outputs();
  }

  private outputs(): void {
    const out = (id: string, value: unknown, description: string) => new TerraformOutput(this, id, { value, description });
    out("vpc_id", this.network.vpc.id, "ID of the environment's VPC");
    out("public_subnet_ids", this.network.public.ids, "Public subnets (load balancer, NAT gateways), one per AZ");
    out("private_subnet_ids", this.network.private.ids, "Private subnets (ECS tasks), one per AZ");
    out("database_subnet_ids", this.network.database.ids, "Database subnets (RDS), one per AZ, no route to the internet");
    out("db_endpoint_address", this.data.address, "Host name of the PostgreSQL instance (DB_POSTGRES_HOST)");
    out("db_port", this.data.instance.port, "Port of the PostgreSQL instance (DB_POSTGRES_PORT)");
    out("db_name", this.data.databaseName, "Name of the service's database (DB_POSTGRES_DBNAME)");
    out("db_secret_arns", this.data.secretArns, "ARN of each of the service's Secrets Manager secrets, by name (ARNs only, never values)");
    out("data_kms_key_arn", this.data.kmsKey.arn, "Customer-managed KMS key of the database, its Performance Insights and the secrets");
  }
}
