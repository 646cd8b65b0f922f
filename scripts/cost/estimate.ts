import {
  block,
  blocks,
  compareAddresses,
  type Json,
  literalLength,
  literalNumber,
  providerRegion,
  referencedAddresses,
  resourceCount,
  stackResources,
  type TerraformBlock,
} from "../../constructs/terraform-json";
import { type Assumptions, assumptionsFor } from "./assumptions";
import { type Price, PRICE_REGION, PRICES, PRICES_AS_OF } from "./prices-us-east-1";
import { describeCron, onHoursPerWeek, parseCron, type WeeklySwitch } from "./schedule";

/**
 * Monthly cost estimate of a synthesized stack, resource by resource, from the resource types
 * and arguments in its cdk.tf.json, the dated us-east-1 price table and usage assumptions.
 * Pure: no file access, so tests feed it hand-written JSON. Written against Terraform resource
 * types, not against this project's constructs: a resource type it does not know is listed as
 * "not priced" rather than silently costing nothing.
 */

export const CATEGORIES = {
  compute: "Compute (Fargate)",
  database: "Database (RDS)",
  network: "Network (NAT, public IPv4, endpoints)",
  loadBalancing: "Load balancing (ALB/NLB)",
  dataTransfer: "Data transfer out",
  monitoring: "Monitoring (CloudWatch)",
  security: "Security (Secrets Manager, KMS, WAF)",
  storage: "Storage (S3, ECR)",
  delivery: "Delivery (CodePipeline, CodeBuild)",
  state: "State and DNS (DynamoDB, Route 53)",
  notifications: "Notifications (SNS)",
} as const;
export type Category = keyof typeof CATEGORIES;

export interface CostLine {
  /** Terraform address of the resource the cost belongs to. */
  readonly address: string;
  readonly type: string;
  /** Construct path below the stack. */
  readonly path: string;
  readonly category: Category;
  /** What is counted, with the quantities: "2 tasks × 0.5 vCPU × 730 h". */
  readonly description: string;
  readonly monthlyUsd: number;
}

export interface UnpricedResource {
  readonly address: string;
  readonly type: string;
  readonly reason: string;
}

export interface StackEstimate {
  readonly stack: string;
  readonly resourceCount: number;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly byCategory: Readonly<Partial<Record<Category, number>>>;
  /** Resources that cost money but that the estimate could not price (not in the total). */
  readonly unpriced: readonly UnpricedResource[];
  /** Facts the reader should know about the figure (Spot, autoscaling, region). */
  readonly notes: readonly string[];
  readonly assumptions: Assumptions;
  readonly pricesAsOf: string;
}

/**
 * Resource types that are free in themselves (their cost, if any, is billed through another
 * resource: an ECS cluster through its services' tasks, a listener through its load balancer).
 */
export const FREE_TYPES: ReadonlySet<string> = new Set([
  "aws_vpc",
  "aws_subnet",
  "aws_route",
  "aws_route_table",
  "aws_route_table_association",
  "aws_internet_gateway",
  "aws_egress_only_internet_gateway",
  "aws_default_security_group",
  "aws_default_network_acl",
  "aws_default_route_table",
  "aws_network_acl",
  "aws_network_acl_rule",
  "aws_security_group",
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_vpc_peering_connection",
  "aws_vpc_peering_connection_accepter",
  "aws_flow_log",
  "aws_vpc_dhcp_options",
  "aws_vpc_dhcp_options_association",
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_iam_policy",
  "aws_iam_instance_profile",
  "aws_iam_openid_connect_provider",
  "aws_iam_service_linked_role",
  "aws_db_subnet_group",
  "aws_db_parameter_group",
  "aws_db_option_group",
  "aws_kms_alias",
  "aws_kms_key_policy",
  "aws_secretsmanager_secret_version",
  "aws_secretsmanager_secret_policy",
  "aws_secretsmanager_secret_rotation",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_logging",
  "aws_s3_bucket_notification",
  "aws_s3_bucket_acl",
  "aws_ecr_lifecycle_policy",
  "aws_ecr_repository_policy",
  "aws_ecs_cluster",
  "aws_ecs_cluster_capacity_providers",
  "aws_ecs_task_definition",
  "aws_lb_listener",
  "aws_lb_listener_rule",
  "aws_lb_listener_certificate",
  "aws_lb_target_group",
  "aws_lb_target_group_attachment",
  "aws_alb_listener",
  "aws_alb_listener_rule",
  "aws_alb_target_group",
  "aws_appautoscaling_target",
  "aws_appautoscaling_policy",
  "aws_appautoscaling_scheduled_action",
  "aws_codedeploy_app",
  "aws_codedeploy_deployment_group",
  "aws_codedeploy_deployment_config",
  "aws_codestarconnections_connection",
  "aws_codeconnections_connection",
  "aws_codepipeline_webhook",
  "aws_codestarnotifications_notification_rule",
  "aws_sns_topic_subscription",
  "aws_sns_topic_policy",
  "aws_cloudwatch_log_resource_policy",
  "aws_cloudwatch_log_subscription_filter",
  "aws_cloudwatch_event_rule",
  "aws_cloudwatch_event_target",
  "aws_acm_certificate",
  "aws_acm_certificate_validation",
  "aws_route53_record",
  "aws_route53_zone_association",
  "aws_wafv2_web_acl_association",
  "aws_wafv2_web_acl_logging_configuration",
  "aws_ec2_transit_gateway_route",
  "aws_dynamodb_table_item",
  "random_password",
  "random_string",
  "random_id",
  "random_uuid",
  "random_pet",
  "random_integer",
  "random_shuffle",
  "terraform_data",
  "null_resource",
  "time_sleep",
  "time_static",
]);

