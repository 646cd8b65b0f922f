// `npm run check:cdktn`: proves the switch to CDK Terrain (cdktn) in a scratch copy of the project,
// without touching the repository: copy, codemod (codemod.ts), install the pinned cdktn packages
// from the npm registry, `cdktn synth` with the cdktn CLI, compare every stack resource by resource
// with the `cdktf synth` of this checkout (compare.ts), then `npm run synth` and the whole suite
// in the copy. Fails on any difference beyond the provider and framework pins. See docs/cdktn.md.
//
// Node: cdktn-cli needs >= 22.19. CDKTN_NODE=/path/to/node picks the binary; otherwise this Node
// if it is recent enough, else node@22 (NODE_VERSION) installed from the npm registry into the
// scratch folder. Scratch folder: CDKTN_SCRATCH, default <tmpdir>/farmers-module-cdktn-<hash>
// (outside the repository, so nothing there can resolve this checkout's cdktf packages).
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";

import { type Json, readJsonFile, readManifest } from "../../constructs/terraform-json";
import { parseCommandLine, UsageError } from "../command-line";
import { PROJECT_ROOT } from "../project-root";
import {
  CDKTN_VERSIONS,
  CodemodError,
  type ProviderPins,
  rewritePackageJson,
  rewriteSnapshot,
  rewriteSource,
} from "./codemod";
import { compareSynths, formatComparison } from "./compare";

const NODE_VERSION = "22.23.3";
const MIN_NODE = [22, 19] as const;
const ROOT = PROJECT_ROOT;
const SCRATCH = resolve(
  process.env.CDKTN_SCRATCH ??
    join(tmpdir(), `farmers-module-cdktn-${createHash("sha1").update(ROOT).digest("hex").slice(0, 8)}`),
);
const APP = join(SCRATCH, "app");
const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;
/** The switch's own tooling names both frameworks on purpose; the codemod leaves it as it is. */
const TOOLING = /^(?:scripts\/cdktn\/|__tests__\/cdktn\.test\.ts$)/;

class CheckError extends Error {}

/** Every child process: no telemetry, no version check, no metadata probes. */
const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  CHECKPOINT_DISABLE: "1",
  DISABLE_VERSION_CHECK: "true",
  AWS_EC2_METADATA_DISABLED: "true",
};

function step(text: string): void {
  console.log(`\n== ${text}`);
}

