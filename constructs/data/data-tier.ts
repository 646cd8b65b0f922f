import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import type { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { EnvironmentConfig } from "../../config/schema";
import type { DataTierOutputs, ServiceSecretName } from "../contracts";
import { policyDocument } from "../iam";
import { checkName, type Naming } from "../naming";
import type { Network } from "../network";
import { Database, POSTGRES_PORT } from "./database";
import { ServiceSecrets } from "./secrets";

export interface DataTierProps {
  readonly naming: Naming;
  /** The network; the database goes in its database subnets. */
  readonly network: Network;
  /** Region of the stack, for the key policy's `kms:ViaService` condition. */
  readonly region: string;
  /**
   * The environment's database settings (config `database`): engine version, class, storage,
   * safety nets, backups, monitoring, `maxConnections`, `secretsRecoveryWindowDays`.
   */
  readonly database: EnvironmentConfig["database"];
  /**
   * Retention of the log groups RDS exports the `postgresql` and `upgrade` logs to.
   * @default 30
   */
  readonly logRetentionDays?: number;
}

/**
 * The data tier of an environment: a customer-managed KMS key, RDS PostgreSQL 16 and the five
 * Secrets Manager secrets the service reads. Offers the service what `DataTierOutputs` lists;
 * the database admits nobody until `allowFrom` is called with the service's security group.
 *
 * @example
 * const data = new DataTier(this, "data", { naming, network, region: config.region, database: config.database });
 * data.allowFrom(service.securityGroup);
 */
export class DataTier extends Construct implements DataTierOutputs {
  /** Encrypts the database storage, its Performance Insights data and the secrets. */
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
  readonly secretArns: Readonly<Record<ServiceSecretName, string>>;
  /** The secrets themselves, for resource policies or rotation. */
  readonly secrets: Readonly<Record<ServiceSecretName, SecretsmanagerSecret>>;
  readonly serviceSecrets: ServiceSecrets;

  constructor(scope: Construct, id: string, props: DataTierProps) {
    super(scope, id);
    const { naming, database: settings } = props;

    const account = new DataAwsCallerIdentity(this, "Account");
    const partition = new DataAwsPartition(this, "Partition");
    const root = `arn:${partition.partition}:iam::${account.accountId}:root`;

    this.kmsKey = new KmsKey(this, "Key", {
      description: `Data of ${naming.prefix}: RDS storage, Performance Insights, Secrets Manager`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      // In a key policy, Resource "*" means this key: it is the only form KMS accepts.
      policy: policyDocument([
        {
          // Administration by the account's IAM principals that IAM policies allow it to.
          Sid: "KeyAdministration",
          Effect: "Allow",
          Principal: { AWS: root },
          Action: [
            "kms:CreateAlias",
            "kms:DeleteAlias",
            "kms:UpdateAlias",
            "kms:DescribeKey",
            "kms:EnableKey",
            "kms:DisableKey",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
            "kms:RotateKeyOnDemand",
            "kms:GetKeyPolicy",
            "kms:PutKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListKeyRotations",
            "kms:ListKeyPolicies",
            "kms:ListResourceTags",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:UpdateKeyDescription",
            "kms:ListGrants",
            "kms:RevokeGrant",
            "kms:RetireGrant",
            "kms:ScheduleKeyDeletion",
            "kms:CancelKeyDeletion",
          ],
          Resource: "*",
        },
        {
          // Use only through RDS and Secrets Manager (the grants RDS creates, GetSecretValue).
          Sid: "UseThroughRdsAndSecretsManager",
          Effect: "Allow",
          Principal: { AWS: root },
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
          Resource: "*",
          Condition: {
            StringEquals: {
              "kms:CallerAccount": account.accountId,
              "kms:ViaService": [`rds.${props.region}.amazonaws.com`, `secretsmanager.${props.region}.amazonaws.com`],
            },
          },
        },
      ]),
      tags: { Name: naming.name(this, "generic", "data") },
      // Final snapshots and retained automated backups are encrypted with this key and outlive the
      // instance: KMS would delete it at the end of the deletion window and leave them
      // unrestorable. So Terraform never destroys it, in any environment; destroying a disposable
      // environment first removes it from state (docs/runbooks/destroy-and-recreate.md).
      lifecycle: { preventDestroy: true },
    });
    this.kmsAlias = new KmsAlias(this, "KeyAlias", {
      name: checkName(this, "generic", `alias/${naming.prefix}-data`),
      targetKeyId: this.kmsKey.keyId,
    });

    this.serviceSecrets = new ServiceSecrets(this, "Secrets", {
      naming,
      kmsKey: this.kmsKey,
      recoveryWindowDays: settings.secretsRecoveryWindowDays,
    });

    this.database = new Database(this, "Database", {
      naming,
      network: props.network,
      settings,
      kmsKey: this.kmsKey,
      masterPassword: this.serviceSecrets.databasePassword,
      partition: partition.partition,
      accountId: account.accountId,
      logRetentionDays: props.logRetentionDays,
    });

    this.instance = this.database.instance;
    this.securityGroup = this.database.securityGroup;
    this.address = this.instance.address;
    this.databaseName = settings.name;
    this.username = settings.username;
    this.maxConnections = settings.maxConnections;
    this.secrets = this.serviceSecrets.secrets;
    this.secretArns = this.serviceSecrets.arns;
  }

  /** Admits PostgreSQL (5432) from `source`, the service's security group. Idempotent. */
  allowFrom(source: SecurityGroup): void {
    this.database.allowFrom(source);
  }
}
