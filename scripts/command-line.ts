import { parseArgs } from "node:util";

/**
 * Command lines of the project's scripts, parsed by Node's `util.parseArgs` in strict mode. A
 * command line a script cannot use (an unknown option, a missing value, a value given to a flag,
 * an argument where none is taken) is a UsageError with a one-line message in the project's
 * words, the same on every Node version (Node's own messages differ between versions); scripts
 * print it and exit 2.
 */

/** A command line the script cannot use. The message is one line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A string option; `value` names its value in errors: `--allow needs a resource address`. */
interface StringOption {
  readonly type: "string";
  readonly value: string;
  readonly multiple?: boolean;
  readonly short?: string;
}

/** A flag. */
interface BooleanOption {
  readonly type: "boolean";
  readonly short?: string;
}

/** The options of a command, by long name (as `util.parseArgs` takes them). */
export type CommandOptions = Readonly<Record<string, StringOption | BooleanOption>>;

type Config<O extends CommandOptions> = { args: string[]; options: O; strict: true; allowPositionals: boolean };

/** What `util.parseArgs` returns for these options: `values` typed by option, and `positionals`. */
export interface ParsedCommandLine<O extends CommandOptions> {
  readonly values: ReturnType<typeof parseArgs<Config<O>>>["values"];
  readonly positionals: string[];
}

/**
 * Parses `args` against `options` (positional arguments allowed unless `positionals` is false).
 * Throws UsageError for anything `util.parseArgs` refuses in strict mode.
 */
export function parseCommandLine<const O extends CommandOptions>(
  args: readonly string[],
  options: O,
  { positionals = true }: { readonly positionals?: boolean } = {},
): ParsedCommandLine<O> {
  try {
    return parseArgs<Config<O>>({ args: [...args], options, strict: true, allowPositionals: positionals });
  } catch (error) {
    // By code, not `instanceof TypeError`: Node's errors come from another realm under jest.
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw error;
    throw new UsageError(usageMessage(args, options, positionals) ?? String((error as Error).message).split("\n")[0]);
  }
}

/** The first thing wrong with `args`, in the words of UsageError; undefined if none is found. */
function usageMessage(args: readonly string[], options: CommandOptions, positionals: boolean): string | undefined {
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === "positional" && !positionals) return `unexpected argument ${token.value}`;
    if (token.kind !== "option") continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) return `unknown option ${token.rawName}`;
    if (option.type === "boolean" && token.value !== undefined) return `${token.rawName} takes no value`;
    // Strict parsing refuses `--allow --force` (a value that looks like an option) unless written `--allow=--force`.
    if (option.type === "string" && (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))))
      return `${token.rawName} needs ${option.value}`;
  }
  return undefined;
}
