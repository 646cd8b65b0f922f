import { Token } from "cdktf";
import type { IConstruct } from "constructs";

import { isValidAlarmPeriod } from "../aws/catalog";
import { ValidationError } from "../validation-error";
import type { Severity } from "./topics";

/**
 * The environment's alarms as data. One table drives both the CloudWatch alarms
 * (observability.ts) and the dashboard's graphs and threshold lines (dashboard.ts), so a
 * threshold changed here moves the alarm and its line together. docs/alarms.md is the runbook.
 */

/** What CloudWatch does with periods that have no data points. */
export type TreatMissingData = "notBreaching" | "breaching" | "missing" | "ignore";
export type Comparison = "GreaterThanThreshold" | "LessThanThreshold";

/** The dashboard graph an alarm's series and threshold line are drawn on. */
export type WidgetKey =
  | "requests"
  | "error-rates"
  | "latency"
  | "target-health"
  | "ecs-utilization"
  | "ecs-tasks"
  | "rds-cpu"
  | "rds-connections"
  | "rds-storage"
  | "rds-iops"
  | "error-logs";

/** One CloudWatch metric, with the statistic taken over each period. */
export interface MetricSpec {
  /** Id in metric math (lower-case letter first). */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `Maximum`, `Minimum` or a percentile such as `p99`. */
  readonly stat: string;
  readonly label: string;
}

/** A metric-math expression over the metrics (and earlier expressions) of its alarm. */
export interface ExpressionSpec {
  readonly id: string;
  readonly expression: string;
  readonly label: string;
}

export const ALARM_KEYS = [
  "unhealthy-targets",
  "rds-cpu-high",
  "rds-free-storage-low",
  "tasks-below-desired",
  "5xx-rate",
  "4xx-rate",
  "rds-connections-high",
  "ecs-memory-high",
  "p99-latency-high",
  "error-log-spike",
] as const;
export type AlarmKey = (typeof ALARM_KEYS)[number];

/** One alarm: what it evaluates, when it fires, whom it tells, and how it is drawn. */
export interface AlarmDefinition {
  /** Suffix of the alarm name (`<prefix>-<key>`) and anchor in docs/alarms.md. */
  readonly key: AlarmKey;
  readonly severity: Severity;
  /** Short human name, used for the dashboard line. */
  readonly title: string;
  /** What the alarm measures, in one sentence (the alarm description). */
  readonly measures: string;
  readonly metrics: readonly MetricSpec[];
  /** Metric math; the LAST expression is what the alarm evaluates. @default - the single metric */
  readonly expressions?: readonly ExpressionSpec[];
  readonly comparison: Comparison;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** The duration the alarm must be breaching, as specified; period x evaluations must equal it. */
  readonly durationSeconds: number;
  readonly treatMissingData: TreatMissingData;
  /** Why that treatment (kept next to the choice, printed into the description). */
  readonly missingDataReason: string;
  /** For percentile statistics: skip periods with too few samples to mean anything. */
  readonly evaluateLowSampleCountPercentiles?: "ignore" | "evaluate";
  readonly widget: WidgetKey;
  /** Draw the expression's input metrics too, not only the evaluated series. @default false */
  readonly drawInputs?: boolean;
}

/** Where the alarms' metrics come from: identifiers of the resources (tokens are fine). */
export interface AlarmSources {
  /** ARN suffix of the load balancer (`app/<name>/<id>`). */
  readonly loadBalancer: string;
  /** ARN suffixes of the target groups that can serve: the serving one first, then green. */
  readonly targetGroups: readonly string[];
  readonly clusterName: string;
  readonly serviceName: string;
  readonly dbInstanceIdentifier: string;
  /** `max_connections` of the database's parameter group. */
  readonly maxConnections: number;
  /** The database's allocated storage at creation, GiB (the free-storage threshold follows from it). */
  readonly allocatedStorageGiB: number;
  /** The metric the error-log filter publishes. */
  readonly errorLogMetric: { readonly namespace: string; readonly metricName: string };
  /** Error lines in five minutes that make a spike. */
  readonly errorLogSpikeThreshold: number;
  /** Fewest requests in a minute for the rate alarms to judge it. */
  readonly rateAlarmMinRequests: number;
  /**
   * Container Insights on the cluster: the task-count alarm compares its desired and running
   * counts. Off, it reads the load balancer's healthy and unhealthy host counts. @default true
   */
  readonly containerInsights?: boolean;
  /** The environment sleeps outside working hours (offHours): see SLEEPS_AT_NIGHT. @default false */
  readonly sleeps?: boolean;
}

