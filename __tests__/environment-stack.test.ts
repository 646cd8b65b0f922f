import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";

import { ENVIRONMENT_NAMES, type EnvironmentName } from "../config/environments";
import { SERVICE_SECRET_NAMES } from "../constructs/contracts";
import { DataTier } from "../constructs/data/data-tier";
import { checkStack, formatFinding, suppressionsIn } from "../constructs/guardrails/engine";
import { RULES } from "../constructs/guardrails/rules";
import { buildApp } from "../stacks/app";
import { DEV_WITH_LEGACY_TOKEN_SOURCE, PRODUCTION_WITH_EVERY_OPTION } from "./fixtures/variants";
import { environmentStack, type Json, resourceNamed, synth, synthAll, synthJson, testConfig } from "./helpers";

const stacks = synthAll();
const names = Object.keys(stacks);

describe("the application", () => {
  test("has the bootstrap stack and one stack per environment", () => {
    // GIVEN config/environments.ts THEN the bootstrap stack, then one stack per environment in its order
    expect(names).toEqual(["farmers-module-bootstrap", ...ENVIRONMENT_NAMES.map((env) => `farmers-module-${env}`)]);
  });

  test.each(names)("%s has zero guardrail findings", (name) => {
    // The bootstrap stack runs the production rules too (state bucket and lock table); an
    // environment runs them by its protection.
    const env = name.replace(/^farmers-module-/, "");
    const production = env === "bootstrap" || testConfig(env as EnvironmentName).protection === "production";
    // dev, beta and staging are disposable: the destroy-path rules (LIM-DESTROY) run on them.
    expect(checkStack(stacks[name], { production, disposable: !production }).map(formatFinding)).toEqual([]);
  });

  test.each([
    ["production", PRODUCTION_WITH_EVERY_OPTION],
    ["dev", DEV_WITH_LEGACY_TOKEN_SOURCE],
  ] as const)("%s with its optional features has zero guardrail findings", (env, layer) => {
    expect(
      checkStack(synthJson(environmentStack(env, layer)), {
        production: env === "production",
        disposable: env !== "production",
      }).map(formatFinding),
    ).toEqual([]);
  });

  test("no guardrail is suppressed anywhere (docs/guardrails.md lists suppressions: none)", () => {
    const { app } = buildApp({ outdir: "/tmp/never-written-guardrails", env: {}, overrides: {} });
    expect(suppressionsIn(app)).toEqual([]);
  });

  test("every guardrail rule is documented in docs/guardrails.md", () => {
    const docs = require("node:fs").readFileSync(`${__dirname}/../docs/guardrails.md`, "utf8") as string; // eslint-disable-line @typescript-eslint/no-require-imports
    expect(RULES.map((r) => r.id).filter((id) => !docs.includes(`\`${id}\``))).toEqual([]);
  });
});

describe("destroying an environment", () => {
  /** The stack's single resource of `type`. */
  const only = (name: string, type: string): Json => resourceNamed(stacks[name], type, "");
  const bucketOf = (name: string, fragment: string): Json =>
    Object.entries(stacks[name].resource.aws_s3_bucket as Record<string, Json>).find(([n]) => n.includes(fragment))![1];

  test.each(["dev", "beta", "staging"])(
    "%s is destroyed in one run: repository, buckets and load balancer delete with their contents",
    (env) => {
      // GIVEN a disposable environment WHEN synthesized THEN nothing refuses deletion while it holds data
      const name = `farmers-module-${env}`;
      expect([
        only(name, "aws_ecr_repository").force_delete,
        bucketOf(name, "pipeline_ArtifactBucket").force_destroy,
        bucketOf(name, "AccessLogBucket").force_destroy,
        only(name, "aws_lb").enable_deletion_protection,
        only(name, "aws_db_instance").deletion_protection,
      ]).toEqual([true, true, true, false, false]);
    },
  );

  test.each(["dev", "beta", "staging"])(
    "%s can be re-created at once: its secrets are deleted without a recovery window",
    (env) => {
      const secrets = Object.values(
        stacks[`farmers-module-${env}`].resource.aws_secretsmanager_secret as Record<string, Json>,
      );
      expect(secrets.map((s) => s.recovery_window_in_days)).toEqual([0, 0, 0, 0, 0]);
    },
  );

  test("production keeps every store when Terraform is asked to destroy it", () => {
    // GIVEN production WHEN synthesized THEN the repository and artifact bucket refuse deletion with contents
    const name = "farmers-module-production";
    expect([
      only(name, "aws_ecr_repository").force_delete,
      bucketOf(name, "pipeline_ArtifactBucket").force_destroy,
      only(name, "aws_lb").enable_deletion_protection,
      only(name, "aws_db_instance").lifecycle.prevent_destroy,
    ]).toEqual([false, false, true, true]);
  });
});

