import { z } from "zod";

import {
  ELB_ACCOUNT_REGIONS,
  FARGATE_CPU_MEMORY,
  isValidPerformanceInsightsRetention,
  isValidSecretsRecoveryWindow,
  LOG_RETENTION_DAYS,
  RDS_BACKUP_RETENTION,
  RDS_INSTANCE_CLASSES,
  SECRETS_RECOVERY_WINDOW_DAYS,
} from "../constructs/aws/catalog";
import { cidrContains, cidrOverlaps, MAX_DERIVED_ZONES, parseCidr, referenceSubnetCidrs } from "../constructs/aws/cidr";
import { DATABASE_STOP_DELAY_MINUTES, minutesOfDay, WEEK_DAYS } from "../constructs/off-hours";

/**
 * The schema every environment's configuration must satisfy. Shape and single-field rules are
 * zod; rules that relate fields (CIDRs, counts, connection budget) live in `crossFieldRules`.
 * Messages say what is allowed; the loader adds the environment, the setting and the value.
 */

/**
 * How an environment's state is protected, whatever its name:
 * - `production`: nothing stateful can be deleted by configuration or by Terraform: Multi-AZ,
 *   deletion protection, `prevent_destroy` and the final snapshot are required (see
 *   `crossFieldRules`), and the production-only guardrails run.
 * - `disposable`: the environment can be destroyed in one run and re-created
 *   (docs/runbooks/destroy-and-recreate.md; the LIM-DESTROY guardrail checks the stack).
 */
export const PROTECTION_LEVELS = ["production", "disposable"] as const;
export type Protection = (typeof PROTECTION_LEVELS)[number];

const allowed = (what: string) => ({ error: `allowed: ${what}` });

const cidr = z
  .string()
  .refine((v) => parseCidr(v) !== undefined, allowed("an IPv4 CIDR block such as 10.0.0.0/16 with no host bits set"));
const accountId = z.string().regex(/^\d{12}$/, allowed("a 12-digit AWS account id"));
const email = z.email(allowed("an e-mail address such as ops@example.com"));
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, allowed("an AWS region name such as us-east-1"));
// The stacks' region: ALB access-log delivery there must go through a regional ELB account.
const stackRegion = z
  .string()
  .refine(
    (v) => (ELB_ACCOUNT_REGIONS as readonly string[]).includes(v),
    allowed(`a region with an ELB log-delivery account: ${ELB_ACCOUNT_REGIONS.join(", ")}`),
  );
const logRetention = z
  .number()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), allowed(LOG_RETENTION_DAYS.join(", ")));
const arn = (service: string, resourcePattern: string, example: string) =>
  z
    .string()
    .regex(
      new RegExp(`^arn:aws(-[a-z]+)*:${service}:[a-z0-9-]+:\\d{12}:${resourcePattern}$`),
      allowed(`an ARN such as ${example}`),
    );
const isHostPort = (v: string) => {
  const match = /^[a-zA-Z0-9.-]+:(\d{1,5})$/.exec(v);
  return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 65535;
};
const hostPort = z
  .string()
  .refine(isHostPort, allowed("host:port with a port from 1 to 65535, e.g. aaa-service.internal:50052"));
/**
 * An origin as browsers send it (scheme://host[:port]): the service joins the list with commas
 * into CORS_ALLOWED_ORIGINS, so no path, no trailing slash and no comma.
 */
const bareOrigin = z
  .url(allowed("an origin such as https://app.kisanlink.in"))
  .refine(
    (v) => !URL.canParse(v) || (!v.includes(",") && new URL(v).origin === v),
    allowed(
      "a bare origin scheme://host[:port] (no path, no trailing slash, no comma) such as https://app.kisanlink.in",
    ),
  );
const s3BucketName = z
  .string()
  .regex(
    /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    allowed("3-63 lowercase letters, digits, dots and hyphens"),
  );
const positiveInt = z.number().int().positive();

