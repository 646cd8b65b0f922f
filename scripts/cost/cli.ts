// `npm run cost`: see scripts/cost/command.ts for the arguments.
import { main } from "./command";

main();