function run(command: string, args: string[], options: SpawnSyncOptions & { quiet?: boolean } = {}): string {
  const result = spawnSync(command, args, {
    env: ENV,
    encoding: "utf8",
    stdio: options.quiet ? "pipe" : "inherit",
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.error) throw new CheckError(`${command} ${args.join(" ")}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = options.quiet ? `\n${String(result.stdout ?? "")}${String(result.stderr ?? "")}`.trimEnd() : "";
    throw new CheckError(
      `${command} ${args.join(" ")} (in ${String(options.cwd ?? process.cwd())}) exited with ${result.status}${output}`,
    );
  }
  return String(result.stdout ?? "");
}

function recentEnough(version: string): boolean {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** The node binary for cdktn (see the header). */
function cdktnNode(): string {
  const wanted = process.env.CDKTN_NODE;
  if (wanted) {
    const version = run(wanted, ["--version"], { quiet: true }).trim();
    if (!recentEnough(version))
      throw new CheckError(`CDKTN_NODE=${wanted} is Node ${version}; cdktn-cli needs >= ${MIN_NODE.join(".")}`);
    return wanted;
  }
  if (recentEnough(process.version)) return process.execPath;
  const prefix = join(SCRATCH, "node");
  const binary = join(prefix, "node_modules", "node", "bin", "node");
  if (!existsSync(binary) || run(binary, ["--version"], { quiet: true }).trim() !== `v${NODE_VERSION}`) {
    console.log(
      `Node ${process.version} is too old for cdktn-cli; installing node@${NODE_VERSION} from the npm registry into ${prefix}`,
    );
    run("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", `node@${NODE_VERSION}`], {
      quiet: true,
    });
  }
  return binary;
}

/** The project's files (tracked, and new ones not ignored), as git sees this checkout. */
function projectFiles(): string[] {
  const listed = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    quiet: true,
  }).split("\0");
  return listed.filter((f) => f !== "" && existsSync(join(ROOT, f)));
}

/** A fresh copy in APP, keeping its node_modules and lock file from the last run (faster installs). */
function copyProject(): string[] {
  mkdirSync(APP, { recursive: true });
  for (const entry of readdirSync(APP))
    if (!["node_modules", "package-lock.json"].includes(entry))
      rmSync(join(APP, entry), { recursive: true, force: true });
  const files = projectFiles().filter((f) => f !== "package-lock.json");
  for (const f of files) {
    mkdirSync(dirname(join(APP, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(APP, f));
  }
  return files;
}

function packageJson(
  dir: string,
  name: string,
): Json & { version: string; cdktf?: { provider?: { name: string; version: string } } } {
  return JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8"));
}

/** Provider name (its required_providers key) -> version, as the installed provider package pins it. */
function providerPins(dir: string, packages: string[]): Record<string, string> {
  return Object.fromEntries(
    packages.map((p) => {
      const provider = packageJson(dir, p).cdktf?.provider;
      if (!provider) throw new CheckError(`${p} in ${dir} declares no provider version (package.json cdktf.provider)`);
      return [provider.name.split("/").pop()!, provider.version];
    }),
  );
}

function pins(): ProviderPins {
  const from = providerPins(ROOT, ["@cdktf/provider-aws", "@cdktf/provider-random"]);
  const to = providerPins(APP, ["@cdktn/provider-aws", "@cdktn/provider-random"]);
  return {
    framework: { from: packageJson(ROOT, "cdktf").version, to: packageJson(APP, "cdktn").version },
    providers: Object.fromEntries(Object.keys(from).map((name) => [name, { from: from[name], to: to[name] }])),
  };
}

/** Stack name -> synthesized JSON of a synth output folder, with the framework version of its manifest. */
function readSynth(outdir: string): { version: string; stacks: Map<string, Json> } {
  const manifest = readManifest(outdir);
  if (!manifest) throw new CheckError(`no manifest.json in ${outdir}: the synth wrote nothing`);
  return { version: manifest.version, stacks: new Map(manifest.stacks.map((s) => [s.name, readJsonFile(s.file)])) };
}

function main(): void {
  console.log(`check:cdktn: scratch folder ${SCRATCH}`);
  const node = cdktnNode();
  const nodeVersion = run(node, ["--version"], { quiet: true }).trim();
  console.log(`Node for cdktn: ${node} (${nodeVersion})`);
  // Everything in the copy (npm, the CLI, the app it starts, jest) runs on this Node.
  const appEnv: NodeJS.ProcessEnv = { ...ENV, PATH: `${dirname(node)}${delimiter}${ENV.PATH ?? ""}` };

  step("copy the project and switch it to cdktn (scripts/cdktn/codemod.ts)");
  const files = copyProject();
  let sources = 0;
  let modules = 0;
  for (const f of files.filter((file) => SOURCE.test(file) && !TOOLING.test(file))) {
    const { text, changed } = rewriteSource(f, readFileSync(join(APP, f), "utf8"));
    if (changed === 0) continue;
    writeFileSync(join(APP, f), text);
    sources++;
    modules += changed;
  }
  writeFileSync(join(APP, "package.json"), rewritePackageJson(readFileSync(join(APP, "package.json"), "utf8")));
  console.log(
    `${modules} imports rewritten in ${sources} of ${files.length} files; package.json: ${Object.entries(CDKTN_VERSIONS)
      .map(([p, v]) => `${p} ${v}`)
      .join(", ")}`,
  );

  step(`install the cdktn packages (npm, Node ${nodeVersion})`);
  run("npm", ["install", "--no-audit", "--no-fund"], { cwd: APP, env: appEnv, quiet: true });
  for (const [name, version] of Object.entries(CDKTN_VERSIONS)) {
    const installed = packageJson(APP, name).version;
    if (installed !== version)
      throw new CheckError(`${name} ${installed} is installed in the copy; expected ${version}`);
  }
  // Nothing in the copy may still reach cdktf (a missed import would silently use it).
  for (const name of ["cdktf", "@cdktf/provider-aws", "@cdktf/provider-random"]) {
    let found: string | undefined;
    try {
      found = require.resolve(`${name}/package.json`, { paths: [APP] });
    } catch {
      found = undefined;
    }
    if (found) throw new CheckError(`the copy can still load ${name} (${found})`);
  }
  const expected = pins();
  let snapshots = 0;
  for (const f of files.filter((file) => file.endsWith(".snap"))) {
    const { text, changed } = rewriteSnapshot(readFileSync(join(APP, f), "utf8"), expected);
    writeFileSync(join(APP, f), text);
    snapshots += changed;
  }
  console.log(`${snapshots} snapshot lines moved to cdktn's pins`);

  step("synthesize: cdktf synth (this checkout) and cdktn synth (the copy)");
  const cdktfOut = join(SCRATCH, "out-cdktf");
  const cdktnOut = join(SCRATCH, "out-cdktn");
  for (const dir of [cdktfOut, cdktnOut]) rmSync(dir, { recursive: true, force: true });
  run(join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", cdktfOut], { cwd: ROOT, quiet: true });
  run(join(APP, "node_modules", ".bin", "cdktn"), ["synth", "--output", cdktnOut], {
    cwd: APP,
    env: appEnv,
    quiet: true,
  });
  const before = readSynth(cdktfOut);
  const after = readSynth(cdktnOut);
  if (after.version !== CDKTN_VERSIONS.cdktn)
    throw new CheckError(`the copy was synthesized by framework ${after.version}, not cdktn ${CDKTN_VERSIONS.cdktn}`);

  step("compare the synthesized stacks resource by resource (scripts/cdktn/compare.ts)");
  const comparison = compareSynths(before.stacks, after.stacks, expected);
  console.log(formatComparison(comparison));
  if (comparison.differingLines > 0)
    throw new CheckError(`${comparison.differingLines} differing resource lines between cdktf and cdktn`);

  step("npm run synth and npm test in the copy (cdktn)");
  run("npm", ["run", "synth"], { cwd: APP, env: appEnv, quiet: true });
  run("npm", ["test"], { cwd: APP, env: appEnv });

  console.log(
    `\ncheck:cdktn passed: cdktn ${after.version} on Node ${nodeVersion}, ${comparison.stacks} stacks, ${comparison.resources} resources, ${comparison.differingLines} differing resource lines; the suite passes on cdktn`,
  );
}

try {
  parseCommandLine(process.argv.slice(2), {}, { positionals: false });
  main();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(
      `check:cdktn: ${error.message} (usage: npm run check:cdktn; settings through CDKTN_NODE and CDKTN_SCRATCH)`,
    );
    process.exit(2);
  }
  if (error instanceof CheckError || error instanceof CodemodError) {
    console.error(`\ncheck:cdktn failed: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