/** Fraction of `max_connections` in use that warns. */
export const CONNECTIONS_ALARM_FRACTION = 0.8;
/** 10 GiB in bytes, the free-storage floor (CloudWatch reports FreeStorageSpace in bytes). */
export const FREE_STORAGE_FLOOR_BYTES = 10 * 1024 ** 3;
/** RDS storage autoscaling acts when free space falls below this fraction of the allocated storage. */
export const RDS_AUTOSCALING_FREE_FRACTION = 0.1;

/**
 * The free-storage threshold: 10 GiB, or 10 % of the allocated storage when that is less (20 GiB:
 * 2 GiB; 100 GiB and more: 10 GiB). RDS storage autoscaling grows a database whose free space has
 * been below 10 % of its allocated storage for 5 minutes, at most every 6 hours, up to
 * max_allocated_storage (RDS User Guide, "Managing capacity automatically with Amazon RDS storage
 * autoscaling"). Allocated storage only grows, so this threshold is at or below autoscaling's own
 * trigger at every size the database can reach: the alarm fires when autoscaling did not help (the
 * ceiling is reached, the 6-hour wait, or growth faster than its steps), not on a small database
 * with plenty of room to grow.
 */
export function freeStorageThresholdBytes(allocatedStorageGiB: number): number {
  return Math.min(
    FREE_STORAGE_FLOOR_BYTES,
    Math.floor(allocatedStorageGiB * 1024 ** 3 * RDS_AUTOSCALING_FREE_FRACTION),
  );
}

const ALB = "AWS/ApplicationELB";

/** Reasons for the missing-data treatments, shared by the alarms they apply to. */
const NO_TRAFFIC_IS_FINE =
  "the load balancer publishes request metrics only while requests arrive; a quiet service at night has no data and must not page";
const ALWAYS_PUBLISHED =
  "published every minute whatever the traffic; a gap means telemetry is missing, shown as INSUFFICIENT_DATA without paging and without a false OK";

/**
 * Why an environment that sleeps keeps its last state on missing data: while asleep its database
 * and tasks publish nothing. "missing" would flip each alarm to INSUFFICIENT_DATA every night and
 * back to OK every morning, sending an OK notification per alarm; "ignore" holds the state.
 */
const SLEEPS_AT_NIGHT =
  "this environment sleeps outside working hours (offHours): the database and the tasks publish nothing then, so the alarm keeps its last state rather than going INSUFFICIENT_DATA every night and sending an OK every morning";

