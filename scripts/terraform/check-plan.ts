import { existsSync } from "node:fs";

import { type Json, readJsonFile } from "../../constructs/terraform-json";
import { parseCommandLine, UsageError } from "../command-line";

/**
 * `npm run check-plan -- <plan.json> [--allow <address>]... [--pull-request <pr.json> --environment <env>]`
 *
 * Reads `terraform show -json <planfile>` and refuses (exit 1) a plan that deletes or replaces a
 * resource holding data that cannot be re-created by applying again. `prevent_destroy` guards
 * only what it is set on, and a harmless-looking change (an identifier, a KMS key, a subnet
 * group) can force a replacement; this check looks at every stateful type in every stack.
 * Exit 0 when nothing stateful is destroyed (or every such address is allowed), 2 on bad input.
 */

/** Resource types whose deletion loses something an apply cannot bring back, and what. */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  // The database itself: rows are gone unless a final snapshot is taken and restored by hand;
  // identifier, kms_key_id, db_subnet_group_name, storage_encrypted force a new instance.
  aws_db_instance: "the database and its data (only a final snapshot survives)",
  aws_rds_cluster: "the database cluster and its data (only a final snapshot survives)",
  // A deleted secret is scheduled for deletion (7-30 days) and its name stays taken meanwhile;
  // values set by an operator (AAA API key, AAA default password) must be set again by hand.
  aws_secretsmanager_secret: "the secret and every value stored in it (names stay reserved during the recovery window)",
  // Deleting a customer-managed key makes everything encrypted with it (database storage,
  // snapshots, secrets, logs) unreadable once the pending window ends.
  aws_kms_key: "the key, and with it every snapshot, secret and log encrypted under it",
  // State, access logs and pipeline artifacts live in buckets; a bucket name can be taken by
  // anyone once released.
  aws_s3_bucket: "the bucket's objects (Terraform state, access logs, artifacts) and its name",
  // The Terraform state lock table, or any table: items are lost.
  aws_dynamodb_table: "the table's items (the Terraform state lock table)",
  // Every image pushed by the pipeline, which running tasks and rollbacks pull from.
  aws_ecr_repository: "every image in the repository (running tasks and rollbacks pull from it)",
  // Application, database and flow logs: history kept for audits and incidents.
  aws_cloudwatch_log_group: "the log history (application, database and flow logs)",
};

export type DestroyAction = "delete" | "delete-then-create" | "create-then-delete";

export interface Finding {
  readonly address: string;
  readonly type: string;
  readonly action: DestroyAction;
  /** Attribute paths that force the replacement (`replace_paths`), empty for a plain delete. */
  readonly replacePaths: readonly string[];
  /** Terraform's reason, when it gives one (`replace_because_tainted`, `delete_because_no_resource_config`, ...). */
  readonly reason?: string;
  readonly allowed: boolean;
}

export interface Verdict {
  /** Every stateful delete or replacement, allowed ones included. */
  readonly findings: readonly Finding[];
  readonly exitCode: 0 | 1;
  readonly report: string;
}

function destroyAction(actions: readonly string[]): DestroyAction | undefined {
  const key = actions.join(",");
  if (key === "delete") return "delete";
  if (key === "delete,create") return "delete-then-create";
  if (key === "create,delete") return "create-then-delete";
  return undefined;
}

