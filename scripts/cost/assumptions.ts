/**
 * Usage the synthesized stacks cannot tell: traffic, log volume, build minutes... Each has a
 * default (documented in docs/cost.md), is printed with every estimate, and can be overridden
 * on the command line for all stacks (`--assume natDataGb=100`) or for one environment
 * (`--assume production.natDataGb=100`).
 */

export interface Assumption {
  readonly value: number;
  readonly unit: string;
  readonly description: string;
}

export const DEFAULT_ASSUMPTIONS = {
  hoursPerMonth: { value: 730, unit: "h", description: "hours in a month (8,760 / 12)" },
  natDataGb: {
    value: 20,
    unit: "GB",
    description: "data processed by the stack's NAT gateways per month, split evenly between them",
  },
  internetEgressGb: {
    value: 50,
    unit: "GB",
    description: "data sent to the internet per month by a stack with an internet-facing load balancer",
  },
  albLcu: {
    value: 1,
    unit: "LCU",
    description: "average load balancer capacity units in use per hour, per load balancer",
  },
  interfaceEndpointDataGb: { value: 5, unit: "GB", description: "data processed per interface endpoint per month" },
  transitGatewayDataGb: {
    value: 5,
    unit: "GB",
    description: "data sent through each transit gateway attachment per month",
  },
  logGbPerGroup: { value: 1, unit: "GB", description: "data ingested per month into each log group of the stack" },
  logMonthsKeptWithoutRetention: {
    value: 12,
    unit: "months",
    description: "months of logs held by a log group that never expires its logs",
  },
  containerInsightsMetricsPerCluster: {
    value: 12,
    unit: "metrics",
    description: "Container Insights metrics per cluster (cluster-level metrics of the ECS metric table, Fargate)",
  },
  containerInsightsMetricsPerService: {
    value: 25,
    unit: "metrics",
    description: "Container Insights metrics per service (service-level plus its task definition family)",
  },
  containerInsightsLogGb: {
    value: 0.5,
    unit: "GB",
    description: "Container Insights performance log events ingested per cluster per month",
  },
  enhancedMonitoringKbPerSample: {
    value: 3,
    unit: "KB",
    description: "size of one RDS Enhanced Monitoring sample (RDSOSMetrics log event)",
  },
  backupChangePercentPerDay: {
    value: 2,
    unit: "%",
    description: "share of the database changed per day: each day of backup retention keeps that much more",
  },
  s3GbPerBucket: { value: 1, unit: "GB", description: "data stored per S3 bucket" },
  ecrGbPerRepository: {
    value: 0.5,
    unit: "GB",
    description: "images stored per ECR repository (the lifecycle policy keeps the last 10)",
  },
  kmsRequestsPerKey: { value: 10000, unit: "requests", description: "KMS requests per customer-managed key per month" },
  deploysPerMonth: { value: 20, unit: "runs", description: "pipeline runs (and so builds) per month" },
  buildMinutes: { value: 6, unit: "min", description: "minutes per build (and per Build/Test pipeline action)" },
  sourceActionMinutes: { value: 1, unit: "min", description: "minutes per Source pipeline action" },
  deployActionMinutes: {
    value: 10,
    unit: "min",
    description: "minutes per Deploy pipeline action (rolling update or blue/green shift and wait)",
  },
  alarmNotificationsPerMonth: {
    value: 50,
    unit: "messages",
    description: "alarm notifications published per topic per month",
  },
  dynamoDbRequestsPerMonth: {
    value: 5000,
    unit: "requests",
    description: "reads and as many writes per on-demand DynamoDB table per month (state locks)",
  },
  dynamoDbGb: { value: 0.01, unit: "GB", description: "data stored per DynamoDB table" },
  wafRequestsMillions: { value: 5, unit: "million", description: "requests inspected per web ACL per month" },
  lbAzsWhenUnknown: {
    value: 2,
    unit: "AZs",
    description: "subnets of a load balancer or endpoint whose subnet list is not a literal list",
  },
} as const satisfies Record<string, Assumption>;

export type AssumptionKey = keyof typeof DEFAULT_ASSUMPTIONS;
export type Assumptions = Readonly<Record<AssumptionKey, number>>;

export const ASSUMPTION_KEYS = Object.keys(DEFAULT_ASSUMPTIONS) as AssumptionKey[];

/** Default values as a plain record. */
export function defaultAssumptions(): Assumptions {
  return Object.fromEntries(ASSUMPTION_KEYS.map((k) => [k, DEFAULT_ASSUMPTIONS[k].value])) as Assumptions;
}

/** Overrides parsed from `--assume` arguments: for all stacks, and per environment. */
export interface AssumptionOverrides {
  readonly all: Partial<Record<AssumptionKey, number>>;
  readonly byEnvironment: Readonly<Record<string, Partial<Record<AssumptionKey, number>>>>;
}

/** Raised for a command line the cost tool cannot use; the message says what is allowed. */
export class CostUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CostUsageError";
  }
}

/**
 * Parses `key=value` or `<env>.key=value` pairs. Throws CostUsageError for an unknown key, a value
 * that is not a non-negative number, or a malformed pair.
 */
export function parseAssumptionOverrides(
  pairs: readonly string[],
  environments: readonly string[],
): AssumptionOverrides {
  const all: Partial<Record<AssumptionKey, number>> = {};
  const byEnvironment: Record<string, Partial<Record<AssumptionKey, number>>> = {};
  for (const pair of pairs) {
    const match = /^(?:([a-z0-9-]+)\.)?([A-Za-z0-9]+)=(.*)$/.exec(pair);
    if (!match)
      throw new CostUsageError(
        `--assume: received ${JSON.stringify(pair)}; allowed: key=value or <env>.key=value, e.g. natDataGb=100 or production.natDataGb=100`,
      );
    const [, env, key, raw] = match;
    if (!(ASSUMPTION_KEYS as string[]).includes(key))
      throw new CostUsageError(
        `--assume: received unknown key ${JSON.stringify(key)}; allowed: ${ASSUMPTION_KEYS.join(", ")}`,
      );
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < 0)
      throw new CostUsageError(`--assume ${key}: received ${JSON.stringify(raw)}; allowed: a number >= 0`);
    if (key === "hoursPerMonth" && value > 744)
      throw new CostUsageError(`--assume hoursPerMonth: received ${raw}; allowed: at most 744 (a 31-day month)`);
    if (env !== undefined) {
      if (!environments.includes(env))
        throw new CostUsageError(
          `--assume: received environment ${JSON.stringify(env)}; allowed: ${environments.join(", ")}`,
        );
      (byEnvironment[env] ??= {})[key as AssumptionKey] = value;
    } else {
      all[key as AssumptionKey] = value;
    }
  }
  return { all, byEnvironment };
}

/** The assumptions for one environment: defaults, then overrides for all, then its own. */
export function assumptionsFor(
  environment: string | undefined,
  overrides: AssumptionOverrides = { all: {}, byEnvironment: {} },
): Assumptions {
  return { ...defaultAssumptions(), ...overrides.all, ...(environment ? overrides.byEnvironment[environment] : {}) };
}
