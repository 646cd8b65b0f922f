import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformStack, Testing } from "cdktf";

import {
  applyGuardrails,
  checkStack,
  formatFinding,
  suppressionsIn,
  suppressRule,
} from "../constructs/guardrails/engine";
import { UNSCOPABLE_ACTIONS } from "../constructs/guardrails/iam-rules";
import { RULES } from "../constructs/guardrails/rules";
import type { Json } from "../constructs/terraform-json";

/** A stack of hand-written resources; `meta` adds cdktf's path metadata. */
function stack(resources: Record<string, Record<string, Json>>, extra: Json = {}): Json {
  const resource: Json = {};
  for (const [type, byName] of Object.entries(resources)) {
    resource[type] = {};
    for (const [name, config] of Object.entries(byName))
      resource[type][name] = { ...config, "//": { metadata: { path: `s/${name}` } } };
  }
  return { resource, ...extra };
}

/** A customer-managed key ARN as a literal (a reference would need the key in the stack). */
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/** A key SEC-KMS-KEY accepts (rotation and an inline policy), for tests of other rules. */
const ROTATING_KEY = {
  enable_key_rotation: true,
  policy: JSON.stringify({
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "kms:DescribeKey",
        Resource: "*",
      },
    ],
  }),
};
const ids = (s: Json, production = false) =>
  checkStack(s, { production }).map((f) => `${f.ruleId} ${f.path} ${f.attribute}`);
