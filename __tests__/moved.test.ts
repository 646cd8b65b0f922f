import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { TerraformStack, Testing } from "cdktf";

import { MovedFrom } from "../constructs/moved";
import { synthJson } from "./helpers";

const ROOT = join(__dirname, "..");

describe("MovedFrom", () => {
  test("writes a moved block from the old address to the resource's current one", () => {
    // GIVEN a resource whose construct path changed
    const stack = new TerraformStack(Testing.app(), "stack");
    const alias = new KmsAlias(stack, "Alias", { name: "alias/x", targetKeyId: "k" });
    // WHEN its old address is recorded
    new MovedFrom(alias, "aws_kms_alias.old_name");
    // THEN state is told to rename, and the resource itself is still declared at its new address
    const json = synthJson(stack);
    expect(json.moved).toEqual([{ to: `aws_kms_alias.${alias.friendlyUniqueId}`, from: "aws_kms_alias.old_name" }]);
    expect(Object.keys(json.resource.aws_kms_alias)).toEqual([alias.friendlyUniqueId]);
  });

  test("moved blocks of several resources are all kept", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const a = new KmsAlias(stack, "A", { name: "alias/a", targetKeyId: "k" });
    const b = new KmsAlias(stack, "B", { name: "alias/b", targetKeyId: "k" });
    new MovedFrom(a, "aws_kms_alias.old_a");
    new MovedFrom(b, "aws_kms_alias.old_b");
    expect(synthJson(stack).moved.map((m: { from: string }) => m.from)).toEqual([
      "aws_kms_alias.old_a",
      "aws_kms_alias.old_b",
    ]);
  });

  test("npm run synth's app synthesizes every stack on a machine without terraform (no binary version check)", () => {
    // GIVEN a PATH that holds node and nothing else
    const dir = mkdtempSync(join(tmpdir(), "farmers-no-terraform-"));
    try {
      symlinkSync(process.execPath, join(dir, "node"));
      // WHEN the synth entry point runs (the stacks carry moved blocks for the KMS aliases)
      execFileSync(join(dir, "node"), [join(ROOT, "scripts", "synth.js")], {
        cwd: ROOT,
        env: { PATH: dir, HOME: dir, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: join(dir, "out") },
        stdio: "pipe",
      });
      // THEN it succeeds and the moved blocks are in the output
      const dev = JSON.parse(readFileSync(join(dir, "out", "stacks", "farmers-module-dev", "cdk.tf.json"), "utf8"));
      expect(dev.moved.map((m: { from: string }) => m.from)).toContain("aws_kms_alias.data_KeyAlias_75AF140F");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
