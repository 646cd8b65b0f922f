import type { ConfigLayer } from "./types";

/** The beta environment: values from the reference's environment table. */
export const beta: ConfigLayer = {
  name: "beta",
  // Beta holds test data only and is re-created when it drifts: a destroy must not be blocked,
  // and the final snapshot keeps its data restorable.
  protection: "disposable",
  tags: { Environment: "beta" },
  network: {
    vpcCidr: "10.1.0.0/16",
    flowLogRetentionDays: 7,
    natGateways: "none",
  },
  database: {
    instanceClass: "db.t4g.medium",
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 100,
    name: "farmers_beta",
    maxConnections: 200,
    // Opted out with protection "disposable" above: Terraform and AWS may delete the instance
    // (the final snapshot stays on, so its data stays restorable).
    deletionProtection: false,
    preventDestroy: false,
    // Deleted with the environment, not kept for 30 days: a name still reserved by a deleted
    // secret would make re-creating the environment fail. The database password is not lost
    // with it: reset it on a restored instance (docs/runbooks/destroy-and-recreate.md).
    secretsRecoveryWindowDays: 0,
  },
  service: { cpu: 512, memoryMiB: 1024, desiredCount: 1, minCount: 1, maxCount: 4, containerInsights: false },
  aaa: { endpoint: "aaa-service-beta.internal:50052" },
  // The load balancer holds no data: deletion protection would only block the destroy.
  loadBalancer: { certificate: { domain: "farmers-beta.kisanlink.in" }, deletionProtection: false },
  pipeline: { branch: "beta" },
  offHours: { enabled: true },
};
