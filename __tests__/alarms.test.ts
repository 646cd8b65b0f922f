import { readFileSync } from "node:fs";
import { join } from "node:path";

import { TerraformStack, Testing } from "cdktf";

import type { ConfigLayer } from "../config/types";
import {
  ALARM_KEYS,
  type AlarmDefinition,
  alarmDefinitions,
  type AlarmSources,
  FREE_STORAGE_FLOOR_BYTES,
  freeStorageThresholdBytes,
  validateAlarmDefinitions,
} from "../constructs/observability/alarms";
import { observabilityFixture, observabilityOver } from "./fixtures/observability";
import { fixtureStack } from "./fixtures/tiers";
import { type Json, resourcesOf, testConfig } from "./helpers";

/**
 * The ten alarms against the numbers. Expectations are written out here, not read from
 * the alarm table, so a changed threshold or duration in alarms.ts fails a test.
 */

/** Synthesizes Observability over the fixture tiers; returns the alarms by name and the handles. */
function build(env: "dev" | "production", blueGreen: boolean, maxConnections?: number, layer: ConfigLayer = {}) {
  // The environment's own allocated storage (dev 20 GiB, production 100 GiB) drives the free-storage threshold.
  const allocatedStorageGiB = testConfig(env).database.allocatedStorageGiB;
  const built = observabilityFixture(env, {
    blueGreen,
    layer,
    data: { allocatedStorageGiB, ...(maxConnections === undefined ? {} : { maxConnections }) },
  });
  const alarms = Object.fromEntries(
    Object.values(resourcesOf(built.json, "aws_cloudwatch_metric_alarm")).map((a) => [a.alarm_name, a]),
  ) as Record<string, Json>;
  return { ...built, alarms, alarm: (key: string) => alarms[`farmers-module-${env}-${key}`] };
}

/** An always-on rolling environment with Container Insights: the alarms as written. */
const rolling = build("dev", false, undefined, { offHours: { enabled: false }, service: { containerInsights: true } });
const blueGreen = build("production", true, 400);

/** The alarms: topic, condition, duration and missing-data treatment. */
const EXPECTED: Record<
  (typeof ALARM_KEYS)[number],
  {
    topic: "critical" | "warning";
    comparison: string;
    threshold: number;
    durationSeconds: number;
    treatMissingData: string;
  }
> = {
  "unhealthy-targets": {
    topic: "critical",
    comparison: "GreaterThanThreshold",
    threshold: 0,
    durationSeconds: 300,
    treatMissingData: "notBreaching",
  },
  "rds-cpu-high": {
    topic: "critical",
    comparison: "GreaterThanThreshold",
    threshold: 80,
    durationSeconds: 600,
    treatMissingData: "missing",
  },
  // dev's 20 GiB database: 10 % of it (storage autoscaling's trigger), not the 10 GiB floor.
  "rds-free-storage-low": {
    topic: "critical",
    comparison: "LessThanThreshold",
    threshold: 2 * 1024 ** 3,
    durationSeconds: 300,
    treatMissingData: "missing",
  },
  "tasks-below-desired": {
    topic: "critical",
    comparison: "GreaterThanThreshold",
    threshold: 0,
    durationSeconds: 600,
    treatMissingData: "missing",
  },
  "5xx-rate": {
    topic: "critical",
    comparison: "GreaterThanThreshold",
    threshold: 5,
    durationSeconds: 300,
    treatMissingData: "notBreaching",
  },
  "4xx-rate": {
    topic: "warning",
    comparison: "GreaterThanThreshold",
    threshold: 10,
    durationSeconds: 600,
    treatMissingData: "notBreaching",
  },
  "rds-connections-high": {
    topic: "warning",
    comparison: "GreaterThanThreshold",
    threshold: 80,
    durationSeconds: 300,
    treatMissingData: "missing",
  },
  "ecs-memory-high": {
    topic: "warning",
    comparison: "GreaterThanThreshold",
    threshold: 80,
    durationSeconds: 300,
    treatMissingData: "missing",
  },
  "p99-latency-high": {
    topic: "warning",
    comparison: "GreaterThanThreshold",
    threshold: 1,
    durationSeconds: 600,
    treatMissingData: "notBreaching",
  },
  "error-log-spike": {
    topic: "warning",
    comparison: "GreaterThanThreshold",
    threshold: 50,
    durationSeconds: 300,
    treatMissingData: "notBreaching",
  },
};

