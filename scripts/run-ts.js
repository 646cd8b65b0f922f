#!/usr/bin/env node
// Runs a TypeScript file of this project without type-checking: `node scripts/run-ts.js file.ts [args]`.
// For scripts and scratch experiments; bundles with esbuild (node_modules stay external).
"use strict";
const path = require("node:path");
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { buildSync } = require("esbuild");

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.js <file.ts> [args...]");
  process.exit(2);
}
const outfile = path.join(mkdtempSync(path.join(tmpdir(), "run-ts-")), "entry.js");
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
  nodePaths: [path.resolve(__dirname, "..", "node_modules")],
});
process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], outfile, ...args];
require(outfile);
