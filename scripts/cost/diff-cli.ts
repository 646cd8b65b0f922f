// `npm run cost:diff -- <base cdktf.out> <head cdktf.out> [--out <dir>]`: the cost difference
// per stack (scripts/cost/diff.ts) as markdown; with --out, also one file per stack,
// <dir>/<stack>.md, for the pull-request plan comments.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { parseCommandLine, UsageError } from "../command-line";
import { diffStacks, formatStackCostDiff } from "./diff";
import { readSynthesizedStacks } from "./synthesized";

const USAGE = "usage: npm run cost:diff -- <base cdktf.out> <head cdktf.out> [--out <dir>]";

function main(args: string[]): number {
  let out: string | undefined;
  let dirs: string[];
  try {
    const parsed = parseCommandLine(args, { out: { type: "string", value: "a folder" } });
    out = parsed.values.out;
    dirs = parsed.positionals;
    if (dirs.length !== 2) throw new UsageError(`expected two synth folders, received ${dirs.length}`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`cost:diff: ${error.message} (${USAGE})`);
    return 2;
  }
  const [before, after] = dirs.map((d) => readSynthesizedStacks(d));
  if (after.length === 0) {
    console.error(`cost:diff: no synthesized stacks in ${dirs[1]} (no manifest.json): run the synth first`);
    return 2;
  }
  if (out) mkdirSync(out, { recursive: true });
  for (const diff of diffStacks(before, after)) {
    const text = formatStackCostDiff(diff);
    if (out) writeFileSync(join(out, `${diff.stack}.md`), `${text}\n`);
    console.log(`### ${diff.stack}\n${text}\n`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
