import {
  FARGATE_CPU_MEMORY,
  isValidAlarmPeriod,
  isValidPerformanceInsightsRetention,
  LOG_RETENTION_DAYS,
  RDS_BACKUP_RETENTION,
} from "../aws/catalog";
import { NAME_PREFIX_UNIQUE_SUFFIX_LENGTH, NAME_RULES, type NameKind } from "../naming";
import { CODE_DEPLOY_REFUSED_ATTRIBUTES } from "../service/compute";
import { type Json, stackDataSources, type TerraformBlock } from "../terraform-json";
import { ALLOWED_MANAGED_POLICIES, asList, parsePolicy, POLICY_ATTRIBUTES, UNSCOPABLE_ACTIONS } from "./iam-rules";
import type { Rule, RuleContext, Violation } from "./model";

/**
 * The rules every stack must pass at synth time. LIM-* are limits AWS enforces (an apply would
 * fail); SEC-* are security rules a reviewer would flag. Each has an id and a one-line rationale.
 */

const isToken = (v: unknown) => typeof v === "string" && v.includes("${");
const v = (r: TerraformBlock, attribute: string, value: unknown, limit: string): Violation => ({
  path: r.path,
  attribute,
  value,
  limit,
});

/** Name attributes checked against NAME_RULES, by resource type. */
const NAMED: Readonly<Record<string, [attribute: string, kind: NameKind][]>> = {
  aws_lb: [["name", "loadBalancer"]],
  aws_lb_target_group: [["name", "targetGroup"]],
  aws_iam_role: [["name", "iamRole"]],
  aws_s3_bucket: [["bucket", "s3Bucket"]],
  aws_db_instance: [
    ["identifier", "rdsIdentifier"],
    ["final_snapshot_identifier", "rdsIdentifier"],
  ],
  aws_db_parameter_group: [["name", "rdsIdentifier"]],
  aws_db_subnet_group: [["name", "rdsIdentifier"]],
  aws_ecr_repository: [["name", "ecrRepository"]],
  aws_cloudwatch_log_group: [["name", "logGroup"]],
  aws_cloudwatch_metric_alarm: [["alarm_name", "alarm"]],
  aws_ecs_cluster: [["name", "ecsName"]],
  aws_ecs_service: [["name", "ecsName"]],
  aws_ecs_task_definition: [["family", "ecsName"]],
  aws_secretsmanager_secret: [["name", "secretName"]],
  aws_dynamodb_table: [["name", "dynamoDbTable"]],
  aws_codebuild_project: [["name", "codebuildProject"]],
  aws_codestarconnections_connection: [["name", "codestarConnection"]],
  aws_sns_topic: [["name", "snsTopic"]],
  aws_security_group: [["name", "securityGroup"]],
};

const nameLimits: Rule = {
  id: "LIM-NAME",
  rationale: "AWS rejects names over its length limit or with characters it does not allow, failing the apply.",
  check: (ctx) =>
    ctx.resources.flatMap((r) =>
      (NAMED[r.type] ?? []).flatMap(([attribute, kind]) => {
        const name = r.config[attribute];
        if (typeof name !== "string" || isToken(name)) return [];
        const rule = NAME_RULES[kind];
        const min = "minLength" in rule ? rule.minLength : 1;
        if (name.length < min || name.length > rule.maxLength)
          return [v(r, attribute, name, `${min}-${rule.maxLength} characters (${kind}); it has ${name.length}`)];
        return rule.pattern.test(name) ? [] : [v(r, attribute, name, `${rule.description} (${kind})`)];
      }),
    ),
};

