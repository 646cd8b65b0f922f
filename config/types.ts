import type { z } from "zod";

import type { environmentConfigSchema } from "./schema";

/** The configuration as written by hand: any setting may be left to a lower layer. */
export type ConfigInput = z.input<typeof environmentConfigSchema>;

/** A layer of configuration: common defaults, an environment's data, or operator overrides. */
export type ConfigLayer = DeepPartial<ConfigInput>;

export type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
