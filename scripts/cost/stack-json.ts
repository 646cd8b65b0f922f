/**
 * Reading synthesized stacks (`cdktf.out/stacks/<stack>/cdk.tf.json`) generically: resources
 * with their address, construct path and body, and the references between them. Shared by the
 * cost estimate, the synth summary and the architecture diagram.
 */

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface StackResource {
  /** Terraform resource type, e.g. `aws_db_instance`. */
  readonly type: string;
  /** Logical name in the stack, e.g. `data_Database_BC4320FA`. */
  readonly name: string;
  /** `type.name`, the Terraform address. */
  readonly address: string;
  /** Construct path below the stack, e.g. `data/Database/Resource` (the address when unknown). */
  readonly path: string;
  /** The resource's arguments as synthesized. */
  readonly body: Json;
}

/** Every resource of a synthesized stack, sorted by address (data sources excluded). */
export function stackResources(stack: Json): StackResource[] {
  const out: StackResource[] = [];
  for (const [type, byName] of Object.entries((stack.resource ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [name, body] of Object.entries(byName)) {
      const fullPath: string | undefined = body?.["//"]?.metadata?.path;
      const path = fullPath ? fullPath.split("/").slice(1).join("/") : `${type}.${name}`;
      out.push({ type, name, address: `${type}.${name}`, path, body });
    }
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** Number of resources in a synthesized stack. */
export function resourceCount(stack: Json): number {
  return Object.values((stack.resource ?? {}) as Record<string, Record<string, unknown>>).reduce(
    (n, byName) => n + Object.keys(byName).length,
    0,
  );
}

const INTERPOLATION = /\$\{([^{}]*)\}/g;
const ADDRESS = /\b([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\b/g;

/**
 * Addresses (`type.name`) of resources referenced in `value` through `${...}` interpolations.
 * `data.` references are skipped. Order of first appearance, without duplicates.
 */
export function referencedAddresses(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  const found = new Set<string>();
  for (const [, inner] of text.matchAll(INTERPOLATION)) {
    for (const m of inner.matchAll(ADDRESS)) {
      const before = inner.slice(0, m.index);
      if (/\bdata\.$/.test(before)) continue;
      found.add(`${m[1]}.${m[2]}`);
    }
  }
  return [...found];
}

/** A nested block as one object, whether synthesized as an object or a one-element list. */
export function block(value: unknown): Json | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && typeof v === "object" ? (v as Json) : undefined;
}

/** A nested block list as an array (an object becomes a one-element list). */
export function blocks(value: unknown): Json[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v && typeof v === "object") as Json[];
}

/** A literal number (or numeric string); undefined for tokens and absent values. */
export function literalNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** Length of a literal list; undefined for a token that Terraform resolves later. */
export function literalLength(value: unknown): number | undefined {
  return Array.isArray(value) ? value.length : undefined;
}

/** The region of the stack's (first) AWS provider. */
export function providerRegion(stack: Json): string | undefined {
  const aws = stack.provider?.aws;
  return block(aws)?.region as string | undefined;
}
