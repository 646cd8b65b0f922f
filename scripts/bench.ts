// Benchmark: median wall time and peak RSS of synth (warm, cold, via cdktf CLI, and the
// cdktf-init default `npx ts-node main.ts` for comparison), the unit suites, the terraform step
// (offline plan of every stack and variant, plus the validate/plan fixtures) and the whole
// `npm test`, each with the machine's load average when it started (other work on the machine
// slows every figure). Usage: npm run bench [-- --runs 5] [-- --skip-baseline]
// Writes .bench/results.json. Measures this machine; never asserts (timing is not a test).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";

import { parseCommandLine, UsageError } from "./command-line";
import { PROJECT_ROOT } from "./project-root";

const USAGE = "usage: npm run bench [-- --runs <n>] [--skip-baseline]";

/** The bench's command line: runs per measurement (default 3) and whether to skip the baseline. */
function parseBenchArgs(args: readonly string[]): { runs: number; skipBaseline: boolean } {
  const { values } = parseCommandLine(
    args,
    { runs: { type: "string", value: "a number of runs" }, "skip-baseline": { type: "boolean" } },
    { positionals: false },
  );
  const runs = values.runs === undefined ? 3 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`--runs: received ${JSON.stringify(values.runs)}; allowed: a whole number >= 1`);
  return { runs, skipBaseline: values["skip-baseline"] ?? false };
}

let options: { runs: number; skipBaseline: boolean };
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`bench: ${error.message} (${USAGE})`);
  process.exit(2);
}
const { runs, skipBaseline } = options;
const root = PROJECT_ROOT;
const timeBin = "/usr/bin/time";
if (!existsSync(timeBin)) {
  console.error("bench needs GNU time at /usr/bin/time (Debian package `time`) for peak memory");
  process.exit(2);
}
const env = { ...process.env, CHECKPOINT_DISABLE: "1", AWS_EC2_METADATA_DISABLED: "true", CI: "true" };
const cdktf = path.join(root, "node_modules", ".bin", "cdktf");
const benchOut = path.join(root, ".bench");
mkdirSync(benchOut, { recursive: true });

interface Sample {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly rssMb: number;
  readonly load: number;
}

interface Result {
  readonly name: string;
  readonly runs: number;
  readonly medianSeconds: number;
  readonly medianCpuSeconds: number;
  readonly peakRssMb: number;
  readonly loadAverages: number[];
}

/**
 * Runs `cmd` once under GNU time; returns wall seconds, CPU seconds (user + system, children
 * included: on a busy machine this moves less than wall time), peak RSS (MB) of the largest
 * process, and the 1-minute load average when it started.
 */
function measure(cmd: string, before?: () => void): Sample {
  if (before) before();
  const load = loadavg()[0];
  const start = process.hrtime.bigint();
  const r = spawnSync(timeBin, ["-f", "%U %S %M", "bash", "-c", cmd], {
    cwd: root,
    env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    console.error(r.stdout.slice(-2000), r.stderr.slice(-4000));
    throw new Error(`benchmark command failed: ${cmd}`);
  }
  const [user, system, rssKb] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return { seconds, cpuSeconds: user + system, rssMb: rssKb / 1024, load };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bench(name: string, cmd: string, before?: () => void, n = runs): Result {
  const samples = Array.from({ length: n }, () => measure(cmd, before));
  const result = {
    name,
    runs: n,
    medianSeconds: median(samples.map((s) => s.seconds)),
    medianCpuSeconds: median(samples.map((s) => s.cpuSeconds)),
    peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
    loadAverages: samples.map((s) => Number(s.load.toFixed(1))),
  };
  console.log(
    `${name.padEnd(64)} ${result.medianSeconds.toFixed(2).padStart(7)} s  ${result.medianCpuSeconds.toFixed(1).padStart(6)} s CPU  ${result.peakRssMb.toFixed(0).padStart(5)} MB   (median of ${n}, load ${result.loadAverages.join("/")})`,
  );
  return result;
}

const clean = () => {
  rmSync(path.join(root, "dist"), { recursive: true, force: true });
  rmSync(path.join(root, "cdktf.out"), { recursive: true, force: true });
};

console.log(`node ${process.version}, ${cpus().length} cores\n`);
const results: Result[] = [];
results.push(bench("synth, cold (npm run synth, no dist/ or cdktf.out/)", "npm run -s synth", clean));
results.push(bench("synth, warm (npm run synth)", "npm run -s synth"));
results.push(bench("synth via cdktf CLI (cdktf synth)", `${cdktf} synth --output ${benchOut}/cli.out`));
if (!skipBaseline) {
  results.push(
    bench(
      "baseline: cdktf synth, app `npx ts-node main.ts`",
      `${cdktf} synth --app "npx ts-node main.ts" --output ${benchOut}/baseline.out`,
    ),
  );
}
results.push(bench("unit suites (jest, without the terraform step)", "npm run -s test:unit"));
results.push(bench("terraform step: offline plan of every stack (jest terraform-plan)", "npm run -s test:integ"));
results.push(
  bench(
    "whole npm test (typecheck, lint, format check, jest)",
    "npm test -s",
    undefined,
    Math.max(1, Math.min(runs, 3)),
  ),
);

const byName = Object.fromEntries(results.map((r) => [r.name, r]));
const warm = byName["synth, warm (npm run synth)"].medianSeconds;
const base = byName["baseline: cdktf synth, app `npx ts-node main.ts`"];
if (base) console.log(`\nwarm synth is ${(base.medianSeconds / warm).toFixed(1)}x faster than the cdktf-init default`);
writeFileSync(
  path.join(benchOut, "results.json"),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2),
);
console.log(`results written to .bench/results.json`);
