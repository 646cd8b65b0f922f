import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { ENVIRONMENT_NAMES } from "../config/environments";
import { ACTIONS, cdkCli, type Command, environmentCommand, planMatrix } from "../scripts/environment/command";
import { environmentPlanSteps } from "../scripts/terraform/plan-environment";

/**
 * `npm run deploy|plan|diff -- <env>` (scripts/environment/command.ts): one script per action,
 * the environment an argument checked against config/environments.ts; checked here without
 * starting anything.
 */

const ROOT = join(__dirname, "..");
const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};
const CLI = join(ROOT, "node_modules", ".bin", cdkCli(ROOT));

/** The command for `npm run <action> -- <args>` with the caller's variables `env` (fails the test on a refusal). */
function commandFor(action: string, args: string[], env: NodeJS.ProcessEnv = {}): Command {
  const command = environmentCommand(action, args, { env, root: ROOT });
  if (typeof command === "string") throw new Error(`refused: ${command}`);
  return command;
}

describe("one npm script per action", () => {
  test.each(ACTIONS)("npm run %s runs the environment command with that action", (action) => {
    expect(scripts[action]).toBe(`node scripts/run-ts.js scripts/environment/cli.ts ${action}`);
  });

  test("no per-environment script is kept by hand (deploy:<env>, plan:<env>, diff:<env>)", () => {
    expect(Object.keys(scripts).filter((name) => /^(deploy|plan|diff):/.test(name) && name !== "plan:offline")).toEqual(
      [],
    );
  });
});

describe("the command of each action", () => {
  test.each(ENVIRONMENT_NAMES)("deploy %s: cdktf deploy of its stack, options passed on", (env) => {
    const command = commandFor("deploy", [env, "--auto-approve"]);
    expect([command.command, ...command.args]).toEqual([CLI, "deploy", `farmers-module-${env}`, "--auto-approve"]);
    expect(command.cwd).toBe(ROOT);
  });

  test("deploy bootstrap: the state stack", () => {
    expect(commandFor("deploy", ["bootstrap"]).args).toEqual(["deploy", "farmers-module-bootstrap"]);
  });

  test.each(ENVIRONMENT_NAMES)("diff %s: cdktf diff of its stack", (env) => {
    expect(commandFor("diff", [env]).args).toEqual(["diff", `farmers-module-${env}`]);
  });

  test.each(ENVIRONMENT_NAMES)("plan %s: synth, terraform plan of its stack folder, check-plan", (env) => {
    // GIVEN npm run plan -- <env> --allow <address>
    const command = commandFor("plan", [env, "--allow", "aws_s3_bucket.x"]);
    // THEN it runs plan-environment for the environment with the allowance
    expect([command.command, ...command.args]).toEqual([
      process.execPath,
      join(ROOT, "scripts", "run-ts.js"),
      join(ROOT, "scripts", "terraform", "plan-environment-cli.ts"),
      env,
      "--allow",
      "aws_s3_bucket.x",
    ]);
    // AND that plans the environment's own stack folder
    expect(
      environmentPlanSteps(env, ROOT)
        .steps.map((s) => s.args.find((a) => a.startsWith("-chdir=")))
        .filter(Boolean),
    ).toEqual(Array(3).fill(`-chdir=${join(ROOT, "cdktf.out", "stacks", `farmers-module-${env}`)}`));
  });

  test.each([
    ["deploy", "dev"],
    ["deploy", "bootstrap"],
    ["diff", "production"],
    ["plan", "staging"],
  ])("%s %s turns the CLI's checkpoint call off (CHECKPOINT_DISABLE=1)", (action, env) => {
    // The cdktf/cdktn CLIs call a version-checkpoint service unless CHECKPOINT_DISABLE=1 is set.
    expect(commandFor(action, [env], { PATH: "/usr/bin" }).env).toMatchObject({
      CHECKPOINT_DISABLE: "1",
      PATH: "/usr/bin",
    });
  });

  test.each([
    ["deploy", "production"],
    ["deploy", "bootstrap"],
    ["plan", "production"],
  ])("%s %s synthesizes in strict mode (FARMERS_STRICT=1) when the caller did not set it", (action, env) => {
    expect(commandFor(action, [env]).env.FARMERS_STRICT).toBe("1");
    expect(commandFor(action, [env], { FARMERS_STRICT: "" }).env.FARMERS_STRICT).toBe("1");
  });

  test("strict mode narrowed by the caller stays narrowed (FARMERS_STRICT=dev)", () => {
    expect(commandFor("deploy", ["dev"], { FARMERS_STRICT: "dev" }).env.FARMERS_STRICT).toBe("dev");
  });

  test("diff keeps the caller's FARMERS_STRICT as it is (unset: the placeholders a clone has)", () => {
    expect(commandFor("diff", ["dev"]).env.FARMERS_STRICT).toBeUndefined();
  });

  test("an environment added to the list is accepted by every action", () => {
    // GIVEN a list with qa after dev WHEN each action is asked for qa THEN it names qa's stack
    const environments = ["dev", "qa", ...ENVIRONMENT_NAMES.slice(1)];
    for (const action of ["deploy", "diff"]) {
      const command = environmentCommand(action, ["qa"], { environments, env: {}, root: ROOT }) as Command;
      expect(command.args).toEqual([action, "farmers-module-qa"]);
    }
    expect((environmentCommand("plan", ["qa"], { environments, env: {}, root: ROOT }) as Command).args).toContain("qa");
  });
});

