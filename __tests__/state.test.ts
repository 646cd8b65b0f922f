import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { TerraformStack, Testing } from "cdktf";

import { buildApp } from "../stacks/app";
import { s3Backend, stateKey } from "../stacks/backend";
import { BootstrapStack } from "../stacks/bootstrap-stack";
import { type Json, resourcesOf, testConfig } from "./helpers";

const config = testConfig("production");
const bootstrap = new BootstrapStack(Testing.app(), {
  state: config.state,
  allowedAccountIds: ["123456789012"],
  tags: { Service: "farmers-module" },
});
const synthesized = Testing.synth(bootstrap);
const json = JSON.parse(synthesized) as Json;

describe("bootstrap stack", () => {
  test("keeps its own state in a local file in the project root", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.farmers-module-bootstrap.tfstate" } });
  });

  test("guards the account when allowed account ids are configured", () => {
    expect(json.provider.aws[0].allowed_account_ids).toEqual(["123456789012"]);
  });

  test("creates the state bucket, protected from destroy", () => {
    expect(synthesized).toHaveResourceWithProperties(S3Bucket, {
      bucket: "farmers-module-terraform-state",
      lifecycle: { prevent_destroy: true },
    });
  });

  test("versions the bucket", () => {
    expect(synthesized).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: "Enabled" },
    });
  });

  test("encrypts the bucket by default", () => {
    expect(synthesized).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
  });

  test("blocks every form of public access", () => {
    expect(synthesized).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("denies requests without TLS", () => {
    const policy = JSON.parse(Object.values(resourcesOf(json, "aws_s3_bucket_policy"))[0].policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ]);
  });

  test("expires superseded state versions after 90 days", () => {
    const rule = Object.values(resourcesOf(json, "aws_s3_bucket_lifecycle_configuration"))[0].rule[0];
    expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
  });

  test("creates the lock table: LockID string key, on-demand, PITR, encrypted, protected", () => {
    expect(synthesized).toHaveResourceWithProperties(DynamodbTable, {
      name: "farmers-module-terraform-locks",
      hash_key: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      billing_mode: "PAY_PER_REQUEST",
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("outputs the bucket and lock table for operators", () => {
    expect(Object.keys(json.output).sort()).toEqual([
      "lock_table_arn",
      "lock_table_name",
      "state_bucket_arn",
      "state_bucket_name",
      "state_region",
    ]);
    expect(Object.values(json.output as Record<string, Json>).every((o) => typeof o.description === "string")).toBe(
      true,
    );
  });

  test("fails when the bucket name breaks S3's rules", () => {
    const bad = { ...config.state, bucket: "ab" };
    expect(() => new BootstrapStack(Testing.app(), { state: bad, allowedAccountIds: [], tags: {} })).toThrow(
      'farmers-module-bootstrap/StateBucket: s3Bucket name "ab" is 2 characters; AWS allows 3-63',
    );
  });
});

describe("environment backend", () => {
  const stack = new TerraformStack(Testing.app(), "backend-test");
  s3Backend(stack, config);
  const backend = (JSON.parse(Testing.synth(stack)) as Json).terraform.backend.s3;

  test("keys state by environment", () => {
    expect(stateKey(config)).toBe("farmers-module/production/terraform.tfstate");
  });

  test("uses the S3 backend with encryption, DynamoDB locking and the native lock file", () => {
    expect(backend).toEqual({
      bucket: "farmers-module-terraform-state",
      key: "farmers-module/production/terraform.tfstate",
      region: "us-east-1",
      encrypt: true,
      dynamodb_table: "farmers-module-terraform-locks",
      use_lockfile: true,
    });
  });

  test("fails when environments name different state buckets (one bootstrap creates one)", () => {
    expect(() =>
      buildApp({
        outdir: "/tmp/never-written",
        env: {},
        overrides: { production: { state: { bucket: "other-bucket" } } },
      }),
    ).toThrow(
      /Invalid configuration for environment "production":\n {2}- state: received .*"other-bucket".*; allowed: the same state settings as dev/,
    );
  });
});
