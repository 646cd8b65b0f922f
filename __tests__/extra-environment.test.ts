import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { dev } from "../config/dev";
import { ENVIRONMENTS } from "../config/environments";
import { runCostCli } from "../scripts/cost/command";
import { synthSummary } from "../scripts/cost/summary";
import { readSynthesizedStacks, type SynthesizedStack } from "../scripts/cost/synthesized";
import { type Command, environmentCommand, planMatrix } from "../scripts/environment/command";
import { buildApp } from "../stacks/app";
import { qa } from "./fixtures/environments/qa";
import { type Json, resourcesOf } from "./helpers";

/**
 * An environment is one file and one line in the list (docs/configuration.md): a qa environment
 * from a fixture file, put after dev in a copy of config/environments.ts's list (the real list is
 * untouched), flows through synth, the cost report and the workflow's plan matrix.
 */

// GIVEN the list with qa in its place in the promotion order, after dev
const { dev: _dev, ...rest } = ENVIRONMENTS;
const environments = { dev, qa, ...rest };
const names = Object.keys(environments);

let outdir: string;
let stacks: SynthesizedStack[];
beforeAll(() => {
  // WHEN the app is built from that list and synthesized (guardrails on) the way main.ts does
  outdir = mkdtempSync(join(tmpdir(), "farmers-qa-"));
  buildApp({ outdir, overrides: {}, env: {}, environments }).app.synth();
  stacks = readSynthesizedStacks(outdir, names);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const qaStack = (): Json => stacks.find((s) => s.name === "farmers-module-qa")!.json;

describe("synth", () => {
  test("the app has a stack for qa beside the others", () => {
    expect(stacks.map((s) => s.name)).toEqual([
      "farmers-module-dev",
      "farmers-module-qa",
      "farmers-module-beta",
      "farmers-module-staging",
      "farmers-module-production",
      "farmers-module-bootstrap",
    ]);
  });

  test("qa's subnets are derived from its VPC: public .1-.2, private .11-.12, database .21-.22", () => {
    const cidrs = Object.values(resourcesOf(qaStack(), "aws_subnet")).map((s) => s.cidr_block as string);
    expect(cidrs.sort()).toEqual(
      ["10.4.1.0/24", "10.4.2.0/24", "10.4.11.0/24", "10.4.12.0/24", "10.4.21.0/24", "10.4.22.0/24"].sort(),
    );
    expect(Object.values(resourcesOf(qaStack(), "aws_vpc")).map((v) => v.cidr_block)).toEqual(["10.4.0.0/16"]);
  });

  test("qa's resources carry its name", () => {
    const [instance] = Object.values(resourcesOf(qaStack(), "aws_db_instance"));
    expect([instance.identifier, instance.db_name]).toEqual(["farmers-module-qa-db", "farmers_qa"]);
    expect(qaStack().terraform.backend.s3.key).toBe("farmers-module/qa/terraform.tfstate");
  });
});

describe("cost", () => {
  test("npm run cost shows qa after dev, in the list's order", () => {
    const out = runCostCli([], stacks).stdout;
    const header = out.split("\n").find((line) => line.startsWith("$/month"))!;
    expect(header.split(/\s+/).slice(1)).toEqual(["dev", "qa", "beta", "staging", "production", "bootstrap"]);
  });

  test("npm run cost -- qa estimates qa alone", () => {
    const result = runCostCli(["qa", "--json"], stacks);
    const { estimates } = JSON.parse(result.stdout) as { estimates: { stack: string; totalUsd: number }[] };
    expect(estimates.map((e) => e.stack)).toEqual(["farmers-module-qa"]);
    expect(estimates[0].totalUsd).toBeGreaterThan(0);
  });

  test("the synth summary lists qa's row after dev's and offers it to the commands", () => {
    const summary = synthSummary(stacks, "cdktf.out");
    const rows = summary.split("\n").filter((line) => line.startsWith("  farmers-module-"));
    expect(rows.map((line) => line.trim().split(/\s+/)[0])).toEqual(stacks.map((s) => s.name));
    expect(summary).toContain("(<env>: dev, qa, beta, staging, production)");
  });
});

describe("workflow matrix and npm commands", () => {
  test("the plan matrix has qa with its role variable, after dev", () => {
    expect(planMatrix(names).include.slice(0, 2)).toEqual([
      { environment: "dev", role_variable: "AWS_PLAN_ROLE_ARN_DEV" },
      { environment: "qa", role_variable: "AWS_PLAN_ROLE_ARN_QA" },
    ]);
  });

  test("npm run deploy -- qa deploys qa's stack", () => {
    const command = environmentCommand("deploy", ["qa"], { environments: names, env: {} }) as Command;
    expect(command.args).toEqual(["deploy", "farmers-module-qa"]);
  });
});