/** Periods of an alarm: the top-level period, or each metric's period in its metric math. */
function periodsOf(alarm: Json): number[] {
  return alarm.metric_query
    ? (alarm.metric_query as Json[]).filter((q) => q.metric).map((q) => q.metric.period)
    : [alarm.period];
}

/** The query returning data (metric math), and the metric queries by id. */
function math(alarm: Json): { returned: Json; metrics: Record<string, Json> } {
  const queries = alarm.metric_query as Json[];
  const returned = queries.filter((q) => q.return_data === true);
  expect(returned).toHaveLength(1);
  return {
    returned: returned[0],
    metrics: Object.fromEntries(queries.filter((q) => q.metric).map((q) => [q.id, q.metric])),
  };
}

describe("every alarm", () => {
  test("there are exactly the ten alarms, named farmers-module-<env>-<what>", () => {
    // GIVEN the rolling dev fixture WHEN synthesized THEN ten alarms with the expected names
    expect(Object.keys(rolling.alarms).sort()).toEqual(ALARM_KEYS.map((k) => `farmers-module-dev-${k}`).sort());
  });

  describe.each(ALARM_KEYS)("%s", (key) => {
    const expected = EXPECTED[key];

    test("notifies its topic on ALARM and on OK", () => {
      // GIVEN the alarm WHEN synthesized THEN alarm and OK actions are its severity's topic
      const topic = rolling.ref(rolling.observability[expected.topic].arn);
      expect(rolling.alarm(key).alarm_actions).toEqual([topic]);
      expect(rolling.alarm(key).ok_actions).toEqual([topic]);
    });

    test("fires on the issue's condition", () => {
      expect([rolling.alarm(key).comparison_operator, rolling.alarm(key).threshold]).toEqual([
        expected.comparison,
        expected.threshold,
      ]);
    });

    test("period x evaluation periods equals the stated duration, every period breaching", () => {
      // GIVEN both variants WHEN synthesized THEN each metric's period x evaluations = duration
      for (const { alarm } of [rolling, blueGreen]) {
        const a = alarm(key);
        for (const period of periodsOf(a)) expect(period * a.evaluation_periods).toBe(expected.durationSeconds);
        expect(a.datapoints_to_alarm).toBe(a.evaluation_periods);
      }
    });

    test("treats missing data deliberately, and says why in its description", () => {
      const a = rolling.alarm(key);
      expect(a.treat_missing_data).toBe(expected.treatMissingData);
      expect(a.alarm_description).toContain(`Missing data: ${expected.treatMissingData}, because `);
      expect(a.alarm_description).toContain(`Runbook: docs/alarms.md#${key}`);
    });

    test("has a runbook section in docs/alarms.md", () => {
      const docs = readFileSync(join(__dirname, "..", "docs", "alarms.md"), "utf8");
      expect(docs).toMatch(new RegExp(`^### ${key.replace(/[-]/g, "\\-")}$`, "m"));
      expect(docs).toContain(`farmers-module-<env>-${key}`);
    });
  });
});

