import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Real `terraform validate` of synthesized stacks on a machine with no AWS account and no
 * registry: providers come from a filesystem mirror, the backend is removed, the aws version
 * constraint is set to the mirrored version, and resources of providers the mirror lacks
 * (random) become `terraform_data` stand-ins so references to them still resolve.
 */

const run = promisify(execFile);

/** Variables every terraform run here gets: no metadata probes, no checkpoint calls. */
export const TERRAFORM_ENV = { AWS_EC2_METADATA_DISABLED: "true", CHECKPOINT_DISABLE: "1" } as const;

export const DEFAULT_MIRROR = process.env.TF_PROVIDER_MIRROR ?? "/opt/tf-plugins";

export interface ValidationResult {
  readonly stack: string;
  readonly valid: boolean;
  readonly errors: string[];
  readonly warnings: number;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The terraform binary on PATH, or undefined when there is none. */
export async function terraformVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run("terraform", ["version", "-json"], { env: terraformEnv() });
    return (JSON.parse(stdout) as { terraform_version: string }).terraform_version;
  } catch {
    return undefined;
  }
}

/** The aws provider versions present in the mirror. */
export function mirroredAwsVersions(mirror = DEFAULT_MIRROR): string[] {
  const dir = join(mirror, "registry.terraform.io", "hashicorp", "aws");
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Rewrites a synthesized stack so it validates offline against `awsVersion`. Pure. */
export function prepareForValidation(stack: Json, awsVersion: string): Json {
  const copy: Json = JSON.parse(JSON.stringify(stack));
  delete copy.terraform?.backend;
  const providers: Json = copy.terraform?.required_providers ?? {};
  for (const name of Object.keys(providers)) {
    if (name === "aws") providers.aws.version = awsVersion;
    else delete providers[name];
  }
  for (const name of Object.keys(copy.provider ?? {})) if (name !== "aws") delete copy.provider[name];

  // Stand-ins for resources of providers the mirror does not hold.
  const standIns: string[] = [];
  for (const type of Object.keys(copy.resource ?? {})) {
    if (type.startsWith("aws_") || type === "terraform_data") continue;
    copy.resource.terraform_data ??= {};
    for (const name of Object.keys(copy.resource[type])) {
      copy.resource.terraform_data[`${type}_${name}`] = { input: `stand-in for ${type}.${name}` };
    }
    standIns.push(type);
    delete copy.resource[type];
  }
  if (standIns.length === 0) return copy;
  const pattern = new RegExp(`\\b(${standIns.join("|")})\\.([A-Za-z0-9_-]+)\\.[A-Za-z0-9_]+`, "g");
  return JSON.parse(JSON.stringify(copy).replace(pattern, (_m, type: string, name: string) => `terraform_data.${type}_${name}.output`));
}

function terraformEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...TERRAFORM_ENV, ...extra };
}

/**
 * Validates each stack (name -> synthesized JSON) in a scratch folder. Providers are installed
 * once from the mirror into a shared data dir; stacks are validated two at a time.
 */
export async function validateStacks(stacks: Record<string, Json>, options: { mirror?: string; concurrency?: number } = {}): Promise<ValidationResult[]> {
  const mirror = options.mirror ?? DEFAULT_MIRROR;
  const versions = mirroredAwsVersions(mirror);
  if (versions.length === 0) throw new Error(`no hashicorp/aws provider in the mirror ${mirror}`);
  const awsVersion = versions.sort().at(-1)!;

  const work = mkdtempSync(join(tmpdir(), "farmers-validate-"));
  const cliConfig = join(work, "terraform.rc");
  // Only the mirror: terraform cannot reach a registry, and must not try.
  writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`);
  const dataDir = join(work, "shared-data-dir");
  const env = terraformEnv({ TF_CLI_CONFIG_FILE: cliConfig, TF_DATA_DIR: dataDir, TF_IN_AUTOMATION: "1" });

  const template = join(work, "init");
  mkdirSync(template);
  writeFileSync(join(template, "main.tf.json"), JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: awsVersion } } } }));
  await run("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd: template, env });

  const validateOne = async (name: string): Promise<ValidationResult> => {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(prepareForValidation(stacks[name], awsVersion), null, 2));
    copyFileSync(join(template, ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));
    let stdout: string;
    try {
      ({ stdout } = await run("terraform", ["validate", "-json", "-no-color"], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }));
    } catch (error) {
      stdout = (error as { stdout?: string }).stdout ?? "";
      if (!stdout) throw error;
    }
    const report = JSON.parse(stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string; address?: string; range?: { filename: string } }[] };
    const errors = report.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `${d.summary}${d.address ? ` [${d.address}]` : ""}: ${(d.detail ?? "").replace(/\s+/g, " ")}`);
    return { stack: name, valid: report.valid, errors, warnings: report.diagnostics.length - errors.length };
  };

  const names = Object.keys(stacks);
  const results: ValidationResult[] = [];
  const concurrency = options.concurrency ?? 2;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, names.length) }, async () => {
      while (next < names.length) results.push(await validateOne(names[next++]));
    }),
  );
  return results.sort((a, b) => names.indexOf(a.stack) - names.indexOf(b.stack));
}
