import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Lazy } from "cdktf";
import { Construct } from "constructs";

import { policyDocument, type PolicyStatement } from "./iam";
import { checkName } from "./naming";
import { ValidationError } from "./validation-error";

/** What a principal may do with the key's data keys; administration is the construct's own. */
export type KeyUseAction =
  | "kms:Encrypt"
  | "kms:Decrypt"
  | "kms:ReEncryptFrom"
  | "kms:ReEncryptTo"
  | "kms:GenerateDataKey"
  | "kms:GenerateDataKeyWithoutPlaintext"
  | "kms:DescribeKey"
  | "kms:CreateGrant";

/** AWS services through which the account's principals may use a key (`kms:ViaService`). */
export type KeyViaService = "rds" | "secretsmanager" | "sns" | "s3";

/**
 * Use by the account's IAM principals (IAM policies decide which), only through AWS services:
 * `kms:CallerAccount` is this account and `kms:ViaService` one of `services` in the region.
 */
export interface KeyServiceUse {
  /** Statement id (letters and digits). */
  readonly sid: string;
  /** Services the principals call the key through (at least one). */
  readonly services: readonly KeyViaService[];
  /** What they may do with the key (at least one action). */
  readonly actions: readonly KeyUseAction[];
  /** `kms:EncryptionContext:<key>` values the request must carry. @default - none */
  readonly encryptionContext?: Readonly<Record<string, readonly string[]>>;
}

/** Use by named IAM roles of this account, e.g. the pipeline's roles. */
export interface KeyRoleUse {
  /** Statement id (letters and digits). */
  readonly sid: string;
  /** ARNs of the roles (tokens are fine). */
  readonly roleArns: readonly string[];
  /** What the roles may do with the key (at least one action). */
  readonly actions: readonly KeyUseAction[];
  /** Only through these services (`kms:ViaService`). @default - any way the role calls KMS */
  readonly via?: readonly KeyViaService[];
}

/**
 * Use by AWS service principals that call KMS themselves (e.g. CloudWatch alarms publishing to an
 * encrypted topic). Always limited by encryption context: a service principal without a
 * condition could use the key on behalf of any account.
 */
export interface KeyServicePrincipalUse {
  /** Statement id (letters and digits). */
  readonly sid: string;
  /** Service principals, e.g. `cloudwatch.amazonaws.com`. */
  readonly principals: readonly string[];
  /** What the principals may do with the key (at least one action). */
  readonly actions: readonly KeyUseAction[];
  /** `kms:EncryptionContext:<key>` values the request must carry (at least one key). */
  readonly encryptionContext: Readonly<Record<string, readonly string[]>>;
}

/** Settings of a customer-managed key. */
export interface CustomerManagedKeyProps {
  /** What the key encrypts (its description in KMS). */
  readonly description: string;
  /** Alias, `alias/<name>`; checked against KMS's rules. */
  readonly aliasName: string;
  /** Account id (token), for the administration principal and conditions. */
  readonly accountId: string;
  /** Partition (token or literal), for ARNs. */
  readonly partition: string;
  /** Region of the key, for `kms:ViaService` and the CloudWatch Logs principal. */
  readonly region: string;
  /** Days KMS waits before deleting a key scheduled for deletion (7-30). @default 30 */
  readonly deletionWindowInDays?: number;
  /** `lifecycle.prevent_destroy` on the key. @default false */
  readonly preventDestroy?: boolean;
  /** Use by the account's principals through AWS services. @default - none */
  readonly serviceUse?: readonly KeyServiceUse[];
  /** Use by named roles. @default - none */
  readonly roleUse?: readonly KeyRoleUse[];
  /** Use by AWS service principals. @default - none */
  readonly servicePrincipalUse?: readonly KeyServicePrincipalUse[];
  /** Tags of the key. @default - the provider's default tags only */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Key administration, granted to the account root principal, which delegates to IAM: only the
 * account's principals whose IAM policies allow these actions may administer the key. No use of
 * data keys here (that is in the typed grants), and no `kms:*`.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
] as const;

/** Envelope encryption: encrypting, decrypting and re-encrypting with the key's data keys. */
export const DATA_KEY_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
] as const satisfies readonly KeyUseAction[];

/**
 * What CloudWatch Logs does with the key of a log group it encrypts (the documented key-policy
 * statement for `logs.<region>.amazonaws.com`, spelt out: "Encrypt log data in CloudWatch Logs
 * using AWS KMS", CloudWatch Logs User Guide).
 */
