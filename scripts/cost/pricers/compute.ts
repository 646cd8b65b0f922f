import {
  block,
  blocks,
  type Json,
  literalNumber,
  referencedAddresses,
  type TerraformBlock,
} from "../../../constructs/terraform-json";
import { each, fmt, type Pricer, usd } from "../model";
import { PRICES } from "../prices-us-east-1";
import { describeCron, parseCron, scheduledHours } from "../schedule";

/** Compute: the Fargate tasks of each ECS service, and EventBridge Scheduler invocations. */

const FARGATE_ONLY = [{ capacity_provider: "FARGATE", base: 0, weight: 1 }];

/**
 * `aws_ecs_service`: desired tasks × task definition CPU and memory × the hours they run, split
 * over the capacity provider strategy (the service's, else its cluster's default).
 */
export const ecsServices: Pricer = (services, ctx) => {
  const { add, skip, note, hours, ofType, refsOfType } = ctx;
  const clusterStrategies = new Map<string, Json[]>();
  for (const cp of ofType("aws_ecs_cluster_capacity_providers")) {
    for (const cluster of refsOfType(cp.config.cluster_name, "aws_ecs_cluster"))
      clusterStrategies.set(cluster.address, blocks(cp.config.default_capacity_provider_strategy));
  }
  for (const svc of services) {
    const cluster = refsOfType(svc.config.cluster, "aws_ecs_cluster")[0];
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
      ? FARGATE_ONLY
      : blocks(svc.config.capacity_provider_strategy).length > 0
        ? blocks(svc.config.capacity_provider_strategy)
        : (cluster && clusterStrategies.get(cluster.address)) || FARGATE_ONLY;
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
    const h = awake && !awake.unparsed ? awake.weeklyHours * (hours / 168) : hours;
    if (awake)
      note(`${svc.address}: scheduled off-hours, ${awake.summary}: tasks priced for ${fmt(h)} of ${hours} h a month.`);
    if (awake?.unparsed)
      note(
        `${svc.address}: a scheduled action's expression could not be read (${awake.unparsed}); tasks priced for every hour.`,
      );
    ctx.serviceHours.push(h);
    const split = splitTasks(desired, strategy);
    if (strategy.some((s) => s.capacity_provider === "FARGATE_SPOT"))
      note(
        `${svc.address}: FARGATE_SPOT is in the capacity provider strategy (${strategy.map((s) => `${s.capacity_provider} base ${s.base ?? 0} weight ${s.weight ?? 0}`).join(", ")}); at ${desired} desired task(s) ${fmt(split.FARGATE_SPOT ?? 0)} run on Spot, priced at the current Spot rate, which varies.`,
      );
    if (desired === 0) note(`${svc.address}: desired count 0, no tasks priced.`);
    for (const [provider, tasks] of Object.entries(split)) {
      if (tasks <= 0) continue;
      const spot = provider === "FARGATE_SPOT";
      if (!spot && provider !== "FARGATE") {
        skip(svc, `capacity provider ${provider} is not priced (Fargate only)`);
        continue;
      }
      const label = `${spot ? "Fargate Spot" : "Fargate"}${arm ? " ARM" : ""}`;
      add(
        svc,
        "compute",
        `${label} vCPU: ${fmt(tasks)} task(s) × ${fmt(vcpu)} vCPU × ${fmt(h)} h`,
        tasks * vcpu * h * fargatePrice("vcpu", arm, spot),
      );
      add(
        svc,
        "compute",
        `${label} memory: ${fmt(tasks)} task(s) × ${fmt(gb)} GB × ${fmt(h)} h`,
        tasks * gb * h * fargatePrice("gb", arm, spot),
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
      note(
        `${svc.address}: priced at the desired count ${desired}; autoscaling may run up to ${max} tasks (+${usd((max - desired) * perTask)}/month at the ceiling, on-demand).`,
      );
    }
  }
};

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

/** `aws_scheduler_schedule`: the firings a month of its cron expression. */
export const schedulerSchedule = each((schedule: TerraformBlock, { add, hours }) => {
  const cron = parseCron(schedule.config.schedule_expression);
  const invocations = cron ? cron.days.length * (hours / 168) : hours * 60;
  add(
    schedule,
    "compute",
    `EventBridge Scheduler: ${fmt(invocations)} invocations (${cron ? describeCron(cron) : "every minute, expression not read"}; first 14 million a month free per account, not deducted)`,
    (invocations / 1e6) * PRICES.schedulerInvocationsMillion.usd,
  );
});
