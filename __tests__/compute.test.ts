import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { Testing } from "cdktf";

import { SERVICE_SECRET_NAMES } from "../constructs/contracts";
import {
  aaaEgressRule,
  ECS_EXEC_ACTIONS,
  ECS_EXEC_KEY_ACTIONS,
  ECS_EXEC_LOG_ACTIONS,
  executionRoleStatements,
  taskRoleStatements,
  XRAY_WRITE_ACTIONS,
} from "../constructs/service/compute";
import { CONTAINER_ENVIRONMENT_NAMES } from "../constructs/service/container";
import { parseEndpoint } from "../constructs/service/container";
import { buildServiceTier, PRODUCTION } from "./fixtures/service";
import { fixtureSecretArns } from "./fixtures/tiers";
import { type Json, policyOf, ref, refsOf, resourceNamed, resourcesOf } from "./helpers";

/** ServiceCompute (constructs/service/compute.ts): cluster, task definition, service, ECS Exec, roles and tracing, inside the service tier. */

const dev = buildServiceTier("dev");
const production = buildServiceTier("production", PRODUCTION);

const str = (json: Json) => JSON.stringify(json);
/** Production secret ARNs for the pure IAM documents. */
const secretArns = fixtureSecretArns("production");

describe("compute", () => {
  test("the cluster has Container Insights (production)", () => {
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(EcsCluster, {
      name: "farmers-module-production-cluster",
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
  });

  test("Container Insights is disabled where service.containerInsights is false (dev)", () => {
    // GIVEN dev's configuration WHEN synthesized THEN the cluster setting says disabled
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(EcsCluster, {
      name: "farmers-module-dev-cluster",
      setting: [{ name: "containerInsights", value: "disabled" }],
    });
  });

  test("FARGATE (base 1) always, FARGATE_SPOT in the strategy only where config allows it", () => {
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(EcsClusterCapacityProviders, {
      capacity_providers: ["FARGATE", "FARGATE_SPOT"],
      default_capacity_provider_strategy: [
        { capacity_provider: "FARGATE", base: 1, weight: 1 },
        { capacity_provider: "FARGATE_SPOT", weight: 1 },
      ],
    });
    expect(
      resourceNamed(production.json, "aws_ecs_service", "service_Compute_Service").capacity_provider_strategy,
    ).toEqual([{ capacity_provider: "FARGATE", base: 1, weight: 1 }]);
  });

  test("the log group keeps the environment's retention", () => {
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/ecs/farmers-module-dev",
      retention_in_days: 7,
    });
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/ecs/farmers-module-production",
      retention_in_days: 30,
    });
  });

  test("the task definition is Fargate awsvpc with the environment's CPU and memory", () => {
    expect(resourceNamed(dev.json, "aws_ecs_task_definition", "service_Compute_TaskDefinition")).toMatchObject({
      requires_compatibilities: ["FARGATE"],
      network_mode: "awsvpc",
      cpu: "256",
      memory: "512",
      execution_role_arn: ref(dev.json, "aws_iam_role", "service_Compute_ExecutionRole", "arn"),
      task_role_arn: ref(dev.json, "aws_iam_role", "service_Compute_TaskRole", "arn"),
    });
    expect(resourceNamed(production.json, "aws_ecs_task_definition", "service_Compute_TaskDefinition")).toMatchObject({
      cpu: "512",
      memory: "1024",
      volume: [{ name: "tmp" }],
    });
  });

  test("the synthesized container carries the whole contract, wired to the data tier", () => {
    // GIVEN dev's synthesized task definition
    const [container] = JSON.parse(
      resourceNamed(dev.json, "aws_ecs_task_definition", "service_Compute_TaskDefinition")
        .container_definitions as string,
    ) as Json[];
    const env = Object.fromEntries(
      (container.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]),
    );
    // THEN every contract variable is present, the DB host is the instance's address and the image is the repository's
    expect(Object.keys(env)).toEqual([...CONTAINER_ENVIRONMENT_NAMES]);
    expect(env.DB_POSTGRES_HOST).toBe("${aws_db_instance.fake-db.address}");
    expect(env).toMatchObject({
      ENVIRONMENT: "dev",
      DB_POSTGRES_DBNAME: "farmers_dev",
      DB_POSTGRES_MAX_CONNS: "20",
      AAA_GRPC_ADDR: "aaa-service-dev.internal:50052",
      LOG_LEVEL: "info",
      ENABLE_TRACING: "false",
    });
    expect(container.secrets).toEqual(
      ["DB_POSTGRES_PASSWORD", "AAA_API_KEY", "JWT_SECRET", "SECRET_KEY", "AAA_DEFAULT_PASSWORD"].map((name, i) => ({
        name,
        valueFrom: dev.data.secretArns[SERVICE_SECRET_NAMES[i]],
      })),
    );
    expect(container.image).toBe(
      `${ref(dev.json, "aws_ecr_repository", "service_Registry", "repository_url")}:bootstrap`,
    );
    expect(container.logConfiguration.options["awslogs-group"]).toBe(
      ref(dev.json, "aws_cloudwatch_log_group", "service_Compute_LogGroup", "name"),
    );
  });

  test("the service runs in the private subnets without public IPs, behind the target group (NAT egress)", () => {
    const dev = buildServiceTier("dev", { network: { natGateways: "single" } });
    const service = resourceNamed(dev.json, "aws_ecs_service", "service_Compute_Service");
    expect(service).toMatchObject({
      name: "farmers-module-dev-service",
      cluster: ref(dev.json, "aws_ecs_cluster", "service_Compute_Cluster", "arn"),
      desired_count: 1,
      network_configuration: {
        assign_public_ip: false,
        security_groups: [ref(dev.json, "aws_security_group", "service_Compute_SecurityGroup", "id")],
      },
      load_balancer: [
        {
          container_name: "farmers-module",
          container_port: 8000,
          target_group_arn: ref(dev.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "arn"),
        },
      ],
      health_check_grace_period_seconds: 45,
      deployment_maximum_percent: 200,
      deployment_minimum_healthy_percent: 100,
      propagate_tags: "SERVICE",
      enable_ecs_managed_tags: true,
      enable_execute_command: true,
    });
    expect(service.network_configuration.subnets).toEqual(
      refsOf(dev.json, "aws_subnet", "network_private-subnet-", "id"),
    );
    expect(resourceNamed(production.json, "aws_ecs_service", "service_Compute_Service")).toMatchObject({
      desired_count: 2,
      enable_execute_command: false,
    });
  });

  test("with natGateways none the service runs in the public subnets with a public IP on each task", () => {
    // GIVEN dev's configuration (no NAT gateway) WHEN synthesized THEN public subnets and assign_public_ip
    const service = resourceNamed(dev.json, "aws_ecs_service", "service_Compute_Service");
    expect(service.network_configuration.assign_public_ip).toBe(true);
    expect(service.network_configuration.subnets).toEqual(
      refsOf(dev.json, "aws_subnet", "network_public-subnet-", "id"),
    );
  });

  test("rolling: ECS controller with the circuit breaker; Terraform ignores the task definition and desired count", () => {
    expect(resourceNamed(dev.json, "aws_ecs_service", "service_Compute_Service")).toMatchObject({
      deployment_controller: { type: "ECS" },
      deployment_circuit_breaker: { enable: true, rollback: true },
      lifecycle: { ignore_changes: ["task_definition", "desired_count"] },
    });
  });

  test("blue/green: CODE_DEPLOY controller; Terraform ignores every attribute UpdateService refuses on it", () => {
    // GIVEN production (blue/green)  WHEN synthesized
    const service = resourceNamed(production.json, "aws_ecs_service", "service_Compute_Service");
    // THEN a later change of the task security group, subnets, platform or ECS Exec never reaches UpdateService
    expect(service).toMatchObject({
      deployment_controller: { type: "CODE_DEPLOY" },
      lifecycle: {
        ignore_changes: [
          "task_definition",
          "load_balancer",
          "capacity_provider_strategy",
          "network_configuration",
          "platform_version",
          "enable_execute_command",
          "desired_count",
        ],
      },
    });
    expect(service.deployment_circuit_breaker).toBeUndefined();
  });
});

