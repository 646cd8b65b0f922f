// The one-screen summary printed after `npm run synth` (see scripts/synth-summary.ts).
import { relative } from "node:path";

import { stackResources } from "../../constructs/terraform-json";
import { PROJECT_ROOT } from "../project-root";
import { assumptionsFor } from "./assumptions";
import { estimateStack } from "./estimate";
import { usd } from "./model";
import { PRICE_REGION, PRICES_AS_OF } from "./prices-us-east-1";
import { defaultOutdir, readSynthesizedStacks, type SynthesizedStack } from "./synthesized";

/** The summary text for the synthesized `stacks` (pure, for tests). */
export function synthSummary(stacks: readonly SynthesizedStack[], outdir: string): string {
  if (stacks.length === 0) return `No stacks found in ${outdir}.`;
  const rows = stacks.map((s) => {
    const e = estimateStack(s.name, s.json, assumptionsFor(s.name.replace(/^farmers-module-/, "")));
    const unpriced = e.unpriced.length > 0 ? ` (+${e.unpriced.length} not priced)` : "";
    return { name: s.name, resources: e.resourceCount, cost: e.totalUsd, unpriced };
  });
  const nameWidth = Math.max(5, ...rows.map((r) => r.name.length));
  const line = (a: string, b: string, c: string) => `  ${a.padEnd(nameWidth)}  ${b.padStart(9)}  ${c.padStart(12)}`;
  const total = rows.reduce((s, r) => s + r.cost, 0);
  const envs = stacks.map((s) => s.name.replace(/^farmers-module-/, "")).filter((n) => n !== "bootstrap");
  // Alarms that reach nobody are the reference's defect: say so where the operator looks.
  const unheard = stacks
    .filter(
      (s) =>
        stackResources(s.json).some((r) => r.type === "aws_sns_topic") &&
        !stackResources(s.json).some((r) => r.type === "aws_sns_topic_subscription"),
    )
    .map((s) => s.name);
  const warnings = unheard.length
    ? [
        `Warning: no alarm e-mail subscribers in ${unheard.join(", ")}: set FARMERS_ALARM_EMAILS or observability.criticalEmails/warningEmails (docs/alarms.md).`,
      ]
    : [];
  return [
    `Synthesized ${stacks.length} stacks into ${outdir}/stacks:`,
    line("stack", "resources", "est. $/month"),
    ...rows.map((r) => line(r.name, String(r.resources), usd(r.cost)) + r.unpriced),
    line("total", String(rows.reduce((s, r) => s + r.resources, 0)), usd(total)),
    `Estimate: ${PRICE_REGION} on-demand prices of ${PRICES_AS_OF}, default usage assumptions; details: npm run cost -- <env>`,
    `Next: npm run diff -- <env> | npm run plan -- <env> | npm run deploy -- <env>   (<env>: ${envs.join(", ")})`,
    ...warnings,
  ].join("\n");
}

/** Prints the summary of the last synth (the entry point of scripts/synth-summary.ts). */
export function printSynthSummary(): void {
  const outdir = defaultOutdir();
  console.log(`\n${synthSummary(readSynthesizedStacks(outdir), relative(PROJECT_ROOT, outdir) || ".")}`);
}
