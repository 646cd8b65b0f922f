/**
 * Facts about AWS that the configuration schema, the constructs and the guardrails are checked
 * against. One place, so a new instance class or retention value is a one-line change; it depends
 * on nothing in config/. Sources: AWS documentation for ECS task sizes, RDS instance classes,
 * CloudWatch Logs PutRetentionPolicy, RDS Performance Insights.
 */

/** Fargate task CPU units mapped to the memory sizes (MiB) Fargate accepts with them. */
export const FARGATE_CPU_MEMORY: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** Memory (GiB) and vCPUs of an RDS instance class. */
export interface RdsInstanceClass {
  readonly memoryGiB: number;
  readonly vcpu: number;
}

/** Sizes of each RDS PostgreSQL instance family this project knows, as [memory GiB, vCPUs]. */
const RDS_FAMILIES: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> = {
  "db.t4g": { micro: [1, 2], small: [2, 2], medium: [4, 2], large: [8, 2], xlarge: [16, 4], "2xlarge": [32, 8] },
  "db.m7g": { large: [8, 2], xlarge: [16, 4], "2xlarge": [32, 8] },
  "db.r7g": { large: [16, 2], xlarge: [32, 4], "2xlarge": [64, 8] },
};

/** RDS PostgreSQL instance classes this project knows (`db.t4g.micro`...), with memory in GiB and vCPUs. */
export const RDS_INSTANCE_CLASSES: Readonly<Record<string, RdsInstanceClass>> = Object.fromEntries(
  Object.entries(RDS_FAMILIES).flatMap(([family, sizes]) =>
    Object.entries(sizes).map(([size, [memoryGiB, vcpu]]) => [`${family}.${size}`, { memoryGiB, vcpu }]),
  ),
);

/**
 * Regions where ALB access logs are delivered by a regional ELB account (regions opened before
 * August 2022), which `data.aws_elb_service_account` names. Newer regions need the
 * log-delivery service principal instead, which the load balancer construct does not use yet.
 */
export const ELB_ACCOUNT_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-north-1",
  "me-south-1",
  "sa-east-1",
] as const;

/** Values CloudWatch Logs accepts for a log group's retention (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** RDS automated backup retention bounds (days); 0 would disable backups, which we never allow. */
export const RDS_BACKUP_RETENTION = { min: 1, max: 35 } as const;

/**
 * Secrets Manager's recovery window of a deleted secret (days). 0 is the provider's way to delete
 * without recovery (ForceDeleteWithoutRecovery): the name is free again at once, where a window
 * keeps it reserved and a re-created environment could not create it
 * (hashicorp/terraform-provider-aws#5583; DeleteSecret in the Secrets Manager API reference).
 */
export const SECRETS_RECOVERY_WINDOW_DAYS = { min: 7, max: 30, immediate: 0 } as const;

/** A recovery window Secrets Manager accepts: 0 (delete at once) or 7 to 30 whole days. */
export function isValidSecretsRecoveryWindow(days: number): boolean {
  const { min, max, immediate } = SECRETS_RECOVERY_WINDOW_DAYS;
  return days === immediate || (Number.isInteger(days) && days >= min && days <= max);
}

/** Performance Insights retention: 7 (free tier) or a multiple of 31 up to 731 days. */
export function isValidPerformanceInsightsRetention(days: number): boolean {
  return days === 7 || days === 731 || (days % 31 === 0 && days >= 31 && days <= 713);
}

/** Seconds CloudWatch accepts as an alarm period for standard-resolution metrics. */
export function isValidAlarmPeriod(seconds: number): boolean {
  return [10, 30].includes(seconds) || (seconds >= 60 && seconds % 60 === 0);
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}