describe("critical alarms", () => {
  test("unhealthy-targets: maximum UnHealthyHostCount of the serving target group on the load balancer (rolling)", () => {
    // GIVEN the rolling fixture WHEN synthesized THEN one metric, dimensions are the TG and ALB suffixes
    const a = rolling.alarm("unhealthy-targets");
    expect([a.namespace, a.metric_name, a.statistic, a.period]).toEqual([
      "AWS/ApplicationELB",
      "UnHealthyHostCount",
      "Maximum",
      60,
    ]);
    expect(a.dimensions).toEqual({
      TargetGroup: rolling.ref(rolling.service.targetGroup.arnSuffix),
      LoadBalancer: rolling.ref(rolling.service.loadBalancer.arnSuffix),
    });
  });

  test("unhealthy-targets: under blue/green, unhealthy targets of either target group count", () => {
    // GIVEN the blue/green fixture WHEN synthesized THEN blue and green are summed with FILL
    const { returned, metrics } = math(blueGreen.alarm("unhealthy-targets"));
    const lb = blueGreen.ref(blueGreen.service.loadBalancer.arnSuffix);
    expect(Object.values(metrics).map((m) => [m.metric_name, m.stat, m.dimensions])).toEqual([
      [
        "UnHealthyHostCount",
        "Maximum",
        { TargetGroup: blueGreen.ref(blueGreen.service.targetGroup.arnSuffix), LoadBalancer: lb },
      ],
      [
        "UnHealthyHostCount",
        "Maximum",
        { TargetGroup: blueGreen.ref(blueGreen.service.blueGreen!.greenTargetGroup.arnSuffix), LoadBalancer: lb },
      ],
    ]);
    expect(returned.expression).toBe("FILL(unhealthy, 0) + FILL(unhealthy_1, 0)");
  });

  test("rds-cpu-high: average CPUUtilization of the data tier's instance", () => {
    const a = rolling.alarm("rds-cpu-high");
    expect([a.namespace, a.metric_name, a.statistic, a.period, a.evaluation_periods]).toEqual([
      "AWS/RDS",
      "CPUUtilization",
      "Average",
      60,
      10,
    ]);
    expect(a.dimensions).toEqual({ DBInstanceIdentifier: rolling.ref(rolling.data.instance.identifier) });
  });

  test("rds-free-storage-low: production's 100 GiB database pages below 10 GiB free, in bytes", () => {
    // GIVEN production (100 GiB allocated)  WHEN synthesized  THEN the 10 GiB floor
    const a = blueGreen.alarm("rds-free-storage-low");
    expect([a.namespace, a.metric_name, a.statistic, a.threshold]).toEqual([
      "AWS/RDS",
      "FreeStorageSpace",
      "Minimum",
      10_737_418_240,
    ]);
    expect(FREE_STORAGE_FLOOR_BYTES).toBe(10_737_418_240);
    expect(a.dimensions).toEqual({ DBInstanceIdentifier: blueGreen.ref(blueGreen.data.instance.identifier) });
  });

  test("rds-free-storage-low: dev's 20 GiB database pages below 2 GiB free, where storage autoscaling would have acted", () => {
    // GIVEN dev (20 GiB allocated)  WHEN synthesized  THEN 10 % of the allocated storage, in bytes
    expect(rolling.alarm("rds-free-storage-low").threshold).toBe(2 * 1024 ** 3);
  });

  test("the free-storage threshold is 10 % of the allocated storage, at most 10 GiB", () => {
    // GIVEN the allocated sizes of the environments and a large database  WHEN derived  THEN GiB thresholds
    expect([20, 30, 50, 100, 500].map((gib) => freeStorageThresholdBytes(gib) / 1024 ** 3)).toEqual([2, 3, 5, 10, 10]);
  });

  test("tasks-below-desired: Container Insights desired minus running tasks of the service", () => {
    // GIVEN the alarm WHEN synthesized THEN metric math over ECS/ContainerInsights with cluster and service names
    const { returned, metrics } = math(rolling.alarm("tasks-below-desired"));
    const dims = {
      ClusterName: rolling.ref(rolling.service.cluster.name),
      ServiceName: rolling.ref(rolling.service.service.name),
    };
    expect(metrics.desired).toEqual({
      namespace: "ECS/ContainerInsights",
      metric_name: "DesiredTaskCount",
      stat: "Average",
      period: 60,
      dimensions: dims,
    });
    expect(metrics.running).toEqual({
      namespace: "ECS/ContainerInsights",
      metric_name: "RunningTaskCount",
      stat: "Average",
      period: 60,
      dimensions: dims,
    });
    expect(returned.expression).toBe("desired - FILL(running, 0)");
  });

  test("5xx-rate: a percentage of requests, target and load-balancer 5xx over the request count", () => {
    // GIVEN the alarm WHEN synthesized THEN sums of the three ALB metrics feed a rate, not a count
    const a = rolling.alarm("5xx-rate");
    const { returned, metrics } = math(a);
    const lb = { LoadBalancer: rolling.ref(rolling.service.loadBalancer.arnSuffix) };
    expect(Object.values(metrics).map((m) => [m.namespace, m.metric_name, m.stat, m.dimensions])).toEqual([
      ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", lb],
      ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum", lb],
      ["AWS/ApplicationELB", "RequestCount", "Sum", lb],
    ]);
    const expressions = (a.metric_query as Json[]).filter((q) => q.expression).map((q) => q.expression);
    expect(expressions).toEqual([
      "FILL(target_5xx, 0) + FILL(elb_5xx, 0)",
      "MAX([FILL(requests_5xx, 0), errors_5xx])",
      "IF(total_5xx >= 10, 100 * errors_5xx / total_5xx, 0)",
    ]);
    expect(returned.id).toBe("rate_5xx");
    expect(a.metric_name).toBeUndefined();
  });
});

