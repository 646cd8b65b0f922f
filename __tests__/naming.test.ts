import { TerraformStack, Testing } from "cdktf";

import { checkName, Naming } from "../constructs/naming";

const scope = new TerraformStack(Testing.app(), "naming-test");
const naming = new Naming("farmers-module", "production");

describe("Naming", () => {
  test("builds <project>-<env>-<suffix>", () => {
    expect(naming.name(scope, "ecsName", "cluster")).toBe("farmers-module-production-cluster");
  });

  test("builds secret names <project>/<env>/<name>", () => {
    expect(naming.secretName(scope, "db-password")).toBe("farmers-module/production/db-password");
  });

  test("fails for the reference's 34-character green target group name", () => {
    expect(() => naming.name(scope, "targetGroup", "tg-green")).toThrow(
      'naming-test: targetGroup name "farmers-module-production-tg-green" is 34 characters; AWS allows 1-32',
    );
  });

  test("builds name prefixes <project>-<env>-<suffix>- that leave room for Terraform's 26 characters", () => {
    expect(naming.namePrefix(scope, "rdsIdentifier", "postgres16")).toBe("farmers-module-production-postgres16-");
    expect(naming.namePrefix(scope, "securityGroup", "service")).toBe("farmers-module-production-service-");
  });

  test("builds short target group prefixes from initials: 6 characters at most", () => {
    expect([
      naming.shortNamePrefix(scope, "targetGroup", "b"),
      new Naming("farmers-module", "dev").shortNamePrefix(scope, "targetGroup", "t"),
    ]).toEqual(["fmpb-", "fmdt-"]);
  });

  test("fails when a name prefix leaves no room for Terraform's unique suffix", () => {
    expect(() => naming.namePrefix(scope, "targetGroup", "blue")).toThrow(
      'naming-test: targetGroup name prefix "farmers-module-production-blue-" is 31 characters; with Terraform\'s 26-character suffix AWS allows at most 6',
    );
  });

  test("fails for characters the kind does not allow", () => {
    expect(() => checkName(scope, "s3Bucket", "Farmers_Bucket")).toThrow(
      'naming-test: s3Bucket name "Farmers_Bucket" has characters AWS rejects; allowed: lowercase letters, digits, dots and hyphens',
    );
  });

  test("fails for an RDS identifier with a double hyphen", () => {
    expect(() => checkName(scope, "rdsIdentifier", "farmers--db")).toThrow("has characters AWS rejects");
  });

  test("fails for an IAM role name over 64 characters", () => {
    expect(() => checkName(scope, "iamRole", "r".repeat(65))).toThrow("iamRole name");
  });

  test("skips unresolved tokens (checked after resolution)", () => {
    const token = "${TfToken[TOKEN.1]}";
    expect(checkName(scope, "loadBalancer", token)).toBe(token);
  });
});
