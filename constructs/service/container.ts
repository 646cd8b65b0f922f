import { Token } from "cdktf";

import { SECRET_ENV_VARIABLES, SERVICE_SECRET_NAMES, type ServiceSecretName } from "../contracts";

/**
 * The container contract of the Farmers Module as pure functions: environment variables,
 * secrets, scratch volumes and the container definitions of the task. Nothing here creates a
 * resource, so the contract is tested without synthesizing a stack.
 */

/** Name of the service's container in the task definition (the pipeline's imagedefinitions.json uses it). */
export const CONTAINER_NAME = "farmers-module";
/** Name of the AWS Distro for OpenTelemetry collector sidecar (only with tracing). */
export const COLLECTOR_CONTAINER_NAME = "aws-otel-collector";
/**
 * Collector image, pinned: the public ADOT image. Its bundled `/etc/ecs/ecs-xray.yaml` receives
 * OTLP on 4317 (gRPC) and 4318 (HTTP) and exports traces to X-Ray, nothing else.
 */
export const DEFAULT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1";
export const COLLECTOR_CONFIG = "/etc/ecs/ecs-xray.yaml";
/**
 * Where the service sends OTLP when tracing is on: the sidecar, over the task's shared
 * loopback (awsvpc). host:port is the service's own format (its default is `localhost:4317`).
 */
export const OTLP_ENDPOINT = "localhost:4317";

/** Fixed values of the service's contract (the reference's values). */
export const CONTRACT_CONSTANTS = {
  HOST: "0.0.0.0",
  DB_POSTGRES_SSLMODE: "require",
  AAA_ENABLED: "true",
  AAA_RETRY_ATTEMPTS: "3",
  AAA_RETRY_BACKOFF: "100ms",
  AAA_REQUEST_TIMEOUT: "5s",
  ENABLE_METRICS: "true",
  CORS_ALLOW_CREDENTIALS: "true",
} as const;

/** Every plain environment variable the container always gets, in the order it gets them. */
export const CONTAINER_ENVIRONMENT_NAMES = [
  "SERVICE_PORT",
  "SERVICE_NAME",
  "ENVIRONMENT",
  "HOST",
  "DB_POSTGRES_HOST",
  "DB_POSTGRES_PORT",
  "DB_POSTGRES_USER",
  "DB_POSTGRES_DBNAME",
  "DB_POSTGRES_SSLMODE",
  "DB_POSTGRES_MAX_CONNS",
  "AAA_GRPC_ADDR",
  "AAA_ENABLED",
  "AAA_RETRY_ATTEMPTS",
  "AAA_RETRY_BACKOFF",
  "AAA_REQUEST_TIMEOUT",
  "LOG_LEVEL",
  "ENABLE_TRACING",
  "ENABLE_METRICS",
  "CORS_ALLOWED_ORIGINS",
  "CORS_ALLOW_CREDENTIALS",
] as const;

/** Added only when a collector listens (tracing on). */
export const TRACING_ENVIRONMENT_NAMES = ["OTEL_EXPORTER_OTLP_ENDPOINT"] as const;

export type ContainerEnvironmentName =
  (typeof CONTAINER_ENVIRONMENT_NAMES)[number] | (typeof TRACING_ENVIRONMENT_NAMES)[number];

/** What the contract is computed from; every value comes from config or the data tier. */
export interface ContainerContractInput {
  /** `ENVIRONMENT`: the environment's name, e.g. `production`. */
  readonly environment: string;
  /** `SERVICE_NAME`: `farmers-module`. */
  readonly serviceName: string;
  readonly containerPort: number;
  readonly database: {
    readonly host: string;
    readonly port: number;
    readonly username: string;
    readonly name: string;
  };
  /** `DB_POSTGRES_MAX_CONNS`: the per-task pool, sized with the database's max_connections. */
  readonly dbMaxConnsPerTask: number;
  /** `AAA_GRPC_ADDR`, host:port. */
  readonly aaaEndpoint: string;
  readonly logLevel: string;
  /** Tracing on means a collector sidecar exists and the endpoint is set. */
  readonly tracing: boolean;
  readonly corsAllowedOrigins: readonly string[];
}

