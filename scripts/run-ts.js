#!/usr/bin/env node
// Runs a TypeScript file of this project without type-checking: `node scripts/run-ts.js file.ts [args]`.
// For scripts (cost, diagram, the synth summary) and scratch experiments; see bundle.js.
"use strict";
const path = require("node:path");
const { mkdirSync } = require("node:fs");
const { bundle } = require("./bundle");

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.js <file.ts> [args...]");
  process.exit(2);
}
// Inside the project so the bundle resolves node_modules like the source does.
const cache = path.resolve(__dirname, "..", "node_modules", ".cache");
mkdirSync(path.join(cache, "run-ts"), { recursive: true });
// One bundle per entry file, overwritten on each run, so nothing piles up in the cache.
const key = require("node:crypto").createHash("sha1").update(path.resolve(entry)).digest("hex").slice(0, 12);
const outfile = path.join(cache, "run-ts", `${path.basename(entry, ".ts")}-${key}.js`);
bundle(path.resolve(entry), outfile, { sourcemap: true });
process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], outfile, ...args];
require(outfile);
