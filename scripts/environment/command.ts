import { readFileSync } from "node:fs";
import { join } from "node:path";

import { common } from "../../config/common";
import { ENVIRONMENT_NAMES } from "../../config/environments";
import { PROJECT_ROOT } from "../project-root";

/**
 * `npm run deploy|plan|diff -- <env> [options]`: one command per action for every environment of
 * config/environments.ts (deploy and diff also take `bootstrap`, the state stack). Options after
 * the name go to the command (`cdktf deploy`'s `--auto-approve`, plan's `--allow <address>`).
 *
 * - deploy: `cdktf deploy <project>-<env>` in strict mode (config/strict.ts);
 * - plan: scripts/terraform/plan-environment.ts (synth, terraform plan, check-plan) in strict mode;
 * - diff: `cdktf diff <project>-<env>`, with the placeholders a fresh clone has.
 *
 * The cdktf (or, after the switch, cdktn) CLI calls a version-checkpoint service unless
 * CHECKPOINT_DISABLE=1 is in its environment: every command here sets it. Strict mode is
 * `FARMERS_STRICT=1` unless the caller set FARMERS_STRICT (e.g. `FARMERS_STRICT=dev`).
 */

export const ACTIONS = ["deploy", "plan", "diff"] as const;
export type Action = (typeof ACTIONS)[number];

const BOOTSTRAP = "bootstrap";
/** What each action does, for the usage line. */
const WHAT: Record<Action, string> = {
  deploy: "[cdktf deploy options]",
  plan: "[--allow <address>]...",
  diff: "[cdktf diff options]",
};

/** A command to start: program, arguments and the whole environment it gets. */
export interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The project folder, where cdktf.json is. */
  readonly cwd: string;
}

export interface CommandOptions {
  /** The environments, in promotion order. @default ENVIRONMENT_NAMES (config/environments.ts) */
  readonly environments?: readonly string[];
  /** The caller's variables. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The project folder. @default PROJECT_ROOT, the folder holding cdktf.json (not `__dirname/../..`:
   * scripts/run-ts.js runs a bundle from node_modules/.cache/run-ts)
   */
  readonly root?: string;
}

/** The names `action` accepts: every environment, and the bootstrap stack for deploy and diff. */
export function allowedNames(action: Action, environments: readonly string[] = ENVIRONMENT_NAMES): string[] {
  return action === "plan" ? [...environments] : [...environments, BOOTSTRAP];
}

/**
 * The command `npm run <action> -- <name> [options]` starts, or the one-line reason it refuses
 * (an unknown action or name). Pure: nothing is started.
 */
export function environmentCommand(
  action: string,
  args: readonly string[],
  options: CommandOptions = {},
): Command | string {
  const root = options.root ?? PROJECT_ROOT;
  const env = options.env ?? process.env;
  if (!(ACTIONS as readonly string[]).includes(action))
    return `unknown action ${JSON.stringify(action)}; allowed: ${ACTIONS.join(", ")}`;
  const act = action as Action;
  const names = allowedNames(act, options.environments);
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith("-"))
    return `usage: npm run ${act} -- <env> ${WHAT[act]}; <env>: ${names.join(", ")}`;
  if (!names.includes(name)) return `${act}: unknown environment ${JSON.stringify(name)}; allowed: ${names.join(", ")}`;
  const strict = act === "diff" ? {} : { FARMERS_STRICT: env.FARMERS_STRICT || "1" };
  const childEnv = { ...env, CHECKPOINT_DISABLE: "1", ...strict };
  if (act === "plan")
    return {
      command: process.execPath,
      args: [
        join(root, "scripts", "run-ts.js"),
        join(root, "scripts", "terraform", "plan-environment-cli.ts"),
        name,
        ...rest,
      ],
      env: childEnv,
      cwd: root,
    };
  return {
    command: join(root, "node_modules", ".bin", cdkCli(root)),
    args: [act, `${common.project}-${name}`, ...rest],
    env: childEnv,
    cwd: root,
  };
}

/** The CLI the project installs: cdktf, or cdktn after the switch (npm run check:cdktn). */
export function cdkCli(root: string = PROJECT_ROOT): "cdktf" | "cdktn" {
  const { devDependencies = {} } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  return "cdktn-cli" in devDependencies ? "cdktn" : "cdktf";
}

/** One row of the workflow's plan matrix: an environment and the variable naming its plan role. */
export interface PlanMatrixRow {
  readonly environment: string;
  readonly role_variable: string;
}

/**
 * The plan job's matrix (`strategy.matrix` of .github/workflows/infrastructure.yml): one row per
 * environment in promotion order, each with its read-only role in `AWS_PLAN_ROLE_ARN_<NAME>`.
 */
export function planMatrix(environments: readonly string[] = ENVIRONMENT_NAMES): { include: PlanMatrixRow[] } {
  return {
    include: environments.map((environment) => ({
      environment,
      role_variable: `AWS_PLAN_ROLE_ARN_${environment.toUpperCase()}`,
    })),
  };
}