describe("refusals, one line naming what is allowed", () => {
  const names = ENVIRONMENT_NAMES.join(", ");

  test("fails for an unknown environment", () => {
    expect(environmentCommand("deploy", ["prod"], { env: {}, root: ROOT })).toBe(
      `deploy: unknown environment "prod"; allowed: ${names}, bootstrap`,
    );
  });

  test("fails for plan of the bootstrap stack (it has local state, no plan job)", () => {
    expect(environmentCommand("plan", ["bootstrap"], { env: {}, root: ROOT })).toBe(
      `plan: unknown environment "bootstrap"; allowed: ${names}`,
    );
  });

  test("fails without an environment", () => {
    expect(environmentCommand("diff", [], { env: {}, root: ROOT })).toBe(
      `usage: npm run diff -- <env> [cdktf diff options]; <env>: ${names}, bootstrap`,
    );
  });

  test("fails when an option comes before the environment", () => {
    expect(environmentCommand("plan", ["--allow", "x"], { env: {}, root: ROOT })).toBe(
      `usage: npm run plan -- <env> [--allow <address>]...; <env>: ${names}`,
    );
  });

  test("fails for an unknown action", () => {
    expect(environmentCommand("destroy", ["dev"], { env: {}, root: ROOT })).toBe(
      'unknown action "destroy"; allowed: deploy, plan, diff',
    );
  });

  test("run as npm runs it (bundled into node_modules/.cache), the command names the project's files", () => {
    // GIVEN the script started through run-ts.js, as package.json does WHEN asked to print THEN paths are the project's
    const run = (...args: string[]) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [join(ROOT, "scripts", "run-ts.js"), "scripts/environment/cli.ts", "--print", ...args],
          {
            cwd: ROOT,
            encoding: "utf8",
          },
        ),
      ) as Command;
    expect(run("deploy", "dev")).toEqual({ command: CLI, args: ["deploy", "farmers-module-dev"], cwd: ROOT });
    expect(run("plan", "dev").args.slice(0, 2)).toEqual([
      join(ROOT, "scripts", "run-ts.js"),
      join(ROOT, "scripts", "terraform", "plan-environment-cli.ts"),
    ]);
  });

  test("the script prints the refusal and exits 2 without starting anything", () => {
    // GIVEN npm run deploy -- prod (the script as npm runs it)
    let result: { status: number | null; stderr: string } = { status: 0, stderr: "" };
    try {
      execFileSync(
        process.execPath,
        [join(ROOT, "scripts", "run-ts.js"), "scripts/environment/cli.ts", "deploy", "prod"],
        {
          cwd: ROOT,
          encoding: "utf8",
          stdio: "pipe",
        },
      );
    } catch (error) {
      result = error as { status: number; stderr: string };
    }
    // THEN one line on stderr and exit code 2
    expect([result.status, result.stderr]).toEqual([
      2,
      `deploy: unknown environment "prod"; allowed: ${names}, bootstrap\n`,
    ]);
  });
});

describe("the workflow's plan matrix", () => {
  test("one row per environment in promotion order, each with its plan role variable", () => {
    expect(planMatrix(["dev", "qa", "production"])).toEqual({
      include: [
        { environment: "dev", role_variable: "AWS_PLAN_ROLE_ARN_DEV" },
        { environment: "qa", role_variable: "AWS_PLAN_ROLE_ARN_QA" },
        { environment: "production", role_variable: "AWS_PLAN_ROLE_ARN_PRODUCTION" },
      ],
    });
  });

  test("the script prints it as one matrix=<json> line for $GITHUB_OUTPUT, from config/environments.ts", () => {
    const out = execFileSync(
      process.execPath,
      [join(ROOT, "scripts", "run-ts.js"), "scripts/environment/cli.ts", "matrix"],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(out).toBe(`matrix=${JSON.stringify(planMatrix(ENVIRONMENT_NAMES))}\n`);
    expect(planMatrix().include.map((row) => row.environment)).toEqual(ENVIRONMENT_NAMES);
  });
});
