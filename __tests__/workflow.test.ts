import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { parse } from "yaml";

import { planMatrix } from "../scripts/environment/command";
import { buildApp } from "../stacks/app";
import { BOOTSTRAP_STACK_NAME } from "../stacks/bootstrap-stack";

/**
 * The GitHub Actions workflow: valid against the workflow schema (offline, @action-validator/cli),
 * and doing what the project promises: tests, synth, scan, a plan per environment stack with OIDC
 * credentials, applies serialized per environment, production behind a protected environment.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, "..");
const WORKFLOW = join(ROOT, ".github", "workflows", "infrastructure.yml");
const VALIDATOR = join(ROOT, "node_modules", "@action-validator", "cli", "cli.mjs");
const text = readFileSync(WORKFLOW, "utf8");
type Step = {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
type Job = {
  needs?: string | string[];
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  /** The test job's Node versions, or the plan job's matrix expression. */
  strategy?: { matrix: { node: number[] } | string };
  outputs?: Record<string, string>;
  steps: Step[];
};
const workflow = parse(text) as {
  on: Record<string, { branches?: string[] }>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
};
const jobs = workflow.jobs;
const environments = buildApp({ env: {}, overrides: {} }).environments.map((s) =>
  s.node.id.replace(/^farmers-module-/, ""),
);

