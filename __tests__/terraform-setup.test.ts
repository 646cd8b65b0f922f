import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  LOOPBACK_ENDPOINT,
  OFFLINE_ACCOUNT_ID,
  offlineEnvironment,
  prepareForOfflinePlan,
} from "../scripts/terraform/offline";
import {
  currentPlatform,
  DEFAULT_MIRROR,
  pinnedProviders,
  providerSetup,
  type ProviderSource,
  selectProviderSource,
} from "../scripts/terraform/providers";
import { initArguments, installConfiguration, prepareStack } from "../scripts/terraform/workspace";
import type { Json } from "./helpers";

/**
 * What terraform is told, without running it: which provider source is selected and why, the
 * CLI configuration and versions of each source (the registry branch is checked here, never run
 * on this machine), and the rewrites of a stack for validate and the offline plan.
 */

const PINS = { aws: { source: "aws", version: "6.25.0" }, random: { source: "hashicorp/random", version: "3.7.2" } };
const ROOT = "/project";

describe("provider source selection (configuration only, never the network)", () => {
  test("FARMERS_TF_PROVIDERS=registry selects the registry with the plugin cache in TF_PLUGIN_CACHE_DIR", () => {
    expect(
      selectProviderSource(
        { FARMERS_TF_PROVIDERS: "registry", TF_PROVIDER_MIRROR: "/m", TF_PLUGIN_CACHE_DIR: "/cache" },
        ROOT,
      ),
    ).toEqual({ kind: "registry", pluginCacheDir: "/cache", reason: "FARMERS_TF_PROVIDERS=registry" });
  });

  test("the registry's plugin cache defaults to node_modules/.cache/terraform-plugins", () => {
    expect(selectProviderSource({ FARMERS_TF_PROVIDERS: "registry" }, ROOT)).toMatchObject({
      pluginCacheDir: "/project/node_modules/.cache/terraform-plugins",
    });
  });

  test("TF_PROVIDER_MIRROR selects that mirror", () => {
    expect(selectProviderSource({ TF_PROVIDER_MIRROR: "/somewhere" }, ROOT)).toEqual({
      kind: "mirror",
      mirror: "/somewhere",
      reason: "TF_PROVIDER_MIRROR=/somewhere",
    });
  });

  test("FARMERS_TF_PROVIDERS=mirror selects the default mirror", () => {
    expect(selectProviderSource({ FARMERS_TF_PROVIDERS: "mirror" }, ROOT)).toEqual({
      kind: "mirror",
      mirror: DEFAULT_MIRROR,
      reason: "FARMERS_TF_PROVIDERS=mirror",
    });
  });

  test("fails when FARMERS_TF_PROVIDERS is neither mirror nor registry", () => {
    expect(() => selectProviderSource({ FARMERS_TF_PROVIDERS: "both" }, ROOT)).toThrow(
      'FARMERS_TF_PROVIDERS must be "mirror" or "registry"; received "both"',
    );
  });

  test("all stacks must pin the same provider versions", () => {
    const a = { terraform: { required_providers: { aws: { source: "aws", version: "6.25.0" } } } };
    const b = { terraform: { required_providers: { aws: { source: "aws", version: "6.24.0" } } } };
    expect(() => pinnedProviders({ a, b })).toThrow("stacks pin different aws provider versions: a 6.25.0, b 6.24.0");
  });
});

describe("registry branch: what terraform would be told (checked, never run here)", () => {
  const source: ProviderSource = {
    kind: "registry",
    pluginCacheDir: "/cache",
    reason: "FARMERS_TF_PROVIDERS=registry",
  };
  const setup = providerSetup(source, PINS);

  test("the CLI configuration installs from the registry only, through the plugin cache", () => {
    expect(setup.cliConfig).toBe('plugin_cache_dir = "/cache"\nprovider_installation {\n  direct {}\n}\n');
  });

  test("init installs exactly the pinned versions, random included, with no stand-ins", () => {
    expect(installConfiguration(setup)).toEqual({ terraform: { required_providers: PINS } });
    expect(setup.standInProviders).toEqual([]);
  });

  test("init never configures a backend nor prompts", () => {
    expect(initArguments()).toEqual(["init", "-backend=false", "-input=false", "-no-color"]);
  });

  test("a stack keeps its pinned versions and its random resources", () => {
    const prepared = prepareStack(
      {
        terraform: { backend: { s3: {} }, required_providers: PINS },
        provider: { aws: [{}], random: [{}] },
        resource: { random_password: { p: { length: 32 } } },
      },
      setup,
    );
    expect(prepared.terraform).toEqual({ required_providers: PINS });
    expect(prepared.resource.random_password.p).toEqual({ length: 32 });
  });

  test("the test output names the source, the versions and why", () => {
    expect(setup.description).toBe(
      "providers from the Terraform registry (aws 6.25.0, random 3.7.2, the pinned versions; plugin cache /cache) because FARMERS_TF_PROVIDERS=registry",
    );
  });
});