describe("ECS Exec", () => {
  test("the cluster logs every session to the encrypted Exec log group and encrypts the session with the logs key", () => {
    // GIVEN any environment WHEN synthesized THEN execute_command_configuration is OVERRIDE with CloudWatch encryption
    for (const built of [dev, production]) {
      expect(resourceNamed(built.json, "aws_ecs_cluster", "service_Compute_Cluster").configuration).toEqual({
        execute_command_configuration: {
          kms_key_id: "${aws_kms_key.logs-key.arn}",
          logging: "OVERRIDE",
          log_configuration: {
            cloud_watch_log_group_name: ref(
              built.json,
              "aws_cloudwatch_log_group",
              "service_Compute_ExecLogGroup",
              "name",
            ),
            cloud_watch_encryption_enabled: true,
          },
        },
      });
    }
  });

  test("the Exec log group is /ecs/<prefix>/exec with the environment's retention and the logs key", () => {
    expect(resourceNamed(dev.json, "aws_cloudwatch_log_group", "service_Compute_ExecLogGroup")).toMatchObject({
      name: "/ecs/farmers-module-dev/exec",
      retention_in_days: 7,
      kms_key_id: "${aws_kms_key.logs-key.arn}",
    });
  });

  test("the logs key lets account principals (through IAM) use it for Exec sessions only where Exec is on", () => {
    const statement = (json: Json) =>
      (JSON.parse(resourceNamed(json, "aws_kms_key", "logs-key").policy as string).Statement as Json[]).find(
        (s) => s.Sid === "EcsExecSessions",
      );
    expect(statement(dev.json)).toEqual({
      Sid: "EcsExecSessions",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } },
    });
    expect(statement(production.json)).toBeUndefined();
  });
});

