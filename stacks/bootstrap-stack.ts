import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";

import type { EnvironmentConfig } from "../config/schema";
import { applyGuardrails } from "../constructs/guardrails/engine";
import { checkName } from "../constructs/naming";
import { SecureBucket } from "../constructs/secure-bucket";
import { awsProvider } from "./provider";

export const BOOTSTRAP_STACK_NAME = "farmers-module-bootstrap";

/** What the bootstrap stack needs: where state lives, and the account guard. */
export interface BootstrapStackProps {
  readonly state: EnvironmentConfig["state"];
  readonly allowedAccountIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** Days a superseded state version is kept before it expires. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
}

/**
 * Creates the S3 bucket and DynamoDB table the environment stacks keep their state in. It keeps
 * its own state locally (terraform.farmers-module-bootstrap.tfstate in the project root): it
 * cannot store state in the bucket it creates.
 */
export class BootstrapStack extends TerraformStack {
  readonly bucket: S3Bucket;
  readonly lockTable: DynamodbTable;

  constructor(scope: Construct, props: BootstrapStackProps) {
    super(scope, BOOTSTRAP_STACK_NAME);
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 90;
    // Relative to cdktf.out/stacks/<stack>, so the state file sits in the project root.
    new LocalBackend(this, { path: `../../../terraform.${BOOTSTRAP_STACK_NAME}.tfstate` });
    awsProvider(this, {
      region: props.state.region,
      tags: { ...props.tags, Component: "terraform-state" },
      allowedAccountIds: props.allowedAccountIds,
    });

    // Generated secrets live in state: the bucket is the most sensitive store in the account.
    // SSE-S3: the S3 backend's `encrypt = true` writes objects with AES256, so the default matches it.
    const stateBucket = new SecureBucket(this, "StateBucket", {
      bucketName: props.state.bucket,
      preventDestroy: true,
      lifecycleRules: [
        {
          id: "expire-superseded-state",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    this.bucket = stateBucket.bucket;

    this.lockTable = new DynamodbTable(this, "LockTable", {
      name: checkName(this, "dynamoDbTable", props.state.lockTable),
      billingMode: "PAY_PER_REQUEST",
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });

    applyGuardrails(this, { production: true });

    new TerraformOutput(this, "state_bucket_name", {
      value: this.bucket.bucket,
      description: "S3 bucket holding every environment's Terraform state",
    });
    new TerraformOutput(this, "state_bucket_arn", {
      value: this.bucket.arn,
      description: "ARN of the state bucket, for IAM policies of CI roles",
    });
    new TerraformOutput(this, "lock_table_name", {
      value: this.lockTable.name,
      description: "DynamoDB table used for state locking",
    });
    new TerraformOutput(this, "lock_table_arn", {
      value: this.lockTable.arn,
      description: "ARN of the lock table, for IAM policies of CI roles",
    });
    new TerraformOutput(this, "state_region", {
      value: props.state.region,
      description: "Region of the state bucket and lock table",
    });
  }
}
