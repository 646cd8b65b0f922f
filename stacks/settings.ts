/**
 * The type a section of the configuration must have to feed a construct's props unchanged:
 * every setting of `Settings` is a prop of `Props` of the same name that accepts its type, except
 * the settings named in `Elsewhere` (read by the stack or the schema, or mapped to another prop).
 * Used as `config.network satisfies Feeds<EnvironmentConfig["network"], NetworkProps>`, so a
 * setting added to the schema, or a prop renamed or retyped, fails to compile at the setting's
 * name (its type becomes `never`) instead of being dropped silently.
 */
export type Feeds<Settings, Props, Elsewhere extends keyof Settings = never> = {
  readonly [K in keyof Settings]: K extends Elsewhere ? Settings[K] : K extends keyof Props ? Props[K] : never;
};
