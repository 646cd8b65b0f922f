import "cdktf/lib/testing/adapters/jest";

import { LoadBalancerFirewall } from "../constructs/waf";
import { fakeServiceTier, fixtureStack } from "./fixtures/tiers";
import { type Json, resourcesOf, synthJson } from "./helpers";

describe("LoadBalancerFirewall: defaults of the optional props", () => {
  // GIVEN a firewall with no rateLimitPerIp and no logRetentionDays
  const base = fixtureStack("dev");
  new LoadBalancerFirewall(base.stack, "waf", {
    naming: base.naming,
    loadBalancer: fakeServiceTier(base).loadBalancer,
    logsKey: base.logsKey,
  });
  const json = synthJson(base.stack);
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