/** The ten alarms of an environment (the nine of the reference plus the error-log spike). */
export function alarmDefinitions(s: AlarmSources): readonly AlarmDefinition[] {
  const sleeps = s.sleeps ?? false;
  // Always-published metrics: "missing" (no page, no false OK), or "ignore" while an environment sleeps.
  const published = (reason: string): Pick<AlarmDefinition, "treatMissingData" | "missingDataReason"> =>
    sleeps
      ? { treatMissingData: "ignore", missingDataReason: SLEEPS_AT_NIGHT }
      : { treatMissingData: "missing", missingDataReason: reason };
  const lb = { LoadBalancer: s.loadBalancer };
  /** A load-balancer-wide count, summed over each period (requests, response codes). */
  const albSum = (id: string, metricName: string, label: string): MetricSpec => ({
    id,
    namespace: ALB,
    metricName,
    dimensions: lb,
    stat: "Sum",
    label,
  });
  const ecs = { ClusterName: s.clusterName, ServiceName: s.serviceName };
  const rds = { DBInstanceIdentifier: s.dbInstanceIdentifier };
  const min = s.rateAlarmMinRequests;
  const [serving, ...others] = s.targetGroups;
  // The 4xx and 5xx rates: per-minute percentages of the load balancer's requests, drawn together.
  const rateAlarm = {
    comparison: "GreaterThanThreshold",
    periodSeconds: 60,
    treatMissingData: "notBreaching",
    missingDataReason: `${NO_TRAFFIC_IS_FINE}; minutes under ${min} requests count as 0 % for the same reason`,
    widget: "error-rates",
  } as const satisfies Partial<AlarmDefinition>;

  // Under blue/green either target group may be serving (and the other takes the replacement
  // tasks during a deployment): unhealthy targets in either count.
  const unhealthyMetrics: MetricSpec[] = [serving, ...others].map((tg, i) => ({
    id: i === 0 ? "unhealthy" : `unhealthy_${i}`,
    namespace: ALB,
    metricName: "UnHealthyHostCount",
    dimensions: { TargetGroup: tg, ...lb },
    stat: "Maximum",
    label: i === 0 ? "Unhealthy targets (serving group)" : "Unhealthy targets (green group)",
  }));
  const unhealthyExpressions: ExpressionSpec[] | undefined =
    others.length === 0
      ? undefined
      : [
          {
            id: "unhealthy_all",
            expression: unhealthyMetrics.map((m) => `FILL(${m.id}, 0)`).join(" + "),
            label: "Unhealthy targets (all groups)",
          },
        ];

  return [
    {
      key: "unhealthy-targets",
      severity: "critical",
      title: "Unhealthy targets",
      measures: "Targets failing the load balancer's /health check (UnHealthyHostCount, maximum per minute).",
      metrics: unhealthyMetrics,
      expressions: unhealthyExpressions,
      comparison: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: 60,
      evaluationPeriods: 5,
      durationSeconds: 5 * 60,
      treatMissingData: "notBreaching",
      drawInputs: true,
      missingDataReason:
        "a target group without registered targets (the idle blue/green group) publishes nothing, and nothing is unhealthy; no tasks at all is tasks-below-desired's alarm",
      widget: "target-health",
    },
    {
      key: "rds-cpu-high",
      severity: "critical",
      title: "RDS CPU",
      measures: "Database CPU utilisation (CPUUtilization, average per minute).",
      metrics: [
        {
          id: "cpu",
          namespace: "AWS/RDS",
          metricName: "CPUUtilization",
          dimensions: rds,
          stat: "Average",
          label: "RDS CPU %",
        },
      ],
      comparison: "GreaterThanThreshold",
      threshold: 80,
      periodSeconds: 60,
      evaluationPeriods: 10,
      durationSeconds: 10 * 60,
      ...published(`RDS CPU is ${ALWAYS_PUBLISHED}`),
      widget: "rds-cpu",
    },
    {
      key: "rds-free-storage-low",
      severity: "critical",
      title: "RDS free storage",
      measures:
        "Free database storage in bytes (FreeStorageSpace, minimum over five minutes); threshold 10 GiB or 10 % of the allocated storage if less, at or below storage autoscaling's trigger.",
      metrics: [
        {
          id: "free",
          namespace: "AWS/RDS",
          metricName: "FreeStorageSpace",
          dimensions: rds,
          stat: "Minimum",
          label: "RDS free storage (bytes)",
        },
      ],
      comparison: "LessThanThreshold",
      threshold: freeStorageThresholdBytes(s.allocatedStorageGiB),
      // Storage moves slowly: one five-minute minimum is enough and avoids a flapping alarm.
      periodSeconds: 300,
      evaluationPeriods: 1,
      durationSeconds: 5 * 60,
      ...published(`RDS storage is ${ALWAYS_PUBLISHED}`),
      widget: "rds-storage",
    },
    (s.containerInsights ?? true) ? tasksBelowDesired(ecs, published) : noHealthyTask(s.targetGroups, lb),
    {
      key: "5xx-rate",
      severity: "critical",
      title: "5xx rate",
      measures:
        "Percentage of requests answered with a 5xx, by the service (HTTPCode_Target_5XX_Count) or by the load balancer on its behalf (HTTPCode_ELB_5XX_Count: 502/503/504 when tasks crash, time out or none is healthy).",
      metrics: [
        albSum("target_5xx", "HTTPCode_Target_5XX_Count", "Target 5xx"),
        albSum("elb_5xx", "HTTPCode_ELB_5XX_Count", "Load balancer 5xx"),
        albSum("requests_5xx", "RequestCount", "Requests"),
      ],
      expressions: [
        { id: "errors_5xx", expression: "FILL(target_5xx, 0) + FILL(elb_5xx, 0)", label: "5xx responses" },
        // RequestCount leaves out requests refused before a target was chosen (some 503s), so the
        // denominator is at least the error count: the rate stays within 0-100 %.
        { id: "total_5xx", expression: "MAX([FILL(requests_5xx, 0), errors_5xx])", label: "Requests incl. refused" },
        { id: "rate_5xx", expression: `IF(total_5xx >= ${min}, 100 * errors_5xx / total_5xx, 0)`, label: "5xx rate %" },
      ],
      ...rateAlarm,
      threshold: 5,
      evaluationPeriods: 5,
      durationSeconds: 5 * 60,
    },
    {
      key: "4xx-rate",
      severity: "warning",
      title: "4xx rate",
      measures:
        "Percentage of requests the service answered with a 4xx (HTTPCode_Target_4XX_Count / RequestCount); load-balancer 4xx (malformed requests, scanners) are left out.",
      metrics: [
        albSum("target_4xx", "HTTPCode_Target_4XX_Count", "Target 4xx"),
        albSum("requests_4xx", "RequestCount", "Requests"),
      ],
      expressions: [
        {
          id: "rate_4xx",
          expression: `IF(FILL(requests_4xx, 0) >= ${min}, 100 * FILL(target_4xx, 0) / requests_4xx, 0)`,
          label: "4xx rate %",
        },
      ],
      ...rateAlarm,
      threshold: 10,
      evaluationPeriods: 10,
      durationSeconds: 10 * 60,
    },
    {
      key: "rds-connections-high",
      severity: "warning",
      title: "RDS connections",
      measures: `Open database connections (DatabaseConnections, maximum per minute) above ${CONNECTIONS_ALARM_FRACTION * 100} % of max_connections (${s.maxConnections}).`,
      metrics: [
        {
          id: "connections",
          namespace: "AWS/RDS",
          metricName: "DatabaseConnections",
          dimensions: rds,
          stat: "Maximum",
          label: "DB connections",
        },
      ],
      comparison: "GreaterThanThreshold",
      threshold: CONNECTIONS_ALARM_FRACTION * s.maxConnections,
      periodSeconds: 60,
      evaluationPeriods: 5,
      durationSeconds: 5 * 60,
      ...published(`RDS connections are ${ALWAYS_PUBLISHED}`),
      widget: "rds-connections",
    },
    {
      key: "ecs-memory-high",
      severity: "warning",
      title: "ECS memory",
      measures:
        "Memory utilisation of the service's busiest task (AWS/ECS MemoryUtilization, maximum per minute): a task near its limit is killed whatever its siblings use.",
      metrics: [
        {
          id: "memory",
          namespace: "AWS/ECS",
          metricName: "MemoryUtilization",
          dimensions: ecs,
          stat: "Maximum",
          label: "Memory % (max task)",
        },
      ],
      comparison: "GreaterThanThreshold",
      threshold: 80,
      periodSeconds: 60,
      evaluationPeriods: 5,
      durationSeconds: 5 * 60,
      ...published(
        "AWS/ECS publishes service utilisation every minute while a task runs, whatever the traffic; a gap means telemetry is missing (INSUFFICIENT_DATA: no page, no false OK), and no task at all is tasks-below-desired's alarm",
      ),
      widget: "ecs-utilization",
    },
    {
      key: "p99-latency-high",
      severity: "warning",
      title: "p99 latency",
      measures: "99th percentile of target response time in seconds (TargetResponseTime p99 per five minutes).",
      metrics: [
        {
          id: "p99",
          namespace: ALB,
          metricName: "TargetResponseTime",
          dimensions: lb,
          stat: "p99",
          label: "p99 latency (s)",
        },
      ],
      comparison: "GreaterThanThreshold",
      threshold: 1,
      // Five-minute periods: a p99 needs ~100 samples to mean anything, 20 requests a minute.
      periodSeconds: 300,
      evaluationPeriods: 2,
      durationSeconds: 10 * 60,
      treatMissingData: "notBreaching",
      missingDataReason: `${NO_TRAFFIC_IS_FINE}; periods with too few requests for a p99 are skipped (evaluate_low_sample_count_percentiles = ignore)`,
      evaluateLowSampleCountPercentiles: "ignore",
      widget: "latency",
    },
    {
      key: "error-log-spike",
      severity: "warning",
      title: "Error log lines",
      measures: `Lines logged at level "error" by the service (metric filter { $.level = "error" }), summed over five minutes.`,
      metrics: [
        {
          id: "errors",
          namespace: s.errorLogMetric.namespace,
          metricName: s.errorLogMetric.metricName,
          dimensions: {},
          stat: "Sum",
          label: "Error log lines",
        },
      ],
      comparison: "GreaterThanThreshold",
      threshold: s.errorLogSpikeThreshold,
      periodSeconds: 300,
      evaluationPeriods: 1,
      durationSeconds: 5 * 60,
      treatMissingData: "notBreaching",
      missingDataReason: "the filter publishes only when the service logs; no log lines means no error lines",
      widget: "error-logs",
    },
  ];
}

