import { spawnSync } from "node:child_process";
import { join } from "node:path";

/**
 * The project's own lint rules (eslint.config.mjs) do what they promise: `npm test` runs
 * `npm run lint` over the tree; these tests prove the rules fire on code that breaks them.
 */

type Finding = { ruleId: string; message: string };

const DOCUMENTED = `import { Construct } from "constructs";\n\n/** A construct. */\nexport class Thing extends Construct {}\n`;
const THROWS = `/** Fails. */\nexport function check(): void {\n  throw new Error("no");\n}\n`;

/** Code and the file it pretends to be; all cases are linted by one ESLint process. */
const CASES = {
  documentedConstruct: { filePath: "constructs/thing.ts", code: DOCUMENTED },
  bareErrorInConstruct: { filePath: "constructs/thing.ts", code: `${DOCUMENTED}\n${THROWS}` },
  bareErrorInTest: { filePath: "__tests__/thing.ts", code: THROWS },
  undocumentedExport: { filePath: "config/thing.ts", code: "export function bare(): number {\n  return 1;\n}\n" },
  unsortedImports: {
    filePath: "stacks/thing.ts",
    code: `import { b } from "./b";\nimport { a } from "./a";\n\n/** Sum. */\nexport const sum = (): number => a + b;\n`,
  },
};

/** ESLint's findings per case, from ESLint's Node API in a child process (the config is ESM). */
function lintCases(): Record<keyof typeof CASES, Finding[]> {
  const program = `
    const { ESLint } = require("eslint");
    const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = {};
      for (const [name, { filePath, code }] of Object.entries(cases)) {
        const [result] = await eslint.lintText(code, { filePath });
        out[name] = result.messages.map(({ ruleId, message }) => ({ ruleId, message }));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const run = spawnSync(process.execPath, ["-e", program], {
    cwd: join(__dirname, ".."),
    input: JSON.stringify(CASES),
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<keyof typeof CASES, Finding[]>;
}

describe("lint rules", () => {
  let found: Record<keyof typeof CASES, Finding[]>;
  beforeAll(() => {
    found = lintCases();
  });

  it("passes a documented construct", () => {
    expect(found.documentedConstruct).toEqual([]);
  });

  it("refuses a bare Error thrown in a construct, naming what to throw instead", () => {
    expect(found.bareErrorInConstruct).toEqual([
      {
        ruleId: "no-restricted-syntax",
        message: "Throw a ValidationError (constructs/validation-error.ts) or ConfigError, not a bare Error.",
      },
    ]);
  });

  it("allows a bare Error in a test, where no operator reads it at synth", () => {
    expect(found.bareErrorInTest).toEqual([]);
  });

  it("refuses an exported function without a doc comment", () => {
    expect(found.undocumentedExport).toEqual([{ ruleId: "jsdoc/require-jsdoc", message: "Missing JSDoc comment." }]);
  });

  it("refuses imports out of order", () => {
    expect(found.unsortedImports.map((m) => m.ruleId)).toEqual(["simple-import-sort/imports"]);
  });
});
