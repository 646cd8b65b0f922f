import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { common } from "../config/common";
import { dev } from "../config/dev";
import { ENVIRONMENT_NAMES, type EnvironmentList, type EnvironmentName, ENVIRONMENTS } from "../config/environments";
import { ConfigError, deepMerge, loadAllEnvironments, loadEnvironmentConfig } from "../config/load";
import { staging } from "../config/staging";
import type { ConfigLayer } from "../config/types";
import { testConfig } from "./helpers";

/** Loads `env` with one override layer and returns the error message (or fails the test). */
function errorFor(layer: ConfigLayer, env: EnvironmentName = "dev"): string {
  try {
    testConfig(env, layer);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("the checked-in configuration", () => {
  // GIVEN every environment of config/environments.ts WHEN loaded without overrides THEN each is valid
  test.each(ENVIRONMENT_NAMES)("%s loads", (env) => {
    expect(testConfig(env).name).toBe(env);
  });

  test("holds the reference's environment table", () => {
    const table = Object.fromEntries(
      loadAllEnvironments({ overrides: {}, env: {} }).map((c) => [
        c.name,
        [
          c.network.vpcCidr,
          c.service.cpu,
          c.service.memoryMiB,
          c.service.desiredCount,
          c.service.minCount,
          c.service.maxCount,
          c.database.instanceClass,
          c.database.allocatedStorageGiB,
          c.database.maxAllocatedStorageGiB,
          c.database.name,
          c.aaa.endpoint,
          c.pipeline.branch,
          c.database.backupRetentionDays,
          c.observability.logRetentionDays,
          c.deployment.style,
        ],
      ]),
    );
    // (toMatchObject: an environment added to config/environments.ts is not the reference's)
    expect(table).toMatchObject({
      dev: [
        "10.0.0.0/16",
        256,
        512,
        1,
        1,
        2,
        "db.t4g.small",
        20,
        50,
        "farmers_dev",
        "aaa-service-dev.internal:50052",
        "develop",
        7,
        7,
        "rolling",
      ],
      beta: [
        "10.1.0.0/16",
        512,
        1024,
        1,
        1,
        4,
        "db.t4g.medium",
        50,
        100,
        "farmers_beta",
        "aaa-service-beta.internal:50052",
        "beta",
        7,
        7,
        "rolling",
      ],
      staging: [
        "10.2.0.0/16",
        512,
        1024,
        1,
        1,
        1,
        "db.t4g.small",
        30,
        50,
        "farmers_staging",
        "beta.aaa.kisanlink.in:443",
        "staging",
        7,
        7,
        "rolling",
      ],
      production: [
        "10.3.0.0/16",
        512,
        1024,
        2,
        2,
        10,
        "db.t4g.medium",
        100,
        500,
        "farmers_production",
        "aaa-service.internal:50052",
        "main",
        35,
        30,
        "blue-green",
      ],
    });
  });

  test("the defaults protect: a layer that does not opt out gets every stateful safety net", () => {
    // GIVEN only the common layer's defaults WHEN read THEN protection is production and every net is on
    expect([
      common.protection,
      common.database?.deletionProtection,
      common.database?.preventDestroy,
      common.database?.skipFinalSnapshot,
      common.loadBalancer?.deletionProtection,
    ]).toEqual(["production", true, true, false, true]);
  });

  test("dev, beta and staging opt out as disposable; production does not", () => {
    const rows = Object.fromEntries(
      loadAllEnvironments({ overrides: {}, env: {} }).map((c) => [
        c.name,
        [c.protection, c.database.deletionProtection, c.database.preventDestroy, c.loadBalancer.deletionProtection],
      ]),
    );
    expect(rows).toMatchObject({
      dev: ["disposable", false, false, false],
      beta: ["disposable", false, false, false],
      staging: ["disposable", false, false, false],
      production: ["production", true, true, true],
    });
  });

  test("production keeps its safety nets on", () => {
    const { database, loadBalancer } = testConfig("production");
    expect([
      database.multiAz,
      database.deletionProtection,
      database.preventDestroy,
      database.performanceInsights,
      database.skipFinalSnapshot,
      loadBalancer.deletionProtection,
    ]).toEqual([true, true, true, true, false, true]);
  });

  test("no checked-in environment lists its subnets: each derives them from its VPC", () => {
    // GIVEN the files of config/environments.ts WHEN read THEN none sets a subnet list
    const lists = Object.entries(ENVIRONMENTS).filter(([, layer]) =>
      ["publicSubnetCidrs", "privateSubnetCidrs", "databaseSubnetCidrs"].some((k) => k in (layer.network ?? {})),
    );
    expect(lists.map(([name]) => name)).toEqual([]);
  });

  test("subnets follow 10.x.{1,2,11,12,21,22}.0/24", () => {
    const { network } = testConfig("staging");
    expect([network.publicSubnetCidrs, network.privateSubnetCidrs, network.databaseSubnetCidrs]).toEqual([
      ["10.2.1.0/24", "10.2.2.0/24"],
      ["10.2.11.0/24", "10.2.12.0/24"],
      ["10.2.21.0/24", "10.2.22.0/24"],
    ]);
  });
});

describe("overrides", () => {
  test("environment variables set account-wide values", () => {
    const c = loadEnvironmentConfig("beta", {
      overrides: {},
      env: {
        FARMERS_STATE_BUCKET: "acme-tfstate",
        FARMERS_ALLOWED_ACCOUNT_IDS: "111111111111, 222222222222",
        FARMERS_ALARM_EMAILS: "ops@example.com",
      },
    });
    expect([c.state.bucket, c.allowedAccountIds, c.observability.criticalEmails]).toEqual([
      "acme-tfstate",
      ["111111111111", "222222222222"],
      ["ops@example.com"],
    ]);
  });

  test("an override file applies common then per-environment layers", () => {
    const file = join(mkdtempSync(join(tmpdir(), "cfg-")), "overrides.json");
    writeFileSync(
      file,
      JSON.stringify({ common: { service: { logLevel: "debug" } }, dev: { service: { logLevel: "error" } } }),
    );
    const env = { FARMERS_CONFIG_FILE: file };
    expect(loadEnvironmentConfig("dev", { env }).service.logLevel).toBe("error");
    expect(loadEnvironmentConfig("beta", { env }).service.logLevel).toBe("debug");
  });

  test("deepMerge merges objects, replaces arrays, ignores undefined", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: undefined })).toEqual({
      a: { b: 1, c: [3] },
      d: 1,
    });
  });

  test("a certificate ARN replaces the default domain lookup whole", () => {
    const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    expect(testConfig("dev", { loadBalancer: { certificate: { arn } } }).loadBalancer.certificate).toEqual({ arn });
  });

  test("the legacy token source replaces the connection source whole", () => {
    expect(testConfig("dev", { pipeline: { source: { mode: "github-token" } } }).pipeline.source).toEqual({
      mode: "github-token",
    });
  });
});

