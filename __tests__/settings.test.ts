import type { Feeds } from "../stacks/settings";

/** Props of an imaginary construct: one required, one optional. */
interface Props {
  readonly retentionDays: number;
  readonly mode?: "a" | "b";
}

// Type-level tests: `npm run typecheck` fails when an @ts-expect-error line compiles, so each
// "refuses" test below fails if Feeds stops catching that drift.
describe("Feeds: a configuration section checked against a construct's props at compile time", () => {
  test("accepts settings whose every key is a prop that accepts its type", () => {
    // GIVEN settings with the props' names and types WHEN checked THEN they pass unchanged
    const settings = { retentionDays: 7, mode: "a" as const };
    expect(settings satisfies Feeds<typeof settings, Props>).toEqual({ retentionDays: 7, mode: "a" });
  });

  test("refuses a setting the props do not have (added to the schema, or the prop renamed)", () => {
    // GIVEN a setting `retention` where the prop is `retentionDays` WHEN checked THEN it does not compile
    // @ts-expect-error: `retention` is no prop of Props
    const renamed: Feeds<{ retention: number }, Props> = { retention: 7 };
    expect(renamed).toEqual({ retention: 7 });
  });

  test("refuses a setting of a type the prop does not accept", () => {
    // GIVEN a mode the prop does not allow WHEN checked THEN it does not compile
    // @ts-expect-error: "c" is not a mode of Props
    const retyped: Feeds<{ mode: "c" }, Props> = { mode: "c" };
    expect(retyped).toEqual({ mode: "c" });
  });

  test("accepts a setting named in Elsewhere (read by the stack or the schema only)", () => {
    // GIVEN a schema-only setting listed in Elsewhere WHEN checked THEN it compiles
    const settings = { retentionDays: 7, enabled: true };
    expect(settings satisfies Feeds<typeof settings, Props, "enabled">).toEqual({ retentionDays: 7, enabled: true });
  });
});
