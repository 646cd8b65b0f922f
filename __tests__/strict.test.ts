import { ENVIRONMENT_NAMES, type EnvironmentName, ENVIRONMENTS } from "../config/environments";
import { ConfigError, loadAllEnvironments, loadEnvironmentConfig, type OverrideFile } from "../config/load";
import type { ConfigLayer } from "../config/types";

/** What an operator sets for a real account: every go-live value strict mode asks for. */
const aaaNetwork = {
  privateHostedZoneId: "Z0123456789ABCDEFGHIJ",
  network: { cidr: "10.50.0.0/16", transitGatewayId: "tgw-0123456789abcdef0" },
};
const ACCOUNT: OverrideFile = {
  common: {
    allowedAccountIds: ["123456789012"],
    state: { bucket: "acme-farmers-tfstate" },
    observability: { criticalEmails: ["oncall@example.com"], warningEmails: ["platform@example.com"] },
  },
  // Per environment its certificate, and the AAA zone and route where its endpoint is a private name.
  ...Object.fromEntries(
    ENVIRONMENT_NAMES.map((env) => [
      env,
      {
        loadBalancer: { certificate: { domain: `farmers-${env}.example.com` } },
        ...(/\.internal:\d+$/.test(ENVIRONMENTS[env].aaa?.endpoint ?? "") ? { aaa: aaaNetwork } : {}),
      },
    ]),
  ),
};
const STRICT = { FARMERS_STRICT: "1" };

/** ACCOUNT with `layer` replacing the environment's own overrides. */
function accountWith(env: EnvironmentName, layer: ConfigLayer): OverrideFile {
  return { ...ACCOUNT, [env]: layer };
}

