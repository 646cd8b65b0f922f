import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { type Json } from "../../constructs/terraform-json";
import { offlineEnvironment, type OfflineOptions, prepareForOfflinePlan } from "./offline";
import {
  pinnedProviders,
  type ProviderSetup,
  providerSetup,
  type ProviderSource,
  selectProviderSource,
} from "./providers";

/**
 * A scratch folder where synthesized stacks are validated or planned offline. Providers are
 * installed once (from the mirror or the registry, see providers.ts) into a shared data dir;
 * each validate or plan run gets a folder with one module per stack, a copy of the lock file and
 * a link to the shared providers, so no run needs `init`.
 */

const run = promisify(execFile);
/** Variables every terraform run here gets: no metadata probes, no checkpoint calls. */
export const TERRAFORM_ENV = { AWS_EC2_METADATA_DISABLED: "true", CHECKPOINT_DISABLE: "1" } as const;

const MAX_BUFFER = 256 * 1024 * 1024;
/** A terraform run that takes longer than this is killed and reported, never left hanging (a whole plan takes well under a minute). */
const TIMEOUT_MS = 10 * 60 * 1000;

export interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string };
}

export interface ValidationResult {
  readonly stack: string;
  readonly valid: boolean;
  readonly errors: string[];
  readonly warnings: number;
}

export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

export interface PlanResult {
  readonly stack: string;
  readonly ok: boolean;
  readonly errors: string[];
  readonly counts?: PlanCounts;
  /** `terraform show -json` of the saved plan. */
  readonly plan?: Json;
  /** Data sources replaced by stand-ins. */
  readonly standIns: readonly string[];
}

/** The terraform binary on PATH, or undefined when there is none. */
export async function terraformVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run("terraform", ["version", "-json"], { env: terraformEnv() });
    return (JSON.parse(stdout) as { terraform_version: string }).terraform_version;
  } catch {
    return undefined;
  }
}

/**
 * The environment of every terraform run here. GOGC=400 (unless the caller sets GOGC) makes the
 * Go garbage collector of terraform and the provider plugins it starts run a quarter as often:
 * measured here on the combined plan of the five stacks, 16.4 s of CPU instead of 19.8 s, for
 * about 100 MB more peak memory per process.
 */
function terraformEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { GOGC: "400", ...process.env, ...TERRAFORM_ENV, ...extra };
}

/** Rewrites a synthesized stack for the provider setup: no backend, the install's versions, stand-ins for providers it lacks. Pure. */
export function prepareStack(stack: Json, setup: Pick<ProviderSetup, "requiredProviders" | "standInProviders">): Json {
  const copy: Json = JSON.parse(JSON.stringify(stack));
  delete copy.terraform?.backend;
  const providers: Json = copy.terraform?.required_providers ?? {};
  for (const name of Object.keys(providers)) {
    const wanted = setup.requiredProviders[name];
    if (wanted) providers[name] = { ...providers[name], version: wanted.version };
    else delete providers[name];
  }
  for (const name of Object.keys(copy.provider ?? {})) if (!setup.requiredProviders[name]) delete copy.provider[name];

  // terraform_data stand-ins for resources of providers the install lacks, so references resolve.
  const standIns: string[] = [];
  for (const type of Object.keys(copy.resource ?? {})) {
    if (!setup.standInProviders.includes(type.split("_")[0])) continue;
    copy.resource.terraform_data ??= {};
    for (const name of Object.keys(copy.resource[type])) {
      copy.resource.terraform_data[`${type}_${name}`] = { input: `stand-in for ${type}.${name}` };
    }
    standIns.push(type);
    delete copy.resource[type];
  }
  if (standIns.length === 0) return copy;
  const pattern = new RegExp(`\\b(${standIns.join("|")})\\.([A-Za-z0-9_-]+)\\.[A-Za-z0-9_]+`, "g");
  return JSON.parse(
    JSON.stringify(copy).replace(pattern, (_m, type: string, name: string) => `terraform_data.${type}_${name}.output`),
  );
}

function diagnosticsToErrors(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `${d.summary}${d.address ? ` [${d.address}]` : ""}: ${(d.detail ?? "").replace(/\s+/g, " ")}`.trim());
}

