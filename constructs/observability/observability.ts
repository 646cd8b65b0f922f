import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { Token } from "cdktf";
import { Construct } from "constructs";

import type { EnvironmentConfig } from "../../config/schema";
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

/** Settings of the environment's observability. */
export interface ObservabilityProps {
  readonly naming: Naming;
  /** The service tier: load balancer, target groups, cluster, service and log group. */
  readonly service: ServiceTierOutputs;
  /** The data tier: the database instance and its `max_connections`. */
  readonly data: DataTierOutputs;
  /**
   * The environment's settings: `region`, `observability` (e-mails, error-log threshold, rate
   * alarm minimum) and `service` (autoscaling bounds drawn on the dashboard).
   */
  readonly config: Pick<EnvironmentConfig, "region"> & {
    readonly observability: Omit<EnvironmentConfig["observability"], "dashboard"> & { readonly dashboard?: boolean };
    readonly service?: Pick<EnvironmentConfig["service"], "minCount" | "maxCount"> & {
      readonly containerInsights?: boolean;
    };
    /** `enabled`: the environment sleeps, and its alarms keep their state through the night. */
    readonly offHours?: Pick<EnvironmentConfig["offHours"], "enabled">;
  };
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
  /** Names of the alarms handed to `service.useDeploymentAlarms`. */
  readonly deploymentAlarmNames: readonly string[];
  readonly errorLogFilter: CloudwatchLogMetricFilter;
  /** The dashboard, unless `observability.dashboard` is false. */
  readonly dashboard?: Dashboard;
  /** Console URL of the dashboard, when there is one. */
  readonly dashboardUrl?: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { naming, service, data, config } = props;
    const { region, observability } = config;
    checkMaxConnections(this, data.maxConnections);

    this.topics = new Topics(this, "Topics", {
      naming,
      region,
      criticalEmails: observability.criticalEmails,
      warningEmails: observability.warningEmails,
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
      errorLogSpikeThreshold: observability.errorLogSpikeThreshold,
      rateAlarmMinRequests: observability.rateAlarmMinRequests,
      containerInsights: config.service?.containerInsights ?? true,
      sleeps: config.offHours?.enabled ?? false,
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
    this.deploymentAlarmNames = DEPLOYMENT_ALARM_KEYS.map((key) => naming.name(this, "alarm", key));
    service.useDeploymentAlarms(DEPLOYMENT_ALARM_KEYS.map((key) => this.alarms[key].alarmName));

    if (observability.dashboard === false) return;
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
        minTasks: config.service?.minCount,
        maxTasks: config.service?.maxCount,
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
