// `npm run cost:diff -- <base cdktf.out> <head cdktf.out> [--out <dir>]`: the cost difference
// per stack (scripts/cost/diff.ts) as markdown; with --out, also one file per stack,
// <dir>/<stack>.md, for the pull-request plan comments.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { diffStacks, formatStackCostDiff } from "./diff";
import { readSynthesizedStacks } from "./synthesized";

function main(args: string[]): number {
  const outIndex = args.indexOf("--out");
  const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
  const dirs = args.filter((_a, i) => outIndex < 0 || (i !== outIndex && i !== outIndex + 1));
  if (dirs.length !== 2 || (outIndex >= 0 && !out)) {
    console.error("usage: npm run cost:diff -- <base cdktf.out> <head cdktf.out> [--out <dir>]");
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