describe("warning alarms", () => {
  test("4xx-rate: target 4xx as a percentage of requests", () => {
    const { returned, metrics } = math(rolling.alarm("4xx-rate"));
    const lb = { LoadBalancer: rolling.ref(rolling.service.loadBalancer.arnSuffix) };
    expect(Object.values(metrics).map((m) => [m.metric_name, m.stat, m.dimensions])).toEqual([
      ["HTTPCode_Target_4XX_Count", "Sum", lb],
      ["RequestCount", "Sum", lb],
    ]);
    expect(returned.expression).toBe("IF(FILL(requests_4xx, 0) >= 10, 100 * FILL(target_4xx, 0) / requests_4xx, 0)");
  });

  test("rate alarms judge only minutes with the configured minimum of requests", () => {
    // GIVEN rateAlarmMinRequests 25 WHEN synthesized THEN both rate expressions use 25
    const { observability: o } = observabilityOver(fixtureStack("dev"), "dev", {
      layer: { observability: { rateAlarmMinRequests: 25 } },
    });
    const rate = (key: "5xx-rate" | "4xx-rate") =>
      o.definitions.find((d) => d.key === key)!.expressions!.at(-1)!.expression;
    expect([rate("5xx-rate"), rate("4xx-rate")]).toEqual([
      "IF(total_5xx >= 25, 100 * errors_5xx / total_5xx, 0)",
      "IF(FILL(requests_4xx, 0) >= 25, 100 * FILL(target_4xx, 0) / requests_4xx, 0)",
    ]);
  });

  test("rds-connections-high: maximum DatabaseConnections over 80 % of the data tier's max_connections", () => {
    // GIVEN max_connections 100 (dev) and 400 (production fixture) THEN thresholds 80 and 320
    const dev = rolling.alarm("rds-connections-high");
    expect([dev.namespace, dev.metric_name, dev.statistic, dev.threshold]).toEqual([
      "AWS/RDS",
      "DatabaseConnections",
      "Maximum",
      80,
    ]);
    expect(dev.dimensions).toEqual({ DBInstanceIdentifier: rolling.ref(rolling.data.instance.identifier) });
    expect(blueGreen.alarm("rds-connections-high").threshold).toBe(320);
  });

  test("ecs-memory-high: MemoryUtilization of the busiest task of the service", () => {
    const a = rolling.alarm("ecs-memory-high");
    expect([a.namespace, a.metric_name, a.statistic, a.period]).toEqual([
      "AWS/ECS",
      "MemoryUtilization",
      "Maximum",
      60,
    ]);
    expect(a.dimensions).toEqual({
      ClusterName: rolling.ref(rolling.service.cluster.name),
      ServiceName: rolling.ref(rolling.service.service.name),
    });
  });

  test("p99-latency-high: p99 TargetResponseTime of the load balancer, low-sample periods ignored", () => {
    const a = rolling.alarm("p99-latency-high");
    expect([a.namespace, a.metric_name, a.extended_statistic, a.statistic, a.period]).toEqual([
      "AWS/ApplicationELB",
      "TargetResponseTime",
      "p99",
      undefined,
      300,
    ]);
    expect(a.dimensions).toEqual({ LoadBalancer: rolling.ref(rolling.service.loadBalancer.arnSuffix) });
    expect(a.evaluate_low_sample_count_percentiles).toBe("ignore");
  });

  test("error-log-spike: the sum of the error-log filter's metric", () => {
    // GIVEN the filter WHEN synthesized THEN the alarm watches the namespace and name the filter publishes
    const a = rolling.alarm("error-log-spike");
    const filter = Object.values(resourcesOf(rolling.json, "aws_cloudwatch_log_metric_filter"))[0];
    expect([a.namespace, a.metric_name, a.statistic, a.dimensions]).toEqual([
      filter.metric_transformation.namespace,
      filter.metric_transformation.name,
      "Sum",
      undefined,
    ]);
    expect(a.namespace).toBe("farmers-module/dev");
  });
});

