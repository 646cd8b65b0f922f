/**
 * On-demand list prices in us-east-1 (US East, N. Virginia), in US dollars, used by the cost
 * estimate (`npm run cost`). Every price names where it was checked. Prices change: re-check the
 * sources, update the figures and PRICES_AS_OF together, and rerun `npx jest __tests__/cost`
 * (the tests' hand-computed figures use these numbers, so they tell you what moved).
 *
 * Not included on purpose: free tiers that are per account rather than per stack (the first
 * 10 alarm metrics, 3 dashboards, 5 GB of logs, 100 build minutes, 100 pipeline action minutes,
 * 100 GB of internet egress, ...): an environment shares them with everything else in the account.
 */

/** The day these prices were last checked against their sources. */
export const PRICES_AS_OF = "2026-11-28";

/** The region these prices are for; the estimate refuses stacks of another region. */
export const PRICE_REGION = "us-east-1";

export interface Price {
  /** US dollars per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** Where the figure was checked. */
  readonly source: string;
}

const AWS = {
  fargate:
    "aws.amazon.com/fargate/pricing (Linux/x86 and Linux/ARM on-demand; as quoted by vantage.sh and wring.co, 2026)",
  fargateSpot:
    "aws.amazon.com/fargate/pricing, 'Fargate Spot' table: variable, adjusted by AWS over time (figure as quoted by tomgregory.com)",
  rds: "aws.amazon.com/rds/postgresql/pricing (on-demand; as quoted by infratally.com 'AWS RDS pricing explained 2026')",
  rdsStorage:
    "aws.amazon.com/rds/postgresql/pricing, storage and backup (as quoted by usage.ai, 2026); Multi-AZ bills storage for primary and standby (RDS User Guide, 'Multi-AZ DB instances')",
  vpc: "aws.amazon.com/vpc/pricing (NAT gateway; as quoted by cloudburn.io and basavytix.com, 2026)",
  ipv4: "aws.amazon.com/vpc/pricing, public IPv4 addresses: $0.005 per IP per hour since 2024-02-01, in use or idle (AWS networking blog)",
  elb: "aws.amazon.com/elasticloadbalancing/pricing (Application / Network Load Balancer)",
  privatelink: "aws.amazon.com/privatelink/pricing (interface endpoint per AZ-hour; first 1 PB per GB)",
  cloudwatch: "aws.amazon.com/cloudwatch/pricing (as quoted by signoz.io and factualminds.com, 2026)",
  secrets: "aws.amazon.com/secrets-manager/pricing",
  kms: "aws.amazon.com/kms/pricing",
  s3: "aws.amazon.com/s3/pricing (S3 Standard, first 50 TB)",
  ecr: "aws.amazon.com/ecr/pricing (storage)",
  codepipeline:
    "aws.amazon.com/codepipeline/pricing (V2: per action execution minute, manual approvals not charged; V1: per active pipeline)",
  codebuild: "aws.amazon.com/codebuild/pricing (on-demand EC2 compute, Linux)",
  dynamodb: "aws.amazon.com/dynamodb/pricing/on-demand (rates since 2024-11-01)",
  sns: "aws.amazon.com/sns/pricing (e-mail: first 1,000 free, then per 100,000)",
  dataTransfer: "aws.amazon.com/ec2/pricing/on-demand, data transfer out to the internet (first 10 TB tier)",
  waf: "aws.amazon.com/waf/pricing",
  tgw: "aws.amazon.com/transit-gateway/pricing",
  route53: "aws.amazon.com/route53/pricing",
  scheduler:
    "aws.amazon.com/eventbridge/pricing, EventBridge Scheduler (as quoted by cloudburn.io, March 2026: $1.00 per million invocations, 14 million a month free)",
} as const;

const p = (usd: number, unit: string, source: string): Price => ({ usd, unit, source });

