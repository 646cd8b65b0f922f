import type { ConfigLayer } from "./types";

/** The dev environment: values from the reference's environment table. */
export const dev: ConfigLayer = {
  name: "dev",
  tags: { Environment: "dev" },
  network: {
    vpcCidr: "10.0.0.0/16",
    publicSubnetCidrs: ["10.0.1.0/24", "10.0.2.0/24"],
    privateSubnetCidrs: ["10.0.11.0/24", "10.0.12.0/24"],
    databaseSubnetCidrs: ["10.0.21.0/24", "10.0.22.0/24"],
    flowLogRetentionDays: 7,
  },
  database: {
    instanceClass: "db.t4g.small",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    name: "farmers_dev",
    maxConnections: 100,
    // Dev data is disposable: the one protection dev opts out of.
    skipFinalSnapshot: true,
  },
  service: { cpu: 256, memoryMiB: 512, desiredCount: 1, minCount: 1, maxCount: 2, fargateSpot: true },
  aaa: { endpoint: "aaa-service-dev.internal:50052" },
  loadBalancer: { certificate: { domain: "farmers-dev.kisanlink.in" } },
  pipeline: { branch: "develop" },
};