describe("validateAlarmDefinitions", () => {
  const sources: AlarmSources = {
    loadBalancer: "app/x/1",
    targetGroups: ["targetgroup/x/1"],
    clusterName: "c",
    serviceName: "s",
    dbInstanceIdentifier: "db",
    maxConnections: 100,
    allocatedStorageGiB: 100,
    errorLogMetric: { namespace: "farmers-module/dev", metricName: "ErrorLogLines" },
    errorLogSpikeThreshold: 50,
    rateAlarmMinRequests: 10,
  };
  const valid = alarmDefinitions(sources);
  const cpu = valid.find((d) => d.key === "rds-cpu-high")!;
  const check = (defs: readonly AlarmDefinition[]) => () =>
    validateAlarmDefinitions(new TerraformStack(Testing.app(), "s"), defs);

  test("accepts the table", () => {
    expect(check(valid)).not.toThrow();
  });

  test("fails when a period is not one CloudWatch accepts", () => {
    expect(check([{ ...cpu, periodSeconds: 90, evaluationPeriods: 4, durationSeconds: 360 }])).toThrow(
      "s: alarm rds-cpu-high: periodSeconds is 90; allowed: 10, 30 or a multiple of 60",
    );
  });

  test("fails when period x evaluation periods differs from the stated duration", () => {
    expect(check([{ ...cpu, periodSeconds: 300, evaluationPeriods: 1 }])).toThrow(
      "s: alarm rds-cpu-high: periodSeconds 300 x evaluationPeriods 1 = 300 s; allowed: the stated duration 600 s",
    );
  });

  test("fails when evaluation periods is not a whole number of at least 1", () => {
    expect(check([{ ...cpu, evaluationPeriods: 0 }])).toThrow(
      "s: alarm rds-cpu-high: evaluationPeriods is 0; allowed: a whole number of at least 1",
    );
  });

  test("fails when a metric id is not a metric-math id", () => {
    expect(check([{ ...cpu, metrics: [{ ...cpu.metrics[0], id: "Cpu" }] }])).toThrow(
      's: alarm rds-cpu-high: metric id "Cpu" is invalid; allowed: a lower-case letter, then letters, digits and _',
    );
  });

  test("fails when several metrics have no expression combining them", () => {
    expect(check([{ ...cpu, metrics: [cpu.metrics[0], { ...cpu.metrics[0], id: "cpu2" }] }])).toThrow(
      "s: alarm rds-cpu-high: has 2 metrics and no expression; allowed: one metric, or an expression combining them",
    );
  });

  test("fails when metric ids repeat", () => {
    expect(
      check([
        {
          ...cpu,
          metrics: [cpu.metrics[0], cpu.metrics[0]],
          expressions: [{ id: "e", expression: "cpu", label: "e" }],
        },
      ]),
    ).toThrow("s: alarm rds-cpu-high: metric ids cpu, cpu, e repeat; allowed: each id once");
  });

  test("fails when the description exceeds CloudWatch's 1024 characters", () => {
    expect(check([{ ...cpu, measures: "x".repeat(1000) }])).toThrow(
      /^s: alarm rds-cpu-high: description is 1\d{3} characters; allowed: at most 1024$/,
    );
  });

  test("fails when the threshold is not a finite number", () => {
    expect(check([{ ...cpu, threshold: Number.NaN }])).toThrow(
      "s: alarm rds-cpu-high: threshold is NaN; allowed: a finite number",
    );
  });

  test("fails when an alarm is defined twice", () => {
    expect(check([cpu, cpu])).toThrow("s: alarm rds-cpu-high: defined twice; allowed: one definition per alarm");
  });
});