/** A number as a container-definition string; numeric tokens stay tokens. */
export function numberString(value: number): string {
  return Token.isUnresolved(value) ? Token.asString(value) : String(value);
}

/** The container's plain environment, by name, in contract order. */
export function containerEnvironment(
  input: ContainerContractInput,
): Readonly<Record<ContainerEnvironmentName, string>> {
  const env: Partial<Record<ContainerEnvironmentName, string>> = {
    SERVICE_PORT: numberString(input.containerPort),
    SERVICE_NAME: input.serviceName,
    ENVIRONMENT: input.environment,
    HOST: CONTRACT_CONSTANTS.HOST,
    DB_POSTGRES_HOST: input.database.host,
    DB_POSTGRES_PORT: numberString(input.database.port),
    DB_POSTGRES_USER: input.database.username,
    DB_POSTGRES_DBNAME: input.database.name,
    DB_POSTGRES_SSLMODE: CONTRACT_CONSTANTS.DB_POSTGRES_SSLMODE,
    DB_POSTGRES_MAX_CONNS: numberString(input.dbMaxConnsPerTask),
    AAA_GRPC_ADDR: input.aaaEndpoint,
    AAA_ENABLED: CONTRACT_CONSTANTS.AAA_ENABLED,
    AAA_RETRY_ATTEMPTS: CONTRACT_CONSTANTS.AAA_RETRY_ATTEMPTS,
    AAA_RETRY_BACKOFF: CONTRACT_CONSTANTS.AAA_RETRY_BACKOFF,
    AAA_REQUEST_TIMEOUT: CONTRACT_CONSTANTS.AAA_REQUEST_TIMEOUT,
    LOG_LEVEL: input.logLevel,
    // Never "true" with nothing listening: the reference's defect.
    ENABLE_TRACING: input.tracing ? "true" : "false",
    ENABLE_METRICS: CONTRACT_CONSTANTS.ENABLE_METRICS,
    CORS_ALLOWED_ORIGINS: input.corsAllowedOrigins.join(","),
    CORS_ALLOW_CREDENTIALS: CONTRACT_CONSTANTS.CORS_ALLOW_CREDENTIALS,
  };
  if (input.tracing) env.OTEL_EXPORTER_OTLP_ENDPOINT = OTLP_ENDPOINT;
  return env as Record<ContainerEnvironmentName, string>;
}

export interface ContainerSecret {
  readonly name: string;
  readonly valueFrom: string;
}

/** The five secrets, delivered by ECS from Secrets Manager (`valueFrom`), in contract order. */
export function containerSecrets(secretArns: Readonly<Record<ServiceSecretName, string>>): ContainerSecret[] {
  return SERVICE_SECRET_NAMES.map((name) => ({ name: SECRET_ENV_VARIABLES[name], valueFrom: secretArns[name] }));
}

/** A writable scratch volume (a Fargate bind mount on the task's ephemeral storage). */
export interface ScratchVolume {
  readonly name: string;
  readonly containerPath: string;
  readonly purpose: string;
}

/** Writable paths of the service container; everything else is the read-only image. */
export function scratchVolumes(enableExecuteCommand: boolean): ScratchVolume[] {
  const volumes: ScratchVolume[] = [
    {
      name: "tmp",
      containerPath: "/tmp",
      purpose: "os.TempDir: multipart uploads larger than the in-memory limit spill here",
    },
  ];
  if (enableExecuteCommand) {
    // The ECS Exec agent (SSM) writes its state and logs here; without writable paths it
    // crashes in a read-only container (aws/containers-roadmap#1359).
    volumes.push(
      { name: "exec-managed-agents", containerPath: "/managed-agents", purpose: "ECS Exec agent binaries and state" },
      { name: "exec-ssm-state", containerPath: "/var/lib/amazon/ssm", purpose: "ECS Exec agent state" },
      { name: "exec-ssm-logs", containerPath: "/var/log/amazon/ssm", purpose: "ECS Exec agent logs" },
    );
  }
  return volumes;
}