const tls = (bucket: string) => ({
  bucket: `\${aws_s3_bucket.${bucket}.id}`,
  policy: JSON.stringify({
    Statement: [
      {
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: "*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  }),
});

/** A bucket with everything the rules ask of it. */
function goodBucket(name: string): Record<string, Record<string, Json>> {
  const ref = `\${aws_s3_bucket.${name}.id}`;
  return {
    aws_s3_bucket: { [name]: { bucket: "farmers-module-dev-bucket" } },
    aws_s3_bucket_server_side_encryption_configuration: { [`${name}_sse`]: { bucket: ref } },
    aws_s3_bucket_versioning: { [`${name}_v`]: { bucket: ref, versioning_configuration: { status: "Enabled" } } },
    aws_s3_bucket_public_access_block: {
      [`${name}_pab`]: {
        bucket: ref,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
    },
    aws_s3_bucket_policy: { [`${name}_policy`]: tls(name) },
  };
}

describe("guardrail rules fire on bad resources", () => {
  test("LIM-NAME: a 34-character target group name", () => {
    expect(ids(stack({ aws_lb_target_group: { tg: { name: "farmers-module-production-tg-green" } } }))).toEqual([
      "LIM-NAME s/tg name",
    ]);
  });

  test("LIM-NAME: an IAM role name over 64 characters", () => {
    expect(
      ids(
        stack({
          aws_iam_role: {
            r: {
              name: "r".repeat(65),
              assume_role_policy: JSON.stringify({
                Statement: [
                  { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } },
                ],
              }),
            },
          },
        }),
      ),
    ).toEqual(["LIM-NAME s/r name"]);
  });

  test("LIM-NAME: an upper-case S3 bucket name", () => {
    const s = stack({ ...goodBucket("b"), aws_s3_bucket: { b: { bucket: "Farmers-Logs" } } });
    expect(ids(s)).toEqual(["LIM-NAME s/b bucket"]);
  });

  test("LIM-NAME-PREFIX: a 7-character target group prefix (Terraform adds 26 of the 32)", () => {
    expect(ids(stack({ aws_lb_target_group: { tg: { name_prefix: "fmprod-" } } }))).toEqual([
      "LIM-NAME-PREFIX s/tg name_prefix",
    ]);
  });

  test("LIM-NAME-PREFIX: a parameter group prefix with a character RDS rejects", () => {
    expect(
      ids(
        stack({
          aws_db_parameter_group: {
            pg: { name_prefix: "farmers_module-", parameter: [{ name: "rds.force_ssl", value: "1" }] },
          },
        }),
      ),
    ).toEqual(["LIM-NAME-PREFIX s/pg name_prefix"]);
  });

  test("LIM-LOG-RETENTION: a log group without retention", () => {
    expect(ids(stack({ aws_cloudwatch_log_group: { g: { name: "/ecs/x", kms_key_id: KEY_ARN } } }))).toEqual([
      "LIM-LOG-RETENTION s/g retention_in_days",
    ]);
  });

  test("LIM-LOG-RETENTION: a retention CloudWatch does not accept", () => {
    expect(
      ids(stack({ aws_cloudwatch_log_group: { g: { name: "/ecs/x", retention_in_days: 10, kms_key_id: KEY_ARN } } })),
    ).toEqual(["LIM-LOG-RETENTION s/g retention_in_days"]);
  });

  test("LIM-ALARM-PERIOD: a 90-second alarm period", () => {
    expect(ids(stack({ aws_cloudwatch_metric_alarm: { a: { alarm_name: "x", period: 90 } } }))).toEqual([
      "LIM-ALARM-PERIOD s/a period",
    ]);
  });

  test("LIM-FARGATE-SIZE: 256 CPU with 4096 MiB", () => {
    expect(
      ids(
        stack({
          aws_ecs_task_definition: {
            t: { family: "x", requires_compatibilities: ["FARGATE"], cpu: "256", memory: "4096" },
          },
        }),
      ),
    ).toEqual(["LIM-FARGATE-SIZE s/t memory"]);
  });

  test("LIM-RDS-RETENTION: backups disabled and a 10-day Performance Insights retention", () => {
    const db = {
      identifier: "db",
      storage_encrypted: true,
      skip_final_snapshot: true,
      backup_retention_period: 0,
      performance_insights_enabled: true,
      performance_insights_retention_period: 10,
    };
    expect(ids(stack({ aws_db_instance: { db } }))).toEqual([
      "LIM-RDS-RETENTION s/db backup_retention_period",
      "LIM-RDS-RETENTION s/db performance_insights_retention_period",
    ]);
  });

  test("LIM-HEALTH-CHECK: interval not above timeout, threshold 11", () => {
    expect(
      ids(
        stack({
          aws_lb_target_group: { tg: { name: "tg", health_check: { interval: 5, timeout: 5, healthy_threshold: 11 } } },
        }),
      ),
    ).toEqual(["LIM-HEALTH-CHECK s/tg health_check.interval", "LIM-HEALTH-CHECK s/tg health_check.healthy_threshold"]);
  });

  test("LIM-REFERENCE: a reference to an undeclared resource", () => {
    const findings = checkStack(
      stack({ aws_ssm_parameter: { c: { name: "c", type: "String", value: "${aws_kms_key.missing.arn}" } } }),
      { production: false },
    );
    expect(findings.map(formatFinding)).toEqual([
      '[LIM-REFERENCE] s/c: (reference) = "${aws_kms_key.missing}"; allowed: a resource, data source, variable or local declared in the stack',
    ]);
  });

  test("LIM-IAM-DOCUMENT: a policy that does not parse, and a statement without Resource", () => {
    const s = stack({
      aws_iam_role_policy: {
        bad: { policy: "{not json" },
        partial: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] }) },
      },
    });
    expect(ids(s)).toEqual(["LIM-IAM-DOCUMENT s/bad policy", "LIM-IAM-DOCUMENT s/partial policy.Statement[0]"]);
  });

  test("SEC-ENCRYPTION: an unencrypted database, secret, topic and repository", () => {
    const s = stack({
      aws_db_instance: { db: { identifier: "db", skip_final_snapshot: true, backup_retention_period: 7 } },
      aws_secretsmanager_secret: { sec: { name: "x" } },
      aws_sns_topic: { t: { name: "t" } },
      aws_ecr_repository: {
        repo: { name: "repo", image_tag_mutability: "IMMUTABLE", image_scanning_configuration: { scan_on_push: true } },
      },
    });
    expect(ids(s)).toEqual([
      "SEC-ENCRYPTION s/db storage_encrypted",
      "SEC-ENCRYPTION s/sec kms_key_id",
      "SEC-ENCRYPTION s/t kms_master_key_id",
      "SEC-ENCRYPTION s/repo encryption_configuration",
    ]);
  });

  test("SEC-ENCRYPTION: a bucket without default encryption", () => {
    const s = goodBucket("b");
    delete s.aws_s3_bucket_server_side_encryption_configuration;
    expect(ids(stack(s))).toEqual(["SEC-ENCRYPTION s/b server_side_encryption"]);
  });

  test("SEC-TLS: an HTTPS listener with an old policy, an HTTP listener that forwards", () => {
    const s = stack({
      aws_lb_listener: {
        https: { protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-2016-08", default_action: [{ type: "forward" }] },
        http: { protocol: "HTTP", default_action: [{ type: "forward" }] },
      },
    });
    expect(ids(s)).toEqual(["SEC-TLS s/https ssl_policy", "SEC-TLS s/http protocol"]);
  });

  test("SEC-TLS: a bucket without the TLS-only policy and a parameter group without force_ssl", () => {
    const s = goodBucket("b");
    delete s.aws_s3_bucket_policy;
    expect(
      ids(
        stack({
          ...s,
          aws_db_parameter_group: { pg: { name: "pg", parameter: [{ name: "max_connections", value: "100" }] } },
        }),
      ),
    ).toEqual(["SEC-TLS s/b bucket policy", "SEC-TLS s/pg parameter rds.force_ssl"]);
  });

  test("SEC-OPEN-INGRESS: SSH open to the world, and 8000 open on the load balancer's group", () => {
    const s = stack({
      aws_security_group: {
        tasks: { name: "t", ingress: [{ from_port: 22, to_port: 22, protocol: "tcp", cidr_blocks: ["0.0.0.0/0"] }] },
        alb: { name: "alb" },
      },
      aws_lb: {
        lb: { name: "lb", enable_deletion_protection: true, security_groups: ["${aws_security_group.alb.id}"] },
      },
      aws_vpc_security_group_ingress_rule: {
        web: {
          security_group_id: "${aws_security_group.alb.id}",
          cidr_ipv4: "0.0.0.0/0",
          from_port: 443,
          to_port: 443,
        },
        odd: { security_group_id: "${aws_security_group.alb.id}", cidr_ipv6: "::/0", from_port: 8000, to_port: 8000 },
      },
    });
    expect(ids(s)).toEqual(["SEC-OPEN-INGRESS s/tasks ingress[0]", "SEC-OPEN-INGRESS s/odd cidr"]);
  });

  test("SEC-NO-PUBLIC-IP: a service with public IPs", () => {
    expect(
      ids(stack({ aws_ecs_service: { svc: { name: "svc", network_configuration: { assign_public_ip: true } } } })),
    ).toEqual(["SEC-NO-PUBLIC-IP s/svc network_configuration.assign_public_ip"]);
  });

  test("SEC-NO-PUBLIC-IP: a subnet that maps public IPs on launch", () => {
    // GIVEN a public subnet handing out public IPs, and one that does not
    const s = stack({
      aws_subnet: {
        pub: { cidr_block: "10.0.1.0/24", map_public_ip_on_launch: true },
        priv: { cidr_block: "10.0.11.0/24", map_public_ip_on_launch: false },
      },
    });
    // THEN only the first is a finding
    expect(ids(s)).toEqual(["SEC-NO-PUBLIC-IP s/pub map_public_ip_on_launch"]);
  });

  /** A service with a public IP whose group admits the load balancer's group, plus `extra` ingress rules. */
  const publicTasks = (extra: Record<string, Json> = {}) =>
    stack({
      aws_security_group: { tasks: { name: "t" }, alb: { name: "alb" } },
      aws_vpc_security_group_ingress_rule: {
        from_lb: {
          security_group_id: "${aws_security_group.tasks.id}",
          referenced_security_group_id: "${aws_security_group.alb.id}",
          from_port: 8000,
          to_port: 8000,
        },
        ...extra,
      },
      aws_ecs_service: {
        svc: {
          name: "svc",
          network_configuration: { assign_public_ip: true, security_groups: ["${aws_security_group.tasks.id}"] },
        },
      },
    });

  test("SEC-NO-PUBLIC-IP: allows public task IPs outside production when ingress only names security groups", () => {
    // GIVEN tasks with a public IP admitted only from the load balancer's group WHEN checked (non-production) THEN no finding
    expect(ids(publicTasks())).toEqual([]);
  });

  test("SEC-NO-PUBLIC-IP: a public task IP whose group admits a CIDR", () => {
    const s = publicTasks({
      office: {
        security_group_id: "${aws_security_group.tasks.id}",
        cidr_ipv4: "10.9.0.0/16",
        from_port: 8000,
        to_port: 8000,
      },
    });
    expect(ids(s)).toEqual(["SEC-NO-PUBLIC-IP s/svc network_configuration.assign_public_ip"]);
  });

  test("SEC-NO-PUBLIC-IP: any public task IP in production", () => {
    expect(ids(publicTasks(), true)).toEqual(["SEC-NO-PUBLIC-IP s/svc network_configuration.assign_public_ip"]);
  });

  test("SEC-IAM-WILDCARD: ecs:* and Resource * on a scopable action", () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: "Allow", Action: ["ecs:*"], Resource: "arn:aws:ecs:us-east-1:1:service/x" },
        { Effect: "Allow", Action: ["iam:PassRole"], Resource: "*" },
        { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
      ],
    });
    expect(ids(stack({ aws_iam_role_policy: { p: { policy } } }))).toEqual([
      "SEC-IAM-WILDCARD s/p policy.Statement[0].Action",
      "SEC-IAM-WILDCARD s/p policy.Statement[1].Resource",
    ]);
  });

  test("SEC-S3-BUCKET: a bucket without versioning or public access block", () => {
    const s = goodBucket("b");
    delete s.aws_s3_bucket_versioning;
    delete s.aws_s3_bucket_public_access_block;
    expect(ids(stack(s))).toEqual(["SEC-S3-BUCKET s/b versioning", "SEC-S3-BUCKET s/b public access block"]);
  });

  test("SEC-PROTECT-STATEFUL: an unprotected production database and load balancer", () => {
    const s = stack({
      aws_db_instance: {
        db: { identifier: "db", storage_encrypted: true, skip_final_snapshot: true, backup_retention_period: 35 },
      },
      aws_lb: { lb: { name: "lb" } },
    });
    expect(ids(s, true)).toEqual([
      "SEC-PROTECT-STATEFUL s/db deletion_protection",
      "SEC-PROTECT-STATEFUL s/db lifecycle.prevent_destroy",
      "SEC-PROTECT-STATEFUL s/lb enable_deletion_protection",
    ]);
    expect(ids(s, false)).toEqual([]);
  });

  test("SEC-PROTECT-STATEFUL: the database's key and a lock table without protection", () => {
    const s = stack({
      aws_kms_key: { key: { ...ROTATING_KEY } },
      aws_db_instance: {
        db: {
          identifier: "db",
          storage_encrypted: true,
          skip_final_snapshot: true,
          backup_retention_period: 35,
          kms_key_id: "${aws_kms_key.key.arn}",
          deletion_protection: true,
          lifecycle: { prevent_destroy: true },
        },
      },
      aws_dynamodb_table: { locks: { name: "locks", server_side_encryption: { enabled: true } } },
    });
    expect(ids(s, true)).toEqual([
      "SEC-PROTECT-STATEFUL s/key lifecycle.prevent_destroy",
      "SEC-PROTECT-STATEFUL s/locks lifecycle.prevent_destroy",
      "SEC-PROTECT-STATEFUL s/locks deletion_protection_enabled",
    ]);
  });

  test("SEC-PROTECT-STATEFUL: the database's key without protection outside production too", () => {
    // GIVEN a non-production stack whose database key may be destroyed WHEN checked THEN the key is flagged:
    // the final snapshot and retained backups it encrypts would become unrestorable
    const s = stack({
      aws_kms_key: { key: { ...ROTATING_KEY } },
      aws_db_instance: {
        db: {
          identifier: "db",
          storage_encrypted: true,
          skip_final_snapshot: true,
          backup_retention_period: 7,
          kms_key_id: "${aws_kms_key.key.arn}",
        },
      },
    });
    expect(checkStack(s, { production: false, disposable: true }).map(formatFinding)).toEqual([
      "[SEC-PROTECT-STATEFUL] s/key: lifecycle.prevent_destroy = (unset); allowed: true in every environment (final snapshots and retained backups are encrypted with it)",
    ]);
  });

  test("LIM-DESTROY: a fixed or missing final snapshot name, in any environment", () => {
    // GIVEN one instance with a literal final snapshot name and one with none WHEN checked THEN both are flagged
    const s = stack({
      aws_db_instance: {
        fixed: {
          identifier: "a",
          storage_encrypted: true,
          backup_retention_period: 7,
          final_snapshot_identifier: "a-final",
        },
        unnamed: { identifier: "b", storage_encrypted: true, backup_retention_period: 7 },
        suffixed: {
          identifier: "c",
          storage_encrypted: true,
          backup_retention_period: 7,
          final_snapshot_identifier: "c-final-${random_id.s.hex}",
        },
      },
      random_id: { s: { byte_length: 4 } },
    });
    // (production or not: a replacement takes a final snapshot too)
    for (const production of [true, false])
      expect(
        checkStack(s, { production })
          .filter((f) => f.ruleId === "LIM-DESTROY")
          .map((f) => `${f.path} ${f.attribute}`),
      ).toEqual(["s/fixed final_snapshot_identifier", "s/unnamed final_snapshot_identifier"]);
  });

  test("LIM-DESTROY: a disposable stack's resources that would block or outlive a destroy", () => {
    // GIVEN a disposable stack with a protected database and load balancer, a repository and a bucket
    // that refuse deletion while not empty, a secret with a recovery window and another prevent_destroy
    const s = stack({
      aws_kms_key: { key: { lifecycle: { prevent_destroy: true } } },
      aws_db_instance: {
        db: {
          identifier: "db",
          storage_encrypted: true,
          skip_final_snapshot: true,
          backup_retention_period: 7,
          kms_key_id: "${aws_kms_key.key.arn}",
          deletion_protection: true,
          lifecycle: { prevent_destroy: true },
        },
      },
      aws_lb: { lb: { name: "lb", enable_deletion_protection: true } },
      aws_ecr_repository: {
        repo: {
          name: "repo",
          image_tag_mutability: "IMMUTABLE",
          image_scanning_configuration: { scan_on_push: true },
          encryption_configuration: [{ encryption_type: "KMS" }],
        },
      },
      aws_secretsmanager_secret: {
        sec: { name: "sec", kms_key_id: "${aws_kms_key.key.arn}", recovery_window_in_days: 7 },
      },
      ...goodBucket("b"),
    });
    // WHEN checked as disposable THEN each is flagged, and the data key's prevent_destroy is not
    const findings = checkStack(s, { production: false, disposable: true }).filter((f) => f.ruleId === "LIM-DESTROY");
    expect(findings.map((f) => `${f.path} ${f.attribute}`)).toEqual([
      "s/db lifecycle.prevent_destroy",
      "s/db deletion_protection",
      "s/lb enable_deletion_protection",
      "s/repo force_delete",
      "s/b force_destroy",
      "s/sec recovery_window_in_days",
    ]);
    expect(formatFinding(findings[3])).toBe(
      '[LIM-DESTROY] s/repo: force_delete = (unset); allowed: true (ECR refuses to delete a repository holding images) in a disposable environment (protection "disposable": destroyed in one run)',
    );
    // AND as a production stack none of these are LIM-DESTROY findings
    expect(checkStack(s, { production: true }).filter((f) => f.ruleId === "LIM-DESTROY")).toEqual([]);
  });

  test("SEC-MANAGED-POLICY: a managed policy outside the reviewed list", () => {
    const s = stack({
      aws_iam_role_policy_attachment: {
        broad: { role: "r", policy_arn: "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS" },
        limited: {
          role: "r",
          policy_arn: "arn:${data.aws_partition.p.partition}:iam::aws:policy/AWSCodeDeployRoleForECSLimited",
        },
      },
    });
    expect(ids({ ...s, data: { aws_partition: { p: {} } } })).toEqual(["SEC-MANAGED-POLICY s/broad policy_arn"]);
  });

  test("SEC-ECR: mutable tags without scanning", () => {
    expect(
      ids(
        stack({
          aws_ecr_repository: { repo: { name: "repo", encryption_configuration: [{ encryption_type: "KMS" }] } },
        }),
      ),
    ).toEqual(["SEC-ECR s/repo image_tag_mutability", "SEC-ECR s/repo image_scanning_configuration.scan_on_push"]);
  });

  test("LIM-CODEDEPLOY-IGNORES: a CODE_DEPLOY service that would update its network configuration and ECS Exec in place", () => {
    // GIVEN a blue/green service that ignores only what the old code ignored
    const service = {
      name: "svc",
      deployment_controller: { type: "CODE_DEPLOY" },
      lifecycle: {
        ignore_changes: ["task_definition", "desired_count", "load_balancer", "capacity_provider_strategy"],
      },
    };
    // WHEN the rules run THEN the missing ignores are named
    const findings = checkStack(stack({ aws_ecs_service: { svc: service } }), { production: false });
    expect(findings.map((f) => `${f.ruleId} ${f.path} ${f.attribute}`)).toEqual([
      "LIM-CODEDEPLOY-IGNORES s/svc lifecycle.ignore_changes",
    ]);
    expect(findings[0].limit).toContain("missing network_configuration, platform_version, enable_execute_command");
  });

  test("LIM-CODEDEPLOY-IGNORES: a rolling service may manage its network configuration", () => {
    const service = {
      name: "svc",
      deployment_controller: { type: "ECS" },
      lifecycle: { ignore_changes: ["task_definition", "desired_count"] },
    };
    expect(ids(stack({ aws_ecs_service: { svc: service } }))).toEqual([]);
  });

  test("SEC-ENCRYPTION: a log group without a customer-managed key", () => {
    // GIVEN a log group with retention but no kms_key_id, and one with both
    const s = stack({
      aws_cloudwatch_log_group: {
        plain: { name: "/ecs/a", retention_in_days: 7 },
        keyed: { name: "/ecs/b", retention_in_days: 7, kms_key_id: KEY_ARN },
      },
    });
    // THEN only the first is a finding
    expect(ids(s)).toEqual(["SEC-ENCRYPTION s/plain kms_key_id"]);
  });

  test("SEC-KMS-KEY: a key without rotation, a key without a policy", () => {
    const s = stack({
      aws_kms_key: {
        norotate: { ...ROTATING_KEY, enable_key_rotation: false },
        nopolicy: { enable_key_rotation: true },
      },
    });
    expect(ids(s)).toEqual(["SEC-KMS-KEY s/norotate enable_key_rotation", "SEC-KMS-KEY s/nopolicy policy"]);
  });

  test("SEC-EXEC-LOGGING: a cluster that does not log Exec sessions, and one logging to an unencrypted group without a key", () => {
    const s = stack({
      aws_ecs_cluster: {
        none: { name: "a", configuration: { execute_command_configuration: { logging: "NONE", kms_key_id: KEY_ARN } } },
        plain: {
          name: "b",
          configuration: {
            execute_command_configuration: {
              logging: "OVERRIDE",
              log_configuration: { cloud_watch_log_group_name: "/ecs/b/exec", cloud_watch_encryption_enabled: false },
            },
          },
        },
        good: {
          name: "c",
          configuration: {
            execute_command_configuration: {
              logging: "OVERRIDE",
              kms_key_id: KEY_ARN,
              log_configuration: { cloud_watch_log_group_name: "/ecs/c/exec", cloud_watch_encryption_enabled: true },
            },
          },
        },
      },
    });
    expect(ids(s)).toEqual([
      "SEC-EXEC-LOGGING s/none configuration.execute_command_configuration.logging",
      "SEC-EXEC-LOGGING s/none configuration.execute_command_configuration.log_configuration",
      "SEC-EXEC-LOGGING s/plain configuration.execute_command_configuration.log_configuration",
      "SEC-EXEC-LOGGING s/plain configuration.execute_command_configuration.kms_key_id",
    ]);
  });

  test("every rule has a firing test above", () => {
    expect(RULES.map((r) => r.id)).toEqual([
      "LIM-NAME",
      "LIM-NAME-PREFIX",
      "LIM-LOG-RETENTION",
      "LIM-ALARM-PERIOD",
      "LIM-FARGATE-SIZE",
      "LIM-RDS-RETENTION",
      "LIM-HEALTH-CHECK",
      "LIM-REFERENCE",
      "LIM-CODEDEPLOY-IGNORES",
      "LIM-IAM-DOCUMENT",
      "SEC-ENCRYPTION",
      "SEC-TLS",
      "SEC-OPEN-INGRESS",
      "SEC-NO-PUBLIC-IP",
      "SEC-IAM-WILDCARD",
      "SEC-MANAGED-POLICY",
      "SEC-S3-BUCKET",
      "SEC-PROTECT-STATEFUL",
      "LIM-DESTROY",
      "SEC-ECR",
      "SEC-KMS-KEY",
      "SEC-EXEC-LOGGING",
    ]);
  });
});

