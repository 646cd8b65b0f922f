import { block, blocks, literalNumber, type TerraformBlock } from "../../../constructs/terraform-json";
import { each, fmt } from "../model";
import { PRICES } from "../prices-us-east-1";

/** Monitoring: CloudWatch log groups, metrics from log filters, alarms, dashboards, Container Insights. */

/** `aws_cloudwatch_log_group`: ingestion, and storage for its retention. */
export const logGroup = each((lg: TerraformBlock, { add, hours, assumptions: a }) => {
  const daysPerMonth = hours / 24;
  const retention = literalNumber(lg.config.retention_in_days) ?? 0;
  const infrequent = lg.config.log_group_class === "INFREQUENT_ACCESS";
  const ingestPrice = infrequent ? PRICES.logsIngestInfrequentGb.usd : PRICES.logsIngestGb.usd;
  const stored =
    retention > 0
      ? a.logGbPerGroup * Math.min(retention / daysPerMonth, 1e6)
      : a.logGbPerGroup * a.logMonthsKeptWithoutRetention;
  const kept =
    retention > 0 ? `${retention}-day retention` : `never expires: ${a.logMonthsKeptWithoutRetention} months kept`;
  add(
    lg,
    "monitoring",
    `logs: ${fmt(a.logGbPerGroup)} GB ingested${infrequent ? " (Infrequent Access)" : ""}, ~${fmt(stored)} GB stored (${kept})`,
    a.logGbPerGroup * ingestPrice + stored * PRICES.logsStorageGbMonth.usd,
  );
});

/** `aws_cloudwatch_log_metric_filter`: a custom metric per transformation. */
export const logMetricFilter = each((mf: TerraformBlock, { add }) => {
  const metrics = Math.max(1, blocks(mf.config.metric_transformation).length);
  add(mf, "monitoring", `custom metric from a log filter: ${metrics}`, metrics * PRICES.customMetricMonth.usd);
});

/** `aws_cloudwatch_metric_alarm`: per metric (×3 for an anomaly band), high resolution below 60 s. */
export const metricAlarm = each((alarm: TerraformBlock, { add }) => {
  const queries = blocks(alarm.config.metric_query);
  const metricCount = queries.length > 0 ? queries.filter((q) => q.metric !== undefined).length : 1;
  const periods = [
    literalNumber(alarm.config.period),
    ...queries.map((q) => literalNumber(block(q.metric)?.period)),
  ].filter((x): x is number => x !== undefined);
  const highRes = periods.some((p) => p < 60);
  const anomaly = alarm.config.threshold_metric_id !== undefined;
  const billed = metricCount * (anomaly ? 3 : 1);
  const price = highRes ? PRICES.alarmHighResMetricMonth.usd : PRICES.alarmStandardMetricMonth.usd;
  add(
    alarm,
    "monitoring",
    `alarm: ${billed} ${highRes ? "high-resolution " : ""}metric${billed === 1 ? "" : "s"}${anomaly ? " (anomaly band)" : ""}`,
    billed * price,
  );
});

/** `aws_cloudwatch_composite_alarm`. */
export const compositeAlarm = each((alarm: TerraformBlock, { add }) =>
  add(alarm, "monitoring", "composite alarm", PRICES.compositeAlarmMonth.usd),
);

/** `aws_cloudwatch_dashboard`. */
export const dashboard = each((dash: TerraformBlock, { add }) =>
  add(dash, "monitoring", `dashboard: $${PRICES.dashboardMonth.usd}/month`, PRICES.dashboardMonth.usd),
);

/** `aws_ecs_cluster` (free itself): its Container Insights metrics and performance logs, when on. */
export const containerInsights = each((cluster: TerraformBlock, { add, ofType, refsOfType, assumptions: a }) => {
  const setting = blocks(cluster.config.setting).find((s) => s.name === "containerInsights");
  if (!setting || setting.value === "disabled") return;
  const services = ofType("aws_ecs_service").filter(
    (svc) => refsOfType(svc.config.cluster, "aws_ecs_cluster")[0]?.address === cluster.address,
  ).length;
  const metrics = a.containerInsightsMetricsPerCluster + services * a.containerInsightsMetricsPerService;
  add(
    cluster,
    "monitoring",
    `Container Insights (${setting.value}): ${fmt(metrics)} metrics (${fmt(a.containerInsightsMetricsPerCluster)} + ${services} service × ${fmt(a.containerInsightsMetricsPerService)}), ${fmt(a.containerInsightsLogGb)} GB performance logs`,
    metrics * PRICES.customMetricMonth.usd + a.containerInsightsLogGb * PRICES.logsIngestGb.usd,
  );
});
