import { AppautoscalingScheduledAction } from "@cdktf/provider-aws/lib/appautoscaling-scheduled-action";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Testing } from "cdktf";

import { cronAt, OffHours, RDS_START_TARGET, RDS_STOP_TARGET, SCHEDULER_RDS_ACTIONS } from "../constructs/off-hours";
import { fixtureStack } from "./fixtures/tiers";
import { environmentStack, type Json, ref, resourcesOf, synthJson } from "./helpers";

/** Off-hours: scheduled scale-to-zero of the service and stop/start of the database. */

const dev = environmentStack("dev");
const devJson = synthJson(dev);
const devSynth = Testing.synth(dev);
const schedule = (suffix: string): Json =>
  Object.values(resourcesOf(devJson, "aws_scheduler_schedule")).find((s) => s.name === `farmers-module-dev-${suffix}`)!;
const action = (suffix: string): Json =>
  Object.values(resourcesOf(devJson, "aws_appautoscaling_scheduled_action")).find(
    (s) => s.name === `farmers-module-dev-${suffix}`,
  )!;

describe("off-hours schedules (dev: MON-FRI 08:00-20:00 Asia/Kolkata, database 20 minutes ahead)", () => {
  test("the service wakes at 08:00 on working days with the configured bounds", () => {
    // GIVEN dev's offHours WHEN synthesized THEN a scheduled action sets min 1 / max 2 at 08:00 MON-FRI, India time
    expect(devSynth).toHaveResourceWithProperties(AppautoscalingScheduledAction, {
      name: "farmers-module-dev-wake",
      schedule: "cron(0 8 ? * MON,TUE,WED,THU,FRI *)",
      timezone: "Asia/Kolkata",
      scalable_target_action: { min_capacity: "1", max_capacity: "2" },
      service_namespace: ref(devJson, "aws_appautoscaling_target", "Scaling_Target", "service_namespace"),
      scalable_dimension: ref(devJson, "aws_appautoscaling_target", "Scaling_Target", "scalable_dimension"),
    });
  });

  test("the service scales to zero at 20:00 every day", () => {
    expect(devSynth).toHaveResourceWithProperties(AppautoscalingScheduledAction, {
      name: "farmers-module-dev-sleep",
      schedule: "cron(0 20 ? * * *)",
      timezone: "Asia/Kolkata",
      scalable_target_action: { min_capacity: "0", max_capacity: "0" },
    });
  });

  test("both scheduled actions act on the service's scalable target", () => {
    const target = ref(devJson, "aws_appautoscaling_target", "Scaling_Target", "resource_id");
    expect([action("wake").resource_id, action("sleep").resource_id]).toEqual([target, target]);
  });

  test("the database starts at 07:40 on working days through the startDBInstance universal target", () => {
    // GIVEN dev WHEN synthesized THEN an EventBridge schedule calls rds:startDBInstance 20 minutes before wake-up
    expect(devSynth).toHaveResourceWithProperties(SchedulerSchedule, {
      name: "farmers-module-dev-db-start",
      schedule_expression: "cron(40 7 ? * MON,TUE,WED,THU,FRI *)",
      schedule_expression_timezone: "Asia/Kolkata",
      flexible_time_window: { mode: "OFF" },
      target: expect.objectContaining({
        arn: RDS_START_TARGET,
        role_arn: ref(devJson, "aws_iam_role", "SchedulerRole", "arn"),
      }),
    });
  });

  test("the database stops at 20:15 every day, so a 7-day auto-restart or a manual wake-up sleeps again that evening", () => {
    expect(devSynth).toHaveResourceWithProperties(SchedulerSchedule, {
      name: "farmers-module-dev-db-stop",
      schedule_expression: "cron(15 20 ? * * *)",
      schedule_expression_timezone: "Asia/Kolkata",
      target: expect.objectContaining({ arn: RDS_STOP_TARGET }),
    });
  });

  test("each schedule names the environment's database instance", () => {
    const input = { DbInstanceIdentifier: ref(devJson, "aws_db_instance", "Database", "identifier") };
    expect([JSON.parse(schedule("db-start").target.input), JSON.parse(schedule("db-stop").target.input)]).toEqual([
      input,
      input,
    ]);
  });

  test("a missed start or stop is retried for half an hour at most", () => {
    expect(schedule("db-stop").target.retry_policy).toEqual({
      maximum_event_age_in_seconds: 1800,
      maximum_retry_attempts: 5,
    });
  });

  test("the time zone and hours come from configuration", () => {
    // GIVEN an override WHEN synthesized THEN the crons and zone follow it
    const json = synthJson(
      environmentStack("beta", {
        offHours: {
          timeZone: "Europe/Berlin",
          awakeDays: ["MON", "TUE", "WED", "THU", "FRI", "SAT"],
          wakeAt: "07:30",
          sleepAt: "19:00",
          databaseLeadMinutes: 30,
        },
      }),
    );
    const byName = Object.fromEntries([
      ...Object.values(resourcesOf(json, "aws_scheduler_schedule")).map((s) => [
        s.name,
        [s.schedule_expression, s.schedule_expression_timezone],
      ]),
      ...Object.values(resourcesOf(json, "aws_appautoscaling_scheduled_action")).map((s) => [
        s.name,
        [s.schedule, s.timezone],
      ]),
    ]);
    expect(byName).toEqual({
      "farmers-module-beta-db-start": ["cron(0 7 ? * MON,TUE,WED,THU,FRI,SAT *)", "Europe/Berlin"],
      "farmers-module-beta-db-stop": ["cron(15 19 ? * * *)", "Europe/Berlin"],
      "farmers-module-beta-wake": ["cron(30 7 ? * MON,TUE,WED,THU,FRI,SAT *)", "Europe/Berlin"],
      "farmers-module-beta-sleep": ["cron(0 19 ? * * *)", "Europe/Berlin"],
    });
  });

  test("cronAt writes minute and hour of a minute of the day", () => {
    expect([cronAt(0, "*"), cronAt(7 * 60 + 5, "MON")]).toEqual(["cron(0 0 ? * * *)", "cron(5 7 ? * MON *)"]);
  });
});

