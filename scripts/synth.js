#!/usr/bin/env node
// Fast synth: bundle our TypeScript with esbuild (type-checking is the test command's job, via
// `tsc --noEmit`), then run the app in this process. Used by `npm run synth` and as cdktf.json's
// `app`, so `cdktf synth|diff|deploy` take the same path. Writes to CDKTF_OUTDIR or cdktf.out.
"use strict";
const path = require("node:path");
const { existsSync, readdirSync, statSync } = require("node:fs");

const root = path.resolve(__dirname, "..");
const outfile = path.join(root, "dist", "main.js");
const SOURCES = ["main.ts", "config", "constructs", "stacks"];
process.env.CHECKPOINT_DISABLE ??= "1";

/** Newest modification time of the app's TypeScript sources. */
function newestSource(entry) {
  const full = path.join(root, entry);
  const stat = statSync(full);
  if (!stat.isDirectory()) return full.endsWith(".ts") ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(full).map((name) => newestSource(path.join(entry, name))));
}

// Rebuild only when a source changed since the last bundle (saves esbuild's start on warm runs).
const stale =
  !existsSync(outfile) ||
  statSync(outfile).mtimeMs < Math.max(...SOURCES.map(newestSource), statSync(__filename).mtimeMs);
if (stale) {
  // No source maps: cdktf captures a stack trace per token, and mapping each one doubles synth
  // time. Errors name construct paths, which is what an operator needs.
  require("./bundle").bundle(path.join(root, "main.ts"), outfile);
}

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
