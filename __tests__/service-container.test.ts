import { DEPLOYED_TAG_PREFIX, SERVICE_SECRET_NAMES, type ServiceSecretName } from "../constructs/contracts";
import {
  aaaEgressRule,
  ECS_EXEC_ACTIONS,
  ECS_EXEC_KEY_ACTIONS,
  ECS_EXEC_LOG_ACTIONS,
  executionRoleStatements,
  taskRoleStatements,
  XRAY_WRITE_ACTIONS,
} from "../constructs/service/compute";
import {
  COLLECTOR_CONTAINER_NAME,
  CONTAINER_NAME,
  containerDefinitions,
  type ContainerDefinitionsInput,
  containerEnvironment,
  containerSecrets,
  parseEndpoint,
  scratchVolumes,
} from "../constructs/service/container";
import { ecrLifecyclePolicy } from "../constructs/service/registry";

/** The container contract and IAM documents as pure functions: no stack, no synth. */

const secretArns = Object.fromEntries(
  SERVICE_SECRET_NAMES.map((n) => [
    n,
    `arn:aws:secretsmanager:us-east-1:123456789012:secret:farmers-module/production/${n}-AbCdEf`,
  ]),
) as Record<ServiceSecretName, string>;

const input = (overrides: Partial<ContainerDefinitionsInput> = {}): ContainerDefinitionsInput => ({
  image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/farmers-module-production:abc1234",
  environment: "production",
  serviceName: "farmers-module",
  containerPort: 8000,
  database: { host: "db.example.internal", port: 5432, username: "farmers_service", name: "farmers_production" },
  dbMaxConnsPerTask: 15,
  aaaEndpoint: "aaa-service.internal:50052",
  logLevel: "warn",
  tracing: false,
  corsAllowedOrigins: ["https://app.kisanlink.in", "https://admin.kisanlink.in"],
  secretArns,
  logGroupName: "/ecs/farmers-module-production",
  region: "us-east-1",
  enableExecuteCommand: true,
  ...overrides,
});

describe("container environment", () => {
  test("has exactly the service's variables, with the reference's values, when tracing is off", () => {
    // GIVEN the production contract without a collector
    // WHEN the environment is computed
    const env = containerEnvironment(input());
    // THEN every name of the reference list is there (OTEL endpoint excluded) with its value
    expect(env).toEqual({
      SERVICE_PORT: "8000",
      SERVICE_NAME: "farmers-module",
      ENVIRONMENT: "production",
      HOST: "0.0.0.0",
      DB_POSTGRES_HOST: "db.example.internal",
      DB_POSTGRES_PORT: "5432",
      DB_POSTGRES_USER: "farmers_service",
      DB_POSTGRES_DBNAME: "farmers_production",
      DB_POSTGRES_SSLMODE: "require",
      DB_POSTGRES_MAX_CONNS: "15",
      AAA_GRPC_ADDR: "aaa-service.internal:50052",
      AAA_ENABLED: "true",
      AAA_RETRY_ATTEMPTS: "3",
      AAA_RETRY_BACKOFF: "100ms",
      AAA_REQUEST_TIMEOUT: "5s",
      LOG_LEVEL: "warn",
      ENABLE_TRACING: "false",
      ENABLE_METRICS: "true",
      CORS_ALLOWED_ORIGINS: "https://app.kisanlink.in,https://admin.kisanlink.in",
      CORS_ALLOW_CREDENTIALS: "true",
    });
  });

  test("turns tracing on only together with the collector's endpoint", () => {
    // GIVEN tracing on
    const env = containerEnvironment(input({ tracing: true }));
    // THEN ENABLE_TRACING is true and the endpoint points at the sidecar
    expect(env.ENABLE_TRACING).toBe("true");
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("localhost:4317");
  });

  test("has no OTEL endpoint when tracing is off", () => {
    expect(Object.keys(containerEnvironment(input()))).not.toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
  });
});

describe("container secrets", () => {
  test("delivers the five secrets by valueFrom, AAA_DEFAULT_PASSWORD included", () => {
    // WHEN the secrets are mapped from the data tier's ARNs
    const secrets = containerSecrets(secretArns);
    // THEN each contract name gets its own secret's ARN
    expect(secrets).toEqual([
      { name: "DB_POSTGRES_PASSWORD", valueFrom: secretArns["db-password"] },
      { name: "AAA_API_KEY", valueFrom: secretArns["aaa-api-key"] },
      { name: "JWT_SECRET", valueFrom: secretArns["jwt-secret"] },
      { name: "SECRET_KEY", valueFrom: secretArns["secret-key"] },
      { name: "AAA_DEFAULT_PASSWORD", valueFrom: secretArns["aaa-default-password"] },
    ]);
  });

  test("never puts a secret name in the plain environment", () => {
    const plain = Object.keys(containerEnvironment(input({ tracing: true })));
    expect(plain.filter((n) => containerSecrets(secretArns).some((s) => s.name === n))).toEqual([]);
  });
});