const namePrefixLimits: Rule = {
  id: "LIM-NAME-PREFIX",
  rationale: `A name_prefix plus the ${NAME_PREFIX_UNIQUE_SUFFIX_LENGTH} characters Terraform appends must stay within AWS's name limit and character rules.`,
  check: (ctx) =>
    ctx.resources.flatMap((r) =>
      (NAMED[r.type] ?? [])
        .filter(([attribute]) => attribute === "name")
        .flatMap(([, kind]) => {
          const prefix = r.config.name_prefix;
          if (typeof prefix !== "string" || isToken(prefix)) return [];
          const rule = NAME_RULES[kind];
          const room = rule.maxLength - NAME_PREFIX_UNIQUE_SUFFIX_LENGTH;
          if (prefix.length > room)
            return [
              v(
                r,
                "name_prefix",
                prefix,
                `at most ${room} characters (${kind}: ${rule.maxLength} with Terraform's ${NAME_PREFIX_UNIQUE_SUFFIX_LENGTH}-character suffix); it has ${prefix.length}`,
              ),
            ];
          return rule.pattern.test(prefix + "0".repeat(NAME_PREFIX_UNIQUE_SUFFIX_LENGTH))
            ? []
            : [v(r, "name_prefix", prefix, `${rule.description} (${kind})`)];
        }),
    ),
};

const logRetention: Rule = {
  id: "LIM-LOG-RETENTION",
  rationale: "Every log group keeps logs for a retention CloudWatch accepts; unset means forever (and forever billed).",
  check: (ctx) =>
    ctx.ofType("aws_cloudwatch_log_group").flatMap((r) => {
      const days = r.config.retention_in_days;
      return (LOG_RETENTION_DAYS as readonly number[]).includes(days)
        ? []
        : [v(r, "retention_in_days", days, `one of ${LOG_RETENTION_DAYS.join(", ")}`)];
    }),
};

const alarmPeriods: Rule = {
  id: "LIM-ALARM-PERIOD",
  rationale: "CloudWatch accepts alarm periods of 10, 30 or a multiple of 60 seconds.",
  check: (ctx) =>
    ctx.ofType("aws_cloudwatch_metric_alarm").flatMap((r) => {
      const periods: [string, unknown][] = [["period", r.config.period]];
      asList(r.config.metric_query).forEach((q, i) =>
        periods.push([`metric_query[${i}].metric.period`, (q as Json).metric?.period]),
      );
      return periods
        .filter(([, p]) => p !== undefined && !isToken(p) && !isValidAlarmPeriod(Number(p)))
        .map(([attribute, p]) => v(r, attribute, p, "10, 30 or a multiple of 60 seconds"));
    }),
};

const fargateSizes: Rule = {
  id: "LIM-FARGATE-SIZE",
  rationale: "Fargate only runs tasks with a CPU/memory pair from its table.",
  check: (ctx) =>
    ctx.ofType("aws_ecs_task_definition").flatMap((r) => {
      if (!asList(r.config.requires_compatibilities).includes("FARGATE")) return [];
      const cpu = Number(r.config.cpu);
      const memory = Number(r.config.memory);
      const allowed = FARGATE_CPU_MEMORY[cpu];
      if (!allowed) return [v(r, "cpu", r.config.cpu, `one of ${Object.keys(FARGATE_CPU_MEMORY).join(", ")}`)];
      return allowed.includes(memory)
        ? []
        : [v(r, "memory", r.config.memory, `with cpu ${cpu}: ${allowed.join(", ")}`)];
    }),
};

const rdsRetention: Rule = {
  id: "LIM-RDS-RETENTION",
  rationale: "RDS keeps 1-35 days of automated backups; Performance Insights keeps 7 days or whole months.",
  check: (ctx) =>
    ctx.ofType("aws_db_instance").flatMap((r) => {
      const out: Violation[] = [];
      const backup = r.config.backup_retention_period;
      if (!(typeof backup === "number" && backup >= RDS_BACKUP_RETENTION.min && backup <= RDS_BACKUP_RETENTION.max))
        out.push(v(r, "backup_retention_period", backup, "1-35 days (0 disables backups)"));
      const pi = r.config.performance_insights_retention_period;
      if (r.config.performance_insights_enabled && pi !== undefined && !isValidPerformanceInsightsRetention(pi))
        out.push(v(r, "performance_insights_retention_period", pi, "7, a multiple of 31 up to 713, or 731"));
      return out;
    }),
};