/** Desired minus running tasks, from Container Insights. */
function tasksBelowDesired(
  ecs: Record<string, string>,
  published: (reason: string) => Pick<AlarmDefinition, "treatMissingData" | "missingDataReason">,
): AlarmDefinition {
  return {
    key: "tasks-below-desired",
    severity: "critical",
    title: "Tasks below desired",
    measures: "Desired minus running tasks of the service (Container Insights DesiredTaskCount - RunningTaskCount).",
    metrics: [
      {
        id: "desired",
        namespace: "ECS/ContainerInsights",
        metricName: "DesiredTaskCount",
        dimensions: ecs,
        stat: "Average",
        label: "Desired tasks",
      },
      {
        id: "running",
        namespace: "ECS/ContainerInsights",
        metricName: "RunningTaskCount",
        dimensions: ecs,
        stat: "Average",
        label: "Running tasks",
      },
    ],
    // Running is filled with 0: a service whose tasks all died must count as short, not as missing.
    expressions: [
      { id: "missing_tasks", expression: "desired - FILL(running, 0)", label: "Tasks missing (desired - running)" },
    ],
    comparison: "GreaterThanThreshold",
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 10,
    durationSeconds: 10 * 60,
    ...published(
      `Container Insights task counts are ${ALWAYS_PUBLISHED} (INSUFFICIENT_DATA here means Container Insights is off)`,
    ),
    widget: "ecs-tasks",
    drawInputs: true,
  };
}

