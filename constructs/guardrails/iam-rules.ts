import type { Json } from "../terraform-json";

/**
 * Actions that AWS does not let a policy scope to a resource, so `Resource: "*"` is the only
 * valid form. The one place listing them; every other Allow statement must name its resources.
 */
export const UNSCOPABLE_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "ecs:RegisterTaskDefinition",
  "ecs:DescribeTaskDefinition",
  "ecs:DeregisterTaskDefinition",
  // Narrowed by the ecs:cluster condition instead (the pipeline role does so).
  "ecs:ListTasks",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  "codestar-connections:ListConnections",
  "logs:DescribeLogGroups",
  "cloudwatch:PutMetricData",
];

/**
 * AWS managed policies a role may have, each with why: their documents are AWS's, so the
 * wildcard rule cannot read them. Any other managed policy attachment is a finding.
 */
export const ALLOWED_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  "service-role/AmazonRDSEnhancedMonitoringRole":
    "the only documented policy for RDS Enhanced Monitoring; it writes to the RDSOSMetrics log group only",
  AWSCodeDeployRoleForECSLimited:
    "the narrow CodeDeploy-for-ECS policy (task sets, listener swaps, alarm reads); unlike AWSCodeDeployRoleForECS it cannot publish to any topic, read any object or invoke any function",
};

export interface ParsedPolicy {
  readonly document?: Json;
  readonly error?: string;
}

/** Parses a policy attribute; values built by Terraform functions (`${jsonencode(...)}`) are skipped. */
export function parsePolicy(value: unknown): ParsedPolicy | undefined {
  if (typeof value !== "string") return undefined;
  if (/^\$\{(jsonencode|data\.aws_iam_policy_document)/.test(value)) return undefined;
  try {
    const document = JSON.parse(value) as Json;
    return { document };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** An IAM policy field that may be one value or a list (Action, Resource, Principal…), as a list. */
export function asList(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Attributes of resources that hold IAM policy documents, by resource type. */
export const POLICY_ATTRIBUTES: Readonly<
  Record<string, { attribute: string; kind: "identity" | "resource" | "trust" }[]>
> = {
  aws_iam_role: [{ attribute: "assume_role_policy", kind: "trust" }],
  aws_iam_role_policy: [{ attribute: "policy", kind: "identity" }],
  aws_iam_policy: [{ attribute: "policy", kind: "identity" }],
  aws_s3_bucket_policy: [{ attribute: "policy", kind: "resource" }],
  aws_sns_topic_policy: [{ attribute: "policy", kind: "resource" }],
  aws_kms_key: [{ attribute: "policy", kind: "resource" }],
  aws_ecr_repository_policy: [{ attribute: "policy", kind: "resource" }],
  aws_secretsmanager_secret_policy: [{ attribute: "policy", kind: "resource" }],
  aws_cloudwatch_log_resource_policy: [{ attribute: "policy_document", kind: "resource" }],
};