const healthChecks: Rule = {
  id: "LIM-HEALTH-CHECK",
  rationale: "ELB requires a health-check interval above the timeout and thresholds of 2-10.",
  check: (ctx) =>
    ctx.ofType("aws_lb_target_group").flatMap((r) => {
      const hc = (r.config.health_check ?? {}) as Json;
      const out: Violation[] = [];
      if (hc.interval !== undefined && hc.timeout !== undefined && !(hc.interval > hc.timeout))
        out.push(v(r, "health_check.interval", hc.interval, `greater than health_check.timeout (${hc.timeout})`));
      for (const key of ["healthy_threshold", "unhealthy_threshold"]) {
        if (hc[key] !== undefined && !(hc[key] >= 2 && hc[key] <= 10))
          out.push(v(r, `health_check.${key}`, hc[key], "2-10"));
      }
      return out;
    }),
};

const references: Rule = {
  id: "LIM-REFERENCE",
  rationale: "A reference to a resource that does not exist fails plan; catch it at synth.",
  check: (ctx) => {
    const declared = new Set([...ctx.resources, ...stackDataSources(ctx.stack)].map((r) => r.address));
    for (const name of Object.keys(ctx.stack.variable ?? {})) declared.add(`var.${name}`);
    for (const name of Object.keys(ctx.stack.locals ?? {})) declared.add(`local.${name}`);
    const out: Violation[] = [];
    for (const r of ctx.resources) {
      const text = JSON.stringify(r.config);
      for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
        for (const ref of m[1].matchAll(
          /\b((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+|var\.[A-Za-z0-9_]+|local\.[A-Za-z0-9_]+)(?=[.[\s,)}]|$)/g,
        )) {
          const target = ref[1];
          const root = target.split(".")[0];
          const isResourceType =
            /^(aws|random|terraform)_/.test(root) || root === "data" || root === "var" || root === "local";
          if (isResourceType && !declared.has(target))
            out.push(
              v(r, "(reference)", `\${${target}}`, "a resource, data source, variable or local declared in the stack"),
            );
        }
      }
    }
    return out;
  },
};

const policyDocuments: Rule = {
  id: "LIM-IAM-DOCUMENT",
  rationale: "IAM rejects documents that do not parse or whose statements lack Effect, Action or Resource/Principal.",
  check: (ctx) =>
    ctx.resources.flatMap((r) =>
      (POLICY_ATTRIBUTES[r.type] ?? []).flatMap(({ attribute, kind }) => {
        const parsed = parsePolicy(r.config[attribute]);
        if (!parsed) return [];
        if (parsed.error) return [v(r, attribute, r.config[attribute], `valid JSON (${parsed.error})`)];
        const statements = asList(parsed.document?.Statement) as Json[];
        if (statements.length === 0) return [v(r, `${attribute}.Statement`, undefined, "at least one statement")];
        return statements.flatMap((s, i) => {
          const missing = [
            !["Allow", "Deny"].includes(s.Effect) && "Effect (Allow|Deny)",
            !(s.Action || s.NotAction) && "Action",
            kind !== "trust" && !(s.Resource || s.NotResource) && "Resource",
            kind !== "identity" && !(s.Principal || s.NotPrincipal) && "Principal",
          ].filter(Boolean);
          return missing.length
            ? [v(r, `${attribute}.Statement[${i}]`, s, `a statement with ${missing.join(", ")}`)]
            : [];
        });
      }),
    ),
};

// ---------------------------------------------------------------- security

/** Buckets, and whether a companion resource of `type` points at each. */
function bucketsWithout(ctx: RuleContext, type: string, ok: (companion: Json) => boolean): TerraformBlock[] {
  const companions = ctx.ofType(type);
  return ctx
    .ofType("aws_s3_bucket")
    .filter((bucket) => !companions.some((c) => ctx.referenced(c.config.bucket) === bucket && ok(c.config)));
}

