import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { Token } from "cdktf";
import { Construct } from "constructs";

import type { AlertTopics, DataTierOutputs, ServiceTierOutputs } from "../contracts";
import { checkName, type Naming } from "../naming";
import { ValidationError } from "../validation-error";
import {
  type AlarmDefinition,
  alarmDefinitions,
  alarmDescription,
  type AlarmKey,
  validateAlarmDefinitions,
} from "./alarms";
import { Dashboard } from "./dashboard";
import { Topics } from "./topics";

/** The JSON log filter counting the service's error lines (the service logs JSON to stdout). */
export const ERROR_LOG_PATTERN = '{ $.level = "error" }';
export const ERROR_LOG_METRIC_NAME = "ErrorLogLines";

/** The alarms that roll a deployment back (ECS circuit breaker alarms or CodeDeploy). */
export const DEPLOYMENT_ALARM_KEYS = ["5xx-rate", "unhealthy-targets"] as const satisfies readonly AlarmKey[];

/**
 * What the environment's alerting is tuned by: where the topics live and e-mail, the alarm
 * thresholds that are project policy, and the facts of the service that change which alarms exist.
 */
export interface ObservabilitySettings {
  /** Region of the topics, the alarms and the dashboard (ARNs in the policies, console URL). */
  readonly region: string;
  /** Addresses e-mailed by the critical topic (each must confirm). @default - no subscriptions */
  readonly criticalEmails?: readonly string[];
  /** Addresses e-mailed by the warning topic (each must confirm). @default - no subscriptions */
  readonly warningEmails?: readonly string[];
  /** Error log lines in five minutes that make a spike (the error-log-spike warning). */
  readonly errorLogSpikeThreshold: number;
  /** Fewest requests in a one-minute period for the 4xx/5xx rate alarms to judge it. */
  readonly rateAlarmMinRequests: number;
  /** Create the CloudWatch dashboard ($3 a month beyond the account's three free ones). @default true */
  readonly dashboard?: boolean;
  /**
   * Container Insights is on for the service's cluster: the task-count alarm compares its desired
   * and running counts; off, it reads the load balancer's host counts. @default true
   */
  readonly containerInsights?: boolean;
  /** Autoscaling minimum of the service, drawn on the task-count graph. @default - no line */
  readonly minTaskCount?: number;
  /** Autoscaling maximum of the service, drawn on the task-count graph. @default - no line */
  readonly maxTaskCount?: number;
  /**
   * The environment sleeps outside working hours (off-hours): its alarms keep their state when
   * the database and the tasks publish nothing at night. @default false
   */
  readonly sleeps?: boolean;
}

/** Props of Observability: the tiers it watches, and its settings. */
export interface ObservabilityProps extends ObservabilitySettings {
  readonly naming: Naming;
  /** The account the stack deploys into (the stack's one `aws_caller_identity`), for ARNs and confused-deputy conditions. */
  readonly accountId: string;
  /** The partition (the stack's one `aws_partition`), for ARNs. */
  readonly partition: string;
  /** The service tier: load balancer, target groups, cluster, service and log group. */
  readonly service: ServiceTierOutputs;
  /** The data tier: the database instance and its `max_connections`. */
  readonly data: DataTierOutputs;
}

/**
 * Who hears about the environment: two encrypted SNS topics (critical, warning) with e-mail
 * subscriptions, the ten alarms of alarms.ts wired to them (alarm and OK actions), a metric filter
 * counting error log lines, the dashboard, and the 5xx-rate and unhealthy-targets alarms
 * registered with the service for automatic deployment rollback.
 */
export class Observability extends Construct implements AlertTopics {
  readonly topics: Topics;
  readonly critical: SnsTopic;
  readonly warning: SnsTopic;
  /** The customer-managed key of the topics. */
  readonly key: KmsKey;
  /** The alarm table the alarms and the dashboard were built from. */
  readonly definitions: readonly AlarmDefinition[];
  readonly alarms: Readonly<Record<AlarmKey, CloudwatchMetricAlarm>>;
  readonly errorLogFilter: CloudwatchLogMetricFilter;
  /** The dashboard, unless `dashboard` is false. */
  readonly dashboard?: Dashboard;
  /** Console URL of the dashboard, when there is one. */
  readonly dashboardUrl?: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { naming, service, data, region } = props;
    checkMaxConnections(this, data.maxConnections);

    this.topics = new Topics(this, "Topics", {
      naming,
      accountId: props.accountId,
      partition: props.partition,
      region,
      criticalEmails: props.criticalEmails,
      warningEmails: props.warningEmails,
    });
    this.critical = this.topics.critical;
    this.warning = this.topics.warning;
    this.key = this.topics.key;

    const errorLogMetric = {
      // A custom namespace per environment (generic rule: letters, digits, / . _ -; never "AWS/").
      namespace: checkName(this, "generic", `${naming.project}/${naming.environment}`),
      metricName: ERROR_LOG_METRIC_NAME,
    };
    this.errorLogFilter = new CloudwatchLogMetricFilter(this, "ErrorLogFilter", {
      name: naming.name(this, "generic", "error-lines"),
      logGroupName: service.logGroup.name,
      pattern: ERROR_LOG_PATTERN,
      // 0 for every batch of log events without an error line: the graph shows zeros, not gaps.
      metricTransformation: {
        ...errorLogMetric,
        name: errorLogMetric.metricName,
        value: "1",
        defaultValue: "0",
        unit: "Count",
      },
    });

