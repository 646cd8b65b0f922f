import { assumptionsFor } from "../scripts/cost/assumptions";
import { diffStack, diffStacks, formatStackCostDiff, signedUsd } from "../scripts/cost/diff";
import { estimateStack } from "../scripts/cost/estimate";
import type { SynthesizedStack } from "../scripts/cost/synthesized";
import { environmentStack, synthJson } from "./helpers";

/**
 * The pull request's cost difference on two synthesized variants of dev: one NAT gateway
 * (the default) before, one per AZ after. The figures come from the estimator itself, so the
 * test checks the difference computation, not the price table.
 */

const STACK = "farmers-module-dev";
const synthesized = (json: Record<string, unknown>): SynthesizedStack => ({ name: STACK, file: "cdk.tf.json", json });
const before = synthesized(synthJson(environmentStack("dev", { network: { natGateways: "single" } })));
const after = synthesized(synthJson(environmentStack("dev", { network: { natGateways: "one-per-az" } })));
const total = (s: SynthesizedStack) => estimateStack(STACK, s.json, assumptionsFor("dev")).totalUsd;
const diff = diffStack(STACK, before, after);

describe("cost difference of a pull request", () => {
  test("before and after are the estimates of the two synths, and the difference is after minus before", () => {
    expect(diff.beforeUsd).toBeCloseTo(total(before), 2);
    expect(diff.afterUsd).toBeCloseTo(total(after), 2);
    expect(diff.differenceUsd).toBeCloseTo(total(after) - total(before), 2);
    expect(diff.differenceUsd).toBeGreaterThan(0);
  });

  test("the difference is explained by what was added, the second NAT gateway first", () => {
    expect(diff.changes[0]).toMatchObject({ what: "aws_nat_gateway added", category: "network" });
    const explained = diff.changes.reduce((sum, c) => sum + c.monthlyUsd, 0);
    expect(explained).toBeCloseTo(diff.differenceUsd, 1);
  });

  test("the same synth on both sides costs nothing more and lists no changes", () => {
    expect(diffStack(STACK, before, before)).toEqual({
      stack: STACK,
      beforeUsd: diff.beforeUsd,
      afterUsd: diff.beforeUsd,
      differenceUsd: 0,
      changes: [],
    });
  });

  test("a new stack costs its whole estimate, a removed one saves it", () => {
    const [added] = diffStacks([], [after]);
    expect(added.beforeUsd).toBeUndefined();
    expect(added.differenceUsd).toBeCloseTo(total(after), 2);
    const [removed] = diffStacks([before], []);
    expect(removed.afterUsd).toBeUndefined();
    expect(removed.differenceUsd).toBeCloseTo(-total(before), 2);
  });

  test("the comment leads with the difference and names the largest change", () => {
    const nat = diff.changes[0];
    const firstLine = formatStackCostDiff(diff).split("\n")[0];
    expect(firstLine).toMatch(
      new RegExp(
        `^\\*\\*Estimated cost: \\+\\$[\\d.,]+/month\\*\\* \\(before \\$[\\d.,]+/month, after \\$[\\d.,]+/month\\): \\${signedUsd(nat.monthlyUsd).replace("$", "\\$")} aws_nat_gateway added`,
      ),
    );
  });

  test("signs dollars", () => {
    expect([signedUsd(65.7), signedUsd(-3.1), signedUsd(0)]).toEqual(["+$65.70", "-$3.10", "$0.00"]);
  });
});
