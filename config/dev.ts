import type { ConfigLayer } from "./types";

/** The dev environment: values from the reference's environment table. */
export const dev: ConfigLayer = {
  name: "dev",
  // Dev data is disposable (test fixtures and developers' experiments): the whole environment
  // is destroyed and re-created at will, so nothing may block a destroy.
  protection: "disposable",
  tags: { Environment: "dev" },
  network: {
    vpcCidr: "10.0.0.0/16",
    flowLogRetentionDays: 7,
    // No NAT gateway: tasks in the public subnets with public IPs (docs/cost.md, trade-offs).
    natGateways: "none",
  },
  database: {
    instanceClass: "db.t4g.small",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    name: "farmers_dev",
    maxConnections: 100,
    // Opted out with protection "disposable" above: Terraform and AWS may delete the instance.
    deletionProtection: false,
    preventDestroy: false,
    // Deleted with the environment, not kept for 30 days: a name still reserved by a deleted
    // secret would make re-creating the environment fail. The database password is not lost
    // with it: reset it on a restored instance (docs/runbooks/destroy-and-recreate.md).
    secretsRecoveryWindowDays: 0,
    // Dev data is disposable: no final snapshot either.
    skipFinalSnapshot: true,
  },
  // Container Insights off: the task-count alarm reads the load balancer's host counts instead.
  service: {
    cpu: 256,
    memoryMiB: 512,
    desiredCount: 1,
    minCount: 1,
    maxCount: 2,
    fargateSpot: true,
    containerInsights: false,
  },
  aaa: { endpoint: "aaa-service-dev.internal:50052" },
  // The load balancer holds no data: deletion protection would only block the destroy.
  loadBalancer: { certificate: { domain: "farmers-dev.kisanlink.in" }, deletionProtection: false },
  pipeline: { branch: "develop" },
  // Nobody watches dev's graphs: the alarms stay, the dashboard goes.
  observability: { dashboard: false },
  // Asleep outside 08:00-20:00 Monday to Friday (India time, from config/common.ts).
  offHours: { enabled: true },
};
