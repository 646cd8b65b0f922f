import { beta } from "./beta";
import { dev } from "./dev";
import { production } from "./production";
import { staging } from "./staging";
import type { ConfigLayer } from "./types";

/**
 * Every environment, in promotion order (a change goes dev, then beta, staging, production).
 * This is the one place that names them: the stacks, their order in `npm run cost` and the synth
 * summary, the names `npm run deploy|plan|diff -- <env>` accept and the workflow's plan matrix
 * all derive from it.
 *
 * Adding an environment: write `config/<name>.ts` (a ConfigLayer, like `staging.ts`), import it
 * here and add its line where it belongs in the promotion order (docs/configuration.md).
 */
export const ENVIRONMENTS = {
  dev,
  beta,
  staging,
  production,
} as const satisfies EnvironmentList;

/** Environment name -> its checked-in layer, in promotion order. Tests pass their own lists. */
export type EnvironmentList = Readonly<Record<string, ConfigLayer>>;

/** The name of a checked-in environment. */
export type EnvironmentName = keyof typeof ENVIRONMENTS;

/** The checked-in environments' names, in promotion order. */
export const ENVIRONMENT_NAMES = Object.keys(ENVIRONMENTS) as EnvironmentName[];

/**
 * Names the environments cannot take: `bootstrap` is the state stack (`<project>-bootstrap`) and
 * `common` the override file's key for every environment.
 */
export const RESERVED_NAMES: readonly string[] = ["bootstrap", "common"];
