import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { TerraformStack, Testing } from "cdktf";

import { checkStack, formatFinding } from "../constructs/guardrails/engine";
import { Naming } from "../constructs/naming";
import { LoadBalancerFirewall, type LoadBalancerFirewallProps, MANAGED_RULE_GROUPS } from "../constructs/waf";
import { fixtureLogsKey } from "./fixtures/tiers";
import { type Json, policyOf, ref, resolveIn, resourceNamed, resourcesOf } from "./helpers";

/**
 * LoadBalancerFirewall (constructs/waf.ts) on its own: the web ACL, its rules, the association, the
 * logging and the defaults of its optional props. The rate-limit range is checked once, in the
 * config schema (environment-stack.test.ts); the construct checks only its name.
 */

/** The web ACL (construct id `waf`) on a load balancer of its own, logging under the fixture logs key; `props` as given. */
function build(props: Partial<LoadBalancerFirewallProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "waf-test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const naming = new Naming("farmers-module", "dev");
  const logsKey = fixtureLogsKey(stack, naming);
  const loadBalancer = new Lb(stack, "alb", {
    name: "fixture-alb",
    loadBalancerType: "application",
    subnets: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  });
  const firewall = new LoadBalancerFirewall(stack, "waf", {
    naming,
    loadBalancer,
    logsKey,
    ...props,
  });
  const synthesized = Testing.synth(stack);
  return { stack, firewall, synthesized, json: JSON.parse(synthesized) as Json };
}

const dev = build({ rateLimitPerIp: 1500, logRetentionDays: 14 });
const acl = resourceNamed(dev.json, "aws_wafv2_web_acl", "waf");
const aclArn = ref(dev.json, "aws_wafv2_web_acl", "waf", "arn");
const logGroupArn = ref(dev.json, "aws_cloudwatch_log_group", "waf_LogGroup", "arn");
/** Metrics and sampled requests on, under `metricName`. */
const visible = (metricName: string) => ({
  cloudwatch_metrics_enabled: true,
  sampled_requests_enabled: true,
  metric_name: metricName,
});

describe("LoadBalancerFirewall: the web ACL", () => {
  test("is regional, named <prefix>-waf, and allows what no rule blocks", () => {
    // GIVEN dev's naming  WHEN synthesized  THEN one regional ACL with an allow default and its own metrics
    expect(dev.synthesized).toHaveResourceWithProperties(Wafv2WebAcl, {
      name: "farmers-module-dev-waf",
      scope: "REGIONAL",
      default_action: { allow: {} },
      visibility_config: visible("farmers-module-dev-waf"),
    });
  });

  test("evaluates the common rule set (1), the known-bad-inputs rule set (2), then the rate limit (3)", () => {
    // GIVEN the construct  WHEN its rules are read in order  THEN the names and priorities are these three
    expect(acl.rule.map((r: Json) => [r.name, r.priority])).toEqual([
      ["AWSManagedRulesCommonRuleSet", 1],
      ["AWSManagedRulesKnownBadInputsRuleSet", 2],
      ["rate-limit-per-ip", 3],
    ]);
    expect(MANAGED_RULE_GROUPS).toEqual(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]);
  });

  test("applies AWS's managed rule groups with their own actions (override none), each with its own metrics", () => {
    expect(acl.rule.slice(0, 2)).toEqual(
      MANAGED_RULE_GROUPS.map((group, i) => ({
        name: group,
        priority: i + 1,
        override_action: { none: {} },
        statement: { managed_rule_group_statement: { name: group, vendor_name: "AWS" } },
        visibility_config: visible(`farmers-module-dev-waf-${group}`),
      })),
    );
  });

  test("blocks a client IP that makes more than rateLimitPerIp requests in 5 minutes", () => {
    // GIVEN rateLimitPerIp 1500  WHEN synthesized  THEN the last rule blocks per IP above 1500
    expect(acl.rule[2]).toEqual({
      name: "rate-limit-per-ip",
      priority: 3,
      action: { block: {} },
      statement: { rate_based_statement: { limit: 1500, aggregate_key_type: "IP" } },
      visibility_config: visible("farmers-module-dev-waf-rate-limit"),
    });
  });

  test("the rate limit follows the prop", () => {
    const strict = resourceNamed(build({ rateLimitPerIp: 300 }).json, "aws_wafv2_web_acl", "waf");
    expect(strict.rule[2].statement.rate_based_statement.limit).toBe(300);
  });

  test("exposes the web ACL and its log group", () => {
    expect(resolveIn(dev.stack, dev.firewall.webAcl.arn)).toBe(aclArn);
    expect(resolveIn(dev.stack, dev.firewall.logGroup.arn)).toBe(logGroupArn);
  });
});

