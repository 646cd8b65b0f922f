/**
 * Typed IAM policy documents. Rendering through one function means every document in the
 * project has Version, Effect, Action and Resource, and can be parsed back by tests and aspects.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[] | boolean>>;
  readonly Principal?: string | Record<string, string | readonly string[]>;
}

export interface TrustStatement {
  readonly Effect: "Allow";
  readonly Action: string | readonly string[];
  readonly Principal: Record<string, string | readonly string[]>;
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** A permissions or resource policy as a JSON string; tokens inside resolve at synth. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** An assume-role policy letting `service` (e.g. `ecs-tasks.amazonaws.com`) take the role. */
export function assumeRolePolicy(service: string, condition?: TrustStatement["Condition"]): string {
  const statement: TrustStatement = {
    Effect: "Allow",
    Action: "sts:AssumeRole",
    Principal: { Service: service },
    ...(condition ? { Condition: condition } : {}),
  };
  return JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
}
