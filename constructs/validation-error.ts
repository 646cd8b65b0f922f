import type { IConstruct } from "constructs";

/**
 * A synth-time error raised by a construct. The message starts with the construct path so the
 * operator knows which resource is wrong; the rest names the setting, value and what is allowed.
 */
export class ValidationError extends Error {
  constructor(message: string, scope: IConstruct) {
    super(`${scope.node.path}: ${message}`);
    this.name = "ValidationError";
  }
}
