import type { Json, TerraformBlock } from "../terraform-json";

/** The synthesized resources a rule looks at (constructs/terraform-json.ts), and what a rule reports. */

export interface RuleContext {
  readonly resources: readonly TerraformBlock[];
  readonly stack: Json;
  /** True for stacks whose configuration is production (stricter protection rules). */
  readonly production: boolean;
  /** True for stacks whose configuration is disposable (destroyed in one run, re-created). */
  readonly disposable: boolean;
  /** Resources of one type. */
  ofType(type: string): TerraformBlock[];
  /** The resource a `${type.name.attr}` reference points at, if any. */
  referenced(expression: unknown): TerraformBlock | undefined;
}

export interface Violation {
  readonly path: string;
  readonly attribute: string;
  readonly value: unknown;
  /** What is allowed / required. */
  readonly limit: string;
}

export interface Rule {
  /** Stable id used in messages and suppressions, e.g. `SEC-IAM-WILDCARD`. */
  readonly id: string;
  /** One line: why the rule exists. */
  readonly rationale: string;
  check(ctx: RuleContext): Violation[];
}
