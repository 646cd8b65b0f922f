import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  block,
  blocks,
  compareAddresses,
  type Json,
  literalLength,
  literalNumber,
  providerRegion,
  readManifest,
  readStackJson,
  referencedAddresses,
  resourceCount,
  stackDataSources,
  stackResources,
} from "../constructs/terraform-json";

/** The shape of a cdk.tf.json: two resources (one without metadata) and a data source. */
const STACK: Json = {
  provider: { aws: [{ region: "ap-south-1" }, { alias: "us", region: "us-east-1" }] },
  data: {
    aws_caller_identity: {
      current: { "//": { metadata: { path: "farmers-module-dev/account/Identity" } } },
    },
  },
  resource: {
    aws_s3_bucket: {
      logs_B1: { "//": { metadata: { path: "farmers-module-dev/logs/Bucket/Resource" } }, bucket: "logs" },
    },
    aws_kms_key: { key_K1: { description: "data" } },
  },
};

describe("terraform-json: blocks of a synthesized stack", () => {
  test("lists each resource with its type, name, address, construct path and arguments", () => {
    // WHEN
    const bucket = stackResources(STACK).find((r) => r.type === "aws_s3_bucket");
    // THEN
    expect(bucket).toEqual({
      type: "aws_s3_bucket",
      name: "logs_B1",
      address: "aws_s3_bucket.logs_B1",
      path: "farmers-module-dev/logs/Bucket/Resource",
      pathInStack: "logs/Bucket/Resource",
      config: STACK.resource.aws_s3_bucket.logs_B1,
    });
  });

  test("uses the address as the path of a resource without cdktf metadata", () => {
    // WHEN
    const key = stackResources(STACK).find((r) => r.type === "aws_kms_key");
    // THEN
    expect([key?.path, key?.pathInStack]).toEqual(["aws_kms_key.key_K1", "aws_kms_key.key_K1"]);
  });

  test("keeps the JSON's order; compareAddresses sorts by address", () => {
    // WHEN
    const inFileOrder = stackResources(STACK).map((r) => r.address);
    const sorted = stackResources(STACK)
      .sort(compareAddresses)
      .map((r) => r.address);
    // THEN
    expect(inFileOrder).toEqual(["aws_s3_bucket.logs_B1", "aws_kms_key.key_K1"]);
    expect(sorted).toEqual(["aws_kms_key.key_K1", "aws_s3_bucket.logs_B1"]);
  });

  test("lists data sources apart, addressed data.<type>.<name>", () => {
    // WHEN
    const data = stackDataSources(STACK);
    // THEN
    expect(data.map((d) => [d.address, d.pathInStack])).toEqual([
      ["data.aws_caller_identity.current", "account/Identity"],
    ]);
  });

  test("counts resources without data sources, and an empty stack as 0", () => {
    expect(resourceCount(STACK)).toBe(2);
    expect(resourceCount({})).toBe(0);
    expect(stackResources({})).toEqual([]);
    expect(stackDataSources({})).toEqual([]);
  });
});

describe("terraform-json: values", () => {
  test("finds the resources referenced through interpolations, without data sources or duplicates", () => {
    // GIVEN
    const value = {
      a: "${aws_kms_key.key_K1.arn}",
      b: ["${aws_s3_bucket.logs_B1.id}/x", "${data.aws_caller_identity.current.account_id}"],
      c: "${aws_kms_key.key_K1.key_id}",
    };
    // THEN
    expect(referencedAddresses(value)).toEqual(["aws_kms_key.key_K1", "aws_s3_bucket.logs_B1"]);
  });

  test("reads a nested block whether synthesized as an object or a list", () => {
    expect(block([{ a: 1 }])).toEqual({ a: 1 });
    expect(block({ a: 1 })).toEqual({ a: 1 });
    expect(block(undefined)).toBeUndefined();
    expect(blocks({ a: 1 })).toEqual([{ a: 1 }]);
    expect(blocks(undefined)).toEqual([]);
  });

  test("reads literal numbers and list lengths, not tokens", () => {
    expect([literalNumber(2), literalNumber(" 0.5 "), literalNumber("${var.n}")]).toEqual([2, 0.5, undefined]);
    expect([literalLength(["a", "b"]), literalLength("${aws_subnet.x.*.id}")]).toEqual([2, undefined]);
  });

  test("gives the region of the first aws provider", () => {
    expect(providerRegion(STACK)).toBe("ap-south-1");
    expect(providerRegion({})).toBeUndefined();
  });
});

describe("terraform-json: a synth output folder", () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), "terraform-json-"));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  test("reads a stack's cdk.tf.json and the manifest that lists it", () => {
    // GIVEN a folder as cdktf writes it
    mkdirSync(join(outdir, "stacks", "farmers-module-dev"), { recursive: true });
    writeFileSync(join(outdir, "stacks", "farmers-module-dev", "cdk.tf.json"), JSON.stringify(STACK));
    writeFileSync(
      join(outdir, "manifest.json"),
      JSON.stringify({
        version: "0.21.0",
        stacks: { "farmers-module-dev": { synthesizedStackPath: "stacks/farmers-module-dev/cdk.tf.json" } },
      }),
    );
    // THEN
    expect(readStackJson(outdir, "farmers-module-dev")).toEqual(STACK);
    expect(readManifest(outdir)).toEqual({
      version: "0.21.0",
      stacks: [{ name: "farmers-module-dev", file: join(outdir, "stacks", "farmers-module-dev", "cdk.tf.json") }],
    });
  });

  test("has no manifest for a folder nothing was synthesized into", () => {
    expect(readManifest(outdir)).toBeUndefined();
  });
});
