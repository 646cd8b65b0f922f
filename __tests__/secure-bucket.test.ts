import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { TerraformStack, Testing } from "cdktf";

import { checkStack, formatFinding } from "../constructs/guardrails/engine";
import { CustomerManagedKey } from "../constructs/kms-key";
import { SecureBucket, type SecureBucketProps } from "../constructs/secure-bucket";
import { type Json, policyOf, ref, resolveIn, resourceNamed } from "./helpers";

/** SecureBucket (constructs/secure-bucket.ts) on its own: every part that makes a bucket safe, and its switches. */

const NAME = "farmers-module-dev-test-bucket";
const EXPIRE: S3BucketLifecycleConfigurationRule = {
  id: "expire-everything",
  status: "Enabled",
  filter: [{ prefix: "" }],
  expiration: [{ days: 30 }],
  noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
};

/** A customer-managed key as the project makes them (rotation, key policy), for `kmsKey`. */
function managedKey(stack: TerraformStack): KmsKey {
  return new CustomerManagedKey(stack, "Key", {
    description: "bucket test",
    aliasName: "alias/farmers-module-dev-bucket-test",
    accountId: "123456789012",
    partition: "aws",
    region: "us-east-1",
  }).key;
}

/**
 * A bucket (construct id `Bucket`) in a stack of its own; `extra` gets the stack, e.g. to create
 * the key it passes as `kmsKey`.
 */
function build(extra: (stack: TerraformStack) => Partial<SecureBucketProps> = () => ({})) {
  const stack = new TerraformStack(Testing.app(), "bucket-test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const bucket = new SecureBucket(stack, "Bucket", { bucketName: NAME, lifecycleRules: [EXPIRE], ...extra(stack) });
  const synthesized = Testing.synth(stack);
  return { stack, bucket, synthesized, json: JSON.parse(synthesized) as Json };
}

const plain = build();
const bucketId = ref(plain.json, "aws_s3_bucket", "Bucket", "id");
const bucketArn = ref(plain.json, "aws_s3_bucket", "Bucket", "arn");

/** The one resource of `type` the bucket construct created. */
const partOf = (json: Json, type: string): Json => resourceNamed(json, type, "Bucket");

describe("SecureBucket: encryption", () => {
  test("without a key: SSE-S3 (AES256) by default, no KMS key and no bucket key", () => {
    // GIVEN no kmsKey  WHEN synthesized  THEN the default encryption rule is exactly AES256
    const encryption = partOf(plain.json, "aws_s3_bucket_server_side_encryption_configuration");
    expect(encryption.bucket).toBe(bucketId);
    expect(encryption.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
  });

  test("with a key: SSE-KMS under that key, with the S3 bucket key on", () => {
    // GIVEN a customer key passed as kmsKey
    const withKey = build((stack) => ({ kmsKey: managedKey(stack) }));
    // WHEN synthesized  THEN objects are encrypted with aws:kms under that key's ARN and the bucket key
    expect(partOf(withKey.json, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: "aws:kms",
          kms_master_key_id: ref(withKey.json, "aws_kms_key", "Key", "arn"),
        },
        bucket_key_enabled: true,
      },
    ]);
  });
});

