import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Id } from "@cdktf/provider-random/lib/id";
import { Construct } from "constructs";

import { assumeRolePolicy } from "../iam";
import type { CustomerManagedKey } from "../kms-key";
import { checkName, type Naming } from "../naming";
import type { Network } from "../network";
import { ValidationError } from "../validation-error";
import { postgresParameters } from "./parameters";

/** PostgreSQL's port; the service's `DB_POSTGRES_PORT`. */
export const POSTGRES_PORT = 5432;
/** Daily automated backup window (UTC). */
export const BACKUP_WINDOW = "03:00-04:00";
/** Weekly maintenance window (UTC), right after the backup window. */
export const MAINTENANCE_WINDOW = "sun:04:00-sun:05:00";
/** Bytes of the random suffix of the final snapshot's name (two hex digits each). */
export const FINAL_SNAPSHOT_SUFFIX_BYTES = 4;
/** Logs RDS exports to CloudWatch. */
export const LOG_EXPORTS = ["postgresql", "upgrade"] as const;

/** The instance's own settings: engine, size, safety nets, backups and monitoring. */
export interface DatabaseSettings {
  /** PostgreSQL version at creation, MAJOR.MINOR such as `16.10`; RDS applies later minors itself. */
  readonly engineVersion: string;
  /** Instance class, such as `db.t4g.small`. */
  readonly instanceClass: string;
  /** gp3 storage at creation, GiB. */
  readonly allocatedStorageGiB: number;
  /** Ceiling of storage autoscaling, GiB; more than `allocatedStorageGiB`. */
  readonly maxAllocatedStorageGiB: number;
  /** Name of the service's database (`DB_POSTGRES_DBNAME`). */
  readonly name: string;
  /** Master user name. */
  readonly username: string;
  /** `max_connections` of the parameter group. */
  readonly maxConnections: number;
  /** A standby in a second availability zone. @default false */
  readonly multiAz?: boolean;
  /** RDS deletion protection. @default true */
  readonly deletionProtection?: boolean;
  /** `lifecycle.prevent_destroy` on the instance. @default true */
  readonly preventDestroy?: boolean;
  /** Delete the instance without a final snapshot. @default false */
  readonly skipFinalSnapshot?: boolean;
  /** Performance Insights, encrypted with `kmsKey`. @default false */
  readonly performanceInsights?: boolean;
  /** Performance Insights retention, days: 7 (free), a multiple of 31 up to 713, or 731. @default 7 */
  readonly performanceInsightsRetentionDays?: number;
  /** Automated backup retention, days (1-35). @default 7 */
  readonly backupRetentionDays?: number;
  /** Enhanced monitoring interval, seconds (0 turns it off: no role). @default 0 */
  readonly enhancedMonitoringIntervalSeconds?: number;
  /** Certificate authority of the server certificate. @default "rds-ca-rsa2048-g1" */
  readonly caCertificateIdentifier?: string;
}

/** Settings of the database and what it is wired to. */
export interface DatabaseProps extends DatabaseSettings {
  readonly naming: Naming;
  /** The network; the instance lives in its database subnets. */
  readonly network: Network;
  /** Customer-managed key for storage and Performance Insights. */
  readonly kmsKey: KmsKey;
  /** The master password: a reference to a generated value, never a literal. */
  readonly masterPassword: string;
  /** Partition of the account (`aws`), for the managed policy ARN. */
  readonly partition: string;
  /** The account id, to scope the monitoring role's trust (confused deputy). */
  readonly accountId: string;
  /**
   * Retention of the CloudWatch log groups RDS exports `postgresql` and `upgrade` logs to.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /** Customer-managed key encrypting the `postgresql` and `upgrade` log groups. */
  readonly logsKey: CustomerManagedKey;
}

/**
 * RDS PostgreSQL: a single instance (Multi-AZ by configuration) in the database subnets,
 * encrypted with the data key, reachable only on 5432 from the groups given to `allowFrom`,
 * with its parameter group, subnet group, log groups and enhanced-monitoring role.
 */
