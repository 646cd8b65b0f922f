import { type Json, readJsonFile, readManifest } from "../../constructs/terraform-json";
import { formatLeafDifference, leafDifferences } from "../json-diff";

/**
 * Compares two synth outputs, stack by stack, ignoring cdktf's `//` metadata (construct paths,
 * stack traces, versions), which changes with any refactor and never reaches Terraform. What is
 * left is what `terraform plan` sees: a refactor must leave it unchanged. Pure functions over
 * parsed JSON, plus a reader of a synth folder; the command is cli.ts.
 */

/** One stack's result: identical, only on one side, or its differences as `path: base -> head`. */
export interface StackComparison {
  readonly stack: string;
  readonly status: "identical" | "different" | "only-in-base" | "only-in-head";
  readonly differences: readonly string[];
}

/** `value` without any `//` key, at any depth. */
export function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "//")
      .map(([key, v]) => [key, withoutMetadata(v)]),
  );
}

/**
 * Every leaf where `head` differs from `base` (scripts/json-diff.ts), as `path: <base> -> <head>`;
 * two long strings (a policy document, a buildspec) are shown from just before where they first
 * differ, so `..."aws:SourceAccount\":\"${data.a...` shows what changed rather than their shared start.
 */
export function jsonDifferences(base: unknown, head: unknown): string[] {
  return leafDifferences(base, head).map(({ path, before, after }) =>
    before !== undefined && after !== undefined && before.length + after.length > 2 * MAX_SHOWN
      ? `${path}: ${changedExcerpts(before, after)}`
      : formatLeafDifference({ path, before, after }),
  );
}

const MAX_SHOWN = 80;

/** Both texts from a little before their first differing character, each at most 90 characters. */
function changedExcerpts(base: string, head: string, context = 30): string {
  let first = 0;
  while (first < base.length && first < head.length && base[first] === head[first]) first++;
  const start = Math.max(0, first - context);
  const excerpt = (s: string) =>
    `${start > 0 ? "..." : ""}${s.slice(start, first + 2 * context)}${first + 2 * context < s.length ? "..." : ""}`;
  return `${excerpt(base)} -> ${excerpt(head)}`;
}

/** Compares the stacks of two synth outputs (stack name -> cdk.tf.json), metadata removed. */
export function compareStacks(
  base: Readonly<Record<string, Json>>,
  head: Readonly<Record<string, Json>>,
): StackComparison[] {
  const names = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
  return names.map((stack) => {
    if (!(stack in head)) return { stack, status: "only-in-base", differences: [] };
    if (!(stack in base)) return { stack, status: "only-in-head", differences: [] };
    const differences = jsonDifferences(withoutMetadata(base[stack]), withoutMetadata(head[stack]));
    return { stack, status: differences.length === 0 ? "identical" : "different", differences };
  });
}

/** Every stack of the synth folder `outdir`, by name (from its manifest.json). */
export function readSynthOutput(outdir: string): Record<string, Json> {
  const manifest = readManifest(outdir);
  if (!manifest) throw new Error(`no synth output in ${outdir} (manifest.json missing)`);
  return Object.fromEntries(manifest.stacks.map(({ name, file }) => [name, readJsonFile(file)]));
}

/** The report's lines: one per stack, then at most `limit` differences under each differing one. */
export function report(comparisons: readonly StackComparison[], limit = 20): string[] {
  return comparisons.flatMap(({ stack, status, differences }) => [
    `${stack}: ${status === "different" ? `${differences.length} difference(s)` : status}`,
    ...differences.slice(0, limit).map((d) => `  ${d}`),
    ...(differences.length > limit ? [`  ... and ${differences.length - limit} more`] : []),
  ]);
}
