// `npm run plan:<env>`: see scripts/terraform/plan-environment.ts.
import { main } from "./plan-environment";

process.exitCode = main();
