import type { ConfigLayer } from "./types";

/** The production environment: values from the reference's environment table. */
export const production: ConfigLayer = {
  name: "production",
  tags: { Environment: "production" },
  network: {
    vpcCidr: "10.3.0.0/16",
    flowLogRetentionDays: 30,
    natGateways: "one-per-az",
  },
  database: {
    instanceClass: "db.t4g.medium",
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 500,
    name: "farmers_production",
    // 2 x maxCount 10 x 15 per task + 20 reserved = 320 worst case; 80 to spare.
    maxConnections: 400,
    multiAz: true,
    // Deletion protection, prevent_destroy and the final snapshot are the defaults (common.ts) and
    // required by protection "production" (also the default): nothing to opt into here.
    performanceInsights: true,
    backupRetentionDays: 35,
    enhancedMonitoringIntervalSeconds: 30,
  },
  service: {
    cpu: 512,
    memoryMiB: 1024,
    desiredCount: 2,
    minCount: 2,
    maxCount: 10,
    dbMaxConnsPerTask: 15,
    logLevel: "warn",
    corsAllowedOrigins: ["https://app.kisanlink.in", "https://admin.kisanlink.in"],
    // A shell in a task that holds the database password: enable by override for a session only.
    enableExecuteCommand: false,
  },
  aaa: { endpoint: "aaa-service.internal:50052" },
  loadBalancer: { certificate: { domain: "farmers.kisanlink.in" } },
  deployment: { style: "blue-green" },
  pipeline: { branch: "main", manualApproval: true, buildLogRetentionDays: 30 },
  observability: { logRetentionDays: 30 },
};
