import { type Json, stackDataSources } from "../../constructs/terraform-json";

/**
 * Rewrites a synthesized stack so `terraform plan` runs with no network and no AWS account:
 *
 * - every aws provider block gets fake static keys, the skip_* flags that stop the provider's own
 *   start-up calls (STS GetCallerIdentity, the account-id lookup, the EC2 metadata endpoint, the
 *   region check) and a single attempt per request (`max_retries = 1`), and terraform runs with
 *   `AWS_ENDPOINT_URL` and `HTTP(S)_PROXY` on a closed loopback port (offlineEnvironment), so
 *   any request that still happens is refused at once by this machine;
 * - data sources that would call AWS are replaced by fixed stand-in values (STAND_INS); data
 *   sources the provider answers from its own code stay (OFFLINE_DATA_SOURCES); any other data
 *   source is refused before terraform starts, with the name of the table to extend.
 *
 * Provider behaviour this relies on (hashicorp/aws provider documentation, "Argument Reference"
 * and the "Custom Service Endpoints" guide): `skip_credentials_validation` skips STS,
 * `skip_requesting_account_id` skips the IAM/STS account lookup, `skip_metadata_api_check`
 * skips IMDS, `skip_region_validation` skips the region list check; the AWS SDK's
 * `AWS_ENDPOINT_URL` is the base endpoint of every service without its own, and `HTTP_PROXY` /
 * `HTTPS_PROXY` are honoured by the provider's HTTP client (Go never proxies loopback, so the
 * endpoint itself is reached directly and refused). The loopback test in
 * __tests__/terraform-plan.integ.test.ts proves it on the installed provider: a data source left in
 * place fails on 127.0.0.1:1 after one attempt.
 *
 * Why not an `endpoints` block naming every service: measured here on aws 5.100.0, any
 * `endpoints` block (even with one entry) adds about 9 s of CPU to every plan and 5 s to every
 * validate, more than the rest of the plan; the environment variables cost nothing.
 */

/** A closed port on this machine: the connection is refused immediately, nothing leaves. */
export const LOOPBACK_ENDPOINT = "http://127.0.0.1:1";
export const OFFLINE_ACCOUNT_ID = "123456789012";

/** Data sources the aws provider computes without a request (static tables, provider config, pure functions). */
export const OFFLINE_DATA_SOURCES: ReadonlySet<string> = new Set([
  "aws_arn", // parses the string it is given
  "aws_billing_service_account", // constant account id
  "aws_cloudtrail_service_account", // static per-region table
  "aws_default_tags", // the provider's own default_tags
  "aws_elb_hosted_zone_id", // static per-region table
  "aws_elb_service_account", // static per-region table
  "aws_iam_policy_document", // renders JSON from its arguments
  "aws_lb_hosted_zone_id", // static per-region table
  "aws_partition", // from the provider's region
  "aws_redshift_service_account", // static per-region table
  "aws_region", // from the provider's endpoint metadata
  "aws_service_principal", // from the provider's endpoint metadata
]);

interface StandInContext {
  readonly region: string;
  readonly config: Json;
}

/**
 * Fixed values for data sources that call AWS, by type: the attributes the stacks read. A stack
 * reading an attribute not listed here fails the plan with "Unsupported attribute" on the
 * stand-in local: add it here.
 */
export const STAND_INS: Readonly<Record<string, (c: StandInContext) => Json>> = {
  aws_caller_identity: () => ({
    account_id: OFFLINE_ACCOUNT_ID,
    arn: `arn:aws:iam::${OFFLINE_ACCOUNT_ID}:user/offline-plan`,
    id: OFFLINE_ACCOUNT_ID,
    user_id: "AIDAOFFLINEPLAN000000",
  }),
  aws_acm_certificate: ({ region, config }) => {
    const arn = `arn:aws:acm:${region}:${OFFLINE_ACCOUNT_ID}:certificate/00000000-0000-4000-8000-000000000000`;
    return {
      arn,
      id: arn,
      domain: config.domain ?? "offline.example.com",
      status: "ISSUED",
      type: "AMAZON_ISSUED",
      key_types: ["RSA_2048"],
      tags: {},
    };
  },
  aws_availability_zones: ({ region }) => {
    const names = ["a", "b", "c"].map((z) => `${region}${z}`);
    return { id: region, names, zone_ids: names.map((_n, i) => `use1-az${i + 1}`), group_names: [region] };
  },
  aws_route53_zone: ({ config }) => {
    const zoneId = config.zone_id ?? "Z0OFFLINEPLAN00000000";
    const name = String(config.name ?? "offline.example.com").replace(/\.$/, "");
    return {
      id: zoneId,
      zone_id: zoneId,
      name,
      arn: `arn:aws:route53:::hostedzone/${zoneId}`,
      private_zone: config.private_zone ?? false,
      name_servers: ["ns-1.awsdns-00.com"],
      comment: "",
      tags: {},
    };
  },
  aws_ssm_parameter: ({ region, config }) => ({
    id: config.name,
    name: config.name,
    arn: `arn:aws:ssm:${region}:${OFFLINE_ACCOUNT_ID}:parameter/${String(config.name).replace(/^\//, "")}`,
    type: "String",
    value: "offline-plan-stand-in",
    insecure_value: "offline-plan-stand-in",
    version: 1,
  }),
  aws_secretsmanager_secret: ({ region, config }) => {
    const arn =
      config.arn ?? `arn:aws:secretsmanager:${region}:${OFFLINE_ACCOUNT_ID}:secret:${config.name ?? "offline"}-AbCdEf`;
    return { id: arn, arn, name: config.name ?? "offline", kms_key_id: "", tags: {} };
  },
};