describe("SecureBucket: access", () => {
  test("versioning is enabled", () => {
    // GIVEN the defaults  WHEN synthesized  THEN the bucket keeps every version of an object
    expect(plain.synthesized).toHaveResourceWithProperties(S3BucketVersioningA, {
      bucket: bucketId,
      versioning_configuration: { status: "Enabled" },
    });
  });

  test("all four public access block settings are on", () => {
    expect(plain.synthesized).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("ACLs are disabled: the bucket owner owns every object (BucketOwnerEnforced)", () => {
    expect(plain.synthesized).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      bucket: bucketId,
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });
});

describe("SecureBucket: bucket policy", () => {
  test("without extra statements it only denies every request not made over TLS, on the bucket and its objects", () => {
    // GIVEN no policyStatements  WHEN the policy is parsed  THEN one Deny on aws:SecureTransport=false
    expect(policyOf(plain.json, "Bucket", "aws_s3_bucket_policy").Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("extra statements get the bucket's ARN and come before the TLS-only deny", () => {
    // GIVEN a grant built from the bucket ARN it is handed
    const granted = build(() => ({
      policyStatements: (arn) => [
        {
          Sid: "AllowLogDelivery",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${arn}/AWSLogs/*`,
        },
      ],
    }));
    // WHEN the policy is parsed  THEN the grant is first, on this bucket, and the deny still closes the list
    const arn = ref(granted.json, "aws_s3_bucket", "Bucket", "arn");
    const statements = policyOf(granted.json, "Bucket", "aws_s3_bucket_policy").Statement;
    expect(statements.map((s) => s.Sid)).toEqual(["AllowLogDelivery", "DenyInsecureTransport"]);
    expect(statements[0]).toEqual({
      Sid: "AllowLogDelivery",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${arn}/AWSLogs/*`,
    });
  });

  test("the policy is written after the public access block (S3 refuses it while the block is applied)", () => {
    expect(partOf(plain.json, "aws_s3_bucket_policy")).toMatchObject({
      bucket: bucketId,
      depends_on: [expect.stringMatching(/^aws_s3_bucket_public_access_block\.Bucket_PublicAccessBlock_[A-F0-9]+$/)],
    });
  });
});

describe("SecureBucket: lifecycle", () => {
  test("the lifecycle rules are the bucket's, as given", () => {
    expect(plain.synthesized).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      bucket: bucketId,
      rule: [
        {
          id: "expire-everything",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: 30 }],
          noncurrent_version_expiration: [{ noncurrent_days: 7 }],
        },
      ],
    });
  });
});

describe("SecureBucket: the bucket and its switches", () => {
  test("by default the bucket has its name, refuses to delete while it holds objects and has no prevent_destroy", () => {
    // GIVEN no switches  WHEN synthesized  THEN force_destroy is false and no lifecycle block is written
    const resource = partOf(plain.json, "aws_s3_bucket");
    expect(resource).toMatchObject({ bucket: NAME, force_destroy: false });
    expect(resource.lifecycle).toBeUndefined();
    expect(resource.tags).toBeUndefined();
  });

  test("preventDestroy sets lifecycle.prevent_destroy", () => {
    expect(build(() => ({ preventDestroy: true })).synthesized).toHaveResourceWithProperties(S3Bucket, {
      bucket: NAME,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("forceDestroy lets terraform destroy delete a bucket that still holds objects", () => {
    expect(build(() => ({ forceDestroy: true })).synthesized).toHaveResourceWithProperties(S3Bucket, {
      bucket: NAME,
      force_destroy: true,
    });
  });

  test("tags are the bucket's", () => {
    // GIVEN tags  WHEN synthesized  THEN the bucket carries them
    expect(build(() => ({ tags: { Purpose: "test" } })).synthesized).toHaveResourceWithProperties(S3Bucket, {
      tags: { Purpose: "test" },
    });
  });

  test("a name holding a token (the account id) is not checked at synth", () => {
    // GIVEN a name that is only known at apply  WHEN built  THEN no error and the reference is kept
    let account = "";
    const tokenName = build((stack) => {
      account = new DataAwsCallerIdentity(stack, "Account", {}).accountId;
      return { bucketName: `farmers-module-state-${account}` };
    });
    expect(partOf(tokenName.json, "aws_s3_bucket").bucket).toBe(
      `farmers-module-state-${resolveIn(tokenName.stack, account) as string}`,
    );
    expect(partOf(tokenName.json, "aws_s3_bucket").bucket).toMatch(
      /^farmers-module-state-\$\{data\.aws_caller_identity\.Account\.account_id\}$/,
    );
  });

  test("fails when the name has characters S3 rejects", () => {
    expect(() => build(() => ({ bucketName: "Farmers_Module" }))).toThrow(
      'bucket-test/Bucket: s3Bucket name "Farmers_Module" has characters AWS rejects; allowed: lowercase letters, digits, dots and hyphens',
    );
  });

  test("fails when the name is shorter than S3's 3 characters", () => {
    expect(() => build(() => ({ bucketName: "ab" }))).toThrow(
      'bucket-test/Bucket: s3Bucket name "ab" is 2 characters; AWS allows 3-63',
    );
  });
});

describe("SecureBucket: guardrails", () => {
  test.each([
    ["without a key (SSE-S3)", () => plain],
    [
      "with a key and every switch",
      () => build((stack) => ({ kmsKey: managedKey(stack), preventDestroy: true, forceDestroy: true })),
    ],
  ])("%s: the stack passes every guardrail, production rules included", (_name, built) => {
    // GIVEN the bucket alone in a stack  WHEN checked with the production rules  THEN there is no finding
    expect(checkStack(built().json, { production: true }).map(formatFinding)).toEqual([]);
  });
});
