import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Construct } from "constructs";

import type { CustomerManagedKey } from "./kms-key";
import type { Naming } from "./naming";

/** Settings of the web application firewall. */
export interface LoadBalancerFirewallProps {
  readonly naming: Naming;
  /** The load balancer the web ACL protects. */
  readonly loadBalancer: Lb;
  /**
   * Requests one client IP may make in any 5-minute window before it is blocked (the provider
   * refuses values outside WAF's range at `terraform validate`). @default 2000
   */
  readonly rateLimitPerIp?: number;
  /** Retention of the WAF log group, days (a value CloudWatch Logs accepts). @default 30 */
  readonly logRetentionDays?: number;
  /** Customer-managed key encrypting the WAF log group. */
  readonly logsKey: CustomerManagedKey;
}

/** AWS managed rule groups the web ACL applies, in priority order. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;

/**
 * A regional WAF web ACL on the load balancer: AWS's common and known-bad-inputs rule groups, a
 * per-IP rate limit, and logging to CloudWatch. The stack adds it when config `loadBalancer.waf.enabled`.
 */
export class LoadBalancerFirewall extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: LoadBalancerFirewallProps) {
    super(scope, id);
    const rateLimitPerIp = props.rateLimitPerIp ?? 2000;
    const logRetentionDays = props.logRetentionDays ?? 30;
    const name = props.naming.name(this, "generic", "waf");
    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    this.webAcl = new Wafv2WebAcl(this, "Resource", {
      name,
      description: `Managed rule groups and a per-IP rate limit in front of ${props.naming.prefix}`,
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      rule: [
        ...MANAGED_RULE_GROUPS.map((group, i) => ({
          name: group,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: { managed_rule_group_statement: { name: group, vendor_name: "AWS" } },
          visibilityConfig: visibility(`${name}-${group}`),
        })),
        {
          name: "rate-limit-per-ip",
          priority: MANAGED_RULE_GROUPS.length + 1,
          action: { block: {} },
          statement: { rate_based_statement: { limit: rateLimitPerIp, aggregate_key_type: "IP" } },
          visibilityConfig: visibility(`${name}-rate-limit`),
        },
      ],
    });

    new Wafv2WebAclAssociation(this, "Association", {
      resourceArn: props.loadBalancer.arn,
      webAclArn: this.webAcl.arn,
    });

    // WAF only delivers to log groups whose name starts with aws-waf-logs-.
    const logGroupName = `aws-waf-logs-${props.naming.prefix}`;
    this.logGroup = new CloudwatchLogGroup(this, "LogGroup", {
      name: logGroupName,
      retentionInDays: logRetentionDays,
      kmsKeyId: props.logsKey.encryptLogGroup(logGroupName),
    });
    new Wafv2WebAclLoggingConfiguration(this, "Logging", {
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      // Never log credentials the clients send.
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    });
  }
}
