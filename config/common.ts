import type { ConfigLayer } from "./types";

/**
 * Settings every environment shares unless its own file says otherwise. Account-specific
 * values here are placeholders that let a fresh clone synthesize; operators override them
 * (see config/load.ts and docs/configuration.md).
 */
export const common: ConfigLayer = {
  project: "farmers-module",
  // Safe by default: every environment is protected like production unless its own file opts
  // out (dev, beta and staging do, each saying why). See PROTECTION_LEVELS in config/schema.ts.
  protection: "production",
  region: "us-east-1",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  allowedAccountIds: [],
  tags: { Service: "farmers-module", ManagedBy: "cdktf", Repository: "Kisanlink/farmers-module" },
  state: {
    bucket: "farmers-module-terraform-state",
    lockTable: "farmers-module-terraform-locks",
    region: "us-east-1",
  },
  network: { interfaceEndpoints: false, natGateways: "single" },
  database: {
    // 16.10 is the reference's pin and a minor RDS offers for new instances.
    engineVersion: "16.10",
    username: "farmers_service",
    multiAz: false,
    // The stateful safety nets are on unless an environment opts out in its own file.
    deletionProtection: true,
    preventDestroy: true,
    skipFinalSnapshot: false,
    performanceInsights: false,
    performanceInsightsRetentionDays: 7,
    backupRetentionDays: 7,
    enhancedMonitoringIntervalSeconds: 60,
    caCertificateIdentifier: "rds-ca-rsa2048-g1",
    reservedConnections: 20,
    // Long enough to notice and restore a secret deleted by mistake.
    secretsRecoveryWindowDays: 30,
  },
  service: {
    containerPort: 8000,
    logLevel: "info",
    corsAllowedOrigins: ["https://staging.app.kisanlink.in"],
    enableExecuteCommand: true,
    fargateSpot: false,
    containerInsights: true,
    tracing: false,
    dbMaxConnsPerTask: 20,
  },
  aaa: {},
  loadBalancer: {
    deletionProtection: true,
    accessLogExpirationDays: 90,
    testListenerPort: 8443,
    testListenerCidrs: [],
    // Off by default: about $8/month per environment plus $0.60 per million requests.
    waf: { enabled: false, rateLimitPerIp: 2000 },
  },
  deployment: {
    style: "rolling",
    linearPercent: 10,
    linearIntervalMinutes: 1,
    terminationWaitMinutes: 5,
  },
  pipeline: {
    repository: "Kisanlink/farmers-module",
    source: { mode: "codestar-connection" },
    manualApproval: false,
    artifactExpirationDays: 30,
    buildLogRetentionDays: 7,
  },
  observability: {
    logRetentionDays: 7,
    criticalEmails: [],
    warningEmails: [],
    // 50 lines in 5 minutes is ~10 a minute sustained: one failing request logged a few times
    // stays quiet, a dependency down (every request logging) does not. See docs/alarms.md.
    errorLogSpikeThreshold: 50,
    // Below 10 requests a minute one failed request is >= 10 %; rates that small are noise.
    rateAlarmMinRequests: 10,
    dashboard: true,
  },
  // Off by default; non-production environments switch it on (docs/cost.md). Times are local.
  offHours: {
    enabled: false,
    timeZone: "Asia/Kolkata",
    awakeDays: ["MON", "TUE", "WED", "THU", "FRI"],
    wakeAt: "08:00",
    sleepAt: "20:00",
    // The database needs 5-10 minutes to become available before the tasks' migrations run.
    databaseLeadMinutes: 20,
  },
};
