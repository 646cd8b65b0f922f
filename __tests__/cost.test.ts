import type { Json } from "../constructs/terraform-json";
import { assumptionsFor, parseAssumptionOverrides } from "../scripts/cost/assumptions";
import { runCostCli } from "../scripts/cost/command";
import { estimateStack } from "../scripts/cost/estimate";
import type { CostLine, StackEstimate } from "../scripts/cost/model";
import { PRICED_TYPES, PRICERS } from "../scripts/cost/pricers";
import { splitTasks } from "../scripts/cost/pricers/compute";
import { describeCron, onHoursPerWeek, parseCron } from "../scripts/cost/schedule";
import { synthSummary } from "../scripts/cost/summary";
import { DEV_LIKE, devLike, fixtureStack, PRODUCTION_LIKE, productionLike, SLEEPING, sleeping } from "./fixtures/cost";

/**
 * The cost estimate against figures computed by hand from the price table's numbers
 * (scripts/cost/prices-us-east-1.ts) and the default assumptions (730 h, 20 GB through NAT,
 * 50 GB egress, 1 LCU, 1 GB per log group, 20 runs of 6-minute builds, ...). The arithmetic is
 * written out next to each figure so a price change shows which figure moved and why.
 */

const production = estimateStack(PRODUCTION_LIKE, productionLike);
const dev = estimateStack(DEV_LIKE, devLike);

/** Sum of the lines of `address` whose description starts with `prefix`. */
function cost(est: StackEstimate, address: string, prefix = ""): number {
  const lines = est.lines.filter((l: CostLine) => l.address === address && l.description.startsWith(prefix));
  if (lines.length === 0) throw new Error(`no line for ${address} starting with ${JSON.stringify(prefix)}`);
  return lines.reduce((s, l) => s + l.monthlyUsd, 0);
}

describe("cost estimate: compute", () => {
  test("prices Fargate vCPU and memory hours of the desired tasks", () => {
    // GIVEN 2 tasks of 512 CPU units / 1024 MiB on FARGATE
    // THEN vCPU 2 × 0.5 × 730 × 0.04048 = 29.5504 and memory 2 × 1 × 730 × 0.004445 = 6.4897
    expect(cost(production, "aws_ecs_service.svc", "Fargate vCPU")).toBeCloseTo(29.5504, 4);
    expect(cost(production, "aws_ecs_service.svc", "Fargate memory")).toBeCloseTo(6.4897, 4);
    expect(production.byCategory.compute).toBeCloseTo(36.0401, 4);
  });

  test("places tasks beyond the base by weight, pricing the FARGATE_SPOT share at the Spot rate", () => {
    // GIVEN 3 tasks of 0.25 vCPU / 0.5 GB and the cluster default FARGATE base 1 weight 1, FARGATE_SPOT weight 1
    // THEN 2 on FARGATE: 2 × 0.25 × 730 × 0.04048 = 14.7752 and 2 × 0.5 × 730 × 0.004445 = 3.24485
    //      1 on Spot:    1 × 0.25 × 730 × 0.01334053 = 2.434646725 and 1 × 0.5 × 730 × 0.00146489 = 0.53468485
    expect(cost(dev, "aws_ecs_service.svc", "Fargate vCPU")).toBeCloseTo(14.7752, 4);
    expect(cost(dev, "aws_ecs_service.svc", "Fargate memory")).toBeCloseTo(3.24485, 4);
    expect(cost(dev, "aws_ecs_service.svc", "Fargate Spot vCPU")).toBeCloseTo(2.434646725, 6);
    expect(cost(dev, "aws_ecs_service.svc", "Fargate Spot memory")).toBeCloseTo(0.53468485, 6);
    expect(dev.notes.join("\n")).toContain("FARGATE_SPOT is in the capacity provider strategy");
  });

  test("splits tasks base first, then by weight", () => {
    // GIVEN base 1 on FARGATE and weights 1:3
    const strategy = [
      { capacity_provider: "FARGATE", base: 1, weight: 1 },
      { capacity_provider: "FARGATE_SPOT", weight: 3 },
    ];
    // THEN 5 tasks: 1 base + 4 × 1/4 on FARGATE, 4 × 3/4 on Spot; 1 task: all base
    expect(splitTasks(5, strategy)).toEqual({ FARGATE: 2, FARGATE_SPOT: 3 });
    expect(splitTasks(1, strategy)).toEqual({ FARGATE: 1, FARGATE_SPOT: 0 });
  });

  test("notes the autoscaling ceiling without adding it to the total", () => {
    // GIVEN max_capacity 10 for a 2-task service: 8 more tasks × (0.5 × 0.04048 + 1 × 0.004445) × 730 = 144.16
    expect(production.notes.join("\n")).toContain(
      "autoscaling may run up to 10 tasks (+$144.16/month at the ceiling, on-demand)",
    );
  });
});

