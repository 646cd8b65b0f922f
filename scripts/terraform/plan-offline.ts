import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { parseCommandLine, UsageError } from "../command-line";
import { defaultOutdir, readSynthesizedStacks, runSynth } from "../cost/synthesized";
import { checkPlan } from "./check-plan";
import { type PlanResult, terraformVersion, Workspace } from "./workspace";

/**
 * `npm run plan:offline [-- <env|stack>...]`: the offline plan of `npm test` (offline.ts), by
 * hand, on the last synth in cdktf.out (synthesizing first when there is none). Prints per
 * stack the resources to add/change/destroy and check-plan's verdict, and keeps each plan's
 * JSON (`terraform show -json`) under cdktf.out/plans/<stack>.json. Exit 1 when a plan fails,
 * 2 on bad input.
 */

const PREFIX = "farmers-module-";

/** One line per stack: counts, or the errors. */
export function formatPlanResult(result: PlanResult): string {
  if (!result.ok || !result.counts)
    return `${result.stack}: PLAN FAILED\n${result.errors.map((e) => `  ${e}`).join("\n")}`;
  const { add, change, destroy } = result.counts;
  const verdict = checkPlan(result.plan!);
  return `${result.stack}: ${add} to add, ${change} to change, ${destroy} to destroy; check-plan: ${verdict.exitCode === 0 ? "OK" : "REFUSED"}`;
}

/** Entry point (scripts/terraform/plan-offline-cli.ts); resolves to the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let wanted: string[];
  try {
    wanted = parseCommandLine(argv, {}).positionals;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`plan:offline: ${error.message} (usage: npm run plan:offline [-- <env|stack>...])`);
    return 2;
  }
  const outdir = defaultOutdir();
  let synthesized = readSynthesizedStacks(outdir);
  if (synthesized.length === 0) {
    console.error(`No synthesized stacks in ${outdir}: running the synth first.`);
    runSynth(outdir);
    synthesized = readSynthesizedStacks(outdir);
  }
  const short = (name: string) => (name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name);
  const selected =
    wanted.length === 0 ? synthesized : wanted.map((w) => synthesized.find((s) => s.name === w || short(s.name) === w));
  const unknown = wanted.filter((_w, i) => !selected[i]);
  if (unknown.length > 0) {
    console.error(
      `plan:offline: unknown stack ${unknown.join(", ")}; allowed: ${synthesized.map((s) => short(s.name)).join(", ")}`,
    );
    return 2;
  }
  const version = await terraformVersion();
  if (!version) {
    console.error("plan:offline: terraform is not on the PATH (needs terraform >= 1.11)");
    return 2;
  }
  const stacks = Object.fromEntries(selected.map((s) => [s!.name, s!.json]));
  const workspace = await Workspace.open(stacks);
  try {
    console.log(`terraform ${version}, ${workspace.setup.description}`);
    const results = await workspace.planAll();
    const plans = join(outdir, "plans");
    mkdirSync(plans, { recursive: true });
    for (const result of results) {
      if (result.plan) writeFileSync(join(plans, `${result.stack}.json`), JSON.stringify(result.plan, null, 2));
      console.log(formatPlanResult(result));
    }
    console.log(`Plans (terraform show -json) in ${plans}/`);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    workspace.close();
  }
}
