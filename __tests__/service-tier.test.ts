import { Testing } from "cdktf";

import { checkStack, formatFinding } from "../constructs/guardrails/engine";
import { checkName } from "../constructs/naming";
import { ServiceTier } from "../constructs/service/service-tier";
import { ALARMS, buildServiceTier, fails, PRODUCTION, serviceTierProps, STAGING } from "./fixtures/service";
import { fixtureStack } from "./fixtures/tiers";
import { type Json, ref, resourceNamed, resourcesOf } from "./helpers";

/** The service tier as a whole: names and addresses, the security-group flows between its parts, guardrails, useDeploymentAlarms and its own input checks. */

const dev = buildServiceTier("dev");
const production = buildServiceTier("production", PRODUCTION);
const staging = buildServiceTier("staging", STAGING);

describe("names", () => {
  test("every production name is within AWS limits, target groups included", () => {
    // GIVEN the blue/green production stack
    const p = production.json;
    // THEN the names are the convention's, each within its limit
    expect(resourceNamed(p, "aws_lb", "service_LoadBalancer_").name).toBe("farmers-module-production-alb");
    // Target groups: a 6-character prefix (Terraform adds 26 of the 32) and the readable name as a tag
    expect(resourceNamed(p, "aws_lb_target_group", "service_LoadBalancer_TargetGroup")).toMatchObject({
      name_prefix: "fmpb-",
      tags: { Name: "farmers-module-production-blue" },
    });
    expect(resourceNamed(p, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup")).toMatchObject({
      name_prefix: "fmpg-",
      tags: { Name: "farmers-module-production-green" },
    });
    for (const tg of Object.values(resourcesOf(p, "aws_lb_target_group")))
      expect((tg.name_prefix as string).length + 26).toBeLessThanOrEqual(32);
    expect(resourceNamed(p, "aws_ecs_cluster", "service_Compute_Cluster").name).toBe(
      "farmers-module-production-cluster",
    );
    expect(resourceNamed(p, "aws_ecs_service", "service_Compute_Service").name).toBe(
      "farmers-module-production-service",
    );
    expect(resourceNamed(p, "aws_ecs_task_definition", "service_Compute_TaskDefinition").family).toBe(
      "farmers-module-production",
    );
    expect(resourceNamed(p, "aws_ecr_repository", "service_Registry").name).toBe("farmers-module-production");
    expect(resourceNamed(p, "aws_cloudwatch_log_group", "service_Compute_LogGroup").name).toBe(
      "/ecs/farmers-module-production",
    );
  });

  test("the reference's 34-character green target group name is rejected", () => {
    // GIVEN the name the reference used
    // WHEN it is checked as a target group name
    // THEN checkName refuses it with the length and the limit
    expect(() => checkName(production.tier, "targetGroup", "farmers-module-production-tg-green")).toThrow(
      'fixture-production/service: targetGroup name "farmers-module-production-tg-green" is 34 characters; AWS allows 1-32',
    );
  });

  test("the rolling target group is tagged -tg and can be replaced while a listener uses it", () => {
    // GIVEN dev  WHEN synthesized  THEN a prefix (no fixed name) and create_before_destroy
    const tg = resourceNamed(dev.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup");
    expect(tg.name).toBeUndefined();
    expect(tg).toMatchObject({
      name_prefix: "fmdt-",
      tags: { Name: "farmers-module-dev-tg" },
      lifecycle: { create_before_destroy: true },
    });
  });

  test("security groups the load balancer and tasks use have name prefixes and are replaced create-before-destroy", () => {
    const groups = ["LoadBalancer_SecurityGroup", "Compute_SecurityGroup"].map((f) =>
      resourceNamed(dev.json, "aws_security_group", `service_${f}`),
    );
    expect(groups.map((g) => [g.name, g.name_prefix, g.lifecycle])).toEqual([
      [undefined, "farmers-module-dev-alb-", { create_before_destroy: true }],
      [undefined, "farmers-module-dev-service-", { create_before_destroy: true }],
    ]);
  });

  test("construct IDs (Terraform addresses) are stable", () => {
    // Renaming an ID moves a resource to a new address: destroy and re-create.
    const addresses = Object.entries((dev.json.resource ?? {}) as Json)
      .flatMap(([type, byName]) => Object.keys(byName as Json).map((n) => `${type}.${n.replace(/_[0-9A-F]{8}$/, "")}`))
      .filter((a) => a.includes(".service_"))
      .sort();
    expect(addresses).toEqual([
      "aws_appautoscaling_policy.service_Scaling_Cpu",
      "aws_appautoscaling_policy.service_Scaling_Memory",
      "aws_appautoscaling_policy.service_Scaling_Requests",
      "aws_appautoscaling_target.service_Scaling_Target",
      "aws_cloudwatch_log_group.service_Compute_ExecLogGroup",
      "aws_cloudwatch_log_group.service_Compute_LogGroup",
      "aws_ecr_lifecycle_policy.service_Registry_LifecyclePolicy",
      "aws_ecr_repository.service_Registry",
      "aws_ecs_cluster.service_Compute_Cluster",
      "aws_ecs_cluster_capacity_providers.service_Compute_CapacityProviders",
      "aws_ecs_service.service_Compute_Service",
      "aws_ecs_task_definition.service_Compute_TaskDefinition",
      "aws_iam_role.service_Compute_ExecutionRole",
      "aws_iam_role.service_Compute_TaskRole",
      "aws_iam_role_policy.service_Compute_ExecutionRolePolicy",
      "aws_iam_role_policy.service_Compute_TaskRolePolicy",
      "aws_lb.service_LoadBalancer",
      "aws_lb_listener.service_LoadBalancer_HttpListener",
      "aws_lb_listener.service_LoadBalancer_HttpsListener",
      "aws_lb_target_group.service_LoadBalancer_TargetGroup",
      "aws_s3_bucket.service_LoadBalancer_AccessLogBucket",
      "aws_s3_bucket_lifecycle_configuration.service_LoadBalancer_AccessLogBucket_Lifecycle",
      "aws_s3_bucket_ownership_controls.service_LoadBalancer_AccessLogBucket_OwnershipControls",
      "aws_s3_bucket_policy.service_LoadBalancer_AccessLogBucket_Policy",
      "aws_s3_bucket_public_access_block.service_LoadBalancer_AccessLogBucket_PublicAccessBlock",
      "aws_s3_bucket_server_side_encryption_configuration.service_LoadBalancer_AccessLogBucket_Encryption",
      "aws_s3_bucket_versioning.service_LoadBalancer_AccessLogBucket_Versioning",
      "aws_security_group.service_Compute_SecurityGroup",
      "aws_security_group.service_LoadBalancer_SecurityGroup",
      "aws_vpc_security_group_egress_rule.service_Compute_EgressAaa",
      "aws_vpc_security_group_egress_rule.service_Compute_EgressDatabase",
      "aws_vpc_security_group_egress_rule.service_Compute_EgressHttps",
      "aws_vpc_security_group_egress_rule.service_LoadBalancerToService",
      "aws_vpc_security_group_ingress_rule.service_LoadBalancer_Ingress443",
      "aws_vpc_security_group_ingress_rule.service_LoadBalancer_Ingress80",
      "aws_vpc_security_group_ingress_rule.service_ServiceFromLoadBalancer",
    ]);
  });

  test("the tier passes every guardrail in rolling and blue/green stacks", () => {
    // Findings on the fixture's stand-in database are not the service tier's.
    const ours = (json: Json, productionRules: boolean) =>
      checkStack(json, { production: productionRules })
        .filter((f) => f.path.includes("/service/"))
        .map(formatFinding);
    expect(ours(dev.withAlarms, false)).toEqual([]);
    expect(ours(production.withAlarms, true)).toEqual([]);
    expect(ours(staging.withAlarms, false)).toEqual([]);
  });
});

describe("security groups", () => {
  const rules = (json: Json, type: string, sg: string) =>
    Object.values(resourcesOf(json, type))
      .filter((r) => r.security_group_id === ref(json, "aws_security_group", `service_${sg}`, "id"))
      .map((r) => ({ port: r.from_port, to: r.to_port, cidr: r.cidr_ipv4, group: r.referenced_security_group_id }))
      .sort((a, b) => a.port - b.port);
  const albSg = (json: Json) => ref(json, "aws_security_group", "service_LoadBalancer_SecurityGroup", "id");
  const serviceSg = (json: Json) => ref(json, "aws_security_group", "service_Compute_SecurityGroup", "id");

  test("the load balancer admits 80 and 443 from anywhere", () => {
    expect(rules(dev.json, "aws_vpc_security_group_ingress_rule", "LoadBalancer_SecurityGroup")).toEqual([
      { port: 80, to: 80, cidr: "0.0.0.0/0", group: undefined },
      { port: 443, to: 443, cidr: "0.0.0.0/0", group: undefined },
    ]);
  });

  test("the load balancer sends only to the service's group on the container port", () => {
    expect(rules(dev.json, "aws_vpc_security_group_egress_rule", "LoadBalancer_SecurityGroup")).toEqual([
      { port: 8000, to: 8000, cidr: undefined, group: serviceSg(dev.json) },
    ]);
  });

  test("the service admits only the load balancer, on the container port", () => {
    expect(rules(dev.json, "aws_vpc_security_group_ingress_rule", "Compute_SecurityGroup")).toEqual([
      { port: 8000, to: 8000, cidr: undefined, group: albSg(dev.json) },
    ]);
  });

  test("the service sends only HTTPS, PostgreSQL to the database and the AAA port", () => {
    // GIVEN dev, whose AAA endpoint is aaa-service-dev.internal:50052 with no AAA network configured
    expect(rules(dev.json, "aws_vpc_security_group_egress_rule", "Compute_SecurityGroup")).toEqual([
      { port: 443, to: 443, cidr: "0.0.0.0/0", group: undefined },
      { port: 5432, to: 5432, cidr: undefined, group: "${aws_security_group.fake-db-sg.id}" },
      { port: 50052, to: 50052, cidr: "0.0.0.0/0", group: undefined },
    ]);
  });

  test("AAA on 443 (staging) adds no rule of its own", () => {
    expect(
      rules(staging.json, "aws_vpc_security_group_egress_rule", "Compute_SecurityGroup").map((r) => r.port),
    ).toEqual([443, 5432]);
  });

  test("security groups declare no inline rules (the separate rules would fight them)", () => {
    for (const sg of [
      resourceNamed(dev.json, "aws_security_group", "service_Compute_SecurityGroup"),
      resourceNamed(dev.json, "aws_security_group", "service_LoadBalancer_SecurityGroup"),
    ]) {
      expect(sg.ingress).toBeUndefined();
      expect(sg.egress).toBeUndefined();
    }
  });

  test("the database admits the service's group", () => {
    const dbIngress = Object.values(resourcesOf(dev.json, "aws_vpc_security_group_ingress_rule")).filter(
      (r) => r.security_group_id === "${aws_security_group.fake-db-sg.id}",
    );
    expect(dbIngress.map((r) => [r.from_port, r.referenced_security_group_id])).toEqual([[5432, serviceSg(dev.json)]]);
  });
});

describe("IAM", () => {
  const wildcardActions = (json: Json) =>
    Object.values(resourcesOf(json, "aws_iam_role_policy"))
      .flatMap((p) => (JSON.parse(p.policy as string) as { Statement: Json[] }).Statement)
      .flatMap((s) => [s.Action].flat() as string[])
      .filter((a) => a === "*" || a.endsWith(":*"));

  test("no policy of the tier has a wildcard action", () => {
    expect([...wildcardActions(dev.json), ...wildcardActions(production.json)]).toEqual([]);
  });
});

describe("useDeploymentAlarms", () => {
  test("rolling: the ECS deployment alarms roll back", () => {
    expect(resourceNamed(dev.withAlarms, "aws_ecs_service", "service_Compute_Service").alarms).toEqual({
      alarm_names: ALARMS,
      enable: true,
      rollback: true,
    });
    expect(resourceNamed(dev.json, "aws_ecs_service", "service_Compute_Service").alarms).toBeUndefined();
  });

  test("blue/green: the deployment group stops and rolls back on the alarms", () => {
    const group = resourceNamed(
      production.withAlarms,
      "aws_codedeploy_deployment_group",
      "service_BlueGreen_DeploymentGroup",
    );
    expect(group.alarm_configuration).toEqual({ enabled: true, alarms: ALARMS });
    expect(group.auto_rollback_configuration).toEqual({
      enabled: true,
      events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    });
    expect(resourceNamed(production.withAlarms, "aws_ecs_service", "service_Compute_Service").alarms).toBeUndefined();
  });

  test("calls accumulate", () => {
    const f = fixtureStack("dev");
    const tier = new ServiceTier(f.stack, "service", serviceTierProps(f, "dev", {}));
    tier.useDeploymentAlarms(["a"]);
    tier.useDeploymentAlarms(["b"]);
    expect(
      resourceNamed(JSON.parse(Testing.synth(f.stack)) as Json, "aws_ecs_service", "Compute_Service").alarms,
    ).toEqual({
      alarm_names: ["a", "b"],
      enable: true,
      rollback: true,
    });
  });

  test("fails when given no alarm names", () => {
    expect(() => dev.tier.useDeploymentAlarms([])).toThrow(
      "fixture-dev/service: useDeploymentAlarms needs at least one alarm name; received none",
    );
  });

  test("fails when a deployment group would get more than 10 alarms", () => {
    const f = fixtureStack("production");
    const tier = new ServiceTier(f.stack, "service", serviceTierProps(f, "production", {}));
    expect(() => tier.useDeploymentAlarms(Array.from({ length: 11 }, (_, i) => `alarm-${i}`))).toThrow(
      "fixture-production/service/BlueGreen: a CodeDeploy deployment group takes at most 10 alarms; received 11",
    );
  });
});

describe("validation", () => {
  test("fails when the initial image tag is not a Docker tag", () => {
    expect(fails("dev", {}, { initialImageTag: "first image" })).toThrow(
      'fixture-dev/service: initialImageTag must be a Docker tag (letters, digits, _ . -, at most 128); received "first image"',
    );
  });
});
