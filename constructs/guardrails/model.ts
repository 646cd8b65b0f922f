/** The synthesized resources a rule looks at, and what a rule reports. */

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One `resource` (or `data`) block of a synthesized stack. */
export interface SynthResource {
  readonly type: string;
  /** Logical name: the key under resource.<type>. */
  readonly name: string;
  /** Construct path from cdktf's metadata, e.g. `farmers-module-dev/network/Resource`. */
  readonly path: string;
  readonly config: Json;
}

export interface RuleContext {
  readonly resources: readonly SynthResource[];
  readonly stack: Json;
  /** True for stacks whose configuration is production (stricter protection rules). */
  readonly production: boolean;
  /** True for stacks whose configuration is disposable (destroyed in one run, re-created). */
  readonly disposable: boolean;
  /** Resources of one type. */
  ofType(type: string): SynthResource[];
  /** The resource a `${type.name.attr}` reference points at, if any. */
  referenced(expression: unknown): SynthResource | undefined;
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
