import { assumptionsFor } from "./assumptions";
import { estimateStack } from "./estimate";
import { CATEGORIES, type Category, type CostLine, usd } from "./model";
import type { SynthesizedStack } from "./synthesized";

/**
 * Monthly cost before and after a change, per environment stack: the estimate (estimate.ts, at
 * the default usage assumptions) of the base branch's synth and of the head's, the difference,
 * and what makes it up ("+$65.70/month: 2 × aws_nat_gateway added"). Used in the pull-request
 * plan comment (the workflow's cost job). Pure: synthesized stacks in, figures and text out.
 */

export interface CostChange {
  /** What changed: "2 × aws_nat_gateway added", "aws_db_instance changed". */
  readonly what: string;
  readonly category: Category;
  readonly monthlyUsd: number;
}

export interface StackCostDiff {
  readonly stack: string;
  /** undefined when the stack does not exist on that side. */
  readonly beforeUsd?: number;
  readonly afterUsd?: number;
  readonly differenceUsd: number;
  /** Contributions to the difference, largest first (by absolute value), cents or more only. */
  readonly changes: readonly CostChange[];
}

const ENVIRONMENT = /^farmers-module-(.+)$/;

function totalsByAddress(lines: readonly CostLine[]): Map<string, { type: string; category: Category; usd: number }> {
  const byAddress = new Map<string, { type: string; category: Category; usd: number }>();
  for (const l of lines) {
    const entry = byAddress.get(l.address) ?? { type: l.type, category: l.category, usd: 0 };
    entry.usd += l.monthlyUsd;
    byAddress.set(l.address, entry);
  }
  return byAddress;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** Before/after/difference of one stack (either side may be missing). */
export function diffStack(
  stack: string,
  before: SynthesizedStack | undefined,
  after: SynthesizedStack | undefined,
): StackCostDiff {
  const env = ENVIRONMENT.exec(stack)?.[1];
  const estimate = (s: SynthesizedStack | undefined) =>
    s ? estimateStack(s.name, s.json, assumptionsFor(env)) : undefined;
  const b = estimate(before);
  const a = estimate(after);
  const old = totalsByAddress(b?.lines ?? []);
  const now = totalsByAddress(a?.lines ?? []);
  // Group per resource type and kind of change, so two new NAT gateways read as one line.
  const groups = new Map<
    string,
    { type: string; kind: "added" | "removed" | "changed"; category: Category; count: number; usd: number }
  >();
  for (const address of new Set([...old.keys(), ...now.keys()])) {
    const o = old.get(address);
    const n = now.get(address);
    const delta = (n?.usd ?? 0) - (o?.usd ?? 0);
    if (Math.abs(delta) < 0.005) continue;
    const kind = !o ? "added" : !n ? "removed" : "changed";
    const type = (n ?? o)!.type;
    const key = `${type}|${kind}`;
    const g = groups.get(key) ?? { type, kind, category: (n ?? o)!.category, count: 0, usd: 0 };
    g.count++;
    g.usd += delta;
    groups.set(key, g);
  }
  const changes = [...groups.values()]
    .map((g) => ({
      what: `${g.count > 1 ? `${g.count} × ` : ""}${g.type} ${g.kind}`,
      category: g.category,
      monthlyUsd: cents(g.usd),
    }))
    .filter((c) => c.monthlyUsd !== 0)
    .sort((x, y) => Math.abs(y.monthlyUsd) - Math.abs(x.monthlyUsd) || x.what.localeCompare(y.what));
  return {
    stack,
    beforeUsd: b && cents(b.totalUsd),
    afterUsd: a && cents(a.totalUsd),
    differenceUsd: cents((a?.totalUsd ?? 0) - (b?.totalUsd ?? 0)),
    changes,
  };
}

/** Every stack on either side, in the after side's order, then stacks only the base has. */
export function diffStacks(before: readonly SynthesizedStack[], after: readonly SynthesizedStack[]): StackCostDiff[] {
  const names = [
    ...after.map((s) => s.name),
    ...before.map((s) => s.name).filter((n) => !after.some((s) => s.name === n)),
  ];
  return names.map((name) =>
    diffStack(
      name,
      before.find((s) => s.name === name),
      after.find((s) => s.name === name),
    ),
  );
}

/** `+$65.70`, `-$3.10`, `$0.00` */
export function signedUsd(n: number): string {
  return n > 0 ? `+${usd(n)}` : n < 0 ? `-${usd(-n)}` : usd(0);
}

/** One markdown block for a stack's plan comment. */
export function formatStackCostDiff(d: StackCostDiff): string {
  const side = (n: number | undefined) => (n === undefined ? "none" : `${usd(n)}/month`);
  const headline = `**Estimated cost: ${signedUsd(d.differenceUsd)}/month** (before ${side(d.beforeUsd)}, after ${side(d.afterUsd)})`;
  if (d.changes.length === 0) return `${headline}: no priced resource changes.`;
  const rows = d.changes.map((c) => `| ${c.what} | ${CATEGORIES[c.category]} | ${signedUsd(c.monthlyUsd)} |`);
  return [
    `${headline}: ${d.changes
      .slice(0, 2)
      .map((c) => `${signedUsd(c.monthlyUsd)} ${c.what}`)
      .join(", ")}`,
    "",
    "| change | category | per month |",
    "| --- | --- | ---: |",
    ...rows,
  ].join("\n");
}