const encryption: Rule = {
  id: "SEC-ENCRYPTION",
  rationale:
    "Every store is encrypted at rest: RDS, S3, secrets, SNS, ECR, DynamoDB, build and pipeline artifacts, and every log group with a customer-managed key.",
  check: (ctx) => [
    // Container logs can hold personal data; CloudWatch's default encryption is not ours to control.
    ...ctx
      .ofType("aws_cloudwatch_log_group")
      .filter((r) => !r.config.kms_key_id)
      .map((r) => v(r, "kms_key_id", undefined, "a customer-managed KMS key")),
    ...ctx
      .ofType("aws_db_instance")
      .filter((r) => r.config.storage_encrypted !== true)
      .map((r) => v(r, "storage_encrypted", r.config.storage_encrypted, "true")),
    ...bucketsWithout(ctx, "aws_s3_bucket_server_side_encryption_configuration", () => true).map((r) =>
      v(r, "server_side_encryption", undefined, "an aws_s3_bucket_server_side_encryption_configuration"),
    ),
    ...ctx
      .ofType("aws_secretsmanager_secret")
      .filter((r) => !r.config.kms_key_id)
      .map((r) => v(r, "kms_key_id", undefined, "a customer-managed KMS key")),
    ...ctx
      .ofType("aws_sns_topic")
      .filter((r) => !r.config.kms_master_key_id)
      .map((r) => v(r, "kms_master_key_id", undefined, "a KMS key")),
    ...ctx
      .ofType("aws_ecr_repository")
      .filter((r) => !asList(r.config.encryption_configuration).some((e) => (e as Json).encryption_type === "KMS"))
      .map((r) => v(r, "encryption_configuration", r.config.encryption_configuration, "encryption_type KMS")),
    ...ctx
      .ofType("aws_dynamodb_table")
      .filter((r) => r.config.server_side_encryption?.enabled !== true)
      .map((r) => v(r, "server_side_encryption.enabled", r.config.server_side_encryption, "true")),
    ...ctx
      .ofType("aws_codebuild_project")
      .filter((r) => !r.config.encryption_key)
      .map((r) => v(r, "encryption_key", undefined, "a KMS key")),
    ...ctx
      .ofType("aws_codepipeline")
      .filter((r) => !asList(r.config.artifact_store).every((s) => (s as Json).encryption_key))
      .map((r) => v(r, "artifact_store.encryption_key", undefined, "a KMS key")),
  ],
};

const ALB_TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
];

const tlsInTransit: Rule = {
  id: "SEC-TLS",
  rationale:
    "Data moves over TLS only: HTTPS listeners with a TLS 1.3 policy, HTTP only redirects, S3 denies plain HTTP, RDS forces SSL.",
  check: (ctx) => [
    ...ctx.ofType("aws_lb_listener").flatMap((r) => {
      if (r.config.protocol === "HTTPS")
        return ALB_TLS_POLICIES.includes(r.config.ssl_policy)
          ? []
          : [v(r, "ssl_policy", r.config.ssl_policy, `one of ${ALB_TLS_POLICIES.join(", ")}`)];
      const redirects = asList(r.config.default_action).every(
        (a) => (a as Json).type === "redirect" && (a as Json).redirect?.protocol === "HTTPS",
      );
      return redirects ? [] : [v(r, "protocol", r.config.protocol, "HTTPS, or HTTP that only redirects to HTTPS")];
    }),
    ...ctx
      .ofType("aws_s3_bucket")
      .filter((bucket) => {
        const policies = ctx.ofType("aws_s3_bucket_policy").filter((p) => ctx.referenced(p.config.bucket) === bucket);
        return !policies.some(
          (p) =>
            /"aws:SecureTransport":"false"/.test(String(p.config.policy)) &&
            /"Effect":"Deny"/.test(String(p.config.policy)),
        );
      })
      .map((r) => v(r, "bucket policy", undefined, "a Deny statement for aws:SecureTransport = false")),
    ...ctx
      .ofType("aws_db_parameter_group")
      .filter(
        (r) =>
          !asList(r.config.parameter).some(
            (p) => (p as Json).name === "rds.force_ssl" && String((p as Json).value) === "1",
          ),
      )
      .map((r) => v(r, "parameter rds.force_ssl", undefined, "1")),
  ],
};

const OPEN = ["0.0.0.0/0", "::/0"];

