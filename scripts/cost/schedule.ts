import type { TerraformBlock } from "../../constructs/terraform-json";
import { fmt } from "./model";

/**
 * Weekly on/off schedules read from the cron expressions of a synthesized stack (Application
 * Auto Scaling scheduled actions, EventBridge Scheduler schedules), for pricing things that run
 * only part of the week. Pure functions; the cron subset is what AWS accepts and this project
 * writes: `cron(M H ? * DAYS *)` with a single minute and hour, any day-of-week field.
 */

const DAY_NAMES = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;
const MINUTES_PER_WEEK = 7 * 24 * 60;

/** A time in the week when something switches on or off. Days: 0 = Monday ... 6 = Sunday. */
export interface WeeklySwitch {
  readonly days: readonly number[];
  readonly minuteOfDay: number;
  readonly on: boolean;
}

/** A parsed `cron(...)`: minute of the day and the days of the week it fires (0 = Monday). */
export interface CronAt {
  readonly minuteOfDay: number;
  readonly days: readonly number[];
}

/**
 * Parses an AWS cron expression whose minute and hour are single numbers, day-of-month is `?` or
 * `*`, month and year are `*`. Day-of-week: `*`, `?`, names (MON..SUN), numbers (1 = SUN ... 7 =
 * SAT), ranges and lists. Anything else: undefined (the caller prices the whole month).
 */
export function parseCron(expression: unknown): CronAt | undefined {
  if (typeof expression !== "string") return undefined;
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const fields = m[1].trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [minute, hour, dom, month, dow, year] = fields;
  if (!/^\d{1,2}$/.test(minute) || !/^\d{1,2}$/.test(hour) || Number(minute) > 59 || Number(hour) > 23)
    return undefined;
  if (!["?", "*"].includes(dom) || month !== "*" || !["*", "?"].includes(year)) return undefined;
  const days = parseDays(dow);
  if (!days) return undefined;
  return { minuteOfDay: Number(hour) * 60 + Number(minute), days };
}

function parseDays(field: string): number[] | undefined {
  if (field === "*" || field === "?") return [0, 1, 2, 3, 4, 5, 6];
  const day = (token: string): number | undefined => {
    const byName = (DAY_NAMES as readonly string[]).indexOf(token.toUpperCase());
    if (byName >= 0) return byName;
    // AWS numbers the days 1 (Sunday) to 7 (Saturday).
    if (/^[1-7]$/.test(token)) return (Number(token) + 5) % 7;
    return undefined;
  };
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const [from, to, extra] = part.split("-");
    if (extra !== undefined) return undefined;
    const a = day(from);
    const b = to === undefined ? a : day(to);
    if (a === undefined || b === undefined) return undefined;
    for (let d = a; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * Hours a week something is on, given when it switches on and off. The week repeats, so the
 * state at Monday 00:00 is the state left by the last switch of the week. Nothing switches on:
 * 0 h; nothing switches off: 168 h.
 */
export function onHoursPerWeek(switches: readonly WeeklySwitch[]): number {
  const events = new Map<number, boolean>();
  for (const s of switches) for (const d of s.days) events.set(d * 24 * 60 + s.minuteOfDay, s.on);
  if (![...events.values()].includes(true)) return 0;
  if (![...events.values()].includes(false)) return 168;
  const times = [...events.keys()].sort((a, b) => a - b);
  let on = events.get(times[times.length - 1])!;
  let minutesOn = 0;
  let previous = 0;
  for (const t of [...times, MINUTES_PER_WEEK]) {
    if (on) minutesOn += t - previous;
    previous = t;
    if (t < MINUTES_PER_WEEK) on = events.get(t)!;
  }
  return minutesOn / 60;
}

/** `MON-FRI 08:00` style summary of a parsed cron, for the estimate's descriptions. */
export function describeCron(c: CronAt): string {
  const days = c.days.length === 7 ? "daily" : c.days.map((d) => DAY_NAMES[d]).join(",");
  const hh = String(Math.floor(c.minuteOfDay / 60)).padStart(2, "0");
  const mm = String(c.minuteOfDay % 60).padStart(2, "0");
  return `${days} ${hh}:${mm}`;
}

/** What a set of on/off schedules adds up to: hours a week on, and a one-line summary. */
export interface ScheduledHours {
  readonly weeklyHours: number;
  readonly summary: string;
  /** An expression that could not be read (the caller then prices every hour). */
  readonly unparsed?: string;
}

/**
 * Hours a week something runs, from the resources that switch it on (`on` true) and off
 * (false); resources for which `on` is undefined are ignored. Undefined when none switches.
 */
export function scheduledHours(
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
