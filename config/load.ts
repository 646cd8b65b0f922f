import { readFileSync } from "node:fs";

import { common } from "./common";
import { type EnvironmentList, ENVIRONMENTS, RESERVED_NAMES } from "./environments";
import { type EnvironmentConfig, environmentConfigSchema } from "./schema";
import { STRICT_VARIABLE, strictEnvironments, strictProblems } from "./strict";
import type { ConfigLayer } from "./types";

/**
 * Operator overrides, by environment name or `common` for all. Read from the JSON file named by
 * `FARMERS_CONFIG_FILE`; a few account-wide values may also come from environment variables
 * (see ENV_VARIABLES). Neither needs editing code.
 */
export type OverrideFile = Partial<Record<string, ConfigLayer>>;

/** Environment variables read as overrides, and the setting each one sets. */
export const ENV_VARIABLES = {
  FARMERS_CONFIG_FILE: 'path of a JSON override file: { "common": {...}, "production": {...} }',
  FARMERS_STATE_BUCKET: "state.bucket",
  FARMERS_STATE_LOCK_TABLE: "state.lockTable",
  FARMERS_ALLOWED_ACCOUNT_IDS: "allowedAccountIds (comma-separated)",
  FARMERS_ALARM_EMAILS: "observability.criticalEmails and warningEmails (comma-separated)",
  [STRICT_VARIABLE]:
    "strict mode: 1 (every environment) or environment names (comma-separated); refuses placeholders (config/strict.ts)",
} as const;

/** Raised when configuration is invalid; the message lists every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration for environment "${environment}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface LoadOptions {
  /** Overrides applied last, as if read from the override file. @default - read FARMERS_CONFIG_FILE */
  readonly overrides?: OverrideFile;
  /** Variables to read overrides from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The environments and their checked-in layers, in promotion order.
   * @default ENVIRONMENTS (config/environments.ts)
   */
  readonly environments?: EnvironmentList;
}

/** Loads, merges and validates one environment's configuration. Throws ConfigError. */
export function loadEnvironmentConfig(name: string, options: LoadOptions = {}): EnvironmentConfig {
  const environments: EnvironmentList = options.environments ?? ENVIRONMENTS;
  const names = checkedNames(environments);
  if (!names.includes(name)) {
    throw new ConfigError(name, [`environment: received ${JSON.stringify(name)}; allowed: ${names.join(", ")}`]);
  }
  const env = options.env ?? process.env;
  const overrides = options.overrides ?? readOverrideFile(env.FARMERS_CONFIG_FILE);
  for (const key of Object.keys(overrides)) {
    if (key !== "common" && !names.includes(key))
      throw new ConfigError(key, [
        `override file key: received ${JSON.stringify(key)}; allowed: common, ${names.join(", ")}`,
      ]);
  }
  const operatorLayers = [overrides.common ?? {}, overrides[name] ?? {}, envVariableLayer(env)];
  // The list's key names the environment; a file may repeat it (checked below) or leave it out.
  const merged = [common, { name }, environments[name], ...operatorLayers].reduce(
    (acc, layer) => deepMerge(acc, layer),
    {} as Record<string, unknown>,
  );
  const result = environmentConfigSchema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(
      name,
      result.error.issues.flatMap((issue) => {
        if (issue.code === "unrecognized_keys") {
          const input = (issue.input ?? {}) as Record<string, unknown>;
          return issue.keys.map(
            (key) =>
              `${[...issue.path, key].join(".")}: received ${brief(input[key])}; allowed: only settings defined in config/schema.ts (misspelt?)`,
          );
        }
        const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
        const received = "input" in issue ? `received ${brief(issue.input)}; ` : "";
        return [`${path}: ${received}${issue.message}`];
      }),
    );
  }
  if (result.data.name !== name)
    throw new ConfigError(name, [
      `name: received ${JSON.stringify(result.data.name)}; allowed: ${JSON.stringify(name)} (the environment being loaded)`,
    ]);
  const strict = strictEnvironments(env[STRICT_VARIABLE], names);
  if (typeof strict === "string") throw new ConfigError(name, [strict]);
  const goLive = strict?.includes(name) ? strictProblems(result.data, operatorLayers) : [];
  if (goLive.length > 0) throw new ConfigError(name, goLive);
  return result.data;
}

/** Loads every environment of the list, in its order; used by main.ts. */
export function loadAllEnvironments(options: LoadOptions = {}): EnvironmentConfig[] {
  return checkedNames(options.environments ?? ENVIRONMENTS).map((name) => loadEnvironmentConfig(name, options));
}

/** The list's names, refusing one that would collide with the bootstrap stack or the override file's `common`. */
function checkedNames(environments: EnvironmentList): string[] {
  const names = Object.keys(environments);
  const reserved = names.find((n) => RESERVED_NAMES.includes(n));
  if (reserved !== undefined)
    throw new ConfigError(reserved, [
      `environment: received ${JSON.stringify(reserved)}; allowed: any name but ${RESERVED_NAMES.join(" and ")} (the state stack and the override file's shared layer)`,
    ]);
  if (names.length === 0)
    throw new ConfigError("(none)", [
      "environments: received an empty list; allowed: at least one environment (config/environments.ts)",
    ]);
  return names;
}

/** A value as JSON, shortened so one message stays readable. */
function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function readOverrideFile(path: string | undefined): OverrideFile {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError("common", [
      `FARMERS_CONFIG_FILE: received ${JSON.stringify(path)}; allowed: a readable JSON file (${(e as Error).message})`,
    ]);
  }
  const refuse = (why: string) =>
    new ConfigError("common", [
      `FARMERS_CONFIG_FILE: received ${JSON.stringify(path)}; allowed: a JSON object keyed by common or environment name (${why})`,
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw refuse((e as Error).message);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw refuse("not a JSON object");
  return parsed as OverrideFile;
}

function envVariableLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  const list = (v: string | undefined) =>
    v === undefined
      ? undefined
      : v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  const emails = list(env.FARMERS_ALARM_EMAILS);
  const layer: ConfigLayer = {
    state: { bucket: env.FARMERS_STATE_BUCKET, lockTable: env.FARMERS_STATE_LOCK_TABLE },
    allowedAccountIds: list(env.FARMERS_ALLOWED_ACCOUNT_IDS),
    observability: { criticalEmails: emails, warningEmails: emails },
  };
  return layer;
}

/**
 * Settings that are one choice among shapes ({ arn } or { domain }; one source mode or another):
 * a layer replaces them whole, so an override never ends up with both shapes' fields.
 */
export const ATOMIC_SETTINGS: readonly string[] = [
  "loadBalancer.certificate",
  "pipeline.source",
  "aaa.network",
  "loadBalancer.hostedZone",
];

/** Merges plain objects key by key; arrays, scalars and ATOMIC_SETTINGS replace; undefined leaves the value. */
export function deepMerge(base: Record<string, unknown>, layer: unknown, path = ""): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries((layer ?? {}) as Record<string, unknown>)) {
    if (value === undefined) continue;
    const current = out[key];
    const keyPath = path ? `${path}.${key}` : key;
    const merge = isPlainObject(value) && isPlainObject(current) && !ATOMIC_SETTINGS.includes(keyPath);
    out[key] = merge ? deepMerge(current, value, keyPath) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