/**
 * Without Container Insights no metric carries the desired count. The load balancer's host
 * counts (free AWS/ApplicationELB metrics) tell the one case that matters: targets registered
 * but none healthy. With no target registered at all (scaled to zero, asleep) the expression is
 * 1, so a sleeping environment never pages; all tasks gone while awake then shows as 5xx-rate
 * (the load balancer answers 503). Under blue/green both groups count, as in unhealthy-targets.
 */
function noHealthyTask(targetGroups: readonly string[], lb: Record<string, string>): AlarmDefinition {
  const suffix = (i: number) => (i === 0 ? "" : `_${i}`);
  const metrics: MetricSpec[] = targetGroups.flatMap((tg, i) => [
    {
      id: `healthy${suffix(i)}`,
      namespace: ALB,
      metricName: "HealthyHostCount",
      dimensions: { TargetGroup: tg, ...lb },
      stat: "Minimum",
      label: i === 0 ? "Healthy tasks" : "Healthy tasks (green group)",
    },
    {
      id: `unhealthy_hosts${suffix(i)}`,
      namespace: ALB,
      metricName: "UnHealthyHostCount",
      dimensions: { TargetGroup: tg, ...lb },
      stat: "Maximum",
      label: i === 0 ? "Unhealthy tasks" : "Unhealthy tasks (green group)",
    },
  ]);
  const sum = (prefix: string) => targetGroups.map((_, i) => `FILL(${prefix}${suffix(i)}, 0)`).join(" + ");
  return {
    key: "tasks-below-desired",
    severity: "critical",
    title: "No healthy task",
    measures:
      "Healthy tasks behind the load balancer while any task is registered (HealthyHostCount, UnHealthyHostCount; minimum and maximum per minute). Container Insights is off in this environment.",
    metrics,
    expressions: [
      {
        id: "healthy_when_registered",
        expression: `IF(${sum("healthy")} + ${sum("unhealthy_hosts")} > 0, ${sum("healthy")}, 1)`,
        label: "Healthy tasks (1 when none is registered)",
      },
    ],
    comparison: "LessThanThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 10,
    durationSeconds: 10 * 60,
    treatMissingData: "notBreaching",
    missingDataReason:
      "a target group without registered targets (scaled to zero or asleep) may publish nothing, and nothing is then failing; tasks that fail their health check stay registered and count",
    widget: "ecs-tasks",
    drawInputs: true,
  };
}

