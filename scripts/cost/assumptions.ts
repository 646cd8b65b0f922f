/**
 * Usage the synthesized stacks cannot tell: traffic, log volume, build minutes... Each has a
 * default (documented in docs/cost.md), is printed with every estimate, and can be overridden
 * on the command line for all stacks (`--assume natDataGb=100`) or for one environment
 * (`--assume production.natDataGb=100`).
 */

import { UsageError } from "../command-line";
import defaults from "./assumptions.json";

export interface Assumption {
  readonly value: number;
  readonly unit: string;
  readonly description: string;
}

/** The default of every assumption, with its unit and what it means (data: assumptions.json). */
export const DEFAULT_ASSUMPTIONS = defaults satisfies Record<string, Assumption>;

export type AssumptionKey = keyof typeof DEFAULT_ASSUMPTIONS;
export type Assumptions = Readonly<Record<AssumptionKey, number>>;

export const ASSUMPTION_KEYS = Object.keys(DEFAULT_ASSUMPTIONS) as AssumptionKey[];

/** Default values as a plain record. */
function defaultAssumptions(): Assumptions {
  return Object.fromEntries(ASSUMPTION_KEYS.map((k) => [k, DEFAULT_ASSUMPTIONS[k].value])) as Assumptions;
}

/** Overrides parsed from `--assume` arguments: for all stacks, and per environment. */
export interface AssumptionOverrides {
  readonly all: Partial<Record<AssumptionKey, number>>;
  readonly byEnvironment: Readonly<Record<string, Partial<Record<AssumptionKey, number>>>>;
}

/**
 * Parses `key=value` or `<env>.key=value` pairs. Throws UsageError for an unknown key, a value
 * that is not a non-negative number, or a malformed pair.
 */
export function parseAssumptionOverrides(
  pairs: readonly string[],
  environments: readonly string[],
): AssumptionOverrides {
  const all: Partial<Record<AssumptionKey, number>> = {};
  const byEnvironment: Record<string, Partial<Record<AssumptionKey, number>>> = {};
  for (const pair of pairs) {
    const match = /^(?:([a-z0-9-]+)\.)?([A-Za-z0-9]+)=(.*)$/.exec(pair);
    if (!match)
      throw new UsageError(
        `--assume: received ${JSON.stringify(pair)}; allowed: key=value or <env>.key=value, e.g. natDataGb=100 or production.natDataGb=100`,
      );
    const [, env, key, raw] = match;
    if (!(ASSUMPTION_KEYS as string[]).includes(key))
      throw new UsageError(
        `--assume: received unknown key ${JSON.stringify(key)}; allowed: ${ASSUMPTION_KEYS.join(", ")}`,
      );
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < 0)
      throw new UsageError(`--assume ${key}: received ${JSON.stringify(raw)}; allowed: a number >= 0`);
    if (key === "hoursPerMonth" && value > 744)
      throw new UsageError(`--assume hoursPerMonth: received ${raw}; allowed: at most 744 (a 31-day month)`);
    if (env !== undefined) {
      if (!environments.includes(env))
        throw new UsageError(
          `--assume: received environment ${JSON.stringify(env)}; allowed: ${environments.join(", ")}`,
        );
      (byEnvironment[env] ??= {})[key as AssumptionKey] = value;
    } else {
      all[key as AssumptionKey] = value;
    }
  }
  return { all, byEnvironment };
}

/** The assumptions for one environment: defaults, then overrides for all, then its own. */
export function assumptionsFor(
  environment: string | undefined,
  overrides: AssumptionOverrides = { all: {}, byEnvironment: {} },
): Assumptions {
  return { ...defaultAssumptions(), ...overrides.all, ...(environment ? overrides.byEnvironment[environment] : {}) };
}
