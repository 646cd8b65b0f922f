import { Construct } from "constructs";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { ValidationError } from "../validation-error";
import type { Naming } from "../naming";

export interface ServiceRegistryProps {
  readonly naming: Naming;
  /** Tagged images kept; older ones expire. @default 10 */
  readonly keepTaggedImages?: number;
  /** Days after which an untagged image expires. @default 3 */
  readonly untaggedExpiryDays?: number;
  /**
   * Let `terraform destroy` delete the repository with its images (ECR refuses to delete a
   * repository that holds images unless forced).
   * @default false - destroy fails while the repository holds images
   */
  readonly forceDelete?: boolean;
}

/** The ECR lifecycle policy: untagged images expire after `untaggedDays`, only the newest `keep` tagged images stay. */
export function ecrLifecyclePolicy(keep: number, untaggedDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images ${untaggedDays} days after push`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keep} tagged images`,
        // "*" matches every tag: the pipeline tags by commit, so there is no common prefix.
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keep },
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
    const untaggedDays = props.untaggedExpiryDays ?? 3;
    for (const [setting, value] of [["keepTaggedImages", keep], ["untaggedExpiryDays", untaggedDays]] as const) {
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
      policy: ecrLifecyclePolicy(keep, untaggedDays),
    });
  }
}
