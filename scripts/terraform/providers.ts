import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { type Json } from "../../constructs/terraform-json";
import { PROJECT_ROOT } from "../project-root";

/**
 * Where terraform gets its providers for validate and the offline plan, chosen from configuration
 * only (never by probing the network):
 *
 * - `FARMERS_TF_PROVIDERS=mirror|registry` decides when set;
 * - otherwise `TF_PROVIDER_MIRROR` naming a folder selects that mirror;
 * - otherwise the mirror at /opt/tf-plugins when that folder exists (the offline development
 *   machine);
 * - otherwise the Terraform registry, through a plugin cache, with exactly the versions the
 *   stacks pin (a user's machine, GitHub Actions).
 *
 * The mirror may hold other versions than the pins (this machine's holds aws 5.100.0 while the
 * stacks pin 6.25.0): the aws constraint is then rewritten to the mirrored version, and
 * resources of providers the mirror lacks (random) become stand-ins (see prepare.ts). That is
 * why the constructs keep to resources and attributes both aws 5.100 and 6.25 accept.
 */

export const DEFAULT_MIRROR = "/opt/tf-plugins";
const REGISTRY_HOST = "registry.terraform.io";

type Env = Readonly<Record<string, string | undefined>>;

export interface MirrorSource {
  readonly kind: "mirror";
  readonly mirror: string;
  /** Why this source was chosen, for the test output. */
  readonly reason: string;
}

export interface RegistrySource {
  readonly kind: "registry";
  /** The plugin cache terraform downloads into once and links from afterwards. */
  readonly pluginCacheDir: string;
  readonly reason: string;
}

export type ProviderSource = MirrorSource | RegistrySource;

/** A missing or unusable provider source: one line that says what is missing and how to fix it. */
export class ProviderSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderSourceError";
  }
}

/** The provider source the environment's configuration selects; reads no network, only `env` and whether the default mirror folder exists. */
export function selectProviderSource(env: Env = process.env, projectRoot = PROJECT_ROOT): ProviderSource {
  const registry = (reason: string): RegistrySource => ({
    kind: "registry",
    pluginCacheDir: env.TF_PLUGIN_CACHE_DIR || join(projectRoot, "node_modules", ".cache", "terraform-plugins"),
    reason,
  });
  const forced = env.FARMERS_TF_PROVIDERS;
  if (forced !== undefined && forced !== "") {
    if (forced === "registry") return registry("FARMERS_TF_PROVIDERS=registry");
    if (forced === "mirror")
      return {
        kind: "mirror",
        mirror: env.TF_PROVIDER_MIRROR || DEFAULT_MIRROR,
        reason: "FARMERS_TF_PROVIDERS=mirror",
      };
    throw new ProviderSourceError(
      `FARMERS_TF_PROVIDERS must be "mirror" or "registry"; received ${JSON.stringify(forced)}`,
    );
  }
  if (env.TF_PROVIDER_MIRROR)
    return { kind: "mirror", mirror: env.TF_PROVIDER_MIRROR, reason: `TF_PROVIDER_MIRROR=${env.TF_PROVIDER_MIRROR}` };
  if (existsSync(DEFAULT_MIRROR))
    return { kind: "mirror", mirror: DEFAULT_MIRROR, reason: `the folder ${DEFAULT_MIRROR} exists` };
  return registry(`no TF_PROVIDER_MIRROR and no ${DEFAULT_MIRROR}`);
}

/** `hashicorp/aws` for the synthesized `"source": "aws"` or `"hashicorp/aws"`. */
export function fullSource(source: string): string {
  const parts = source.replace(`${REGISTRY_HOST}/`, "").split("/");
  return parts.length === 1 ? `hashicorp/${parts[0]}` : parts.join("/");
}

/** Versions of `hashicorp/<name>` in a mirror's unpacked layout (`<host>/<ns>/<type>/<version>/<os_arch>/`) that hold a binary for this platform. */
function mirroredVersions(mirror: string, provider: string, platform = currentPlatform()): string[] {
  const dir = join(mirror, REGISTRY_HOST, ...fullSource(provider).split("/"));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((version) => {
      const binDir = join(dir, version, platform);
      return existsSync(binDir) && readdirSync(binDir).some((f) => f.startsWith("terraform-provider-"));
    })
    .sort(compareVersions);
}

/**
 *
 */
export function currentPlatform(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch === "ia32" ? "386" : process.arch;
  return `${process.platform}_${arch}`;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++)
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** required_providers entry as synthesized: `{ source, version }`. */
export interface ProviderRequirement {
  readonly source: string;
  readonly version: string;
}

