import { App } from "cdktf";

import { ConfigError, loadAllEnvironments, type LoadOptions } from "../config/load";
import { BootstrapStack } from "./bootstrap-stack";
import { EnvironmentStack } from "./environment-stack";

export interface BuildAppOptions extends LoadOptions {
  /** Where synth writes. @default - CDKTF_OUTDIR, else cdktf.out */
  readonly outdir?: string;
}

/** The whole application: the bootstrap stack and one stack per environment. */
export function buildApp(options: BuildAppOptions = {}): {
  app: App;
  environments: EnvironmentStack[];
  bootstrap: BootstrapStack;
} {
  const configs = loadAllEnvironments(options);
  const app = new App({ outdir: options.outdir, skipValidation: false });
  // One bootstrap stack creates one bucket and table: every environment must name the same.
  const { state, allowedAccountIds, tags } = configs[0];
  for (const c of configs) {
    if (JSON.stringify(c.state) !== JSON.stringify(state))
      throw new ConfigError(c.name, [
        `state: received ${JSON.stringify(c.state)}; allowed: the same state settings as ${configs[0].name} (${JSON.stringify(state)}), since one bootstrap stack creates them`,
      ]);
  }
  const bootstrap = new BootstrapStack(app, {
    state,
    allowedAccountIds,
    tags: { Service: tags.Service, ManagedBy: tags.ManagedBy, Repository: tags.Repository },
  });
  const environments = configs.map((config) => new EnvironmentStack(app, config));
  return { app, environments, bootstrap };
}
