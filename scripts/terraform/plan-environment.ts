import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { parseCommandLine, UsageError } from "../command-line";
import { PROJECT_ROOT } from "../project-root";
import { CHECK_PLAN_OPTIONS, runCheckPlan } from "./check-plan";
import { TERRAFORM_ENV } from "./workspace";

/**
 * `npm run plan -- <env> [--allow <address>]...`: synth, then the real plan of one environment
 * stack with the caller's AWS credentials and its S3 backend (`terraform init` + `plan -out`),
 * its JSON (`terraform show -json`) kept in cdktf.out/plans/<stack>.real.json, and check-plan's
 * verdict on it. Exit code: terraform's when it fails, else check-plan's (1 = refused).
 */

const ROOT = PROJECT_ROOT;

export interface Step {
  readonly command: string;
  readonly args: readonly string[];
  /** File that receives the command's stdout. */
  readonly stdoutTo?: string;
}

/** The commands `npm run plan -- <environment>` runs, in order (before check-plan). Pure. */
export function environmentPlanSteps(
  environment: string,
  root = ROOT,
): { stack: string; steps: Step[]; planJson: string } {
  const stack = `farmers-module-${environment}`;
  const dir = join(root, "cdktf.out", "stacks", stack);
  const planJson = join(root, "cdktf.out", "plans", `${stack}.real.json`);
  const tf = (...args: string[]): Step => ({ command: "terraform", args: [`-chdir=${dir}`, ...args] });
  return {
    stack,
    planJson,
    steps: [
      { command: process.execPath, args: [join(root, "scripts", "synth.js")] },
      tf("init", "-input=false"),
      tf("plan", "-input=false", "-lock-timeout=10m", "-out=tfplan"),
      { ...tf("show", "-json", "tfplan"), stdoutTo: planJson },
    ],
  };
}

/** Entry point (scripts/terraform/plan-environment-cli.ts); returns the exit code. */
export function main(): number {
  let environment: string;
  let allow: readonly string[];
  try {
    const { values, positionals } = parseCommandLine(process.argv.slice(2), { allow: CHECK_PLAN_OPTIONS.allow });
    if (positionals.length !== 1) throw new UsageError(`expected one environment, received ${positionals.length}`);
    [environment] = positionals;
    allow = values.allow ?? [];
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`plan: ${error.message} (usage: npm run plan -- <env> [--allow <address>]...)`);
    return 2;
  }
  const { steps, planJson } = environmentPlanSteps(environment);
  mkdirSync(join(planJson, ".."), { recursive: true });
  const env = { ...process.env, ...TERRAFORM_ENV };
  for (const step of steps) {
    const result = spawnSync(step.command, step.args, {
      cwd: ROOT,
      env,
      stdio: ["inherit", step.stdoutTo ? "pipe" : "inherit", "inherit"],
      maxBuffer: 512 * 1024 * 1024,
    });
    if (result.status !== 0) return result.status ?? 1;
    if (step.stdoutTo) writeFileSync(step.stdoutTo, result.stdout);
  }
  const verdict = runCheckPlan([planJson, ...allow.map((address) => `--allow=${address}`)]);
  if (verdict.stdout) console.log(verdict.stdout);
  if (verdict.stderr) console.error(verdict.stderr);
  return verdict.exitCode;
}
