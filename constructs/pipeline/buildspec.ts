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

/**
 * Files the build hands to the deploy step, per deployment style: the revision to register
 * (Terraform's task definition with the new image) and, for CodeDeploy, the appspec.
 */
export const BUILD_OUTPUT_FILES = {
  rolling: ["taskdef.json"],
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
  /**
   * ARN (with revision) of Terraform's task definition: every deployed revision is this one with
   * the new image, so a Terraform change of the container reaches the next deployment.
   */
  readonly taskDefinitionArn: string;
}

/** Options of a rolling build: the build writes `taskdef.json`; the deploy step updates the service. */
export interface RollingBuildspecOptions extends CommonOptions {
  readonly style: "rolling";
}

/** Options of a blue/green (CodeDeploy) build: the build writes `taskdef.json` and `appspec.yaml`. */
export interface BlueGreenBuildspecOptions extends CommonOptions {
  readonly style: "blue-green";
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
    /** Absent in the deploy step, which exports nothing. */
    readonly "exported-variables"?: readonly string[];
  };
  readonly phases: Readonly<
    Record<
      "pre_build" | "build" | "post_build",
      { readonly "on-failure"?: "ABORT"; readonly commands: readonly string[] }
    >
  >;
  /** Absent in the deploy step, which hands nothing on (an empty `files` list is not valid). */
  readonly artifacts?: { readonly files: readonly string[] };
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
    TASK_DEFINITION: options.taskDefinitionArn,
  };
  if (options.style === "blue-green") variables.CONTAINER_PORT = String(options.containerPort);

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
  const dropped = READ_ONLY_TASK_DEFINITION_FIELDS.map((f) => `.${f}`).join(", ");
  postBuild.push(
    // The new revision is Terraform's (this exact revision, not the family's latest nor the one
    // the service runs) with only the image changed: every other setting stays Terraform's.
    'aws ecs describe-task-definition --region "$DEPLOY_REGION" --task-definition "$TASK_DEFINITION" --query taskDefinition --output json > template-taskdef.json',
    `jq -e --arg name "$CONTAINER_NAME" 'any(.containerDefinitions[]; .name == $name)' template-taskdef.json > /dev/null || { echo "Task definition $TASK_DEFINITION has no container $CONTAINER_NAME"; exit 1; }`,
    `jq --arg name "$CONTAINER_NAME" --arg image "$IMAGE_URI" 'del(${dropped}) | .containerDefinitions |= map(if .name == $name then .image = $image else . end)' template-taskdef.json > taskdef.json`,
  );
  if (options.style === "blue-green") {
    postBuild.push(
      `printf '%s\\n' ${renderAppspec(options.containerName, options.containerPort, options).trimEnd().split("\n").map(shellQuote).join(" ")} > appspec.yaml`,
      "cat taskdef.json appspec.yaml",
    );
  } else {
    postBuild.push("cat taskdef.json");
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

// ------------------------------------------------------------------------------------ deploy

/** The deployment configuration of a first blue/green deployment (nothing runs yet). */
export const FIRST_DEPLOYMENT_CONFIG = "CodeDeployDefault.ECSAllAtOnce";

interface CommonDeployOptions {
  /** Repository name (the deployed image gets its protected tag there). */
  readonly repositoryName: string;
  readonly region: string;
  readonly containerName: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** Prefix of the tag that protects a deployed image from the lifecycle policy. */
  readonly deployedTagPrefix: string;
  /** Minutes the step waits for the deployment to finish before it fails. */
  readonly waitMinutes: number;
}

/** A rolling deploy: register the revision, point the service at it, wait for its rollout. */
export interface RollingDeployspecOptions extends CommonDeployOptions {
  readonly style: "rolling";
}

/** A blue/green deploy: register the revision and start a CodeDeploy deployment of it. */
export interface BlueGreenDeployspecOptions extends CommonDeployOptions {
  readonly style: "blue-green";
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  /** Terraform's `enable_execute_command`, which the service ignores under CODE_DEPLOY. */
  readonly enableExecuteCommand: boolean;
}

export type DeployspecOptions = RollingDeployspecOptions | BlueGreenDeployspecOptions;

/** Seconds between two polls of a deployment's state. */
export const DEPLOY_POLL_SECONDS = 15;

/** A bash loop polling `stateCommand` until one of `terminal`; the result is in $DEPLOY_STATE. */
function waitLoop(stateCommand: string, terminal: readonly string[], what: string): string {
  return [
    "DEPLOY_STATE=TIMEOUT",
    `for attempt in $(seq 1 "$WAIT_ATTEMPTS"); do DEPLOY_STATE=$(${stateCommand}); echo "${what}: $DEPLOY_STATE"; case "$DEPLOY_STATE" in ${terminal.join("|")}) break ;; esac; sleep "$WAIT_SECONDS"; done`,
  ].join("; ");
}

/**
 * The deploy step (a CodeBuild project of its own, run after the build and any approval). It
 * deploys exactly the revision the build derived from Terraform's task definition, in both styles:
 *
 * - It first adds the protected tag `deployed-<commit>` to the image, so the lifecycle policy keeps
 *   what runs and what a rollback needs (tags are immutable; a second tag on the same digest is a
 *   new tag, which `put-image` accepts).
 * - Rolling: `register-task-definition` from taskdef.json, `update-service --task-definition`
 *   (the service's circuit breaker and deployment alarms apply as configured by Terraform), then it
 *   waits for that deployment's `rolloutState`: COMPLETED passes; FAILED (circuit breaker or alarm
 *   rollback) fails the pipeline. The CodePipeline ECS action is not used because it derives its
 *   revision from the one the service runs and ignores newer ones (CodePipeline User Guide, "Amazon
 *   ECS deploy action reference"), so Terraform's changes of the container never reached the tasks.
 * - Blue/green: brings ECS Exec in step with Terraform (UpdateService with only that field), then
 *   `create-deployment` with the appspec naming the registered revision. When no task runs (the
 *   first deployment after `cdktf deploy`, or a service scaled to zero) there is nothing to shift
 *   from or roll back to: that deployment shifts all at once (CodeDeployDefault.ECSAllAtOnce) with
 *   the group's alarms overridden off (CreateDeployment `overrideAlarmConfiguration`, which needs
 *   codedeploy:UpdateDeploymentGroup), so 5xx from the empty service cannot roll it back to tasks
 *   that cannot start. It then waits for Succeeded; Failed or Stopped fails the pipeline.
 */
export function deployspec(options: DeployspecOptions): BuildspecDocument {
  const variables: Record<string, string> = {
    REPOSITORY_NAME: options.repositoryName,
    DEPLOY_REGION: options.region,
    CONTAINER_NAME: options.containerName,
    CLUSTER: options.clusterName,
    SERVICE: options.serviceName,
    DEPLOYMENT_STYLE: options.style,
    PROTECTED_TAG_PREFIX: options.deployedTagPrefix,
    WAIT_SECONDS: String(DEPLOY_POLL_SECONDS),
    WAIT_ATTEMPTS: String(Math.ceil((options.waitMinutes * 60) / DEPLOY_POLL_SECONDS)),
  };
  const ecr = '--region "$DEPLOY_REGION" --repository-name "$REPOSITORY_NAME"';
  const ecsService = '--region "$DEPLOY_REGION" --cluster "$CLUSTER"';
  const prepare = [
    `[ -f taskdef.json ] || { echo "taskdef.json is missing from the build output"; exit 1; }`,
    `IMAGE_URI=$(jq -r --arg name "$CONTAINER_NAME" '.containerDefinitions[] | select(.name == $name) | .image' taskdef.json)`,
    'IMAGE_TAG=$(echo "$IMAGE_URI" | sed "s/.*://")',
    `[[ "$IMAGE_TAG" =~ ^[0-9a-f]{7}$ ]] || { echo "taskdef.json names image '$IMAGE_URI', not a commit-tagged image of this repository; refusing to deploy"; exit 1; }`,
    'PROTECTED_TAG="$PROTECTED_TAG_PREFIX$IMAGE_TAG"',
    `if aws ecr describe-images ${ecr} --image-ids imageTag="$PROTECTED_TAG" > /dev/null 2>&1; then echo "$PROTECTED_TAG already protects $IMAGE_URI"; else aws ecr batch-get-image ${ecr} --image-ids imageTag="$IMAGE_TAG" --query "images[0].[imageManifestMediaType,imageManifest]" --output json > manifest.json && aws ecr put-image ${ecr} --image-tag "$PROTECTED_TAG" --image-manifest-media-type "$(jq -r ".[0]" manifest.json)" --image-manifest "$(jq -r ".[1]" manifest.json)" > /dev/null && echo "Tagged $IMAGE_URI as $PROTECTED_TAG: the lifecycle policy keeps it"; fi`,
    'NEW_TASK_DEFINITION=$(aws ecs register-task-definition --region "$DEPLOY_REGION" --cli-input-json file://taskdef.json --query taskDefinition.taskDefinitionArn --output text)',
    'echo "Registered $NEW_TASK_DEFINITION (Terraform\'s task definition with $IMAGE_URI)"',
  ];

  let deploy: string[];
  if (options.style === "rolling") {
    deploy = [
      `aws ecs update-service ${ecsService} --service "$SERVICE" --task-definition "$NEW_TASK_DEFINITION" > /dev/null`,
      waitLoop(
        `aws ecs describe-services ${ecsService} --services "$SERVICE" --query "services[0].deployments[?taskDefinition=='$NEW_TASK_DEFINITION'].rolloutState | [0]" --output text`,
        ["COMPLETED", "FAILED", "None"],
        "Rollout of $NEW_TASK_DEFINITION",
      ),
      `[ "$DEPLOY_STATE" = COMPLETED ] || { echo "Rollout of $NEW_TASK_DEFINITION ended $DEPLOY_STATE: the circuit breaker or a deployment alarm rolled it back, or it did not finish in time (aws ecs describe-services --cluster $CLUSTER --services $SERVICE)"; exit 1; }`,
    ];
  } else {
    variables.APPLICATION = options.applicationName;
    variables.DEPLOYMENT_GROUP = options.deploymentGroupName;
    variables.EXECUTE_COMMAND = options.enableExecuteCommand ? "True" : "False";
    variables.FIRST_DEPLOYMENT_CONFIG = FIRST_DEPLOYMENT_CONFIG;
    const deployment = `{applicationName: $app, deploymentGroupName: $group, revision: {revisionType: "AppSpecContent", appSpecContent: {content: $content}}} + (if $first then {deploymentConfigName: $allAtOnce, overrideAlarmConfiguration: {enabled: false}} else {} end)`;
    deploy = [
      `CURRENT_EXEC=$(aws ecs describe-services ${ecsService} --services "$SERVICE" --query "services[0].enableExecuteCommand" --output text)`,
      `if [ "$CURRENT_EXEC" != "$EXECUTE_COMMAND" ]; then if [ "$EXECUTE_COMMAND" = True ]; then EXEC_FLAG=--enable-execute-command; else EXEC_FLAG=--disable-execute-command; fi; aws ecs update-service ${ecsService} --service "$SERVICE" "$EXEC_FLAG" > /dev/null; echo "ECS Exec set to $EXECUTE_COMMAND for the tasks this deployment starts"; fi`,
      `RUNNING=$(aws ecs describe-services ${ecsService} --services "$SERVICE" --query "services[0].runningCount" --output text)`,
      'if [ "$RUNNING" = 0 ]; then FIRST=true; echo "No task runs: this deployment shifts all at once ($FIRST_DEPLOYMENT_CONFIG) and the alarms cannot roll it back to tasks that cannot start"; else FIRST=false; fi',
      'sed "s|<TASK_DEFINITION>|$NEW_TASK_DEFINITION|" appspec.yaml > appspec-deploy.yaml',
      `jq -n --arg app "$APPLICATION" --arg group "$DEPLOYMENT_GROUP" --rawfile content appspec-deploy.yaml --argjson first "$FIRST" --arg allAtOnce "$FIRST_DEPLOYMENT_CONFIG" '${deployment}' > deployment.json`,
      'DEPLOYMENT_ID=$(aws deploy create-deployment --region "$DEPLOY_REGION" --cli-input-json file://deployment.json --query deploymentId --output text)',
      'echo "CodeDeploy deployment $DEPLOYMENT_ID: https://$DEPLOY_REGION.console.aws.amazon.com/codesuite/codedeploy/deployments/$DEPLOYMENT_ID"',
      waitLoop(
        'aws deploy get-deployment --region "$DEPLOY_REGION" --deployment-id "$DEPLOYMENT_ID" --query deploymentInfo.status --output text',
        ["Succeeded", "Failed", "Stopped"],
        "Deployment $DEPLOYMENT_ID",
      ),
      `[ "$DEPLOY_STATE" = Succeeded ] || { echo "Deployment $DEPLOYMENT_ID ended $DEPLOY_STATE (aws deploy get-deployment --deployment-id $DEPLOYMENT_ID)"; exit 1; }`,
    ];
  }

  return {
    version: 0.2,
    env: { shell: "bash", variables },
    phases: {
      pre_build: { "on-failure": "ABORT", commands: prepare },
      build: { "on-failure": "ABORT", commands: deploy },
      post_build: { commands: ['echo "Deploy step finished: $DEPLOY_STATE"'] },
    },
  };
}

/** The deploy step's buildspec as YAML. */
export function renderDeployspec(options: DeployspecOptions): string {
  return stringify(deployspec(options), { lineWidth: 0 });
}
