import {
  COLLECTOR_CONTAINER_NAME,
  CONTAINER_NAME,
  containerDefinitions,
  type ContainerDefinitionsInput,
  containerEnvironment,
  containerSecrets,
  scratchVolumes,
} from "../constructs/service/container";
import { fixtureSecretArns } from "./fixtures/tiers";

/** The container contract (constructs/service/container.ts) as pure functions: no stack, no synth. */

const secretArns = fixtureSecretArns("production");

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
