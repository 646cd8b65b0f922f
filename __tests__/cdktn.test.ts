import {
  CodemodError,
  mapModule,
  type ProviderPins,
  rewritePackageJson,
  rewriteSnapshot,
  rewriteSource,
} from "../scripts/cdktn/codemod";
import { compareSynths, formatComparison } from "../scripts/cdktn/compare";

/**
 * The switch to CDK Terrain (scripts/cdktn/): the codemod's mapping on file contents, and the
 * resource-by-resource comparison of two synths. `npm run check:cdktn` applies both to a scratch
 * copy with the real packages (it needs the npm registry, so it is not part of this suite).
 */

const PINS: ProviderPins = {
  framework: { from: "0.21.0", to: "0.24.0" },
  providers: { aws: { from: "6.25.0", to: "6.66.0" }, random: { from: "3.7.2", to: "3.9.1" } },
};

function codemodError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CodemodError) return error.message;
    throw error;
  }
  throw new Error("expected a CodemodError");
}

describe("module mapping", () => {
  test.each([
    ["cdktf", "cdktn"],
    ["cdktf/lib/_tokens", "cdktn/lib/_tokens"],
    ["@cdktf/provider-aws/lib/vpc", "@cdktn/provider-aws/lib/vpc"],
    ["@cdktf/provider-random/lib/provider", "@cdktn/provider-random/lib/provider"],
    ["@cdktf/provider-aws/package.json", "@cdktn/provider-aws/package.json"],
    ["constructs", "constructs"],
    ["../config/schema", "../config/schema"],
    ["cdktf-like-package", "cdktf-like-package"],
  ])("%s -> %s", (from, to) => {
    expect(mapModule(from)).toBe(to);
  });

  test("fails for the provider barrel, which the project never imports", () => {
    expect(mapModule("@cdktf/provider-aws")).toEqual({
      error:
        '"@cdktf/provider-aws" is not a deep provider import; import provider classes as "@cdktf/provider-aws/lib/<resource>"',
    });
  });

  test("fails for a cdktf package without a mapping", () => {
    expect(mapModule("@cdktf/provider-null/lib/resource")).toEqual({
      error: '"@cdktf/provider-null/lib/resource" has no cdktn mapping; add one to scripts/cdktn/codemod.ts',
    });
  });
});

describe("rewriteSource", () => {
  test("rewrites every import form of cdktf and its providers, and nothing else", () => {
    // GIVEN a file with each import form, a multi-line import, and cdktf as a plain word or value
    const before = [
      'import { App, Testing, type TerraformStack } from "cdktf";',
      "import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';",
      "import {",
      "  S3BucketLifecycleConfiguration,",
      "  type S3BucketLifecycleConfigurationRule,",
      '} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";',
      'import { Construct } from "constructs";',
      'export { RandomProvider } from "@cdktf/provider-random/lib/provider";',
      'const { resolve } = require("cdktf/lib/_tokens");',
      'jest.mock("cdktf");',
      'const lazy = () => import("cdktf");',
      'function f(scope: import("cdktf").TerraformStack): void {}',
      '// cdktf synth writes "cdktf.out"; tags say ManagedBy "cdktf"',
      'const tags = { ManagedBy: "cdktf" }, out = "cdktf.out/stacks";',
    ].join("\n");
    // WHEN rewritten
    const { text, changed } = rewriteSource("x.ts", before);
    // THEN only the module names changed
    expect(text).toBe(
      before
        .replace('from "cdktf";', 'from "cdktn";')
        .replace("'@cdktf/provider-aws/lib/kms-key'", "'@cdktn/provider-aws/lib/kms-key'")
        .replace(
          '"@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration"',
          '"@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration"',
        )
        .replace('"@cdktf/provider-random/lib/provider"', '"@cdktn/provider-random/lib/provider"')
        .replace('require("cdktf/lib/_tokens")', 'require("cdktn/lib/_tokens")')
        .replace('jest.mock("cdktf")', 'jest.mock("cdktn")')
        .replace('import("cdktf");', 'import("cdktn");')
        .replace('import("cdktf").TerraformStack', 'import("cdktn").TerraformStack'),
    );
    expect(changed).toBe(8);
  });

  test("rewrites JavaScript files too", () => {
    expect(rewriteSource("a.js", 'const { App } = require("cdktf");\n').text).toBe(
      'const { App } = require("cdktn");\n',
    );
  });

  test("leaves a file without cdktf imports unchanged", () => {
    const text = 'import { z } from "zod";\nexport const a = "cdktf";\n';
    expect(rewriteSource("a.ts", text)).toEqual({ text, changed: 0 });
  });

  test("fails when an import has no mapping, naming the file and line", () => {
    const message = codemodError(() =>
      rewriteSource("stacks/x.ts", 'import { A } from "cdktf";\nimport { B } from "@cdktf/provider-aws";\n'),
    );
    expect(message).toBe(
      'cannot switch to cdktn:\n  stacks/x.ts:2: "@cdktf/provider-aws" is not a deep provider import; import provider classes as "@cdktf/provider-aws/lib/<resource>"',
    );
  });

  test("fails when a cdktf module is named by an expression", () => {
    const message = codemodError(() =>
      rewriteSource("a.ts", "const name = 'vpc';\nconst m = require(`@cdktf/provider-aws/lib/${name}`);\n"),
    );
    expect(message).toBe(
      "cannot switch to cdktn:\n  a.ts:2: a module named by an expression (`@cdktf/provider-aws/lib/${name}`) cannot be mapped; use a string literal",
    );
  });

  test("fails when a string names a cdktf module outside an import", () => {
    const message = codemodError(() => rewriteSource("a.ts", 'const path = "@cdktf/provider-aws/lib/vpc";\n'));
    expect(message).toBe(
      'cannot switch to cdktn:\n  a.ts:1: the string "@cdktf/provider-aws/lib/vpc" names a cdktf module outside an import or require; import it directly so the codemod can map it',
    );
  });
});

