import { ENVIRONMENT_NAMES } from "../../config/environments";
import { parseCommandLine, UsageError } from "../command-line";
import { ASSUMPTION_KEYS, assumptionsFor, DEFAULT_ASSUMPTIONS, parseAssumptionOverrides } from "./assumptions";
import { estimateStack } from "./estimate";
import type { StackEstimate } from "./model";
import { formatAssumptions, formatComparison, formatStackEstimate } from "./report";
import { defaultOutdir, readSynthesizedStacks, runSynth, type SynthesizedStack } from "./synthesized";

/**
 * `npm run cost [-- <env|stack>...] [--assume key=value ...] [--by-resource] [--json] [--synth]`
 *
 * Prints the monthly estimate of each synthesized stack (all of them by default), per resource
 * and per category, with the usage assumptions. Synthesizes first when cdktf.out has no stacks,
 * or always with --synth.
 */

const USAGE = `usage: npm run cost -- [env|stack ...] [--assume key=value ...] [--by-resource] [--json] [--synth]

  env|stack      ${ENVIRONMENT_NAMES.join(", ")}, bootstrap or a full stack name (default: all)
  --assume k=v   override a usage assumption for every stack; <env>.k=v for one environment
  --by-resource  one row per resource instead of grouping identical ones
  --json         machine-readable output
  --synth        synthesize first even when cdktf.out exists

assumption keys: ${ASSUMPTION_KEYS.join(", ")}`;

const OPTIONS = {
  assume: { type: "string", multiple: true, value: "key=value" },
  "by-resource": { type: "boolean" },
  json: { type: "boolean" },
  synth: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const PROJECT_PREFIX = "farmers-module-";

export interface CostCliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The command without process side effects, for tests: arguments and stacks in, text out. */
export function runCostCli(args: readonly string[], stacks: readonly SynthesizedStack[]): CostCliResult {
  try {
    const { values, positionals: wanted } = parseCommandLine(args, OPTIONS);
    if (values.help) return { exitCode: 0, stdout: USAGE, stderr: "" };
    const { assume = [], "by-resource": byResource = false, json = false } = values;
    if (stacks.length === 0) throw new UsageError("no synthesized stacks found: run npm run synth");
    const shortName = (stack: string) =>
      stack.startsWith(PROJECT_PREFIX) ? stack.slice(PROJECT_PREFIX.length) : stack;
    const available = stacks.map((s) => s.name);
    const selected =
      wanted.length === 0 || wanted.includes("all")
        ? stacks
        : wanted.map((w) => {
            const found = stacks.find((s) => s.name === w || shortName(s.name) === w);
            if (!found)
              throw new UsageError(
                `unknown environment or stack ${JSON.stringify(w)}; allowed: ${available.map(shortName).join(", ")} (or all)`,
              );
            return found;
          });
    const overrides = parseAssumptionOverrides(assume, available.map(shortName));
    const estimates: StackEstimate[] = selected.map((s) =>
      estimateStack(s.name, s.json, assumptionsFor(shortName(s.name), overrides)),
    );

    if (json) return { exitCode: 0, stdout: JSON.stringify({ estimates }, null, 2), stderr: "" };

    const out: string[] = [formatAssumptions(assumptionsFor(undefined, overrides)), ""];
    for (const [env, values] of Object.entries(overrides.byEnvironment)) {
      out.push(
        `  ${env} only: ${Object.entries(values)
          .map(([k, v]) => `${k}=${v} (default ${DEFAULT_ASSUMPTIONS[k as keyof typeof DEFAULT_ASSUMPTIONS].value})`)
          .join(", ")}`,
      );
    }
    if (Object.keys(overrides.byEnvironment).length > 0) out.push("");
    for (const e of estimates) out.push(formatStackEstimate(e, { byResource }), "");
    out.push(formatComparison(estimates));
    out.push("See docs/cost.md for the model, its sources and what it leaves out.");
    return { exitCode: 0, stdout: out.join("\n"), stderr: "" };
  } catch (error) {
    if (error instanceof UsageError) return { exitCode: 2, stdout: "", stderr: `${error.message}\n\n${USAGE}` };
    throw error;
  }
}

/** Entry point of `npm run cost` (scripts/cost/cli.ts). */
export function main(): void {
  const args = process.argv.slice(2);
  const outdir = defaultOutdir();
  let stacks = readSynthesizedStacks(outdir);
  // A command line with a mistake is reported by runCostCli, without synthesizing first.
  const usable = (() => {
    try {
      return parseCommandLine(args, OPTIONS);
    } catch (error) {
      if (error instanceof UsageError) return undefined;
      throw error;
    }
  })();
  if (usable && !usable.values.help && (usable.values.synth || stacks.length === 0)) {
    console.error(
      stacks.length === 0
        ? `No synthesized stacks in ${outdir}: running the synth first.`
        : "Synthesizing first (--synth).",
    );
    runSynth(outdir);
    stacks = readSynthesizedStacks(outdir);
  }
  const result = runCostCli(args, stacks);
  if (result.stdout) console.log(result.stdout);
  if (result.stderr) console.error(result.stderr);
  process.exitCode = result.exitCode;
}
