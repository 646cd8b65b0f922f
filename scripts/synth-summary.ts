// Printed by `npm run synth` after a successful synth (chained in package.json, so the cdktf CLI,
// which runs scripts/synth.js as the app for diff/deploy, never prints it): one screen with the
// stacks, their resource counts and estimated monthly cost.
import { printSynthSummary } from "./cost/summary";

printSynthSummary();
