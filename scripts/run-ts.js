#!/usr/bin/env node
// Runs a TypeScript file of this project without type-checking: `node scripts/run-ts.js file.ts [args]`.
// For scripts and scratch experiments; bundles with esbuild (node_modules stay external).
"use strict";
const path = require("node:path");
const { mkdirSync, mkdtempSync } = require("node:fs");
const { buildSync } = require("esbuild");

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.js <file.ts> [args...]");
  process.exit(2);
}
// Inside the project so the bundle resolves node_modules like the source does.
const cache = path.resolve(__dirname, "..", "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const outfile = path.join(mkdtempSync(path.join(cache, "run-ts-")), "entry.js");
buildSync({
  entryPoints: [path.resolve(entry)],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external",
  sourcemap: "inline",
  logLevel: "warning",
});
process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], outfile, ...args];
require(outfile);
