// `npm run plan:offline [-- <env|stack>...]`: see scripts/terraform/plan-offline.ts.
import { OfflinePlanError } from "./offline";
import { main } from "./plan-offline";
import { ProviderSourceError } from "./providers";

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    if (error instanceof ProviderSourceError || error instanceof OfflinePlanError) {
      console.error(`plan:offline: ${error.message}`);
      process.exitCode = 2;
    } else throw error;
  },
);
