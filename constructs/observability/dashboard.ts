import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";

import { ValidationError } from "../validation-error";
import {
  type AlarmDefinition,
  type AlarmKey,
  type AlarmSources,
  evaluatedSeries,
  type ExpressionSpec,
  type MetricSpec,
  type WidgetKey,
} from "./alarms";

/**
 * The environment's CloudWatch dashboard, built from the alarm definitions: every alarm's
 * evaluated series is drawn on its graph with its threshold as a horizontal line, next to the
 * context metrics listed here (requests, p50, healthy hosts, CPU, IOPS...).
 */

/** Colours of the threshold lines, by severity. */
export const SEVERITY_COLOURS = { critical: "#d62728", warning: "#ff7f0e" } as const;

/** A graph of the dashboard: its title, context metrics and extra (non-alarm) lines. */
export interface WidgetSpec {
  readonly key: WidgetKey;
  readonly title: string;
  /** Metrics drawn for context, besides the alarms' series. */
  readonly metrics: readonly MetricSpec[];
  /** Reference lines that are not alarm thresholds (e.g. max_connections). */
  readonly lines?: readonly { readonly label: string; readonly value: number }[];
  /** Left y-axis bounds. @default - min 0, max automatic */
  readonly yAxis?: { readonly min?: number; readonly max?: number; readonly label?: string };
}

/** Where the dashboard's context metrics come from, besides the alarms' sources. */
export interface DashboardSources extends AlarmSources {
  /** Autoscaling bounds of the service, drawn on the task-count graph. */
  readonly minTasks?: number;
  readonly maxTasks?: number;
  /** The service's log group, queried by the recent-errors table. */
  readonly logGroupName: string;
}

/** The graphs, in dashboard order (two per row). */
export function widgetSpecs(s: DashboardSources): readonly WidgetSpec[] {
  const lb = { LoadBalancer: s.loadBalancer };
  const ecs = { ClusterName: s.clusterName, ServiceName: s.serviceName };
  const rds = { DBInstanceIdentifier: s.dbInstanceIdentifier };
  const alb = (
    id: string,
    metricName: string,
    stat: string,
    label: string,
    dimensions: Record<string, string> = lb,
  ): MetricSpec => ({
    id,
    namespace: "AWS/ApplicationELB",
    metricName,
    dimensions,
    stat,
    label,
  });
  const tasksLines = [
    ...(s.minTasks !== undefined ? [{ label: "Autoscaling minimum", value: s.minTasks }] : []),
    ...(s.maxTasks !== undefined ? [{ label: "Autoscaling maximum", value: s.maxTasks }] : []),
  ];
  return [
    { key: "requests", title: "Requests per minute", metrics: [alb("requests", "RequestCount", "Sum", "Requests")] },
    { key: "error-rates", title: "4xx / 5xx rate (%)", metrics: [], yAxis: { min: 0, max: 100, label: "%" } },
    {
      key: "latency",
      title: "Target response time (s)",
      metrics: [alb("p50", "TargetResponseTime", "p50", "p50 latency (s)")],
      yAxis: { min: 0, label: "s" },
    },
    {
      key: "target-health",
      title: "Target health",
      metrics: s.targetGroups.map((tg, i) =>
        alb(
          `healthy_${i}`,
          "HealthyHostCount",
          "Minimum",
          i === 0 ? "Healthy targets (serving group)" : "Healthy targets (green group)",
          { TargetGroup: tg, ...lb },
        ),
      ),
    },
    {
      key: "ecs-utilization",
      title: "ECS CPU / memory (%)",
      metrics: [
        {
          id: "cpu_avg",
          namespace: "AWS/ECS",
          metricName: "CPUUtilization",
          dimensions: ecs,
          stat: "Average",
          label: "CPU % (average)",
        },
        {
          id: "cpu_max",
          namespace: "AWS/ECS",
          metricName: "CPUUtilization",
          dimensions: ecs,
          stat: "Maximum",
          label: "CPU % (max task)",
        },
        {
          id: "memory_avg",
          namespace: "AWS/ECS",
          metricName: "MemoryUtilization",
          dimensions: ecs,
          stat: "Average",
          label: "Memory % (average)",
        },
      ],
      yAxis: { min: 0, max: 100, label: "%" },
    },
    {
      key: "ecs-tasks",
      title: "ECS tasks",
      // Pending tasks come from Container Insights; without it the alarm's host counts are drawn.
      metrics:
        (s.containerInsights ?? true)
          ? [
              {
                id: "pending",
                namespace: "ECS/ContainerInsights",
                metricName: "PendingTaskCount",
                dimensions: ecs,
                stat: "Average",
                label: "Pending tasks",
              },
            ]
          : [],
      lines: tasksLines,
    },
    { key: "rds-cpu", title: "RDS CPU (%)", metrics: [], yAxis: { min: 0, max: 100, label: "%" } },
    {
      key: "rds-connections",
      title: "RDS connections",
      metrics: [],
      lines: [{ label: "max_connections", value: s.maxConnections }],
    },
    { key: "rds-storage", title: "RDS free storage (bytes)", metrics: [] },
    {
      key: "rds-iops",
      title: "RDS IOPS",
      metrics: [
        {
          id: "read_iops",
          namespace: "AWS/RDS",
          metricName: "ReadIOPS",
          dimensions: rds,
          stat: "Average",
          label: "Read IOPS",
        },
        {
          id: "write_iops",
          namespace: "AWS/RDS",
          metricName: "WriteIOPS",
          dimensions: rds,
          stat: "Average",
          label: "Write IOPS",
        },
      ],
    },
    { key: "error-logs", title: "Error log lines (per 5 minutes)", metrics: [] },
  ];
}