export const PRICES = {
  fargateVcpuHour: p(0.04048, "vCPU-hour, Linux/x86", AWS.fargate),
  fargateGbHour: p(0.004445, "GB-hour, Linux/x86", AWS.fargate),
  fargateArmVcpuHour: p(0.03238, "vCPU-hour, Linux/ARM", AWS.fargate),
  fargateArmGbHour: p(0.00356, "GB-hour, Linux/ARM", AWS.fargate),
  fargateSpotVcpuHour: p(0.01334053, "vCPU-hour, Fargate Spot Linux/x86", AWS.fargateSpot),
  fargateSpotGbHour: p(0.00146489, "GB-hour, Fargate Spot Linux/x86", AWS.fargateSpot),
  fargateEphemeralGbHour: p(0.000111, "GB-hour of ephemeral storage above the free 20 GB", AWS.fargate),

  rdsGp3GbMonth: p(0.115, "GB-month of gp3 storage, per copy (Multi-AZ keeps two)", AWS.rdsStorage),
  rdsGp2GbMonth: p(0.115, "GB-month of gp2 storage, per copy", AWS.rdsStorage),
  rdsGp3IopsMonth: p(0.02, "IOPS-month above the gp3 baseline, per copy", AWS.rdsStorage),
  rdsBackupGbMonth: p(0.095, "GB-month of backup storage beyond the free 100 % of provisioned storage", AWS.rdsStorage),

  natGatewayHour: p(0.045, "NAT gateway-hour", AWS.vpc),
  natGatewayGb: p(0.045, "GB processed by a NAT gateway", AWS.vpc),
  publicIpv4Hour: p(0.005, "public IPv4 address-hour", AWS.ipv4),
  interfaceEndpointAzHour: p(0.01, "interface endpoint-hour per AZ", AWS.privatelink),
  interfaceEndpointGb: p(0.01, "GB processed by interface endpoints", AWS.privatelink),
  transitGatewayAttachmentHour: p(0.05, "transit gateway attachment-hour", AWS.tgw),
  transitGatewayGb: p(0.02, "GB sent through a transit gateway", AWS.tgw),

  albHour: p(0.0225, "Application Load Balancer-hour", AWS.elb),
  albLcuHour: p(0.008, "LCU-hour", AWS.elb),
  nlbHour: p(0.0225, "Network Load Balancer-hour", AWS.elb),
  nlbLcuHour: p(0.006, "NLCU-hour", AWS.elb),
  dataTransferOutGb: p(0.09, "GB out to the internet", AWS.dataTransfer),

  logsIngestGb: p(0.5, "GB ingested into CloudWatch Logs (Standard class)", AWS.cloudwatch),
  logsIngestInfrequentGb: p(0.25, "GB ingested into CloudWatch Logs (Infrequent Access class)", AWS.cloudwatch),
  logsStorageGbMonth: p(0.03, "GB-month stored in CloudWatch Logs", AWS.cloudwatch),
  alarmStandardMetricMonth: p(0.1, "standard-resolution alarm metric-month", AWS.cloudwatch),
  alarmHighResMetricMonth: p(0.3, "high-resolution alarm metric-month", AWS.cloudwatch),
  compositeAlarmMonth: p(0.5, "composite alarm-month", AWS.cloudwatch),
  dashboardMonth: p(3, "dashboard-month", AWS.cloudwatch),
  customMetricMonth: p(0.3, "custom metric-month (first 10,000)", AWS.cloudwatch),

  secretMonth: p(0.4, "secret-month (each replica counts as a secret)", AWS.secrets),
  secretApi10k: p(0.05, "10,000 API calls", AWS.secrets),
  kmsKeyMonth: p(1, "customer-managed key-month", AWS.kms),
  kmsRequests10k: p(0.03, "10,000 requests", AWS.kms),
  wafWebAclMonth: p(5, "web ACL-month", AWS.waf),
  wafRuleMonth: p(1, "rule-month", AWS.waf),
  wafRequestsMillion: p(0.6, "million requests", AWS.waf),

  s3StandardGbMonth: p(0.023, "GB-month, S3 Standard", AWS.s3),
  ecrGbMonth: p(0.1, "GB-month of image storage", AWS.ecr),

  codePipelineV2ActionMinute: p(0.002, "action execution minute (V2)", AWS.codepipeline),
  codePipelineV1Month: p(1, "active pipeline-month (V1)", AWS.codepipeline),
  codeBuildMinute: {
    BUILD_GENERAL1_SMALL: p(0.005, "build minute, general1.small Linux", AWS.codebuild),
    BUILD_GENERAL1_MEDIUM: p(0.01, "build minute, general1.medium Linux", AWS.codebuild),
    BUILD_GENERAL1_LARGE: p(0.02, "build minute, general1.large Linux", AWS.codebuild),
  } as Readonly<Record<string, Price>>,

  dynamoDbWriteMillion: p(0.625, "million on-demand write request units", AWS.dynamodb),
  dynamoDbReadMillion: p(0.125, "million on-demand read request units", AWS.dynamodb),
  dynamoDbGbMonth: p(0.25, "GB-month of table storage", AWS.dynamodb),
  dynamoDbPitrGbMonth: p(0.2, "GB-month of point-in-time recovery", AWS.dynamodb),

  snsEmail100k: p(2, "100,000 e-mail notifications beyond the first 1,000", AWS.sns),
  route53ZoneMonth: p(0.5, "hosted zone-month", AWS.route53),
  schedulerInvocationsMillion: p(
    1.0,
    "million EventBridge Scheduler invocations (the first 14 million a month per account are free)",
    AWS.scheduler,
  ),

  /**
   * RDS for PostgreSQL instance-hours, Single-AZ and Multi-AZ (one standby: twice the
   * Single-AZ rate). Only classes whose price was checked; others are reported as not priced.
   */
  rdsInstanceHour: {
    "db.t4g.micro": {
      singleAz: p(0.016, "instance-hour", AWS.rds),
      multiAz: p(0.032, "instance-hour, primary + standby", AWS.rds),
    },
    "db.t4g.small": {
      singleAz: p(0.032, "instance-hour", AWS.rds),
      multiAz: p(0.064, "instance-hour, primary + standby", AWS.rds),
    },
    "db.t4g.medium": {
      singleAz: p(0.065, "instance-hour", AWS.rds),
      multiAz: p(0.13, "instance-hour, primary + standby", AWS.rds),
    },
  } as Readonly<Record<string, { readonly singleAz: Price; readonly multiAz: Price }>>,
} as const;

export type Prices = typeof PRICES;
