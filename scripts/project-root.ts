import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The project root: the nearest folder above this file holding cdktf.json. (Walking up rather
 * than `__dirname/..`: scripts/run-ts.js runs a bundle from node_modules/.cache/run-ts.)
 */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "cdktf.json"))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