type Widget = Record<string, unknown>;
const WIDTH = 12;
const HEIGHT = 6;

/** A metric as a dashboard row: namespace, name, dimension pairs, then rendering options. */
function metricRow(m: MetricSpec, period: number, visible: boolean): unknown[] {
  const dims = Object.entries(m.dimensions).flat();
  return [
    m.namespace,
    m.metricName,
    ...dims,
    { id: m.id, stat: m.stat, label: m.label, period, ...(visible ? {} : { visible: false }) },
  ];
}

function expressionRow(e: ExpressionSpec, visible: boolean): unknown[] {
  return [{ expression: e.expression, id: e.id, label: e.label, ...(visible ? {} : { visible: false }) }];
}

/** `> 5` / `< 10737418240`: the alarm's condition as drawn on the line's label. */
function condition(d: AlarmDefinition): string {
  const gib = 1024 ** 3;
  const value = d.threshold >= gib && d.threshold % gib === 0 ? `${d.threshold / gib} GiB` : `${d.threshold}`;
  return `${d.comparison === "GreaterThanThreshold" ? ">" : "<"} ${value}`;
}

/**
 * The dashboard body as an object (JSON.stringify it; embedded tokens resolve at synth).
 * `alarmArns` lists the alarms in the status strip at the top.
 */
export function dashboardBody(props: {
  readonly region: string;
  readonly definitions: readonly AlarmDefinition[];
  readonly alarmArns: Readonly<Record<AlarmKey, string>>;
  readonly sources: DashboardSources;
  readonly scope: Construct;
}): { widgets: Widget[] } {
  const { region, definitions, sources, scope } = props;
  const specs = widgetSpecs(sources);
  for (const d of definitions) {
    if (!specs.some((w) => w.key === d.widget))
      throw new ValidationError(
        `alarm ${d.key} is drawn on widget "${d.widget}"; allowed: ${specs.map((w) => w.key).join(", ")}`,
        scope,
      );
  }

  const widgets: Widget[] = [
    {
      type: "alarm",
      x: 0,
      y: 0,
      width: 24,
      height: 4,
      properties: {
        title: "Alarms",
        alarms: definitions.map((d) => props.alarmArns[d.key]),
        sortBy: "stateUpdatedTimestamp",
      },
    },
  ];
  let y = 4;
  specs.forEach((spec, i) => {
    const alarms = definitions.filter((d) => d.widget === spec.key);
    // Draw at the alarm's own period so the line and the threshold compare like for like.
    const period = alarms[0]?.periodSeconds ?? 60;
    const metrics: unknown[][] = [
      ...spec.metrics.map((m) => metricRow(m, period, true)),
      ...alarms.flatMap((d) => {
        const evaluated = evaluatedSeries(d);
        return [
          ...d.metrics.map((m) => metricRow(m, d.periodSeconds, m === evaluated || d.drawInputs === true)),
          ...(d.expressions ?? []).map((e) => expressionRow(e, e === evaluated)),
        ];
      }),
    ];
    const horizontal = [
      ...alarms.map((d) => ({
        label: `${d.key} (${d.severity}) ${condition(d)}`,
        value: d.threshold,
        color: SEVERITY_COLOURS[d.severity],
        fill: d.comparison === "GreaterThanThreshold" ? "above" : "below",
      })),
      ...(spec.lines ?? []).map((l) => ({ label: l.label, value: l.value, color: "#7f7f7f" })),
    ];
    widgets.push({
      type: "metric",
      x: (i % 2) * WIDTH,
      y,
      width: WIDTH,
      height: HEIGHT,
      properties: {
        title: spec.title,
        region,
        view: "timeSeries",
        stacked: false,
        period,
        metrics,
        ...(horizontal.length > 0 ? { annotations: { horizontal } } : {}),
        yAxis: {
          left: {
            min: spec.yAxis?.min ?? 0,
            ...(spec.yAxis?.max !== undefined ? { max: spec.yAxis.max } : {}),
            ...(spec.yAxis?.label ? { label: spec.yAxis.label, showUnits: false } : {}),
          },
        },
      },
    });
    if (i % 2 === 1) y += HEIGHT;
  });
  if (specs.length % 2 === 1) y += HEIGHT;

  widgets.push({
    type: "log",
    x: 0,
    y,
    width: 24,
    height: HEIGHT,
    properties: {
      title: "Recent error log lines",
      region,
      view: "table",
      query: `SOURCE '${sources.logGroupName}' | fields @timestamp, @message | filter level = "error" | sort @timestamp desc | limit 50`,
    },
  });
  return { widgets };
}

/** Settings of the dashboard. */
export interface DashboardProps {
  /** Dashboard name (`farmers-module-<env>`). */
  readonly name: string;
  readonly region: string;
  readonly definitions: readonly AlarmDefinition[];
  readonly alarmArns: Readonly<Record<AlarmKey, string>>;
  readonly sources: DashboardSources;
}

/** A CloudWatch dashboard drawing the alarms and their context. */
export class Dashboard extends Construct {
  readonly resource: CloudwatchDashboard;
  /** Console URL of the dashboard. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const body = dashboardBody({ ...props, scope: this });
    this.resource = new CloudwatchDashboard(this, "Resource", {
      dashboardName: props.name,
      dashboardBody: JSON.stringify(body),
    });
    this.url = `https://${props.region}.console.aws.amazon.com/cloudwatch/home?region=${props.region}#dashboards/dashboard/${props.name}`;
  }
}
