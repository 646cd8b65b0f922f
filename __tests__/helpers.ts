import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { type TerraformStack, Testing } from "cdktf";
import type { IConstruct } from "constructs";

import { loadEnvironmentConfig, type OverrideFile } from "../config/load";
import type { EnvironmentConfig, EnvironmentName } from "../config/schema";
import type { ConfigLayer } from "../config/types";
import { buildApp } from "../stacks/app";
import { EnvironmentStack } from "../stacks/environment-stack";

/** Shared fixtures: configuration without the caller's environment variables, stacks, JSON. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

/** An environment's configuration with optional overrides; process env is ignored. */
export function testConfig(name: EnvironmentName, layer: ConfigLayer = {}): EnvironmentConfig {
  return loadEnvironmentConfig(name, { overrides: { [name]: layer }, env: {} });
}

/** A standalone environment stack for construct tests. */
export function environmentStack(name: EnvironmentName, layer: ConfigLayer = {}): EnvironmentStack {
  return new EnvironmentStack(Testing.app(), testConfig(name, layer));
}

/** Synthesized JSON of a stack, parsed. */
export function synthJson(stack: TerraformStack): Json {
  return JSON.parse(Testing.synth(stack)) as Json;
}

/** Synthesized JSON string of a stack, for the cdktf matchers. */
export function synth(stack: TerraformStack): string {
  return Testing.synth(stack);
}

/** Resources of one type in a synthesized stack, by logical name. */
export function resourcesOf(json: Json, type: string): Record<string, Json> {
  return (json.resource?.[type] ?? {}) as Record<string, Json>;
}

/** The single resource of a type whose logical name contains `fragment`. */
export function resourceNamed(json: Json, type: string, fragment: string): Json {
  const matches = Object.entries(resourcesOf(json, type)).filter(([name]) => name.includes(fragment));
  if (matches.length !== 1)
    throw new Error(`expected one ${type} named *${fragment}*, found ${matches.map(([n]) => n).join(", ") || "none"}`);
  return matches[0][1];
}

/** Synthesizes the whole app the way main.ts does, into a temp dir; returns stack name -> JSON. */
export function synthAll(overrides: OverrideFile = {}): Record<string, Json> {
  const outdir = mkdtempSync(join(tmpdir(), "farmers-synth-"));
  try {
    const { app, environments, bootstrap } = buildApp({ outdir, overrides, env: {} });
    app.synth();
    const names = [bootstrap, ...environments].map((s) => s.node.id);
    return Object.fromEntries(
      names.map((n) => [n, JSON.parse(readFileSync(join(outdir, "stacks", n, "cdk.tf.json"), "utf8")) as Json]),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Resolves tokens in `value` as they would appear in `scope`'s synthesized JSON, so tests compare
 * references (`${aws_vpc.x.id}`) rather than hashed logical ids. cdktf 0.21 keeps this function
 * internal (lib/_tokens); TerraformStack has no public `resolve`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function resolveIn(scope: IConstruct, value: unknown): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolve } = require("cdktf/lib/_tokens") as { resolve: (scope: unknown, obj: unknown) => unknown };
  return resolve(scope, value);
}