/** `["a", 0, "b"]` -> `a[0].b` */
function formatPath(path: readonly (string | number)[]): string {
  return path.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`)).join("");
}

/** The verdict on a parsed `terraform show -json` plan. Pure. */
export function checkPlan(plan: Json, allow: readonly string[] = []): Verdict {
  if (
    typeof plan !== "object" ||
    plan === null ||
    typeof plan.format_version !== "string" ||
    (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes))
  ) {
    throw new UsageError(
      "not a terraform plan: expected the output of `terraform show -json <planfile>` (an object with format_version and resource_changes)",
    );
  }
  const findings: Finding[] = [];
  for (const rc of (plan.resource_changes ?? []) as Json[]) {
    if (rc.mode === "data" || !(rc.type in STATEFUL_TYPES)) continue;
    const action = destroyAction(rc.change?.actions ?? []);
    if (!action) continue;
    const address = rc.deposed ? `${rc.address} (deposed ${rc.deposed})` : rc.address;
    findings.push({
      address,
      type: rc.type,
      action,
      replacePaths: ((rc.change?.replace_paths ?? []) as (string | number)[][]).map(formatPath),
      reason: rc.action_reason,
      allowed: allow.includes(rc.address),
    });
  }
  const refused = findings.filter((f) => !f.allowed);
  const line = (f: Finding) => {
    const forced = f.replacePaths.length > 0 ? `; forced by ${f.replacePaths.join(", ")}` : "";
    const reason = f.reason ? ` (${f.reason})` : "";
    return `  ${f.address}: ${f.action}${reason}${forced}: loses ${STATEFUL_TYPES[f.type]}`;
  };
  const lines: string[] = [];
  if (refused.length > 0)
    lines.push(
      `REFUSED: the plan destroys or replaces ${refused.length} stateful resource${refused.length === 1 ? "" : "s"}:`,
      ...refused.map(line),
    );
  const allowed = findings.filter((f) => f.allowed);
  if (allowed.length > 0) lines.push(`Allowed by --allow (${allowed.length}):`, ...allowed.map(line));
  if (refused.length === 0)
    lines.push(
      allowed.length > 0
        ? "OK: every stateful delete or replacement in the plan is allowed."
        : "OK: the plan destroys or replaces no stateful resource.",
    );
  if (refused.length > 0)
    lines.push("To go ahead on purpose, allow each address (see docs/ci.md: the allow-destroy label and lines).");
  return { findings, exitCode: refused.length > 0 ? 1 : 0, report: lines.join("\n") };
}

/** The label a pull request must carry for its allow-destroy lines to count. */
export const ALLOW_LABEL = "allow-destroy";

/**
 * Addresses a pull request allows to be deleted or replaced in one environment: only when it
 * carries the `allow-destroy` label (which only people with triage rights can set), one body
 * line per address, `allow-destroy: <environment> <address>`. `pullRequest` is the GitHub API's
 * pull-request object (labels and body are read). Notes explain lines that do not count.
 */
export function pullRequestAllowances(
  pullRequest: Json,
  environment: string,
): { addresses: string[]; notes: string[] } {
  const lines = String(pullRequest.body ?? "")
    .split(/\r?\n/)
    .map((l) => /^\s*allow-destroy:\s*(\S+)\s+(\S+)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  const mine = lines.filter((m) => m[1] === environment).map((m) => m[2]);
  const labelled = ((pullRequest.labels ?? []) as { name?: string }[]).some((l) => l.name === ALLOW_LABEL);
  if (!labelled) {
    return {
      addresses: [],
      notes:
        mine.length > 0
          ? [`allow-destroy lines for ${environment} ignored: the pull request lacks the ${ALLOW_LABEL} label`]
          : [],
    };
  }
  return {
    addresses: mine,
    notes: mine.map((a) => `allowed by the pull request (label ${ALLOW_LABEL}): ${environment} ${a}`),
  };
}

export interface CheckPlanResult {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/** The options of check-plan (`npm run plan -- <env>` passes its --allow on). */
export const CHECK_PLAN_OPTIONS = {
  allow: { type: "string", multiple: true, value: "a resource address" },
  "pull-request": { type: "string", value: "a file" },
  environment: { type: "string", value: "an environment" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE =
  "usage: npm run check-plan -- <plan.json> [--allow <address>]... [--pull-request <pr.json> --environment <env>]";

/** The command without process side effects: arguments in, exit code and text out. */
export function runCheckPlan(args: readonly string[]): CheckPlanResult {
  try {
    const { values, positionals: files } = parseCommandLine(args, CHECK_PLAN_OPTIONS);
    if (values.help) return { exitCode: 0, stdout: USAGE, stderr: "" };
    const { "pull-request": pullRequestFile, environment } = values;
    const allow = [...(values.allow ?? [])];
    if (files.length !== 1) throw new UsageError(`expected one plan file, received ${files.length}`);
    const file = files[0];
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    let plan: Json;
    try {
      plan = readJsonFile(file);
    } catch {
      throw new UsageError(`${file} is not JSON: expected the output of \`terraform show -json <planfile>\``);
    }
    const notes: string[] = [];
    if (pullRequestFile !== undefined || environment !== undefined) {
      if (!pullRequestFile || !environment) throw new UsageError("--pull-request and --environment go together");
      if (!existsSync(pullRequestFile)) throw new UsageError(`no such file: ${pullRequestFile}`);
      let pullRequest: Json;
      try {
        pullRequest = readJsonFile(pullRequestFile);
      } catch {
        throw new UsageError(`${pullRequestFile} is not JSON: expected a GitHub pull-request object`);
      }
      const fromPullRequest = pullRequestAllowances(pullRequest ?? {}, environment);
      allow.push(...fromPullRequest.addresses);
      notes.push(...fromPullRequest.notes);
    }
    const verdict = checkPlan(plan, allow);
    return { exitCode: verdict.exitCode, stdout: [...notes, verdict.report].join("\n"), stderr: "" };
  } catch (error) {
    if (error instanceof UsageError)
      return { exitCode: 2, stdout: "", stderr: `check-plan: ${error.message} (${USAGE})` };
    throw error;
  }
}

/** Entry point of `npm run check-plan`. */
export function main(): void {
  const result = runCheckPlan(process.argv.slice(2));
  if (result.stdout) console.log(result.stdout);
  if (result.stderr) console.error(result.stderr);
  process.exitCode = result.exitCode;
}