/** Estimates one synthesized stack. `assumptions` default to DEFAULT_ASSUMPTIONS. */
export function estimateStack(
  stackName: string,
  stack: Json,
  assumptions: Assumptions = assumptionsFor(undefined),
): StackEstimate {
  const a = assumptions;
  const hours = a.hoursPerMonth;
  const resources = stackResources(stack).sort(compareAddresses);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const lines: CostLine[] = [];
  const unpriced: UnpricedResource[] = [];
  const notes: string[] = [];

  const add = (r: TerraformBlock, category: Category, description: string, monthlyUsd: number) =>
    lines.push({ address: r.address, type: r.type, path: r.pathInStack, category, description, monthlyUsd });
  const skip = (r: TerraformBlock, reason: string) => unpriced.push({ address: r.address, type: r.type, reason });
  const ofType = (...types: string[]) => resources.filter((r) => types.includes(r.type));
  const refsOfType = (value: unknown, type: string) =>
    referencedAddresses(value)
      .map((addr) => byAddress.get(addr))
      .filter((r): r is TerraformBlock => r?.type === type);

  const region = providerRegion(stack);
  if (region && region !== PRICE_REGION && !region.includes("${"))
    notes.push(`The stack is in ${region}; the prices are ${PRICE_REGION}'s, so the figures are indicative only.`);

  // ---- Compute: Fargate tasks of each ECS service --------------------------------------------
  const clusterStrategies = new Map<string, Json[]>();
  for (const cp of ofType("aws_ecs_cluster_capacity_providers")) {
    for (const cluster of refsOfType(cp.config.cluster_name, "aws_ecs_cluster"))
      clusterStrategies.set(cluster.address, blocks(cp.config.default_capacity_provider_strategy));
  }
  const servicesByCluster = new Map<string, number>();
  /** Hours a month each ECS service runs tasks (all hours unless it sleeps on a schedule). */
  const serviceHours: number[] = [];
  for (const svc of ofType("aws_ecs_service")) {
    const cluster = refsOfType(svc.config.cluster, "aws_ecs_cluster")[0];
    if (cluster) servicesByCluster.set(cluster.address, (servicesByCluster.get(cluster.address) ?? 0) + 1);
    const taskDef =
      refsOfType(svc.config.task_definition, "aws_ecs_task_definition")[0] ??
      ofType("aws_ecs_task_definition").find((td) => td.config.family === svc.config.task_definition);
    if (!taskDef) {
      skip(svc, "task definition not found in the stack (cpu and memory unknown)");
      continue;
    }
    const cpuUnits = literalNumber(taskDef.config.cpu);
    const memoryMiB = literalNumber(taskDef.config.memory);
    if (cpuUnits === undefined || memoryMiB === undefined) {
      skip(svc, `task definition ${taskDef.address} has no literal cpu/memory`);
      continue;
    }
    const desired = literalNumber(svc.config.desired_count) ?? 0;
    const vcpu = cpuUnits / 1024;
    const gb = memoryMiB / 1024;
    const arm = block(taskDef.config.runtime_platform)?.cpu_architecture === "ARM64";
    const launchType: string | undefined = svc.config.launch_type;
    if (launchType && launchType !== "FARGATE") {
      skip(svc, `launch type ${launchType} is not priced (Fargate only)`);
      continue;
    }
    const strategy = launchType
      ? [{ capacity_provider: "FARGATE", base: 0, weight: 1 }]
      : blocks(svc.config.capacity_provider_strategy).length > 0
        ? blocks(svc.config.capacity_provider_strategy)
        : (cluster && clusterStrategies.get(cluster.address)) || [{ capacity_provider: "FARGATE", base: 0, weight: 1 }];
    const scaling = ofType("aws_appautoscaling_target").find((t) =>
      referencedAddresses(t.config.resource_id).includes(svc.address),
    );
    // Off-hours: scheduled actions that set max to 0 put the service to sleep, others wake it.
    const awake = scheduledHours(
      ofType("aws_appautoscaling_scheduled_action").filter(
        (x) => scaling && referencedAddresses(x.config.resource_id).includes(scaling.address),
      ),
      (x) => x.config.schedule,
      (x) => (literalNumber(block(x.config.scalable_target_action)?.max_capacity) ?? 1) > 0,
      (x) => x.config.timezone,
    );
    const taskHours = awake && !awake.unparsed ? awake.weeklyHours * (hours / 168) : hours;
    if (awake)
      notes.push(
        `${svc.address}: scheduled off-hours, ${awake.summary}: tasks priced for ${fmt(taskHours)} of ${hours} h a month.`,
      );
    if (awake?.unparsed)
      notes.push(
        `${svc.address}: a scheduled action's expression could not be read (${awake.unparsed}); tasks priced for every hour.`,
      );
    const h = awake && !awake.unparsed ? taskHours : hours;
    serviceHours.push(h);
    const split = splitTasks(desired, strategy);
    const spotInStrategy = strategy.some((s) => s.capacity_provider === "FARGATE_SPOT");
    if (spotInStrategy)
      notes.push(
        `${svc.address}: FARGATE_SPOT is in the capacity provider strategy (${strategy.map((s) => `${s.capacity_provider} base ${s.base ?? 0} weight ${s.weight ?? 0}`).join(", ")}); at ${desired} desired task(s) ${fmt(split.FARGATE_SPOT ?? 0)} run on Spot, priced at the current Spot rate, which varies.`,
      );
    if (desired === 0) notes.push(`${svc.address}: desired count 0, no tasks priced.`);
    for (const [provider, tasks] of Object.entries(split)) {
      if (tasks <= 0) continue;
      const spot = provider === "FARGATE_SPOT";
      if (!spot && provider !== "FARGATE") {
        skip(svc, `capacity provider ${provider} is not priced (Fargate only)`);
        continue;
      }
      const vcpuPrice = fargatePrice("vcpu", arm, spot);
      const gbPrice = fargatePrice("gb", arm, spot);
      const label = `${spot ? "Fargate Spot" : "Fargate"}${arm ? " ARM" : ""}`;
      add(
        svc,
        "compute",
        `${label} vCPU: ${fmt(tasks)} task(s) × ${fmt(vcpu)} vCPU × ${fmt(h)} h`,
        tasks * vcpu * h * vcpuPrice,
      );
      add(
        svc,
        "compute",
        `${label} memory: ${fmt(tasks)} task(s) × ${fmt(gb)} GB × ${fmt(h)} h`,
        tasks * gb * h * gbPrice,
      );
    }
    const ephemeral = literalNumber(block(taskDef.config.ephemeral_storage)?.size_in_gib);
    if (ephemeral !== undefined && ephemeral > 20)
      add(
        svc,
        "compute",
        `ephemeral storage above 20 GB: ${desired} task(s) × ${ephemeral - 20} GB × ${fmt(h)} h`,
        desired * (ephemeral - 20) * h * PRICES.fargateEphemeralGbHour.usd,
      );
    if (block(svc.config.network_configuration)?.assign_public_ip === true)
      add(svc, "network", `public IPv4 per task: ${desired} × ${fmt(h)} h`, desired * h * PRICES.publicIpv4Hour.usd);
    const max = literalNumber(scaling?.config.max_capacity);
    if (max !== undefined && max > desired) {
      const perTask = (vcpu * fargatePrice("vcpu", arm, false) + gb * fargatePrice("gb", arm, false)) * h;
      notes.push(
        `${svc.address}: priced at the desired count ${desired}; autoscaling may run up to ${max} tasks (+${usd((max - desired) * perTask)}/month at the ceiling, on-demand).`,
      );
    }
  }

  // ---- Database: RDS instances ------------------------------------------------------------
  for (const db of ofType("aws_db_instance")) {
    const b = db.config;
    const cls: string = b.instance_class;
    const multiAz = b.multi_az === true;
    const rate = PRICES.rdsInstanceHour[cls];
    // Off-hours: EventBridge Scheduler schedules calling StartDBInstance / StopDBInstance on it.
    // A stopped instance bills storage and backups only (RDS User Guide, stopping an instance).
    const running = scheduledHours(
      ofType("aws_scheduler_schedule").filter((x) =>
        referencedAddresses(block(x.config.target)?.input).includes(db.address),
      ),
      (x) => x.config.schedule_expression,
      (x) => {
        const target = String(block(x.config.target)?.arn ?? "");
        return target.endsWith(":startDBInstance") ? true : target.endsWith(":stopDBInstance") ? false : undefined;
      },
      (x) => x.config.schedule_expression_timezone,
    );
    const dbHours = running && !running.unparsed ? running.weeklyHours * (hours / 168) : hours;
    if (running)
      notes.push(
        `${db.address}: started and stopped on a schedule, ${running.summary}: instance priced for ${fmt(dbHours)} of ${hours} h a month.`,
      );
    if (running?.unparsed)
      notes.push(
        `${db.address}: a schedule's expression could not be read (${running.unparsed}); instance priced for every hour.`,
      );
    if (rate) {
      const price = multiAz ? rate.multiAz : rate.singleAz;
      add(
        db,
        "database",
        `${cls} ${multiAz ? "Multi-AZ (primary + standby)" : "Single-AZ"}: ${fmt(dbHours)} h × $${price.usd}/h`,
        dbHours * price.usd,
      );
    } else {
      skip(db, `instance class ${JSON.stringify(cls)} is not in the price table (scripts/cost/prices-us-east-1.ts)`);
    }
    const copies = multiAz ? 2 : 1;
    const allocated = literalNumber(b.allocated_storage);
    const storageType: string = b.storage_type ?? (b.iops ? "io1" : "gp2");
    if (allocated !== undefined && (storageType === "gp3" || storageType === "gp2")) {
      const perGb = storageType === "gp3" ? PRICES.rdsGp3GbMonth.usd : PRICES.rdsGp2GbMonth.usd;
      add(
        db,
        "database",
        `${storageType} storage: ${allocated} GB × ${copies} cop${copies === 1 ? "y" : "ies"} × $${perGb}/GB-month`,
        allocated * copies * perGb,
      );
      const iops = literalNumber(b.iops);
      const baseline = allocated >= 400 ? 12000 : 3000;
      if (storageType === "gp3" && iops !== undefined && iops > baseline)
        add(
          db,
          "database",
          `gp3 IOPS above the ${baseline} baseline: ${iops - baseline} × ${copies}`,
          (iops - baseline) * copies * PRICES.rdsGp3IopsMonth.usd,
        );
    } else if (allocated !== undefined) {
      skip(db, `storage type ${storageType} is not priced (gp2/gp3 only)`);
    }
    const retention = literalNumber(b.backup_retention_period) ?? 1;
    if (allocated !== undefined && retention > 0) {
      const kept = allocated * (1 + (a.backupChangePercentPerDay / 100) * (retention - 1));
      const billable = Math.max(0, kept - allocated);
      add(
        db,
        "database",
        `backups: ~${fmt(kept)} GB kept over ${retention} days (${fmt(a.backupChangePercentPerDay)} %/day changed), first ${allocated} GB free`,
        billable * PRICES.rdsBackupGbMonth.usd,
      );
    }
    if (b.performance_insights_enabled === true) {
      const piDays = literalNumber(b.performance_insights_retention_period) ?? 7;
      if (piDays <= 7) add(db, "database", "Performance Insights: 7 days of history (free)", 0);
      else skip(db, `Performance Insights retention of ${piDays} days (beyond the free 7) is not priced`);
    }
    const interval = literalNumber(b.monitoring_interval) ?? 0;
    if (interval > 0) {
      const gbIngested = (((hours * 3600) / interval) * a.enhancedMonitoringKbPerSample) / (1024 * 1024);
      const stored = gbIngested * Math.min(1, 30 / (hours / 24));
      add(
        db,
        "monitoring",
        `Enhanced Monitoring every ${interval} s: ~${fmt(gbIngested)} GB into RDSOSMetrics (30-day retention)`,
        gbIngested * PRICES.logsIngestGb.usd + stored * PRICES.logsStorageGbMonth.usd,
      );
    }
  }
  for (const r of ofType("aws_rds_cluster", "aws_rds_cluster_instance", "aws_db_proxy"))
    skip(r, "Aurora / RDS Proxy are not in the price table");

  // ---- Network ---------------------------------------------------------------------------
  const nats = ofType("aws_nat_gateway");
  for (const nat of nats) {
    add(nat, "network", `NAT gateway: ${hours} h × $${PRICES.natGatewayHour.usd}/h`, hours * PRICES.natGatewayHour.usd);
    const share = a.natDataGb / nats.length;
    add(
      nat,
      "network",
      `NAT data processed: ${fmt(share)} GB (${fmt(a.natDataGb)} GB shared by ${nats.length})`,
      share * PRICES.natGatewayGb.usd,
    );
  }
  for (const eip of ofType("aws_eip"))
    add(
      eip,
      "network",
      `public IPv4 (Elastic IP): ${hours} h × $${PRICES.publicIpv4Hour.usd}/h`,
      hours * PRICES.publicIpv4Hour.usd,
    );
  for (const ep of ofType("aws_vpc_endpoint")) {
    const kind: string = ep.config.vpc_endpoint_type ?? "Gateway";
    if (kind === "Gateway") {
      add(ep, "network", `gateway endpoint (${serviceShortName(ep.config.service_name)}): free`, 0);
    } else if (kind === "Interface") {
      const azs = literalLength(ep.config.subnet_ids) ?? a.lbAzsWhenUnknown;
      add(
        ep,
        "network",
        `interface endpoint (${serviceShortName(ep.config.service_name)}): ${azs} AZ × ${hours} h`,
        azs * hours * PRICES.interfaceEndpointAzHour.usd,
      );
      add(
        ep,
        "network",
        `interface endpoint data: ${fmt(a.interfaceEndpointDataGb)} GB`,
        a.interfaceEndpointDataGb * PRICES.interfaceEndpointGb.usd,
      );
    } else {
      skip(ep, `VPC endpoint type ${kind} is not priced`);
    }
  }
  for (const att of ofType("aws_ec2_transit_gateway_vpc_attachment")) {
    add(att, "network", `transit gateway attachment: ${hours} h`, hours * PRICES.transitGatewayAttachmentHour.usd);
    add(
      att,
      "network",
      `transit gateway data: ${fmt(a.transitGatewayDataGb)} GB`,
      a.transitGatewayDataGb * PRICES.transitGatewayGb.usd,
    );
  }

  // ---- Load balancers and internet egress ---------------------------------------------------
  let internetFacing: TerraformBlock | undefined;
  const lcuHours = serviceHours.length > 0 ? Math.max(...serviceHours) : hours;
  for (const lb of ofType("aws_lb", "aws_alb")) {
    const kind: string = lb.config.load_balancer_type ?? "application";
    const publicLb = lb.config.internal !== true;
    const azs = literalLength(lb.config.subnets) ?? literalLength(lb.config.subnet_mapping) ?? a.lbAzsWhenUnknown;
    if (kind === "application") {
      add(
        lb,
        "loadBalancing",
        `Application Load Balancer: ${hours} h × $${PRICES.albHour.usd}/h`,
        hours * PRICES.albHour.usd,
      );
      // LCUs measure traffic: a stack whose services sleep serves none while asleep.
      const asleep = lcuHours < hours ? " while the service is awake" : "";
      add(
        lb,
        "loadBalancing",
        `LCUs: ${fmt(a.albLcu)} LCU × ${fmt(lcuHours)} h${asleep} × $${PRICES.albLcuHour.usd}`,
        a.albLcu * lcuHours * PRICES.albLcuHour.usd,
      );
    } else if (kind === "network") {
      add(
        lb,
        "loadBalancing",
        `Network Load Balancer: ${hours} h × $${PRICES.nlbHour.usd}/h`,
        hours * PRICES.nlbHour.usd,
      );
      add(
        lb,
        "loadBalancing",
        `NLCUs: ${fmt(a.albLcu)} × ${hours} h × $${PRICES.nlbLcuHour.usd}`,
        a.albLcu * hours * PRICES.nlbLcuHour.usd,
      );
    } else {
      skip(lb, `load balancer type ${kind} is not priced`);
      continue;
    }
    if (publicLb) {
      add(
        lb,
        "network",
        `public IPv4 of the internet-facing load balancer: ${azs} AZ × ${hours} h`,
        azs * hours * PRICES.publicIpv4Hour.usd,
      );
      internetFacing ??= lb;
    }
  }
  if (internetFacing)
    add(
      internetFacing,
      "dataTransfer",
      `data out to the internet: ${fmt(a.internetEgressGb)} GB × $${PRICES.dataTransferOutGb.usd}/GB`,
      a.internetEgressGb * PRICES.dataTransferOutGb.usd,
    );

  // ---- Monitoring: CloudWatch -------------------------------------------------------------
  const daysPerMonth = hours / 24;
  for (const lg of ofType("aws_cloudwatch_log_group")) {
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
  }
  for (const mf of ofType("aws_cloudwatch_log_metric_filter")) {
    const metrics = Math.max(1, blocks(mf.config.metric_transformation).length);
    add(mf, "monitoring", `custom metric from a log filter: ${metrics}`, metrics * PRICES.customMetricMonth.usd);
  }
  for (const alarm of ofType("aws_cloudwatch_metric_alarm")) {
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
  }
  for (const alarm of ofType("aws_cloudwatch_composite_alarm"))
    add(alarm, "monitoring", "composite alarm", PRICES.compositeAlarmMonth.usd);
  for (const dash of ofType("aws_cloudwatch_dashboard"))
    add(dash, "monitoring", `dashboard: $${PRICES.dashboardMonth.usd}/month`, PRICES.dashboardMonth.usd);
  for (const cluster of ofType("aws_ecs_cluster")) {
    const setting = blocks(cluster.config.setting).find((s) => s.name === "containerInsights");
    if (!setting || setting.value === "disabled") continue;
    const services = servicesByCluster.get(cluster.address) ?? 0;
    const metrics = a.containerInsightsMetricsPerCluster + services * a.containerInsightsMetricsPerService;
    add(
      cluster,
      "monitoring",
      `Container Insights (${setting.value}): ${fmt(metrics)} metrics (${fmt(a.containerInsightsMetricsPerCluster)} + ${services} service × ${fmt(a.containerInsightsMetricsPerService)}), ${fmt(a.containerInsightsLogGb)} GB performance logs`,
      metrics * PRICES.customMetricMonth.usd + a.containerInsightsLogGb * PRICES.logsIngestGb.usd,
    );
  }

  for (const schedule of ofType("aws_scheduler_schedule")) {
    const cron = parseCron(schedule.config.schedule_expression);
    const invocations = cron ? cron.days.length * (hours / 168) : hours * 60;
    add(
      schedule,
      "compute",
      `EventBridge Scheduler: ${fmt(invocations)} invocations (${cron ? describeCron(cron) : "every minute, expression not read"}; first 14 million a month free per account, not deducted)`,
      (invocations / 1e6) * PRICES.schedulerInvocationsMillion.usd,
    );
  }

  // ---- Security ------------------------------------------------------------------------------
  for (const secret of ofType("aws_secretsmanager_secret")) {
    const replicas = blocks(secret.config.replica).length;
    add(
      secret,
      "security",
      `secret${replicas ? ` + ${replicas} replica(s)` : ""}: $${PRICES.secretMonth.usd}/month each`,
      (1 + replicas) * PRICES.secretMonth.usd,
    );
  }
  for (const key of ofType("aws_kms_key")) {
    add(
      key,
      "security",
      `customer-managed KMS key + ${fmt(a.kmsRequestsPerKey)} requests`,
      PRICES.kmsKeyMonth.usd + (a.kmsRequestsPerKey / 10000) * PRICES.kmsRequests10k.usd,
    );
  }
  for (const acl of ofType("aws_wafv2_web_acl")) {
    const rules = blocks(acl.config.rule).length;
    add(
      acl,
      "security",
      `WAF web ACL + ${rules} rule(s) + ${fmt(a.wafRequestsMillions)} M requests`,
      PRICES.wafWebAclMonth.usd +
        rules * PRICES.wafRuleMonth.usd +
        a.wafRequestsMillions * PRICES.wafRequestsMillion.usd,
    );
  }

  // ---- Storage -----------------------------------------------------------------------------
  for (const bucket of ofType("aws_s3_bucket"))
    add(bucket, "storage", `S3 Standard: ${fmt(a.s3GbPerBucket)} GB`, a.s3GbPerBucket * PRICES.s3StandardGbMonth.usd);
  for (const repo of ofType("aws_ecr_repository"))
    add(repo, "storage", `ECR images: ${fmt(a.ecrGbPerRepository)} GB`, a.ecrGbPerRepository * PRICES.ecrGbMonth.usd);

  // ---- Delivery ----------------------------------------------------------------------------
  for (const pipe of ofType("aws_codepipeline")) {
    if (pipe.config.pipeline_type === "V2") {
      const actions = blocks(pipe.config.stage).flatMap((s) => blocks(s.action));
      const minutes = actions.reduce((sum, act) => sum + actionMinutes(act.category, a), 0);
      const approvals = actions.filter((act) => act.category === "Approval").length;
      add(
        pipe,
        "delivery",
        `CodePipeline V2: ${fmt(a.deploysPerMonth)} runs × ${fmt(minutes)} action-minutes (${actions.length} actions${approvals ? `, ${approvals} approval not charged` : ""})`,
        a.deploysPerMonth * minutes * PRICES.codePipelineV2ActionMinute.usd,
      );
    } else {
      add(pipe, "delivery", "CodePipeline V1: active pipeline", PRICES.codePipelineV1Month.usd);
    }
  }
  for (const project of ofType("aws_codebuild_project")) {
    const env = block(project.config.environment);
    const computeType: string = env?.compute_type ?? "BUILD_GENERAL1_SMALL";
    const price = PRICES.codeBuildMinute[computeType];
    if (!price || (env?.type && env.type !== "LINUX_CONTAINER")) {
      skip(project, `build environment ${env?.type ?? "?"} / ${computeType} is not in the price table`);
      continue;
    }
    const minutes = a.deploysPerMonth * a.buildMinutes;
    add(
      project,
      "delivery",
      `CodeBuild ${computeType.replace("BUILD_", "").toLowerCase()}: ${fmt(a.deploysPerMonth)} builds × ${fmt(a.buildMinutes)} min`,
      minutes * price.usd,
    );
  }

  // ---- State and DNS -------------------------------------------------------------------------
  for (const table of ofType("aws_dynamodb_table")) {
    if (table.config.billing_mode !== "PAY_PER_REQUEST") {
      skip(table, "provisioned-capacity DynamoDB tables are not priced");
      continue;
    }
    const pitr = block(table.config.point_in_time_recovery)?.enabled === true;
    const requests = a.dynamoDbRequestsPerMonth / 1e6;
    add(
      table,
      "state",
      `DynamoDB on-demand: ${fmt(a.dynamoDbRequestsPerMonth)} reads + writes, ${fmt(a.dynamoDbGb)} GB${pitr ? " + PITR" : ""}`,
      requests * (PRICES.dynamoDbWriteMillion.usd + PRICES.dynamoDbReadMillion.usd) +
        a.dynamoDbGb * (PRICES.dynamoDbGbMonth.usd + (pitr ? PRICES.dynamoDbPitrGbMonth.usd : 0)),
    );
  }
  for (const zone of ofType("aws_route53_zone"))
    add(zone, "state", "Route 53 hosted zone", PRICES.route53ZoneMonth.usd);

  // ---- Notifications -------------------------------------------------------------------------
  const subscriptions = ofType("aws_sns_topic_subscription");
  for (const topic of ofType("aws_sns_topic")) {
    const emails = subscriptions.filter(
      (s) =>
        ["email", "email-json"].includes(s.config.protocol) &&
        referencedAddresses(s.config.topic_arn).includes(topic.address),
    ).length;
    const messages = a.alarmNotificationsPerMonth * emails;
    add(
      topic,
      "notifications",
      `SNS topic: ${fmt(a.alarmNotificationsPerMonth)} notifications × ${emails} e-mail subscription(s)`,
      (messages / 100000) * PRICES.snsEmail100k.usd,
    );
  }

  // ---- Everything else: free, or reported as not priced ---------------------------------------
  const priced = new Set([...lines.map((l) => l.address), ...unpriced.map((u) => u.address)]);
  for (const r of resources) {
    if (priced.has(r.address) || FREE_TYPES.has(r.type) || HANDLED_TYPES.has(r.type)) continue;
    skip(r, "resource type not in the cost model (scripts/cost/estimate.ts)");
  }

  const byCategory: Partial<Record<Category, number>> = {};
  for (const l of lines) byCategory[l.category] = (byCategory[l.category] ?? 0) + l.monthlyUsd;
  const totalUsd = lines.reduce((s, l) => s + l.monthlyUsd, 0);
  return {
    stack: stackName,
    resourceCount: resourceCount(stack),
    lines,
    totalUsd,
    byCategory,
    unpriced,
    notes,
    assumptions,
    pricesAsOf: PRICES_AS_OF,
  };
}