describe("rewritePackageJson", () => {
  const before = {
    name: "p",
    engines: { node: ">=22" },
    dependencies: {
      "@cdktf/provider-aws": "21.22.1",
      "@cdktf/provider-random": "12.0.1",
      cdktf: "0.21.0",
      constructs: "10.4.2",
      zod: "4.1.12",
    },
    devDependencies: { "cdktf-cli": "0.21.0", jest: "30.2.0" },
    scripts: {
      "diff:dev": "cdktf diff farmers-module-dev",
      plan: "npm run synth && terraform -chdir=cdktf.out/stacks/x plan",
      x: "npx cdktf deploy a && cdktf synth",
    },
  };

  test("replaces each cdktf package by its pinned cdktn package, pins constructs, renames the CLI and raises the Node engine", () => {
    expect(JSON.parse(rewritePackageJson(JSON.stringify(before)))).toEqual({
      name: "p",
      engines: { node: ">=22.19.0" },
      dependencies: {
        "@cdktn/provider-aws": "25.7.0",
        "@cdktn/provider-random": "15.0.1",
        cdktn: "0.24.0",
        constructs: "10.6.0",
        zod: "4.1.12",
      },
      devDependencies: { "cdktn-cli": "0.24.0", jest: "30.2.0" },
      scripts: {
        "diff:dev": "cdktn diff farmers-module-dev",
        plan: "npm run synth && terraform -chdir=cdktf.out/stacks/x plan",
        x: "npx cdktn deploy a && cdktn synth",
      },
    });
  });

  test("fails for a cdktf package without a mapping", () => {
    const message = codemodError(() =>
      rewritePackageJson(JSON.stringify({ dependencies: { "@cdktf/provider-github": "1.0.0", cdktf: "0.21.0" } })),
    );
    expect(message).toBe(
      "package.json: no cdktn mapping for dependencies.@cdktf/provider-github; add one to scripts/cdktn/codemod.ts",
    );
  });
});

