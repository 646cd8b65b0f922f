import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

import { type Action, allowedNames } from "../scripts/environment/command";
import { buildApp } from "../stacks/app";

/**
 * Commands in the docs must match the code: every stack named in a command of README.md or
 * docs/**.md is a stack of the app (`buildApp()`), and every `npm run <script>` is a script of
 * package.json. A placeholder such as `npm run plan:<env>` must exist for every environment.
 */

const ROOT = join(__dirname, "..");
const { app } = buildApp({ env: {}, overrides: {} });
const STACKS = app.node.children.map((c) => c.node.id).sort();
const ENVIRONMENTS = STACKS.filter((s) => s !== "farmers-module-bootstrap").map((s) =>
  s.replace(/^farmers-module-/, ""),
);
const SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts,
);

export interface DocReference {
  readonly kind: "stack" | "script" | "environment";
  readonly name: string;
  readonly line: number;
  /** For an environment: the npm script it is the argument of (`npm run deploy -- dev`). */
  readonly action?: Action;
}

const STACK = "farmers-module-[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
/** Where a stack name is a stack: cdktf's stack argument, the synth folder, the bootstrap state file. */
const STACK_CONTEXTS = [
  new RegExp(
    `\\bcdktf\\s+(?:deploy|apply|diff|plan|destroy|synth|output|outputs|watch)\\b[^\\n\`|;&]*?\\b(${STACK})\\b(?![-.]?[A-Za-z0-9<{$])`,
    "g",
  ),
  new RegExp(`cdktf\\.out/stacks/(${STACK})\\b(?![-A-Za-z0-9<{$])`, "g"),
  new RegExp(`\\bterraform\\.(${STACK})\\.tfstate\\b`, "g"),
];
const NPM_RUN = /\bnpm\s+run(?:-script)?\s+([A-Za-z0-9:_.-]+)(<[A-Za-z-]+>)?/g;
/** The environment argument of the per-environment scripts; a placeholder (`<env>`, `$ENV`) is not one. */
const ENVIRONMENT_ARGUMENT = /\bnpm\s+run\s+(deploy|plan|diff)\s+--\s+([A-Za-z0-9_-]+)\b(?![<$])/g;

/** Stack names used in commands and `npm run` scripts in a markdown text, with line numbers. */
export function docReferences(markdown: string): DocReference[] {
  const refs: DocReference[] = [];
  markdown.split("\n").forEach((text, i) => {
    for (const pattern of STACK_CONTEXTS)
      for (const m of text.matchAll(pattern)) refs.push({ kind: "stack", name: m[1], line: i + 1 });
    // Several stacks after one cdktf command (`cdktf deploy a b`).
    for (const m of text.matchAll(new RegExp(`\\bcdktf\\s+(?:deploy|apply|diff|destroy)\\b((?:\\s+${STACK})+)`, "g")))
      for (const s of m[1].trim().split(/\s+/).slice(1)) refs.push({ kind: "stack", name: s, line: i + 1 });
    // A sentence may end right after the name ("run npm run synth."): trailing . and : are not part of it.
    for (const m of text.matchAll(NPM_RUN))
      refs.push({ kind: "script", name: m[2] ? m[1] + m[2] : m[1].replace(/[.:]+$/, ""), line: i + 1 });
    for (const m of text.matchAll(ENVIRONMENT_ARGUMENT))
      refs.push({ kind: "environment", name: m[2], line: i + 1, action: m[1] as Action });
  });
  return refs;
}

/** The references in `markdown` that name no stack of the app or no script of package.json. */
export function brokenReferences(
  markdown: string,
  stacks: readonly string[],
  scripts: readonly string[],
  environments: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const r of docReferences(markdown)) {
    if (r.kind === "environment" && r.action && !allowedNames(r.action, environments).includes(r.name))
      problems.push(
        `line ${r.line}: npm run ${r.action} -- ${r.name} (allowed: ${allowedNames(r.action, environments).join(", ")})`,
      );
    if (r.kind === "stack" && !stacks.includes(r.name))
      problems.push(`line ${r.line}: stack ${r.name} (stacks: ${stacks.join(", ")})`);
    if (r.kind === "script") {
      const placeholder = /<([A-Za-z-]+)>$/.exec(r.name);
      const names = placeholder
        ? placeholder[1] === "env"
          ? environments.map((e) => r.name.replace(placeholder[0], e))
          : scripts.some((s) => s.startsWith(r.name.slice(0, placeholder.index)))
            ? []
            : [r.name]
        : [r.name];
      for (const n of names)
        if (!scripts.includes(n)) problems.push(`line ${r.line}: npm run ${n} (no such script in package.json)`);
    }
  }
  return problems;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith(".md") ? [path] : [];
    })
    .sort();
}

