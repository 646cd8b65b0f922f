import {
  compareAddresses,
  type Json,
  providerRegion,
  referencedAddresses,
  resourceCount,
  stackResources,
  type TerraformBlock,
} from "../../constructs/terraform-json";
import { SUPPORTING_TYPES } from "../aws-resource-types";
import { type Assumptions, assumptionsFor } from "./assumptions";
import type { Category, CostLine, Pricer, PricingContext, StackEstimate, UnpricedResource } from "./model";
import { PRICED_TYPES, PRICERS } from "./pricers";
import { PRICE_REGION, PRICES_AS_OF } from "./prices-us-east-1";

/**
 * Monthly cost estimate of a synthesized stack, resource by resource, from the resource types
 * and arguments in its cdk.tf.json, the dated us-east-1 price table and usage assumptions.
 * Pure: no file access, so tests feed it hand-written JSON. Written against Terraform resource
 * types, not against this project's constructs: each type has a pricer (PRICERS in
 * scripts/cost/pricers/), is free in itself (FREE_TYPES), or is listed as "not priced" rather
 * than silently costing nothing.
 */

/**
 * Resource types that are free in themselves (their cost, if any, is billed through another
 * resource: an ECS cluster through its services' tasks, a listener through its load balancer).
 */
export const FREE_TYPES: ReadonlySet<string> = new Set([
  ...SUPPORTING_TYPES,
  "aws_internet_gateway",
  "aws_egress_only_internet_gateway",
  "aws_network_acl",
  "aws_network_acl_rule",
  "aws_vpc_peering_connection",
  "aws_vpc_peering_connection_accepter",
  "aws_vpc_dhcp_options",
  "aws_vpc_dhcp_options_association",
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_iam_policy",
  "aws_iam_instance_profile",
  "aws_iam_openid_connect_provider",
  "aws_iam_service_linked_role",
  "aws_secretsmanager_secret_rotation",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_logging",
  "aws_s3_bucket_notification",
  "aws_s3_bucket_acl",
  "aws_ecs_cluster",
  "aws_alb_listener",
  "aws_alb_listener_rule",
  "aws_alb_target_group",
  "aws_appautoscaling_scheduled_action",
  "aws_codedeploy_app",
  "aws_codedeploy_deployment_group",
  "aws_codedeploy_deployment_config",
  "aws_codestarconnections_connection",
  "aws_codeconnections_connection",
  "aws_codestarnotifications_notification_rule",
  "aws_cloudwatch_log_subscription_filter",
  "aws_cloudwatch_event_rule",
  "aws_acm_certificate",
  "aws_route53_record",
  "aws_wafv2_web_acl_logging_configuration",
  "aws_ec2_transit_gateway_route",
  "aws_dynamodb_table_item",
  "random_password",
  "random_string",
  "random_id",
  "random_uuid",
  "random_pet",
  "random_integer",
  "random_shuffle",
  "terraform_data",
  "null_resource",
  "time_sleep",
  "time_static",
]);

/** Estimates one synthesized stack. `assumptions` default to DEFAULT_ASSUMPTIONS. */
export function estimateStack(
  stackName: string,
  stack: Json,
  assumptions: Assumptions = assumptionsFor(undefined),
): StackEstimate {
  const resources = stackResources(stack).sort(compareAddresses);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const lines: CostLine[] = [];
  const unpriced: UnpricedResource[] = [];
  const notes: string[] = [];
  const ofType = (...types: string[]) => resources.filter((r) => types.includes(r.type));
  const ctx: PricingContext = {
    assumptions,
    hours: assumptions.hoursPerMonth,
    ofType,
    refsOfType: (value, type) =>
      referencedAddresses(value)
        .map((addr) => byAddress.get(addr))
        .filter((r): r is TerraformBlock => r?.type === type),
    add: (r, category: Category, description, monthlyUsd) =>
      lines.push({ address: r.address, type: r.type, path: r.pathInStack, category, description, monthlyUsd }),
    skip: (r, reason) => unpriced.push({ address: r.address, type: r.type, reason }),
    note: (text) => notes.push(text),
    serviceHours: [],
  };

  const region = providerRegion(stack);
  if (region && region !== PRICE_REGION && !region.includes("${"))
    notes.push(`The stack is in ${region}; the prices are ${PRICE_REGION}'s, so the figures are indicative only.`);

  // Each pricer once, over the resources of every type registered for it, in PRICERS' order.
  const typesOf = new Map<Pricer, string[]>();
  for (const [type, pricer] of Object.entries(PRICERS)) typesOf.set(pricer, [...(typesOf.get(pricer) ?? []), type]);
  for (const [pricer, types] of typesOf) pricer(ofType(...types), ctx);

  // Everything else: free, or reported as not priced.
  for (const r of resources) {
    if (FREE_TYPES.has(r.type) || PRICED_TYPES.has(r.type)) continue;
    ctx.skip(r, "resource type not in the cost model (scripts/cost/estimate.ts)");
  }

  const byCategory: Partial<Record<Category, number>> = {};
  for (const l of lines) byCategory[l.category] = (byCategory[l.category] ?? 0) + l.monthlyUsd;
  const totalUsd = lines.reduce((s, l) => s + l.monthlyUsd, 0);
  return {
    stack: stackName,
    resourceCount: resourceCount(stack),
    lines,
    totalUsd,
    byCategory,
    unpriced,
    notes,
    assumptions,
    pricesAsOf: PRICES_AS_OF,
  };
}
