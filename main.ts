import { buildApp } from "./stacks/app";

// Entry point for `cdktf synth|diff|deploy` and `npm run synth`: one stack per environment
// plus the state bootstrap. Configuration errors stop here, before anything reaches Terraform.
const { app } = buildApp();
app.synth();