describe("IAM", () => {
  test("the execution role pulls from this repository, logs to this group and reads exactly the five secrets", () => {
    const { Statement } = policyOf(dev.json, "service_Compute_ExecutionRolePolicy");
    const logGroup = ref(dev.json, "aws_cloudwatch_log_group", "service_Compute_LogGroup", "arn");
    expect(Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["EcrAuthorization", "ecr:GetAuthorizationToken", "*"],
      [
        "EcrPull",
        ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        ref(dev.json, "aws_ecr_repository", "service_Registry", "arn"),
      ],
      ["Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [logGroup, `${logGroup}:log-stream:*`]],
      ["Secrets", "secretsmanager:GetSecretValue", SERVICE_SECRET_NAMES.map((n) => dev.data.secretArns[n])],
      ["DecryptSecrets", "kms:Decrypt", "${aws_kms_key.fake-data-key.arn}"],
    ]);
  });

  test("roles trust ECS tasks of this account only", () => {
    const trust = JSON.parse(
      resourceNamed(dev.json, "aws_iam_role", "service_Compute_ExecutionRole").assume_role_policy as string,
    ) as {
      Statement: Json[];
    };
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Condition: {
          StringEquals: {
            "aws:SourceAccount": expect.stringMatching(/^\$\{data\.aws_caller_identity\..*\.account_id\}$/),
          },
        },
      },
    ]);
  });

  test("with exec on and tracing off the task role has the SSM channel, the Exec log group and the session key only", () => {
    const execGroup = ref(dev.json, "aws_cloudwatch_log_group", "service_Compute_ExecLogGroup", "arn");
    expect(policyOf(dev.json, "service_Compute_TaskRolePolicy").Statement).toEqual([
      {
        Sid: "EcsExec",
        Effect: "Allow",
        Action: [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: "*",
      },
      { Sid: "EcsExecFindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
      {
        Sid: "EcsExecLogSessions",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        Resource: [execGroup, `${execGroup}:*`],
      },
      {
        Sid: "EcsExecSessionKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "${aws_kms_key.logs-key.arn}",
      },
    ]);
  });

  test("with tracing on and exec off the task role has only the X-Ray writes", () => {
    expect(policyOf(production.json, "service_Compute_TaskRolePolicy").Statement).toEqual([
      {
        Sid: "XRayWrite",
        Effect: "Allow",
        Action: [
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "xray:GetSamplingStatisticSummaries",
        ],
        Resource: "*",
      },
    ]);
  });
});

