import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";

import { DEPLOYED_TAG_PREFIX } from "../contracts";
import type { Naming } from "../naming";
import { ValidationError } from "../validation-error";

export interface ServiceRegistryProps {
  readonly naming: Naming;
  /** Images built but never deployed that are kept (unapproved or superseded builds). @default 10 */
  readonly keepTaggedImages?: number;
  /** Deployed images kept (tag `deployed-<commit>`): what runs and what a rollback needs. @default 50 */
  readonly keepDeployedImages?: number;
  /** Days after which an untagged image expires. @default 3 */
  readonly untaggedExpiryDays?: number;
  /**
   * Let `terraform destroy` delete the repository with its images (ECR refuses to delete a
   * repository that holds images unless forced).
   * @default false - destroy fails while the repository holds images
   */
  readonly forceDelete?: boolean;
}

/** The retention of `ecrLifecyclePolicy`. */
export interface ImageRetention {
  readonly keepDeployed: number;
  readonly keepTagged: number;
  readonly untaggedDays: number;
}

/**
 * The ECR lifecycle policy. ECR evaluates the rules in priority order and "an image that matches
 * the tagging requirements of a rule cannot be expired by a rule with a lower priority"; tagged
 * count rules sort by push time and expire the oldest (ECR User Guide, "Lifecycle policies").
 *
 * 1. untagged images expire `untaggedDays` after push;
 * 2. images the deploy step tagged `deployed-<commit>` (tagPrefixList): only those beyond the
 *    newest `keepDeployed` expire. Every image a service runs or can roll back to is among them,
 *    and rule 3 can never expire one of them, however many builds follow;
 * 3. every other tagged image (tagPatternList "*": builds waiting for or refused at approval, the
 *    bootstrap tag): only the newest `keepTagged` tagged images stay.
 */
export function ecrLifecyclePolicy(retention: ImageRetention): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images ${retention.untaggedDays} days after push`,
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: retention.untaggedDays,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${retention.keepDeployed} deployed images (${DEPLOYED_TAG_PREFIX}*): what runs and what a rollback needs`,
        selection: {
          tagStatus: "tagged",
          tagPrefixList: [DEPLOYED_TAG_PREFIX],
          countType: "imageCountMoreThan",
          countNumber: retention.keepDeployed,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 3,
        description: `Keep the last ${retention.keepTagged} images that were never deployed`,
        // "*" matches every tag: builds are tagged by commit, so there is no common prefix.
        selection: {
          tagStatus: "tagged",
          tagPatternList: ["*"],
          countType: "imageCountMoreThan",
          countNumber: retention.keepTagged,
        },
        action: { type: "expire" },
      },
    ],
  });
}

/**
 * ECR repository `farmers-module-<env>`: immutable tags (the pipeline tags images by commit),
 * scan on push, KMS encryption (the AWS-managed `aws/ecr` key) and a lifecycle policy.
 */
export class ServiceRegistry extends Construct {
  readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ServiceRegistryProps) {
    super(scope, id);
    const keep = props.keepTaggedImages ?? 10;
    const keepDeployed = props.keepDeployedImages ?? 50;
    const untaggedDays = props.untaggedExpiryDays ?? 3;
    for (const [setting, value] of [
      ["keepTaggedImages", keep],
      ["keepDeployedImages", keepDeployed],
      ["untaggedExpiryDays", untaggedDays],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new ValidationError(`${setting} must be a positive integer; received ${value}`, this);
    }

    this.repository = new EcrRepository(this, "Resource", {
      name: props.naming.name(this, "ecrRepository"),
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS" }],
      forceDelete: props.forceDelete ?? false,
    });
    new EcrLifecyclePolicy(this, "LifecyclePolicy", {
      repository: this.repository.name,
      policy: ecrLifecyclePolicy({ keepDeployed, keepTagged: keep, untaggedDays }),
    });
  }
}
