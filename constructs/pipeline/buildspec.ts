import { Document, Scalar, stringify } from "yaml";

/**
 * The CodeBuild buildspec of the delivery pipeline, generated from the same configuration as the
 * infrastructure (repository, region, container, deployment style) so the two cannot drift.
 * Pure functions: no constructs, no I/O; values may be cdktf tokens (they stay intact in the YAML).
 *
 * The commands never contain `${` or `%{`: the buildspec is embedded in Terraform JSON, where
 * those sequences start a template. Shell variables are written `$NAME`.
 */

/** The Dockerfile the reference builds, relative to the repository root. */
export const DOCKERFILE = "deployment/docker/Dockerfile";

/** Files the build hands to the deploy action, per deployment style. */
export const BUILD_OUTPUT_FILES = {
  rolling: ["imagedefinitions.json"],
  "blue-green": ["taskdef.json", "appspec.yaml"],
} as const;

/** Build variables exported to the pipeline (`#{BuildVariables.IMAGE_TAG}`). */
export const EXPORTED_VARIABLES = ["IMAGE_TAG", "IMAGE_URI"] as const;

interface CommonOptions {
  /** Repository URI, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  readonly repositoryUri: string;
  /** Repository name (for `aws ecr describe-images`). */
  readonly repositoryName: string;
  /** Region of the repository and the ECS service. */
  readonly region: string;
  /** Name of the container in the task definition. */
  readonly containerName: string;
}

/** Options of a rolling (ECS deploy action) build: the build writes `imagedefinitions.json`. */
export interface RollingBuildspecOptions extends CommonOptions {
  readonly style: "rolling";
}

/** Options of a blue/green (CodeDeploy) build: the build writes `taskdef.json` and `appspec.yaml`. */
export interface BlueGreenBuildspecOptions extends CommonOptions {
  readonly style: "blue-green";
  /** Family of the live task definition the new revision is derived from. */
  readonly taskDefinitionFamily: string;
  /** Port of the container behind the load balancer. */
  readonly containerPort: number;
  /**
   * The service's capacity provider strategy. CodeDeploy creates the replacement task set from
   * the appspec, so a service on capacity providers must have them repeated there.
   * @default - none: the appspec names no capacity providers
   */
  readonly capacityProviderStrategy?: readonly CapacityProviderItem[];
  /**
   * The service's awsvpc configuration. A CODE_DEPLOY service takes network changes only through
   * a deployment, so the appspec carries Terraform's subnets and security groups each time.
   * @default - none: the replacement task set keeps the service's network configuration
   */
  readonly networkConfiguration?: AppspecNetworkConfiguration;
  /** Fargate platform version of the replacement task set. @default - none (the service's) */
  readonly platformVersion?: string;
}

/** The task set's network, as the ECS appspec's `AwsvpcConfiguration` takes it. */
export interface AppspecNetworkConfiguration {
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp: boolean;
}

/** What the appspec's `TargetService` repeats of the service (see BlueGreenBuildspecOptions). */
export interface AppspecOptions {
  readonly capacityProviderStrategy?: readonly CapacityProviderItem[];
  readonly networkConfiguration?: AppspecNetworkConfiguration;
  readonly platformVersion?: string;
}

/** One capacity provider of a service, as ECS takes it. */
export interface CapacityProviderItem {
  readonly capacityProvider: string;
  readonly base?: number;
  readonly weight?: number;
}

export type BuildspecOptions = RollingBuildspecOptions | BlueGreenBuildspecOptions;

/** A buildspec (version 0.2) as an object, before rendering. */
export interface BuildspecDocument {
  readonly version: 0.2;
  readonly env: {
    readonly shell: "bash";
    readonly variables: Readonly<Record<string, string>>;
    readonly "exported-variables": readonly string[];
  };
  readonly phases: Readonly<
    Record<"pre_build" | "build" | "post_build", { readonly "on-failure"?: "ABORT"; readonly commands: readonly string[] }>
  >;
  readonly artifacts: { readonly files: readonly string[] };
}

/** Fields of `describe-task-definition` output that `register-task-definition` rejects. */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
] as const;

/**
 * The ECS appspec CodeDeploy uses for a blue/green deployment. `<TASK_DEFINITION>` is the
 * placeholder the CodeDeployToECS action replaces with the revision it registers from taskdef.json.
 */
export function renderAppspec(containerName: string, containerPort: number, options: AppspecOptions = {}): string {
  const capacityProviderStrategy = options.capacityProviderStrategy ?? [];
  const network = options.networkConfiguration;
  const version = new Scalar(0);
  version.minFractionDigits = 1; // appspec wants `version: 0.0`, not `0`
  const doc = new Document({
    version,
    Resources: [
      {
        TargetService: {
          Type: "AWS::ECS::Service",
          Properties: {
            TaskDefinition: "<TASK_DEFINITION>",
            LoadBalancerInfo: { ContainerName: containerName, ContainerPort: containerPort },
            ...(options.platformVersion ? { PlatformVersion: options.platformVersion } : {}),
            ...(network
              ? {
                  NetworkConfiguration: {
                    AwsvpcConfiguration: {
                      Subnets: [...network.subnets],
                      SecurityGroups: [...network.securityGroups],
                      AssignPublicIp: network.assignPublicIp ? "ENABLED" : "DISABLED",
                    },
                  },
                }
              : {}),
            ...(capacityProviderStrategy.length > 0
              ? {
                  CapacityProviderStrategy: capacityProviderStrategy.map((p) => ({
                    CapacityProvider: p.capacityProvider,
                    ...(p.base !== undefined ? { Base: p.base } : {}),
                    ...(p.weight !== undefined ? { Weight: p.weight } : {}),
                  })),
                }
              : {}),
          },
        },
      },
    ],
  });
  return doc.toString({ lineWidth: 0 });
}

