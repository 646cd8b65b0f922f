import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { estimateStack } from "../scripts/cost/estimate";
import { architectureDot } from "../scripts/diagram/architecture";
import { DIAGRAM_DOT, DIAGRAM_SVG, renderDiagram } from "../scripts/diagram/generate";
import { type Action, allowedNames, type Command, environmentCommand } from "../scripts/environment/command";
import { fixtureStack } from "./fixtures/cost";
import { type Json, synthAll } from "./helpers";

/**
 * Operator tooling against the real synthesized stacks (one synth for the whole file): the
 * committed architecture diagram is current, the cost model prices every resource type the
 * stacks use, every way npm starts the cdktf CLI turns its checkpoint off, and `npm run synth`'s summary
 * script reads a synth output folder. Then the diagram generator on hand-written stacks.
 */

const ROOT = join(__dirname, "..");
const stacks = synthAll();
const PRODUCTION = "farmers-module-production";

describe("architecture diagram (docs/architecture.svg)", () => {
  test("the committed .dot and .svg match a fresh synth of production (else run npm run diagram)", async () => {
    // GIVEN the production stack synthesized from the checked-in configuration
    const { dot, svg } = await renderDiagram(PRODUCTION, stacks[PRODUCTION]);
    // THEN the committed files are exactly what the generator makes of it now
    const stale = [
      [DIAGRAM_DOT, dot],
      [DIAGRAM_SVG, svg],
    ].filter(([file, fresh]) => readFileSync(join(ROOT, file), "utf8") !== fresh);
    if (stale.length > 0)
      throw new Error(`${stale.map(([f]) => f).join(" and ")} stale: run npm run diagram and commit the result`);
  });
});