const networkSchema = z
  .object({
    vpcCidr: cidr,
    /**
     * One block per availability zone in each tier. A list left out is derived from vpcCidr, the
     * reference's layout: public 10.x.1-2, private 11-12, database 21-22 /24 (referenceSubnetCidrs).
     */
    publicSubnetCidrs: z.array(cidr).optional(),
    privateSubnetCidrs: z.array(cidr).optional(),
    databaseSubnetCidrs: z.array(cidr).optional(),
    /**
     * Egress of the tasks. "one-per-az" / "single": tasks in the private subnets behind NAT
     * gateways. "none": no NAT gateway; tasks run in the public subnets with a public IP on their
     * network interface, admitted only from the load balancer (docs/cost.md, trade-offs).
     */
    natGateways: z.enum(["single", "one-per-az", "none"]),
    interfaceEndpoints: z.boolean(),
    flowLogRetentionDays: logRetention,
  })
  .strict();

const databaseSchema = z
  .object({
    engineVersion: z.string().regex(/^16\.\d+$/, allowed("a PostgreSQL 16 minor version such as 16.10")),
    instanceClass: z
      .string()
      .refine((v) => v in RDS_INSTANCE_CLASSES, allowed(Object.keys(RDS_INSTANCE_CLASSES).join(", "))),
    allocatedStorageGiB: z
      .number()
      .int()
      .min(20, allowed("20 to 65536 GiB for gp3"))
      .max(65536, allowed("20 to 65536 GiB for gp3")),
    maxAllocatedStorageGiB: z.number().int().max(65536, allowed("at most 65536 GiB")),
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9_]{0,62}$/,
        allowed("a PostgreSQL identifier: lowercase letter, then letters, digits, _ (max 63)"),
      ),
    username: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, allowed("a PostgreSQL role name: lowercase letter, then letters, digits, _")),
    multiAz: z.boolean(),
    deletionProtection: z.boolean(),
    preventDestroy: z.boolean(),
    skipFinalSnapshot: z.boolean(),
    performanceInsights: z.boolean(),
    performanceInsightsRetentionDays: z
      .number()
      .refine(isValidPerformanceInsightsRetention, allowed("7, or a multiple of 31 up to 713, or 731")),
    backupRetentionDays: z
      .number()
      .int()
      .min(RDS_BACKUP_RETENTION.min, allowed("1 to 35 days"))
      .max(RDS_BACKUP_RETENTION.max, allowed("1 to 35 days")),
    enhancedMonitoringIntervalSeconds: z
      .number()
      .refine((v) => [0, 1, 5, 10, 15, 30, 60].includes(v), allowed("0, 1, 5, 10, 15, 30, 60")),
    caCertificateIdentifier: z.string().min(1),
    maxConnections: positiveInt,
    reservedConnections: z.number().int().min(3, allowed("at least 3 (RDS reserves connections for rdsadmin)")),
    /**
     * Days a deleted service secret can still be restored (Secrets Manager allows 7-30), or 0 to
     * delete at once so a re-created environment can reuse the names (disposable environments).
     */
    secretsRecoveryWindowDays: z
      .number()
      .int()
      .refine(
        isValidSecretsRecoveryWindow,
        allowed(
          `0 (delete at once) or ${SECRETS_RECOVERY_WINDOW_DAYS.min} to ${SECRETS_RECOVERY_WINDOW_DAYS.max} days`,
        ),
      ),
  })
  .strict();

const serviceSchema = z
  .object({
    cpu: z.number().refine((v) => v in FARGATE_CPU_MEMORY, allowed(Object.keys(FARGATE_CPU_MEMORY).join(", "))),
    memoryMiB: positiveInt,
    desiredCount: z.number().int().min(0),
    minCount: z.number().int().min(0),
    maxCount: z.number().int().min(1),
    containerPort: z.number().int().min(1).max(65535),
    dbMaxConnsPerTask: positiveInt,
    logLevel: z.enum(["debug", "info", "warn", "error"]),
    corsAllowedOrigins: z.array(bareOrigin).min(1),
    enableExecuteCommand: z.boolean(),
    fargateSpot: z.boolean(),
    /** Container Insights on the cluster ("enabled"): the task-count alarm's source when on. */
    containerInsights: z.boolean(),
    tracing: z.boolean(),
  })
  .strict();

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, allowed("a 24-hour time HH:MM such as 08:00"));