/** stdout of a terraform command whether it exits 0 or not; throws only when it printed nothing. */
async function terraform(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run("terraform", args, { cwd, env, maxBuffer: MAX_BUFFER, timeout: TIMEOUT_MS });
    return { stdout, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number; killed?: boolean; message: string };
    if (e.killed)
      throw new Error(
        `terraform ${args[0]} in ${cwd} did not finish within ${TIMEOUT_MS / 60_000} minutes and was stopped`,
      );
    if (!e.stdout) throw new Error(`terraform ${args[0]} failed in ${cwd}: ${(e.stderr || e.message).trim()}`);
    return { stdout: e.stdout, code: typeof e.code === "number" ? e.code : 1 };
  }
}

export interface WorkspaceOptions {
  readonly source?: ProviderSource;
}

/** Validate and offline plan of synthesized stacks, sharing one provider install. */
export class Workspace {
  /** Creates the scratch folder and installs the providers once (`terraform init` of an empty configuration). */
  static async open(stacks: Readonly<Record<string, Json>>, options: WorkspaceOptions = {}): Promise<Workspace> {
    const setup = providerSetup(options.source ?? selectProviderSource(), pinnedProviders(stacks));
    const work = mkdtempSync(join(tmpdir(), "farmers-terraform-"));
    const cliConfig = join(work, "terraform.rc");
    writeFileSync(cliConfig, setup.cliConfig);
    if (setup.source.kind === "registry") mkdirSync(setup.source.pluginCacheDir, { recursive: true });
    const sharedDataDir = join(work, "shared-data-dir");
    const env = terraformEnv({ TF_CLI_CONFIG_FILE: cliConfig, TF_DATA_DIR: sharedDataDir, TF_IN_AUTOMATION: "1" });
    const template = join(work, "init");
    mkdirSync(template);
    writeFileSync(join(template, "main.tf.json"), JSON.stringify(installConfiguration(setup)));
    await run("terraform", initArguments(), { cwd: template, env });
    return new Workspace(stacks, setup, work, env, sharedDataDir);
  }

  private runs = 0;

  private constructor(
    readonly stacks: Readonly<Record<string, Json>>,
    readonly setup: ProviderSetup,
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly sharedDataDir: string,
  ) {}

  /** `terraform validate` of the stacks, in one run (see planAll for why one). */
  async validateAll(names = Object.keys(this.stacks)): Promise<ValidationResult[]> {
    const config = this.combined(names, (name) => ({
      stack: prepareStack(this.stacks[name], this.setup),
      variables: {},
    }));
    const { stdout } = await terraform(["validate", "-json", "-no-color"], config.dir, config.env);
    const report = JSON.parse(stdout) as { valid: boolean; diagnostics: Diagnostic[] };
    return names.map((name) => {
      const own = report.diagnostics.filter((d) => [undefined, name].includes(config.owner(d)));
      const errors = diagnosticsToErrors(own);
      return { stack: name, valid: errors.length === 0, errors, warnings: own.length - errors.length };
    });
  }

