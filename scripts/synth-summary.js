#!/usr/bin/env node
// Chained after scripts/synth.js by `npm run synth` (and only there: the cdktf CLI runs synth.js
// alone as the app). Bundles scripts/synth-summary.ts to a fixed file, like synth.js does for the
// app, so running it on every synth leaves nothing behind, and prints the summary.
"use strict";
const path = require("node:path");
const { buildSync } = require("esbuild");

const root = path.resolve(__dirname, "..");
const outfile = path.join(root, "node_modules", ".cache", "synth-summary", "index.js");
buildSync({
  entryPoints: [path.join(root, "scripts", "synth-summary.ts")],
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
require(outfile);