describe("tracing", () => {
  const containers = (json: Json) =>
    JSON.parse(
      resourceNamed(json, "aws_ecs_task_definition", "service_Compute_TaskDefinition").container_definitions as string,
    ) as Json[];

  test("on: a collector sidecar, ENABLE_TRACING=true and the OTLP endpoint", () => {
    const [app, collector] = containers(production.json);
    expect(collector.name).toBe("aws-otel-collector");
    expect(app.environment).toEqual(
      expect.arrayContaining([
        { name: "ENABLE_TRACING", value: "true" },
        { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "localhost:4317" },
      ]),
    );
  });

  test("off: no collector, ENABLE_TRACING=false, no endpoint, no X-Ray permission", () => {
    const list = containers(dev.json);
    expect(list.map((c) => c.name)).toEqual(["farmers-module"]);
    expect(list[0].environment).toContainEqual({ name: "ENABLE_TRACING", value: "false" });
    expect(str(list[0].environment)).not.toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
    expect(str(resourcesOf(dev.json, "aws_iam_role_policy"))).not.toContain("xray:");
  });
});

describe("security group helpers", () => {
  test("parseEndpoint splits host and port", () => {
    expect(parseEndpoint("aaa-service.internal:50052")).toEqual({ host: "aaa-service.internal", port: 50052 });
  });

  test("AAA egress goes only to the AAA network's CIDR when it is routed", () => {
    expect(aaaEgressRule("aaa-service.internal:50052", "10.50.0.0/16")).toMatchObject({
      port: 50052,
      cidr: "10.50.0.0/16",
    });
  });

  test("AAA egress opens its one port to anywhere when no AAA network is configured", () => {
    expect(aaaEgressRule("aaa-service-dev.internal:50052", undefined)).toMatchObject({
      port: 50052,
      cidr: "0.0.0.0/0",
    });
  });

  test("AAA on 443 adds no rule: the HTTPS rule covers it", () => {
    expect(aaaEgressRule("beta.aaa.kisanlink.in:443", undefined)).toBeUndefined();
  });
});

describe("IAM documents", () => {
  const statements = executionRoleStatements({
    repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/farmers-module-production",
    logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/farmers-module-production",
    secretArns: SERVICE_SECRET_NAMES.map((n) => secretArns[n]),
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234",
    region: "us-east-1",
  });

  test("the execution role reads exactly the five secrets", () => {
    expect(statements.find((s) => s.Sid === "Secrets")).toEqual({
      Sid: "Secrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: SERVICE_SECRET_NAMES.map((n) => secretArns[n]),
    });
  });

  test("the execution role decrypts with the data key only through Secrets Manager", () => {
    expect(statements.find((s) => s.Sid === "DecryptSecrets")).toMatchObject({
      Action: "kms:Decrypt",
      Resource: "arn:aws:kms:us-east-1:123456789012:key/1234",
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
    });
  });

  test("the execution role uses Resource * only for ecr:GetAuthorizationToken", () => {
    expect(statements.filter((s) => s.Resource === "*")).toEqual([
      { Sid: "EcrAuthorization", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    ]);
  });

  test("the task role has no permissions with exec and tracing off", () => {
    expect(taskRoleStatements({ executeCommand: false, tracing: false })).toEqual([]);
  });

  const EXEC = {
    logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/farmers-module-dev/exec",
    keyArn: "arn:aws:kms:us-east-1:123456789012:key/logs",
  };

  test("the task role gets the SSM channel and session logging only with exec, X-Ray writes only with tracing", () => {
    expect(taskRoleStatements({ executeCommand: EXEC, tracing: false }).flatMap((s) => s.Action)).toEqual([
      ...ECS_EXEC_ACTIONS,
      "logs:DescribeLogGroups",
      ...ECS_EXEC_LOG_ACTIONS,
      ...ECS_EXEC_KEY_ACTIONS,
    ]);
    expect(taskRoleStatements({ executeCommand: false, tracing: true }).flatMap((s) => s.Action)).toEqual([
      ...XRAY_WRITE_ACTIONS,
    ]);
  });

  test("no statement has a wildcard action", () => {
    const all = [...statements, ...taskRoleStatements({ executeCommand: EXEC, tracing: true })].flatMap((s) =>
      [s.Action].flat(),
    );
    expect(all.filter((a) => a === "*" || a.endsWith(":*"))).toEqual([]);
  });
});