describe("log encryption", () => {
  const environments = names.filter((n) => n !== "farmers-module-bootstrap");
  /** The log group names a key policy lets CloudWatch Logs encrypt, by key logical name. */
  const logGroupsAllowedBy = (json: Json): Record<string, string[]> =>
    Object.fromEntries(
      Object.entries(json.resource.aws_kms_key as Record<string, Json>).map(([name, key]) => {
        const statement = (JSON.parse(key.policy as string).Statement as Json[]).find(
          (st) => st.Principal?.Service === "logs.us-east-1.amazonaws.com",
        );
        const arns = [statement?.Condition?.ArnEquals?.["kms:EncryptionContext:aws:logs:arn"] ?? []].flat() as string[];
        return [name, arns.map((arn) => arn.replace(/^.*:log-group:/, ""))];
      }),
    );

  test.each(environments)(
    "%s: every log group is encrypted with a customer-managed key whose policy names that group",
    (name) => {
      // GIVEN every aws_cloudwatch_log_group of the stack WHEN its kms_key_id is followed to the key
      const json = stacks[name];
      const allowed = logGroupsAllowedBy(json);
      const unencrypted = Object.entries(json.resource.aws_cloudwatch_log_group as Record<string, Json>).filter(
        ([, group]) => {
          const key = /^\$\{aws_kms_key\.([^.]+)\.arn\}$/.exec(String(group.kms_key_id))?.[1];
          // THEN the key is one of the stack's and lets CloudWatch Logs use it for exactly this group
          return !(key && allowed[key]?.includes(group.name));
        },
      );
      expect(unencrypted.map(([n]) => n)).toEqual([]);
    },
  );

  test("the log groups of dev: containers, ECS Exec, flow logs, both RDS exports (logs key) and the build (pipeline key)", () => {
    expect(logGroupsAllowedBy(stacks["farmers-module-dev"])).toEqual({
      "logs-key": [
        "/vpc/farmers-module-dev/flow-logs",
        "/aws/rds/instance/farmers-module-dev-db/postgresql",
        "/aws/rds/instance/farmers-module-dev-db/upgrade",
        "/ecs/farmers-module-dev",
        "/ecs/farmers-module-dev/exec",
      ],
      data_Key_653B740F: [],
      observability_Topics_Key_45342471: [],
      pipeline_Key_EF40BACD: ["/aws/codebuild/farmers-module-dev-build"],
    });
  });

  test("the WAF log group is encrypted with the logs key when the firewall is on", () => {
    const json = synthJson(environmentStack("production", PRODUCTION_WITH_EVERY_OPTION));
    expect(logGroupsAllowedBy(json)["logs-key"]).toContain("aws-waf-logs-farmers-module-production");
  });
});

describe("environment stack outputs", () => {
  const expected = [
    "vpc_id",
    "public_subnet_ids",
    "private_subnet_ids",
    "database_subnet_ids",
    "alb_dns_name",
    "service_url",
    "health_check_url",
    "docs_url",
    "ecs_cluster_name",
    "ecs_service_name",
    "ecr_repository_url",
    "db_endpoint_address",
    "db_port",
    "db_name",
    "log_group_name",
    "pipeline_name",
  ];

  test.each(["farmers-module-dev", "farmers-module-production"])(
    "%s has the reference's outputs, each described",
    (name) => {
      const outputs = stacks[name].output as Record<string, Json>;
      expect(expected.filter((o) => !outputs[o])).toEqual([]);
      expect(
        Object.entries(outputs)
          .filter(([, o]) => !o.description)
          .map(([n]) => n),
      ).toEqual([]);
    },
  );

  test("only production has the blue/green outputs", () => {
    expect([
      stacks["farmers-module-dev"].output.codedeploy_application_name,
      stacks["farmers-module-production"].output.codedeploy_application_name?.description,
    ]).toEqual([undefined, "CodeDeploy application of the blue/green deployments"]);
  });

  test("no output exposes a generated secret", () => {
    const text = JSON.stringify(Object.values(stacks).map((s) => s.output));
    expect(text).not.toMatch(/random_password|secret_string/);
  });
});

