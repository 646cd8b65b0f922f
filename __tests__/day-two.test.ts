import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { Testing } from "cdktf";
import { parse } from "yaml";

import { ENVIRONMENT_NAMES, type EnvironmentName } from "../config/environments";
import { CODE_DEPLOY_REFUSED_ATTRIBUTES } from "../constructs/service/compute";
import { HEALTH_CHECK } from "../constructs/service/load-balancer";
import { addressOf, environmentStack, type Json, resourceNamed, resourcesOf, testConfig } from "./helpers";

/**
 * Day two: for each environment, a baseline and a changed configuration (a new task security-group
 * rule, a new container environment variable, task CPU, the database password's length, the target
 * group's health-check path), asserting on the synthesized JSON what makes each change safe on a
 * stack that already runs: ignored attributes, stable generators, name prefixes, the deploy path.
 */

interface Pair {
  readonly baseline: Json;
  readonly changed: Json;
}

function synthesize(env: EnvironmentName): Pair {
  const baseline = JSON.parse(Testing.synth(environmentStack(env))) as Json;
  // GIVEN the same environment with the five changes
  const stack = environmentStack(env, { service: { tracing: true, cpu: 1024, memoryMiB: 2048 } });
  new VpcSecurityGroupEgressRule(stack.service, "DayTwoEgress", {
    securityGroupId: stack.service.securityGroup.id,
    description: "Redis in the VPC",
    ipProtocol: "tcp",
    fromPort: 6379,
    toPort: 6379,
    cidrIpv4: stack.config.network.vpcCidr,
  });
  stack.data.serviceSecrets.generated["db-password"]!.addOverride("length", 48);
  stack.service.targetGroup.putHealthCheck({ ...HEALTH_CHECK, path: "/ready" });
  // Validations on: the guardrails must report nothing for the changed stack either.
  const changed = JSON.parse(Testing.synth(stack, true)) as Json;
  return { baseline, changed };
}

const pairs = Object.fromEntries(ENVIRONMENT_NAMES.map((env) => [env, synthesize(env)])) as Record<
  EnvironmentName,
  Pair
>;

/** The one resource of `type` whose address contains `fragment`, with its address. */
function only(json: Json, type: string, fragment: string): { address: string; config: Json } {
  return { address: addressOf(json, type, fragment), config: resourceNamed(json, type, fragment) };
}
const without = (config: Json, ...keys: string[]) =>
  Object.fromEntries(Object.entries(config).filter(([k]) => !keys.includes(k) && k !== "//"));

