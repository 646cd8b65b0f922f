import { Token } from "cdktf";
import type { IConstruct } from "constructs";

import { ValidationError } from "./validation-error";

/** What AWS accepts as the name of each kind of resource this project names. */
export interface NameRule {
  readonly maxLength: number;
  readonly minLength?: number;
  readonly pattern: RegExp;
  readonly description: string;
}

export const NAME_RULES = {
  loadBalancer: {
    maxLength: 32,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    description: "letters, digits and hyphens, not starting or ending with a hyphen",
  },
  targetGroup: {
    maxLength: 32,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    description: "letters, digits and hyphens, not starting or ending with a hyphen",
  },
  iamRole: { maxLength: 64, pattern: /^[\w+=,.@-]+$/, description: "letters, digits and +=,.@_-" },
  s3Bucket: {
    minLength: 3,
    maxLength: 63,
    pattern: /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    description: "lowercase letters, digits, dots and hyphens",
  },
  rdsIdentifier: {
    maxLength: 63,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    description: "lowercase letter first, then letters, digits, single hyphens, no trailing hyphen",
  },
  ecrRepository: {
    minLength: 2,
    maxLength: 256,
    pattern: /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    description: "lowercase letters, digits and . _ - / separators",
  },
  logGroup: { maxLength: 512, pattern: /^[\w\-/.#]+$/, description: "letters, digits and _ - / . #" },
  // eslint-disable-next-line no-control-regex -- excluding control characters is the point
  alarm: { maxLength: 255, pattern: /^[^\u0000-\u001f]+$/, description: "printable characters" },
  generic: { maxLength: 64, pattern: /^[A-Za-z0-9_.\-/]+$/, description: "letters, digits and _ . - /" },
  ecsName: { maxLength: 255, pattern: /^[A-Za-z0-9_-]+$/, description: "letters, digits, hyphens and underscores" },
  secretName: { maxLength: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/, description: "letters, digits and /_+=.@-" },
  dynamoDbTable: {
    minLength: 3,
    maxLength: 255,
    pattern: /^[A-Za-z0-9_.-]+$/,
    description: "letters, digits and _ . -",
  },
  codebuildProject: {
    minLength: 2,
    maxLength: 150,
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    description: "letters, digits, hyphens and underscores, letter or digit first",
  },
  codestarConnection: { maxLength: 32, pattern: /^[A-Za-z0-9_.-]+$/, description: "letters, digits and _ . -" },
  snsTopic: { maxLength: 256, pattern: /^[A-Za-z0-9_-]+$/, description: "letters, digits, hyphens and underscores" },
  securityGroup: {
    maxLength: 255,
    pattern: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/,
    description: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
  },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

/**
 * Throws a ValidationError naming the construct, the kind, the value and the limit when `name`
 * breaks AWS's rule for its kind. Unresolved tokens are skipped (checked again by the aspect).
 */
export function checkName(scope: IConstruct, kind: NameKind, name: string): string {
  if (Token.isUnresolved(name)) return name;
  const rule: NameRule = NAME_RULES[kind];
  const min = rule.minLength ?? 1;
  if (name.length > rule.maxLength || name.length < min)
    throw new ValidationError(
      `${kind} name "${name}" is ${name.length} characters; AWS allows ${min}-${rule.maxLength}`,
      scope,
    );
  if (!rule.pattern.test(name))
    throw new ValidationError(`${kind} name "${name}" has characters AWS rejects; allowed: ${rule.description}`, scope);
  return name;
}

/**
 * Characters Terraform appends to a `name_prefix` (a timestamp and a counter, all digits): the
 * AWS provider's `id.UniqueId()`. A prefix is valid when it plus these stays within the limit,
 * which is why the provider caps a target group's `name_prefix` at 6 (32 - 26).
 */
export const NAME_PREFIX_UNIQUE_SUFFIX_LENGTH = 26;

/**
 * Throws like `checkName` when `prefix` plus Terraform's 26-digit unique suffix would break the
 * rule for `kind`: the full name is checked with a stand-in suffix of digits.
 */
export function checkNamePrefix(scope: IConstruct, kind: NameKind, prefix: string): string {
  if (Token.isUnresolved(prefix)) return prefix;
  const rule: NameRule = NAME_RULES[kind];
  const room = rule.maxLength - NAME_PREFIX_UNIQUE_SUFFIX_LENGTH;
  if (prefix.length > room)
    throw new ValidationError(
      `${kind} name prefix "${prefix}" is ${prefix.length} characters; with Terraform's ${NAME_PREFIX_UNIQUE_SUFFIX_LENGTH}-character suffix AWS allows at most ${room}`,
      scope,
    );
  if (!rule.pattern.test(prefix + "0".repeat(NAME_PREFIX_UNIQUE_SUFFIX_LENGTH)))
    throw new ValidationError(
      `${kind} name prefix "${prefix}" has characters AWS rejects; allowed: ${rule.description}`,
      scope,
    );
  return prefix;
}

/**
 * Builds `${project}-${environment}-${suffix}` names, the reference's convention, and checks
 * each against AWS's rule for its kind.
 */
export class Naming {
  /** `farmers-module-<env>`: the prefix of every name. */
  readonly prefix: string;

  constructor(
    readonly project: string,
    readonly environment: string,
  ) {
    this.prefix = `${project}-${environment}`;
  }

  /** `<prefix>-<suffix>` (or the prefix alone), checked against `kind`'s limits. */
  name(scope: IConstruct, kind: NameKind, suffix?: string): string {
    return checkName(scope, kind, suffix ? `${this.prefix}-${suffix}` : this.prefix);
  }

  /**
   * `<prefix>-<suffix>-`, a `name_prefix` for a resource that must coexist with its replacement
   * (create_before_destroy): Terraform appends a unique suffix, checked against `kind`'s limit.
   */
  namePrefix(scope: IConstruct, kind: NameKind, suffix: string): string {
    return checkNamePrefix(scope, kind, `${this.prefix}-${suffix}-`);
  }

  /**
   * A short `name_prefix` for kinds whose limit leaves only a few characters (a target group: 6):
   * the initials of the project's words, the environment's initial and `suffix`, e.g. `fmpb-` for
   * farmers-module / production / b. The readable name stays in the `Name` tag.
   */
  shortNamePrefix(scope: IConstruct, kind: NameKind, suffix: string): string {
    const initials = this.project
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0])
      .join("");
    return checkNamePrefix(scope, kind, `${initials}${this.environment[0]}${suffix}-`);
  }

  /** Secrets Manager name `<project>/<env>/<name>`, the service's convention. */
  secretName(scope: IConstruct, name: string): string {
    return checkName(scope, "secretName", `${this.project}/${this.environment}/${name}`);
  }
}
