import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";

import { parseCommandLine, UsageError } from "../scripts/command-line";
import { runCostCli } from "../scripts/cost/command";

/** The options of a command like `npm run cost`. */
const OPTIONS = {
  assume: { type: "string", multiple: true, value: "key=value" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The UsageError message `parseCommandLine` throws for `args`. */
function usageError(args: string[], positionals = true): string {
  try {
    parseCommandLine(args, OPTIONS, { positionals });
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no UsageError for ${JSON.stringify(args)}`);
}

describe("command line: util.parseArgs, strict", () => {
  test("reads options, repeated options and positional arguments", () => {
    // WHEN
    const { values, positionals } = parseCommandLine(
      ["production", "--assume", "natDataGb=100", "--assume=albLcu=3", "-h", "--json"],
      OPTIONS,
    );
    // THEN
    expect(values).toEqual({ assume: ["natDataGb=100", "albLcu=3"], help: true, json: true });
    expect(positionals).toEqual(["production"]);
  });

  test("fails on an unknown option, long or short", () => {
    expect(usageError(["--fast"])).toBe("unknown option --fast");
    expect(usageError(["-x"])).toBe("unknown option -x");
  });

  test("fails when a string option has no value, at the end or before another option", () => {
    expect(usageError(["--assume"])).toBe("--assume needs key=value");
    expect(usageError(["--assume", "--json"])).toBe("--assume needs key=value");
  });

  test("accepts a value that starts with a dash only written inline", () => {
    expect(parseCommandLine(["--assume=-1"], OPTIONS).values.assume).toEqual(["-1"]);
  });

  test("fails when a flag is given a value", () => {
    expect(usageError(["--json=yes"])).toBe("--json takes no value");
  });

  test("fails on an argument when the command takes none", () => {
    expect(usageError(["production"], false)).toBe("unexpected argument production");
  });
});

describe("command line of the scripts: one line, exit 2", () => {
  test("npm run cost names the option that lacks its value", () => {
    // WHEN
    const result = runCostCli(["production", "--assume"], []);
    // THEN the first line says what is wrong (the usage follows)
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("--assume needs key=value");
  });

  test("npm run cost refuses a value on a flag", () => {
    expect(runCostCli(["--json=1"], []).stderr.split("\n")[0]).toBe("--json takes no value");
  });

  test("npm run bench refuses --runs without a number before measuring anything", () => {
    // GIVEN the bench bundled as npm run bench runs it
    const root = join(__dirname, "..");
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, "scripts", "run-ts.js"), join(root, "scripts", "bench.ts"), ...args], {
        cwd: root,
        encoding: "utf8",
      });
    // WHEN --runs is followed by another option, or is no whole number
    const missing = run("--runs", "--skip-baseline");
    const zero = run("--runs", "0");
    // THEN one line each, exit 2
    const usage = "(usage: npm run bench [-- --runs <n>] [--skip-baseline])";
    expect([missing.status, missing.stderr]).toEqual([2, `bench: --runs needs a number of runs ${usage}\n`]);
    expect([zero.status, zero.stderr]).toEqual([
      2,
      `bench: --runs: received "0"; allowed: a whole number >= 1 ${usage}\n`,
    ]);
  });

  test("npm run cost:diff refuses a single folder", () => {
    const root = join(__dirname, "..");
    const run = () =>
      execFileSync(
        process.execPath,
        [join(root, "scripts", "run-ts.js"), join(root, "scripts", "cost", "diff-cli.ts"), "a"],
        {
          cwd: root,
          encoding: "utf8",
          stdio: "pipe",
        },
      );
    expect(run).toThrow(
      expect.objectContaining({
        status: 2,
        stderr:
          "cost:diff: expected two synth folders, received 1 (usage: npm run cost:diff -- <base cdktf.out> <head cdktf.out> [--out <dir>])\n",
      }),
    );
  });
});
