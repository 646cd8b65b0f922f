// `npm run deploy|plan|diff -- <env> [options]` (see command.ts), and `matrix`: the workflow's
// plan matrix as a `matrix=<json>` line for $GITHUB_OUTPUT.
import { spawnSync } from "node:child_process";

import { environmentCommand, planMatrix } from "./command";

const [action, ...args] = process.argv.slice(2);
if (action === "matrix") {
  console.log(`matrix=${JSON.stringify(planMatrix())}`);
} else {
  const command = environmentCommand(action ?? "", args);
  if (typeof command === "string") {
    console.error(command);
    process.exitCode = 2;
  } else {
    const result = spawnSync(command.command, command.args, { env: command.env, cwd: command.cwd, stdio: "inherit" });
    if (result.error) console.error(`${action}: ${result.error.message}`);
    process.exitCode = result.status ?? 1;
  }
}
