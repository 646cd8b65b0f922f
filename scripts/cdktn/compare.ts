import { type Json, resourceCount, stackDataSources } from "../../constructs/terraform-json";
import { formatLeafDifference, leafDifferences } from "../json-diff";
import { fullSource } from "../terraform/providers";
import type { ProviderPins } from "./codemod";

/**
 * Compares the stacks synthesized by cdktf with those synthesized by cdktn after the switch,
 * resource by resource: every leaf of every block (resources, data sources, outputs, providers,
 * backend, locals, variables, moved blocks...) becomes one `path = value` line, and a line that
 * is missing, added or different on one side is a differing line. The only differences accepted
 * are the pins the packages set: the framework version in `//.metadata.version`, each provider's
 * `required_providers.<name>.version`, and a provider source written with or without Terraform's
 * implied `hashicorp/` namespace: `aws` and `hashicorp/aws` are the same provider
 * (hashicorp/terraform-registry-address, ParseProviderSource: a one-part source is in the
 * hashicorp namespace on the default registry). Pure.
 */

export interface StackDifference {
  readonly stack: string;
  /** `path: cdktf value -> cdktn value`, `(absent)` where a side has no such line. */
  readonly lines: string[];
}

export interface Comparison {
  readonly stacks: number;
  /** Resource and data source blocks compared. */
  readonly resources: number;
  /** Differing lines beyond the accepted pins (0 when the switch changes nothing else). */
  readonly differingLines: number;
  readonly differences: StackDifference[];
  /** The pin differences that were accepted, e.g. `required_providers.aws.version 6.25.0 -> 6.66.0`. */
  readonly acceptedPins: string[];
}

/** A copy of a stack with the pins of `side` replaced by placeholders, recording what was replaced. */
function withoutPins(
  stack: Json,
  pins: ProviderPins,
  side: "from" | "to",
): { stack: Json; replaced: Map<string, string> } {
  const copy = JSON.parse(JSON.stringify(stack)) as Json & {
    "//"?: { metadata?: Json };
    terraform?: { required_providers?: Record<string, Json> };
  };
  const replaced = new Map<string, string>();
  const metadata = copy["//"]?.metadata;
  if (metadata && metadata.version === pins.framework[side]) {
    replaced.set("//.metadata.version", String(metadata.version));
    metadata.version = "<framework version>";
  }
  for (const [name, requirement] of Object.entries(copy.terraform?.required_providers ?? {})) {
    const pin = pins.providers[name];
    if (pin && requirement.version === pin[side]) {
      replaced.set(`terraform.required_providers.${name}.version`, String(requirement.version));
      requirement.version = "<provider version>";
    }
    if (typeof requirement.source === "string") {
      replaced.set(`terraform.required_providers.${name}.source`, requirement.source);
      requirement.source = fullSource(requirement.source);
    }
  }
  return { stack: copy, replaced };
}

function countResources(stack: Json): number {
  return resourceCount(stack) + stackDataSources(stack).length;
}

/** Compares the stacks of both synths (stack name -> synthesized JSON). */
export function compareSynths(
  cdktf: ReadonlyMap<string, Json>,
  cdktn: ReadonlyMap<string, Json>,
  pins: ProviderPins,
): Comparison {
  const names = [...new Set([...cdktf.keys(), ...cdktn.keys()])].sort();
  const differences: StackDifference[] = [];
  const accepted = new Set<string>();
  let resources = 0;
  for (const name of names) {
    const before = cdktf.get(name);
    const after = cdktn.get(name);
    if (!before || !after) {
      differences.push({
        stack: name,
        lines: [`(whole stack): ${before ? "present" : "(absent)"} -> ${after ? "present" : "(absent)"}`],
      });
      continue;
    }
    resources += countResources(before);
    const a = withoutPins(before, pins, "from");
    const b = withoutPins(after, pins, "to");
    for (const [path, from] of a.replaced) {
      const to = b.replaced.get(path);
      if (to !== undefined && to !== from) accepted.add(`${path} ${from} -> ${to}`);
    }
    const lines = leafDifferences(a.stack, b.stack).map(formatLeafDifference);
    if (lines.length > 0) differences.push({ stack: name, lines });
  }
  return {
    stacks: names.length,
    resources,
    differingLines: differences.reduce((n, d) => n + d.lines.length, 0),
    differences,
    acceptedPins: [...accepted].sort(),
  };
}

/** The comparison for people: counts first, then every differing line (at most `limit`). */
export function formatComparison(c: Comparison, limit = 50): string {
  const out = [
    `${c.stacks} stacks, ${c.resources} resources and data sources compared: ${c.differingLines} differing resource lines`,
  ];
  if (c.acceptedPins.length > 0) out.push(`accepted (provider and framework pins): ${c.acceptedPins.join("; ")}`);
  let shown = 0;
  for (const d of c.differences) {
    for (const line of d.lines) {
      if (shown++ >= limit) break;
      out.push(`  ${d.stack} ${line}`);
    }
  }
  if (c.differingLines > limit) out.push(`  ... and ${c.differingLines - limit} more`);
  return out.join("\n");
}
