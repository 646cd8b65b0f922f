import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { TerraformStack, Testing } from "cdktf";

import { CustomerManagedKey, type CustomerManagedKeyProps, KEY_ADMIN_ACTIONS } from "../constructs/kms-key";
import { type Json, resourceNamed } from "./helpers";

const BASE: CustomerManagedKeyProps = {
  description: "test key",
  aliasName: "alias/farmers-module-dev-test",
  accountId: "123456789012",
  partition: "aws",
  region: "us-east-1",
};
const ROOT = "arn:aws:iam::123456789012:root";

function build(
  props: Partial<CustomerManagedKeyProps> = {},
  use?: (key: CustomerManagedKey, stack: TerraformStack) => void,
) {
  const stack = new TerraformStack(Testing.app(), "kms-test");
  const key = new CustomerManagedKey(stack, "Key", { ...BASE, ...props });
  use?.(key, stack);
  const synthesized = Testing.synth(stack);
  const json = JSON.parse(synthesized) as Json;
  const policy = JSON.parse(resourceNamed(json, "aws_kms_key", "Key").policy as string) as { Statement: Json[] };
  return { key, synthesized, json, policy, sid: (sid: string) => policy.Statement.find((s) => s.Sid === sid) };
}

describe("CustomerManagedKey", () => {
  test("rotates, waits 30 days before deletion, and has its alias", () => {
    // GIVEN the defaults WHEN synthesized THEN rotation is on and the alias targets the key
    const { synthesized } = build();
    expect(synthesized).toHaveResourceWithProperties(KmsKey, {
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: false },
    });
    expect(synthesized).toHaveResourceWithProperties(KmsAlias, {
      name: "alias/farmers-module-dev-test",
      target_key_id: "${aws_kms_key.Key.key_id}",
    });
  });

  test("keeps the logical id of its scope (a key moved into the construct keeps its Terraform address)", () => {
    // GIVEN a key construct with id "Key" at the stack root WHEN synthesized THEN the key is aws_kms_key.Key
    expect(Object.keys(build().json.resource.aws_kms_key)).toEqual(["Key"]);
  });

  test("preventDestroy sets lifecycle.prevent_destroy", () => {
    expect(build({ preventDestroy: true }).synthesized).toHaveResourceWithProperties(KmsKey, {
      lifecycle: { prevent_destroy: true },
    });
  });

  test("the only statement without a grant is one administration statement, with no use of data keys and no wildcard", () => {
    // GIVEN no grants WHEN the policy is parsed THEN it is the administration statement alone
    const { policy } = build();
    expect(policy.Statement).toEqual([
      {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: ROOT },
        Action: [...KEY_ADMIN_ACTIONS],
        Resource: "*",
      },
    ]);
    for (const action of KEY_ADMIN_ACTIONS)
      expect(action).not.toMatch(/\*|Encrypt|Decrypt|GenerateDataKey|CreateGrant/);
  });

  test("service use is limited to the account and kms:ViaService, with an optional encryption context", () => {
    const { sid } = build({
      serviceUse: [
        {
          sid: "ThroughSns",
          services: ["sns"],
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          encryptionContext: { "aws:sns:topicArn": ["arn:aws:sns:us-east-1:123456789012:t"] },
        },
      ],
    });
    expect(sid("ThroughSns")).toEqual({
      Sid: "ThroughSns",
      Effect: "Allow",
      Principal: { AWS: ROOT },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": "123456789012",
          "kms:ViaService": ["sns.us-east-1.amazonaws.com"],
          "kms:EncryptionContext:aws:sns:topicArn": ["arn:aws:sns:us-east-1:123456789012:t"],
        },
      },
    });
  });

  test("role use names the roles, limited by kms:ViaService when `via` is given", () => {
    const { sid } = build({
      roleUse: [
        { sid: "ViaS3", roleArns: ["arn:aws:iam::123456789012:role/a"], actions: ["kms:Decrypt"], via: ["s3"] },
        { sid: "Direct", roleArns: ["arn:aws:iam::123456789012:role/b"], actions: ["kms:Encrypt"] },
      ],
    });
    expect(sid("ViaS3")).toMatchObject({
      Principal: { AWS: ["arn:aws:iam::123456789012:role/a"] },
      Condition: { StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com"] } },
    });
    expect(sid("Direct")).toEqual({
      Sid: "Direct",
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::123456789012:role/b"] },
      Action: ["kms:Encrypt"],
      Resource: "*",
    });
  });

  test("service-principal use always carries its encryption context", () => {
    const { sid } = build({
      servicePrincipalUse: [
        {
          sid: "Alarms",
          principals: ["cloudwatch.amazonaws.com"],
          actions: ["kms:Decrypt"],
          encryptionContext: { "aws:sns:topicArn": ["arn:aws:sns:us-east-1:123456789012:t"] },
        },
      ],
    });
    expect(sid("Alarms")).toMatchObject({
      Principal: { Service: ["cloudwatch.amazonaws.com"] },
      Condition: {
        StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": ["arn:aws:sns:us-east-1:123456789012:t"] },
      },
    });
  });

  test("CloudWatch Logs may use the key for exactly the registered log groups, named by encryption context", () => {
    // GIVEN two log groups registered (one twice) WHEN the policy is parsed
    const { sid, synthesized } = build({}, (key, stack) => {
      new CloudwatchLogGroup(stack, "A", {
        name: "/ecs/a",
        retentionInDays: 7,
        kmsKeyId: key.encryptLogGroup("/ecs/a"),
      });
      new CloudwatchLogGroup(stack, "B", {
        name: "/ecs/b",
        retentionInDays: 7,
        kmsKeyId: key.encryptLogGroup("/ecs/b"),
      });
      key.encryptLogGroup("/ecs/a");
    });
    // THEN the logs principal of the region is limited to those two ARNs, and each group references the key
    expect(sid("CloudWatchLogsEncryptLogGroups")).toEqual({
      Sid: "CloudWatchLogsEncryptLogGroups",
      Effect: "Allow",
      Principal: { Service: "logs.us-east-1.amazonaws.com" },
      Action: [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DescribeKey",
      ],
      Resource: "*",
      Condition: {
        ArnEquals: {
          "kms:EncryptionContext:aws:logs:arn": [
            "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/a",
            "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/b",
          ],
        },
      },
    });
    expect(synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/ecs/a",
      kms_key_id: "${aws_kms_key.Key.arn}",
    });
  });

  test("account use delegates to IAM, limited to this account", () => {
    const { sid } = build({}, (key) => key.grantAccountUse("Sessions", ["kms:Decrypt", "kms:GenerateDataKey"]));
    expect(sid("Sessions")).toEqual({
      Sid: "Sessions",
      Effect: "Allow",
      Principal: { AWS: ROOT },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } },
    });
  });

  test("fails when the deletion window is outside 7-30 days", () => {
    expect(() => build({ deletionWindowInDays: 5 })).toThrow(
      "kms-test/Key: deletionWindowInDays must be an integer from 7 to 30 (KMS's range); received 5",
    );
  });

  test("fails when the alias does not start with alias/ or uses the AWS prefix", () => {
    expect(() => build({ aliasName: "farmers" })).toThrow(
      'kms-test/Key: aliasName must start with "alias/" and not "alias/aws/" (reserved for AWS managed keys); received "farmers"',
    );
    expect(() => build({ aliasName: "alias/aws/x" })).toThrow('received "alias/aws/x"');
  });

  test("fails when a service principal is given the key without an encryption context", () => {
    expect(() =>
      build({
        servicePrincipalUse: [
          { sid: "Open", principals: ["events.amazonaws.com"], actions: ["kms:Decrypt"], encryptionContext: {} },
        ],
      }),
    ).toThrow(
      "kms-test/Key: grant Open gives service principals (events.amazonaws.com) the key without an encryption context; allowed: at least one kms:EncryptionContext key",
    );
  });

  test("fails when two grants share a sid", () => {
    expect(() =>
      build({
        roleUse: [{ sid: "Same", roleArns: ["arn:aws:iam::123456789012:role/a"], actions: ["kms:Decrypt"] }],
        serviceUse: [{ sid: "Same", services: ["s3"], actions: ["kms:Decrypt"] }],
      }),
    ).toThrow(
      'kms-test/Key: grant sid "Same" is used twice (or is one of the construct\'s own); allowed: one grant per sid',
    );
    expect(() => build({}, (key) => key.grantAccountUse("KeyAdministration", ["kms:Decrypt"]))).toThrow(
      'grant sid "KeyAdministration" is used twice',
    );
  });

  test("fails when a grant has no actions or a sid KMS would reject", () => {
    expect(() =>
      build({ roleUse: [{ sid: "Empty", roleArns: ["arn:aws:iam::123456789012:role/a"], actions: [] }] }),
    ).toThrow("kms-test/Key: grant Empty lists no actions; allowed: at least one KeyUseAction");
    expect(() => build({}, (key) => key.grantAccountUse("has space", ["kms:Decrypt"]))).toThrow(
      'kms-test/Key: grant sid must be letters and digits only; received "has space"',
    );
  });

  test("fails when a log group name is not a literal", () => {
    expect(() => build({}, (key) => key.encryptLogGroup("/ecs/*"))).toThrow(
      'kms-test/Key: encryptLogGroup needs a literal log group name; received "/ecs/*"',
    );
  });
});