const openIngress: Rule = {
  id: "SEC-OPEN-INGRESS",
  rationale: "Only the load balancer faces the internet, and only on 80 and 443.",
  check: (ctx) => {
    const albGroups = new Set(
      ctx.ofType("aws_lb").flatMap((lb) => asList(lb.config.security_groups).map((g) => ctx.referenced(g)?.path)),
    );
    const out: Violation[] = [];
    const judge = (
      r: TerraformBlock,
      group: TerraformBlock | undefined,
      attribute: string,
      sources: unknown[],
      from: unknown,
      to: unknown,
    ) => {
      const open = sources.filter((s) => OPEN.includes(String(s)));
      if (open.length === 0) return;
      const webPort = from === to && (from === 80 || from === 443);
      if (!(group && albGroups.has(group.path) && webPort))
        out.push(v(r, attribute, open, "no ingress from 0.0.0.0/0 or ::/0 except the load balancer's 80 and 443"));
    };
    for (const sg of ctx.ofType("aws_security_group"))
      asList(sg.config.ingress).forEach((i, n) => {
        const rule = i as Json;
        judge(
          sg,
          sg,
          `ingress[${n}]`,
          [...asList(rule.cidr_blocks), ...asList(rule.ipv6_cidr_blocks)],
          rule.from_port,
          rule.to_port,
        );
      });
    for (const r of ctx.ofType("aws_vpc_security_group_ingress_rule"))
      judge(
        r,
        ctx.referenced(r.config.security_group_id),
        "cidr",
        [r.config.cidr_ipv4, r.config.cidr_ipv6],
        r.config.from_port,
        r.config.to_port,
      );
    for (const r of ctx.ofType("aws_security_group_rule").filter((x) => x.config.type === "ingress"))
      judge(
        r,
        ctx.referenced(r.config.security_group_id),
        "cidr_blocks",
        [...asList(r.config.cidr_blocks), ...asList(r.config.ipv6_cidr_blocks)],
        r.config.from_port,
        r.config.to_port,
      );
    return out;
  },
};

const noPublicTasks: Rule = {
  id: "SEC-NO-PUBLIC-IP",
  rationale:
    'Tasks are reached only through the load balancer: no subnet hands out public IPs; a task gets one on its own interface only outside production (network.natGateways "none") and only when every ingress rule of its security groups names a security group, never a CIDR.',
  check: (ctx) => [
    ...ctx
      .ofType("aws_ecs_service")
      .filter((r) => r.config.network_configuration?.assign_public_ip === true)
      .filter(
        (r) => ctx.production || !ingressOnlyFromGroups(ctx, asList(r.config.network_configuration?.security_groups)),
      )
      .map((r) =>
        v(
          r,
          "network_configuration.assign_public_ip",
          true,
          ctx.production
            ? "false in production"
            : "false, or security groups whose every ingress rule references a security group",
        ),
      ),
    // The NAT gateways use Elastic IPs and the load balancer its own addresses: nothing needs one.
    ...ctx
      .ofType("aws_subnet")
      .filter((r) => r.config.map_public_ip_on_launch === true)
      .map((r) => v(r, "map_public_ip_on_launch", true, "false (NAT gateways use Elastic IPs)")),
  ],
};

/** True when there is at least one group and each ingress rule of each group names a source group. */
function ingressOnlyFromGroups(ctx: RuleContext, groupRefs: readonly unknown[]): boolean {
  const groups = groupRefs
    .map((g) => ctx.referenced(g))
    .filter((g): g is TerraformBlock => g?.type === "aws_security_group");
  if (groups.length === 0 || groups.length !== groupRefs.length) return false;
  const isGroup = (g: TerraformBlock) => (x: TerraformBlock) => ctx.referenced(x.config.security_group_id) === g;
  return groups.every((g) => {
    const inline = asList(g.config.ingress) as Json[];
    const rules = ctx.ofType("aws_vpc_security_group_ingress_rule").filter(isGroup(g));
    const legacy = ctx
      .ofType("aws_security_group_rule")
      .filter((x) => x.config.type === "ingress")
      .filter(isGroup(g));
    return (
      inline.every(
        (i) =>
          asList(i.security_groups).length > 0 &&
          asList(i.cidr_blocks).length === 0 &&
          asList(i.ipv6_cidr_blocks).length === 0,
      ) &&
      rules.every(
        (x) =>
          x.config.referenced_security_group_id !== undefined &&
          x.config.cidr_ipv4 === undefined &&
          x.config.cidr_ipv6 === undefined &&
          x.config.prefix_list_id === undefined,
      ) &&
      legacy.every((x) => x.config.source_security_group_id !== undefined)
    );
  });
}