describe("rewriteSnapshot", () => {
  const snapshot = [
    "exports[`stacks x 1`] = `",
    "{",
    '  "//": {',
    '    "metadata": {',
    '      "backend": "s3",',
    '      "stackName": "x",',
    '      "version": "0.21.0",',
    "    },",
    "  },",
    '  "resource": {',
    '    "aws_thing": { "a": { "version": "6.25.0", "engine_version": "3.7.2" } },',
    "  },",
    '  "terraform": {',
    '    "required_providers": {',
    '      "aws": {',
    '        "source": "aws",',
    '        "version": "6.25.0",',
    "      },",
    '      "random": {',
    '        "source": "hashicorp/random",',
    '        "version": "3.7.2",',
    "      },",
    "    },",
    '    "required_version": ">= 1.11",',
    "  },",
    "}",
    "`;",
  ].join("\n");

  test("moves the framework and provider pins to cdktn's, and nothing else", () => {
    const { text, changed } = rewriteSnapshot(snapshot, PINS);
    expect(text).toBe(
      snapshot
        .replace('"version": "0.21.0"', '"version": "0.24.0"')
        .replace(
          '"source": "aws",\n        "version": "6.25.0"',
          '"source": "hashicorp/aws",\n        "version": "6.66.0"',
        )
        .replace(
          '"source": "hashicorp/random",\n        "version": "3.7.2"',
          '"source": "hashicorp/random",\n        "version": "3.9.1"',
        ),
    );
    expect(changed).toBe(4);
  });

  test("fails when a snapshot with providers has no pins it recognises", () => {
    expect(
      codemodError(() => rewriteSnapshot(snapshot.replace(/"version": "[^"]+"/g, '"version": "1.0.0"'), PINS)),
    ).toBe(
      "snapshot: no provider or framework version pins found to rewrite; update rewriteSnapshot in scripts/cdktn/codemod.ts",
    );
  });
});

describe("comparing the synths", () => {
  type Json = Record<string, unknown>;
  function stack(
    framework: string,
    aws: { source: string; version: string },
    random: string,
    bucket: Json = { bucket: "b" },
  ): Json {
    return {
      "//": { metadata: { stackName: "s", version: framework } },
      resource: { aws_s3_bucket: { logs: bucket }, random_password: { db: { length: 32 } } },
      data: { aws_partition: { current: {} } },
      output: { bucket_name: { value: "${aws_s3_bucket.logs.bucket}" } },
      terraform: { required_providers: { aws: aws, random: { source: "hashicorp/random", version: random } } },
    };
  }
  const cdktf = new Map([["s", stack("0.21.0", { source: "aws", version: "6.25.0" }, "3.7.2")]]);

  test("accepts the provider and framework pins, reporting them", () => {
    const result = compareSynths(
      cdktf,
      new Map([["s", stack("0.24.0", { source: "hashicorp/aws", version: "6.66.0" }, "3.9.1")]]),
      PINS,
    );
    expect(result).toEqual({
      stacks: 1,
      resources: 3,
      differingLines: 0,
      differences: [],
      acceptedPins: [
        "//.metadata.version 0.21.0 -> 0.24.0",
        "terraform.required_providers.aws.source aws -> hashicorp/aws",
        "terraform.required_providers.aws.version 6.25.0 -> 6.66.0",
        "terraform.required_providers.random.version 3.7.2 -> 3.9.1",
      ],
    });
  });

  test("counts a changed, an added and a removed resource attribute as one line each", () => {
    const cdktn = new Map([
      [
        "s",
        stack("0.24.0", { source: "hashicorp/aws", version: "6.66.0" }, "3.9.1", {
          bucket: "c",
          force_destroy: false,
          tags: {},
        }),
      ],
    ]);
    const result = compareSynths(
      new Map([
        ["s", stack("0.21.0", { source: "aws", version: "6.25.0" }, "3.7.2", { bucket: "b", tags: { a: "1" } })],
      ]),
      cdktn,
      PINS,
    );
    expect(result.differences).toEqual([
      {
        stack: "s",
        lines: [
          'resource.aws_s3_bucket.logs.bucket: "b" -> "c"',
          "resource.aws_s3_bucket.logs.force_destroy: (absent) -> false",
          "resource.aws_s3_bucket.logs.tags: (absent) -> {}",
          'resource.aws_s3_bucket.logs.tags.a: "1" -> (absent)',
        ],
      },
    ]);
    expect(result.differingLines).toBe(4);
  });

  test("reports a provider version other than the one the cdktn package pins", () => {
    const result = compareSynths(
      cdktf,
      new Map([["s", stack("0.24.0", { source: "hashicorp/aws", version: "6.67.0" }, "3.9.1")]]),
      PINS,
    );
    expect(result.differences).toEqual([
      { stack: "s", lines: ['terraform.required_providers.aws.version: "<provider version>" -> "6.67.0"'] },
    ]);
  });

  test("reports a provider from another namespace", () => {
    const result = compareSynths(
      cdktf,
      new Map([["s", stack("0.24.0", { source: "someone/aws", version: "6.66.0" }, "3.9.1")]]),
      PINS,
    );
    expect(result.differences).toEqual([
      { stack: "s", lines: ['terraform.required_providers.aws.source: "hashicorp/aws" -> "someone/aws"'] },
    ]);
  });

  test("reports a stack that only one synth has", () => {
    const result = compareSynths(cdktf, new Map(), PINS);
    expect([result.differingLines, result.differences]).toEqual([
      1,
      [{ stack: "s", lines: ["(whole stack): present -> (absent)"] }],
    ]);
  });

  test("prints the number of differing resource lines first, then each line", () => {
    const cdktn = new Map([
      ["s", stack("0.24.0", { source: "hashicorp/aws", version: "6.66.0" }, "3.9.1", { bucket: "c" })],
    ]);
    expect(formatComparison(compareSynths(cdktf, cdktn, PINS)).split("\n")).toEqual([
      "1 stacks, 3 resources and data sources compared: 1 differing resource lines",
      "accepted (provider and framework pins): //.metadata.version 0.21.0 -> 0.24.0; terraform.required_providers.aws.source aws -> hashicorp/aws; terraform.required_providers.aws.version 6.25.0 -> 6.66.0; terraform.required_providers.random.version 3.7.2 -> 3.9.1",
      '  s resource.aws_s3_bucket.logs.bucket: "b" -> "c"',
    ]);
  });
});