/**
 * Off-hours: outside the awake window the service scales to zero and the database stops. Times
 * are local to `timeZone`; the database starts `databaseLeadMinutes` before the service wakes.
 */
const offHoursSchema = z
  .object({
    enabled: z.boolean(),
    timeZone: z.string().refine(isTimeZone, allowed("an IANA time zone such as Asia/Kolkata or UTC")),
    awakeDays: z.array(z.enum(WEEK_DAYS)).min(1, allowed("at least one of MON, TUE, WED, THU, FRI, SAT, SUN")),
    wakeAt: clockTime,
    sleepAt: clockTime,
    databaseLeadMinutes: z.number().int().min(5, allowed("5 to 120 minutes")).max(120, allowed("5 to 120 minutes")),
  })
  .strict();

const aaaSchema = z
  .object({
    endpoint: hostPort,
    privateHostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{1,31}$/, allowed("a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"))
      .optional(),
    network: z
      .object({
        cidr,
        peeringConnectionId: z
          .string()
          .regex(/^pcx-[0-9a-f]{8,17}$/, allowed("pcx-<hex>"))
          .optional(),
        transitGatewayId: z
          .string()
          .regex(/^tgw-[0-9a-f]{8,17}$/, allowed("tgw-<hex>"))
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const certificateDomain = z.string().regex(/^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,}$/, allowed("a domain name"));
/**
 * The load balancer's certificate: an ACM ARN; a domain whose ISSUED certificate is looked up at
 * plan time; or (`create: true`) a certificate this stack requests, validated by DNS records in
 * `loadBalancer.hostedZone`.
 */
const certificateSchema = z.union([
  z
    .object({ arn: arn("acm", "certificate/[0-9a-f-]{36}", "arn:aws:acm:us-east-1:123456789012:certificate/<uuid>") })
    .strict(),
  z.object({ domain: certificateDomain }).strict(),
  z.object({ domain: certificateDomain, create: z.literal(true) }).strict(),
]);

const loadBalancerSchema = z
  .object({
    certificate: certificateSchema,
    hostedZone: z
      .object({
        zoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, allowed("a Route 53 hosted zone id")),
        recordName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, allowed("a fully qualified domain name")),
      })
      .strict()
      .optional(),
    deletionProtection: z.boolean(),
    accessLogExpirationDays: positiveInt,
    testListenerPort: z.number().int().min(1).max(65535),
    testListenerCidrs: z.array(cidr),
    /** Web application firewall on the load balancer: off, or on with a per-IP limit per 5 minutes. */
    waf: z
      .object({
        enabled: z.boolean(),
        rateLimitPerIp: z
          .number()
          .int()
          .min(100, allowed("100 to 2000000000 requests per 5 minutes"))
          .max(2_000_000_000, allowed("100 to 2000000000 requests per 5 minutes")),
      })
      .strict(),
  })
  .strict();

const deploymentSchema = z
  .object({
    style: z.enum(["rolling", "blue-green"]),
    linearPercent: z.number().int().min(1).max(100),
    linearIntervalMinutes: z.number().int().min(1).max(2880),
    terminationWaitMinutes: z.number().int().min(0).max(2880),
  })
  .strict();

const pipelineSchema = z
  .object({
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, allowed("owner/name")),
    branch: z.string().regex(/^[A-Za-z0-9._/-]+$/, allowed("a git branch name")),
    source: z.discriminatedUnion("mode", [
      z
        .object({
          mode: z.literal("codestar-connection"),
          connectionArn: arn(
            "code(star-)?connections",
            "connection/[0-9a-f-]{36}",
            "arn:aws:codeconnections:us-east-1:123456789012:connection/<uuid>",
          ).optional(),
        })
        .strict(),
      z.object({ mode: z.literal("github-token") }).strict(),
    ]),
    manualApproval: z.boolean(),
    artifactExpirationDays: positiveInt,
    buildLogRetentionDays: logRetention,
  })
  .strict();

