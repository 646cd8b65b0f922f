import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { Construct } from "constructs";

import { SecureBucket } from "../secure-bucket";

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
 * The pipeline's artifact store: a SecureBucket with SSE-KMS under the pipeline key and a
 * lifecycle expiring artifacts, their old versions, delete markers and aborted uploads.
 */
export class ArtifactBucket extends SecureBucket {
  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id, {
      bucketName: props.bucketName,
      kmsKey: props.kmsKey,
      forceDestroy: props.forceDestroy,
      lifecycleRules: [
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
  }
}