  /**
   * Offline plan (see offline.ts) of the stacks as ONE terraform configuration, one module per
   * stack (each keeping its own provider block), saved to `tfplan`, then one `terraform show
   * -json`, split back per stack. One run instead of one per stack because every terraform run
   * pays a fixed cost for loading the aws provider's schema (about 4 s of CPU for a plan of one
   * resource, 3.5 s for a `show -json`, measured here on aws 5.100.0), close to what planning a
   * whole stack costs. A data source without a stand-in fails here, before terraform starts.
   * One stack's error fails the run, so a stack meant to fail belongs in a run of its own.
   */
  async planAll(names = Object.keys(this.stacks), options: OfflineOptions = {}): Promise<PlanResult[]> {
    const standIns: Record<string, readonly string[]> = {};
    const config = this.combined(names, (name) => {
      const offline = prepareForOfflinePlan(prepareStack(this.stacks[name], this.setup), name, options);
      standIns[name] = offline.standIns;
      return offline;
    });
    const env = offlineEnvironment(config.env);
    const args = ["plan", "-json", "-input=false", "-lock=false", "-no-color", "-out=tfplan"];
    const { stdout, code } = await terraform(args, config.dir, env);
    const diagnostics = stdout
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => (JSON.parse(line) as { diagnostic?: Diagnostic }).diagnostic ?? []);
    if (code !== 0 || !existsSync(join(config.dir, "tfplan"))) {
      const failed = names.filter((n) => diagnostics.some((d) => d.severity === "error" && config.owner(d) === n));
      return names.map((name) => {
        const own = diagnosticsToErrors(diagnostics.filter((d) => [undefined, name].includes(config.owner(d))));
        const errors =
          own.length > 0
            ? own
            : [
                `not planned: the plan of ${failed.join(", ") || "these stacks"} failed (terraform exited with ${code})`,
              ];
        return { stack: name, ok: false, errors, standIns: standIns[name] };
      });
    }
    const shown = JSON.parse((await terraform(["show", "-json", "tfplan"], config.dir, env)).stdout) as Json;
    return names.map((name) => {
      const plan = planOfModule(shown, name);
      return { stack: name, ok: true, errors: [], counts: countChanges(plan), plan, standIns: standIns[name] };
    });
  }

  /** Offline plan of one stack. */
  async plan(name: string): Promise<PlanResult> {
    return (await this.planAll([name]))[0];
  }

  /** Removes the scratch folder. */
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * A folder holding one root configuration with a module per stack, its own data dir linking
   * the shared providers, and the module manifest `init` would write for local modules (so the
   * run needs no `init`). `owner` tells which stack a diagnostic belongs to.
   */
  private combined(
    names: readonly string[],
    prepare: (name: string) => { stack: Json; variables: Record<string, unknown> },
  ) {
    const dir = join(this.dir, `run-${++this.runs}`);
    mkdirSync(dir);
    copyFileSync(join(this.dir, "init", ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));
    const root: Json = { ...installConfiguration(this.setup), module: {} };
    for (const name of names) {
      const { stack, variables } = prepare(name);
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "cdk.tf.json"), JSON.stringify(stack, null, 2));
      root.module[name] = { source: `./${name}`, ...variables };
    }
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(root, null, 2));
    const dataDir = join(dir, ".terraform");
    mkdirSync(join(dataDir, "modules"), { recursive: true });
    symlinkSync(join(this.sharedDataDir, "providers"), join(dataDir, "providers"));
    const manifest = [{ Key: "", Source: "", Dir: "." }, ...names.map((n) => ({ Key: n, Source: `./${n}`, Dir: n }))];
    writeFileSync(join(dataDir, "modules", "modules.json"), JSON.stringify({ Modules: manifest }));
    const owner = (d: Diagnostic) =>
      names.find((n) => d.range?.filename.startsWith(`${n}/`) || d.address?.startsWith(`module.${n}.`));
    return { dir, env: { ...this.env, TF_DATA_DIR: dataDir }, owner };
  }
}

/** The configuration `init` installs from: exactly the setup's provider versions. */
export function installConfiguration(setup: Pick<ProviderSetup, "requiredProviders">): Json {
  return {
    terraform: {
      required_providers: Object.fromEntries(
        Object.entries(setup.requiredProviders).map(([name, p]) => [name, { source: p.source, version: p.version }]),
      ),
    },
  };
}

/** Arguments of the one `init`: never a backend, never a prompt. */
export function initArguments(): string[] {
  return ["init", "-backend=false", "-input=false", "-no-color"];
}

/** Changes as `terraform plan` counts them: a replacement is one add and one destroy. */
function countChanges(plan: Json): PlanCounts {
  let add = 0;
  let change = 0;
  let destroy = 0;
  for (const rc of (plan.resource_changes ?? []) as { change: { actions: string[] } }[]) {
    const actions = rc.change.actions;
    if (actions.includes("create")) add++;
    if (actions.includes("delete")) destroy++;
    if (actions.includes("update")) change++;
  }
  return { add, change, destroy };
}

/**
 * The part of a combined plan (one module per stack) that belongs to `module.<name>`, with the
 * module prefix removed, so it reads like `terraform show -json` of that stack alone
 * (resource_changes, planned_values, resource_drift; root outputs are not carried over).
 */
function planOfModule(plan: Json, name: string): Json {
  const prefix = `module.${name}.`;
  const strip = (items: Json[] | undefined) =>
    (items ?? [])
      .filter((r) => typeof r.address === "string" && r.address.startsWith(prefix))
      .map((r) => {
        const { module_address: _module, ...rest } = r;
        return { ...rest, address: (r.address as string).slice(prefix.length) };
      });
  const child = ((plan.planned_values?.root_module?.child_modules ?? []) as Json[]).find(
    (m) => m.address === `module.${name}`,
  );
  return {
    format_version: plan.format_version,
    terraform_version: plan.terraform_version,
    planned_values: { root_module: { resources: strip(child?.resources) } },
    resource_changes: strip(plan.resource_changes),
    resource_drift: strip(plan.resource_drift),
    errored: plan.errored ?? false,
  };
}
