import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Testing } from "cdktf";

import { buildServiceTier, fails, PRODUCTION, STAGING } from "./fixtures/service";
import { type Json, ref, resourceNamed, resourcesOf } from "./helpers";

/** BlueGreenDeployment (constructs/service/blue-green.ts): CodeDeploy, the green target group and the test listener, and their absence under rolling deployments. */

const dev = buildServiceTier("dev");
const production = buildServiceTier("production", PRODUCTION);
const staging = buildServiceTier("staging", STAGING);

describe("deployments", () => {
  test("rolling has no CodeDeploy resources and no blueGreen outputs", () => {
    expect(dev.json.resource.aws_codedeploy_deployment_group).toBeUndefined();
    expect(dev.tier.blueGreen).toBeUndefined();
  });

  test("blue/green adds a green target group and an HTTPS test listener on 8443", () => {
    const test = resourceNamed(production.json, "aws_lb_listener", "service_LoadBalancer_TestListener");
    expect(test).toMatchObject({
      port: 8443,
      protocol: "HTTPS",
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      default_action: [
        {
          type: "forward",
          target_group_arn: ref(production.json, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup", "arn"),
        },
      ],
      lifecycle: { ignore_changes: ["default_action"] },
    });
    expect(resourceNamed(production.json, "aws_lb_listener", "service_LoadBalancer_HttpsListener").lifecycle).toEqual({
      ignore_changes: ["default_action"],
    });
    expect(production.tier.blueGreen?.greenTargetGroup).toBeDefined();
  });

  test("the test listener is reachable only from the configured CIDRs", () => {
    const testPortRules = (json: Json) =>
      Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule"))
        .filter((r) => r.from_port === 8443)
        .map((r) => r.cidr_ipv4);
    expect(testPortRules(production.json)).toEqual(["203.0.113.0/24"]);
    // No CIDRs configured: no rule, the port is closed.
    expect(testPortRules(staging.json)).toEqual([]);
  });

  test("blue/green shifts traffic linearly as configured", () => {
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(CodedeployDeploymentConfig, {
      deployment_config_name: "farmers-module-production-linear-10pct-every-1min",
      compute_platform: "ECS",
      traffic_routing_config: { type: "TimeBasedLinear", time_based_linear: { percentage: 10, interval: 1 } },
      lifecycle: { create_before_destroy: true },
    });
  });

  test("the deployment group rolls back on failure and terminates blue 5 minutes after success", () => {
    const group = resourceNamed(
      production.json,
      "aws_codedeploy_deployment_group",
      "service_BlueGreen_DeploymentGroup",
    );
    expect(group).toMatchObject({
      deployment_config_name: ref(
        production.json,
        "aws_codedeploy_deployment_config",
        "service_BlueGreen_DeploymentConfig",
        "deployment_config_name",
      ),
      deployment_style: { deployment_option: "WITH_TRAFFIC_CONTROL", deployment_type: "BLUE_GREEN" },
      auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE"] },
      blue_green_deployment_config: {
        terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 5 },
      },
      ecs_service: {
        cluster_name: ref(production.json, "aws_ecs_cluster", "service_Compute_Cluster", "name"),
        service_name: ref(production.json, "aws_ecs_service", "service_Compute_Service", "name"),
      },
      load_balancer_info: {
        target_group_pair_info: {
          prod_traffic_route: {
            listener_arns: [ref(production.json, "aws_lb_listener", "service_LoadBalancer_HttpsListener", "arn")],
          },
          test_traffic_route: {
            listener_arns: [ref(production.json, "aws_lb_listener", "service_LoadBalancer_TestListener", "arn")],
          },
          target_group: [
            { name: ref(production.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "name") },
            { name: ref(production.json, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup", "name") },
          ],
        },
      },
    });
    expect(group.alarm_configuration).toBeUndefined();
  });

  test("only CodeDeploy acting for this account may assume its role", () => {
    // GIVEN production  WHEN the CodeDeploy role's trust policy is read  THEN aws:SourceAccount is the account
    const trust = JSON.parse(
      resourceNamed(production.json, "aws_iam_role", "service_BlueGreen_Role").assume_role_policy as string,
    );
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "codedeploy.amazonaws.com" },
        Condition: {
          StringEquals: {
            "aws:SourceAccount": expect.stringMatching(/^\$\{data\.aws_caller_identity\.account\.account_id\}$/),
          },
        },
      },
    ]);
  });

  test("CodeDeploy's role may pass exactly the two task roles, to ECS tasks only", () => {
    const policy = JSON.parse(
      resourceNamed(production.json, "aws_iam_role_policy", "service_BlueGreen_PassTaskRoles").policy,
    );
    expect(policy.Statement).toEqual([
      {
        Sid: "PassTheServiceTaskRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: [
          expect.stringMatching(/^\$\{aws_iam_role\.service_Compute_ExecutionRole_.*\.arn\}$/),
          expect.stringMatching(/^\$\{aws_iam_role\.service_Compute_TaskRole_.*\.arn\}$/),
        ],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
    ]);
  });

  test("CodeDeploy's role has the Limited AWS managed policy for ECS", () => {
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(CodedeployApp, {
      compute_platform: "ECS",
      name: "farmers-module-production",
    });
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      policy_arn: expect.stringMatching(
        /^arn:\$\{data\.aws_partition\..*\.partition\}:iam::aws:policy\/AWSCodeDeployRoleForECSLimited$/,
      ),
    });
  });

  test("the style is configuration: staging switched to blue/green gets CodeDeploy", () => {
    expect(resourceNamed(staging.json, "aws_ecs_service", "service_Compute_Service").deployment_controller).toEqual({
      type: "CODE_DEPLOY",
    });
    expect(resourceNamed(staging.json, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup").tags).toEqual({
      Name: "farmers-module-staging-green",
    });
  });
});

describe("validation", () => {
  test("fails when blue/green would shift 100 % per step", () => {
    expect(fails("production", { deployment: { linearPercent: 100 } })).toThrow(
      "fixture-production/service/BlueGreen: linearPercent must be below 100 for linear traffic shifting; received 100",
    );
  });
});