export class Database extends Construct {
  readonly instance: DbInstance;
  readonly securityGroup: SecurityGroup;
  readonly subnetGroup: DbSubnetGroup;
  readonly parameterGroup: DbParameterGroup;
  /** The enhanced-monitoring role; absent when the interval is 0 (monitoring off). */
  readonly monitoringRole?: IamRole;
  private readonly monitoringPolicy?: IamRolePolicyAttachment;
  readonly logGroups: Readonly<Record<(typeof LOG_EXPORTS)[number], CloudwatchLogGroup>>;
  /** `farmers-module-<env>-db`. */
  readonly identifier: string;
  /**
   * Name of the snapshot taken when the instance is deleted: `<identifier>-final-<8 hex>`, a
   * suffix generated once per instance; undefined when skipped.
   */
  readonly finalSnapshotIdentifier?: string;
  /** Generates the final snapshot's suffix; absent when the final snapshot is skipped. */
  readonly finalSnapshotSuffix?: Id;
  private readonly ingressRules = new Map<string, VpcSecurityGroupIngressRule>();

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { naming, kmsKey } = props;
    const logRetentionDays = props.logRetentionDays ?? 30;
    const settings = {
      ...props,
      multiAz: props.multiAz ?? false,
      deletionProtection: props.deletionProtection ?? true,
      preventDestroy: props.preventDestroy ?? true,
      skipFinalSnapshot: props.skipFinalSnapshot ?? false,
      performanceInsights: props.performanceInsights ?? false,
      performanceInsightsRetentionDays: props.performanceInsightsRetentionDays ?? 7,
      backupRetentionDays: props.backupRetentionDays ?? 7,
      enhancedMonitoringIntervalSeconds: props.enhancedMonitoringIntervalSeconds ?? 0,
      caCertificateIdentifier: props.caCertificateIdentifier ?? "rds-ca-rsa2048-g1",
    };

    const major = /^(\d+)\.\d+$/.exec(settings.engineVersion)?.[1];
    if (!major)
      throw new ValidationError(
        `database.engineVersion must be MAJOR.MINOR, such as 16.10; received "${settings.engineVersion}"`,
        this,
      );
    if (settings.maxAllocatedStorageGiB <= settings.allocatedStorageGiB)
      throw new ValidationError(
        `database.maxAllocatedStorageGiB must be more than allocatedStorageGiB (${settings.allocatedStorageGiB}) so storage can autoscale; received ${settings.maxAllocatedStorageGiB}`,
        this,
      );
    if (props.network.database.subnets.length < 2)
      throw new ValidationError(
        `the network must have database subnets in at least 2 availability zones (RDS subnet groups need them); received ${props.network.database.subnets.length}`,
        this,
      );
    const family = `postgres${major}`;

