import { checkPlan } from "../scripts/terraform/check-plan";
import { LOOPBACK_ENDPOINT } from "../scripts/terraform/offline";
import {
  fullSource,
  pinnedProviders,
  providerSetup,
  ProviderSourceError,
  selectProviderSource,
} from "../scripts/terraform/providers";
import { type PlanResult, terraformVersion, type ValidationResult, Workspace } from "../scripts/terraform/workspace";
import { DEV_WITH_LEGACY_TOKEN_SOURCE, PRODUCTION_WITH_EVERY_OPTION } from "./fixtures/variants";
import { environmentStack, type Json, synthAll, synthJson } from "./helpers";

/**
 * Real terraform on every synthesized stack and variant: an offline `terraform plan` (which
 * validates the configuration first, then runs the provider's plan-time checks with real
 * values), plus fixtures proving what each step catches. Providers come from the mirror or the
 * registry as scripts/terraform/providers.ts selects (the line printed below says which, and
 * why). Where terraform is missing this suite fails loudly, unless ALLOW_MISSING_TERRAFORM=1
 * says the skip is intended, in which case it prints how many runs were skipped.
 */

const stacks = synthAll();
/** Every optional feature switched on, so the code paths off by default are planned too. */
const variants: Record<string, Json> = {
  "production-with-every-option": synthJson(environmentStack("production", PRODUCTION_WITH_EVERY_OPTION)),
  "dev-with-legacy-github-token-source": synthJson(environmentStack("dev", DEV_WITH_LEGACY_TOKEN_SOURCE)),
};
const planned = { ...stacks, ...variants };

const copyOf = (json: Json): Json => JSON.parse(JSON.stringify(json)) as Json;
const dev = stacks["farmers-module-dev"];

/** A reference to a resource that does not exist: validate (and so plan) must reject it. */
const BROKEN_REFERENCE = "broken-reference-fixture";
const brokenReference = copyOf(dev);
brokenReference.output = { ...brokenReference.output, dangling: { value: "${aws_vpc.does_not_exist.id}" } };

/**
 * Valid to `terraform validate`, which cannot see the value of a variable, rejected by the plan,
 * which evaluates it: a log retention of 4 days, which CloudWatch Logs does not offer.
 */
const PLAN_ONLY = "plan-rejects-fixture";
const planOnly: Json = {
  terraform: dev.terraform,
  provider: { aws: dev.provider.aws },
  variable: { log_retention_days: { type: "number", default: 4 } },
  resource: {
    aws_cloudwatch_log_group: {
      app: { name: "/ecs/plan-rejects-fixture", retention_in_days: "${var.log_retention_days}" },
    },
  },
};

/** A data source that calls AWS, left in place on purpose: the call must be refused on loopback. */
const LOOPBACK = "loopback-probe";
const loopbackProbe: Json = {
  terraform: dev.terraform,
  provider: { aws: dev.provider.aws },
  data: { aws_vpc: { probe: { default: true } } },
};

/**
 * The provider source is chosen and checked from configuration and the file system alone, before
 * any test is defined: when it is unusable (a selected mirror missing or empty), the suite is
 * that one failing test with the reason, instead of every plan failing after it.
 */
const source = selectProviderSource();
let setupError: string | undefined;
try {
  providerSetup(source, pinnedProviders(planned));
} catch (error) {
  if (!(error instanceof ProviderSourceError)) throw error;
  setupError = error.message;
}

let terraform: string | undefined;
let description = "";
let plans: Record<string, PlanResult> = {};
let fixturePlans: Record<string, PlanResult> = {};
let validations: Record<string, ValidationResult> = {};
const skipped = () => !terraform && process.env.ALLOW_MISSING_TERRAFORM === "1";

const beforeAllWhenUsable = setupError ? () => undefined : beforeAll;
beforeAllWhenUsable(async () => {
  terraform = await terraformVersion();
  if (!terraform) {
    const message = `TERRAFORM NOT FOUND: ${Object.keys(planned).length} terraform plans and 3 fixtures NOT RUN`;
    console.warn(`\n${"!".repeat(message.length)}\n${message}\n${"!".repeat(message.length)}\n`);
    return;
  }
  const workspace = await Workspace.open(
    { ...planned, [BROKEN_REFERENCE]: brokenReference, [PLAN_ONLY]: planOnly, [LOOPBACK]: loopbackProbe },
    { source },
  );
  description = `terraform ${terraform}, ${workspace.setup.description}`;
  console.info(description);
  try {
    const [all, fixtures, checks] = await Promise.all([
      workspace.planAll(Object.keys(planned)),
      workspace.planAll([PLAN_ONLY, LOOPBACK], { keepDataSources: ["aws_vpc"] }),
      workspace.validateAll([BROKEN_REFERENCE, PLAN_ONLY]),
    ]);
    plans = Object.fromEntries(all.map((r) => [r.stack, r]));
    fixturePlans = Object.fromEntries(fixtures.map((r) => [r.stack, r]));
    validations = Object.fromEntries(checks.map((r) => [r.stack, r]));
  } finally {
    workspace.close();
  }
}, 180_000);