const iamWildcards: Rule = {
  id: "SEC-IAM-WILDCARD",
  rationale:
    'Least privilege: no wildcard actions, and Resource "*" only for actions AWS cannot scope (UNSCOPABLE_ACTIONS).',
  check: (ctx) =>
    ctx.resources.flatMap((r) =>
      (POLICY_ATTRIBUTES[r.type] ?? [])
        .filter((p) => p.kind === "identity")
        .flatMap(({ attribute }) => {
          const statements = asList(parsePolicy(r.config[attribute])?.document?.Statement) as Json[];
          return statements.flatMap((s, i): Violation[] => {
            if (s.Effect !== "Allow") return [];
            const actions = asList(s.Action).map(String);
            const wild = actions.filter((a) => a === "*" || a.endsWith(":*"));
            if (wild.length)
              return [v(r, `${attribute}.Statement[${i}].Action`, wild, "named actions, no service:* or *")];
            const anyResource = asList(s.Resource).includes("*");
            const scopable = actions.filter((a) => !UNSCOPABLE_ACTIONS.includes(a));
            if (anyResource && scopable.length)
              return [
                v(
                  r,
                  `${attribute}.Statement[${i}].Resource`,
                  "*",
                  `named resources for ${scopable.join(", ")} (only UNSCOPABLE_ACTIONS may use *)`,
                ),
              ];
            return [];
          });
        }),
    ),
};

const managedPolicies: Rule = {
  id: "SEC-MANAGED-POLICY",
  rationale:
    "AWS managed policies are attached only from a reviewed list (ALLOWED_MANAGED_POLICIES), each with its reason.",
  check: (ctx) =>
    [...ctx.ofType("aws_iam_role_policy_attachment"), ...ctx.ofType("aws_iam_role")]
      .flatMap((r): [TerraformBlock, string, unknown][] =>
        r.type === "aws_iam_role"
          ? asList(r.config.managed_policy_arns).map((arn) => [r, "managed_policy_arns", arn])
          : [[r, "policy_arn", r.config.policy_arn]],
      )
      .filter(([, , arn]) => {
        const name = /:iam::aws:policy\/(.+)$/.exec(String(arn))?.[1];
        return !(name && name in ALLOWED_MANAGED_POLICIES);
      })
      .map(([r, attribute, arn]) =>
        v(
          r,
          attribute,
          arn,
          `an AWS managed policy listed in ALLOWED_MANAGED_POLICIES (${Object.keys(ALLOWED_MANAGED_POLICIES).join(", ")}), or an inline policy`,
        ),
      ),
};

const bucketHygiene: Rule = {
  id: "SEC-S3-BUCKET",
  rationale: "Every bucket is versioned and blocks all public access.",
  check: (ctx) => [
    ...bucketsWithout(ctx, "aws_s3_bucket_versioning", (c) => c.versioning_configuration?.status === "Enabled").map(
      (r) => v(r, "versioning", undefined, "an aws_s3_bucket_versioning with status Enabled"),
    ),
    ...bucketsWithout(ctx, "aws_s3_bucket_public_access_block", (c) =>
      ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every(
        (k) => c[k] === true,
      ),
    ).map((r) =>
      v(r, "public access block", undefined, "an aws_s3_bucket_public_access_block with all four settings true"),
    ),
  ],
};

/** The KMS keys of the databases and secrets: their snapshots, backups and values need them. */
function dataKeys(ctx: RuleContext): Set<TerraformBlock> {
  return new Set(
    [
      ...ctx.ofType("aws_db_instance").map((db) => db.config.kms_key_id),
      ...ctx.ofType("aws_secretsmanager_secret").map((s) => s.config.kms_key_id),
    ]
      .map((ref) => ctx.referenced(ref))
      .filter((k): k is TerraformBlock => k !== undefined),
  );
}

