import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type * as Viz from "@viz-js/viz";

import { type Json, readStackJson } from "../../constructs/terraform-json";
import { buildApp } from "../../stacks/app";
import { architectureDot } from "./architecture";

/** Where the committed diagram lives, relative to the project root. */
export const DIAGRAM_DOT = join("docs", "architecture.dot");
export const DIAGRAM_SVG = join("docs", "architecture.svg");

/** The environment the diagram shows. */
const DIAGRAM_ENVIRONMENT = "production";

/**
 * Synthesizes the app from the checked-in configuration only (no FARMERS_* variables, no override
 * file: the diagram must not depend on who runs it) and returns the production stack's JSON.
 */
export function synthesizeForDiagram(): { name: string; json: Json } {
  const outdir = mkdtempSync(join(tmpdir(), "farmers-diagram-"));
  try {
    const { app, environments } = buildApp({ outdir, overrides: {}, env: {} });
    app.synth();
    const stack = environments.find((s) => s.config.name === DIAGRAM_ENVIRONMENT);
    if (!stack) throw new Error(`no ${DIAGRAM_ENVIRONMENT} stack in the app`);
    const name = stack.node.id;
    return { name, json: readStackJson(outdir, name) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** DOT and SVG of a synthesized stack. SVG rendered by Graphviz compiled to WebAssembly (offline). */
export async function renderDiagram(stackName: string, stack: Json): Promise<{ dot: string; svg: string }> {
  const dot = architectureDot(stackName, stack);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { instance } = require("@viz-js/viz") as typeof Viz;
  const viz = await instance();
  const svg = viz.renderString(dot, { format: "svg", engine: "dot" });
  return { dot, svg };
}