describe("LoadBalancerFirewall: defaults of the optional props", () => {
  // GIVEN a firewall with no rateLimitPerIp and no logRetentionDays
  const { json } = build();
  const one = (type: string): Json => Object.values(resourcesOf(json, type))[0];

  test("blocks a client IP above 2000 requests in five minutes", () => {
    // WHEN synthesized THEN the rate-based rule's limit is 2000 per IP
    const rule = one("aws_wafv2_web_acl").rule.find((r: Json) => r.name === "rate-limit-per-ip");
    expect(rule.statement.rate_based_statement).toEqual({ limit: 2000, aggregate_key_type: "IP" });
  });

  test("keeps its logs for 30 days", () => {
    // WHEN synthesized THEN the aws-waf-logs- group has a 30-day retention
    const group = Object.values(resourcesOf(json, "aws_cloudwatch_log_group")).find((g) =>
      String(g.name).startsWith("aws-waf-logs-"),
    )!;
    expect([group.name, group.retention_in_days]).toEqual(["aws-waf-logs-farmers-module-dev", 30]);
  });
});

describe("LoadBalancerFirewall: the association", () => {
  test("attaches the web ACL to the load balancer it is given", () => {
    expect(dev.synthesized).toHaveResourceWithProperties(Wafv2WebAclAssociation, {
      resource_arn: ref(dev.json, "aws_lb", "alb", "arn"),
      web_acl_arn: aclArn,
    });
  });
});

describe("LoadBalancerFirewall: logging", () => {
  test("logs to aws-waf-logs-<prefix> (the prefix WAF requires), kept logRetentionDays, encrypted with the logs key", () => {
    // GIVEN logRetentionDays 14 and the fixture logs key  WHEN synthesized  THEN the group is named, kept and encrypted
    expect(dev.synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "aws-waf-logs-farmers-module-dev",
      retention_in_days: 14,
      kms_key_id: ref(dev.json, "aws_kms_key", "logs-key", "arn"),
    });
  });

  test("the logs key lets CloudWatch Logs encrypt exactly that log group", () => {
    // GIVEN the logs key's policy  WHEN its CloudWatch Logs statement is read  THEN its context names the WAF group
    const statement = policyOf(dev.json, "logs-key", "aws_kms_key").Statement.find(
      (s) => s.Sid === "CloudWatchLogsEncryptLogGroups",
    );
    expect(statement?.Condition).toEqual(
      expect.objectContaining({
        ArnEquals: {
          "kms:EncryptionContext:aws:logs:arn": [
            "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-farmers-module-dev",
          ],
        },
      }),
    );
  });

  test("sends the web ACL's logs to that group without the authorization and cookie headers", () => {
    expect(dev.synthesized).toHaveResourceWithProperties(Wafv2WebAclLoggingConfiguration, {
      resource_arn: aclArn,
      log_destination_configs: [logGroupArn],
      redacted_fields: [{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }],
    });
  });
});

describe("LoadBalancerFirewall: guardrails", () => {
  test("the firewall's resources pass every guardrail, production rules included", () => {
    // GIVEN the stack  WHEN checked  THEN nothing of the firewall (ACL, association, log group, logging) is flagged
    const ours = checkStack(dev.json, { production: true })
      .map(formatFinding)
      .filter((f) => /wafv2|aws_cloudwatch_log_group|aws-waf-logs/.test(f));
    expect(ours).toEqual([]);
  });
});

describe("LoadBalancerFirewall: validation", () => {
  test("fails when the web ACL's name has characters AWS rejects", () => {
    expect(() => build({ naming: new Naming("farmers-module", "dev env") })).toThrow(
      'waf-test/waf: generic name "farmers-module-dev env-waf" has characters AWS rejects; allowed: letters, digits and _ . - /',
    );
  });
});