/** host:port of an endpoint such as `aaa-service.internal:50052`. */
export function parseEndpoint(endpoint: string): { readonly host: string; readonly port: number } {
  const at = endpoint.lastIndexOf(":");
  return { host: endpoint.slice(0, at), port: Number(endpoint.slice(at + 1)) };
}

/** The subset of the ECS container definition this project writes. */
export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly command?: string[];
  readonly portMappings?: { containerPort: number; hostPort: number; protocol: "tcp"; name: string }[];
  readonly environment?: { name: string; value: string }[];
  readonly secrets?: ContainerSecret[];
  readonly mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  readonly readonlyRootFilesystem: boolean;
  readonly stopTimeout?: number;
  readonly linuxParameters?: { initProcessEnabled: boolean };
  readonly dependsOn?: { containerName: string; condition: "START" | "HEALTHY" | "COMPLETE" | "SUCCESS" }[];
  readonly logConfiguration: { logDriver: "awslogs"; options: Record<string, string> };
}

export interface ContainerDefinitionsInput extends ContainerContractInput {
  /** Full image reference of the service, `<repository-uri>:<tag>`. */
  readonly image: string;
  readonly secretArns: Readonly<Record<ServiceSecretName, string>>;
  readonly logGroupName: string;
  readonly region: string;
  readonly enableExecuteCommand: boolean;
  /** @default DEFAULT_COLLECTOR_IMAGE */
  readonly collectorImage?: string;
}

/**
 * The task's containers: the service and, with tracing, the collector it sends traces to.
 * No container health check: the service migrates its database before it opens the port,
 * so the load balancer's `/health` check (with a 45 s grace period) is the only one.
 */
export function containerDefinitions(input: ContainerDefinitionsInput): ContainerDefinition[] {
  const logs = (prefix: string) => ({
    logDriver: "awslogs" as const,
    options: { "awslogs-group": input.logGroupName, "awslogs-region": input.region, "awslogs-stream-prefix": prefix },
  });
  const service: ContainerDefinition = {
    name: CONTAINER_NAME,
    image: input.image,
    essential: true,
    portMappings: [
      { containerPort: input.containerPort, hostPort: input.containerPort, protocol: "tcp", name: "http" },
    ],
    environment: Object.entries(containerEnvironment(input)).map(([name, value]) => ({ name, value })),
    secrets: containerSecrets(input.secretArns),
    readonlyRootFilesystem: true,
    mountPoints: scratchVolumes(input.enableExecuteCommand).map((v) => ({
      sourceVolume: v.name,
      containerPath: v.containerPath,
      readOnly: false,
    })),
    // SIGTERM, then 30 s to drain in-flight requests before SIGKILL.
    stopTimeout: 30,
    // An init process reaps the ECS Exec agent's child processes.
    ...(input.enableExecuteCommand ? { linuxParameters: { initProcessEnabled: true } } : {}),
    ...(input.tracing ? { dependsOn: [{ containerName: COLLECTOR_CONTAINER_NAME, condition: "START" as const }] } : {}),
    logConfiguration: logs("ecs"),
  };
  if (!input.tracing) return [service];
  const collector: ContainerDefinition = {
    name: COLLECTOR_CONTAINER_NAME,
    image: input.collectorImage ?? DEFAULT_COLLECTOR_IMAGE,
    // Losing traces must not take the API down.
    essential: false,
    command: [`--config=${COLLECTOR_CONFIG}`],
    readonlyRootFilesystem: true,
    logConfiguration: logs("otel"),
  };
  return [service, collector];
}