const productionProtection: Rule = {
  id: "SEC-PROTECT-STATEFUL",
  rationale:
    "Data survives a mistaken destroy: the data key everywhere; in production also the database, lock tables and (deletion protection) the ALB.",
  check: (ctx) => {
    const preventDestroy = (r: TerraformBlock, where: string) =>
      r.config.lifecycle?.prevent_destroy === true
        ? []
        : [v(r, "lifecycle.prevent_destroy", r.config.lifecycle?.prevent_destroy, `true ${where}`)];
    // Final snapshots and retained backups outlive the instance in every environment.
    const keys = [...dataKeys(ctx)].flatMap((k) =>
      preventDestroy(k, "in every environment (final snapshots and retained backups are encrypted with it)"),
    );
    if (!ctx.production) return keys;
    return [
      ...keys,
      ...ctx
        .ofType("aws_dynamodb_table")
        .flatMap((r) => [
          ...preventDestroy(r, "in production"),
          ...(r.config.deletion_protection_enabled === true
            ? []
            : [v(r, "deletion_protection_enabled", r.config.deletion_protection_enabled, "true in production")]),
        ]),
      ...ctx
        .ofType("aws_db_instance")
        .flatMap((r) => [
          ...(r.config.deletion_protection === true
            ? []
            : [v(r, "deletion_protection", r.config.deletion_protection, "true in production")]),
          ...preventDestroy(r, "in production"),
        ]),
      ...ctx
        .ofType("aws_lb")
        .filter((r) => r.config.enable_deletion_protection !== true)
        .map((r) => v(r, "enable_deletion_protection", r.config.enable_deletion_protection, "true in production")),
    ];
  },
};

const DISPOSABLE = 'in a disposable environment (protection "disposable": destroyed in one run)';

const destroyPath: Rule = {
  id: "LIM-DESTROY",
  rationale:
    "Destroy works in one run and again after re-creation: unique final-snapshot names; in a disposable environment nothing refuses deletion or keeps a name reserved, only the data key is kept.",
  check: (ctx) => {
    // A fixed name fails the second destroy (RDS: DBSnapshotAlreadyExists), in any environment.
    const snapshots = ctx
      .ofType("aws_db_instance")
      .filter((r) => r.config.skip_final_snapshot !== true && !isToken(r.config.final_snapshot_identifier))
      .map((r) =>
        v(
          r,
          "final_snapshot_identifier",
          r.config.final_snapshot_identifier,
          "a name unique to the instance (a generated suffix), so a second destroy does not collide",
        ),
      );
    if (!ctx.disposable) return snapshots;
    const keys = dataKeys(ctx);
    const flag = (type: string, attribute: string, ok: (value: unknown) => boolean, limit: string) =>
      ctx
        .ofType(type)
        .filter((r) => !ok(r.config[attribute]))
        .map((r) => v(r, attribute, r.config[attribute], `${limit} ${DISPOSABLE}`));
    return [
      ...snapshots,
      ...ctx.resources
        .filter((r) => r.config.lifecycle?.prevent_destroy === true && !keys.has(r))
        .map((r) => v(r, "lifecycle.prevent_destroy", true, `unset ${DISPOSABLE}; only the data key is kept`)),
      ...flag("aws_db_instance", "deletion_protection", (x) => x !== true, "false"),
      ...flag("aws_lb", "enable_deletion_protection", (x) => x !== true, "false"),
      ...flag(
        "aws_ecr_repository",
        "force_delete",
        (x) => x === true,
        "true (ECR refuses to delete a repository holding images)",
      ),
      ...flag(
        "aws_s3_bucket",
        "force_destroy",
        (x) => x === true,
        "true (S3 refuses to delete a bucket holding objects)",
      ),
      ...flag(
        "aws_secretsmanager_secret",
        "recovery_window_in_days",
        (x) => x === 0,
        "0 (a deleted secret keeps its name reserved for its recovery window)",
      ),
    ];
  },
};