export const CLOUDWATCH_LOGS_KEY_ACTIONS: readonly KeyUseAction[] = [...DATA_KEY_ACTIONS, "kms:DescribeKey"];

const SID = /^[A-Za-z0-9]+$/;

/**
 * A customer-managed KMS key with rotation on, its alias, and a key policy of one administration
 * statement plus typed grants, each limited by conditions: `kms:ViaService` and
 * `kms:CallerAccount` for the account's principals, encryption context for service principals,
 * and, for CloudWatch Logs, `kms:EncryptionContext:aws:logs:arn` naming each log group.
 *
 * The policy is inline on the `aws_kms_key` and rendered at synth, after every construct has
 * called {@link encryptLogGroup}: a log group referencing `keyArn` is then created (or updated)
 * only after the key policy allows CloudWatch Logs to use the key for it.
 *
 * @example
 * const key = new CustomerManagedKey(this, "Key", { description: "Logs of dev", aliasName: "alias/farmers-module-dev-logs", accountId, partition, region });
 * new CloudwatchLogGroup(this, "LogGroup", { name: "/ecs/x", retentionInDays: 7, kmsKeyId: key.encryptLogGroup("/ecs/x") });
 */
export class CustomerManagedKey extends Construct {
  /** The key; its logical id is the construct's (the child id `Default` is hidden). */
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** ARN of the key. */
  readonly arn: string;
  private readonly logGroupNames: string[] = [];
  private readonly accountUse: { sid: string; actions: KeyUseAction[] }[] = [];
  /** Sids taken by the props' grants and the construct's own statements. */
  private readonly grantSids: string[];
  private readonly props: CustomerManagedKeyProps;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    this.props = props;
    const deletionWindowInDays = props.deletionWindowInDays ?? 30;
    if (!Number.isInteger(deletionWindowInDays) || deletionWindowInDays < 7 || deletionWindowInDays > 30)
      throw new ValidationError(
        `deletionWindowInDays must be an integer from 7 to 30 (KMS's range); received ${deletionWindowInDays}`,
        this,
      );
    if (!props.aliasName.startsWith("alias/") || props.aliasName.startsWith("alias/aws/"))
      throw new ValidationError(
        `aliasName must start with "alias/" and not "alias/aws/" (reserved for AWS managed keys); received "${props.aliasName}"`,
        this,
      );
    const sids = [...(props.serviceUse ?? []), ...(props.roleUse ?? []), ...(props.servicePrincipalUse ?? [])].map(
      (g) => g.sid,
    );
    for (const grant of [...(props.serviceUse ?? []), ...(props.roleUse ?? []), ...(props.servicePrincipalUse ?? [])]) {
      if (!SID.test(grant.sid))
        throw new ValidationError(`grant sid must be letters and digits only; received "${grant.sid}"`, this);
      if (grant.actions.length === 0)
        throw new ValidationError(`grant ${grant.sid} lists no actions; allowed: at least one KeyUseAction`, this);
    }
    this.grantSids = [...sids, "KeyAdministration", "CloudWatchLogsEncryptLogGroups"];
    const duplicate = sids.find(
      (sid, i) => sids.indexOf(sid) !== i || ["KeyAdministration", "CloudWatchLogsEncryptLogGroups"].includes(sid),
    );
    if (duplicate)
      throw new ValidationError(
        `grant sid "${duplicate}" is used twice (or is one of the construct's own); allowed: one grant per sid`,
        this,
      );
    for (const grant of props.servicePrincipalUse ?? [])
      if (Object.keys(grant.encryptionContext).length === 0)
        throw new ValidationError(
          `grant ${grant.sid} gives service principals (${grant.principals.join(", ")}) the key without an encryption context; allowed: at least one kms:EncryptionContext key`,
          this,
        );
    for (const grant of props.serviceUse ?? [])
      if (grant.services.length === 0)
        throw new ValidationError(
          `grant ${grant.sid} names no service; allowed: one or more of rds, secretsmanager, sns, s3`,
          this,
        );

