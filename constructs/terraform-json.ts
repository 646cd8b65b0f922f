import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Reading synthesized Terraform JSON (`cdktf.out/stacks/<stack>/cdk.tf.json`, or a stack's
 * `toTerraform()`) generically: its resources and data sources with their address, construct path
 * and arguments, the references between them, and the files of a synth output folder. One module
 * for the guardrails (at synth time), the cost estimate, the synth summary, the diagram and the
 * terraform scripts; it depends on nothing of the project.
 */

/** Parsed Terraform JSON: a synthesized stack, a block of it, or a plan (`terraform show -json`). */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One `resource` or `data` block of a synthesized stack. */
export interface TerraformBlock {
  /** Terraform type, e.g. `aws_db_instance`. */
  readonly type: string;
  /** Logical name: the key under `resource.<type>` (or `data.<type>`), e.g. `data_Database_BC4320FA`. */
  readonly name: string;
  /** The Terraform address: `type.name`, or `data.type.name` for a data source. */
  readonly address: string;
  /**
   * Construct path from cdktf's metadata, stack first, e.g. `farmers-module-dev/data/Database/Resource`;
   * the address when the JSON carries no metadata.
   */
  readonly path: string;
  /** The construct path below the stack, e.g. `data/Database/Resource`; the address when unknown. */
  readonly pathInStack: string;
  /** The block's arguments as synthesized. */
  readonly config: Json;
}

function blocksUnder(section: unknown, addressPrefix: string): TerraformBlock[] {
  const out: TerraformBlock[] = [];
  for (const [type, byName] of Object.entries((section ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [name, config] of Object.entries(byName)) {
      const address = `${addressPrefix}${type}.${name}`;
      const fullPath: string | undefined = config?.["//"]?.metadata?.path;
      const pathInStack = fullPath ? fullPath.split("/").slice(1).join("/") : address;
      out.push({ type, name, address, path: fullPath ?? address, pathInStack, config });
    }
  }
  return out;
}

/** Every resource of a synthesized stack, in the order of the JSON (data sources excluded). */
export function stackResources(stack: Json): TerraformBlock[] {
  return blocksUnder(stack.resource, "");
}

/** Every data source of a synthesized stack, in the order of the JSON; addresses `data.type.name`. */
export function stackDataSources(stack: Json): TerraformBlock[] {
  return blocksUnder(stack.data, "data.");
}

/** Number of resources in a synthesized stack (data sources excluded). */
export function resourceCount(stack: Json): number {
  return Object.values((stack.resource ?? {}) as Record<string, Record<string, unknown>>).reduce(
    (n, byName) => n + Object.keys(byName).length,
    0,
  );
}

/** Orders blocks by address (for `Array.prototype.sort`): output that does not depend on JSON order. */
export function compareAddresses(a: TerraformBlock, b: TerraformBlock): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
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

/** The JSON in `file`, parsed. */
export function readJsonFile(file: string): Json {
  return JSON.parse(readFileSync(file, "utf8")) as Json;
}

/** The synthesized JSON of one stack in a synth output folder: `<outdir>/stacks/<stack>/cdk.tf.json`. */
export function readStackJson(outdir: string, stack: string): Json {
  return readJsonFile(join(outdir, "stacks", stack, "cdk.tf.json"));
}

/** A synth output folder's `manifest.json`: the framework version and each stack's file. */
export interface SynthManifest {
  /** The cdktf (or cdktn) version that wrote it. */
  readonly version: string;
  /** Stack name and the absolute path of its cdk.tf.json, in the manifest's order. */
  readonly stacks: readonly { readonly name: string; readonly file: string }[];
}

/** The manifest of the last synth into `outdir`; undefined when nothing was synthesized there. */
export function readManifest(outdir: string): SynthManifest | undefined {
  const manifestFile = join(outdir, "manifest.json");
  if (!existsSync(manifestFile)) return undefined;
  const manifest = readJsonFile(manifestFile) as {
    version: string;
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return {
    version: manifest.version,
    stacks: Object.entries(manifest.stacks).map(([name, entry]) => ({
      name,
      file: join(outdir, entry.synthesizedStackPath),
    })),
  };
}
