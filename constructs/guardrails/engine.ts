import { TerraformResource, type TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

import { type Json, stackResources } from "../terraform-json";
import { ValidationError } from "../validation-error";
import type { Rule, RuleContext, Violation } from "./model";
import { RULES } from "./rules";

/**
 * Runs the guardrail rules over a stack's synthesized JSON at synth time. A failing rule stops
 * `cdktf synth` (a stack validation) with the resource path, attribute, value and limit.
 */

const SUPPRESSION_KEY = "farmers:guardrail-suppression";

export interface Suppression {
  readonly path: string;
  readonly ruleId: string;
  readonly reason: string;
}

export interface GuardrailOptions {
  /** Apply the production-only rules (stateful protection): config `protection: "production"`. */
  readonly production: boolean;
  /**
   * Apply the disposable-only rules (nothing blocks a destroy): config `protection: "disposable"`.
   * @default false
   */
  readonly disposable?: boolean;
  /** Rules to run. @default RULES */
  readonly rules?: readonly Rule[];
}

/**
 * Exempts one resource from one rule. Only with a written reason; every
 * suppression is listed in docs/guardrails.md (a test keeps the list and the code in step).
 */
export function suppressRule(scope: IConstruct, ruleId: string, reason: string): void {
  if (!TerraformResource.isTerraformResource(scope))
    throw new ValidationError(
      `suppressing ${ruleId}: received a ${scope.constructor.name}; allowed: one named resource (a TerraformResource), never a whole construct or stack`,
      scope,
    );
  if (!RULES.some((r) => r.id === ruleId))
    throw new ValidationError(
      `unknown guardrail rule "${ruleId}"; allowed: ${RULES.map((r) => r.id).join(", ")}`,
      scope,
    );
  if (reason.trim().length < 20)
    throw new ValidationError(
      `suppressing ${ruleId} needs a written reason; received ${JSON.stringify(reason)}; allowed: at least 20 characters`,
      scope,
    );
  scope.node.addMetadata(SUPPRESSION_KEY, { ruleId, reason });
}

/** Every suppression under `scope`. */
export function suppressionsIn(scope: IConstruct): Suppression[] {
  return scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === SUPPRESSION_KEY)
        .map((m) => ({ path: c.node.path, ...(m.data as { ruleId: string; reason: string }) })),
    );
}

function context(stack: Json, production: boolean, disposable: boolean): RuleContext {
  const resources = stackResources(stack);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  return {
    resources,
    stack,
    production,
    disposable,
    ofType: (type) => resources.filter((r) => r.type === type),
    referenced: (expression) => {
      const m =
        typeof expression === "string" ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(expression) : null;
      return m ? byAddress.get(`${m[1]}.${m[2]}`) : undefined;
    },
  };
}

export interface Finding extends Violation {
  readonly ruleId: string;
  readonly rationale: string;
}

/** Runs the rules on synthesized JSON; returns findings not covered by a suppression. */
export function checkStack(
  stack: Json,
  options: GuardrailOptions,
  suppressions: readonly Suppression[] = [],
): Finding[] {
  const ctx = context(stack, options.production, options.disposable ?? false);
  return (options.rules ?? RULES).flatMap((rule) =>
    rule
      .check(ctx)
      .filter((f) => !suppressions.some((s) => s.ruleId === rule.id && f.path === s.path))
      .map((f) => ({ ...f, ruleId: rule.id, rationale: rule.rationale })),
  );
}

/** One line per finding: rule, path, attribute, value, limit. */
export function formatFinding(f: Finding): string {
  const value = JSON.stringify(f.value) ?? "(unset)";
  return `[${f.ruleId}] ${f.path}: ${f.attribute} = ${value.length > 200 ? `${value.slice(0, 197)}...` : value}; allowed: ${f.limit}`;
}

/** Adds the guardrails to `stack` as a validation run by every synth. */
export function applyGuardrails(stack: TerraformStack, options: GuardrailOptions): void {
  stack.node.addValidation({
    validate: () => checkStack(stack.toTerraform() as Json, options, suppressionsIn(stack)).map(formatFinding),
  });
}