const observabilitySchema = z
  .object({
    logRetentionDays: logRetention,
    criticalEmails: z.array(email),
    warningEmails: z.array(email),
    /** Error log lines in five minutes that make a spike (warning alarm). */
    errorLogSpikeThreshold: positiveInt,
    /** Fewest requests in a one-minute period for the 4xx/5xx rate alarms to judge it. */
    rateAlarmMinRequests: positiveInt,
    /** The CloudWatch dashboard ($3 a month beyond the account's three free ones). */
    dashboard: z.boolean(),
  })
  .strict();

const environmentObjectSchema = z
  .object({
    // The environment's name, a key of config/environments.ts: it names the stack (<project>-<name>),
    // its resources and its workflow role variable (AWS_PLAN_ROLE_ARN_<NAME>).
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9]{0,15}$/,
        allowed("1-16 lowercase letters and digits, a letter first, such as qa or staging2"),
      ),
    protection: z.enum(
      PROTECTION_LEVELS,
      allowed(`${PROTECTION_LEVELS.join(", ")} (see PROTECTION_LEVELS in config/schema.ts)`),
    ),
    project: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, allowed("lowercase letters, digits and hyphens")),
    region: stackRegion,
    availabilityZones: z.array(
      z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, allowed("an AZ name such as us-east-1a")),
    ),
    allowedAccountIds: z.array(accountId),
    tags: z.record(z.string(), z.string()),
    state: z
      .object({
        bucket: s3BucketName,
        lockTable: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, allowed("3-255 of A-Z a-z 0-9 _ . -")),
        region,
      })
      .strict(),
    network: networkSchema,
    database: databaseSchema,
    service: serviceSchema,
    aaa: aaaSchema,
    loadBalancer: loadBalancerSchema,
    deployment: deploymentSchema,
    pipeline: pipelineSchema,
    observability: observabilitySchema,
    offHours: offHoursSchema,
  })
  .strict();

/** The schema every environment's merged layers must satisfy (config/load.ts). */
export const environmentConfigSchema = environmentObjectSchema
  .transform(withDerivedSubnets)
  .superRefine(crossFieldRules)
  // crossFieldRules reported any subnet list still missing: from here on each is set.
  .transform((c) => c as WithSubnets<typeof c>);

const SUBNET_LISTS = ["publicSubnetCidrs", "privateSubnetCidrs", "databaseSubnetCidrs"] as const;
type WithSubnets<T extends { network: object }> = T & {
  network: T["network"] & Record<(typeof SUBNET_LISTS)[number], string[]>;
};

/** Fills each subnet list left out with the reference's layout of the VPC, when the VPC has room for it. */
function withDerivedSubnets<T extends { network: { vpcCidr: string }; availabilityZones: string[] }>(c: T): T {
  const derived = referenceSubnetCidrs(c.network.vpcCidr, c.availabilityZones.length);
  if (!derived) return c;
  const { public: publicSubnetCidrs, private: privateSubnetCidrs, database: databaseSubnetCidrs } = derived;
  const network = { publicSubnetCidrs, privateSubnetCidrs, databaseSubnetCidrs, ...definedOnly(c.network) };
  return { ...c, network };
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** An IANA zone name the runtime knows (EventBridge Scheduler and Application Auto Scaling take IANA names). */
function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    // Area/Location names (or UTC): abbreviations such as IST are ambiguous and not IANA zones.
    return /^(UTC|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(value);
  } catch {
    return false;
  }
}

export type EnvironmentConfig = DeepReadonly<z.output<typeof environmentConfigSchema>>;
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The configuration as the rules see it: a subnet list may still be missing. */
type Raw = z.output<typeof environmentObjectSchema>;

