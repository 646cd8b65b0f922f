// `npm run deploy|plan|diff -- <env> [options]` (see command.ts), and `matrix`: the workflow's
// plan matrix as a `matrix=<json>` line for $GITHUB_OUTPUT. `--print <action> <env>` prints the
// command as JSON instead of starting it.
import { spawnSync } from "node:child_process";

import { environmentCommand, planMatrix } from "./command";

const argv = process.argv.slice(2);
const print = argv[0] === "--print";
const [action, ...args] = print ? argv.slice(1) : argv;
if (action === "matrix") {
  console.log(`matrix=${JSON.stringify(planMatrix())}`);
} else {
  const command = environmentCommand(action ?? "", args);
  if (typeof command === "string") {
    console.error(command);
    process.exitCode = 2;
  } else if (print) {
    console.log(JSON.stringify({ command: command.command, args: command.args, cwd: command.cwd }));
  } else {
    const result = spawnSync(command.command, command.args, { env: command.env, cwd: command.cwd, stdio: "inherit" });
    if (result.error) console.error(`${action}: ${result.error.message}`);
    process.exitCode = result.status ?? 1;
  }
}
