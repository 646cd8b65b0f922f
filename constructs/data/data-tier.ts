import type { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import type { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";

import type { DataTierOutputs, ServiceSecretName } from "../contracts";
import { CustomerManagedKey, DATA_KEY_ACTIONS } from "../kms-key";
import { MovedFrom } from "../moved";
import type { Naming } from "../naming";
import type { Network } from "../network";
import { Database, type DatabaseSettings, POSTGRES_PORT } from "./database";
import { ServiceSecrets } from "./secrets";

/** The data tier's database settings: the instance's, and how long deleted secrets stay restorable. */
export interface DataTierDatabaseProps extends DatabaseSettings {
  /**
   * Days a deleted secret can still be restored: 7-30, or 0 to delete at once (a disposable
   * environment, so that re-creating it can reuse the names).
   * @default 30
   */
  readonly secretsRecoveryWindowDays?: number;
}

/** Settings of the data tier and what it is wired to. */
export interface DataTierProps {
  readonly naming: Naming;
  /** The network; the database goes in its database subnets. */
  readonly network: Network;
  /** Region of the stack, for the key policy's `kms:ViaService` condition. */
  readonly region: string;
  /** Account id (a token is fine), for the key policy and the monitoring role's trust. */
  readonly accountId: string;
  /** Partition (`aws`, or a token), for ARNs. */
  readonly partition: string;
  /** Engine version, class, storage, safety nets, backups, monitoring, `maxConnections`, secrets' recovery window. */
  readonly database: DataTierDatabaseProps;
  /**
   * Retention of the log groups RDS exports the `postgresql` and `upgrade` logs to.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /** Customer-managed key encrypting the log groups RDS exports to. */
  readonly logsKey: CustomerManagedKey;
}

/**
 * The data tier of an environment: a customer-managed KMS key, RDS PostgreSQL 16 and the five
 * Secrets Manager secrets the service reads. Offers the service what `DataTierOutputs` lists;
 * the database admits nobody until `allowFrom` is called with the service's security group.
 *
 * @example
 * const data = new DataTier(this, "data", {
 *   naming, network, region, accountId, partition, logsKey,
 *   database: { engineVersion: "16.10", instanceClass: "db.t4g.small", allocatedStorageGiB: 20, maxAllocatedStorageGiB: 50, name: "farmers", username: "farmers_service", maxConnections: 100 },
 * });
 * data.allowFrom(service.securityGroup);
 */
export class DataTier extends Construct implements DataTierOutputs {
  /** Encrypts the database storage, its Performance Insights data and the secrets. */
  readonly key: CustomerManagedKey;
  /** The key resource (`key.key`). */
  readonly kmsKey: KmsKey;
  readonly kmsAlias: KmsAlias;
  readonly database: Database;
  readonly instance: DbInstance;
  readonly securityGroup: SecurityGroup;
  /** Host name of the instance (`DB_POSTGRES_HOST`). */
  readonly address: string;
  readonly port: number = POSTGRES_PORT;
  readonly databaseName: string;
  readonly username: string;
  readonly maxConnections: number;
  readonly allocatedStorageGiB: number;
  readonly secretArns: Readonly<Record<ServiceSecretName, string>>;
  /** The secrets themselves, for resource policies or rotation. */
  readonly secrets: Readonly<Record<ServiceSecretName, SecretsmanagerSecret>>;
  readonly serviceSecrets: ServiceSecrets;

  constructor(scope: Construct, id: string, props: DataTierProps) {
    super(scope, id);
    const { naming, database, accountId, partition } = props;

    const key = new CustomerManagedKey(this, "Key", {
      description: `Data of ${naming.prefix}: RDS storage, Performance Insights, Secrets Manager`,
      aliasName: `alias/${naming.prefix}-data`,
      accountId,
      partition,
      region: props.region,
      serviceUse: [
        {
          // Use only through RDS and Secrets Manager (the grants RDS creates, GetSecretValue).
          sid: "UseThroughRdsAndSecretsManager",
          services: ["rds", "secretsmanager"],
          actions: [...DATA_KEY_ACTIONS, "kms:CreateGrant", "kms:DescribeKey"],
        },
      ],
      tags: { Name: naming.name(this, "generic", "data") },
      // Final snapshots and retained automated backups are encrypted with this key and outlive the
      // instance: KMS would delete it at the end of the deletion window and leave them
      // unrestorable. So Terraform never destroys it, in any environment; destroying a disposable
      // environment first removes it from state (docs/runbooks/destroy-and-recreate.md).
      preventDestroy: true,
    });
    // The alias was a sibling of the key (data/KeyAlias) before the key construct existed.
    new MovedFrom(key.alias, "aws_kms_alias.data_KeyAlias_75AF140F");
    this.key = key;
    this.kmsKey = key.key;
    this.kmsAlias = key.alias;

    this.serviceSecrets = new ServiceSecrets(this, "Secrets", {
      naming,
      kmsKey: this.kmsKey,
      recoveryWindowDays: database.secretsRecoveryWindowDays,
    });

    this.database = new Database(this, "Database", {
      ...database,
      naming,
      network: props.network,
      kmsKey: this.kmsKey,
      masterPassword: this.serviceSecrets.databasePassword,
      partition,
      accountId,
      logRetentionDays: props.logRetentionDays,
      logsKey: props.logsKey,
    });

    this.instance = this.database.instance;
    this.securityGroup = this.database.securityGroup;
    this.address = this.instance.address;
    this.databaseName = database.name;
    this.username = database.username;
    this.maxConnections = database.maxConnections;
    this.allocatedStorageGiB = database.allocatedStorageGiB;
    this.secrets = this.serviceSecrets.secrets;
    this.secretArns = this.serviceSecrets.arns;
  }

  /** Admits PostgreSQL (5432) from `source`, the service's security group. Idempotent. */
  allowFrom(source: SecurityGroup): void {
    this.database.allowFrom(source);
  }
}