    this.identifier = naming.name(this, "rdsIdentifier", "db");
    const name = this.identifier;

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      // Prefix + create_before_destroy: a replacement must coexist with the group the instance uses.
      namePrefix: naming.namePrefix(this, "securityGroup", "db"),
      description: `PostgreSQL ${POSTGRES_PORT} of ${naming.prefix}, from the service only`,
      vpcId: props.network.vpc.id,
      // No egress at all: the database never opens connections. Ingress is added by allowFrom
      // as separate rules, so no inline `ingress` here (it would fight with them).
      egress: [],
      tags: { Name: name },
      lifecycle: { createBeforeDestroy: true },
    });

    this.subnetGroup = new DbSubnetGroup(this, "SubnetGroup", {
      name,
      description: `Database subnets of ${naming.prefix}`,
      subnetIds: props.network.database.ids,
      tags: { Name: name },
    });

    // Family, description and name force a new group; under create_before_destroy the new one is
    // created while the instance still uses the old one, so the names must differ: a prefix with
    // the family (Terraform adds a unique suffix), checked against the 63-character limit.
    const parameterGroupName = `${naming.prefix}-${family}`;
    this.parameterGroup = new DbParameterGroup(this, "ParameterGroup", {
      namePrefix: naming.namePrefix(this, "rdsIdentifier", family),
      family,
      description: `PostgreSQL ${major} tuning of ${naming.prefix}`,
      parameter: postgresParameters({ maxConnections: settings.maxConnections }),
      tags: { Name: parameterGroupName },
      lifecycle: { createBeforeDestroy: true },
    });

    // Created before the instance (it depends on them) so RDS does not create them itself
    // without retention or encryption: RDS exports to /aws/rds/instance/<id>/<log> and uses the
    // group when it exists ("Publishing PostgreSQL logs to CloudWatch Logs", RDS User Guide).
    this.logGroups = Object.fromEntries(
      LOG_EXPORTS.map((log) => {
        const groupName = checkName(this, "logGroup", `/aws/rds/instance/${name}/${log}`);
        return [
          log,
          new CloudwatchLogGroup(this, `LogGroup-${log}`, {
            name: groupName,
            retentionInDays: logRetentionDays,
            kmsKeyId: props.logsKey.encryptLogGroup(groupName),
          }),
        ];
      }),
    ) as Record<(typeof LOG_EXPORTS)[number], CloudwatchLogGroup>;

    if (settings.enhancedMonitoringIntervalSeconds > 0) {
      this.monitoringRole = new IamRole(this, "MonitoringRole", {
        name: naming.name(this, "iamRole", "rds-monitoring"),
        description: `Enhanced monitoring of ${name}`,
        assumeRolePolicy: assumeRolePolicy("monitoring.rds.amazonaws.com", {
          StringEquals: { "aws:SourceAccount": props.accountId },
        }),
      });
      this.monitoringPolicy = new IamRolePolicyAttachment(this, "MonitoringPolicy", {
        role: this.monitoringRole.name,
        policyArn: `arn:${props.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
      });
    }

    // The provider deletes the instance with the final_snapshot_identifier in state, and RDS refuses
    // a name that a snapshot already has (DBSnapshotAlreadyExists): a fixed name would make the
    // second destroy of a re-created environment fail (hashicorp/terraform-provider-aws#2588,
    // terraform-aws-modules/terraform-aws-rds adds a random_id for the same reason). The suffix
    // is created with the instance and destroyed with it, so each instance gets its own name.
    if (!settings.skipFinalSnapshot) {
      const base = naming.name(this, "rdsIdentifier", "db-final");
      checkName(this, "rdsIdentifier", `${base}-${"0".repeat(FINAL_SNAPSHOT_SUFFIX_BYTES * 2)}`);
      this.finalSnapshotSuffix = new Id(this, "FinalSnapshotSuffix", {
        byteLength: FINAL_SNAPSHOT_SUFFIX_BYTES,
        keepers: { instance: name },
      });
      this.finalSnapshotIdentifier = `${base}-${this.finalSnapshotSuffix.hex}`;
    }

    this.instance = new DbInstance(this, "Resource", {
      identifier: name,
      engine: "postgres",
      engineVersion: settings.engineVersion,
      instanceClass: settings.instanceClass,
      dbName: settings.name,
      username: settings.username,
      password: props.masterPassword,
      port: POSTGRES_PORT,
      iamDatabaseAuthenticationEnabled: true,

      storageType: "gp3",
      allocatedStorage: settings.allocatedStorageGiB,
      maxAllocatedStorage: settings.maxAllocatedStorageGiB,
      storageEncrypted: true,
      kmsKeyId: kmsKey.arn,

      dbSubnetGroupName: this.subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      multiAz: settings.multiAz,
      caCertIdentifier: settings.caCertificateIdentifier,
      parameterGroupName: this.parameterGroup.name,

      backupRetentionPeriod: settings.backupRetentionDays,
      backupWindow: BACKUP_WINDOW,
      maintenanceWindow: MAINTENANCE_WINDOW,
      copyTagsToSnapshot: true,
      // Keep automated backups (point-in-time restore) after the instance is deleted.
      deleteAutomatedBackups: false,
      skipFinalSnapshot: settings.skipFinalSnapshot,
      finalSnapshotIdentifier: this.finalSnapshotIdentifier,
      deletionProtection: settings.deletionProtection,

      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      applyImmediately: false,

      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      performanceInsightsEnabled: settings.performanceInsights,
      performanceInsightsRetentionPeriod: settings.performanceInsights
        ? settings.performanceInsightsRetentionDays
        : undefined,
      performanceInsightsKmsKeyId: settings.performanceInsights ? kmsKey.arn : undefined,
      monitoringInterval: settings.enhancedMonitoringIntervalSeconds,
      monitoringRoleArn: this.monitoringRole?.arn,

      tags: { Name: name },
      // The log groups first (so they get our retention), and the monitoring role's permissions
      // before RDS checks them.
      dependsOn: [...Object.values(this.logGroups), ...(this.monitoringPolicy ? [this.monitoringPolicy] : [])],
      lifecycle: {
        preventDestroy: settings.preventDestroy,
        // engineVersion is the version at creation. RDS then applies minor upgrades itself
        // (autoMinorVersionUpgrade); without this, every plan after one would try to go back
        // to the older minor, which RDS refuses. Major upgrades: docs/data-tier.md.
        ignoreChanges: ["engine_version"],
      },
    });
  }

  /**
   * Admits PostgreSQL (5432) from `source`. Calling it again with the same group changes nothing.
   */
  allowFrom(source: SecurityGroup): VpcSecurityGroupIngressRule {
    const key = source.node.path;
    const existing = this.ingressRules.get(key);
    if (existing) return existing;
    const rule = new VpcSecurityGroupIngressRule(this, `AllowFrom-${source.friendlyUniqueId}`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: source.id,
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description: `PostgreSQL from ${source.node.path}`,
    });
    this.ingressRules.set(key, rule);
    return rule;
  }
}
