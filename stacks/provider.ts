import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";

import type { EnvironmentConfig } from "../config/schema";

/**
 * The AWS provider every stack uses: region from config, baseline tags on every resource, and
 * `allowed_account_ids` so a stack can never be applied with another account's credentials.
 */
export function awsProvider(
  scope: Construct,
  config: Pick<EnvironmentConfig, "region" | "tags" | "allowedAccountIds">,
): AwsProvider {
  return new AwsProvider(scope, "aws", {
    region: config.region,
    allowedAccountIds: config.allowedAccountIds.length > 0 ? [...config.allowedAccountIds] : undefined,
    defaultTags: [{ tags: { ...config.tags } }],
  });
}