describe("cost estimate: database", () => {
  test("prices a Multi-AZ db.t4g.medium at the published $0.130/h for the pair, not $0.144 per AZ", () => {
    // 730 × 0.130 = 94.90 (the reference's 2 × 730 × 0.144 = 210.24 is wrong)
    expect(cost(production, "aws_db_instance.db", "db.t4g.medium Multi-AZ")).toBeCloseTo(94.9, 6);
  });

  test("prices a Single-AZ db.t4g.small", () => {
    // 730 × 0.032 = 23.36
    expect(cost(dev, "aws_db_instance.db", "db.t4g.small Single-AZ")).toBeCloseTo(23.36, 6);
  });

  test("doubles gp3 storage under Multi-AZ", () => {
    // 100 GB × 2 copies × 0.115 = 23.00; Single-AZ 20 GB × 0.115 = 2.30
    expect(cost(production, "aws_db_instance.db", "gp3 storage")).toBeCloseTo(23, 6);
    expect(cost(dev, "aws_db_instance.db", "gp3 storage")).toBeCloseTo(2.3, 6);
  });

  test("prices backup storage beyond the free 100 % of provisioned storage", () => {
    // 100 GB × (1 + 2 % × 34 days) = 168 GB kept, 68 GB billed × 0.095 = 6.46
    // 20 GB × (1 + 2 % × 6) = 22.4 GB kept, 2.4 GB × 0.095 = 0.228
    expect(cost(production, "aws_db_instance.db", "backups")).toBeCloseTo(6.46, 6);
    expect(cost(dev, "aws_db_instance.db", "backups")).toBeCloseTo(0.228, 6);
  });

  test("counts 7 days of Performance Insights as free", () => {
    expect(cost(production, "aws_db_instance.db", "Performance Insights")).toBe(0);
  });

  test("prices Enhanced Monitoring as CloudWatch Logs", () => {
    // 730 × 3600 / 30 = 87,600 samples × 3 KB = 0.2506256 GB: ingest × 0.50 = 0.1253128,
    // stored × 30/30.41667 days × 0.03 = 0.0074158
    expect(cost(production, "aws_db_instance.db", "Enhanced Monitoring")).toBeCloseTo(0.1327286, 6);
  });

  test("reports an instance class missing from the price table as not priced", () => {
    // GIVEN a class the table does not list
    const est = estimateStack(
      "x",
      fixtureStack("x", [
        [
          "aws_db_instance",
          "db",
          "db",
          { instance_class: "db.r7g.large", allocated_storage: 20, storage_type: "gp3", backup_retention_period: 1 },
        ],
      ]),
    );
    // THEN it is listed, and only the storage is in the total (20 × 0.115)
    expect(est.unpriced).toEqual([
      {
        address: "aws_db_instance.db",
        type: "aws_db_instance",
        reason: 'instance class "db.r7g.large" is not in the price table (scripts/cost/prices-us-east-1.ts)',
      },
    ]);
    expect(est.totalUsd).toBeCloseTo(2.3, 6);
  });
});

