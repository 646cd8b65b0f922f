import ts from "typescript";

/**
 * The switch from CDK for Terraform (cdktf) to its community fork CDK Terrain (cdktn) as a
 * mechanical rewrite with an explicit mapping. Pure functions over file contents: the check
 * (`npm run check:cdktn`, check.ts) applies them to a scratch copy of the project; nothing here
 * touches the repository. Whatever the codemod cannot map with certainty stops it with a
 * `CodemodError` naming the file, the line and what to do, rather than leaving cdktf behind.
 */

/** Exact versions installed by the switch (npm view, 2026-12-01). */
export const CDKTN_VERSIONS = {
  cdktn: "0.24.0",
  "cdktn-cli": "0.24.0",
  "@cdktn/provider-aws": "25.7.0", // AWS provider 6.66.0
  "@cdktn/provider-random": "15.0.1", // random provider 3.9.1
  constructs: "10.6.0", // cdktn's peer range is >=10.6.0 <10.8.0
} as const;

/** cdktn-cli's `engines` (and @cdktn/provider-* need >= 22.11). */
const CDKTN_NODE_ENGINE = ">=22.19.0";

/** package.json dependency of cdktf -> its cdktn replacement. `constructs` keeps its name, pinned. */
const PACKAGE_MAPPING: Record<string, keyof typeof CDKTN_VERSIONS> = {
  cdktf: "cdktn",
  "cdktf-cli": "cdktn-cli",
  "@cdktf/provider-aws": "@cdktn/provider-aws",
  "@cdktf/provider-random": "@cdktn/provider-random",
  constructs: "constructs",
};

/** Provider packages whose classes are imported by deep path (`<package>/lib/<resource>`). */
const PROVIDERS: Record<string, string> = {
  "@cdktf/provider-aws": "@cdktn/provider-aws",
  "@cdktf/provider-random": "@cdktn/provider-random",
};

/** An import the codemod cannot rewrite; the message names the file, the import and why. */
export class CodemodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodemodError";
  }
}

/** Whether a module name belongs to cdktf (and so must be mapped or rejected). */
function isCdktfModule(name: string): boolean {
  return /^(cdktf|cdktf-cli)(\/|$)/.test(name) || name.startsWith("@cdktf/");
}

/**
 * The cdktn module for a cdktf module name, the name itself for any other module, or an error
 * message when a cdktf module has no mapping.
 */
export function mapModule(name: string): string | { error: string } {
  if (name === "cdktf" || name.startsWith("cdktf/")) return `cdktn${name.slice("cdktf".length)}`;
  for (const [from, to] of Object.entries(PROVIDERS)) {
    if (name.startsWith(`${from}/lib/`) || name === `${from}/package.json`) return `${to}${name.slice(from.length)}`;
    if (name === from || name.startsWith(`${from}/`))
      return { error: `"${name}" is not a deep provider import; import provider classes as "${from}/lib/<resource>"` };
  }
  if (isCdktfModule(name)) return { error: `"${name}" has no cdktn mapping; add one to scripts/cdktn/codemod.ts` };
  return name;
}

function isRequireLike(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true; // import("x")
  if (ts.isIdentifier(callee)) return callee.text === "require";
  // require.resolve("x"), jest.mock("x"), jest.requireActual("x"), ...
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    ["require", "jest"].includes(callee.expression.text)
  );
}