    const sources = {
      loadBalancer: service.loadBalancer.arnSuffix,
      targetGroups: [
        service.targetGroup.arnSuffix,
        ...(service.blueGreen ? [service.blueGreen.greenTargetGroup.arnSuffix] : []),
      ],
      clusterName: service.cluster.name,
      serviceName: service.service.name,
      dbInstanceIdentifier: data.instance.identifier,
      maxConnections: data.maxConnections,
      allocatedStorageGiB: data.allocatedStorageGiB,
      errorLogMetric,
      errorLogSpikeThreshold: props.errorLogSpikeThreshold,
      rateAlarmMinRequests: props.rateAlarmMinRequests,
      containerInsights: props.containerInsights ?? true,
      sleeps: props.sleeps ?? false,
    };
    this.definitions = alarmDefinitions(sources);
    validateAlarmDefinitions(this, this.definitions);

    const alarmScope = new Construct(this, "Alarms");
    const alarms = {} as Record<AlarmKey, CloudwatchMetricAlarm>;
    for (const d of this.definitions) {
      const topic = d.severity === "critical" ? this.critical : this.warning;
      alarms[d.key] = new CloudwatchMetricAlarm(
        alarmScope,
        d.key,
        alarmConfig(d, naming.name(this, "alarm", d.key), topic.arn),
      );
    }
    this.alarms = alarms;

    // References, not literal names: the ECS service / CodeDeploy group is then created after
    // the alarms it names. No cycle: these two alarms watch the load balancer and target groups
    // only, never the ECS service.
    service.useDeploymentAlarms(DEPLOYMENT_ALARM_KEYS.map((key) => this.alarms[key].alarmName));

    if (!(props.dashboard ?? true)) return;
    this.dashboard = new Dashboard(this, "Dashboard", {
      // Dashboard names allow what ECS names allow: letters, digits, - and _, up to 255.
      name: naming.name(this, "ecsName"),
      region,
      definitions: this.definitions,
      alarmArns: Object.fromEntries(Object.entries(alarms).map(([key, alarm]) => [key, alarm.arn])) as Record<
        AlarmKey,
        string
      >,
      sources: {
        ...sources,
        logGroupName: service.logGroup.name,
        minTasks: props.minTaskCount,
        maxTasks: props.maxTaskCount,
      },
    });
    this.dashboardUrl = this.dashboard.url;
  }
}

/** The CloudWatch alarm for a definition: a single metric, or metric math. */
export function alarmConfig(d: AlarmDefinition, alarmName: string, topicArn: string): CloudwatchMetricAlarmConfig {
  const common: CloudwatchMetricAlarmConfig = {
    alarmName,
    alarmDescription: alarmDescription(d),
    comparisonOperator: d.comparison,
    threshold: d.threshold,
    evaluationPeriods: d.evaluationPeriods,
    // Every period of the duration must breach: "for 10 minutes" means the whole 10 minutes.
    datapointsToAlarm: d.evaluationPeriods,
    treatMissingData: d.treatMissingData,
    alarmActions: [topicArn],
    okActions: [topicArn],
    ...(d.evaluateLowSampleCountPercentiles
      ? { evaluateLowSampleCountPercentiles: d.evaluateLowSampleCountPercentiles }
      : {}),
  };
  const dimensions = (m: AlarmDefinition["metrics"][number]) =>
    Object.keys(m.dimensions).length > 0 ? { dimensions: { ...m.dimensions } } : {};
  if (!d.expressions?.length) {
    const m = d.metrics[0];
    const percentile = /^p\d+(\.\d+)?$/.test(m.stat);
    return {
      ...common,
      namespace: m.namespace,
      metricName: m.metricName,
      ...dimensions(m),
      period: d.periodSeconds,
      ...(percentile ? { extendedStatistic: m.stat } : { statistic: m.stat }),
    };
  }
  const last = d.expressions.length - 1;
  return {
    ...common,
    metricQuery: [
      ...d.metrics.map((m) => ({
        id: m.id,
        label: m.label,
        returnData: false,
        metric: {
          namespace: m.namespace,
          metricName: m.metricName,
          ...dimensions(m),
          period: d.periodSeconds,
          stat: m.stat,
        },
      })),
      ...d.expressions.map((e, i) => ({ id: e.id, label: e.label, expression: e.expression, returnData: i === last })),
    ],
  };
}

function checkMaxConnections(scope: Construct, value: number): void {
  if (Token.isUnresolved(value) || !Number.isInteger(value) || value < 1)
    throw new ValidationError(
      `data.maxConnections is ${Token.isUnresolved(value) ? "a token" : value}; allowed: a whole number of at least 1 known at synth (the connections alarm threshold is derived from it)`,
      scope,
    );
}