describe("cost estimate: network and load balancing", () => {
  test("prices each NAT gateway's hours and an even share of the data", () => {
    // 730 × 0.045 = 32.85 each; 20 GB / 2 = 10 GB × 0.045 = 0.45 each
    expect(cost(production, "aws_nat_gateway.nat0", "NAT gateway")).toBeCloseTo(32.85, 6);
    expect(cost(production, "aws_nat_gateway.nat1", "NAT data")).toBeCloseTo(0.45, 6);
    expect(cost(dev, "aws_nat_gateway.nat0", "NAT data")).toBeCloseTo(0.9, 6);
  });

  test("prices every Elastic IP as a public IPv4 address", () => {
    // 730 × 0.005 = 3.65
    expect(cost(production, "aws_eip.eip0")).toBeCloseTo(3.65, 6);
    expect(cost(production, "aws_eip.eip1")).toBeCloseTo(3.65, 6);
  });

  test("prices an ALB's hours, LCUs, one public IPv4 per subnet and the internet egress", () => {
    // 730 × 0.0225 = 16.425; 1 LCU × 730 × 0.008 = 5.84; 2 × 730 × 0.005 = 7.30; 50 GB × 0.09 = 4.50
    expect(cost(production, "aws_lb.alb", "Application Load Balancer")).toBeCloseTo(16.425, 6);
    expect(cost(production, "aws_lb.alb", "LCUs")).toBeCloseTo(5.84, 6);
    expect(cost(production, "aws_lb.alb", "public IPv4")).toBeCloseTo(7.3, 6);
    expect(cost(production, "aws_lb.alb", "data out")).toBeCloseTo(4.5, 6);
  });

  test("prices interface endpoints per AZ and leaves gateway endpoints free", () => {
    // 2 subnets × 730 × 0.01 = 14.60 + 5 GB × 0.01 = 0.05
    expect(cost(production, "aws_vpc_endpoint.logs")).toBeCloseTo(14.65, 6);
    expect(cost(production, "aws_vpc_endpoint.s3")).toBe(0);
  });
});

describe("cost estimate: monitoring, security, storage, delivery", () => {
  test("prices log ingestion and the storage its retention keeps", () => {
    // 1 GB × 0.50 + stored: 30 days = 30/30.41667 GB, 7 days = 7/30.41667 GB, none = 12 months, × 0.03
    expect(cost(production, "aws_cloudwatch_log_group.app")).toBeCloseTo(0.529589, 6);
    expect(cost(production, "aws_cloudwatch_log_group.flow")).toBeCloseTo(0.5069041, 6);
    expect(cost(production, "aws_cloudwatch_log_group.forever")).toBeCloseTo(0.86, 6);
  });

  test("counts each metric of a metric-math alarm", () => {
    // simple alarm 1 × 0.10; 5xx-rate alarm with 2 metrics and an expression 2 × 0.10
    expect(cost(production, "aws_cloudwatch_metric_alarm.cpu")).toBeCloseTo(0.1, 6);
    expect(cost(production, "aws_cloudwatch_metric_alarm.rate")).toBeCloseTo(0.2, 6);
  });

  test("prices dashboards, log metric filters and Container Insights metrics", () => {
    // dashboard 3.00; filter 1 custom metric 0.30; Container Insights (12 + 1 × 25) × 0.30 + 0.5 GB × 0.50 = 11.35
    expect(cost(production, "aws_cloudwatch_dashboard.dash")).toBeCloseTo(3, 6);
    expect(cost(production, "aws_cloudwatch_log_metric_filter.errors")).toBeCloseTo(0.3, 6);
    expect(cost(production, "aws_ecs_cluster.cluster", "Container Insights")).toBeCloseTo(11.35, 6);
  });

  test("prices secrets and customer-managed keys", () => {
    // 5 × 0.40 = 2.00; 1 key + 10,000 requests × 0.03 / 10,000 = 1.03
    expect(production.byCategory.security).toBeCloseTo(3.03, 6);
  });

  test("prices a V2 pipeline by action minutes, leaving the manual approval out, and builds by the minute", () => {
    // 20 runs × (1 source + 6 build + 0 approval + 10 deploy) × 0.002 = 0.68; 20 × 6 min × 0.005 = 0.60
    expect(cost(production, "aws_codepipeline.pipeline")).toBeCloseTo(0.68, 6);
    expect(cost(production, "aws_codebuild_project.build")).toBeCloseTo(0.6, 6);
  });

  test("prices buckets, repositories, e-mail notifications and on-demand tables", () => {
    // S3 1 GB × 0.023; ECR 0.5 GB × 0.10; SNS 50 × 2 e-mails / 100,000 × 2 = 0.002;
    // DynamoDB 5,000 / 1e6 × (0.625 + 0.125) + 0.01 GB × (0.25 + 0.20 PITR) = 0.00825
    expect(cost(production, "aws_s3_bucket.artifacts")).toBeCloseTo(0.023, 6);
    expect(cost(production, "aws_ecr_repository.repo")).toBeCloseTo(0.05, 6);
    expect(cost(production, "aws_sns_topic.critical")).toBeCloseTo(0.002, 6);
    expect(cost(dev, "aws_dynamodb_table.locks")).toBeCloseTo(0.00825, 6);
  });
});