describe("container definitions", () => {
  const [service] = containerDefinitions(input());

  test("run one essential container on port 8000 without a container health check", () => {
    expect(service).toMatchObject({
      name: CONTAINER_NAME,
      essential: true,
      portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: "tcp" }],
    });
    expect(service).not.toHaveProperty("healthCheck");
  });

  test("log to the service's group with stream prefix ecs and stop within 30 s", () => {
    expect(service.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/ecs/farmers-module-production",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "ecs",
      },
    });
    expect(service.stopTimeout).toBe(30);
  });

  test("have a read-only root filesystem with /tmp as writable scratch", () => {
    // GIVEN ECS Exec off
    const [plain] = containerDefinitions(input({ enableExecuteCommand: false }));
    // THEN only /tmp is writable
    expect(plain.readonlyRootFilesystem).toBe(true);
    expect(plain.mountPoints).toEqual([{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }]);
    expect(plain.linuxParameters).toBeUndefined();
  });

  test("add the ECS Exec agent's writable paths and an init process when exec is on", () => {
    expect(service.readonlyRootFilesystem).toBe(true);
    expect(service.mountPoints?.map((m) => m.containerPath)).toEqual([
      "/tmp",
      "/managed-agents",
      "/var/lib/amazon/ssm",
      "/var/log/amazon/ssm",
    ]);
    expect(service.linuxParameters).toEqual({ initProcessEnabled: true });
    expect(scratchVolumes(true).map((v) => v.name)).toEqual(service.mountPoints?.map((m) => m.sourceVolume));
  });

  test("have no collector when tracing is off", () => {
    expect(containerDefinitions(input()).map((c) => c.name)).toEqual([CONTAINER_NAME]);
    expect(service.dependsOn).toBeUndefined();
  });

  test("add a non-essential, read-only ADOT collector exporting to X-Ray when tracing is on", () => {
    // GIVEN tracing on
    const [app, collector] = containerDefinitions(input({ tracing: true }));
    // THEN the collector runs the bundled X-Ray configuration and the service waits for it to start
    expect(collector).toMatchObject({
      name: COLLECTOR_CONTAINER_NAME,
      essential: false,
      readonlyRootFilesystem: true,
      command: ["--config=/etc/ecs/ecs-xray.yaml"],
      logConfiguration: { options: { "awslogs-stream-prefix": "otel" } },
    });
    expect(collector.image).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v\d+\.\d+\.\d+$/);
    expect(app.dependsOn).toEqual([{ containerName: COLLECTOR_CONTAINER_NAME, condition: "START" }]);
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

describe("ECR lifecycle policy", () => {
  const { rules } = JSON.parse(ecrLifecyclePolicy({ keepDeployed: 50, keepTagged: 10, untaggedDays: 3 })) as {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    rules: Record<string, any>[];
  };

  test("expires untagged images after a few days", () => {
    expect(rules[0]).toMatchObject({
      rulePriority: 1,
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 3 },
      action: { type: "expire" },
    });
  });

  test("keeps the last 50 deployed images by their protected tag prefix, at a higher priority than the rule for all tags", () => {
    // GIVEN the policy  WHEN read  THEN deployed-* images are selected by prefix before the catch-all rule
    expect(rules[1]).toEqual({
      rulePriority: 2,
      description: "Keep the last 50 deployed images (deployed-*): what runs and what a rollback needs",
      selection: {
        tagStatus: "tagged",
        tagPrefixList: [DEPLOYED_TAG_PREFIX],
        countType: "imageCountMoreThan",
        countNumber: 50,
      },
      action: { type: "expire" },
    });
    expect(DEPLOYED_TAG_PREFIX).toBe("deployed-");
    expect(rules[1].rulePriority).toBeLessThan(rules[2].rulePriority);
  });

  test("keeps the last 10 images that were never deployed (tag pattern *), evaluated last", () => {
    expect(rules[2]).toMatchObject({
      rulePriority: 3,
      selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 10 },
      action: { type: "expire" },
    });
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2, 3]);
  });

  test("eleven builds never deployed after the last deployment: only the oldest of them expires, never the deployed image", () => {
    // GIVEN the image that runs (tagged deployed-aaaaaaa, pushed first) and 11 later builds never deployed
    const images = [
      { tags: ["aaaaaaa", "deployed-aaaaaaa"], pushed: 0 },
      ...Array.from({ length: 11 }, (_, i) => ({ tags: [`b${i}`], pushed: i + 1 })),
    ];
    // WHEN ECR's documented semantics are applied (priority order; an image matching a rule's tag
    // selection cannot be expired by a lower-priority rule; counts sort by push time, newest kept)
    const expired = applyLifecycle(rules, images);
    // THEN only the oldest unapproved build expires: the running image stays
    expect(expired).toEqual(["b0"]);
  });
});

/** ECR's documented evaluation of tagged/untagged count rules, enough to check this policy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function applyLifecycle(rules: Record<string, any>[], images: { tags: string[]; pushed: number }[]): string[] {
  const matched = new Set<number>();
  const expired = new Set<number>();
  const byPriority = [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
  for (const rule of byPriority) {
    const s = rule.selection;
    const selects = (img: { tags: string[] }) =>
      s.tagStatus === "untagged"
        ? img.tags.length === 0
        : s.tagPrefixList
          ? s.tagPrefixList.every((p: string) => img.tags.some((t) => t.startsWith(p)))
          : img.tags.length > 0 &&
            s.tagPatternList.every((p: string) =>
              img.tags.some((t) => new RegExp(`^${p.split("*").join(".*")}$`).test(t)),
            );
    const selected = images
      .map((img, i) => ({ img, i }))
      .filter(({ img }) => selects(img))
      .sort((a, b) => b.img.pushed - a.img.pushed);
    if (s.countType === "imageCountMoreThan")
      selected.slice(s.countNumber).forEach(({ i }) => !matched.has(i) && expired.add(i));
    selected.forEach(({ i }) => matched.add(i));
  }
  return [...expired].map((i) => images[i].tags[0]);
}