describe("the real stacks", () => {
  test("every resource type of every stack is priced or known to be free", () => {
    // WHEN each stack is estimated
    const unpriced = Object.entries(stacks).flatMap(([name, json]) =>
      estimateStack(name, json).unpriced.map((u) => `${name}: ${u.address}: ${u.reason}`),
    );
    // THEN nothing is left out of the totals (a new resource type needs a price or a FREE_TYPES entry)
    expect(unpriced).toEqual([]);
  });

  test("the cost budget holds at the default assumptions: each non-production stack ≤ $90, production ≤ $300, the estate ≤ $560", () => {
    // GIVEN every stack as configured WHEN estimated with the default assumptions (what npm run cost shows)
    const totals = Object.fromEntries(
      Object.entries(stacks).map(([name, json]) => [name, estimateStack(name, json).totalUsd]),
    );
    // THEN the budgets of docs/cost.md hold (a change that breaks one must revisit the choices there)
    const over = Object.entries(totals)
      .filter(([name, usd]) => usd > (name === PRODUCTION ? 300 : 90))
      .map(([name, usd]) => `${name}: $${usd.toFixed(2)}`);
    expect(over).toEqual([]);
    expect(Object.values(totals).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(560);
  });

  test("non-production sleeps outside working hours; production runs every hour", () => {
    // GIVEN the real stacks WHEN estimated THEN only the non-production services and databases carry a schedule note
    const scheduled = Object.fromEntries(
      Object.entries(stacks).map(([name, json]) => [
        name,
        estimateStack(name, json).notes.filter(
          (n) => n.includes("scheduled off-hours") || n.includes("started and stopped on a schedule"),
        ).length,
      ]),
    );
    expect(scheduled).toMatchObject({
      "farmers-module-dev": 2,
      "farmers-module-beta": 2,
      "farmers-module-staging": 2,
      [PRODUCTION]: 0,
      "farmers-module-bootstrap": 0,
    });
  });

  test("production pays for a Multi-AZ database and a NAT gateway per AZ", () => {
    const lines = estimateStack(PRODUCTION, stacks[PRODUCTION]).lines;
    expect(lines.filter((l) => l.description.startsWith("db.t4g.medium Multi-AZ")).map((l) => l.monthlyUsd)).toEqual([
      expect.closeTo(94.9, 6),
    ]);
    expect(lines.filter((l) => l.description.startsWith("NAT gateway:")).map((l) => l.monthlyUsd)).toEqual([
      expect.closeTo(32.85, 6),
      expect.closeTo(32.85, 6),
    ]);
  });

  test("npm run synth synthesizes, then prints the summary", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.synth).toBe("node scripts/synth.js && node scripts/run-ts.js scripts/synth-summary.ts");
  });

  test("every npm script that starts the cdktf/cdktn CLI turns its checkpoint call off", () => {
    // The CLIs call a version-checkpoint service unless CHECKPOINT_DISABLE=1 is in their environment.
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    // GIVEN the scripts that start the CLI on their command line THEN each sets it there
    const direct = Object.entries(scripts).filter(([, command]) => /(^|[\s;&|])(npx\s+)?cdkt[fn]\s/.test(command));
    expect(direct.filter(([, command]) => !command.startsWith("CHECKPOINT_DISABLE=1 ")).map(([name]) => name)).toEqual(
      [],
    );
    // GIVEN the scripts that start it through the environment command (npm run deploy|diff|plan -- <env>)
    const throughCommand = Object.entries(scripts).flatMap(([name, command]) => {
      const m = /^node scripts\/run-ts\.js scripts\/environment\/cli\.ts (\S+)$/.exec(command);
      return m ? [[name, m[1] as Action] as const] : [];
    });
    expect(throughCommand.map(([name]) => name).sort()).toEqual(["deploy", "diff", "plan"]);
    // THEN the command it starts gets CHECKPOINT_DISABLE=1, for every name it accepts
    for (const [name, action] of throughCommand)
      for (const env of allowedNames(action))
        expect([name, env, (environmentCommand(action, [env], { env: {} }) as Command).env.CHECKPOINT_DISABLE]).toEqual(
          [name, env, "1"],
        );
  });

  test("the synth summary script prints every stack of a synth output folder", () => {
    // GIVEN a synth output folder (manifest + stacks) named by CDKTF_OUTDIR
    const outdir = mkdtempSync(join(tmpdir(), "farmers-summary-"));
    try {
      const manifest: Json = { stacks: {} };
      for (const [name, json] of Object.entries(stacks)) {
        mkdirSync(join(outdir, "stacks", name), { recursive: true });
        writeFileSync(join(outdir, "stacks", name, "cdk.tf.json"), JSON.stringify(json));
        manifest.stacks[name] = { synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
      }
      writeFileSync(join(outdir, "manifest.json"), JSON.stringify(manifest));
      // WHEN the script chained after the synth runs
      const out = execFileSync(
        process.execPath,
        [join(ROOT, "scripts", "run-ts.js"), join(ROOT, "scripts", "synth-summary.ts")],
        {
          cwd: ROOT,
          env: { ...process.env, CDKTF_OUTDIR: outdir },
          encoding: "utf8",
        },
      );
      // THEN one row per stack with its resource count, and a total
      expect(out).toContain(`Synthesized ${Object.keys(stacks).length} stacks`);
      for (const [name, json] of Object.entries(stacks)) {
        const count = Object.values(json.resource as Record<string, object>).reduce(
          (n, r) => n + Object.keys(r).length,
          0,
        );
        expect(out).toMatch(new RegExp(`\\n  ${name} +${count} +\\$[\\d,]+\\.\\d\\d`));
      }
      expect(out).toMatch(/\n {2}total +\d+ +\$[\d,]+\.\d\d\n/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("architecture diagram generator", () => {
  const stack = fixtureStack("fx", [
    ["aws_vpc", "vpc", "network/Resource", { cidr_block: "10.9.0.0/16" }],
    [
      "aws_subnet",
      "pub",
      "network/public-subnet-0",
      { vpc_id: "${aws_vpc.vpc.id}", cidr_block: "10.9.1.0/24", tags: { Type: "public" } },
    ],
    ["aws_subnet", "app", "network/app-subnet-0", { vpc_id: "${aws_vpc.vpc.id}", cidr_block: "10.9.11.0/24" }],
    [
      "aws_subnet",
      "db",
      "network/database-subnet-0",
      { vpc_id: "${aws_vpc.vpc.id}", cidr_block: "10.9.21.0/24", tags: { Type: "database" } },
    ],
    ["aws_security_group", "lbsg", "service/LbSg", { vpc_id: "${aws_vpc.vpc.id}" }],
    ["aws_security_group", "appsg", "service/AppSg", { vpc_id: "${aws_vpc.vpc.id}" }],
    ["aws_security_group", "dbsg", "data/DbSg", { vpc_id: "${aws_vpc.vpc.id}" }],
    [
      "aws_vpc_security_group_ingress_rule",
      "web",
      "service/Web",
      {
        security_group_id: "${aws_security_group.lbsg.id}",
        cidr_ipv4: "0.0.0.0/0",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
      },
    ],
    [
      "aws_vpc_security_group_ingress_rule",
      "app",
      "service/App",
      {
        security_group_id: "${aws_security_group.appsg.id}",
        referenced_security_group_id: "${aws_security_group.lbsg.id}",
        ip_protocol: "tcp",
        from_port: 8000,
        to_port: 8000,
      },
    ],
    [
      "aws_vpc_security_group_ingress_rule",
      "pg",
      "data/Pg",
      {
        security_group_id: "${aws_security_group.dbsg.id}",
        referenced_security_group_id: "${aws_security_group.appsg.id}",
        ip_protocol: "tcp",
        from_port: 5432,
        to_port: 5432,
      },
    ],
    [
      "aws_lb",
      "alb",
      "service/LoadBalancer",
      { name: "fx-alb", subnets: ["${aws_subnet.pub.id}"], security_groups: ["${aws_security_group.lbsg.id}"] },
    ],
    [
      "aws_ecs_service",
      "svc",
      "service/Service",
      {
        name: "fx-service",
        desired_count: 1,
        network_configuration: {
          subnets: ["${aws_subnet.app.id}"],
          security_groups: ["${aws_security_group.appsg.id}"],
        },
      },
    ],
    ["aws_db_subnet_group", "dbsubnets", "data/SubnetGroup", { subnet_ids: ["${aws_subnet.db.id}"] }],
    [
      "aws_db_instance",
      "pg",
      "data/Database",
      {
        engine: "postgres",
        instance_class: "db.t4g.small",
        db_subnet_group_name: "${aws_db_subnet_group.dbsubnets.name}",
        vpc_security_group_ids: ["${aws_security_group.dbsg.id}"],
      },
    ],
    ["aws_secretsmanager_secret", "a", "data/Secrets/a", { name: "fx/a" }],
    ["aws_secretsmanager_secret", "b", "data/Secrets/b", { name: "fx/b" }],
    ["aws_elasticache_cluster", "cache", "data/Cache", { cluster_id: "fx-cache" }],
    ["aws_sns_topic", "alerts", "observability/Topic", { name: "fx-alerts" }],
    [
      "aws_cloudwatch_metric_alarm",
      "cpu",
      "observability/Cpu",
      { alarm_actions: ["${aws_sns_topic.alerts.arn}"], dimensions: { ServiceName: "${aws_ecs_service.svc.name}" } },
    ],
    ["aws_iam_role", "role", "service/Role", { name: "fx-role" }],
  ]);
  const dot = architectureDot("fx", stack);

  test("draws each resource inside the subnet tier it references, a DB through its subnet group", () => {
    expect(dot).toMatch(/subgraph cluster_tier_public \{\n.*\n\s+tier_public_service_aws_lb \[/);
    expect(dot).toMatch(/subgraph cluster_tier_app \{\n.*10\.9\.11\.0\/24.*\n\s+tier_app_service_aws_ecs_service \[/);
    expect(dot).toMatch(/subgraph cluster_tier_database \{\n.*\n\s+tier_database_data_aws_db_instance \[/);
  });

  test("draws traffic allowed by security-group rules, from the internet through to the database", () => {
    expect(dot).toContain('internet -> tier_public_service_aws_lb [color="#1f4e8c", penwidth=2, label="tcp/443"];');
    expect(dot).toContain(
      'tier_public_service_aws_lb -> tier_app_service_aws_ecs_service [color="#1f4e8c", penwidth=2, label="tcp/8000"];',
    );
    expect(dot).toContain(
      'tier_app_service_aws_ecs_service -> tier_database_data_aws_db_instance [color="#1f4e8c", penwidth=2, label="tcp/5432"];',
    );
  });

  test("draws a resource type it has never seen in its construct-path group", () => {
    expect(dot).toMatch(
      /subgraph cluster_group_data \{\n(.*\n)*?\s+group_data_data_aws_elasticache_cluster \[label="elasticache cluster\\nfx-cache"/,
    );
  });

  test("aggregates resources of one type in one place, and leaves helpers such as IAM roles out", () => {
    expect(dot).toContain('group_data_data_aws_secretsmanager_secret [label="Secrets Manager secret ×2\\nfx/a\\nfx/b"');
    expect(dot).not.toContain("aws_iam_role");
  });

  test("draws alarms notifying topics and watching what their dimensions name", () => {
    expect(dot).toContain(
      'group_observability_observability_aws_cloudwatch_metric_alarm -> group_observability_observability_aws_sns_topic [color="#999999", label="notifies"];',
    );
    expect(dot).toContain(
      'group_observability_observability_aws_cloudwatch_metric_alarm -> tier_app_service_aws_ecs_service [color="#c0504d", style=dotted];',
    );
  });

  test("makes the same DOT from the same stack, whatever the order of its resources", () => {
    const reversed = { ...stack, resource: Object.fromEntries(Object.entries(stack.resource as Json).reverse()) };
    expect(architectureDot("fx", reversed)).toBe(dot);
  });
});