/**
 * What terraform is told, per source: the CLI configuration file, the providers (with exact
 * versions) the shared install gets, and which synthesized providers are replaced by stand-ins.
 * Pure: tests check the registry branch from this, without ever running `init` against it.
 */
export interface ProviderSetup {
  readonly source: ProviderSource;
  /** Content of the file TF_CLI_CONFIG_FILE points at. */
  readonly cliConfig: string;
  /** The required_providers of the shared install (and of every prepared stack). */
  readonly requiredProviders: Record<string, ProviderRequirement>;
  /** Providers the stacks use that this source cannot supply: their resources become terraform_data. */
  readonly standInProviders: readonly string[];
  /** One line for the test output: source, versions and why. */
  readonly description: string;
}

/** The required_providers of all stacks; fails when two stacks pin different versions. */
export function pinnedProviders(stacks: Readonly<Record<string, Json>>): Record<string, ProviderRequirement> {
  const pins: Record<string, ProviderRequirement & { stack: string }> = {};
  for (const [stack, json] of Object.entries(stacks)) {
    for (const [name, req] of Object.entries(
      (json.terraform?.required_providers ?? {}) as Record<string, ProviderRequirement>,
    )) {
      const seen = pins[name];
      if (seen && seen.version !== req.version)
        throw new ProviderSourceError(
          `stacks pin different ${name} provider versions: ${seen.stack} ${seen.version}, ${stack} ${req.version}`,
        );
      pins[name] ??= { source: req.source, version: req.version, stack };
    }
  }
  return Object.fromEntries(Object.entries(pins).map(([name, p]) => [name, { source: p.source, version: p.version }]));
}

/** The provider setup for `source` and the stacks' pins. Throws ProviderSourceError when a mirror lacks aws. */
export function providerSetup(source: ProviderSource, pins: Record<string, ProviderRequirement>): ProviderSetup {
  if (source.kind === "registry") {
    // Exactly the pinned versions, downloaded once into the plugin cache. `direct` is the
    // registry; nothing else is configured, so no other installation method is tried.
    const cliConfig = `plugin_cache_dir = ${JSON.stringify(source.pluginCacheDir)}\nprovider_installation {\n  direct {}\n}\n`;
    const versions = Object.entries(pins)
      .map(([name, p]) => `${name} ${p.version}`)
      .join(", ");
    return {
      source,
      cliConfig,
      requiredProviders: { ...pins },
      standInProviders: [],
      description: `providers from the Terraform registry (${versions}, the pinned versions; plugin cache ${source.pluginCacheDir}) because ${source.reason}`,
    };
  }
  const mirror = source.mirror;
  const awsVersions = mirroredVersions(mirror, "hashicorp/aws");
  if (awsVersions.length === 0) {
    const why = existsSync(mirror) ? `holds no hashicorp/aws provider for ${currentPlatform()}` : "does not exist";
    throw new ProviderSourceError(
      `the terraform provider mirror ${mirror} (selected because ${source.reason}) ${why}: ` +
        `expected ${join(mirror, REGISTRY_HOST, "hashicorp", "aws", "<version>", currentPlatform())}/terraform-provider-aws_*; ` +
        `build one (see docs/ci.md) or set FARMERS_TF_PROVIDERS=registry to use the Terraform registry`,
    );
  }
  const requiredProviders: Record<string, ProviderRequirement> = {};
  const standInProviders: string[] = [];
  const used: string[] = [];
  for (const [name, pin] of Object.entries(pins)) {
    const available = mirroredVersions(mirror, pin.source);
    if (available.length === 0) {
      standInProviders.push(name);
      continue;
    }
    // The pinned version when the mirror has it, else the newest mirrored one.
    const version = available.includes(pin.version) ? pin.version : available.at(-1)!;
    requiredProviders[name] = { source: pin.source, version };
    used.push(
      version === pin.version ? `${name} ${version}` : `${name} ${version} instead of the pinned ${pin.version}`,
    );
  }
  const includes = Object.values(requiredProviders).map((p) =>
    JSON.stringify(`${REGISTRY_HOST}/${fullSource(p.source)}`),
  );
  // Only the mirror: no `direct` block, so terraform never contacts a registry.
  const cliConfig = `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = [${includes.join(", ")}]\n  }\n}\n`;
  const standIns =
    standInProviders.length > 0
      ? `; ${standInProviders.join(", ")} not mirrored: its resources are terraform_data stand-ins`
      : "";
  return {
    source,
    cliConfig,
    requiredProviders,
    standInProviders,
    description: `providers from the mirror ${mirror} (${used.join(", ")}${standIns}) because ${source.reason}`,
  };
}
