import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { compareStacks, jsonDifferences, report, withoutMetadata } from "../scripts/synth-compare/compare";

/** `npm run synth:compare`: what a refactor is checked against (scripts/synth-compare/). */

const bucket = (tags: Record<string, string>) => ({
  "//": { metadata: { path: "stack/Bucket" } },
  resource: { aws_s3_bucket: { b: { "//": { metadata: { uniqueId: "b" } }, bucket: "x", tags } } },
});

describe("withoutMetadata", () => {
  it("removes every // key at any depth and keeps the rest", () => {
    expect(withoutMetadata(bucket({ A: "1" }))).toEqual({
      resource: { aws_s3_bucket: { b: { bucket: "x", tags: { A: "1" } } } },
    });
  });
});

describe("jsonDifferences", () => {
  it("finds nothing between equal values", () => {
    expect(jsonDifferences({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });

  it("names each changed, added and removed value by its path", () => {
    expect(jsonDifferences({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: 3, d: 4 }, l: [1, 5] })).toEqual([
      "a.b: 1 -> 3",
      "a.c: 2 -> (absent)",
      "a.d: (absent) -> 4",
      "l[1]: 2 -> 5",
    ]);
  });

  it("shows two long strings from a little before where they first differ", () => {
    const policy = (account: string) => `${"-".repeat(100)}SourceAccount=${account};`;
    const at = `${"-".repeat(16)}SourceAccount=`; // the 30 characters of JSON text before the first difference
    expect(jsonDifferences({ p: policy("111") }, { p: policy("222") })).toEqual([`p: ...${at}111;" -> ...${at}222;"`]);
  });

  it("treats an array and an object with the same keys as different", () => {
    expect(jsonDifferences({ a: ["x"] }, { a: { 0: "x" } })).toEqual(['a.0: (absent) -> "x"', 'a[0]: "x" -> (absent)']);
  });
});

describe("compareStacks", () => {
  it("ignores metadata, reports changed arguments, and stacks on one side only", () => {
    const base = { same: bucket({ A: "1" }), changed: bucket({ A: "1" }), gone: bucket({}) };
    const head = {
      same: { ...bucket({ A: "1" }), "//": { metadata: { path: "moved/elsewhere" } } },
      changed: bucket({ A: "2" }),
      added: bucket({}),
    };
    expect(compareStacks(base, head)).toEqual([
      { stack: "added", status: "only-in-head", differences: [] },
      { stack: "changed", status: "different", differences: ['resource.aws_s3_bucket.b.tags.A: "1" -> "2"'] },
      { stack: "gone", status: "only-in-base", differences: [] },
      { stack: "same", status: "identical", differences: [] },
    ]);
  });
});

describe("report", () => {
  it("lists at most `limit` differences per stack and counts the rest", () => {
    const comparisons = [
      { stack: "s", status: "different" as const, differences: ["a: 1 -> 2", "b: 1 -> 2", "c: 1 -> 2"] },
      { stack: "t", status: "identical" as const, differences: [] },
    ];
    expect(report(comparisons, 2)).toEqual([
      "s: 3 difference(s)",
      "  a: 1 -> 2",
      "  b: 1 -> 2",
      "  ... and 1 more",
      "t: identical",
    ]);
  });
});

describe("npm run synth:compare", () => {
  it("refuses a bad --limit in one line with exit 2, before synthesizing anything", () => {
    const root = join(__dirname, "..");
    const run = spawnSync(
      process.execPath,
      [join(root, "scripts", "run-ts.js"), join(root, "scripts", "synth-compare", "cli.ts"), "HEAD", "--limit", "x"],
      { cwd: root, encoding: "utf8" },
    );
    expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({
      status: 2,
      stderr:
        'synth:compare: --limit: received "x"; allowed: a whole number >= 0 (usage: npm run synth:compare -- <git-ref> [--config <override.json>] [--limit <n>])',
    });
  });
});
