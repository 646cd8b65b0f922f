// Bundles one TypeScript entry of this project into a CommonJS file with esbuild: our code in,
// node_modules left external (resolved from the project like the source). No type-checking:
// that is `npm test`'s job (tsc --noEmit). Shared by synth.js and run-ts.js.
"use strict";
const { buildSync } = require("esbuild");

/** Writes `outfile` from `entry`; `sourcemap` inline for tools, off for synth (see synth.js). */
function bundle(entry, outfile, { sourcemap = false } = {}) {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node22", // the lowest Node.js the project supports (package.json engines)
    format: "cjs",
    packages: "external",
    sourcemap: sourcemap ? "inline" : false,
    logLevel: "warning",
  });
}

module.exports = { bundle };