describe("guardrail rules pass good resources", () => {
  test("a fully protected bucket has no findings", () => {
    expect(ids(stack(goodBucket("b")))).toEqual([]);
  });

  test("Resource * is accepted for unscopable actions only", () => {
    expect(UNSCOPABLE_ACTIONS).toContain("ecr:GetAuthorizationToken");
    const policy = JSON.stringify({
      Statement: [
        { Effect: "Allow", Action: ["ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel"], Resource: "*" },
      ],
    });
    expect(ids(stack({ aws_iam_role_policy: { p: { policy } } }))).toEqual([]);
  });
});

describe("guardrails in synth", () => {
  function badStack(suppress?: { rule: string; reason: string }) {
    const s = new TerraformStack(Testing.app(), "guarded");
    new AwsProvider(s, "aws", { region: "us-east-1" });
    const bucket = new S3Bucket(s, "Logs", { bucket: "Bad_Name" });
    if (suppress) suppressRule(bucket, suppress.rule, suppress.reason);
    applyGuardrails(s, { production: false, rules: RULES.filter((r) => r.id === "LIM-NAME") });
    return { s, bucket };
  }

  test("fail synth with the path, attribute, value and limit", () => {
    const { s } = badStack();
    expect(() => Testing.synth(s, true)).toThrow(
      '[LIM-NAME] guarded/Logs: bucket = "Bad_Name"; allowed: lowercase letters, digits, dots and hyphens (s3Bucket)',
    );
  });

  test("a suppression with a reason silences the rule on that resource and is listed", () => {
    const { s } = badStack({ rule: "LIM-NAME", reason: "legacy bucket imported from the old account" });
    expect(() => Testing.synth(s, true)).not.toThrow();
    expect(suppressionsIn(s)).toEqual([
      { path: "guarded/Logs", ruleId: "LIM-NAME", reason: "legacy bucket imported from the old account" },
    ]);
  });

  test("fails when a suppression has no real reason", () => {
    expect(() => badStack({ rule: "LIM-NAME", reason: "because" })).toThrow(
      'guarded/Logs: suppressing LIM-NAME needs a written reason; received "because"; allowed: at least 20 characters',
    );
  });

  test("fails when a suppression covers a whole construct instead of one resource", () => {
    const s = new TerraformStack(Testing.app(), "guarded");
    expect(() => suppressRule(s, "LIM-NAME", "a long enough reason for the test")).toThrow(
      "guarded: suppressing LIM-NAME: received a TerraformStack; allowed: one named resource (a TerraformResource), never a whole construct or stack",
    );
  });

  test("fails when a suppression names an unknown rule", () => {
    expect(() => badStack({ rule: "SEC-NOPE", reason: "a long enough reason for the test" })).toThrow(
      'guarded/Logs: unknown guardrail rule "SEC-NOPE"; allowed: LIM-NAME',
    );
  });
});