describe("an environment that sleeps outside working hours (offHours)", () => {
  const asleep = build("dev", false, undefined, { offHours: { enabled: true }, service: { containerInsights: true } });
  const PUBLISHED_ALWAYS = [
    "rds-cpu-high",
    "rds-free-storage-low",
    "rds-connections-high",
    "ecs-memory-high",
    "tasks-below-desired",
  ];

  test.each(PUBLISHED_ALWAYS)(
    "%s keeps its last state on missing data (no INSUFFICIENT_DATA at night, no OK every morning)",
    (key) => {
      // GIVEN offHours.enabled WHEN synthesized THEN the always-published alarms ignore missing data, and say why
      const a = asleep.alarm(key);
      expect(a.treat_missing_data).toBe("ignore");
      expect(a.alarm_description).toContain(
        "Missing data: ignore, because this environment sleeps outside working hours",
      );
    },
  );

  test.each(["unhealthy-targets", "5xx-rate", "4xx-rate", "p99-latency-high", "error-log-spike"])(
    "%s stays notBreaching: no traffic at night is no data",
    (key) => {
      // GIVEN offHours.enabled WHEN synthesized THEN the traffic alarms keep their treatment
      expect(asleep.alarm(key).treat_missing_data).toBe("notBreaching");
    },
  );

  test("tasks-below-desired is quiet at zero desired tasks: desired 0 - running 0 = 0 is not above 0", () => {
    // GIVEN the sleeping fixture WHEN synthesized THEN the expression and threshold make 0 desired / 0 running not breaching
    const a = asleep.alarm("tasks-below-desired");
    expect([math(a).returned.expression, a.comparison_operator, a.threshold]).toEqual([
      "desired - FILL(running, 0)",
      "GreaterThanThreshold",
      0,
    ]);
  });
});

describe("Container Insights off (service.containerInsights false)", () => {
  const plain = build("dev", false, undefined, { offHours: { enabled: true }, service: { containerInsights: false } });

  test("tasks-below-desired reads the load balancer's healthy and unhealthy host counts of the serving target group", () => {
    // GIVEN Container Insights off WHEN synthesized THEN no ECS/ContainerInsights metric, the ALB host counts instead
    const { returned, metrics } = math(plain.alarm("tasks-below-desired"));
    const dims = {
      TargetGroup: plain.ref(plain.service.targetGroup.arnSuffix),
      LoadBalancer: plain.ref(plain.service.loadBalancer.arnSuffix),
    };
    expect(metrics.healthy).toEqual({
      namespace: "AWS/ApplicationELB",
      metric_name: "HealthyHostCount",
      stat: "Minimum",
      period: 60,
      dimensions: dims,
    });
    expect(metrics.unhealthy_hosts).toEqual({
      namespace: "AWS/ApplicationELB",
      metric_name: "UnHealthyHostCount",
      stat: "Maximum",
      period: 60,
      dimensions: dims,
    });
    expect(returned.expression).toBe("IF(FILL(healthy, 0) + FILL(unhealthy_hosts, 0) > 0, FILL(healthy, 0), 1)");
  });

  test("it fires below one healthy task for ten minutes, and no registered task (asleep) counts as 1", () => {
    // GIVEN the alarm WHEN synthesized THEN < 1 for 10 one-minute periods, missing data not breaching
    const a = plain.alarm("tasks-below-desired");
    expect([a.comparison_operator, a.threshold, a.evaluation_periods, a.treat_missing_data]).toEqual([
      "LessThanThreshold",
      1,
      10,
      "notBreaching",
    ]);
  });

  test("under blue/green both target groups count", () => {
    // GIVEN Container Insights off with two target groups WHEN synthesized THEN the expression sums both groups
    const bg = build("production", true, 400, { service: { containerInsights: false } });
    expect(math(bg.alarm("tasks-below-desired")).returned.expression).toBe(
      "IF(FILL(healthy, 0) + FILL(healthy_1, 0) + FILL(unhealthy_hosts, 0) + FILL(unhealthy_hosts_1, 0) > 0, FILL(healthy, 0) + FILL(healthy_1, 0), 1)",
    );
  });

  test("no alarm reads a Container Insights metric", () => {
    // GIVEN Container Insights off WHEN synthesized THEN nothing queries the ECS/ContainerInsights namespace
    expect(JSON.stringify(plain.alarms)).not.toContain("ECS/ContainerInsights");
  });
});
