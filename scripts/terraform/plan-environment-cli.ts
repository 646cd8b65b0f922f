// `npm run plan -- <env>` (through scripts/environment/cli.ts): see scripts/terraform/plan-environment.ts.
import { main } from "./plan-environment";

process.exitCode = main();
