import type { ConfigLayer } from "./types";

/** The staging environment: values from the reference's environment table. */
export const staging: ConfigLayer = {
  name: "staging",
  // Staging holds copies and test data, never the only copy of farmers' records: it may be
  // destroyed and re-created, and the final snapshot keeps its data restorable.
  protection: "disposable",
  tags: { Environment: "staging" },
  network: {
    vpcCidr: "10.2.0.0/16",
    flowLogRetentionDays: 7,
    // The one difference from production's network: no NAT gateway (tasks in public subnets).
    natGateways: "none",
  },
  database: {
    instanceClass: "db.t4g.small",
    allocatedStorageGiB: 30,
    maxAllocatedStorageGiB: 50,
    name: "farmers_staging",
    maxConnections: 100,
    // Opted out with protection "disposable" above: Terraform and AWS may delete the instance
    // (the final snapshot stays on, so its data stays restorable).
    deletionProtection: false,
    preventDestroy: false,
    // Deleted with the environment, not kept for 30 days: a name still reserved by a deleted
    // secret would make re-creating the environment fail. The database password is not lost
    // with it: reset it on a restored instance (docs/runbooks/destroy-and-recreate.md).
    secretsRecoveryWindowDays: 0,
  },
  service: { cpu: 512, memoryMiB: 1024, desiredCount: 1, minCount: 1, maxCount: 1 },
  aaa: { endpoint: "beta.aaa.kisanlink.in:443" },
  // The load balancer holds no data: deletion protection would only block the destroy.
  loadBalancer: { certificate: { domain: "farmers-staging.kisanlink.in" }, deletionProtection: false },
  pipeline: { branch: "staging" },
  // Container Insights, the dashboard and every alarm as in production; asleep at night.
  offHours: { enabled: true },
};