describe("cost estimate: totals", () => {
  test("adds up the production-like stack to the hand-computed $304.38", () => {
    // compute 36.0401 + database 124.36 + network (66.60 NAT + 7.30 EIPs + 14.65 endpoint + 7.30 ALB IPs) 95.85
    // + load balancing 22.265 + data out 4.50 + monitoring 16.9792217 + security 3.03 + storage 0.073
    // + delivery 1.28 + notifications 0.002 = 304.3793217
    expect(production.byCategory.network).toBeCloseTo(95.85, 6);
    expect(production.byCategory.monitoring).toBeCloseTo(16.9792217, 6);
    expect(production.totalUsd).toBeCloseTo(304.3793217, 6);
  });

  test("adds up the dev-like stack to the hand-computed $84.35", () => {
    // Fargate 20.989381575 + RDS 25.888 + Enhanced Monitoring 0.0663643 + NAT 33.75 + EIP 3.65 + DynamoDB 0.00825
    expect(dev.totalUsd).toBeCloseTo(84.3519959, 6);
  });

  test("lists resource types it cannot price instead of counting them as free", () => {
    // GIVEN a resource type outside the cost model next to a free one
    const est = estimateStack(
      "x",
      fixtureStack("x", [
        ["aws_elasticache_cluster", "cache", "data/Cache", { node_type: "cache.t4g.micro" }],
        ["aws_iam_role", "role", "role", {}],
      ]),
    );
    // THEN it is reported, the free one is not, and the total is 0
    expect(est.unpriced).toEqual([
      {
        address: "aws_elasticache_cluster.cache",
        type: "aws_elasticache_cluster",
        reason: "resource type not in the cost model (scripts/cost/estimate.ts)",
      },
    ]);
    expect(est.totalUsd).toBe(0);
    expect(est.resourceCount).toBe(2);
  });

  test("knows every type that has a pricer: none of them is reported as outside the cost model", () => {
    // GIVEN one bare resource of each type in PRICERS
    const est = estimateStack(
      "x",
      fixtureStack(
        "x",
        Object.keys(PRICERS).map((type): [string, string, string, Json] => [type, "r", `r/${type}`, {}]),
      ),
    );
    // THEN each is priced or reported with its own reason, never as an unknown type
    expect(est.unpriced.filter((u) => u.reason.startsWith("resource type not in the cost model"))).toEqual([]);
    expect([...PRICED_TYPES].sort()).toEqual(Object.keys(PRICERS).sort());
  });

  test("prices the types that share a pricer together: data out once, on the first internet-facing load balancer", () => {
    // GIVEN an internet-facing aws_lb and an internet-facing aws_alb (address order: aws_alb first)
    const est = estimateStack(
      "x",
      fixtureStack("x", [
        ["aws_lb", "api", "service/LoadBalancer", { load_balancer_type: "application", subnets: ["a", "b"] }],
        ["aws_alb", "old", "legacy/LoadBalancer", { subnets: ["a", "b"] }],
      ]),
    );
    // THEN 50 GB × $0.09 = $4.50 of data out is priced once, on aws_alb.old
    const dataOut = est.lines.filter((l) => l.category === "dataTransfer");
    expect(dataOut.map((l) => l.address)).toEqual(["aws_alb.old"]);
    expect(dataOut[0].monthlyUsd).toBeCloseTo(4.5, 6);
  });

  test("notes that prices are us-east-1's for a stack in another region", () => {
    const est = estimateStack("x", fixtureStack("x", [], "eu-west-1"));
    expect(est.notes).toEqual([
      "The stack is in eu-west-1; the prices are us-east-1's, so the figures are indicative only.",
    ]);
  });
});