test("the selected provider source is usable", () => {
  expect(setupError).toBeUndefined();
});

// Defined only with a usable provider source (see above).
const describeWhenUsable = setupError ? () => undefined : describe;
describeWhenUsable("terraform (offline plan of every stack and variant)", () => {
  test("terraform is installed (or its absence is explicitly allowed)", () => {
    if (skipped()) return;
    expect(terraform).toBeDefined();
  });

  test("every stack pins the provider versions its provider packages declare (what the registry branch installs)", () => {
    // aws 6.25.0 and random 3.7.2 today (the snapshots hold the literals); read from the packages
    // so that the test holds after the switch to cdktn too (npm run check:cdktn).
    const pinOf = (manifest: { cdktf: { provider: { version: string } } }) => manifest.cdktf.provider.version;
    const pins = pinnedProviders(stacks);
    expect(
      Object.fromEntries(Object.entries(pins).map(([name, p]) => [name, [fullSource(p.source), p.version]])),
    ).toEqual({
      aws: ["hashicorp/aws", pinOf(require("@cdktf/provider-aws/package.json"))], // eslint-disable-line @typescript-eslint/no-require-imports
      random: ["hashicorp/random", pinOf(require("@cdktf/provider-random/package.json"))], // eslint-disable-line @typescript-eslint/no-require-imports
    });
  });

  test("the test output names the provider source, its versions and why", () => {
    if (skipped()) return;
    expect(description).toMatch(
      /^terraform \d+\.\d+\.\d+, providers from the (mirror|Terraform registry) .* because .+/,
    );
  });

  test.each(Object.keys(planned))("%s plans offline", (name) => {
    if (skipped()) return;
    expect(plans[name].errors).toEqual([]);
    expect(plans[name].ok).toBe(true);
  });

  test.each(Object.keys(planned))("%s creates resources and destroys nothing on a fresh plan", (name) => {
    if (skipped()) return;
    expect(plans[name].counts?.add).toBeGreaterThan(0);
    expect(plans[name].counts).toMatchObject({ change: 0, destroy: 0 });
  });

  test.each(Object.keys(planned))("check-plan finds nothing to refuse in the fresh plan of %s", (name) => {
    if (skipped()) return;
    const verdict = checkPlan(plans[name].plan!);
    expect(verdict.findings).toEqual([]);
    expect(verdict.exitCode).toBe(0);
  });

  test("the environment stacks read their account id and certificate from stand-ins, not AWS", () => {
    if (skipped()) return;
    expect(plans["farmers-module-production"].standIns).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_caller_identity\./),
        expect.stringMatching(/^aws_acm_certificate\./),
      ]),
    );
  });

  test("a reference to a missing resource fails validation", () => {
    if (skipped()) return;
    expect(validations[BROKEN_REFERENCE].valid).toBe(false);
    expect(validations[BROKEN_REFERENCE].errors.join("\n")).toMatch(/Reference to undeclared resource/);
  });

  test("the plan-only fixture passes validate", () => {
    if (skipped()) return;
    expect(validations[PLAN_ONLY].errors).toEqual([]);
    expect(validations[PLAN_ONLY].valid).toBe(true);
  });

  test("the plan-only fixture fails the plan, on the value validate could not see", () => {
    if (skipped()) return;
    expect(fixturePlans[PLAN_ONLY].ok).toBe(false);
    expect(fixturePlans[PLAN_ONLY].errors.join("\n")).toMatch(/retention_in_days.*4/);
  });

  test("a data source left in place calls only the loopback endpoint, and fails there after one attempt", () => {
    if (skipped()) return;
    const errors = fixturePlans[LOOPBACK].errors.join("\n");
    expect(fixturePlans[LOOPBACK].ok).toBe(false);
    expect(errors).toContain(`${LOOPBACK_ENDPOINT.replace("http://", "")}: connect: connection refused`);
    expect(errors).toMatch(/DescribeVpcs, exceeded maximum number of attempts, 1/);
  });
});