/** Types the model prices above (some only under conditions, e.g. a cluster with Container Insights). */
const HANDLED_TYPES: ReadonlySet<string> = new Set([
  "aws_ecs_service",
  "aws_db_instance",
  "aws_nat_gateway",
  "aws_eip",
  "aws_vpc_endpoint",
  "aws_ec2_transit_gateway_vpc_attachment",
  "aws_lb",
  "aws_alb",
  "aws_cloudwatch_log_group",
  "aws_cloudwatch_log_metric_filter",
  "aws_cloudwatch_metric_alarm",
  "aws_cloudwatch_composite_alarm",
  "aws_cloudwatch_dashboard",
  "aws_secretsmanager_secret",
  "aws_kms_key",
  "aws_wafv2_web_acl",
  "aws_s3_bucket",
  "aws_ecr_repository",
  "aws_codepipeline",
  "aws_codebuild_project",
  "aws_dynamodb_table",
  "aws_route53_zone",
  "aws_sns_topic",
  "aws_scheduler_schedule",
]);

/** What a set of on/off schedules adds up to: hours a week on, and a one-line summary. */
interface ScheduledHours {
  readonly weeklyHours: number;
  readonly summary: string;
  /** An expression that could not be read (the caller then prices every hour). */
  readonly unparsed?: string;
}