/** Provider arguments that point the provider at real accounts or credentials: removed. */
const CREDENTIAL_ARGUMENTS = [
  "access_key",
  "secret_key",
  "token",
  "profile",
  "assume_role",
  "assume_role_with_web_identity",
  "shared_config_files",
  "shared_credentials_files",
  "allowed_account_ids",
  "forbidden_account_ids",
  "http_proxy",
  "https_proxy",
  "sts_region",
  "custom_ca_bundle",
];

/** The aws provider block for an offline plan: fake keys, no start-up calls, one attempt per request. */
function offlineProviderBlock(block: Json): Json {
  const copy: Json = { ...block };
  for (const key of CREDENTIAL_ARGUMENTS) delete copy[key];
  return {
    ...copy,
    access_key: "AKIAOFFLINEPLAN00000",
    secret_key: "offline-plan-fake-secret-key-not-a-credential",
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: "true",
    skip_region_validation: true,
    max_retries: 1,
  };
}

/**
 * Environment for terraform during an offline plan: none of the caller's AWS settings (profiles,
 * credentials, endpoints) or proxies; every AWS endpoint and every proxied request on loopback.
 */
export function offlineEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (/^AWS_/.test(key) || /^(https?|all|no)_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL: LOOPBACK_ENDPOINT,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    HTTP_PROXY: LOOPBACK_ENDPOINT,
    HTTPS_PROXY: LOOPBACK_ENDPOINT,
  };
}

/** A data source the offline plan cannot serve: one line naming it and the fix. */
export class OfflinePlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OfflinePlanError";
  }
}

/** Placeholder values for variables without a default, by declared type. */
function placeholder(type: unknown): unknown {
  const t = typeof type === "string" ? type.replace(/\s+/g, "") : "string";
  if (t === "number") return 0;
  if (t === "bool") return false;
  if (t.startsWith("list") || t.startsWith("set") || t.startsWith("tuple")) return [];
  if (t.startsWith("map") || t.startsWith("object")) return {};
  return "offline-plan-stand-in";
}

export interface OfflineOptions {
  /** Data source types to leave in place although they call AWS: only to prove that such a call is refused on loopback. */
  readonly keepDataSources?: readonly string[];
}

export interface OfflineStack {
  /** The rewritten stack JSON. */
  readonly stack: Json;
  /** Values for variables without a default (written as terraform.tfvars.json). */
  readonly variables: Record<string, unknown>;
  /** `type.name` of each data source replaced by a stand-in. */
  readonly standIns: readonly string[];
}

/**
 * The stack rewritten for an offline plan (see the file comment). Throws OfflinePlanError for a
 * data source in neither table.
 */
export function prepareForOfflinePlan(stack: Json, stackName = "stack", options: OfflineOptions = {}): OfflineStack {
  const copy: Json = JSON.parse(JSON.stringify(stack));
  const blocks = copy.provider?.aws;
  if (blocks) copy.provider.aws = (Array.isArray(blocks) ? blocks : [blocks]).map((b: Json) => offlineProviderBlock(b));
  const defaultRegion = (Array.isArray(blocks) ? blocks.find((b: Json) => !b.alias) : blocks)?.region ?? "us-east-1";

  const replaced: Record<string, string> = {};
  for (const { type, name, address, config } of stackDataSources(copy)) {
    if (!type.startsWith("aws_") || OFFLINE_DATA_SOURCES.has(type) || options.keepDataSources?.includes(type)) continue;
    const standIn = STAND_INS[type];
    const where = `${address} in ${stackName}`;
    if (!standIn) {
      throw new OfflinePlanError(
        `${where} would call AWS during an offline plan: add a stand-in for ${type} to STAND_INS in scripts/terraform/offline.ts (or, if the provider computes it without a request, to OFFLINE_DATA_SOURCES)`,
      );
    }
    if (config.count !== undefined || config.for_each !== undefined) {
      throw new OfflinePlanError(
        `${where} uses count/for_each, which the stand-ins in scripts/terraform/offline.ts do not support yet`,
      );
    }
    const local = `offline_${type}_${name}`;
    const region = config.provider ? (aliasRegion(stack, config.provider) ?? defaultRegion) : defaultRegion;
    copy.locals = { ...copy.locals, [local]: standIn({ region, config }) };
    replaced[`${type}.${name}`] = local;
    delete copy.data[type][name];
    if (Object.keys(copy.data[type]).length === 0) delete copy.data[type];
  }
  if (copy.data && Object.keys(copy.data).length === 0) delete copy.data;

  let text = JSON.stringify(copy);
  const keys = Object.keys(replaced);
  if (keys.length > 0) {
    const escaped = keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    // depends_on entries name the data source bare: drop them (a local has no dependencies to wait for).
    const dependsOn = new RegExp(`"data\\.(${escaped.join("|")})",?`, "g");
    text = text.replace(dependsOn, "").replace(/,\]/g, "]");
    const reference = new RegExp(`\\bdata\\.(${escaped.join("|")})\\b`, "g");
    text = text.replace(reference, (_m, key: string) => `local.${replaced[key]}`);
  }
  const variables: Record<string, unknown> = {};
  for (const [name, v] of Object.entries((copy.variable ?? {}) as Record<string, Json>)) {
    if (v.default === undefined) variables[name] = placeholder(v.type);
  }
  return { stack: JSON.parse(text) as Json, variables, standIns: keys };
}

/** The region of the aws provider a `provider = "aws.<alias>"` reference names. */
function aliasRegion(stack: Json, reference: string): string | undefined {
  const alias = reference.split(".")[1];
  const blocks = stack.provider?.aws;
  return (Array.isArray(blocks) ? blocks : [blocks]).find((b: Json) => b?.alias === alias)?.region;
}
