import { S3Backend, type TerraformStack } from "cdktf";

import type { EnvironmentConfig } from "../config/schema";

/** The state object key of an environment: `farmers-module/<env>/terraform.tfstate`. */
export function stateKey(config: Pick<EnvironmentConfig, "project" | "name">): string {
  return `${config.project}/${config.name}/terraform.tfstate`;
}

/**
 * Remote state in the bootstrap stack's bucket, locked through DynamoDB and, as well, through
 * Terraform's native S3 lock file (>= 1.11). cdktf's S3Backend has no `use_lockfile` field, so
 * an override adds it.
 */
export function s3Backend(
  stack: TerraformStack,
  config: Pick<EnvironmentConfig, "project" | "name" | "state">,
): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: config.state.bucket,
    key: stateKey(config),
    region: config.state.region,
    encrypt: true,
    dynamodbTable: config.state.lockTable,
  });
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
  // use_lockfile needs Terraform 1.11; older versions would fail with a less helpful message.
  stack.addOverride("terraform.required_version", ">= 1.11");
  return backend;
}