/**
 * Hours a week something runs, from the resources that switch it on (`on` true) and off
 * (false); resources for which `on` is undefined are ignored. Undefined when none switches.
 */
function scheduledHours(
  switches: readonly TerraformBlock[],
  expression: (r: TerraformBlock) => unknown,
  on: (r: TerraformBlock) => boolean | undefined,
  timeZone: (r: TerraformBlock) => unknown,
): ScheduledHours | undefined {
  const relevant = switches.filter((r) => on(r) !== undefined);
  if (relevant.length === 0) return undefined;
  const parsed: WeeklySwitch[] = [];
  const parts: string[] = [];
  // Switches on first, so the summary reads the same whatever the resources' order.
  for (const r of [...relevant].sort((x, y) => Number(on(y)) - Number(on(x)))) {
    const cron = parseCron(expression(r));
    if (!cron) return { weeklyHours: 168, summary: "unknown", unparsed: String(expression(r)) };
    parsed.push({ ...cron, on: on(r)! });
    parts.push(`${on(r) ? "on" : "off"} ${describeCron(cron)}`);
  }
  const zone = relevant.map(timeZone).find((z) => typeof z === "string") ?? "UTC";
  const weeklyHours = onHoursPerWeek(parsed);
  return { weeklyHours, summary: `${parts.join(", ")} (${zone}) = ${fmt(weeklyHours)} h a week` };
}