describe("web application firewall (loadBalancer.waf)", () => {
  test("is absent by default", () => {
    expect(synth(environmentStack("production"))).not.toHaveResource(Wafv2WebAcl);
  });

  describe("when enabled", () => {
    const synthesized = synth(
      environmentStack("production", { loadBalancer: { waf: { enabled: true, rateLimitPerIp: 1500 } } }),
    );
    const acl = Object.values((JSON.parse(synthesized) as Json).resource.aws_wafv2_web_acl as Record<string, Json>)[0];

    test("applies the AWS common and known-bad-inputs rule groups", () => {
      expect(
        acl.rule.slice(0, 2).map((r: Json) => [r.statement.managed_rule_group_statement.name, r.override_action]),
      ).toEqual([
        ["AWSManagedRulesCommonRuleSet", { none: {} }],
        ["AWSManagedRulesKnownBadInputsRuleSet", { none: {} }],
      ]);
    });

    test("blocks an IP over the configured rate", () => {
      expect(acl.rule[2]).toMatchObject({
        action: { block: {} },
        statement: { rate_based_statement: { limit: 1500, aggregate_key_type: "IP" } },
      });
    });

    test("is regional and attached to the load balancer", () => {
      expect(acl.scope).toBe("REGIONAL");
      expect(synthesized).toHaveResourceWithProperties(Wafv2WebAclAssociation, {
        resource_arn: expect.stringMatching(/^\$\{aws_lb\..*\.arn\}$/),
      });
    });

    test("logs to an aws-waf-logs- group, without credentials", () => {
      expect(synthesized).toHaveResourceWithProperties(Wafv2WebAclLoggingConfiguration, {
        redacted_fields: [{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }],
      });
      expect(synthesized).toContain('"name": "aws-waf-logs-farmers-module-production"');
    });
  });

  test("fails for a rate limit WAF does not accept", () => {
    expect(() => environmentStack("dev", { loadBalancer: { waf: { enabled: true, rateLimitPerIp: 50 } } })).toThrow(
      'Invalid configuration for environment "dev":\n  - loadBalancer.waf.rateLimitPerIp: received 50; allowed: 100 to 2000000000 requests per 5 minutes',
    );
  });
});

describe("EnvironmentStack: data tier wiring", () => {
  const productionStack = environmentStack("production");
  const productionStackJson = synthJson(productionStack);

  test("outputs the endpoint, port, name, secret ARNs and key ARN with descriptions", () => {
    // GIVEN the production stack WHEN synthesized THEN the data outputs exist, each described
    const out = productionStackJson.output;
    for (const name of ["db_endpoint_address", "db_port", "db_name", "db_secret_arns", "data_kms_key_arn"])
      expect(out[name].description).toMatch(/\w+/);
    expect(out.db_endpoint_address.value).toMatch(/^\$\{aws_db_instance\.data_Database_[A-F0-9]+\.address\}$/);
    expect(out.db_port.value).toMatch(/^\$\{aws_db_instance\.data_Database_[A-F0-9]+\.port\}$/);
    expect(out.db_name.value).toBe("farmers_production");
    expect(out.data_kms_key_arn.value).toMatch(/^\$\{aws_kms_key\.data_Key_[A-F0-9]+\.arn\}$/);
  });

  test("db_secret_arns carries ARNs only, and no output carries a secret value", () => {
    // GIVEN the production stack WHEN its outputs are inspected THEN secrets appear only as .arn references
    const out = productionStackJson.output;
    expect(Object.keys(out.db_secret_arns.value).sort()).toEqual([...SERVICE_SECRET_NAMES].sort());
    for (const value of Object.values(out.db_secret_arns.value))
      expect(value).toMatch(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}$/);
    expect(JSON.stringify(out)).not.toMatch(/random_password|secret_string|\.password\}|PLACEHOLDER/);
  });

  test("the addresses the operator runbook names exist (docs/data-tier.md)", () => {
    // GIVEN the production stack WHEN synthesized THEN the rotation and restore commands target real resources
    expect(Object.keys(productionStackJson.resource.aws_db_instance)).toEqual(["data_Database_BC4320FA"]);
    expect(Object.keys(productionStackJson.resource.random_password).sort()).toEqual([
      "data_Secrets_db-password-value_8AA8C635",
      "data_Secrets_jwt-secret-value_AFF34220",
      "data_Secrets_secret-key-value_FE58E040",
    ]);
  });

  test("configures the random provider", () => {
    // GIVEN the production stack WHEN synthesized THEN hashicorp/random is a required provider
    expect(productionStackJson.terraform.required_providers.random.source).toBe("hashicorp/random");
    expect(productionStack.data).toBeInstanceOf(DataTier);
  });
});

describe("synthesized stacks (snapshots; update deliberately with npm run test:update)", () => {
  test.each(names)("%s", (name) => {
    expect(stacks[name]).toMatchSnapshot();
  });
});