async function validate(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [VALIDATOR, file]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe("workflow schema (action-validator, offline)", () => {
  test("the workflow is valid", async () => {
    expect(await validate(WORKFLOW)).toEqual({ code: 0, output: "" });
  });

  test("fails on a broken copy (a misspelt job key)", async () => {
    // GIVEN a copy where one job says `runs_on` instead of `runs-on`
    const dir = mkdtempSync(join(tmpdir(), "farmers-workflow-"));
    try {
      const broken = join(dir, "infrastructure.yml");
      writeFileSync(
        broken,
        text.replace(
          "    runs-on: ubuntu-latest\n    timeout-minutes: 15",
          "    runs_on: ubuntu-latest\n    timeout-minutes: 15",
        ),
      );
      // WHEN validated THEN it is rejected
      const result = await validate(broken);
      expect(result.code).toBe(1);
      expect(result.output).toContain('"path": "/jobs/scan"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("workflow behaviour", () => {
  test("runs on pull requests and pushes to main, granting nothing by default", () => {
    expect(workflow.on.pull_request.branches).toEqual(["main"]);
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.permissions).toEqual({});
  });

  test("gives each job exactly the permissions its steps need", () => {
    // GIVEN each job's steps WHEN its permissions are derived from what the steps do
    for (const [name, job] of Object.entries(jobs)) {
      const needs: Record<string, string> = {};
      if (job.steps.some((s) => s.uses?.startsWith("actions/checkout@"))) needs.contents = "read";
      if (job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")))
        needs["id-token"] = "write";
      // A script that posts comments writes pull requests; one that only looks the merged pull
      // request up reads it (and the commit it belongs to).
      const scripts = job.steps
        .filter((s) => s.uses?.startsWith("actions/github-script@"))
        .map((s) => String(s.with?.script));
      if (scripts.some((s) => /createComment|updateComment/.test(s))) needs["pull-requests"] = "write";
      else if (scripts.some((s) => s.includes("listPullRequestsAssociatedWithCommit")))
        Object.assign(needs, { contents: "read", "pull-requests": "read" });
      // THEN the job declares those and nothing else
      expect([name, job.permissions]).toEqual([name, needs]);
    }
  });

  test("tests and synthesizes on Node 22 and 24 with the npm cache, uploading the stacks once", () => {
    const steps = jobs.test.steps;
    expect(jobs.test.strategy?.matrix).toEqual({ node: [22, 24] });
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with).toEqual({
      "node-version": "${{ matrix.node }}",
      cache: "npm",
    });
    const commands = steps.map((s) => s.run ?? "").join("\n");
    expect(commands).toMatch(/npm ci[\s\S]*npm test[\s\S]*npm run synth/);
    expect(steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.if).toBe("matrix.node == 22");
  });

  test("the lowest Node of the matrix is the lowest of package.json engines and esbuild's target", () => {
    const lowest = Math.min(...(jobs.test.strategy?.matrix as { node: number[] }).node);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toMatch(new RegExp(`^>=${lowest}(\\.\\d+){0,2}$`)); // >=22.19.0 after the switch to cdktn
    expect(readFileSync(join(ROOT, "scripts", "bundle.js"), "utf8")).toContain(`target: "node${lowest}"`);
  });

  test("proves the switch to cdktn on Node 22 with the suite's terraform and the pinned providers from the registry", () => {
    const steps = jobs.cdktn.steps;
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with).toEqual({
      "node-version": 22,
      cache: "npm",
    });
    const check = steps.find((s) => s.run === "npm run check:cdktn")!;
    expect(check.env).toEqual({
      FARMERS_TF_PROVIDERS: "registry",
      TF_PLUGIN_CACHE_DIR: "${{ runner.temp }}/terraform-plugin-cache",
      CDKTN_SCRATCH: "${{ runner.temp }}/cdktn",
    });
    // the same plugin cache step as the test job (one definition, a YAML anchor)
    const cache = (job: Job) => job.steps.filter((s) => s.name === "Cache the Terraform plugin cache");
    expect(cache(jobs.cdktn)).toEqual(cache(jobs.test));
    expect(cache(jobs.cdktn)).toHaveLength(1);
    expect(steps.map((s) => s.run ?? s.uses?.replace(/@.*/, "") ?? s.name)).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "hashicorp/setup-terraform",
      "actions/cache",
      "npm ci --no-audit --no-fund",
      "npm run check:cdktn",
    ]);
  });

  test("nothing that applies waits for the cdktn job", () => {
    for (const job of ["apply-staging", "plan-production", "apply-production"])
      expect([job, [jobs[job].needs].flat()]).toEqual([job, expect.not.arrayContaining(["cdktn"])]);
  });

  test("the synth that the plan and apply jobs use runs in strict mode whenever they can run", () => {
    // GIVEN the test job's synth (its cdktf.out is the artifact plan and apply download)
    const synth = jobs.test.steps.find((s) => /npm run synth/.test(s.run ?? ""))!;
    // THEN FARMERS_STRICT is 1 on pushes and on pull requests from this repository (the plan job's condition), off for forks
    expect(synth.env?.FARMERS_STRICT).toBe(
      "${{ (github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository) && '1' || '' }}",
    );
    expect(jobs.plan.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    for (const job of ["plan", "apply-staging", "plan-production", "apply-production"])
      expect([
        job,
        jobs[job].steps.some((s) => s.uses?.startsWith("actions/download-artifact@") && s.with?.name === "cdktf-out"),
      ]).toEqual([job, true]);
  });

  test("scans the synthesized stacks with Checkov pinned to a release, failing on findings", () => {
    const checkov = jobs.scan.steps.find((s) => s.uses?.startsWith("bridgecrewio/checkov-action@"))!;
    expect(checkov.uses).toMatch(/@[0-9a-f]{40}$/);
    expect(checkov.with).toMatchObject({
      directory: "cdktf.out/stacks",
      framework: "terraform_json",
      config_file: ".checkov.yaml",
      soft_fail: false,
    });
  });

  test("skips in .checkov.yaml each carry a reason, and none of the checks the constructs satisfy is skipped", () => {
    const raw = readFileSync(join(ROOT, ".checkov.yaml"), "utf8");
    const skips = (parse(raw) as { "skip-check": string[] })["skip-check"];
    // GIVEN each skip's line WHEN its group is read upwards THEN a comment explains it
    const lines = raw.split("\n");
    for (const id of skips) {
      const at = lines.findIndex((l) => l.trim().startsWith(`- ${id}`));
      let above = at - 1;
      while (above >= 0 && /^\s*- CKV/.test(lines[above])) above--;
      expect([id, lines[at].includes(" # ") || /^\s*#/.test(lines[above] ?? "")]).toEqual([id, true]);
    }
    // THEN the checks fixed by the constructs stay enforced
    for (const fixed of ["CKV_AWS_158", "CKV_AWS_223", "CKV_AWS_224", "CKV_AWS_130", "CKV_AWS_33"])
      expect(skips).not.toContain(fixed);
  });

  test("plans every environment stack of the app, each with its own OIDC role variable", () => {
    // GIVEN the plan job's matrix, computed by the environments job from config/environments.ts
    expect(jobs.plan.strategy!.matrix).toBe("${{ fromJSON(needs.environments.outputs.matrix) }}");
    expect(jobs.plan.needs).toContain("environments");
    expect(jobs.plan.if).toContain("needs.environments.result == 'success'");
    const list = jobs.environments.steps.find((s) => s.run?.includes("scripts/environment/cli.ts matrix"))!;
    expect(list.run).toBe('node scripts/run-ts.js scripts/environment/cli.ts matrix >> "$GITHUB_OUTPUT"');
    expect(jobs.environments.outputs).toEqual({ matrix: `\${{ steps.${list.id}.outputs.matrix }}` });
    // THEN the rows the script prints are the app's environment stacks, each with its role variable
    const matrix = planMatrix().include;
    expect(matrix.map((m) => m.environment)).toEqual(environments);
    expect(matrix.map((m) => m.role_variable)).toEqual(environments.map((e) => `AWS_PLAN_ROLE_ARN_${e.toUpperCase()}`));
    const creds = jobs.plan.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(creds.with?.["role-to-assume"]).toBe("${{ vars[matrix.role_variable] }}");
    const commands = jobs.plan.steps.map((s) => s.run ?? "").join("\n");
    expect(commands).toContain('terraform -chdir="$STACK_DIR" init -input=false');
    expect(commands).toContain(
      'terraform -chdir="$STACK_DIR" plan -input=false -no-color -lock-timeout=10m -out=tfplan',
    );
    expect(jobs.plan.steps.some((s) => s.uses?.startsWith("actions/github-script@"))).toBe(true);
  });

  test("uses Terraform 1.11.4 wherever it sets Terraform up", () => {
    expect(workflow.env.TERRAFORM_VERSION).toBe("1.11.4");
    const setups = Object.values(jobs).flatMap((j) =>
      j.steps.filter((s) => s.uses?.startsWith("hashicorp/setup-terraform@")),
    );
    expect(setups.length).toBeGreaterThanOrEqual(5);
    for (const s of setups) expect(s.with?.terraform_version).toBe("${{ env.TERRAFORM_VERSION }}");
  });

  test("grants id-token only to jobs that assume AWS roles, pull-request writes only to the plan job, reads only to the merged-pull-request lookup", () => {
    for (const [name, job] of Object.entries(jobs)) {
      const assumesRole = job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect([name, job.permissions?.["id-token"]]).toEqual([name, assumesRole ? "write" : undefined]);
      const pullRequests = { plan: "write", "merged-pull-request": "read" }[name];
      expect([name, job.permissions?.["pull-requests"]]).toEqual([name, pullRequests]);
    }
  });

  test("applies staging on pushes to main, then production only through the protected environment", () => {
    expect(jobs["apply-staging"].if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(jobs["apply-staging"].needs).toEqual(["test", "scan", "merged-pull-request"]);
    expect(jobs["plan-production"].needs).toEqual(["apply-staging", "merged-pull-request"]);
    expect(jobs["apply-production"].needs).toEqual(["plan-production", "merged-pull-request"]);
    expect(jobs["apply-production"].environment).toBe("production");
    const applyRuns = jobs["apply-production"].steps.map((s) => s.run ?? "").join("\n");
    expect(applyRuns).toContain('if [ "$fingerprint" != "$REVIEWED" ]; then');
  });

  test("npm test validates and plans against the pinned providers from the registry, through a cached plugin cache, with no 5.100.0 mirror", () => {
    const npmTest = jobs.test.steps.find((s) => s.run === "npm test")!;
    expect(npmTest.env).toEqual({
      FARMERS_TF_PROVIDERS: "registry",
      TF_PLUGIN_CACHE_DIR: "${{ runner.temp }}/terraform-plugin-cache",
    });
    const cache = jobs.test.steps.find((s) => s.uses?.startsWith("actions/cache@"))!;
    expect(cache.with?.path).toBe("${{ runner.temp }}/terraform-plugin-cache");
    expect(text).not.toMatch(/providers mirror|TF_PROVIDER_MIRROR|5\.100\.0/);
  });

  test("the test job ships check-plan in the synth artifact for the plan and apply jobs", () => {
    const steps = jobs.test.steps;
    const bundle = steps.findIndex((s) =>
      s.run?.includes('bundle("scripts/terraform/check-plan-cli.ts", "cdktf.out/tools/check-plan.js")'),
    );
    const upload = steps.findIndex((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(bundle).toBeGreaterThan(-1);
    expect(bundle).toBeLessThan(upload);
  });

  test("each pull-request plan is checked with the pull request's allowances, and a refusal fails the job", () => {
    const check = jobs.plan.steps.find((s) => s.run?.includes("node cdktf.out/tools/check-plan.js"))!;
    expect(check.run).toContain(
      'node cdktf.out/tools/check-plan.js plan.json --pull-request pull-request.json --environment "$ENVIRONMENT"',
    );
    expect(check.run).toContain("jq '.pull_request | {labels, body}' \"$GITHUB_EVENT_PATH\" > pull-request.json");
    const fail = jobs.plan.steps.at(-1) as Step & { if?: string };
    expect(fail.if).toBe("steps.plan.outputs.exit_code != '0' || steps.check.outputs.exit_code != '0'");
  });

  test("the plan comment carries check-plan's verdict and the environment's cost difference", () => {
    const comment = jobs.plan.steps.find((s) => s.uses?.startsWith("actions/github-script@"))!;
    const script = String(comment.with?.script);
    expect(script).toContain('read("check.txt"');
    expect(script).toContain("read(`cost-diff/farmers-module-${env}.md`");
    expect(jobs.plan.needs).toEqual(["test", "cost", "environments"]);
    expect(
      jobs.plan.steps.some((s) => s.uses?.startsWith("actions/download-artifact@") && s.with?.name === "cost-diff"),
    ).toBe(true);
  });

  test("the cost job compares the base branch's synth with the head's", () => {
    const commands = jobs.cost.steps.map((s) => s.run ?? "").join("\n");
    expect(commands).toContain('git worktree add --detach "$RUNNER_TEMP/base" "$BASE_SHA"');
    expect(commands).toContain(
      'npm run -s cost:diff -- "$RUNNER_TEMP/base.out" "$RUNNER_TEMP/head.out" --out cost-diff',
    );
    expect(jobs.cost.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.with).toMatchObject({
      name: "cost-diff",
      path: "cost-diff/",
    });
  });

  test.each(["apply-staging", "plan-production", "apply-production"])(
    "%s runs check-plan with the merged pull request's allowances before anything is applied or approved",
    (name) => {
      const steps = jobs[name].steps;
      const check = steps.findIndex((s) =>
        s.run?.includes("node cdktf.out/tools/check-plan.js plan.json --pull-request pull-request.json"),
      );
      const plan = steps.findIndex((s) => s.run?.includes("plan -input=false -no-color -lock-timeout=10m -out=tfplan"));
      expect(check).toBeGreaterThan(plan);
      expect(steps[check].env?.PULL_REQUEST).toBe("${{ needs.merged-pull-request.outputs.json }}");
      expect(steps[check].run).toContain("set -euo pipefail");
      const apply = steps.findIndex((s) => s.run?.includes(" apply -input=false"));
      if (apply >= 0) expect(check).toBeLessThan(apply);
    },
  );

  test("serializes everything that applies per environment, never cancelling a running job", () => {
    for (const [job, env] of [
      ["apply-staging", "staging"],
      ["plan-production", "production"],
      ["apply-production", "production"],
    ]) {
      expect(jobs[job].concurrency).toEqual({ group: `terraform-${env}`, "cancel-in-progress": false });
    }
  });

  test("pins every action to a full commit SHA, never a tag or branch", () => {
    const uses = Object.values(jobs).flatMap((j) =>
      j.steps.map((s) => s.uses).filter((u): u is string => u !== undefined),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  test("names the release of every pinned SHA in a comment, one release per action", () => {
    // GIVEN every `uses:` line of the raw file (YAML parsing drops comments; anchored steps appear once)
    const raw = [...text.matchAll(/^\s*(?:- )?uses: (\S+)(.*)$/gm)];
    const lines = raw.map((m) =>
      /^([\w.-]+\/[\w.-]+)@([0-9a-f]{40})$/.exec(m[1]) ? [m[0], ...m[1].split("@"), m[2]] : [m[0], m[1], "", m[2]],
    );
    expect(new Set(lines.map(([, action, sha]) => `${action}@${sha}`))).toEqual(
      new Set(Object.values(jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])))),
    );
    const releases = new Map<string, string>();
    for (const [, action, sha, rest] of lines) {
      // THEN each carries "# vX.Y.Z" and an action is pinned to the same SHA everywhere
      expect([action, rest]).toEqual([action, expect.stringMatching(/^ # v\d+\.\d+\.\d+$/)]);
      expect([action, releases.get(action) ?? `${sha}${rest}`]).toEqual([action, `${sha}${rest}`]);
      releases.set(action, `${sha}${rest}`);
    }
  });

  test("names only stack folders the app synthesizes, and never the bootstrap stack", () => {
    const literal = [...text.matchAll(/cdktf\.out\/stacks\/(farmers-module-[a-z0-9-]+)/g)].map((m) => m[1]);
    expect(literal.length).toBeGreaterThan(0);
    for (const stack of literal) expect(environments.map((e) => `farmers-module-${e}`)).toContain(stack);
    expect(text).not.toContain(BOOTSTRAP_STACK_NAME);
  });
});