/**
 * Tasks per capacity provider: each provider's `base` first (in order), the rest split by weight.
 * Fractions are kept: the estimate is an average.
 */
export function splitTasks(desired: number, strategy: readonly Json[]): Record<string, number> {
  const out: Record<string, number> = {};
  let remaining = desired;
  for (const s of strategy) {
    const base = Math.min(literalNumber(s.base) ?? 0, remaining);
    out[s.capacity_provider] = (out[s.capacity_provider] ?? 0) + base;
    remaining -= base;
  }
  const totalWeight = strategy.reduce((sum, s) => sum + (literalNumber(s.weight) ?? 0), 0);
  for (const s of strategy) {
    const share =
      totalWeight > 0 ? ((literalNumber(s.weight) ?? 0) / totalWeight) * remaining : s === strategy[0] ? remaining : 0;
    out[s.capacity_provider] = (out[s.capacity_provider] ?? 0) + share;
  }
  return out;
}

function fargatePrice(kind: "vcpu" | "gb", arm: boolean, spot: boolean): number {
  const onDemandX86 = kind === "vcpu" ? PRICES.fargateVcpuHour.usd : PRICES.fargateGbHour.usd;
  const onDemand = arm ? (kind === "vcpu" ? PRICES.fargateArmVcpuHour.usd : PRICES.fargateArmGbHour.usd) : onDemandX86;
  if (!spot) return onDemand;
  const spotX86 = kind === "vcpu" ? PRICES.fargateSpotVcpuHour.usd : PRICES.fargateSpotGbHour.usd;
  // ARM Spot: the x86 Spot discount applied to the ARM on-demand rate.
  return arm ? onDemand * (spotX86 / onDemandX86) : spotX86;
}

function actionMinutes(category: string, a: Assumptions): number {
  switch (category) {
    case "Approval":
      return 0; // manual approvals are not charged
    case "Source":
      return a.sourceActionMinutes;
    case "Build":
    case "Test":
      return a.buildMinutes;
    case "Deploy":
      return a.deployActionMinutes;
    default:
      return 1;
  }
}

function serviceShortName(serviceName: unknown): string {
  return typeof serviceName === "string" ? serviceName.replace(/^com\.amazonaws\.[^.]+\./, "") : "?";
}

/** A quantity without trailing zeros: 0.5, 2, 12.25. */
export function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2)));
}

/** Dollars with cents: $1,234.56. */
export function usd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Price of one unit, for printing the price table. */
export function describePrice(price: Price): string {
  return `$${price.usd} per ${price.unit}`;
}
