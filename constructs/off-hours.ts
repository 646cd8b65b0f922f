import { AppautoscalingScheduledAction } from "@cdktf/provider-aws/lib/appautoscaling-scheduled-action";
import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Construct } from "constructs";

import { assumeRolePolicy, policyDocument } from "./iam";
import { checkName, type Naming } from "./naming";

/** The two RDS actions the scheduler's role may call, on this environment's instance only. */
export const SCHEDULER_RDS_ACTIONS = ["rds:StartDBInstance", "rds:StopDBInstance"] as const;

/** EventBridge Scheduler universal targets (the SDK call is made by the scheduler itself). */
export const RDS_START_TARGET = "arn:aws:scheduler:::aws-sdk:rds:startDBInstance";
export const RDS_STOP_TARGET = "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance";

/** Days of the week as cron expressions name them. */
export const WEEK_DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

/** Minutes after the service scales to zero that the database stops (tasks drain first). */
export const DATABASE_STOP_DELAY_MINUTES = 15;

/** Minutes after midnight of an HH:MM time. */
export function minutesOfDay(time: string): number {
  const [h, m] = time.split(":").map(Number);
  return h * 60 + m;
}

/**
 * Settings of off-hours. The awake window lies within one day: `databaseLeadMinutes` before
 * `wakeAt` and `DATABASE_STOP_DELAY_MINUTES` after `sleepAt` stay on the same day.
 */
export interface OffHoursProps {
  readonly naming: Naming;
  /** Account id (token) for the trust policy's confused-deputy condition. */
  readonly accountId: string;
  readonly database: DbInstance;
  /** The service's scalable target: the scheduled actions move its min and max. */
  readonly scalingTarget: AppautoscalingTarget;
  /** Minimum task count restored at wake-up (the service's autoscaling bound). */
  readonly minCount: number;
  /** Maximum task count restored at wake-up (the service's autoscaling bound). */
  readonly maxCount: number;
  /** IANA time zone of `wakeAt` and `sleepAt`; daylight-saving shifts follow it. @default "UTC" */
  readonly timeZone?: string;
  /** Days the environment wakes up. @default - MON to FRI */
  readonly awakeDays?: readonly WeekDay[];
  /** Local time the service wakes, HH:MM (24-hour). */
  readonly wakeAt: string;
  /** Local time the service scales to zero, HH:MM (24-hour), after `wakeAt`. */
  readonly sleepAt: string;
  /** Minutes before `wakeAt` that the database starts (it needs 5-10 to become available). @default 20 */
  readonly databaseLeadMinutes?: number;
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
    const { naming } = props;
    const timeZone = props.timeZone ?? "UTC";
    const awakeDays = (props.awakeDays ?? WEEK_DAYS.slice(0, 5)).join(",");
    const databaseLeadMinutes = props.databaseLeadMinutes ?? 20;
    const wake = minutesOfDay(props.wakeAt);
    const sleep = minutesOfDay(props.sleepAt);

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
        scheduleExpressionTimezone: timeZone,
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
      wake - databaseLeadMinutes,
      awakeDays,
      RDS_START_TARGET,
      `Start the database ${databaseLeadMinutes} min before the service wakes`,
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
        timezone: timeZone,
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
