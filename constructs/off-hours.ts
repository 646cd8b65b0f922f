import { AppautoscalingScheduledAction } from "@cdktf/provider-aws/lib/appautoscaling-scheduled-action";
import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Construct } from "constructs";

import { DATABASE_STOP_DELAY_MINUTES, type EnvironmentConfig, minutesOfDay } from "../config/schema";
import { assumeRolePolicy, policyDocument } from "./iam";
import { checkName, type Naming } from "./naming";

/** The two RDS actions the scheduler's role may call, on this environment's instance only. */
export const SCHEDULER_RDS_ACTIONS = ["rds:StartDBInstance", "rds:StopDBInstance"] as const;

/** EventBridge Scheduler universal targets (the SDK call is made by the scheduler itself). */
export const RDS_START_TARGET = "arn:aws:scheduler:::aws-sdk:rds:startDBInstance";
export const RDS_STOP_TARGET = "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance";

export interface OffHoursProps {
  readonly naming: Naming;
  /** Account id (token) for the trust policy's confused-deputy condition. */
  readonly accountId: string;
  readonly database: DbInstance;
  /** The service's scalable target: the scheduled actions move its min and max. */
  readonly scalingTarget: AppautoscalingTarget;
  /** Capacity restored at wake-up (the configured autoscaling bounds). */
  readonly minCount: number;
  readonly maxCount: number;
  readonly offHours: EnvironmentConfig["offHours"];
}

/**
 * Sleep outside working hours: the ECS service scales to zero and its database stops.
 *
 * - Service: two Application Auto Scaling scheduled actions on the service's scalable target,
 *   `sleep` (min = max = 0, every day at `sleepAt`) and `wake` (the configured min/max on
 *   `awakeDays` at `wakeAt`). Setting max to 0 drives the desired count to 0; raising min
 *   brings the tasks back. No role: Application Auto Scaling uses its ECS service-linked role.
 * - Database: two EventBridge Scheduler schedules with universal targets calling
 *   `rds:StartDBInstance` (on `awakeDays`, `databaseLeadMinutes` before `wakeAt`, so the
 *   migrations find it available) and `rds:StopDBInstance` (every day, 15 minutes after
 *   `sleepAt`, once the tasks have drained). The stop runs every day on purpose: RDS starts a
 *   stopped instance by itself after seven days (RDS User Guide, "Stopping an Amazon RDS DB
 *   instance temporarily"), and an operator may wake it by hand; either way it is asleep again
 *   the same evening. A stop of an instance already stopped fails harmlessly (the scheduler
 *   counts a target error; nothing retries it into a loop).
 *
 * Both services take cron expressions in the IANA `timeZone`, so daylight-saving shifts follow
 * the local clock (EventBridge Scheduler `ScheduleExpressionTimezone`, Application Auto Scaling
 * `Timezone`).
 */
export class OffHours extends Construct {
  readonly role: IamRole;
  readonly databaseStart: SchedulerSchedule;
  readonly databaseStop: SchedulerSchedule;
  readonly serviceWake: AppautoscalingScheduledAction;
  readonly serviceSleep: AppautoscalingScheduledAction;

  constructor(scope: Construct, id: string, props: OffHoursProps) {
    super(scope, id);
    const { naming, offHours: o } = props;
    const awakeDays = o.awakeDays.join(",");
    const wake = minutesOfDay(o.wakeAt);
    const sleep = minutesOfDay(o.sleepAt);

    this.role = new IamRole(this, "SchedulerRole", {
      name: naming.name(this, "iamRole", "off-hours-scheduler"),
      description: "EventBridge Scheduler: start and stop this environment's database outside working hours",
      assumeRolePolicy: assumeRolePolicy("scheduler.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": props.accountId },
      }),
    });
    const policy = new IamRolePolicy(this, "SchedulerPolicy", {
      role: this.role.id,
      name: "start-stop-database",
      policy: policyDocument([
        { Sid: "StartStopDatabase", Effect: "Allow", Action: [...SCHEDULER_RDS_ACTIONS], Resource: props.database.arn },
      ]),
    });

    const schedule = (
      scheduleId: string,
      suffix: string,
      minuteOfDay: number,
      days: string,
      target: string,
      description: string,
    ) =>
      new SchedulerSchedule(this, scheduleId, {
        name: checkName(this, "generic", `${naming.prefix}-${suffix}`),
        description,
        scheduleExpression: cronAt(minuteOfDay, days),
        scheduleExpressionTimezone: o.timeZone,
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: target,
          roleArn: this.role.arn,
          // The SDK's member name, "Db" not the RDS Query API's "DB": universal targets validate
          // input against the AWS SDK request shape (as public Scheduler configurations use it).
          input: JSON.stringify({ DbInstanceIdentifier: props.database.identifier }),
          // A missed start or stop is retried for half an hour, then left to the next day.
          retryPolicy: { maximumEventAgeInSeconds: 1800, maximumRetryAttempts: 5 },
        },
        dependsOn: [policy],
      });
    this.databaseStart = schedule(
      "DatabaseStart",
      "db-start",
      wake - o.databaseLeadMinutes,
      awakeDays,
      RDS_START_TARGET,
      `Start the database ${o.databaseLeadMinutes} min before the service wakes`,
    );
    this.databaseStop = schedule(
      "DatabaseStop",
      "db-stop",
      sleep + DATABASE_STOP_DELAY_MINUTES,
      "*",
      RDS_STOP_TARGET,
      "Stop the database every evening, after the service has scaled to zero",
    );

    const target = props.scalingTarget;
    const action = (
      actionId: string,
      suffix: string,
      minuteOfDay: number,
      days: string,
      minCapacity: number,
      maxCapacity: number,
    ) =>
      new AppautoscalingScheduledAction(this, actionId, {
        name: checkName(this, "generic", `${naming.prefix}-${suffix}`),
        serviceNamespace: target.serviceNamespace,
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        schedule: cronAt(minuteOfDay, days),
        timezone: o.timeZone,
        scalableTargetAction: { minCapacity: String(minCapacity), maxCapacity: String(maxCapacity) },
      });
    this.serviceWake = action("ServiceWake", "wake", wake, awakeDays, props.minCount, props.maxCount);
    this.serviceSleep = action("ServiceSleep", "sleep", sleep, "*", 0, 0);
  }
}

/** `cron(M H ? * DAYS *)`: at a minute of the day on the given days (`*` = every day). */
export function cronAt(minuteOfDay: number, days: string): string {
  return `cron(${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} ? * ${days} *)`;
}
