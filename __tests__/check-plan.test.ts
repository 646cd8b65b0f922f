import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  ALLOW_LABEL,
  checkPlan,
  pullRequestAllowances,
  runCheckPlan,
  STATEFUL_TYPES,
} from "../scripts/terraform/check-plan";
import { environmentPlanSteps } from "../scripts/terraform/plan-environment";
import { formatPlanResult } from "../scripts/terraform/plan-offline";

/**
 * check-plan on `terraform show -json` fixtures (__tests__/fixtures/plans/): every way a plan can
 * lose data is refused with the address, the action and the attributes that force it; updates,
 * no-ops and stateless replacements pass; bad input is one line and exit 2. The offline plans of
 * every stack (fresh creates, nothing to refuse) are checked in terraform-plan.integ.test.ts.
 */

const FIXTURES = join(__dirname, "fixtures", "plans");
const fixture = (name: string) => join(FIXTURES, `${name}.json`);
const load = (name: string) => JSON.parse(readFileSync(fixture(name), "utf8")) as Record<string, unknown>;
const DB = "aws_db_instance.data_Database_BC4320FA";

describe("check-plan refuses plans that lose data", () => {
  test("a deleted secret: exit 1, with the address, the action and terraform's reason", () => {
    // GIVEN a plan deleting a secret WHEN checked
    const result = runCheckPlan([fixture("delete-secret")]);
    // THEN it is refused, naming what is lost
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `  aws_secretsmanager_secret.data_Secrets_jwt-secret_3EF20028: delete (delete_because_no_resource_config): loses ${STATEFUL_TYPES.aws_secretsmanager_secret}`,
    );
  });

  test("a database replaced delete-first: exit 1, with the attributes that force it", () => {
    const result = runCheckPlan([fixture("replace-database-delete-first")]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `  ${DB}: delete-then-create (replace_because_cannot_update); forced by identifier, kms_key_id: loses ${STATEFUL_TYPES.aws_db_instance}`,
    );
  });

  test("a bucket replaced create-first (create_before_destroy) is refused too", () => {
    const verdict = checkPlan(load("replace-bucket-create-first"));
    expect(verdict.exitCode).toBe(1);
    expect(verdict.findings).toEqual([
      {
        address: "aws_s3_bucket.service_LoadBalancer_AccessLogBucket_18456280",
        type: "aws_s3_bucket",
        action: "create-then-delete",
        replacePaths: ["bucket"],
        reason: "replace_because_cannot_update",
        allowed: false,
      },
    ]);
  });

  test("the report starts with the count and ends with how to allow on purpose", () => {
    const lines = checkPlan(load("replace-database-delete-first")).report.split("\n");
    expect(lines[0]).toBe("REFUSED: the plan destroys or replaces 1 stateful resource:");
    expect(lines.at(-1)).toBe(
      "To go ahead on purpose, allow each address (see docs/ci.md: the allow-destroy label and lines).",
    );
  });

  test("only the stateful replacement is reported when a stateless resource is replaced alongside", () => {
    const verdict = checkPlan(load("replace-stateless-and-log-group"));
    expect(verdict.findings.map((f) => [f.address, f.action, f.replacePaths])).toEqual([
      ["aws_cloudwatch_log_group.service_Logs_LogGroup_1A2B3C4D", "delete-then-create", ["name"]],
    ]);
  });

  test("a deposed object being deleted counts as a delete", () => {
    const plan = {
      format_version: "1.2",
      resource_changes: [
        { address: DB, mode: "managed", type: "aws_db_instance", deposed: "00000001", change: { actions: ["delete"] } },
      ],
    };
    expect(checkPlan(plan).findings.map((f) => f.address)).toEqual([`${DB} (deposed 00000001)`]);
  });

  test("paths into nested blocks are printed as attribute paths", () => {
    const plan = {
      format_version: "1.2",
      resource_changes: [
        {
          address: "aws_kms_key.k",
          mode: "managed",
          type: "aws_kms_key",
          change: { actions: ["delete", "create"], replace_paths: [["policy"], ["tags", "Name"], ["rule", 0, "kind"]] },
        },
      ],
    };
    expect(checkPlan(plan).findings[0].replacePaths).toEqual(["policy", "tags.Name", "rule[0].kind"]);
  });
});

describe("check-plan lets through what keeps data", () => {
  test("updates in place: exit 0", () => {
    const result = runCheckPlan([fixture("update-in-place")]);
    expect(result).toEqual({
      exitCode: 0,
      stdout: "OK: the plan destroys or replaces no stateful resource.",
      stderr: "",
    });
  });

  test("no-op changes: exit 0", () => {
    expect(runCheckPlan([fixture("no-op")]).exitCode).toBe(0);
  });

  test("an allowed replacement passes with a printed note", () => {
    const result = runCheckPlan([fixture("replace-database-delete-first"), "--allow", DB]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "Allowed by --allow (1):",
      `  ${DB}: delete-then-create (replace_because_cannot_update); forced by identifier, kms_key_id: loses ${STATEFUL_TYPES.aws_db_instance}`,
      "OK: every stateful delete or replacement in the plan is allowed.",
    ]);
  });

  test("allowing one address does not allow another", () => {
    const result = runCheckPlan([fixture("replace-stateless-and-log-group"), `--allow=${DB}`]);
    expect(result.exitCode).toBe(1);
  });
});

