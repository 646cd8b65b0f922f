#!/usr/bin/env node
// Fast synth: bundle our TypeScript with esbuild (type-checking is the test command's job, via
// `tsc --noEmit`), then run the app in this process. Used by `npm run synth` and as cdktf.json's
// `app`, so `cdktf synth|diff|deploy` take the same path. Writes to CDKTF_OUTDIR or cdktf.out.
"use strict";
const path = require("node:path");
const { buildSync } = require("esbuild");

const root = path.resolve(__dirname, "..");
const outfile = path.join(root, "dist", "main.js");
process.env.CHECKPOINT_DISABLE ??= "1";

buildSync({
  entryPoints: [path.join(root, "main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
process.setSourceMapsEnabled(true);

try {
  require(outfile);
} catch (error) {
  // Configuration and validation errors are for people: print the message, not a stack trace.
  const stackValidation = error && /^Validation failed with the following errors/.test(error.message ?? "");
  if (error && (["ConfigError", "ValidationError"].includes(error.name) || stackValidation)) {
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