    this.key = new KmsKey(this, "Default", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays,
      // Rendered at synth, once every log group has been registered.
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements()) }),
      tags: props.tags ? { ...props.tags } : undefined,
      lifecycle: { preventDestroy: props.preventDestroy ?? false },
    });
    this.arn = this.key.arn;
    this.alias = new KmsAlias(this, "Alias", {
      name: checkName(this, "generic", props.aliasName),
      targetKeyId: this.key.keyId,
    });
  }

  /**
   * Lets CloudWatch Logs encrypt the log group `name` (of this account and region) with the key;
   * returns the key ARN for the log group's `kms_key_id`, so the group depends on the key.
   */
  encryptLogGroup(name: string): string {
    if (name.includes("${") || name.includes("*"))
      throw new ValidationError(`encryptLogGroup needs a literal log group name; received "${name}"`, this);
    if (!this.logGroupNames.includes(name)) this.logGroupNames.push(name);
    return this.arn;
  }

  /**
   * Lets the account's principals call KMS with the key directly, for `actions` only, where their
   * own IAM policies allow it (the account root principal delegates to IAM; `kms:CallerAccount`
   * is this account). For clients that are not an AWS service, e.g. ECS Exec sessions.
   */
  grantAccountUse(sid: string, actions: readonly KeyUseAction[]): void {
    if (!SID.test(sid)) throw new ValidationError(`grant sid must be letters and digits only; received "${sid}"`, this);
    if (actions.length === 0)
      throw new ValidationError(`grant ${sid} lists no actions; allowed: at least one KeyUseAction`, this);
    if (this.grantSids.includes(sid))
      throw new ValidationError(
        `grant sid "${sid}" is used twice (or is one of the construct's own); allowed: one grant per sid`,
        this,
      );
    const existing = this.accountUse.find((g) => g.sid === sid);
    if (existing && existing.actions.join() !== actions.join())
      throw new ValidationError(
        `grant sid "${sid}" is used twice with different actions; allowed: one grant per sid`,
        this,
      );
    if (!existing) this.accountUse.push({ sid, actions: [...actions] });
  }

  /** The log groups CloudWatch Logs may encrypt with this key, in registration order. */
  get encryptedLogGroups(): readonly string[] {
    return [...this.logGroupNames];
  }

  private statements(): PolicyStatement[] {
    const { accountId, partition, region } = this.props;
    const root = `arn:${partition}:iam::${accountId}:root`;
    const via = (services: readonly KeyViaService[]) => services.map((s) => `${s}.${region}.amazonaws.com`);
    const context = (ec: Readonly<Record<string, readonly string[]>> | undefined) =>
      Object.fromEntries(Object.entries(ec ?? {}).map(([k, values]) => [`kms:EncryptionContext:${k}`, [...values]]));
    // In a key policy, Resource "*" means this key: it is the only form KMS accepts.
    const allow = (
      sid: string,
      principal: PolicyStatement["Principal"],
      actions: readonly string[],
      condition?: PolicyStatement["Condition"],
    ): PolicyStatement => ({
      Sid: sid,
      Effect: "Allow",
      Principal: principal,
      Action: [...actions],
      Resource: "*",
      ...(condition ? { Condition: condition } : {}),
    });
    const statements: PolicyStatement[] = [
      allow("KeyAdministration", { AWS: root }, KEY_ADMIN_ACTIONS),
      ...(this.props.servicePrincipalUse ?? []).map((g) =>
        allow(g.sid, { Service: [...g.principals] }, g.actions, { StringEquals: context(g.encryptionContext) }),
      ),
      ...(this.props.serviceUse ?? []).map((g) =>
        allow(g.sid, { AWS: root }, g.actions, {
          StringEquals: {
            "kms:CallerAccount": accountId,
            "kms:ViaService": via(g.services),
            ...context(g.encryptionContext),
          },
        }),
      ),
      ...(this.props.roleUse ?? []).map((g) =>
        allow(
          g.sid,
          { AWS: [...g.roleArns] },
          g.actions,
          g.via ? { StringEquals: { "kms:ViaService": via(g.via) } } : undefined,
        ),
      ),
      ...this.accountUse.map((g) =>
        allow(g.sid, { AWS: root }, g.actions, { StringEquals: { "kms:CallerAccount": accountId } }),
      ),
    ];
    if (this.logGroupNames.length > 0) {
      // CloudWatch Logs calls KMS with the log group's ARN as encryption context.
      const arns = this.logGroupNames.map((n) => `arn:${partition}:logs:${region}:${accountId}:log-group:${n}`);
      statements.push(
        allow(
          "CloudWatchLogsEncryptLogGroups",
          { Service: `logs.${region}.amazonaws.com` },
          CLOUDWATCH_LOGS_KEY_ACTIONS,
          { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": arns } },
        ),
      );
    }
    return statements;
  }
}
