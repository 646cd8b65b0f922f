// Brings the global type declarations of cdktf's matchers (toHaveResourceWithProperties, ...) into
// the program, so every test file type-checks without importing them itself.
import "cdktf/lib/testing/adapters/jest";

import { Testing } from "cdktf";

Testing.setupJest();

/**
 * cdktf records the full stack (no depth limit) of every token it creates, and constructs of every
 * metadata entry with a trace. Under jest each frame of those traces goes through jest's
 * source-map-support, which maps it via the source map of its file (ts-jest's, and the inline
 * ones of cdktf and the provider packages): that was about 45 % of the suite's synth CPU. These
 * traces are only read when cdktf reports an unresolvable token, so here they are formatted
 * the way V8 does without source maps (positions in the transpiled JavaScript). Errors thrown by
 * tests and the code under test keep their source-mapped stacks.
 */
type Capture = (below?: (...args: never[]) => unknown) => string[];
const unmapped = (error: Error, frames: NodeJS.CallSite[]): string =>
  `${String(error)}${frames.map((f) => `\n    at ${String(f)}`).join("")}`;
type TraceModule = { captureStackTrace: Capture };
// Required by their literal names so that the cdktn switch (scripts/cdktn/codemod.ts) maps them.
const TRACE_MODULES: TraceModule[] = [
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("cdktf/lib/tokens/private/stack-trace") as TraceModule,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("constructs/lib/private/stack-trace") as TraceModule,
];
for (const traces of TRACE_MODULES) {
  const original = traces.captureStackTrace;
  const capture: Capture = (below) => {
    const mapped = Error.prepareStackTrace;
    Error.prepareStackTrace = unmapped;
    try {
      return original(below ?? capture);
    } finally {
      Error.prepareStackTrace = mapped;
    }
  };
  traces.captureStackTrace = capture;
}
