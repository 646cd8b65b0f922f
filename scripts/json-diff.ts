/**
 * Leaf-by-leaf differences of two JSON values, for the comparisons of synthesized stacks
 * (`npm run synth:compare`, `npm run check:cdktn`). Every leaf becomes one `path = JSON text`
 * line: object keys as `.key`, array items as `[i]` (so an array never equals an object with the
 * same keys), empty objects and arrays as leaves of their own. Pure.
 */

/** One leaf that differs: its JSON text on each side, undefined where that side has no such leaf. */
export interface LeafDifference {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

/** Every leaf of `value`, by path, as JSON text. */
export function jsonLeaves(value: unknown): Map<string, string> {
  const leaves = new Map<string, string>();
  const walk = (v: unknown, path: string): void => {
    if (v !== null && typeof v === "object" && Object.keys(v).length > 0) {
      for (const [key, child] of Object.entries(v))
        walk(child, Array.isArray(v) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`);
    } else leaves.set(path, JSON.stringify(v));
  };
  walk(value, "");
  return leaves;
}

/** The leaves where `head` differs from `base`, in path order. */
export function leafDifferences(base: unknown, head: unknown): LeafDifference[] {
  const before = jsonLeaves(base);
  const after = jsonLeaves(head);
  return [...new Set([...before.keys(), ...after.keys()])]
    .sort()
    .filter((path) => before.get(path) !== after.get(path))
    .map((path) => ({ path, before: before.get(path), after: after.get(path) }));
}

/** `path: <before> -> <after>`, `(absent)` for a missing side. */
export function formatLeafDifference({ path, before, after }: LeafDifference): string {
  return `${path}: ${before ?? "(absent)"} -> ${after ?? "(absent)"}`;
}