/** Rules relating several settings. Each issue carries the offending input for the message. */
function crossFieldRules(c: Raw, ctx: z.RefinementCtx): void {
  const fail = (path: (string | number)[], input: unknown, message: string) =>
    ctx.addIssue({ code: "custom", path, input, message });

  const azCount = c.availabilityZones.length;
  if (azCount < 2) fail(["availabilityZones"], c.availabilityZones, "allowed: at least two availability zones");
  if (new Set(c.availabilityZones).size !== azCount)
    fail(["availabilityZones"], c.availabilityZones, "allowed: distinct availability zones");
  for (const [i, az] of c.availabilityZones.entries()) {
    if (!az.startsWith(c.region)) fail(["availabilityZones", i], az, `allowed: zones of region ${c.region}`);
  }

  // Network: each tier has one subnet per AZ, inside the VPC, none overlapping.
  const vpc = parseCidr(c.network.vpcCidr);
  const seen: { path: (string | number)[]; value: string }[] = [];
  for (const tier of SUBNET_LISTS) {
    const list = c.network[tier];
    if (list === undefined) continue; // reported below
    if (list.length !== azCount)
      fail(["network", tier], list, `allowed: exactly one subnet per availability zone (${azCount})`);
    for (const [i, value] of list.entries()) {
      const block = parseCidr(value);
      if (!block || !vpc) continue;
      const path = ["network", tier, i];
      if (!cidrContains(vpc, block)) fail(path, value, `allowed: a block inside the VPC ${c.network.vpcCidr}`);
      if (block.prefix > 28) fail(path, value, "allowed: a prefix between /16 and /28 (AWS subnet limits)");
      const clash = seen.find((s) => cidrOverlaps(parseCidr(s.value)!, block));
      if (clash)
        fail(path, value, `allowed: a block not overlapping network.${clash.path.slice(1).join(".")} (${clash.value})`);
      seen.push({ path, value });
    }
  }
  // A list left out that withDerivedSubnets could not derive: the VPC is too small or there are too many zones.
  const missing = SUBNET_LISTS.filter((tier) => c.network[tier] === undefined);
  if (vpc && missing.length > 0) {
    const orSet = `or set ${missing.map((tier) => `network.${tier}`).join(", ")}`;
    if (azCount > MAX_DERIVED_ZONES)
      fail(
        ["availabilityZones"],
        c.availabilityZones,
        `allowed: at most ${MAX_DERIVED_ZONES} zones while the subnets are derived from network.vpcCidr, ${orSet}`,
      );
    else
      fail(
        ["network", "vpcCidr"],
        c.network.vpcCidr,
        `allowed: a /19 or larger, to derive the subnets from (public 10.x.1-2, private 11-12, database 21-22 /24), ${orSet}`,
      );
  }
  if (vpc && (vpc.prefix < 16 || vpc.prefix > 28))
    fail(["network", "vpcCidr"], c.network.vpcCidr, "allowed: a prefix between /16 and /28 (AWS VPC limits)");

  // Fargate CPU/memory pair.
  const memories = FARGATE_CPU_MEMORY[c.service.cpu];
  if (memories && !memories.includes(c.service.memoryMiB))
    fail(["service", "memoryMiB"], c.service.memoryMiB, `allowed with cpu ${c.service.cpu}: ${memories.join(", ")}`);

  // Task counts.
  const { minCount, desiredCount, maxCount } = c.service;
  if (!(minCount <= desiredCount && desiredCount <= maxCount))
    fail(
      ["service", "desiredCount"],
      { minCount, desiredCount, maxCount },
      "allowed: minCount <= desiredCount <= maxCount",
    );

  // Storage.
  if (c.database.maxAllocatedStorageGiB <= c.database.allocatedStorageGiB)
    fail(
      ["database", "maxAllocatedStorageGiB"],
      c.database.maxAllocatedStorageGiB,
      `allowed: more than allocatedStorageGiB (${c.database.allocatedStorageGiB}) so storage can autoscale`,
    );

  // Connection budget: every task at the scaling ceiling, doubled for a deployment's surge
  // (rolling 200 % or a blue/green replacement set), plus connections kept for operators.
  const worstCase = 2 * maxCount * c.service.dbMaxConnsPerTask + c.database.reservedConnections;
  if (worstCase > c.database.maxConnections)
    fail(
      ["database", "maxConnections"],
      c.database.maxConnections,
      `allowed: at least 2 x service.maxCount (${maxCount}) x service.dbMaxConnsPerTask (${c.service.dbMaxConnsPerTask}) + database.reservedConnections (${c.database.reservedConnections}) = ${worstCase}`,
    );
  const memoryGiB = RDS_INSTANCE_CLASSES[c.database.instanceClass]?.memoryGiB;
  if (memoryGiB !== undefined && c.database.maxConnections > memoryGiB * 150)
    fail(
      ["database", "maxConnections"],
      c.database.maxConnections,
      `allowed: at most ${memoryGiB * 150} on ${c.database.instanceClass} (150 per GiB of memory)`,
    );

  // Production safety nets cannot be switched off by configuration: they follow `protection`,
  // not the environment's name, so a second production-like environment gets them too.
  if (c.protection === "production") {
    const required = `allowed: true when protection is "production"`;
    for (const key of ["deletionProtection", "preventDestroy", "multiAz"] as const) {
      if (!c.database[key]) fail(["database", key], c.database[key], required);
    }
    if (c.database.skipFinalSnapshot)
      fail(
        ["database", "skipFinalSnapshot"],
        true,
        `allowed: false when protection is "production" (only a disposable environment may skip the final snapshot)`,
      );
    if (!c.loadBalancer.deletionProtection) fail(["loadBalancer", "deletionProtection"], false, required);
    if (c.service.fargateSpot)
      fail(
        ["service", "fargateSpot"],
        true,
        `allowed: false when protection is "production" (Spot tasks can be reclaimed with two minutes' notice)`,
      );
    if (c.database.secretsRecoveryWindowDays === 0)
      fail(
        ["database", "secretsRecoveryWindowDays"],
        0,
        `allowed: 7 to 30 days when protection is "production" (a deleted secret stays restorable)`,
      );
    if (c.offHours.enabled)
      fail(
        ["offHours", "enabled"],
        true,
        `allowed: false when protection is "production" (customers use it around the clock)`,
      );
    if (c.network.natGateways === "none")
      fail(
        ["network", "natGateways"],
        "none",
        `allowed: one-per-az or single when protection is "production" (tasks stay in private subnets)`,
      );
  }

  // Off-hours: a same-day awake window, the database started and stopped within the same day.
  if (c.offHours.enabled) {
    const wake = minutesOfDay(c.offHours.wakeAt);
    const sleep = minutesOfDay(c.offHours.sleepAt);
    if (sleep <= wake)
      fail(
        ["offHours", "sleepAt"],
        c.offHours.sleepAt,
        `allowed: a time after wakeAt (${c.offHours.wakeAt}) on the same day`,
      );
    if (wake - c.offHours.databaseLeadMinutes < 0)
      fail(
        ["offHours", "databaseLeadMinutes"],
        c.offHours.databaseLeadMinutes,
        `allowed: at most ${wake} so the database starts on the same day as wakeAt (${c.offHours.wakeAt})`,
      );
    if (sleep + DATABASE_STOP_DELAY_MINUTES > 23 * 60 + 59)
      fail(
        ["offHours", "sleepAt"],
        c.offHours.sleepAt,
        `allowed: at most 23:44 (the database stops ${DATABASE_STOP_DELAY_MINUTES} minutes later, the same day)`,
      );
    if (new Set(c.offHours.awakeDays).size !== c.offHours.awakeDays.length)
      fail(["offHours", "awakeDays"], c.offHours.awakeDays, "allowed: each day once");
  }

  if ("create" in c.loadBalancer.certificate && !c.loadBalancer.hostedZone)
    fail(
      ["loadBalancer", "certificate"],
      c.loadBalancer.certificate,
      "allowed: create only with loadBalancer.hostedZone set (the DNS validation records go into that zone)",
    );

  if ([80, 443, c.service.containerPort].includes(c.loadBalancer.testListenerPort))
    fail(
      ["loadBalancer", "testListenerPort"],
      c.loadBalancer.testListenerPort,
      `allowed: a port other than 80, 443 and ${c.service.containerPort}`,
    );

  if (c.aaa.network && !c.aaa.network.peeringConnectionId === !c.aaa.network.transitGatewayId)
    fail(["aaa", "network"], c.aaa.network, "allowed: exactly one of peeringConnectionId or transitGatewayId");
  if (c.aaa.network && vpc) {
    const aaa = parseCidr(c.aaa.network.cidr);
    if (aaa && cidrOverlaps(aaa, vpc))
      fail(["aaa", "network", "cidr"], c.aaa.network.cidr, `allowed: a block outside the VPC ${c.network.vpcCidr}`);
  }
}