/** Module-name string literals of a file: import/export declarations, require/import() calls, import types. */
function moduleSpecifiers(source: ts.SourceFile): Set<ts.Node> {
  const found = new Set<ts.Node>();
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      found.add(node.moduleSpecifier);
    else if (ts.isExternalModuleReference(node)) found.add(node.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) found.add(node.argument.literal);
    else if (ts.isCallExpression(node) && isRequireLike(node) && node.arguments.length > 0)
      found.add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function scriptKind(file: string): ts.ScriptKind {
  if (/\.[cm]?tsx?$/.test(file)) return file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

/**
 * Rewrites every import of a cdktf package in one TypeScript/JavaScript file to cdktn. Returns
 * the new text and how many module names changed. Throws a CodemodError for a cdktf module it
 * cannot map, a cdktf module named by a computed expression, or a string that looks like a cdktf
 * module path outside an import (it may be loaded indirectly).
 */
export function rewriteSource(file: string, text: string): { text: string; changed: number } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const specifiers = moduleSpecifiers(source);
  const edits: { start: number; end: number; text: string }[] = [];
  const problems: string[] = [];
  const where = (node: ts.Node): string =>
    `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;

  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (specifiers.has(node)) {
        const mapped = mapModule(node.text);
        if (typeof mapped !== "string") problems.push(`${where(node)}: ${mapped.error}`);
        else if (mapped !== node.text)
          edits.push({ start: node.getStart(source) + 1, end: node.getEnd() - 1, text: mapped });
      } else if (/^(cdktf|cdktf-cli)\/|^@cdktf\//.test(node.text)) {
        // A bare "cdktf" value (a tag, a word in a message) is not a module; a path under it is.
        problems.push(
          `${where(node)}: the string "${node.text}" names a cdktf module outside an import or require; import it directly so the codemod can map it`,
        );
      }
    } else if (specifiers.has(node) && /cdktf/.test(node.getText(source))) {
      problems.push(
        `${where(node)}: a module named by an expression (${node.getText(source)}) cannot be mapped; use a string literal`,
      );
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (problems.length > 0) throw new CodemodError(`cannot switch to cdktn:\n  ${problems.join("\n  ")}`);

  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, changed: edits.length };
}

type PackageJson = {
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  [key: string]: unknown;
};

/** The `cdktf` command word in an npm script (`cdktf deploy x`, `npx cdktf diff`), not `cdktf.out`. */
const CDKTF_COMMAND = /(^|[\s;&|(])cdktf(?=\s|$)/g;

/**
 * package.json for cdktn: each cdktf package replaced by its cdktn package at the exact version
 * (same section, same position), constructs pinned to 10.6.0, `cdktf` commands in scripts become
 * `cdktn`, and `engines.node` becomes cdktn-cli's. Throws for a cdktf package without a mapping.
 */
export function rewritePackageJson(text: string): string {
  const pkg = JSON.parse(text) as PackageJson;
  const unknown: string[] = [];
  for (const section of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"] as const) {
    const deps = pkg[section];
    if (!deps) continue;
    pkg[section] = Object.fromEntries(
      Object.entries(deps).map(([name, version]) => {
        const target = PACKAGE_MAPPING[name];
        if (target) return [target, CDKTN_VERSIONS[target]];
        if (isCdktfModule(name)) unknown.push(`${section}.${name}`);
        return [name, version];
      }),
    );
  }
  if (unknown.length > 0)
    throw new CodemodError(
      `package.json: no cdktn mapping for ${unknown.join(", ")}; add one to scripts/cdktn/codemod.ts`,
    );
  if (pkg.scripts)
    pkg.scripts = Object.fromEntries(
      Object.entries(pkg.scripts).map(([name, command]) => [name, command.replace(CDKTF_COMMAND, "$1cdktn")]),
    );
  pkg.engines = { ...pkg.engines, node: CDKTN_NODE_ENGINE };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** What the provider packages pin, on each side: name (as in required_providers) -> version. */
export interface ProviderPins {
  readonly framework: { readonly from: string; readonly to: string };
  readonly providers: Readonly<Record<string, { readonly from: string; readonly to: string }>>;
}

/**
 * A jest snapshot of synthesized stacks, with the cdktf pins replaced by cdktn's: the framework
 * version in each stack's metadata and each provider's `version` in `required_providers` (cdktn's
 * AWS provider also spells its source `hashicorp/aws` where cdktf wrote `aws`: the same provider,
 * see compare.ts). Only lines in those two places change; throws if a snapshot that synthesizes
 * providers shows none of them, so a change of snapshot layout cannot pass unnoticed.
 */
export function rewriteSnapshot(text: string, pins: ProviderPins): { text: string; changed: number } {
  const lines = text.split("\n");
  let changed = 0;
  let versions = 0;
  let block: number | undefined; // indentation of the open "required_providers" key
  let provider: string | undefined;
  const indent = (line: string): number => /^ */.exec(line)![0].length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*"required_providers": \{$/.test(line)) {
      block = indent(line);
      continue;
    }
    if (block !== undefined && indent(line) <= block) block = provider = undefined;
    if (block !== undefined && indent(line) === block + 2) provider = /^\s*"([^"]+)": \{$/.exec(line)?.[1];
    const pin =
      block !== undefined
        ? provider && pins.providers[provider]
        : /^\s*"stackName": /.test(lines[i - 1] ?? "")
          ? pins.framework
          : undefined;
    const version = /^\s*"version": "([^"]+)",?$/.exec(line);
    if (pin && version && version[1] === pin.from) {
      lines[i] = line.replace(`"${pin.from}"`, `"${pin.to}"`);
      changed++;
      versions++;
    } else if (provider === "aws" && /^\s*"source": "aws",?$/.test(line)) {
      lines[i] = line.replace('"aws"', '"hashicorp/aws"');
      changed++;
    }
  }
  if (versions === 0 && text.includes('"required_providers"'))
    throw new CodemodError(
      "snapshot: no provider or framework version pins found to rewrite; update rewriteSnapshot in scripts/cdktn/codemod.ts",
    );
  return { text: lines.join("\n"), changed };
}