describe.each(ENVIRONMENT_NAMES)("%s on day two", (env) => {
  const { baseline, changed } = pairs[env];
  const blueGreen = testConfig(env).deployment.style === "blue-green";

  test("a new task security-group rule is a resource of its own: the group itself does not change", () => {
    // WHEN the task group is compared  THEN it is identical (no replacement), prefix-named and create-before-destroy
    const before = only(baseline, "aws_security_group", "Compute_SecurityGroup");
    const after = only(changed, "aws_security_group", "Compute_SecurityGroup");
    expect(after.address).toBe(before.address);
    expect(without(after.config)).toEqual(without(before.config));
    expect(after.config).toMatchObject({
      name_prefix: `farmers-module-${env}-service-`,
      lifecycle: { create_before_destroy: true },
    });
    // AND the rule references the group: it is added in place
    const rules = Object.values(resourcesOf(changed, "aws_vpc_security_group_egress_rule")).filter(
      (r) => r.from_port === 6379,
    );
    expect(rules.map((r) => r.security_group_id)).toEqual([`\${${before.address}.id}`]);
  });

  test("the service never takes a change UpdateService would refuse (blue/green) and keeps its address", () => {
    const before = only(baseline, "aws_ecs_service", "Compute_Service");
    const after = only(changed, "aws_ecs_service", "Compute_Service");
    expect(after.address).toBe(before.address);
    const ignored = after.config.lifecycle.ignore_changes as string[];
    expect(ignored).toEqual(
      expect.arrayContaining(
        blueGreen ? [...CODE_DEPLOY_REFUSED_ATTRIBUTES, "desired_count"] : ["task_definition", "desired_count"],
      ),
    );
    // Rolling manages its network configuration in place (ECS accepts it); blue/green leaves it to the deployment
    expect(ignored.includes("network_configuration")).toBe(blueGreen);
  });

  test("a new environment variable and more CPU make a new Terraform revision that the next pipeline deploy takes", () => {
    // WHEN the task definition is compared  THEN the same address with the new settings (a new revision)
    const before = only(baseline, "aws_ecs_task_definition", "Compute_TaskDefinition");
    const after = only(changed, "aws_ecs_task_definition", "Compute_TaskDefinition");
    expect(after.address).toBe(before.address);
    expect([before.config.cpu, after.config.cpu]).toEqual([env === "dev" ? "256" : "512", "1024"]);
    const environment = (c: Json) =>
      (JSON.parse(c.container_definitions as string)[0].environment as { name: string }[]).map((e) => e.name);
    expect(environment(before.config)).not.toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
    expect(environment(after.config)).toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
    // AND the service ignores task_definition (plan stays clean after pipeline deploys) ...
    expect(only(changed, "aws_ecs_service", "Compute_Service").config.lifecycle.ignore_changes).toContain(
      "task_definition",
    );
    // ... while the build derives the deployed revision from exactly Terraform's revision
    const build = parse(
      only(changed, "aws_codebuild_project", "BuildProject").config.source.buildspec as string,
    ) as Json;
    expect(build.env.variables.TASK_DEFINITION).toBe(`\${${after.address}.arn}`);
    // ... and the Deploy stage runs the deploy step, which registers and deploys that taskdef.json
    const pipeline = only(changed, "aws_codepipeline", "pipeline_").config;
    const deployStage = (pipeline.stage as Json[]).find((s) => s.name === "Deploy")!;
    expect(deployStage.action[0]).toMatchObject({ provider: "CodeBuild", input_artifacts: ["BuildOutput"] });
    expect(deployStage.action[0].configuration.ProjectName).toBe(
      `\${${only(changed, "aws_codebuild_project", "DeployProject").address}.name}`,
    );
    const deploy = parse(
      only(changed, "aws_codebuild_project", "DeployProject").config.source.buildspec as string,
    ) as Json;
    expect(deploy.phases.pre_build.commands).toContain(
      'NEW_TASK_DEFINITION=$(aws ecs register-task-definition --region "$DEPLOY_REGION" --cli-input-json file://taskdef.json --query taskDefinition.taskDefinitionArn --output text)',
    );
  });

  test("a longer database password in code changes nothing in AWS: the generator ignores it", () => {
    const before = only(baseline, "random_password", "db-password-value");
    const after = only(changed, "random_password", "db-password-value");
    expect(after.address).toBe(before.address);
    expect([before.config.length, after.config.length]).toEqual([40, 48]);
    // THEN Terraform plans no replacement: length (and every other shaping argument) is ignored, no keepers
    expect(after.config.lifecycle.ignore_changes).toEqual(
      expect.arrayContaining(["length", "special", "override_special"]),
    );
    expect(after.config.keepers).toBeUndefined();
    // AND the instance and the secret still read the same value
    expect(only(changed, "aws_db_instance", "data_Database").config.password).toBe(`\${${after.address}.result}`);
    expect(only(changed, "aws_secretsmanager_secret_version", "db-password-version").config.secret_string).toBe(
      `\${${after.address}.result}`,
    );
  });

  test("a new health-check path updates the target group in place; a replacement could coexist with the one in use", () => {
    const before = only(baseline, "aws_lb_target_group", "LoadBalancer_TargetGroup");
    const after = only(changed, "aws_lb_target_group", "LoadBalancer_TargetGroup");
    expect(after.address).toBe(before.address);
    expect([before.config.health_check.path, after.config.health_check.path]).toEqual(["/health", "/ready"]);
    // Only the health check differs (no force-new attribute), and the name is a prefix under create_before_destroy
    expect(without(after.config, "health_check")).toEqual(without(before.config, "health_check"));
    expect(after.config.name).toBeUndefined();
    expect((after.config.name_prefix as string).length).toBeLessThanOrEqual(6);
    expect(after.config.lifecycle).toEqual({ create_before_destroy: true });
    const https = only(changed, "aws_lb_listener", "HttpsListener").config;
    if (blueGreen) expect(https.lifecycle).toEqual({ ignore_changes: ["default_action"] });
    else expect(https.default_action[0].target_group_arn).toBe(`\${${after.address}.arn}`);
  });
});
