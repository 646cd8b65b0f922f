import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";

import type { AlertTopics } from "../contracts";
import { policyDocument, type PolicyStatement } from "../iam";
import { CustomerManagedKey } from "../kms-key";
import { MovedFrom } from "../moved";
import type { Naming } from "../naming";
import { ValidationError } from "../validation-error";

/** The AWS services that publish to the alert topics, and the ARN pattern they publish from. */
export const TOPIC_PUBLISHERS = [
  /** CloudWatch alarms (this construct's alarms). */
  {
    sid: "PublishCloudWatchAlarms",
    service: "cloudwatch.amazonaws.com",
    source: "cloudwatch:{region}:{account}:alarm:*",
  },
  /** EventBridge rules (the pipeline's failed build and pipeline notifications). */
  { sid: "PublishEventBridgeRules", service: "events.amazonaws.com", source: "events:{region}:{account}:rule/*" },
  /**
   * CodeStar Notifications rules (notifications configured on the pipeline itself). AWS documents
   * no source condition for this principal; one it does not send would drop every notification.
   */
  { sid: "PublishCodeStarNotifications", service: "codestar-notifications.amazonaws.com", source: undefined },
] as const satisfies readonly { sid: string; service: string; source?: string }[];

/** What the account owner may do with the topics. */
const OWNER_TOPIC_ACTIONS = [
  "sns:GetTopicAttributes",
  "sns:SetTopicAttributes",
  "sns:AddPermission",
  "sns:RemovePermission",
  "sns:DeleteTopic",
  "sns:Subscribe",
  "sns:ListSubscriptionsByTopic",
  "sns:Publish",
] as const;

export type Severity = "critical" | "warning";

/** Settings of the alert topics. */
export interface TopicsProps {
  readonly naming: Naming;
  /** The account the stack deploys into (the stack's one `aws_caller_identity`), for ARNs and confused-deputy conditions. */
  readonly accountId: string;
  /** The partition (the stack's one `aws_partition`), for ARNs. */
  readonly partition: string;
  /** Region of the topics, for the ARNs in the key and topic policies. */
  readonly region: string;
  /** Addresses e-mailed by the critical topic (each must confirm). @default - no subscriptions */
  readonly criticalEmails?: readonly string[];
  /** Addresses e-mailed by the warning topic (each must confirm). @default - no subscriptions */
  readonly warningEmails?: readonly string[];
}

/**
 * The environment's two alert topics, `<prefix>-critical` and `<prefix>-warning`, encrypted with
 * a customer-managed key of their own. CloudWatch alarms, EventBridge rules and CodeStar
 * Notifications of this account may publish; e-mail subscriptions come from configuration.
 */
export class Topics extends Construct implements AlertTopics {
  /** The key encrypting both topics (rotation on). */
  readonly key: KmsKey;
  readonly critical: SnsTopic;
  readonly warning: SnsTopic;
  /** The e-mail subscriptions of each topic, by address (lower case). */
  readonly subscriptions: Readonly<Record<Severity, Readonly<Record<string, SnsTopicSubscription>>>>;

  constructor(scope: Construct, id: string, props: TopicsProps) {
    super(scope, id);
    const { naming, region } = props;
    const emails: Record<Severity, readonly string[]> = {
      critical: props.criticalEmails ?? [],
      warning: props.warningEmails ?? [],
    };
    for (const severity of ["critical", "warning"] as const)
      checkNoDuplicates(this, `observability.${severity}Emails`, emails[severity]);

    const { accountId: account, partition } = props;
    const root = `arn:${partition}:iam::${account}:root`;
    const names: Record<Severity, string> = {
      critical: naming.name(this, "snsTopic", "critical"),
      warning: naming.name(this, "snsTopic", "warning"),
    };
    // Built from names, not topic attributes: the topics depend on the key, so the key policy
    // cannot reference them without a cycle.
    const topicArns = Object.values(names).map((n) => `arn:${partition}:sns:${region}:${account}:${n}`);
    const sourceArn = (pattern: string) =>
      `arn:${partition}:${pattern.replace("{region}", region).replace("{account}", account)}`;
    const publishers: string[] = TOPIC_PUBLISHERS.map((p) => p.service);

    const key = new CustomerManagedKey(this, "Key", {
      description: `Encrypts the ${naming.prefix} alert topics (SNS)`,
      aliasName: `alias/${naming.name(this, "generic", "alerts")}`,
      accountId: account,
      partition,
      region,
      servicePrincipalUse: [
        {
          // SNS calls KMS with the topic ARN as encryption context: only our two topics.
          sid: "PublishersEncryptForAlertTopics",
          principals: publishers,
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          encryptionContext: { "aws:sns:topicArn": topicArns },
        },
      ],
      serviceUse: [
        {
          // Roles of this account whose IAM policy allows the key (e.g. the pipeline role
          // announcing a manual approval) publish through SNS, only for these two topics.
          sid: "AccountPrincipalsPublishThroughSns",
          services: ["sns"],
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          encryptionContext: { "aws:sns:topicArn": topicArns },
        },
      ],
    });
    // The alias was a sibling of the key (Topics/KeyAlias) before the key construct existed.
    new MovedFrom(key.alias, "aws_kms_alias.observability_Topics_KeyAlias_AEC4C697");
    this.key = key.key;

    const topic = (severity: Severity): SnsTopic => {
      const scope = new Construct(this, severity === "critical" ? "Critical" : "Warning");
      const resource = new SnsTopic(scope, "Resource", {
        name: names[severity],
        displayName: `${naming.prefix} ${severity}`,
        kmsMasterKeyId: this.key.arn,
      });
      const statements: PolicyStatement[] = [
        {
          Sid: "AccountOwner",
          Effect: "Allow",
          Principal: { AWS: root },
          Action: OWNER_TOPIC_ACTIONS,
          Resource: resource.arn,
        },
        ...TOPIC_PUBLISHERS.map(({ sid, service, source }): PolicyStatement => ({
          Sid: sid,
          Effect: "Allow",
          Principal: { Service: service },
          Action: "sns:Publish",
          Resource: resource.arn,
          // Only this account's alarms and rules: no other account can use the topic as a deputy.
          ...(source
            ? {
                Condition: {
                  StringEquals: { "aws:SourceAccount": account },
                  ArnLike: { "aws:SourceArn": sourceArn(source) },
                },
              }
            : {}),
        })),
      ];
      new SnsTopicPolicy(scope, "Policy", { arn: resource.arn, policy: policyDocument(statements) });
      return resource;
    };
    this.critical = topic("critical");
    this.warning = topic("warning");

    const subscribe = (severity: Severity, target: SnsTopic) =>
      Object.fromEntries(
        emails[severity].map((address) => {
          const key = address.toLowerCase();
          // Keyed by address, not position: removing one address must not replace the others
          // (a replaced e-mail subscription needs confirming again).
          const sub = new SnsTopicSubscription(target.node.scope!, `Email-${key}`, {
            topicArn: target.arn,
            protocol: "email",
            endpoint: address,
          });
          return [key, sub];
        }),
      );
    this.subscriptions = {
      critical: subscribe("critical", this.critical),
      warning: subscribe("warning", this.warning),
    };
  }
}

function checkNoDuplicates(scope: Construct, setting: string, emails: readonly string[]): void {
  const seen = new Set<string>();
  for (const address of emails) {
    const key = address.toLowerCase();
    if (seen.has(key))
      throw new ValidationError(
        `${setting} lists "${address}" more than once (addresses compare case-insensitively); allowed: each address once`,
        scope,
      );
    seen.add(key);
  }
}