/** The series an alarm evaluates: its last expression, or its single metric. */
export function evaluatedSeries(d: AlarmDefinition): MetricSpec | ExpressionSpec {
  return d.expressions?.at(-1) ?? d.metrics[0];
}

/** CloudWatch's limit on alarm descriptions. */
const MAX_DESCRIPTION = 1024;
const METRIC_ID = /^[a-z][A-Za-z0-9_]*$/;

/** The alarm description: what it measures, the missing-data choice and the runbook anchor. */
export function alarmDescription(d: AlarmDefinition): string {
  return `${d.measures} Missing data: ${d.treatMissingData}, because ${d.missingDataReason}. Runbook: docs/alarms.md#${d.key}`;
}

/**
 * Rejects definitions CloudWatch would refuse or that break their own stated duration: a period
 * CloudWatch does not accept, period x evaluations != duration, bad metric ids, an alarm with
 * several metrics but no expression, a description over 1024 characters, duplicate keys.
 */
export function validateAlarmDefinitions(scope: IConstruct, definitions: readonly AlarmDefinition[]): void {
  const keys = new Set<string>();
  for (const d of definitions) {
    const fail = (message: string) => {
      throw new ValidationError(`alarm ${d.key}: ${message}`, scope);
    };
    if (keys.has(d.key)) fail("defined twice; allowed: one definition per alarm");
    keys.add(d.key);
    if (!isValidAlarmPeriod(d.periodSeconds))
      fail(`periodSeconds is ${d.periodSeconds}; allowed: 10, 30 or a multiple of 60`);
    if (!Number.isInteger(d.evaluationPeriods) || d.evaluationPeriods < 1)
      fail(`evaluationPeriods is ${d.evaluationPeriods}; allowed: a whole number of at least 1`);
    if (d.periodSeconds * d.evaluationPeriods !== d.durationSeconds)
      fail(
        `periodSeconds ${d.periodSeconds} x evaluationPeriods ${d.evaluationPeriods} = ${d.periodSeconds * d.evaluationPeriods} s; allowed: the stated duration ${d.durationSeconds} s`,
      );
    if (!Token.isUnresolved(d.threshold) && !Number.isFinite(d.threshold))
      fail(`threshold is ${d.threshold}; allowed: a finite number`);
    const ids = [...d.metrics, ...(d.expressions ?? [])].map((m) => m.id);
    for (const id of ids)
      if (!METRIC_ID.test(id))
        fail(`metric id "${id}" is invalid; allowed: a lower-case letter, then letters, digits and _`);
    if (new Set(ids).size !== ids.length) fail(`metric ids ${ids.join(", ")} repeat; allowed: each id once`);
    if (d.metrics.length === 0) fail("has no metric; allowed: at least one");
    if (d.metrics.length > 1 && !d.expressions?.length)
      fail(`has ${d.metrics.length} metrics and no expression; allowed: one metric, or an expression combining them`);
    const description = alarmDescription(d);
    if (description.length > MAX_DESCRIPTION)
      fail(`description is ${description.length} characters; allowed: at most ${MAX_DESCRIPTION}`);
  }
}
