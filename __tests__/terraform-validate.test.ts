import { prepareForValidation, terraformVersion, validateStacks, type ValidationResult } from "../scripts/terraform/validate";
import { DEV_WITH_LEGACY_TOKEN_SOURCE, PRODUCTION_WITH_EVERY_OPTION } from "./fixtures/variants";
import { environmentStack, synthAll, synthJson, type Json } from "./helpers";

/**
 * Real `terraform validate` of every synthesized stack against the aws provider mirror. Where
 * terraform is missing this suite fails loudly, unless ALLOW_MISSING_TERRAFORM=1 says the
 * skip is intended, in which case it prints how many validations were skipped.
 */

const stacks = synthAll();
const BROKEN = "broken-reference-fixture";

/** Every optional feature switched on, so the code paths off by default are validated too. */
const variants: Record<string, Json> = {
  "production-with-every-option": synthJson(environmentStack("production", PRODUCTION_WITH_EVERY_OPTION)),
  "dev-with-legacy-github-token-source": synthJson(environmentStack("dev", DEV_WITH_LEGACY_TOKEN_SOURCE)),
};
let results: Record<string, ValidationResult> = {};
let terraform: string | undefined;

beforeAll(async () => {
  terraform = await terraformVersion();
  if (!terraform) {
    const message = `TERRAFORM NOT FOUND: ${Object.keys(stacks).length + Object.keys(variants).length + 1} terraform validations NOT RUN`;
    console.warn(`\n${"!".repeat(message.length)}\n${message}\n${"!".repeat(message.length)}\n`);
    return;
  }
  // A copy of dev with a reference to a resource that does not exist: validate must reject it.
  const broken: Json = JSON.parse(JSON.stringify(stacks["farmers-module-dev"]));
  broken.output = { ...broken.output, dangling: { value: "${aws_vpc.does_not_exist.id}" } };
  const list = await validateStacks({ ...stacks, ...variants, [BROKEN]: broken });
  results = Object.fromEntries(list.map((r) => [r.stack, r]));
}, 120_000);

describe("terraform validate", () => {
  test("terraform is installed (or its absence is explicitly allowed)", () => {
    if (!terraform && process.env.ALLOW_MISSING_TERRAFORM === "1") return;
    expect(terraform).toBeDefined();
  });

  test.each([...Object.keys(stacks), ...Object.keys(variants)])("%s passes terraform validate", (name) => {
    if (!terraform && process.env.ALLOW_MISSING_TERRAFORM === "1") return;
    expect(results[name]?.errors).toEqual([]);
    expect(results[name]?.valid).toBe(true);
  });

  test("a reference to a missing resource fails validation", () => {
    if (!terraform && process.env.ALLOW_MISSING_TERRAFORM === "1") return;
    expect(results[BROKEN].valid).toBe(false);
    expect(results[BROKEN].errors.join("\n")).toMatch(/Reference to undeclared resource/);
  });
});

describe("prepareForValidation", () => {
  const stack: Json = {
    terraform: { backend: { s3: { bucket: "b" } }, required_providers: { aws: { source: "aws", version: "6.25.0" }, random: { source: "hashicorp/random", version: "3.7.2" } } },
    provider: { aws: [{}], random: [{}] },
    resource: {
      random_password: { db: { length: 32 } },
      aws_secretsmanager_secret_version: { v: { secret_string: "${random_password.db.result}" } },
    },
  };
  const prepared = prepareForValidation(stack, "5.100.0");

  test("removes the backend so init never touches S3", () => {
    expect(prepared.terraform.backend).toBeUndefined();
  });

  test("pins aws to the mirrored version and drops other providers", () => {
    expect(prepared.terraform.required_providers).toEqual({ aws: { source: "aws", version: "5.100.0" } });
    expect(Object.keys(prepared.provider)).toEqual(["aws"]);
  });

  test("replaces random resources with terraform_data and rewrites references", () => {
    expect(prepared.resource.random_password).toBeUndefined();
    expect(prepared.resource.terraform_data.random_password_db).toBeDefined();
    expect(prepared.resource.aws_secretsmanager_secret_version.v.secret_string).toBe("${terraform_data.random_password_db.output}");
  });
});