describe("mirror branch", () => {
  let mirror: string;
  beforeEach(() => {
    mirror = mkdtempSync(join(tmpdir(), "farmers-mirror-"));
  });
  afterEach(() => rmSync(mirror, { recursive: true, force: true }));
  const source = (path: string): ProviderSource => ({
    kind: "mirror",
    mirror: path,
    reason: "TF_PROVIDER_MIRROR=" + path,
  });
  const addProvider = (name: string, version: string) => {
    const dir = join(mirror, "registry.terraform.io", "hashicorp", name, version, currentPlatform());
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `terraform-provider-${name}_v${version}_x5`), "");
  };

  test("fails with one line naming what is missing when the mirror does not exist", () => {
    const missing = join(mirror, "nope");
    expect(() => providerSetup(source(missing), PINS)).toThrow(
      `the terraform provider mirror ${missing} (selected because TF_PROVIDER_MIRROR=${missing}) does not exist: expected ${missing}/registry.terraform.io/hashicorp/aws/<version>/${currentPlatform()}/terraform-provider-aws_*; build one (see docs/ci.md) or set FARMERS_TF_PROVIDERS=registry to use the Terraform registry`,
    );
  });

  test("fails when the mirror folder is empty", () => {
    expect(() => providerSetup(source(mirror), PINS)).toThrow(
      `the terraform provider mirror ${mirror} (selected because TF_PROVIDER_MIRROR=${mirror}) holds no hashicorp/aws provider for ${currentPlatform()}: expected ${mirror}/registry.terraform.io/hashicorp/aws/<version>/${currentPlatform()}/terraform-provider-aws_*`,
    );
  });

  test("fails when the aws version folder holds no provider binary", () => {
    mkdirSync(join(mirror, "registry.terraform.io", "hashicorp", "aws", "5.100.0", currentPlatform()), {
      recursive: true,
    });
    expect(() => providerSetup(source(mirror), PINS)).toThrow("holds no hashicorp/aws provider");
  });

  test("uses the mirrored aws version, installs from the mirror only, and stands in for random", () => {
    addProvider("aws", "5.100.0");
    const setup = providerSetup(source(mirror), PINS);
    expect(setup.requiredProviders).toEqual({ aws: { source: "aws", version: "5.100.0" } });
    expect(setup.standInProviders).toEqual(["random"]);
    expect(setup.cliConfig).toBe(
      `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
    );
    expect(setup.description).toBe(
      `providers from the mirror ${mirror} (aws 5.100.0 instead of the pinned 6.25.0; random not mirrored: its resources are terraform_data stand-ins) because TF_PROVIDER_MIRROR=${mirror}`,
    );
  });

  test("prefers the pinned versions when the mirror holds them", () => {
    addProvider("aws", "5.100.0");
    addProvider("aws", "6.25.0");
    addProvider("random", "3.7.2");
    expect(providerSetup(source(mirror), PINS).requiredProviders).toEqual(PINS);
  });
});

describe("prepareStack", () => {
  const stack: Json = {
    terraform: { backend: { s3: { bucket: "b" } }, required_providers: PINS },
    provider: { aws: [{}], random: [{}] },
    resource: {
      random_password: { db: { length: 32 } },
      aws_secretsmanager_secret_version: { v: { secret_string: "${random_password.db.result}" } },
    },
  };
  const prepared = prepareStack(stack, {
    requiredProviders: { aws: { source: "aws", version: "5.100.0" } },
    standInProviders: ["random"],
  });

  test("removes the backend so nothing touches S3", () => {
    expect(prepared.terraform.backend).toBeUndefined();
  });

  test("pins aws to the installed version and drops providers it lacks", () => {
    expect(prepared.terraform.required_providers).toEqual({ aws: { source: "aws", version: "5.100.0" } });
    expect(Object.keys(prepared.provider)).toEqual(["aws"]);
  });

  test("replaces random resources with terraform_data and rewrites references", () => {
    expect(prepared.resource.random_password).toBeUndefined();
    expect(prepared.resource.terraform_data.random_password_db).toBeDefined();
    expect(prepared.resource.aws_secretsmanager_secret_version.v.secret_string).toBe(
      "${terraform_data.random_password_db.output}",
    );
  });
});

describe("prepareForOfflinePlan", () => {
  const stack: Json = {
    provider: {
      aws: [{ region: "eu-west-1", allowed_account_ids: ["111111111111"], default_tags: [{ tags: { A: "b" } }] }],
    },
    data: {
      aws_caller_identity: { me: {} },
      aws_partition: { p: {} },
      aws_acm_certificate: { cert: { domain: "api.example.com", statuses: ["ISSUED"] } },
    },
    variable: { token: { type: "string", sensitive: true }, with_default: { type: "string", default: "x" } },
    resource: {
      aws_sns_topic: {
        t: {
          name: "arn:${data.aws_partition.p.partition}:${data.aws_caller_identity.me.account_id}",
          depends_on: ["data.aws_caller_identity.me", "data.aws_partition.p"],
        },
      },
      aws_lb_listener: { l: { certificate_arn: "${data.aws_acm_certificate.cert.arn}" } },
    },
  };
  const offline = prepareForOfflinePlan(stack, "test-stack");

  test("the provider gets fake keys, skips its start-up calls, makes one attempt, and loses the account restriction", () => {
    expect(offline.stack.provider.aws).toEqual([
      {
        region: "eu-west-1",
        default_tags: [{ tags: { A: "b" } }],
        access_key: "AKIAOFFLINEPLAN00000",
        secret_key: "offline-plan-fake-secret-key-not-a-credential",
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: "true",
        skip_region_validation: true,
        max_retries: 1,
      },
    ]);
  });

  test("data sources that call AWS become locals with fixed values; offline ones stay", () => {
    expect(Object.keys(offline.stack.data)).toEqual(["aws_partition"]);
    expect(offline.stack.locals.offline_aws_caller_identity_me.account_id).toBe(OFFLINE_ACCOUNT_ID);
    expect(offline.stack.locals.offline_aws_acm_certificate_cert).toMatchObject({
      domain: "api.example.com",
      arn: `arn:aws:acm:eu-west-1:${OFFLINE_ACCOUNT_ID}:certificate/00000000-0000-4000-8000-000000000000`,
    });
    expect(offline.standIns).toEqual(["aws_caller_identity.me", "aws_acm_certificate.cert"]);
  });

  test("references point at the stand-ins, and depends_on drops them", () => {
    expect(offline.stack.resource.aws_sns_topic.t).toEqual({
      name: "arn:${data.aws_partition.p.partition}:${local.offline_aws_caller_identity_me.account_id}",
      depends_on: ["data.aws_partition.p"],
    });
    expect(offline.stack.resource.aws_lb_listener.l.certificate_arn).toBe(
      "${local.offline_aws_acm_certificate_cert.arn}",
    );
  });

  test("variables without a default get a placeholder", () => {
    expect(offline.variables).toEqual({ token: "offline-plan-stand-in" });
  });

  test("fails before terraform starts on a data source that would call AWS and has no stand-in", () => {
    const withVpc = { ...stack, data: { aws_vpc: { main: { default: true } } } };
    expect(() => prepareForOfflinePlan(withVpc, "test-stack")).toThrow(
      "data.aws_vpc.main in test-stack would call AWS during an offline plan: add a stand-in for aws_vpc to STAND_INS in scripts/terraform/offline.ts (or, if the provider computes it without a request, to OFFLINE_DATA_SOURCES)",
    );
  });

  test("fails on a stand-in data source with count", () => {
    const counted = { ...stack, data: { aws_caller_identity: { many: { count: 2 } } } };
    expect(() => prepareForOfflinePlan(counted, "test-stack")).toThrow(
      "data.aws_caller_identity.many in test-stack uses count/for_each, which the stand-ins in scripts/terraform/offline.ts do not support yet",
    );
  });

  test("terraform's environment keeps none of the caller's AWS settings or proxies and points every endpoint and proxy at loopback", () => {
    const env = offlineEnvironment({
      PATH: "/bin",
      AWS_PROFILE: "prod",
      AWS_ACCESS_KEY_ID: "AKIAREAL",
      AWS_ENDPOINT_URL_STS: "https://sts.example",
      https_proxy: "http://proxy:3128",
      NO_PROXY: "*",
    });
    expect(env).toEqual({
      PATH: "/bin",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL: LOOPBACK_ENDPOINT,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      HTTP_PROXY: LOOPBACK_ENDPOINT,
      HTTPS_PROXY: LOOPBACK_ENDPOINT,
    });
  });
});
