import { TerraformStack, Testing } from "cdktf";

import type { ConfigLayer } from "../config/types";
import { ALARM_KEYS, alarmDefinitions } from "../constructs/observability/alarms";
import { dashboardBody, SEVERITY_COLOURS } from "../constructs/observability/dashboard";
import { observabilityFixture } from "./fixtures/observability";
import { type Json, resourcesOf } from "./helpers";

/** The dashboard: valid JSON, references to resources that exist, the graphs asked for, thresholds drawn. */

function build(env: "dev" | "production", blueGreen: boolean, layer: ConfigLayer = {}) {
  const built = observabilityFixture(env, { blueGreen, layer });
  const dashboards = Object.values(resourcesOf(built.json, "aws_cloudwatch_dashboard"));
  expect(dashboards).toHaveLength(1);
  const body = JSON.parse(dashboards[0].dashboard_body) as { widgets: Json[] };
  return { ...built, dashboard: dashboards[0], body };
}

/** dev as an always-on environment with a dashboard and Container Insights. */
const rolling = build("dev", false, {
  observability: { dashboard: true },
  offHours: { enabled: false },
  service: { containerInsights: true },
});
const blueGreen = build("production", true);

const graph = (b: typeof rolling, title: string): Json => {
  const found = b.body.widgets.find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget "${title}" in ${b.body.widgets.map((w) => w.properties.title).join(", ")}`);
  return found.properties;
};
/** `[namespace, metric, stat]` of each visible metric row and the label of each visible expression. */
const visibleSeries = (properties: Json): string[] =>
  (properties.metrics as unknown[][])
    .filter((row) => (row.at(-1) as Json).visible !== false)
    .map((row) => {
      const options = row.at(-1) as Json;
      return options.expression ? `expr ${options.label}` : `${row[0]} ${row[1]} ${options.stat}`;
    });

describe("dashboard", () => {
  test("is named farmers-module-<env> and its URL opens it in the console", () => {
    expect(rolling.dashboard.dashboard_name).toBe("farmers-module-dev");
    expect(rolling.observability.dashboardUrl).toBe(
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/farmers-module-dev",
    );
  });

  test.each([
    ["rolling", rolling],
    ["blue/green", blueGreen],
  ] as const)("%s: the body parses as JSON and every reference in it names a resource of the stack", (_name, b) => {
    // GIVEN the synthesized body WHEN its ${...} references are listed THEN each resolves to a declared resource
    const references = [...b.dashboard.dashboard_body.matchAll(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g)].map(
      (m) => m.slice(1, 4),
    );
    expect(references.length).toBeGreaterThan(10);
    for (const [type, name] of references) expect(Object.keys(resourcesOf(b.json, type))).toContain(name);
    expect(b.dashboard.dashboard_body).not.toMatch(/TfToken|\$\{Token/);
  });

  test("draws the graphs the issue asks for", () => {
    // GIVEN the rolling dashboard THEN requests, rates, latency, hosts, ECS and RDS graphs exist with their series
    expect(visibleSeries(graph(rolling, "Requests per minute"))).toEqual(["AWS/ApplicationELB RequestCount Sum"]);
    expect(visibleSeries(graph(rolling, "4xx / 5xx rate (%)"))).toEqual(["expr 5xx rate %", "expr 4xx rate %"]);
    expect(visibleSeries(graph(rolling, "Target response time (s)"))).toEqual([
      "AWS/ApplicationELB TargetResponseTime p50",
      "AWS/ApplicationELB TargetResponseTime p99",
    ]);
    expect(visibleSeries(graph(rolling, "Target health"))).toEqual([
      "AWS/ApplicationELB HealthyHostCount Minimum",
      "AWS/ApplicationELB UnHealthyHostCount Maximum",
    ]);
    expect(visibleSeries(graph(rolling, "ECS CPU / memory (%)"))).toEqual([
      "AWS/ECS CPUUtilization Average",
      "AWS/ECS CPUUtilization Maximum",
      "AWS/ECS MemoryUtilization Average",
      "AWS/ECS MemoryUtilization Maximum",
    ]);
    expect(visibleSeries(graph(rolling, "ECS tasks"))).toEqual([
      "ECS/ContainerInsights PendingTaskCount Average",
      "ECS/ContainerInsights DesiredTaskCount Average",
      "ECS/ContainerInsights RunningTaskCount Average",
      "expr Tasks missing (desired - running)",
    ]);
    expect(visibleSeries(graph(rolling, "RDS CPU (%)"))).toEqual(["AWS/RDS CPUUtilization Average"]);
    expect(visibleSeries(graph(rolling, "RDS connections"))).toEqual(["AWS/RDS DatabaseConnections Maximum"]);
    expect(visibleSeries(graph(rolling, "RDS free storage (bytes)"))).toEqual(["AWS/RDS FreeStorageSpace Minimum"]);
    expect(visibleSeries(graph(rolling, "RDS IOPS"))).toEqual([
      "AWS/RDS ReadIOPS Average",
      "AWS/RDS WriteIOPS Average",
    ]);
  });

  test("each alarm's threshold is a horizontal line on the graph of its series, coloured by severity", () => {
    // GIVEN the alarm table WHEN the dashboard is drawn THEN every alarm has exactly one line with its value
    const lines: Json[] = rolling.body.widgets.flatMap((w) =>
      ((w.properties.annotations?.horizontal ?? []) as Json[]).map((l): Json => ({ ...l, title: w.properties.title })),
    );
    for (const d of rolling.observability.definitions) {
      const line = lines.filter((l) => String(l.label).startsWith(`${d.key} (`));
      expect(line).toHaveLength(1);
      expect([line[0].value, line[0].color]).toEqual([d.threshold, SEVERITY_COLOURS[d.severity]]);
    }
    // The fixture's database has 20 GiB allocated: the threshold is 10 % of it.
    expect(lines.find((l) => l.label.startsWith("rds-free-storage-low"))).toMatchObject({
      title: "RDS free storage (bytes)",
      value: 2147483648,
      label: "rds-free-storage-low (critical) < 2 GiB",
      fill: "below",
    });
    expect(lines.find((l) => l.label.startsWith("5xx-rate"))).toMatchObject({
      title: "4xx / 5xx rate (%)",
      value: 5,
      fill: "above",
    });
    expect(lines.find((l) => l.label === "max_connections")).toMatchObject({ title: "RDS connections", value: 100 });
  });

  test("the alarm strip lists every alarm by ARN", () => {
    const strip = rolling.body.widgets.find((w) => w.type === "alarm")!;
    expect(strip.properties.alarms).toEqual(ALARM_KEYS.map((k) => rolling.ref(rolling.observability.alarms[k].arn)));
  });

  test("metrics reference the stack's load balancer, target group, cluster, service and database", () => {
    const dims = (title: string) => (graph(rolling, title).metrics as unknown[][]).map((row) => row.slice(2, -1));
    expect(dims("Requests per minute")).toEqual([
      ["LoadBalancer", rolling.ref(rolling.service.loadBalancer.arnSuffix)],
    ]);
    expect(dims("Target health")[0]).toEqual([
      "TargetGroup",
      rolling.ref(rolling.service.targetGroup.arnSuffix),
      "LoadBalancer",
      rolling.ref(rolling.service.loadBalancer.arnSuffix),
    ]);
    expect(dims("ECS tasks")[0]).toEqual([
      "ClusterName",
      rolling.ref(rolling.service.cluster.name),
      "ServiceName",
      rolling.ref(rolling.service.service.name),
    ]);
    expect(dims("RDS IOPS")[0]).toEqual(["DBInstanceIdentifier", rolling.ref(rolling.data.instance.identifier)]);
  });

  test("blue/green: healthy and unhealthy hosts of both target groups", () => {
    // GIVEN the blue/green fixture THEN the target-health graph has the green group too and the summed alarm series
    const rows = graph(blueGreen, "Target health").metrics as unknown[][];
    const greenSuffix = blueGreen.ref(blueGreen.service.blueGreen!.greenTargetGroup.arnSuffix);
    expect(rows.filter((row) => row.includes(greenSuffix)).map((row) => row[1])).toEqual([
      "HealthyHostCount",
      "UnHealthyHostCount",
    ]);
    expect(visibleSeries(graph(blueGreen, "Target health"))).toContain("expr Unhealthy targets (all groups)");
  });

  test("the task graph draws the autoscaling bounds from the service configuration", () => {
    const lines = graph(blueGreen, "ECS tasks").annotations.horizontal as Json[];
    expect(lines.filter((l) => l.label.startsWith("Autoscaling")).map((l) => [l.label, l.value])).toEqual([
      ["Autoscaling minimum", 2],
      ["Autoscaling maximum", 10],
    ]);
  });

  test("a log table lists recent error lines of the service's log group", () => {
    const table = rolling.body.widgets.find((w) => w.type === "log")!;
    expect(table.properties.query).toBe(
      `SOURCE '${rolling.ref(rolling.service.logGroup.name)}' | fields @timestamp, @message | filter level = "error" | sort @timestamp desc | limit 50`,
    );
  });

  test("widgets do not overlap", () => {
    const cells = new Set<string>();
    for (const w of rolling.body.widgets)
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
  });

  test("fails when an alarm names a graph the dashboard does not have", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const sources = {
      loadBalancer: "lb",
      targetGroups: ["tg"],
      clusterName: "c",
      serviceName: "s",
      dbInstanceIdentifier: "db",
      maxConnections: 100,
      allocatedStorageGiB: 100,
      errorLogMetric: { namespace: "n", metricName: "m" },
      errorLogSpikeThreshold: 50,
      rateAlarmMinRequests: 10,
      logGroupName: "/ecs/x",
    };
    const definitions = alarmDefinitions(sources).map((d) =>
      d.key === "rds-cpu-high" ? { ...d, widget: "nowhere" as never } : d,
    );
    const alarmArns = Object.fromEntries(ALARM_KEYS.map((k) => [k, `arn:${k}`])) as Record<
      (typeof ALARM_KEYS)[number],
      string
    >;
    expect(() => dashboardBody({ region: "us-east-1", definitions, alarmArns, sources, scope: stack })).toThrow(
      's: alarm rds-cpu-high is drawn on widget "nowhere"; allowed: requests, error-rates, latency, target-health, ecs-utilization, ecs-tasks, rds-cpu, rds-connections, rds-storage, rds-iops, error-logs',
    );
  });
});

describe("dashboard without Container Insights", () => {
  test("the ECS tasks graph draws the load balancer's host counts and no Container Insights metric", () => {
    // GIVEN service.containerInsights false (dashboard kept on) WHEN synthesized THEN the task graph reads AWS/ApplicationELB only
    const plain = build("dev", false, { observability: { dashboard: true }, service: { containerInsights: false } });
    expect(visibleSeries(graph(plain, "ECS tasks"))).toEqual([
      "AWS/ApplicationELB HealthyHostCount Minimum",
      "AWS/ApplicationELB UnHealthyHostCount Maximum",
      "expr Healthy tasks (1 when none is registered)",
    ]);
    expect(plain.dashboard.dashboard_body).not.toContain("ECS/ContainerInsights");
  });
});
