import type { EnvironmentConfig } from "./schema";
import type { ConfigLayer } from "./types";

/**
 * Strict mode (`FARMERS_STRICT`): the go-live checks. A fresh clone synthesizes with placeholders
 * (so tests and reviews need no AWS account); a deploy or a plan must not. `npm run deploy`
 * and `npm run plan` (scripts/environment/command.ts) and the workflow's plan and apply jobs turn it on.
 *
 * `FARMERS_STRICT=1` checks every environment; a comma-separated list of environment names
 * (`FARMERS_STRICT=dev`) checks only those, for an account brought up one environment at a time.
 */
export const STRICT_VARIABLE = "FARMERS_STRICT";

const IN_STRICT_MODE = `allowed in strict mode (${STRICT_VARIABLE})`;

/**
 * The environments strict mode checks, from the variable's value; undefined when it is off.
 * Returns a problem message instead when the value is malformed.
 */
export function strictEnvironments(
  value: string | undefined,
  names: readonly string[],
): readonly string[] | string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text === "1") return names;
  const listed = text.split(",").map((s) => s.trim());
  if (listed.every((n) => names.includes(n))) return listed;
  return `${STRICT_VARIABLE}: received ${JSON.stringify(value)}; allowed: 1 (every environment) or a comma-separated list of ${names.join(", ")}`;
}

/** True when one of `layers` sets the setting at `path` (dot-separated). */
function setIn(layers: readonly ConfigLayer[], path: string): boolean {
  return layers.some((layer) => {
    let node: unknown = layer;
    for (const key of path.split("."))
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
    return node !== undefined;
  });
}

/** A private DNS name: only a VPC associated with its private hosted zone resolves it. */
export function isPrivateEndpoint(endpoint: string): boolean {
  return /\.internal$/.test(endpoint.replace(/:\d+$/, ""));
}

/**
 * The go-live problems of one environment, as `setting: received …; allowed …` lines (the loader
 * adds the environment). `operatorLayers` are the layers an operator wrote: the override file's
 * `common` and environment keys and the environment variables; a setting none of them sets still
 * has its checked-in placeholder.
 */
export function strictProblems(config: EnvironmentConfig, operatorLayers: readonly ConfigLayer[]): string[] {
  const problems: string[] = [];
  const refuse = (setting: string, value: unknown, allowed: string) =>
    problems.push(`${setting}: received ${JSON.stringify(value) ?? "(unset)"}; ${IN_STRICT_MODE}: ${allowed}`);

  if (!setIn(operatorLayers, "state.bucket"))
    refuse(
      "state.bucket",
      config.state.bucket,
      "your account's state bucket, set in the override file or FARMERS_STATE_BUCKET (the checked-in name is a placeholder)",
    );
  if (!setIn(operatorLayers, "loadBalancer.certificate"))
    refuse(
      "loadBalancer.certificate",
      config.loadBalancer.certificate,
      'the environment\'s certificate set in the override file: { "arn" }, { "domain" } of an ISSUED certificate, or { "domain", "create": true } (the checked-in domain is a placeholder)',
    );
  if (config.allowedAccountIds.length === 0)
    refuse(
      "allowedAccountIds",
      config.allowedAccountIds,
      "at least one account id (FARMERS_ALLOWED_ACCOUNT_IDS or the override file), so the provider refuses to touch any other account",
    );

  if (isPrivateEndpoint(config.aaa.endpoint)) {
    const why = `for the private endpoint ${config.aaa.endpoint}: without it the tasks cannot resolve or reach it (docs/configuration.md, "Reaching the AAA service privately")`;
    if (!config.aaa.privateHostedZoneId)
      refuse("aaa.privateHostedZoneId", config.aaa.privateHostedZoneId, `the private hosted zone to associate ${why}`);
    if (!config.aaa.network)
      refuse("aaa.network", config.aaa.network, `the AAA network's cidr and its peering or transit gateway ${why}`);
  }

  if (config.protection === "production") {
    if (config.observability.criticalEmails.length === 0)
      refuse(
        "observability.criticalEmails",
        config.observability.criticalEmails,
        'at least one subscriber when protection is "production" (critical alarms would reach nobody)',
      );
    if (config.pipeline.manualApproval && config.observability.warningEmails.length === 0)
      refuse(
        "observability.warningEmails",
        config.observability.warningEmails,
        "at least one subscriber with pipeline.manualApproval (the approval request would reach nobody)",
      );
  }
  return problems;
}