describe("cost estimate: off-hours and egress without NAT", () => {
  const asleep = estimateStack(SLEEPING, sleeping);
  // Awake MON-FRI 08:00-20:00: 5 × 12 = 60 h a week; a month is 730 / 168 weeks: 60 × 730 / 168 = 260.7142857 h.
  const awakeHours = (60 * 730) / 168;

  test("prices the tasks only for the hours the scheduled actions keep the service awake", () => {
    // THEN vCPU 1 × 0.5 × 260.7142857 × 0.04048 = 5.276857 and memory 1 × 1 × 260.7142857 × 0.004445 = 1.158875
    expect(cost(asleep, "aws_ecs_service.svc", "Fargate vCPU")).toBeCloseTo(5.276857, 5);
    expect(cost(asleep, "aws_ecs_service.svc", "Fargate memory")).toBeCloseTo(1.158875, 5);
    expect(asleep.notes.join("\n")).toContain(
      "scheduled off-hours, on MON,TUE,WED,THU,FRI 08:00, off daily 20:00 (Asia/Kolkata) = 60 h a week: tasks priced for 260.71 of 730 h a month",
    );
  });

  test("prices a task's own public IPv4 (egress without NAT) for its awake hours", () => {
    // THEN 1 × 260.7142857 × 0.005 = 1.303571
    expect(cost(asleep, "aws_ecs_service.svc", "public IPv4 per task")).toBeCloseTo(1.303571, 5);
    expect(asleep.lines.filter((l) => l.type === "aws_nat_gateway")).toEqual([]);
  });

  test("prices the database instance between its start and stop schedules; storage all month", () => {
    // GIVEN started 07:40 MON-FRI, stopped 20:15 daily: 5 × 12 h 35 min = 62.9166667 h a week, × 730 / 168 = 273.3879 h
    // THEN 273.3879 × 0.032 = 8.748413; storage 20 × 0.115 = 2.30 whatever the schedule
    expect(cost(asleep, "aws_db_instance.db", "db.t4g.small Single-AZ")).toBeCloseTo(8.748413, 5);
    expect(cost(asleep, "aws_db_instance.db", "gp3 storage")).toBeCloseTo(2.3, 6);
  });

  test("prices LCUs for the awake hours only; the load balancer's hours and addresses all month", () => {
    // THEN LCU 1 × 260.7142857 × 0.008 = 2.085714; ALB 730 × 0.0225 = 16.425; 2 addresses × 730 × 0.005 = 7.30
    expect(cost(asleep, "aws_lb.lb", "LCUs")).toBeCloseTo(awakeHours * 0.008, 6);
    expect(cost(asleep, "aws_lb.lb", "Application Load Balancer")).toBeCloseTo(16.425, 6);
    expect(cost(asleep, "aws_lb.lb", "public IPv4")).toBeCloseTo(7.3, 6);
  });

  test("prices EventBridge Scheduler invocations at $1 per million", () => {
    // GIVEN 5 and 7 firings a week: 5 × 730 / 168 = 21.73 and 7 × 730 / 168 = 30.42 invocations
    expect(cost(asleep, "aws_scheduler_schedule.start")).toBeCloseTo((5 * 730) / 168 / 1e6, 9);
    expect(cost(asleep, "aws_scheduler_schedule.stop")).toBeCloseTo((7 * 730) / 168 / 1e6, 9);
    expect(asleep.unpriced).toEqual([]);
  });

  test("adds up the sleeping stack to the hand-computed $49.10", () => {
    // 5.276857 + 1.158875 + 1.303571 + 8.748413 + 2.30 + backups 0 (1 day) + 2.085714 + 16.425 + 7.30 + egress 50 × 0.09 = 4.50 + scheduler 0.00005
    expect(asleep.totalUsd).toBeCloseTo(
      5.276857 + 1.158875 + 1.303571 + 8.748413 + 2.3 + 2.085714 + 16.425 + 7.3 + 4.5 + 0.0000521,
      4,
    );
    expect(asleep.totalUsd).toBeCloseTo(49.0985, 3);
  });

  test("prices every hour, with a note, when a schedule's expression cannot be read", () => {
    // GIVEN the wake action at rate(1 hour) WHEN estimated THEN 730 h and a note naming the expression
    const odd = structuredClone(sleeping);
    odd.resource.aws_appautoscaling_scheduled_action.wake.schedule = "rate(1 hour)";
    const est = estimateStack(SLEEPING, odd);
    expect(cost(est, "aws_ecs_service.svc", "Fargate vCPU")).toBeCloseTo(0.5 * 730 * 0.04048, 6);
    expect(est.notes.join("\n")).toContain(
      "a scheduled action's expression could not be read (rate(1 hour)); tasks priced for every hour",
    );
  });
});

