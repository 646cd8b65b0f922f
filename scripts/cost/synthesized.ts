import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

import { ENVIRONMENT_NAMES } from "../../config/environments";
import { type Json, readJsonFile, readManifest } from "../../constructs/terraform-json";
import { PROJECT_ROOT } from "../project-root";

/** Where `npm run synth` writes, unless CDKTF_OUTDIR says otherwise. */
export function defaultOutdir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(PROJECT_ROOT, env.CDKTF_OUTDIR ?? "cdktf.out");
}

export interface SynthesizedStack {
  readonly name: string;
  readonly file: string;
  readonly json: Json;
}

/**
 * The stacks of the last synth in `outdir`, as listed in its manifest.json (so a stack folder
 * left over from an older synth is not read): the environments in promotion order (`environments`,
 * config/environments.ts by default), then any other stack (the bootstrap stack) by name. Empty
 * when nothing was synthesized.
 */
export function readSynthesizedStacks(
  outdir: string,
  environments: readonly string[] = ENVIRONMENT_NAMES,
): SynthesizedStack[] {
  return (readManifest(outdir)?.stacks ?? [])
    .map(({ name, file }) => ({ name, file, json: readJsonFile(file) }))
    .sort(
      (a, b) => stackOrder(a.name, environments) - stackOrder(b.name, environments) || a.name.localeCompare(b.name),
    );
}

/** Position of a stack (`<project>-<env>`) in the promotion order; after every environment when it is none. */
function stackOrder(name: string, environments: readonly string[]): number {
  const i = environments.findIndex((env) => name.endsWith(`-${env}`));
  return i === -1 ? environments.length : i;
}

/** Runs the project's synth (scripts/synth.js) into `outdir`; throws when it fails. */
export function runSynth(outdir: string): void {
  execFileSync(process.execPath, [join(PROJECT_ROOT, "scripts", "synth.js")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    stdio: "inherit",
  });
}