describe("the environment list (config/environments.ts)", () => {
  /** The staging file without its own name: the list's key names it. */
  const { name: _staging, ...stagingData } = staging;
  const load = (environments: EnvironmentList, name: string) =>
    loadEnvironmentConfig(name, { overrides: {}, env: {}, environments });

  test("names an environment by its key: a file may leave its name out", () => {
    // GIVEN a list with a qa environment whose file sets no name WHEN loaded THEN it is called qa
    expect(load({ ...ENVIRONMENTS, qa: stagingData }, "qa").name).toBe("qa");
  });

  test("loads every environment in the list's order", () => {
    const environments = { qa: stagingData, ...ENVIRONMENTS };
    expect(loadAllEnvironments({ overrides: {}, env: {}, environments }).map((c) => c.name)).toEqual([
      "qa",
      ...ENVIRONMENT_NAMES,
    ]);
  });

  test("fails when a file names another environment than its key", () => {
    // GIVEN qa pointing at a copy of dev.ts that still says name: "dev"
    expect(() => load({ ...ENVIRONMENTS, qa: dev }, "qa")).toThrow(
      'Invalid configuration for environment "qa":\n  - name: received "dev"; allowed: "qa" (the environment being loaded)',
    );
  });

  test("fails for a name that cannot name a stack", () => {
    expect(() => load({ ...ENVIRONMENTS, Qa_1: stagingData }, "Qa_1")).toThrow(
      'Invalid configuration for environment "Qa_1":\n  - name: received "Qa_1"; allowed: 1-16 lowercase letters and digits, a letter first, such as qa or staging2',
    );
  });

  test.each(["bootstrap", "common"])("fails for an environment called %s", (reserved) => {
    expect(() =>
      loadAllEnvironments({ overrides: {}, env: {}, environments: { ...ENVIRONMENTS, [reserved]: {} } }),
    ).toThrow(
      `Invalid configuration for environment "${reserved}":\n  - environment: received "${reserved}"; allowed: any name but bootstrap and common (the state stack and the override file's shared layer)`,
    );
  });

  test("fails for an empty list", () => {
    expect(() => loadAllEnvironments({ overrides: {}, env: {}, environments: {} })).toThrow(
      'Invalid configuration for environment "(none)":\n  - environments: received an empty list; allowed: at least one environment (config/environments.ts)',
    );
  });
});

