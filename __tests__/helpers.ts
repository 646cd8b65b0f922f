import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { type TerraformStack, Testing } from "cdktf";
import type { IConstruct } from "constructs";

import type { EnvironmentName } from "../config/environments";
import { loadEnvironmentConfig, type OverrideFile } from "../config/load";
import type { EnvironmentConfig } from "../config/schema";
import type { ConfigLayer } from "../config/types";
import { type Json, readStackJson } from "../constructs/terraform-json";
import { buildApp } from "../stacks/app";
import { EnvironmentStack } from "../stacks/environment-stack";

/** Shared fixtures: configuration without the caller's environment variables, stacks, JSON. */

/** Parsed Terraform JSON: the project's one definition (constructs/terraform-json.ts). */
export type { Json };

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

/** The logical name of the single resource of `type` whose name contains `fragment`; throws unless exactly one does. */
function nameOf(json: Json, type: string, fragment: string): string {
  const names = Object.keys(resourcesOf(json, type)).filter((name) => name.includes(fragment));
  if (names.length !== 1)
    throw new Error(`expected one ${type} named *${fragment}*, found ${names.join(", ") || "none"}`);
  return names[0];
}

/** The single resource of a type whose logical name contains `fragment`. */
export function resourceNamed(json: Json, type: string, fragment: string): Json {
  return resourcesOf(json, type)[nameOf(json, type, fragment)];
}

/** Terraform address `type.name` of the single resource of `type` whose logical name contains `fragment`. */
export function addressOf(json: Json, type: string, fragment: string): string {
  return `${type}.${nameOf(json, type, fragment)}`;
}

/** The reference `${type.name.attribute}` to the single resource of `type` named *`fragment`*. */
export function ref(json: Json, type: string, fragment: string, attribute: string): string {
  return `\${${addressOf(json, type, fragment)}.${attribute}}`;
}

/** References `${type.name.attribute}` to every resource of `type` whose logical name starts with `prefix`, in name order. */
export function refsOf(json: Json, type: string, prefix: string, attribute: string): string[] {
  return Object.keys(resourcesOf(json, type))
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => `\${${type}.${name}.${attribute}}`);
}

/** One statement of an IAM or resource policy document, as the constructs write them. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Json | "*";
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A policy document: what `JSON.parse` of a `policy` attribute gives. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement[];
}

/**
 * The parsed `policy` of the single resource of `type` (an inline role policy unless told)
 * whose logical name contains `fragment`.
 */
export function policyOf(json: Json, fragment: string, type = "aws_iam_role_policy"): PolicyDocument {
  return JSON.parse(resourceNamed(json, type, fragment).policy as string) as PolicyDocument;
}

/** The statements of the inline role policy whose logical name contains `fragment`. */
export function statementsOf(json: Json, fragment: string): PolicyStatement[] {
  return policyOf(json, fragment).Statement;
}

/** Synthesizes the whole app the way main.ts does, into a temp dir; returns stack name -> JSON. */
export function synthAll(overrides: OverrideFile = {}): Record<string, Json> {
  const outdir = mkdtempSync(join(tmpdir(), "farmers-synth-"));
  try {
    const { app, environments, bootstrap } = buildApp({ outdir, overrides, env: {} });
    app.synth();
    const names = [bootstrap, ...environments].map((s) => s.node.id);
    return Object.fromEntries(names.map((n) => [n, readStackJson(outdir, n)]));
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
