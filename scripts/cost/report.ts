import { ASSUMPTION_KEYS, type Assumptions, DEFAULT_ASSUMPTIONS } from "./assumptions";
import { CATEGORIES, type Category, type CostLine, fmt, type StackEstimate, usd } from "./model";
import { PRICE_REGION, PRICES_AS_OF } from "./prices-us-east-1";

/** Plain-text rendering of estimates for the terminal. */

const CATEGORY_ORDER = Object.keys(CATEGORIES) as Category[];

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The assumptions, one per line; values that differ from the default are marked with `*`. */
export function formatAssumptions(assumptions: Assumptions, title = "Usage assumptions"): string {
  const width = Math.max(...ASSUMPTION_KEYS.map((k) => k.length));
  const rows = ASSUMPTION_KEYS.map((k) => {
    const d = DEFAULT_ASSUMPTIONS[k];
    const changed = assumptions[k] !== d.value ? "*" : " ";
    return `  ${changed}${k.padEnd(width)}  ${fmt(assumptions[k]).padStart(8)} ${d.unit.padEnd(8)} ${d.description}`;
  });
  return [
    `${title} (override with: npm run cost -- --assume key=value  or  --assume <env>.key=value; * = overridden):`,
    ...rows,
  ].join("\n");
}

/** Lines grouped by resource type and description (nine identical alarms become one row). */
function groupLines(
  lines: readonly CostLine[],
): { label: string; category: Category; description: string; monthlyUsd: number }[] {
  const groups = new Map<
    string,
    { label: string; category: Category; description: string; monthlyUsd: number; paths: string[]; type: string }
  >();
  for (const l of lines) {
    const key = `${l.category}|${l.type}|${l.description}`;
    const g = groups.get(key) ?? {
      label: "",
      category: l.category,
      description: l.description,
      monthlyUsd: 0,
      paths: [],
      type: l.type,
    };
    g.monthlyUsd += l.monthlyUsd;
    if (!g.paths.includes(l.path)) g.paths.push(l.path);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({
    ...g,
    label: g.paths.length === 1 ? g.paths[0] : `${g.type} ×${g.paths.length}`,
  }));
}

/** One stack: cost per resource (grouped unless `byResource`), per category, total, caveats. */
export function formatStackEstimate(est: StackEstimate, options: { byResource?: boolean } = {}): string {
  const rows = options.byResource
    ? est.lines.map((l) => ({
        label: l.path,
        category: l.category,
        description: l.description,
        monthlyUsd: l.monthlyUsd,
      }))
    : groupLines(est.lines);
  const out: string[] = [`${est.stack}: ${est.resourceCount} resources, estimated ${usd(est.totalUsd)}/month`];
  for (const category of CATEGORY_ORDER) {
    const inCategory = rows.filter((r) => r.category === category);
    if (inCategory.length === 0) continue;
    out.push(`  ${CATEGORIES[category]}: ${usd(est.byCategory[category] ?? 0)}`);
    for (const r of inCategory)
      out.push(`    ${clip(r.label, 44).padEnd(44)} ${usd(r.monthlyUsd).padStart(10)}  ${r.description}`);
  }
  out.push(`  ${"TOTAL".padEnd(46)} ${usd(est.totalUsd).padStart(10)}`);
  if (est.unpriced.length > 0) {
    out.push("  Not priced (NOT in the total):");
    for (const u of est.unpriced) out.push(`    ${u.address}: ${u.reason}`);
  }
  for (const n of est.notes) out.push(`  Note: ${n}`);
  return out.join("\n");
}

/** Every stack side by side: categories as rows, stacks as columns. */
export function formatComparison(estimates: readonly StackEstimate[]): string {
  const names = estimates.map((e) => e.stack.replace(/^farmers-module-/, ""));
  const col = Math.max(11, ...names.map((n) => n.length + 1));
  const labelWidth = Math.max(...CATEGORY_ORDER.map((c) => CATEGORIES[c].length), 5) + 2;
  const out = [`${"$/month".padEnd(labelWidth)}${names.map((n) => n.padStart(col)).join("")}`];
  for (const c of CATEGORY_ORDER) {
    if (!estimates.some((e) => (e.byCategory[c] ?? 0) > 0)) continue;
    out.push(
      `${CATEGORIES[c].padEnd(labelWidth)}${estimates.map((e) => (e.byCategory[c] ?? 0).toFixed(2).padStart(col)).join("")}`,
    );
  }
  out.push(`${"TOTAL".padEnd(labelWidth)}${estimates.map((e) => e.totalUsd.toFixed(2).padStart(col)).join("")}`);
  const all = estimates.reduce((s, e) => s + e.totalUsd, 0);
  out.push(
    `All stacks: ${usd(all)}/month. Prices: ${PRICE_REGION} on-demand as of ${PRICES_AS_OF} (scripts/cost/prices-us-east-1.ts).`,
  );
  return out.join("\n");
}