describe("subnets derived from the VPC, overridable", () => {
  test("an environment that sets no subnet list gets the reference's layout of its VPC", () => {
    const { network } = testConfig("dev", { network: { vpcCidr: "10.9.0.0/16" } });
    expect([network.publicSubnetCidrs, network.privateSubnetCidrs, network.databaseSubnetCidrs]).toEqual([
      ["10.9.1.0/24", "10.9.2.0/24"],
      ["10.9.11.0/24", "10.9.12.0/24"],
      ["10.9.21.0/24", "10.9.22.0/24"],
    ]);
  });

  test("a list set in a layer replaces the derived one; the others stay derived", () => {
    const { network } = testConfig("dev", { network: { privateSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20"] } });
    expect([network.publicSubnetCidrs, network.privateSubnetCidrs, network.databaseSubnetCidrs]).toEqual([
      ["10.0.1.0/24", "10.0.2.0/24"],
      ["10.0.128.0/20", "10.0.144.0/20"],
      ["10.0.21.0/24", "10.0.22.0/24"],
    ]);
  });

  test("three zones get three subnets per tier", () => {
    const c = testConfig("dev", { availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] });
    expect(c.network.databaseSubnetCidrs).toEqual(["10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24"]);
  });

  test("fails when the VPC is too small to derive the subnets and none are set", () => {
    expect(errorFor({ network: { vpcCidr: "10.0.0.0/20" } })).toBe(
      'Invalid configuration for environment "dev":\n  - network.vpcCidr: received "10.0.0.0/20"; allowed: a /19 or larger, to derive the subnets from (public 10.x.1-2, private 11-12, database 21-22 /24), or set network.publicSubnetCidrs, network.privateSubnetCidrs, network.databaseSubnetCidrs',
    );
  });

  test("fails when the VPC is too small to derive the one list left out", () => {
    const network = {
      vpcCidr: "10.0.0.0/20",
      publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"],
      privateSubnetCidrs: ["10.0.4.0/22", "10.0.8.0/22"],
    };
    expect(errorFor({ network })).toContain(
      'network.vpcCidr: received "10.0.0.0/20"; allowed: a /19 or larger, to derive the subnets from (public 10.x.1-2, private 11-12, database 21-22 /24), or set network.databaseSubnetCidrs',
    );
  });

  test("fails when more zones than a derived tier holds are configured", () => {
    const zones = "abcdefghijk".split("").map((z) => `us-east-1${z}`);
    expect(errorFor({ availabilityZones: zones })).toContain(
      `availabilityZones: received ${JSON.stringify(zones)}; allowed: at most 10 zones while the subnets are derived from network.vpcCidr, or set network.publicSubnetCidrs, network.privateSubnetCidrs, network.databaseSubnetCidrs`,
    );
  });

  test("a VPC too small for the layout is fine with its subnets set", () => {
    const network = {
      vpcCidr: "10.0.0.0/20",
      publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"],
      privateSubnetCidrs: ["10.0.4.0/22", "10.0.8.0/22"],
      databaseSubnetCidrs: ["10.0.2.0/24", "10.0.3.0/24"],
    };
    expect(testConfig("dev", { network }).network).toMatchObject(network);
  });
});

describe("bad configuration fails at synth time with the environment, setting, value and what is allowed", () => {
  test("fails for an unknown environment name", () => {
    expect(() => loadEnvironmentConfig("prod", { overrides: {}, env: {} })).toThrow(
      `Invalid configuration for environment "prod":\n  - environment: received "prod"; allowed: ${ENVIRONMENT_NAMES.join(", ")}`,
    );
  });

  test("fails for an unknown environment key in the override file", () => {
    expect(() => loadEnvironmentConfig("dev", { overrides: { nosuch: {} }, env: {} })).toThrow(
      `override file key: received "nosuch"; allowed: common, ${ENVIRONMENT_NAMES.join(", ")}`,
    );
  });

  test("fails when the override file is not JSON", () => {
    const file = join(mkdtempSync(join(tmpdir(), "cfg-")), "bad.json");
    writeFileSync(file, "{ nope");
    expect(() => loadEnvironmentConfig("dev", { env: { FARMERS_CONFIG_FILE: file } })).toThrow(
      /FARMERS_CONFIG_FILE: received ".*bad.json"; allowed: a JSON object keyed by common or environment name/,
    );
  });

  test("fails for a misspelt setting", () => {
    expect(errorFor({ service: { cpus: 256 } as never })).toContain(
      "service.cpus: received 256; allowed: only settings defined in config/schema.ts (misspelt?)",
    );
  });

  test("fails for a malformed VPC CIDR", () => {
    expect(errorFor({ network: { vpcCidr: "10.0.0.0/33" } })).toContain(
      'network.vpcCidr: received "10.0.0.0/33"; allowed: an IPv4 CIDR block such as 10.0.0.0/16 with no host bits set',
    );
  });

  test("fails for a CIDR with host bits set", () => {
    expect(errorFor({ network: { privateSubnetCidrs: ["10.0.11.5/24", "10.0.12.0/24"] } })).toContain(
      'network.privateSubnetCidrs.0: received "10.0.11.5/24"; allowed: an IPv4 CIDR block',
    );
  });

  test("fails for a subnet outside the VPC", () => {
    expect(errorFor({ network: { publicSubnetCidrs: ["10.0.1.0/24", "10.9.2.0/24"] } })).toContain(
      'network.publicSubnetCidrs.1: received "10.9.2.0/24"; allowed: a block inside the VPC 10.0.0.0/16',
    );
  });

  test("fails for overlapping subnets", () => {
    expect(errorFor({ network: { databaseSubnetCidrs: ["10.0.21.0/24", "10.0.11.0/25"] } })).toContain(
      'network.databaseSubnetCidrs.1: received "10.0.11.0/25"; allowed: a block not overlapping network.privateSubnetCidrs.0 (10.0.11.0/24)',
    );
  });

  test("fails for fewer than two availability zones", () => {
    expect(
      errorFor({
        availabilityZones: ["us-east-1a"],
        network: {
          publicSubnetCidrs: ["10.0.1.0/24"],
          privateSubnetCidrs: ["10.0.11.0/24"],
          databaseSubnetCidrs: ["10.0.21.0/24"],
        },
      }),
    ).toContain('availabilityZones: received ["us-east-1a"]; allowed: at least two availability zones');
  });

  test("fails for a region whose ALB log delivery has no ELB account", () => {
    expect(errorFor({ region: "ap-southeast-5", availabilityZones: ["ap-southeast-5a", "ap-southeast-5b"] })).toContain(
      'region: received "ap-southeast-5"; allowed: a region with an ELB log-delivery account: us-east-1, us-east-2',
    );
  });

  test("fails for a zone of another region", () => {
    expect(errorFor({ availabilityZones: ["us-east-1a", "eu-west-1b"] })).toContain(
      'availabilityZones.1: received "eu-west-1b"; allowed: zones of region us-east-1',
    );
  });

  test("fails when a tier has not one subnet per zone", () => {
    expect(errorFor({ network: { privateSubnetCidrs: ["10.0.11.0/24"] } })).toContain(
      'network.privateSubnetCidrs: received ["10.0.11.0/24"]; allowed: exactly one subnet per availability zone (2)',
    );
  });

  test("fails when min > desired", () => {
    expect(errorFor({ service: { minCount: 3, desiredCount: 2, maxCount: 4 } }, "beta")).toContain(
      'service.desiredCount: received {"minCount":3,"desiredCount":2,"maxCount":4}; allowed: minCount <= desiredCount <= maxCount',
    );
  });

  test("fails when desired > max", () => {
    expect(errorFor({ service: { desiredCount: 5 } }, "beta")).toContain(
      'received {"minCount":1,"desiredCount":5,"maxCount":4}; allowed: minCount <= desiredCount <= maxCount',
    );
  });

  test("fails for a CPU value Fargate does not offer", () => {
    expect(errorFor({ service: { cpu: 300 } })).toContain(
      "service.cpu: received 300; allowed: 256, 512, 1024, 2048, 4096, 8192, 16384",
    );
  });

  test("fails for a memory size that does not pair with the CPU", () => {
    expect(errorFor({ service: { cpu: 256, memoryMiB: 4096 } })).toContain(
      "service.memoryMiB: received 4096; allowed with cpu 256: 512, 1024, 2048",
    );
  });

  test("fails for an unknown instance class", () => {
    expect(errorFor({ database: { instanceClass: "db.t2.nano" } })).toContain(
      'database.instanceClass: received "db.t2.nano"; allowed: db.t4g.micro, db.t4g.small',
    );
  });

  test("fails when max storage is not above allocated storage", () => {
    expect(errorFor({ database: { allocatedStorageGiB: 60, maxAllocatedStorageGiB: 50 } })).toContain(
      "database.maxAllocatedStorageGiB: received 50; allowed: more than allocatedStorageGiB (60) so storage can autoscale",
    );
  });

  test("fails when storage is below the gp3 minimum", () => {
    expect(errorFor({ database: { allocatedStorageGiB: 10 } })).toContain(
      "database.allocatedStorageGiB: received 10; allowed: 20 to 65536 GiB for gp3",
    );
  });

  test("fails for a malformed account id", () => {
    expect(errorFor({ allowedAccountIds: ["12345"] })).toContain(
      'allowedAccountIds.0: received "12345"; allowed: a 12-digit AWS account id',
    );
  });

  test("fails for a malformed e-mail", () => {
    expect(errorFor({ observability: { criticalEmails: ["ops-at-example.com"] } })).toContain(
      'observability.criticalEmails.0: received "ops-at-example.com"; allowed: an e-mail address',
    );
  });

  test("fails for a malformed certificate ARN", () => {
    expect(errorFor({ loadBalancer: { certificate: { arn: "arn:aws:acm:us-east-1:123:certificate/x" } } })).toContain(
      'loadBalancer.certificate.arn: received "arn:aws:acm:us-east-1:123:certificate/x"; allowed: an ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<uuid>',
    );
  });

  test("fails for a malformed CodeStar connection ARN", () => {
    expect(
      errorFor({ pipeline: { source: { mode: "codestar-connection", connectionArn: "arn:aws:s3:::bucket" } } }),
    ).toContain(
      'pipeline.source.connectionArn: received "arn:aws:s3:::bucket"; allowed: an ARN such as arn:aws:codeconnections:us-east-1:123456789012:connection/<uuid>',
    );
  });

  test("fails for a log retention CloudWatch does not accept", () => {
    expect(errorFor({ observability: { logRetentionDays: 10 } })).toContain(
      "observability.logRetentionDays: received 10; allowed: 1, 3, 5, 7, 14, 30",
    );
  });

  test("fails for a backup retention over 35 days", () => {
    expect(errorFor({ database: { backupRetentionDays: 40 } })).toContain(
      "database.backupRetentionDays: received 40; allowed: 1 to 35 days",
    );
  });

  test("fails when the connection budget exceeds max_connections", () => {
    expect(errorFor({ service: { maxCount: 10 } })).toContain(
      "database.maxConnections: received 100; allowed: at least 2 x service.maxCount (10) x service.dbMaxConnsPerTask (20) + database.reservedConnections (20) = 420",
    );
  });

  test("fails when max_connections is too large for the instance's memory", () => {
    expect(errorFor({ database: { maxConnections: 5000 } })).toContain(
      "database.maxConnections: received 5000; allowed: at most 300 on db.t4g.small (150 per GiB of memory)",
    );
  });

  test("fails when production drops deletion protection", () => {
    expect(errorFor({ database: { deletionProtection: false } }, "production")).toContain(
      'Invalid configuration for environment "production":\n  - database.deletionProtection: received false; allowed: true when protection is "production"',
    );
  });

  test("fails when production skips the final snapshot", () => {
    expect(errorFor({ database: { skipFinalSnapshot: true } }, "production")).toContain(
      'database.skipFinalSnapshot: received true; allowed: false when protection is "production" (only a disposable environment may skip the final snapshot)',
    );
  });

  test("fails when production asks for Fargate Spot", () => {
    expect(errorFor({ service: { fargateSpot: true } }, "production")).toContain(
      `service.fargateSpot: received true; allowed: false when protection is "production" (Spot tasks can be reclaimed with two minutes' notice)`,
    );
  });

  test("fails when an environment of another name asks for production protection without its safety nets", () => {
    // GIVEN dev (protection "disposable", unprotected database, Spot) WHEN it asks for protection "production"
    // THEN every production requirement is refused: they follow the setting, not the name
    const message = errorFor({ protection: "production" }, "dev");
    for (const line of [
      'database.deletionProtection: received false; allowed: true when protection is "production"',
      'database.preventDestroy: received false; allowed: true when protection is "production"',
      'database.multiAz: received false; allowed: true when protection is "production"',
      'database.skipFinalSnapshot: received true; allowed: false when protection is "production"',
      'loadBalancer.deletionProtection: received false; allowed: true when protection is "production"',
      'service.fargateSpot: received true; allowed: false when protection is "production"',
    ])
      expect(message).toContain(line);
  });

  test("a disposable environment named production has no production requirements", () => {
    // GIVEN production with protection "disposable" and its safety nets off WHEN loaded THEN it is valid
    const c = testConfig("production", {
      protection: "disposable",
      database: { deletionProtection: false, preventDestroy: false, multiAz: false },
      loadBalancer: { deletionProtection: false },
    });
    expect([c.protection, c.database.deletionProtection, c.database.preventDestroy]).toEqual([
      "disposable",
      false,
      false,
    ]);
  });

  test("fails for an unknown protection level", () => {
    expect(errorFor({ protection: "none" as never })).toContain(
      'protection: received "none"; allowed: production, disposable (see PROTECTION_LEVELS in config/schema.ts)',
    );
  });

  test("fails when a requested certificate has no hosted zone", () => {
    expect(errorFor({ loadBalancer: { certificate: { domain: "farmers-dev.example.com", create: true } } })).toContain(
      'loadBalancer.certificate: received {"domain":"farmers-dev.example.com","create":true}; allowed: create only with loadBalancer.hostedZone set (the DNS validation records go into that zone)',
    );
  });

  test("a requested certificate with a hosted zone loads", () => {
    const hostedZone = { zoneId: "Z0123456789ABCDEFGHIJ", recordName: "farmers-dev.example.com" };
    expect(
      testConfig("dev", {
        loadBalancer: { certificate: { domain: "farmers-dev.example.com", create: true }, hostedZone },
      }).loadBalancer.certificate,
    ).toEqual({
      domain: "farmers-dev.example.com",
      create: true,
    });
  });

  test("fails for a malformed AAA endpoint", () => {
    expect(errorFor({ aaa: { endpoint: "aaa-service.internal" } })).toContain(
      'aaa.endpoint: received "aaa-service.internal"; allowed: host:port',
    );
  });

  test("fails when the AAA port is out of range", () => {
    expect(errorFor({ aaa: { endpoint: "aaa.internal:99999" } })).toContain(
      'aaa.endpoint: received "aaa.internal:99999"; allowed: host:port with a port from 1 to 65535, e.g. aaa-service.internal:50052',
    );
  });

  test("fails when a CORS origin has a path or trailing slash", () => {
    expect(errorFor({ service: { corsAllowedOrigins: ["https://app.kisanlink.in/"] } })).toContain(
      'service.corsAllowedOrigins.0: received "https://app.kisanlink.in/"; allowed: a bare origin scheme://host[:port] (no path, no trailing slash, no comma) such as https://app.kisanlink.in',
    );
  });

  test("fails when the AAA network names both a peering and a transit gateway", () => {
    expect(
      errorFor({
        aaa: {
          network: {
            cidr: "10.50.0.0/16",
            peeringConnectionId: "pcx-0123456789abcdef0",
            transitGatewayId: "tgw-0123456789abcdef0",
          },
        },
      }),
    ).toContain("aaa.network: received");
  });

  test("fails when the AAA network overlaps the VPC", () => {
    expect(
      errorFor({ aaa: { network: { cidr: "10.0.128.0/17", transitGatewayId: "tgw-0123456789abcdef0" } } }),
    ).toContain('aaa.network.cidr: received "10.0.128.0/17"; allowed: a block outside the VPC 10.0.0.0/16');
  });

  test("fails when the test listener port clashes with the container port", () => {
    expect(errorFor({ loadBalancer: { testListenerPort: 8000 } })).toContain(
      "loadBalancer.testListenerPort: received 8000; allowed: a port other than 80, 443 and 8000",
    );
  });

  test("fails for a state bucket name S3 rejects", () => {
    expect(errorFor({ state: { bucket: "Farmers_State" } })).toContain(
      'state.bucket: received "Farmers_State"; allowed: 3-63 lowercase letters, digits, dots and hyphens',
    );
  });

  test("lists every problem at once", () => {
    const message = errorFor({ service: { cpu: 300 }, allowedAccountIds: ["1"] });
    expect(message).toContain("service.cpu");
    expect(message).toContain("allowedAccountIds.0");
  });
});

describe("off-hours, egress and observability choices", () => {
  test("the three non-production environments sleep; production does not", () => {
    // GIVEN the checked-in configuration WHEN loaded THEN offHours.enabled per environment
    const enabled = Object.fromEntries(
      loadAllEnvironments({ overrides: {}, env: {} }).map((c) => [c.name, c.offHours.enabled]),
    );
    expect(enabled).toMatchObject({ dev: true, beta: true, staging: true, production: false });
  });

  test("staging keeps production's Container Insights and dashboard; dev and beta drop Container Insights", () => {
    const c = Object.fromEntries(
      loadAllEnvironments({ overrides: {}, env: {} }).map((e) => [
        e.name,
        [e.network.natGateways, e.service.containerInsights, e.observability.dashboard],
      ]),
    );
    expect(c).toMatchObject({
      dev: ["none", false, false],
      beta: ["none", false, true],
      staging: ["none", true, true],
      production: ["one-per-az", true, true],
    });
  });

  test("fails when production asks to sleep", () => {
    expect(errorFor({ offHours: { enabled: true } }, "production")).toContain(
      'offHours.enabled: received true; allowed: false when protection is "production" (customers use it around the clock)',
    );
  });

  test("fails when production asks for no NAT gateway", () => {
    expect(errorFor({ network: { natGateways: "none" } }, "production")).toContain(
      'network.natGateways: received "none"; allowed: one-per-az or single when protection is "production" (tasks stay in private subnets)',
    );
  });

  test("fails for an unknown egress mode", () => {
    expect(errorFor({ network: { natGateways: "instance" as never } })).toContain(
      'network.natGateways: received "instance"',
    );
  });

  test("fails for a time zone that is not an IANA name", () => {
    expect(errorFor({ offHours: { timeZone: "IST" } })).toContain(
      'offHours.timeZone: received "IST"; allowed: an IANA time zone such as Asia/Kolkata or UTC',
    );
  });

  test("fails for a wake-up time that is not HH:MM", () => {
    expect(errorFor({ offHours: { wakeAt: "8am" } })).toContain(
      'offHours.wakeAt: received "8am"; allowed: a 24-hour time HH:MM such as 08:00',
    );
  });

  test("fails when the service would sleep before it wakes", () => {
    expect(errorFor({ offHours: { wakeAt: "20:00", sleepAt: "08:00" } })).toContain(
      'offHours.sleepAt: received "08:00"; allowed: a time after wakeAt (20:00) on the same day',
    );
  });

  test("fails when the database would start the day before", () => {
    expect(errorFor({ offHours: { wakeAt: "00:10", databaseLeadMinutes: 20 } })).toContain(
      "offHours.databaseLeadMinutes: received 20; allowed: at most 10 so the database starts on the same day as wakeAt (00:10)",
    );
  });

  test("fails when the database would stop after midnight", () => {
    expect(errorFor({ offHours: { sleepAt: "23:50" } })).toContain(
      'offHours.sleepAt: received "23:50"; allowed: at most 23:44 (the database stops 15 minutes later, the same day)',
    );
  });

  test("fails for an unknown day and for a day given twice", () => {
    expect(errorFor({ offHours: { awakeDays: ["MON", "FUN" as never] } })).toContain(
      'offHours.awakeDays.1: received "FUN"',
    );
    expect(errorFor({ offHours: { awakeDays: ["MON", "MON"] } })).toContain(
      'offHours.awakeDays: received ["MON","MON"]; allowed: each day once',
    );
  });
});