const keyHygiene: Rule = {
  id: "SEC-KMS-KEY",
  rationale: "Customer-managed keys rotate yearly and carry an explicit key policy (never the implicit default).",
  check: (ctx) =>
    ctx
      .ofType("aws_kms_key")
      .flatMap((r) => [
        ...(r.config.enable_key_rotation === true
          ? []
          : [v(r, "enable_key_rotation", r.config.enable_key_rotation, "true")]),
        ...(r.config.policy ? [] : [v(r, "policy", undefined, "an inline key policy")]),
      ]),
};

const execLogging: Rule = {
  id: "SEC-EXEC-LOGGING",
  rationale:
    "ECS Exec sessions are recorded: logged (OVERRIDE) to an encrypted CloudWatch log group, session data encrypted with a customer-managed key.",
  check: (ctx) =>
    ctx.ofType("aws_ecs_cluster").flatMap((r) => {
      const exec = (r.config.configuration?.execute_command_configuration ?? {}) as Json;
      const log = (exec.log_configuration ?? {}) as Json;
      return [
        ...(exec.logging === "OVERRIDE"
          ? []
          : [v(r, "configuration.execute_command_configuration.logging", exec.logging, "OVERRIDE")]),
        ...(log.cloud_watch_log_group_name && log.cloud_watch_encryption_enabled === true
          ? []
          : [
              v(
                r,
                "configuration.execute_command_configuration.log_configuration",
                exec.log_configuration,
                "a cloud_watch_log_group_name with cloud_watch_encryption_enabled true",
              ),
            ]),
        ...(exec.kms_key_id
          ? []
          : [v(r, "configuration.execute_command_configuration.kms_key_id", undefined, "a customer-managed KMS key")]),
      ];
    }),
};

const ecrHygiene: Rule = {
  id: "SEC-ECR",
  rationale: "Images are immutable (a tag always means the same image) and scanned on push.",
  check: (ctx) =>
    ctx
      .ofType("aws_ecr_repository")
      .flatMap((r) => [
        ...(r.config.image_tag_mutability === "IMMUTABLE"
          ? []
          : [v(r, "image_tag_mutability", r.config.image_tag_mutability, "IMMUTABLE")]),
        ...(r.config.image_scanning_configuration?.scan_on_push === true
          ? []
          : [
              v(
                r,
                "image_scanning_configuration.scan_on_push",
                r.config.image_scanning_configuration?.scan_on_push,
                "true",
              ),
            ]),
      ]),
};

const codeDeployIgnores: Rule = {
  id: "LIM-CODEDEPLOY-IGNORES",
  rationale:
    "ECS refuses UpdateService changes of the task definition, load balancers, capacity providers, network configuration, platform version or ECS Exec on a CODE_DEPLOY service: Terraform must ignore them (the deployment carries them) or a later apply fails.",
  check: (ctx) =>
    ctx.ofType("aws_ecs_service").flatMap((r) => {
      if (r.config.deployment_controller?.type !== "CODE_DEPLOY") return [];
      const ignored = r.config.lifecycle?.ignore_changes;
      if (ignored === "all") return [];
      const missing = CODE_DEPLOY_REFUSED_ATTRIBUTES.filter((a) => !asList(ignored).includes(a));
      return missing.length
        ? [
            v(
              r,
              "lifecycle.ignore_changes",
              ignored,
              `a CODE_DEPLOY service ignores ${CODE_DEPLOY_REFUSED_ATTRIBUTES.join(", ")}; missing ${missing.join(", ")}`,
            ),
          ]
        : [];
    }),
};

/** Every rule, in the order they are reported. */
export const RULES: readonly Rule[] = [
  nameLimits,
  namePrefixLimits,
  logRetention,
  alarmPeriods,
  fargateSizes,
  rdsRetention,
  healthChecks,
  references,
  codeDeployIgnores,
  policyDocuments,
  encryption,
  tlsInTransit,
  openIngress,
  noPublicTasks,
  iamWildcards,
  managedPolicies,
  bucketHygiene,
  productionProtection,
  destroyPath,
  ecrHygiene,
  keyHygiene,
  execLogging,
];