describe("the scheduler's role", () => {
  const role = Object.values(resourcesOf(devJson, "aws_iam_role")).find(
    (r) => r.name === "farmers-module-dev-off-hours-scheduler",
  )!;
  const policies = Object.values(resourcesOf(devJson, "aws_iam_role_policy")).filter(
    (p) => p.role === ref(devJson, "aws_iam_role", "SchedulerRole", "id"),
  );

  test("only EventBridge Scheduler of this account may assume it", () => {
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "scheduler.amazonaws.com" },
        Condition: {
          StringEquals: {
            "aws:SourceAccount": expect.stringMatching(/^\$\{data\.aws_caller_identity\..*\.account_id\}$/),
          },
        },
      },
    ]);
  });

  test("it may start and stop this database and nothing else", () => {
    expect(policies).toHaveLength(1);
    expect(JSON.parse(policies[0].policy).Statement).toEqual([
      {
        Sid: "StartStopDatabase",
        Effect: "Allow",
        Action: [...SCHEDULER_RDS_ACTIONS],
        Resource: ref(devJson, "aws_db_instance", "Database", "arn"),
      },
    ]);
    expect(SCHEDULER_RDS_ACTIONS).toEqual(["rds:StartDBInstance", "rds:StopDBInstance"]);
  });
});

describe("while the schedules own the capacity", () => {
  test("Terraform ignores the scalable target's min and max, so an apply at night does not wake the service", () => {
    const target = Object.values(resourcesOf(devJson, "aws_appautoscaling_target"))[0];
    expect([target.min_capacity, target.max_capacity, target.lifecycle]).toEqual([
      1,
      2,
      { ignore_changes: ["min_capacity", "max_capacity"] },
    ]);
  });

  test("production has no schedule, no scheduler role and Terraform-owned capacity", () => {
    const json = synthJson(environmentStack("production"));
    expect([
      resourcesOf(json, "aws_scheduler_schedule"),
      resourcesOf(json, "aws_appautoscaling_scheduled_action"),
    ]).toEqual([{}, {}]);
    expect(Object.values(resourcesOf(json, "aws_appautoscaling_target"))[0].lifecycle).toBeUndefined();
  });
});

describe("OffHours: defaults of the optional props", () => {
  // GIVEN off-hours with only wakeAt and sleepAt (no timeZone, awakeDays, databaseLeadMinutes)
  const base = fixtureStack("dev");
  const instance = new DbInstance(base.stack, "db", {
    identifier: "fixture-db",
    engine: "postgres",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    username: "u",
    manageMasterUserPassword: true,
    skipFinalSnapshot: true,
  });
  const target = new AppautoscalingTarget(base.stack, "target", {
    serviceNamespace: "ecs",
    resourceId: "service/fixture-cluster/fixture-service",
    scalableDimension: "ecs:service:DesiredCount",
    minCapacity: 1,
    maxCapacity: 2,
  });
  new OffHours(base.stack, "offHours", {
    naming: base.naming,
    accountId: base.accountId,
    database: instance,
    scalingTarget: target,
    minCount: 1,
    maxCount: 2,
    wakeAt: "08:00",
    sleepAt: "20:00",
  });
  const json = synthJson(base.stack);
  const scheduleNamed = (suffix: string): Json =>
    Object.values(resourcesOf(json, "aws_scheduler_schedule")).find((s) => s.name === `farmers-module-dev-${suffix}`)!;
  const wake = Object.values(resourcesOf(json, "aws_appautoscaling_scheduled_action")).find(
    (a) => a.name === "farmers-module-dev-wake",
  )!;

  test("wakes MON-FRI in UTC", () => {
    // WHEN synthesized THEN the wake action runs at 08:00 on working days, UTC
    expect([wake.schedule, wake.timezone]).toEqual(["cron(0 8 ? * MON,TUE,WED,THU,FRI *)", "UTC"]);
  });

  test("starts the database 20 minutes before the service wakes", () => {
    // WHEN synthesized THEN the start schedule is at 07:40, UTC
    const start = scheduleNamed("db-start");
    expect([start.schedule_expression, start.schedule_expression_timezone]).toEqual([
      "cron(40 7 ? * MON,TUE,WED,THU,FRI *)",
      "UTC",
    ]);
  });
});
