import { block, blocks, referencedAddresses, type TerraformBlock } from "../../../constructs/terraform-json";
import type { Assumptions } from "../assumptions";
import { each, fmt, type Pricer } from "../model";
import { PRICES } from "../prices-us-east-1";

/**
 * Managed services priced per resource and usage assumption: Secrets Manager, KMS, WAF (security);
 * S3, ECR (storage); CodePipeline, CodeBuild (delivery); DynamoDB, Route 53 (state and DNS); SNS.
 */

/** `aws_secretsmanager_secret`: per secret and replica. */
export const secret = each((s: TerraformBlock, { add }) => {
  const replicas = blocks(s.config.replica).length;
  add(
    s,
    "security",
    `secret${replicas ? ` + ${replicas} replica(s)` : ""}: $${PRICES.secretMonth.usd}/month each`,
    (1 + replicas) * PRICES.secretMonth.usd,
  );
});

/** `aws_kms_key`: the key and its requests. */
export const kmsKey = each((key: TerraformBlock, { add, assumptions: a }) =>
  add(
    key,
    "security",
    `customer-managed KMS key + ${fmt(a.kmsRequestsPerKey)} requests`,
    PRICES.kmsKeyMonth.usd + (a.kmsRequestsPerKey / 10000) * PRICES.kmsRequests10k.usd,
  ),
);

/** `aws_wafv2_web_acl`: the ACL, its rules and the requests it inspects. */
export const webAcl = each((acl: TerraformBlock, { add, assumptions: a }) => {
  const rules = blocks(acl.config.rule).length;
  add(
    acl,
    "security",
    `WAF web ACL + ${rules} rule(s) + ${fmt(a.wafRequestsMillions)} M requests`,
    PRICES.wafWebAclMonth.usd + rules * PRICES.wafRuleMonth.usd + a.wafRequestsMillions * PRICES.wafRequestsMillion.usd,
  );
});

/** `aws_s3_bucket`: the data stored in S3 Standard. */
export const s3Bucket = each((bucket: TerraformBlock, { add, assumptions: a }) =>
  add(bucket, "storage", `S3 Standard: ${fmt(a.s3GbPerBucket)} GB`, a.s3GbPerBucket * PRICES.s3StandardGbMonth.usd),
);

/** `aws_ecr_repository`: the images stored. */
export const ecrRepository = each((repo: TerraformBlock, { add, assumptions: a }) =>
  add(repo, "storage", `ECR images: ${fmt(a.ecrGbPerRepository)} GB`, a.ecrGbPerRepository * PRICES.ecrGbMonth.usd),
);

/** `aws_codepipeline`: V2 by action-minute per run (approvals free), V1 per active pipeline. */
export const codePipeline = each((pipe: TerraformBlock, { add, assumptions: a }) => {
  if (pipe.config.pipeline_type === "V2") {
    const actions = blocks(pipe.config.stage).flatMap((s) => blocks(s.action));
    const minutes = actions.reduce((sum, act) => sum + actionMinutes(act.category, a), 0);
    const approvals = actions.filter((act) => act.category === "Approval").length;
    add(
      pipe,
      "delivery",
      `CodePipeline V2: ${fmt(a.deploysPerMonth)} runs × ${fmt(minutes)} action-minutes (${actions.length} actions${approvals ? `, ${approvals} approval not charged` : ""})`,
      a.deploysPerMonth * minutes * PRICES.codePipelineV2ActionMinute.usd,
    );
  } else {
    add(pipe, "delivery", "CodePipeline V1: active pipeline", PRICES.codePipelineV1Month.usd);
  }
});

function actionMinutes(category: string, a: Assumptions): number {
  switch (category) {
    case "Approval":
      return 0; // manual approvals are not charged
    case "Source":
      return a.sourceActionMinutes;
    case "Build":
    case "Test":
      return a.buildMinutes;
    case "Deploy":
      return a.deployActionMinutes;
    default:
      return 1;
  }
}

/** `aws_codebuild_project`: build minutes of its compute type (Linux containers only). */
export const codeBuildProject = each((project: TerraformBlock, { add, skip, assumptions: a }) => {
  const env = block(project.config.environment);
  const computeType: string = env?.compute_type ?? "BUILD_GENERAL1_SMALL";
  const price = PRICES.codeBuildMinute[computeType];
  if (!price || (env?.type && env.type !== "LINUX_CONTAINER")) {
    skip(project, `build environment ${env?.type ?? "?"} / ${computeType} is not in the price table`);
    return;
  }
  const minutes = a.deploysPerMonth * a.buildMinutes;
  add(
    project,
    "delivery",
    `CodeBuild ${computeType.replace("BUILD_", "").toLowerCase()}: ${fmt(a.deploysPerMonth)} builds × ${fmt(a.buildMinutes)} min`,
    minutes * price.usd,
  );
});

/** `aws_dynamodb_table`: on-demand requests and storage (+ point-in-time recovery). */
export const dynamoDbTable = each((table: TerraformBlock, { add, skip, assumptions: a }) => {
  if (table.config.billing_mode !== "PAY_PER_REQUEST") {
    skip(table, "provisioned-capacity DynamoDB tables are not priced");
    return;
  }
  const pitr = block(table.config.point_in_time_recovery)?.enabled === true;
  const requests = a.dynamoDbRequestsPerMonth / 1e6;
  add(
    table,
    "state",
    `DynamoDB on-demand: ${fmt(a.dynamoDbRequestsPerMonth)} reads + writes, ${fmt(a.dynamoDbGb)} GB${pitr ? " + PITR" : ""}`,
    requests * (PRICES.dynamoDbWriteMillion.usd + PRICES.dynamoDbReadMillion.usd) +
      a.dynamoDbGb * (PRICES.dynamoDbGbMonth.usd + (pitr ? PRICES.dynamoDbPitrGbMonth.usd : 0)),
  );
});

/** `aws_route53_zone`: per hosted zone. */
export const hostedZone = each((zone: TerraformBlock, { add }) =>
  add(zone, "state", "Route 53 hosted zone", PRICES.route53ZoneMonth.usd),
);

/** `aws_sns_topic`: the alarm notifications it sends to its e-mail subscriptions. */
export const snsTopics: Pricer = (topics, { add, ofType, assumptions: a }) => {
  const subscriptions = ofType("aws_sns_topic_subscription");
  for (const topic of topics) {
    const emails = subscriptions.filter(
      (s) =>
        ["email", "email-json"].includes(s.config.protocol) &&
        referencedAddresses(s.config.topic_arn).includes(topic.address),
    ).length;
    const messages = a.alarmNotificationsPerMonth * emails;
    add(
      topic,
      "notifications",
      `SNS topic: ${fmt(a.alarmNotificationsPerMonth)} notifications × ${emails} e-mail subscription(s)`,
      (messages / 100000) * PRICES.snsEmail100k.usd,
    );
  }
};
