// Printed by `npm run synth` after a successful synth (run through scripts/run-ts.js, chained
// in package.json; the cdktf CLI runs scripts/synth.js alone as the app for diff/deploy, so it
// never prints this): one screen with the stacks, their resource counts and monthly estimates.
import { printSynthSummary } from "./cost/summary";

printSynthSummary();