describe("cost estimate: weekly schedules", () => {
  test("parses AWS cron day-of-week names, ranges, lists and numbers (1 = Sunday)", () => {
    expect([
      parseCron("cron(0 8 ? * MON-FRI *)")?.days,
      parseCron("cron(30 7 ? * SAT,SUN *)")?.days,
      parseCron("cron(0 0 ? * 1 *)")?.days,
      parseCron("cron(0 0 ? * * *)")?.days,
    ]).toEqual([[0, 1, 2, 3, 4], [5, 6], [6], [0, 1, 2, 3, 4, 5, 6]]);
    expect(parseCron("cron(30 7 ? * SAT,SUN *)")?.minuteOfDay).toBe(7 * 60 + 30);
  });

  test("refuses what it cannot read: rate(), lists of hours, a day of the month", () => {
    expect([parseCron("rate(1 hour)"), parseCron("cron(0 8,9 ? * * *)"), parseCron("cron(0 8 1 * ? *)")]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test("counts hours on across midnight and around the week", () => {
    // on 22:00 daily, off 06:00 daily: 8 h × 7 = 56; on only: 168; off only: 0
    const every = [0, 1, 2, 3, 4, 5, 6];
    expect(
      onHoursPerWeek([
        { days: every, minuteOfDay: 22 * 60, on: true },
        { days: every, minuteOfDay: 6 * 60, on: false },
      ]),
    ).toBe(56);
    expect([
      onHoursPerWeek([{ days: every, minuteOfDay: 0, on: true }]),
      onHoursPerWeek([{ days: every, minuteOfDay: 0, on: false }]),
    ]).toEqual([168, 0]);
  });

  test("describes a cron as days and local time", () => {
    expect([
      describeCron(parseCron("cron(40 7 ? * MON-FRI *)")!),
      describeCron(parseCron("cron(15 20 ? * * *)")!),
    ]).toEqual(["MON,TUE,WED,THU,FRI 07:40", "daily 20:15"]);
  });
});

describe("cost assumptions", () => {
  test("an override for all stacks changes the figure it drives", () => {
    // GIVEN natDataGb=100: 50 GB per gateway × 0.045 = 2.25
    const est = estimateStack(
      PRODUCTION_LIKE,
      productionLike,
      assumptionsFor("production", parseAssumptionOverrides(["natDataGb=100"], ["production"])),
    );
    expect(cost(est, "aws_nat_gateway.nat0", "NAT data")).toBeCloseTo(2.25, 6);
  });

  test("an override for one environment leaves the others at the default", () => {
    const overrides = parseAssumptionOverrides(["production.hoursPerMonth=720"], ["dev", "production"]);
    expect(assumptionsFor("production", overrides).hoursPerMonth).toBe(720);
    expect(assumptionsFor("dev", overrides).hoursPerMonth).toBe(730);
  });

  test("fails when an assumption key is unknown", () => {
    expect(() => parseAssumptionOverrides(["natGb=1"], [])).toThrow(
      /^--assume: received unknown key "natGb"; allowed: hoursPerMonth, natDataGb, /,
    );
  });

  test("fails when an assumption value is not a non-negative number", () => {
    expect(() => parseAssumptionOverrides(["natDataGb=-1"], [])).toThrow(
      '--assume natDataGb: received "-1"; allowed: a number >= 0',
    );
    expect(() => parseAssumptionOverrides(["natDataGb=lots"], [])).toThrow(
      '--assume natDataGb: received "lots"; allowed: a number >= 0',
    );
  });

  test("fails when an override names an unknown environment", () => {
    expect(() => parseAssumptionOverrides(["prod.natDataGb=1"], ["dev", "production"])).toThrow(
      '--assume: received environment "prod"; allowed: dev, production',
    );
  });

  test("fails when an override is not key=value", () => {
    expect(() => parseAssumptionOverrides(["natDataGb"], [])).toThrow(
      '--assume: received "natDataGb"; allowed: key=value or <env>.key=value, e.g. natDataGb=100 or production.natDataGb=100',
    );
  });
});

describe("npm run cost", () => {
  const stacks = [
    { name: "farmers-module-dev", file: "dev.json", json: devLike },
    { name: "farmers-module-production", file: "production.json", json: productionLike },
  ];

  test("prints the assumptions, each stack per category with its total, and the comparison", () => {
    // WHEN one environment is asked for with an override: NAT data 100 GB × 0.045 = 4.50 instead of 0.90,
    // so 304.3793217 + 3.60 = 307.98
    const result = runCostCli(["production", "--assume", "natDataGb=100"], stacks);
    // THEN
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("*natDataGb");
    expect(result.stdout).toContain("farmers-module-production: 42 resources, estimated $307.98/month");
    expect(result.stdout).toContain("  Database (RDS): $124.36");
    expect(result.stdout).toMatch(/aws_secretsmanager_secret ×5 +\$2\.00 {2}secret: \$0\.4\/month each/);
    expect(result.stdout).not.toContain("farmers-module-dev:");
  });

  test("fails with the allowed names when an environment is unknown", () => {
    const result = runCostCli(["prod"], stacks);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('unknown environment or stack "prod"; allowed: dev, production (or all)');
  });

  test("fails when an option is unknown", () => {
    const result = runCostCli(["--fast"], stacks);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("unknown option --fast");
  });

  test("prints JSON with --json", () => {
    const parsed = JSON.parse(runCostCli(["dev", "--json"], stacks).stdout) as { estimates: StackEstimate[] };
    expect(parsed.estimates.map((e) => [e.stack, Number(e.totalUsd.toFixed(2))])).toEqual([
      ["farmers-module-dev", 84.35],
    ]);
  });
});

describe("synth summary", () => {
  test("lists each stack with its resource count and monthly estimate, and the total", () => {
    const text = synthSummary(
      [
        { name: "farmers-module-dev", file: "", json: devLike },
        { name: "farmers-module-production", file: "", json: productionLike },
      ],
      "cdktf.out",
    );
    expect(text.split("\n").slice(0, 5)).toEqual([
      "Synthesized 2 stacks into cdktf.out/stacks:",
      "  stack                      resources  est. $/month",
      "  farmers-module-dev                 8        $84.35",
      "  farmers-module-production         42       $304.38",
      "  total                             50       $388.73",
    ]);
  });

  test("warns when a stack's alarm topics have no subscriber, and only then", () => {
    const topics = { resource: { aws_sns_topic: { critical: { name: "c" } } } };
    const heard = {
      resource: {
        ...topics.resource,
        aws_sns_topic_subscription: { ops: { protocol: "email", endpoint: "ops@example.com" } },
      },
    };
    const summary = (json: Record<string, unknown>) =>
      synthSummary([{ name: "farmers-module-dev", file: "", json }], "cdktf.out");
    expect(summary(topics)).toContain(
      "Warning: no alarm e-mail subscribers in farmers-module-dev: set FARMERS_ALARM_EMAILS",
    );
    expect(summary(heard)).not.toContain("Warning");
  });
});