/** The strict-mode error for `env` (or fails the test). */
function strictError(env: EnvironmentName, overrides: OverrideFile, vars: NodeJS.ProcessEnv = STRICT): string {
  try {
    loadEnvironmentConfig(env, { overrides, env: vars });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("without strict mode", () => {
  test("a fresh clone's placeholders still load for every environment", () => {
    // GIVEN no overrides and FARMERS_STRICT unset WHEN loaded THEN each environment is valid
    expect(loadAllEnvironments({ overrides: {}, env: {} }).map((c) => c.name)).toEqual(ENVIRONMENT_NAMES);
  });

  test("an empty FARMERS_STRICT is off", () => {
    expect(loadEnvironmentConfig("production", { overrides: {}, env: { FARMERS_STRICT: "" } }).name).toBe("production");
  });
});

describe("strict mode (FARMERS_STRICT=1)", () => {
  test("accepts an account whose go-live values are all set", () => {
    // GIVEN every go-live value WHEN every environment is loaded in strict mode THEN each is valid
    expect(loadAllEnvironments({ overrides: ACCOUNT, env: STRICT }).map((c) => c.name)).toEqual(ENVIRONMENT_NAMES);
  });

  test("fails when the state bucket is the checked-in placeholder", () => {
    const overrides = { ...ACCOUNT, common: { ...ACCOUNT.common, state: {} } };
    expect(strictError("staging", overrides)).toBe(
      'Invalid configuration for environment "staging":\n  - state.bucket: received "farmers-module-terraform-state"; allowed in strict mode (FARMERS_STRICT): your account\'s state bucket, set in the override file or FARMERS_STATE_BUCKET (the checked-in name is a placeholder)',
    );
  });

  test("accepts the state bucket from FARMERS_STATE_BUCKET", () => {
    const overrides = { ...ACCOUNT, common: { ...ACCOUNT.common, state: {} } };
    expect(
      loadEnvironmentConfig("staging", { overrides, env: { ...STRICT, FARMERS_STATE_BUCKET: "acme-tfstate" } }).state
        .bucket,
    ).toBe("acme-tfstate");
  });

  test("fails when the certificate is the checked-in placeholder domain", () => {
    expect(strictError("staging", accountWith("staging", {}))).toContain(
      '  - loadBalancer.certificate: received {"domain":"farmers-staging.kisanlink.in"}; allowed in strict mode (FARMERS_STRICT): the environment\'s certificate set in the override file: { "arn" }, { "domain" } of an ISSUED certificate, or { "domain", "create": true } (the checked-in domain is a placeholder)',
    );
  });

  test("fails when allowedAccountIds is empty", () => {
    const overrides = { ...ACCOUNT, common: { ...ACCOUNT.common, allowedAccountIds: [] } };
    expect(strictError("staging", overrides)).toContain(
      "  - allowedAccountIds: received []; allowed in strict mode (FARMERS_STRICT): at least one account id (FARMERS_ALLOWED_ACCOUNT_IDS or the override file), so the provider refuses to touch any other account",
    );
  });

  test("fails when a private AAA endpoint has no private zone association", () => {
    const layer = { ...ACCOUNT.production, aaa: { network: aaaNetwork.network } };
    expect(strictError("production", accountWith("production", layer))).toBe(
      'Invalid configuration for environment "production":\n  - aaa.privateHostedZoneId: received (unset); allowed in strict mode (FARMERS_STRICT): the private hosted zone to associate for the private endpoint aaa-service.internal:50052: without it the tasks cannot resolve or reach it (docs/configuration.md, "Reaching the AAA service privately")',
    );
  });

  test("fails when a private AAA endpoint has no route to the AAA network", () => {
    const layer = { ...ACCOUNT.dev, aaa: { privateHostedZoneId: aaaNetwork.privateHostedZoneId } };
    expect(strictError("dev", accountWith("dev", layer))).toContain(
      "  - aaa.network: received (unset); allowed in strict mode (FARMERS_STRICT): the AAA network's cidr and its peering or transit gateway for the private endpoint aaa-service-dev.internal:50052",
    );
  });

  test("a public AAA endpoint needs neither", () => {
    // GIVEN staging's public endpoint beta.aaa.kisanlink.in:443 and no aaa settings WHEN loaded strictly THEN valid
    expect(loadEnvironmentConfig("staging", { overrides: ACCOUNT, env: STRICT }).aaa.network).toBeUndefined();
  });

  test("fails when a production-protected environment has no critical-alarm subscriber", () => {
    const overrides = {
      ...ACCOUNT,
      common: { ...ACCOUNT.common, observability: { warningEmails: ["platform@example.com"] } },
    };
    expect(strictError("production", overrides)).toBe(
      'Invalid configuration for environment "production":\n  - observability.criticalEmails: received []; allowed in strict mode (FARMERS_STRICT): at least one subscriber when protection is "production" (critical alarms would reach nobody)',
    );
  });

  test("a disposable environment may have no subscriber", () => {
    const overrides = { ...ACCOUNT, common: { ...ACCOUNT.common, observability: {} } };
    expect(loadEnvironmentConfig("dev", { overrides, env: STRICT }).observability.criticalEmails).toEqual([]);
  });

  test("fails when the manual-approval request would reach nobody", () => {
    // GIVEN production (manualApproval) with critical but no warning subscribers WHEN loaded strictly THEN refused
    const overrides = {
      ...ACCOUNT,
      common: { ...ACCOUNT.common, observability: { criticalEmails: ["oncall@example.com"] } },
    };
    expect(strictError("production", overrides)).toContain(
      "  - observability.warningEmails: received []; allowed in strict mode (FARMERS_STRICT): at least one subscriber with pipeline.manualApproval (the approval request would reach nobody)",
    );
  });

  test("lists every go-live problem of a fresh clone at once", () => {
    // GIVEN no overrides WHEN production is loaded strictly THEN all six problems are named
    const lines = strictError("production", {})
      .split("\n")
      .slice(1)
      .map((l) => l.replace(/^ {2}- ([a-zA-Z.]+):.*$/, "$1"));
    expect(lines).toEqual([
      "state.bucket",
      "loadBalancer.certificate",
      "allowedAccountIds",
      "aaa.privateHostedZoneId",
      "aaa.network",
      "observability.criticalEmails",
      "observability.warningEmails",
    ]);
  });
});

describe("strict mode for some environments (FARMERS_STRICT=dev,beta)", () => {
  test("checks the environments listed and leaves the others to their placeholders", () => {
    const vars = { FARMERS_STRICT: "dev" };
    expect(loadEnvironmentConfig("production", { overrides: {}, env: vars }).name).toBe("production");
    expect(strictError("dev", {}, vars)).toContain("  - state.bucket: received");
  });

  test("fails for a value that is neither 1 nor environment names", () => {
    expect(strictError("dev", ACCOUNT, { FARMERS_STRICT: "yes" })).toBe(
      `Invalid configuration for environment "dev":\n  - FARMERS_STRICT: received "yes"; allowed: 1 (every environment) or a comma-separated list of ${ENVIRONMENT_NAMES.join(", ")}`,
    );
  });
});