/** Single-quotes a word for bash. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The buildspec for `options`, as an object (see `renderBuildspec` for the YAML). */
export function buildspec(options: BuildspecOptions): BuildspecDocument {
  const variables: Record<string, string> = {
    REPOSITORY_URI: options.repositoryUri,
    REPOSITORY_NAME: options.repositoryName,
    DEPLOY_REGION: options.region,
    CONTAINER_NAME: options.containerName,
    DEPLOYMENT_STYLE: options.style,
  };
  if (options.style === "blue-green") {
    variables.TASK_FAMILY = options.taskDefinitionFamily;
    variables.CONTAINER_PORT = String(options.containerPort);
  }

  const preBuild = [
    'echo "Building $REPOSITORY_URI from commit $CODEBUILD_RESOLVED_SOURCE_VERSION for a $DEPLOYMENT_STYLE deployment"',
    'ECR_REGISTRY=$(echo "$REPOSITORY_URI" | cut -d/ -f1)',
    'aws ecr get-login-password --region "$DEPLOY_REGION" | docker login --username AWS --password-stdin "$ECR_REGISTRY"',
    // The repository is immutable: the tag is the short commit hash, never `latest`.
    'export IMAGE_TAG=$(echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c 1-7)',
    `[[ "$IMAGE_TAG" =~ ^[0-9a-f]{7}$ ]] || { echo "CODEBUILD_RESOLVED_SOURCE_VERSION '$CODEBUILD_RESOLVED_SOURCE_VERSION' is not a commit hash; refusing to tag the image"; exit 1; }`,
    'export IMAGE_URI="$REPOSITORY_URI:$IMAGE_TAG"',
    "BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    // A re-run of the same commit finds its image already pushed; pushing again would fail.
    'if aws ecr describe-images --region "$DEPLOY_REGION" --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" > /dev/null 2>&1; then IMAGE_EXISTS=true; else IMAGE_EXISTS=false; fi',
    'echo "Image $IMAGE_URI (already in the repository: $IMAGE_EXISTS)"',
  ];

  const build = [
    `if [ "$IMAGE_EXISTS" = true ]; then echo "Not rebuilding $IMAGE_URI: tags are immutable and this commit was built before"; else docker build --platform linux/amd64 -f ${DOCKERFILE} --build-arg VERSION="$IMAGE_TAG" --build-arg GIT_COMMIT="$CODEBUILD_RESOLVED_SOURCE_VERSION" --build-arg BUILD_DATE="$BUILD_DATE" -t "$IMAGE_URI" .; fi`,
  ];

  const postBuild = [
    // post_build runs even after a failed build phase; never push or hand over a broken build.
    '[ "$CODEBUILD_BUILD_SUCCEEDING" = 1 ] || { echo "Build failed: nothing pushed, nothing deployed"; exit 1; }',
    'if [ "$IMAGE_EXISTS" = true ]; then echo "Skipping push of $IMAGE_URI"; else docker push "$IMAGE_URI"; fi',
  ];
  if (options.style === "rolling") {
    postBuild.push(
      `jq -n --arg name "$CONTAINER_NAME" --arg uri "$IMAGE_URI" '[{name: $name, imageUri: $uri}]' > imagedefinitions.json`,
      "cat imagedefinitions.json",
    );
  } else {
    const dropped = READ_ONLY_TASK_DEFINITION_FIELDS.map((f) => `.${f}`).join(", ");
    postBuild.push(
      // The new revision is the live one with only the image changed: settings stay Terraform's.
      'aws ecs describe-task-definition --region "$DEPLOY_REGION" --task-definition "$TASK_FAMILY" --query taskDefinition --output json > live-taskdef.json',
      `jq -e --arg name "$CONTAINER_NAME" 'any(.containerDefinitions[]; .name == $name)' live-taskdef.json > /dev/null || { echo "Task definition $TASK_FAMILY has no container $CONTAINER_NAME"; exit 1; }`,
      `jq --arg name "$CONTAINER_NAME" --arg image "$IMAGE_URI" 'del(${dropped}) | .containerDefinitions |= map(if .name == $name then .image = $image else . end)' live-taskdef.json > taskdef.json`,
      `printf '%s\\n' ${renderAppspec(options.containerName, options.containerPort, options).trimEnd().split("\n").map(shellQuote).join(" ")} > appspec.yaml`,
      "cat taskdef.json appspec.yaml",
    );
  }

  return {
    version: 0.2,
    env: { shell: "bash", variables, "exported-variables": [...EXPORTED_VARIABLES] },
    phases: {
      pre_build: { "on-failure": "ABORT", commands: preBuild },
      build: { "on-failure": "ABORT", commands: build },
      post_build: { commands: postBuild },
    },
    artifacts: { files: [...BUILD_OUTPUT_FILES[options.style]] },
  };
}

/** The buildspec for `options` as YAML, ready for the CodeBuild project's `source.buildspec`. */
export function renderBuildspec(options: BuildspecOptions): string {
  // lineWidth 0: never fold a line, which could split a cdktf token.
  return stringify(buildspec(options), { lineWidth: 0 });
}