const DOCS = [join(ROOT, "README.md"), ...markdownFiles(join(ROOT, "docs"))];

describe("commands in the docs match the code", () => {
  test.each(DOCS.map((f) => relative(ROOT, f)))("%s names only existing stacks and npm scripts", (file) => {
    expect(brokenReferences(readFileSync(join(ROOT, file), "utf8"), STACKS, SCRIPTS, ENVIRONMENTS)).toEqual([]);
  });
});

describe("doc reference extraction", () => {
  const sample = [
    "Run `npx cdktf deploy farmers-module-prod` then `npm run deploy:prod`.",
    "```sh",
    "terraform -chdir=cdktf.out/stacks/farmers-module-staging state list",
    "npm run plan:<env>",
    "npm run cost -- production; then npm run synth.",
    "npm run deploy -- prod, npm run plan -- bootstrap, npm run diff -- <env>, npm run deploy -- $ENV",
    "```",
    "The cluster `farmers-module-production-cluster` and the log group /ecs/farmers-module-production are resources, not stacks.",
    "State of the bootstrap stack: terraform.farmers-module-bootstrap.tfstate; `cdktf diff farmers-module-<env>` is a placeholder.",
  ].join("\n");

  test("finds stacks in commands and npm scripts, not resource names or placeholders", () => {
    expect(docReferences(sample)).toEqual([
      { kind: "stack", name: "farmers-module-prod", line: 1 },
      { kind: "script", name: "deploy:prod", line: 1 },
      { kind: "stack", name: "farmers-module-staging", line: 3 },
      { kind: "script", name: "plan:<env>", line: 4 },
      { kind: "script", name: "cost", line: 5 },
      { kind: "script", name: "synth", line: 5 },
      { kind: "script", name: "deploy", line: 6 },
      { kind: "script", name: "plan", line: 6 },
      { kind: "script", name: "diff", line: 6 },
      { kind: "script", name: "deploy", line: 6 },
      { kind: "environment", name: "prod", line: 6, action: "deploy" },
      { kind: "environment", name: "bootstrap", line: 6, action: "plan" },
      { kind: "stack", name: "farmers-module-bootstrap", line: 9 },
    ]);
  });

  test("fails when a doc names a stack or a script that does not exist", () => {
    expect(
      brokenReferences(sample, STACKS, ["cost", "synth", "plan:dev", "deploy", "plan", "diff"], ["dev", "prod"]),
    ).toEqual([
      `line 1: stack farmers-module-prod (stacks: ${STACKS.join(", ")})`,
      "line 1: npm run deploy:prod (no such script in package.json)",
      "line 4: npm run plan:prod (no such script in package.json)",
      "line 6: npm run plan -- bootstrap (allowed: dev, prod)",
    ]);
  });
});

/**
 * The database's parameter group is created with a name prefix (Terraform appends a unique
 * suffix, constructs/data/database.ts), so `farmers-module-<env>-postgres16` names no group in
 * AWS: a restore command passing it fails with DBParameterGroupNotFound. Commands must read the
 * group's name from the running instance instead.
 */
export function fixedParameterGroupNames(markdown: string): string[] {
  return markdown
    .split("\n")
    .flatMap((text, i) =>
      [...text.matchAll(/--db-parameter-group-name[ =]+"?(farmers-module-[^\s"]*)/g)].map(
        (m) => `line ${i + 1}: ${m[1]}`,
      ),
    );
}

describe("restore commands name the parameter group AWS has", () => {
  test.each(DOCS.map((f) => relative(ROOT, f)))("%s passes no fixed parameter group name", (file) => {
    // GIVEN a doc  WHEN its --db-parameter-group-name arguments are read  THEN none is a literal name
    expect(fixedParameterGroupNames(readFileSync(join(ROOT, file), "utf8"))).toEqual([]);
  });

  test("fails when a command passes the prefix as a name", () => {
    // GIVEN a restore command with the literal name  WHEN checked  THEN the line is reported
    expect(
      fixedParameterGroupNames(
        'x\n  --db-parameter-group-name "farmers-module-$ENV-postgres16" \\\n  --db-parameter-group-name "$PARAMETER_GROUP"',
      ),
    ).toEqual(["line 2: farmers-module-$ENV-postgres16"]);
  });
});
