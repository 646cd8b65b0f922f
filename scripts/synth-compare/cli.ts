// `npm run synth:compare -- <git-ref> [--config <override.json>] [--limit <n>]`: synthesizes the
// revision <git-ref> and the working tree the same way (`node scripts/synth.js`, the same override
// file if given) and compares their stacks without cdktf's `//` metadata. Exit 0 when every stack
// is identical, 1 when any differs, 2 on a bad command line or a failed synth. For refactors,
// whose commits must leave the synthesized Terraform unchanged.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { parseCommandLine, UsageError } from "../command-line";
import { PROJECT_ROOT } from "../project-root";
import { compareStacks, readSynthOutput, report } from "./compare";

const USAGE = "usage: npm run synth:compare -- <git-ref> [--config <override.json>] [--limit <n>]";

/** Synthesizes the project at `root` into `outdir`; returns the error output when synth fails. */
function synth(root: string, outdir: string, configFile: string | undefined): string | undefined {
  // The caller's other FARMERS_* settings apply to both sides alike; strict mode would refuse the
  // placeholders a clone has, and is about going live, not about comparing.
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
  delete env.FARMERS_STRICT;
  if (configFile) env.FARMERS_CONFIG_FILE = configFile;
  const run = spawnSync(process.execPath, [join(root, "scripts", "synth.js")], { cwd: root, env, encoding: "utf8" });
  return run.status === 0 ? undefined : `${run.stderr}${run.error?.message ?? ""}`.trim();
}

function main(): number {
  let ref: string;
  let configFile: string | undefined;
  let limit: number;
  try {
    const { values, positionals } = parseCommandLine(process.argv.slice(2), {
      config: { type: "string", value: "an override file" },
      limit: { type: "string", value: "a number of differences per stack" },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one git revision, received ${positionals.length}`);
    ref = positionals[0];
    configFile = values.config === undefined ? undefined : resolve(values.config);
    limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 0)
      throw new UsageError(`--limit: received ${JSON.stringify(values.limit)}; allowed: a whole number >= 0`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`synth:compare: ${error.message} (${USAGE})`);
    return 2;
  }

  const work = mkdtempSync(join(tmpdir(), "farmers-synth-compare-"));
  try {
    // The revision as files (git archive: no worktree or index is touched), sharing our node_modules:
    // a revision with other dependencies is compared as if it had ours.
    const base = join(work, "base");
    mkdirSync(base);
    try {
      const archive = execFileSync("git", ["archive", "--format=tar", ref], {
        cwd: PROJECT_ROOT,
        maxBuffer: 1 << 28,
        stdio: ["ignore", "pipe", "pipe"],
      });
      execFileSync("tar", ["-x", "-C", base], { input: archive });
    } catch {
      console.error(`synth:compare: ${JSON.stringify(ref)} is not a revision of this repository (git archive failed)`);
      return 2;
    }
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(base, "node_modules"), "dir");
    const outputs = { base: join(work, "base-out"), head: join(work, "head-out") };
    for (const [side, root] of [
      ["base", base],
      ["head", PROJECT_ROOT],
    ] as const) {
      const failure = synth(root, outputs[side], configFile);
      if (failure !== undefined) {
        console.error(`synth:compare: synth of ${side === "base" ? ref : "the working tree"} failed:\n${failure}`);
        return 2;
      }
    }
    const comparisons = compareStacks(readSynthOutput(outputs.base), readSynthOutput(outputs.head));
    console.log(`${ref} -> working tree, cdktf's // metadata ignored:`);
    for (const line of report(comparisons, limit)) console.log(line);
    return comparisons.every((c) => c.status === "identical") ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