describe("allowances from the pull request (label allow-destroy + one line per address)", () => {
  const body = `Rename the database.\n\nallow-destroy: production ${DB}\nallow-destroy: staging aws_s3_bucket.b\n`;

  test("with the label, the environment's lines allow their addresses", () => {
    expect(pullRequestAllowances({ labels: [{ name: ALLOW_LABEL }], body }, "production")).toEqual({
      addresses: [DB],
      notes: [`allowed by the pull request (label allow-destroy): production ${DB}`],
    });
  });

  test("without the label, the lines allow nothing and say why", () => {
    expect(pullRequestAllowances({ labels: [{ name: "infrastructure" }], body }, "production")).toEqual({
      addresses: [],
      notes: ["allow-destroy lines for production ignored: the pull request lacks the allow-destroy label"],
    });
  });

  test("lines for another environment do not count", () => {
    expect(pullRequestAllowances({ labels: [{ name: ALLOW_LABEL }], body }, "dev").addresses).toEqual([]);
  });

  test("the command reads the pull request from a file and passes the allowed replacement", () => {
    const dir = mkdtempSync(join(tmpdir(), "farmers-check-plan-pr-"));
    try {
      const file = join(dir, "pull-request.json");
      writeFileSync(file, JSON.stringify({ labels: [{ name: ALLOW_LABEL }], body }));
      const result = runCheckPlan([
        fixture("replace-database-delete-first"),
        "--pull-request",
        file,
        "--environment",
        "production",
      ]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout.split("\n")[0]).toBe(`allowed by the pull request (label allow-destroy): production ${DB}`);
      expect(
        runCheckPlan([fixture("replace-database-delete-first"), "--pull-request", file, "--environment", "staging"])
          .exitCode,
      ).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("check-plan on bad input: one line, exit 2", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "farmers-check-plan-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const USAGE =
    "(usage: npm run check-plan -- <plan.json> [--allow <address>]... [--pull-request <pr.json> --environment <env>])";

  test("fails when the file does not exist", () => {
    expect(runCheckPlan(["/nonexistent/plan.json"])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `check-plan: no such file: /nonexistent/plan.json ${USAGE}`,
    });
  });

  test("fails when the file is not JSON", () => {
    const file = join(dir, "plan.txt");
    writeFileSync(file, "Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(runCheckPlan([file]).stderr).toBe(
      `check-plan: ${file} is not JSON: expected the output of \`terraform show -json <planfile>\` ${USAGE}`,
    );
  });

  test("fails when the JSON is not a plan", () => {
    const file = join(dir, "state.json");
    writeFileSync(file, JSON.stringify({ version: 4, resources: [] }));
    expect(runCheckPlan([file])).toMatchObject({
      exitCode: 2,
      stderr: expect.stringMatching(
        /^check-plan: not a terraform plan: expected the output of `terraform show -json <planfile>`/,
      ),
    });
  });

  test("fails without a plan file", () => {
    expect(runCheckPlan([]).stderr).toBe(`check-plan: expected one plan file, received 0 ${USAGE}`);
  });

  test("fails when --allow has no address", () => {
    expect(runCheckPlan([fixture("no-op"), "--allow"]).stderr).toBe(
      `check-plan: --allow needs a resource address ${USAGE}`,
    );
  });

  test("fails when --pull-request comes without --environment", () => {
    const file = join(dir, "pr.json");
    writeFileSync(file, "{}");
    expect(runCheckPlan([fixture("no-op"), "--pull-request", file]).stderr).toBe(
      `check-plan: --pull-request and --environment go together ${USAGE}`,
    );
  });

  test("fails on an unknown option", () => {
    expect(runCheckPlan([fixture("no-op"), "--force"])).toMatchObject({
      exitCode: 2,
      stderr: `check-plan: unknown option --force ${USAGE}`,
    });
  });
});

describe("npm run plan -- <env> (checked, never run against AWS here)", () => {
  const { steps, planJson } = environmentPlanSteps("staging", "/project");
  const dir = "/project/cdktf.out/stacks/farmers-module-staging";

  test("synthesizes, initialises the stack's own backend, plans to a file and keeps its JSON", () => {
    expect(steps.map((s) => [s.command === process.execPath ? "node" : s.command, ...s.args])).toEqual([
      ["node", "/project/scripts/synth.js"],
      ["terraform", `-chdir=${dir}`, "init", "-input=false"],
      ["terraform", `-chdir=${dir}`, "plan", "-input=false", "-lock-timeout=10m", "-out=tfplan"],
      ["terraform", `-chdir=${dir}`, "show", "-json", "tfplan"],
    ]);
    expect(steps[3].stdoutTo).toBe(planJson);
    expect(planJson).toBe("/project/cdktf.out/plans/farmers-module-staging.real.json");
  });
});

describe("npm run plan:offline's line per stack", () => {
  test("a planned stack: its counts and check-plan's verdict", () => {
    const plan = load("replace-database-delete-first");
    expect(
      formatPlanResult({
        stack: "farmers-module-dev",
        ok: true,
        errors: [],
        counts: { add: 1, change: 0, destroy: 1 },
        plan,
        standIns: [],
      }),
    ).toBe("farmers-module-dev: 1 to add, 0 to change, 1 to destroy; check-plan: REFUSED");
    expect(
      formatPlanResult({
        stack: "farmers-module-dev",
        ok: true,
        errors: [],
        counts: { add: 127, change: 0, destroy: 0 },
        plan: load("no-op"),
        standIns: [],
      }),
    ).toBe("farmers-module-dev: 127 to add, 0 to change, 0 to destroy; check-plan: OK");
  });

  test("a failed plan: its errors, one per line", () => {
    expect(
      formatPlanResult({
        stack: "farmers-module-dev",
        ok: false,
        errors: ["Invalid value [aws_x.y]: bad", "second"],
        standIns: [],
      }),
    ).toBe("farmers-module-dev: PLAN FAILED\n  Invalid value [aws_x.y]: bad\n  second");
  });
});
