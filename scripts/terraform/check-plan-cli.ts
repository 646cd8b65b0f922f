// `npm run check-plan -- <plan.json> [--allow <address>]...`: see scripts/terraform/check-plan.ts.
import { main } from "./check-plan";

main();
