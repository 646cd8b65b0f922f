import type { TerraformBlock } from "../../constructs/terraform-json";
import type { Assumptions } from "./assumptions";

/**
 * What a cost estimate is made of: categories, cost lines, the estimate of a stack, and the
 * contract of a pricer (scripts/cost/pricers/): a function that prices the resources of the
 * Terraform types it is registered for.
 */

export const CATEGORIES = {
  compute: "Compute (Fargate)",
  database: "Database (RDS)",
  network: "Network (NAT, public IPv4, endpoints)",
  loadBalancing: "Load balancing (ALB/NLB)",
  dataTransfer: "Data transfer out",
  monitoring: "Monitoring (CloudWatch)",
  security: "Security (Secrets Manager, KMS, WAF)",
  storage: "Storage (S3, ECR)",
  delivery: "Delivery (CodePipeline, CodeBuild)",
  state: "State and DNS (DynamoDB, Route 53)",
  notifications: "Notifications (SNS)",
} as const;
export type Category = keyof typeof CATEGORIES;

export interface CostLine {
  /** Terraform address of the resource the cost belongs to. */
  readonly address: string;
  readonly type: string;
  /** Construct path below the stack. */
  readonly path: string;
  readonly category: Category;
  /** What is counted, with the quantities: "2 tasks × 0.5 vCPU × 730 h". */
  readonly description: string;
  readonly monthlyUsd: number;
}

export interface UnpricedResource {
  readonly address: string;
  readonly type: string;
  readonly reason: string;
}

export interface StackEstimate {
  readonly stack: string;
  readonly resourceCount: number;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly byCategory: Readonly<Partial<Record<Category, number>>>;
  /** Resources that cost money but that the estimate could not price (not in the total). */
  readonly unpriced: readonly UnpricedResource[];
  /** Facts the reader should know about the figure (Spot, autoscaling, region). */
  readonly notes: readonly string[];
  readonly assumptions: Assumptions;
  readonly pricesAsOf: string;
}

/** What a pricer sees of the stack being estimated, and where it writes. */
export interface PricingContext {
  readonly assumptions: Assumptions;
  /** Hours in the month: `assumptions.hoursPerMonth`. */
  readonly hours: number;
  /** The stack's resources of these types, sorted by address. */
  ofType(...types: string[]): TerraformBlock[];
  /** The resources of `type` that `value` references (`${type.name.attr}`). */
  refsOfType(value: unknown, type: string): TerraformBlock[];
  /** Adds a cost line for `r`. */
  add(r: TerraformBlock, category: Category, description: string, monthlyUsd: number): void;
  /** Reports `r` as costing money the estimate cannot price (not in the total). */
  skip(r: TerraformBlock, reason: string): void;
  /** Adds a note to the estimate. */
  note(text: string): void;
  /**
   * Hours a month each priced ECS service runs tasks (all hours unless it sleeps on a schedule):
   * written by the ECS service pricer, which runs before the load balancers' (their LCUs follow
   * the traffic, so a stack whose services sleep serves none while asleep).
   */
  readonly serviceHours: number[];
}

/** Prices every resource of the types it is registered for (in address order) into `ctx`. */
export type Pricer = (resources: readonly TerraformBlock[], ctx: PricingContext) => void;

/** A pricer that prices each resource on its own. */
export function each(price: (r: TerraformBlock, ctx: PricingContext) => void): Pricer {
  return (resources, ctx) => {
    for (const r of resources) price(r, ctx);
  };
}

/** A quantity without trailing zeros: 0.5, 2, 12.25. */
export function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2)));
}

/** Dollars with cents: $1,234.56. */
export function usd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
