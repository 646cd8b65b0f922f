import { Construct } from "constructs";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { policyDocument } from "../iam";
import { checkName } from "../naming";

/** Settings of the artifact bucket. */
export interface ArtifactBucketProps {
  /** Bucket name; S3 names are global, so callers add the account id. */
  readonly bucketName: string;
  /** Customer-managed key every object is encrypted with. */
  readonly kmsKey: KmsKey;
  /** Days after which an artifact expires (and a further day for its noncurrent version). */
  readonly expirationDays: number;
  /**
   * Delete the bucket even when it holds artifacts (`terraform destroy`).
   * @default false - destroy fails on a non-empty bucket; empty it first (docs/pipeline.md)
   */
  readonly forceDestroy?: boolean;
}

/**
 * The pipeline's artifact store: SSE-KMS with the pipeline key (bucket key on), versioning, all
 * public access blocked, ACLs disabled (BucketOwnerEnforced), a policy denying any request not
 * made over TLS, and a lifecycle expiring artifacts.
 */
export class ArtifactBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id);
    const forceDestroy = props.forceDestroy ?? false;

    this.bucket = new S3Bucket(this, "Resource", { bucket: checkName(this, "s3Bucket", props.bucketName), forceDestroy });
    const bucket = this.bucket.id;

    new S3BucketOwnershipControls(this, "OwnershipControls", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    const publicAccess = new S3BucketPublicAccessBlock(this, "PublicAccessBlock", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "Versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKey.arn }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      bucket,
      rule: [
        {
          id: "expire-artifacts",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: props.expirationDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
        {
          // Expiration leaves delete markers behind in a versioned bucket; clear them too.
          id: "remove-expired-delete-markers",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });
    new S3BucketPolicy(this, "Policy", {
      bucket,
      policy: policyDocument([
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
      // S3 rejects policy writes while the public access block is being applied.
      dependsOn: [publicAccess],
    });
  }
}
