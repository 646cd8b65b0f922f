import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";

import { policyDocument, type PolicyStatement } from "./iam";
import { checkName } from "./naming";

/** Settings of a bucket; everything that makes it safe is not optional. */
export interface SecureBucketProps {
  /** Bucket name (checked against S3's rules unless it holds a token such as the account id). */
  readonly bucketName: string;
  /** Key for SSE-KMS with the bucket key on. @default - SSE-S3 (AES256), e.g. for ALB log delivery */
  readonly kmsKey?: KmsKey;
  /** Lifecycle rules: every bucket here expires what it no longer needs. */
  readonly lifecycleRules: readonly S3BucketLifecycleConfigurationRule[];
  /** Statements added before the TLS-only deny, e.g. a log-delivery grant. @default - none */
  readonly policyStatements?: (bucketArn: string) => readonly PolicyStatement[];
  /** `lifecycle.prevent_destroy` on the bucket. @default false */
  readonly preventDestroy?: boolean;
  /** Let `terraform destroy` delete a non-empty bucket. @default false */
  readonly forceDestroy?: boolean;
  /** Tags of the bucket. @default - the provider's default tags only */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An S3 bucket as every bucket of this project is: encrypted by default, versioned, all public
 * access blocked, ACLs disabled (BucketOwnerEnforced), a policy denying any request not made over
 * TLS, and a lifecycle. The guardrails (SEC-S3-BUCKET, SEC-TLS, SEC-ENCRYPTION) demand each part.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "Resource", {
      bucket: checkName(this, "s3Bucket", props.bucketName),
      forceDestroy: props.forceDestroy ?? false,
      tags: props.tags ? { ...props.tags } : undefined,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    const bucket = this.bucket.id;

    new S3BucketOwnershipControls(this, "OwnershipControls", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, "PublicAccessBlock", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "Versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      bucket,
      rule: [
        props.kmsKey
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKey.arn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "Lifecycle", { bucket, rule: [...props.lifecycleRules] });
    this.policy = new S3BucketPolicy(this, "Policy", {
      bucket,
      policy: policyDocument([
        ...(props.policyStatements?.(this.bucket.arn) ?? []),
        {
          // A Deny: "s3:*" here refuses every action over plain HTTP; it grants nothing.
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
      // S3 rejects a policy write while the public access block is being applied.
      dependsOn: [this.publicAccessBlock],
    });
  }
}
