import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Testing } from "cdktf";

import { DEPLOYED_TAG_PREFIX } from "../constructs/contracts";
import { ecrLifecyclePolicy, ServiceRegistry } from "../constructs/service/registry";
import { buildServiceTier, PRODUCTION } from "./fixtures/service";
import { fixtureStack } from "./fixtures/tiers";
import { type Json, ref, resourceNamed } from "./helpers";

/** ServiceRegistry (constructs/service/registry.ts): the image repository and its lifecycle policy, inside the service tier. */

const dev = buildServiceTier("dev");
const production = buildServiceTier("production", PRODUCTION);

describe("registry", () => {
  test("the repository has immutable tags, scan on push and KMS encryption", () => {
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(EcrRepository, {
      name: "farmers-module-dev",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS" }],
    });
  });

  test("the lifecycle policy belongs to the repository", () => {
    const policy = resourceNamed(dev.json, "aws_ecr_lifecycle_policy", "service_Registry_LifecyclePolicy");
    expect(policy.repository).toBe(ref(dev.json, "aws_ecr_repository", "service_Registry", "name"));
    // untagged, deployed-* (kept generously), then every other tag
    expect(
      JSON.parse(policy.policy as string).rules.map(
        (r: Json) => r.selection.tagPrefixList ?? r.selection.tagPatternList ?? r.selection.tagStatus,
      ),
    ).toEqual(["untagged", ["deployed-"], ["*"]]);
  });

  test("fails when keepDeployedImages is not a positive integer", () => {
    const f = fixtureStack("dev");
    expect(() => new ServiceRegistry(f.stack, "registry", { naming: f.naming, keepDeployedImages: 0 })).toThrow(
      "fixture-dev/registry: keepDeployedImages must be a positive integer; received 0",
    );
  });

  test("refuses deletion while holding images unless the environment is disposable", () => {
    // GIVEN dev (disposable) and production WHEN synthesized THEN only dev's repository is force-deleted
    const f = fixtureStack("dev");
    new ServiceRegistry(f.stack, "registry", { naming: f.naming, forceDelete: true });
    expect(
      resourceNamed(JSON.parse(Testing.synth(f.stack)) as Json, "aws_ecr_repository", "registry").force_delete,
    ).toBe(true);
    expect(resourceNamed(production.json, "aws_ecr_repository", "service_Registry").force_delete).toBe(false);
  });

  test("fails when keepTaggedImages is not a positive integer", () => {
    const f = fixtureStack("dev");
    expect(() => new ServiceRegistry(f.stack, "registry", { naming: f.naming, keepTaggedImages: 0 })).toThrow(
      "fixture-dev/registry: keepTaggedImages must be a positive integer; received 0",
    );
  });

  test("fails when untaggedExpiryDays is not a positive integer", () => {
    const f = fixtureStack("dev");
    expect(() => new ServiceRegistry(f.stack, "registry", { naming: f.naming, untaggedExpiryDays: 1.5 })).toThrow(
      "fixture-dev/registry: untaggedExpiryDays must be a positive integer; received 1.5",
    );
  });
});

describe("ECR lifecycle policy", () => {
  const { rules } = JSON.parse(ecrLifecyclePolicy({ keepDeployed: 50, keepTagged: 10, untaggedDays: 3 })) as {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    rules: Record<string, any>[];
  };

  test("expires untagged images after a few days", () => {
    expect(rules[0]).toMatchObject({
      rulePriority: 1,
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 3 },
      action: { type: "expire" },
    });
  });

  test("keeps the last 50 deployed images by their protected tag prefix, at a higher priority than the rule for all tags", () => {
    // GIVEN the policy  WHEN read  THEN deployed-* images are selected by prefix before the catch-all rule
    expect(rules[1]).toEqual({
      rulePriority: 2,
      description: "Keep the last 50 deployed images (deployed-*): what runs and what a rollback needs",
      selection: {
        tagStatus: "tagged",
        tagPrefixList: [DEPLOYED_TAG_PREFIX],
        countType: "imageCountMoreThan",
        countNumber: 50,
      },
      action: { type: "expire" },
    });
    expect(DEPLOYED_TAG_PREFIX).toBe("deployed-");
    expect(rules[1].rulePriority).toBeLessThan(rules[2].rulePriority);
  });

  test("keeps the last 10 images that were never deployed (tag pattern *), evaluated last", () => {
    expect(rules[2]).toMatchObject({
      rulePriority: 3,
      selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 10 },
      action: { type: "expire" },
    });
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2, 3]);
  });

  test("eleven builds never deployed after the last deployment: only the oldest of them expires, never the deployed image", () => {
    // GIVEN the image that runs (tagged deployed-aaaaaaa, pushed first) and 11 later builds never deployed
    const images = [
      { tags: ["aaaaaaa", "deployed-aaaaaaa"], pushed: 0 },
      ...Array.from({ length: 11 }, (_, i) => ({ tags: [`b${i}`], pushed: i + 1 })),
    ];
    // WHEN ECR's documented semantics are applied (priority order; an image matching a rule's tag
    // selection cannot be expired by a lower-priority rule; counts sort by push time, newest kept)
    const expired = applyLifecycle(rules, images);
    // THEN only the oldest unapproved build expires: the running image stays
    expect(expired).toEqual(["b0"]);
  });
});

/** ECR's documented evaluation of tagged/untagged count rules, enough to check this policy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function applyLifecycle(rules: Record<string, any>[], images: { tags: string[]; pushed: number }[]): string[] {
  const matched = new Set<number>();
  const expired = new Set<number>();
  const byPriority = [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
  for (const rule of byPriority) {
    const s = rule.selection;
    const selects = (img: { tags: string[] }) =>
      s.tagStatus === "untagged"
        ? img.tags.length === 0
        : s.tagPrefixList
          ? s.tagPrefixList.every((p: string) => img.tags.some((t) => t.startsWith(p)))
          : img.tags.length > 0 &&
            s.tagPatternList.every((p: string) =>
              img.tags.some((t) => new RegExp(`^${p.split("*").join(".*")}$`).test(t)),
            );
    const selected = images
      .map((img, i) => ({ img, i }))
      .filter(({ img }) => selects(img))
      .sort((a, b) => b.img.pushed - a.img.pushed);
    if (s.countType === "imageCountMoreThan")
      selected.slice(s.countNumber).forEach(({ i }) => !matched.has(i) && expired.add(i));
    selected.forEach(({ i }) => matched.add(i));
  }
  return [...expired].map((i) => images[i].tags[0]);
}
