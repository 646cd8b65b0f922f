// `npm run diagram`: regenerates docs/architecture.dot and docs/architecture.svg from a fresh synth
// of the production stack. `npm run diagram -- --check` only reports whether they are current.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { parseCommandLine, UsageError } from "../command-line";
import { PROJECT_ROOT } from "../project-root";
import { DIAGRAM_DOT, DIAGRAM_SVG, renderDiagram, synthesizeForDiagram } from "./generate";

async function main(): Promise<void> {
  let check: boolean;
  try {
    check =
      parseCommandLine(process.argv.slice(2), { check: { type: "boolean" } }, { positionals: false }).values.check ??
      false;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`diagram: ${error.message} (usage: npm run diagram [-- --check])`);
    process.exitCode = 2;
    return;
  }
  const { name, json } = synthesizeForDiagram();
  const { dot, svg } = await renderDiagram(name, json);
  const files: [string, string][] = [
    [join(PROJECT_ROOT, DIAGRAM_DOT), dot],
    [join(PROJECT_ROOT, DIAGRAM_SVG), svg],
  ];
  const stale = files
    .filter(([file, text]) => !existsSync(file) || readFileSync(file, "utf8") !== text)
    .map(([file]) => file);
  if (check) {
    if (stale.length > 0) {
      console.error(`Stale: ${stale.join(", ")}. Run npm run diagram and commit the result.`);
      process.exitCode = 1;
    } else console.log("docs/architecture.dot and docs/architecture.svg are current.");
    return;
  }
  for (const [file, text] of files) writeFileSync(file, text);
  console.log(`Wrote ${DIAGRAM_DOT} and ${DIAGRAM_SVG} from ${name}${stale.length === 0 ? " (unchanged)" : ""}.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
