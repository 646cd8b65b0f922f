import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parse } from "yaml";

import { DEPLOYED_TAG_PREFIX } from "../constructs/contracts";
import {
  type BlueGreenBuildspecOptions,
  buildspec,
  type BuildspecDocument,
  renderAppspec,
  renderBuildspec,
  renderDeployspec,
  type RollingBuildspecOptions,
} from "../constructs/pipeline/buildspec";

/** The generated buildspec: parsed back from YAML, and executed with `aws` and `docker` stubbed. */

const REPOSITORY_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/farmers-module-dev";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
/** Terraform's revision (its aws_ecs_task_definition.arn), the template of every deployed revision. */
const TERRAFORM_REVISION = "arn:aws:ecs:us-east-1:123456789012:task-definition/farmers-module-production:7";
const rolling: RollingBuildspecOptions = {
  style: "rolling",
  repositoryUri: REPOSITORY_URI,
  repositoryName: "farmers-module-dev",
  region: "us-east-1",
  containerName: "farmers-module",
  taskDefinitionArn: TERRAFORM_REVISION,
};
const blueGreen: BlueGreenBuildspecOptions = {
  style: "blue-green",
  repositoryUri: REPOSITORY_URI,
  repositoryName: "farmers-module-dev",
  region: "us-east-1",
  containerName: "farmers-module",
  containerPort: 8000,
  taskDefinitionArn: TERRAFORM_REVISION,
};

const parsedRolling = parse(renderBuildspec(rolling)) as BuildspecDocument;
const parsedBlueGreen = parse(renderBuildspec(blueGreen)) as BuildspecDocument;
const allCommands = (doc: BuildspecDocument) => Object.values(doc.phases).flatMap((p) => p.commands);

/** What `describe-task-definition --query taskDefinition` returns, trimmed. */
const LIVE_TASK_DEFINITION = {
  taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/farmers-module-production:7",
  family: "farmers-module-production",
  revision: 7,
  status: "ACTIVE",
  requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
  compatibilities: ["EC2", "FARGATE"],
  registeredAt: "2025-01-01T00:00:00.000Z",
  registeredBy: "arn:aws:sts::123456789012:assumed-role/deployer/terraform",
  networkMode: "awsvpc",
  cpu: "512",
  memory: "1024",
  requiresCompatibilities: ["FARGATE"],
  executionRoleArn: "arn:aws:iam::123456789012:role/farmers-module-production-execution",
  containerDefinitions: [
    {
      name: "farmers-module",
      image: `${REPOSITORY_URI}:abcdef0`,
      essential: true,
      portMappings: [{ containerPort: 8000 }],
    },
    { name: "sidecar", image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0", essential: false },
  ],
};

interface Run {
  readonly status: number | null;
  readonly output: string;
  readonly docker: string[];
  /** Every `aws` call, one line each. */
  readonly aws: string[];
  file(name: string): string | undefined;
}

/**
 * Runs the three phases in bash the way CodeBuild does (one shell, a failing command fails the
 * build), with `aws` and `docker` replaced by stubs that record their calls.
 */
function runBuildspec(
  doc: BuildspecDocument,
  options: { sourceVersion?: string; imageExists?: boolean; live?: object } = {},
): Run {
  const dir = mkdtempSync(join(tmpdir(), "buildspec-"));
  try {
    writeFileSync(join(dir, "live.json"), JSON.stringify(options.live ?? LIVE_TASK_DEFINITION));
    const script = [
      "set -e",
      'aws() { echo "$*" >> aws.log; case "$1 $2" in',
      '  "ecr get-login-password") echo token ;;',
      `  "ecr describe-images") return ${options.imageExists ? 0 : 254} ;;`,
      '  "ecs describe-task-definition") cat live.json ;;',
      '  *) echo "unexpected: aws $*" >&2; return 2 ;;',
      "esac; }",
      'docker() { echo "$*" >> docker.log; if [ "$1" = login ]; then cat > /dev/null; fi; }',
      ...doc.phases.pre_build.commands,
      ...doc.phases.build.commands,
      "CODEBUILD_BUILD_SUCCEEDING=1",
      ...doc.phases.post_build.commands,
    ].join("\n");
    writeFileSync(join(dir, "build.sh"), script);
    const result = spawnSync("bash", ["build.sh"], {
      cwd: dir,
      input: "",
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        ...doc.env.variables,
        CODEBUILD_RESOLVED_SOURCE_VERSION: options.sourceVersion ?? COMMIT,
      },
    });
    const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : undefined);
    const files = Object.fromEntries(
      ["imagedefinitions.json", "taskdef.json", "appspec.yaml"].map((n) => [n, read(n)]),
    );
    return {
      status: result.status,
      output: `${result.stdout}${result.stderr}`,
      docker: (read("docker.log") ?? "").split("\n").filter(Boolean),
      aws: (read("aws.log") ?? "").split("\n").filter(Boolean),
      file: (name) => files[name],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rollingRun = runBuildspec(parsedRolling);
const blueGreenRun = runBuildspec(parsedBlueGreen);

describe("buildspec", () => {
  test("declares version 0.2 and the configuration as build variables", () => {
    // GIVEN the rolling options  WHEN rendered and parsed back
    // THEN the repository, region, container and style are variables of the build
    expect(parsedRolling.version).toBe(0.2);
    expect(parsedRolling.env.variables).toEqual({
      REPOSITORY_URI,
      REPOSITORY_NAME: "farmers-module-dev",
      DEPLOY_REGION: "us-east-1",
      CONTAINER_NAME: "farmers-module",
      DEPLOYMENT_STYLE: "rolling",
      TASK_DEFINITION: TERRAFORM_REVISION,
    });
    expect(parsedRolling.env["exported-variables"]).toEqual(["IMAGE_TAG", "IMAGE_URI"]);
  });

  test("blue/green adds the container port to Terraform's revision", () => {
    // GIVEN the blue/green options  WHEN rendered  THEN Terraform's revision and the port are named
    expect(parsedBlueGreen.env.variables).toMatchObject({
      DEPLOYMENT_STYLE: "blue-green",
      TASK_DEFINITION: TERRAFORM_REVISION,
      CONTAINER_PORT: "8000",
    });
  });

  test("pre_build logs in to ECR and derives a 7-character tag from the commit", () => {
    // GIVEN either style  WHEN parsed  THEN pre_build logs in and tags with the short hash
    const pre = parsedRolling.phases.pre_build.commands;
    expect(pre).toContain(
      'aws ecr get-login-password --region "$DEPLOY_REGION" | docker login --username AWS --password-stdin "$ECR_REGISTRY"',
    );
    expect(pre).toContain('export IMAGE_TAG=$(echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c 1-7)');
    expect(parsedRolling.phases.pre_build["on-failure"]).toBe("ABORT");
    expect(parsedRolling.phases.build["on-failure"]).toBe("ABORT");
  });

  test("build runs docker build for linux/amd64 on deployment/docker/Dockerfile with the reference's build args", () => {
    // GIVEN either style  WHEN parsed  THEN the build phase is the reference's docker build
    const [command] = parsedBlueGreen.phases.build.commands;
    expect(command).toContain("docker build --platform linux/amd64 -f deployment/docker/Dockerfile");
    for (const arg of [
      'VERSION="$IMAGE_TAG"',
      'GIT_COMMIT="$CODEBUILD_RESOLVED_SOURCE_VERSION"',
      'BUILD_DATE="$BUILD_DATE"',
    ])
      expect(command).toContain(`--build-arg ${arg}`);
    expect(command).toContain('-t "$IMAGE_URI"');
  });

  test("never tags or pushes latest (the repository is immutable)", () => {
    // GIVEN both styles  WHEN rendered  THEN no command mentions latest
    for (const doc of [parsedRolling, parsedBlueGreen]) expect(allCommands(doc).join("\n")).not.toMatch(/latest/);
  });

  test("rolling post_build writes taskdef.json from Terraform's revision, the only artifact (no imagedefinitions.json)", () => {
    // GIVEN rolling  WHEN parsed  THEN taskdef.json is written and handed over to the deploy step
    expect(
      parsedRolling.phases.post_build.commands.some((c) => c.startsWith("jq ") && c.endsWith("> taskdef.json")),
    ).toBe(true);
    expect(parsedRolling.phases.post_build.commands.join("\n")).not.toMatch(/imagedefinitions|appspec/);
    expect(parsedRolling.artifacts).toEqual({ files: ["taskdef.json"] });
  });

  test("blue/green post_build derives taskdef.json from the live task definition and writes appspec.yaml", () => {
    // GIVEN blue/green  WHEN parsed  THEN the live revision is read and both files handed over
    const post = parsedBlueGreen.phases.post_build.commands;
    expect(post).toContain(
      'aws ecs describe-task-definition --region "$DEPLOY_REGION" --task-definition "$TASK_DEFINITION" --query taskDefinition --output json > template-taskdef.json',
    );
    expect(post.some((c) => c.startsWith("jq ") && c.endsWith("> taskdef.json"))).toBe(true);
    expect(post.some((c) => c.endsWith("> appspec.yaml"))).toBe(true);
    expect(post.join("\n")).not.toMatch(/imagedefinitions/);
    expect(parsedBlueGreen.artifacts).toEqual({ files: ["taskdef.json", "appspec.yaml"] });
  });

  test("the appspec targets the ECS service with the task definition placeholder", () => {
    // GIVEN container farmers-module:8000  WHEN the appspec is rendered
    const text = renderAppspec("farmers-module", 8000);
    // THEN it is an ECS appspec version 0.0 with <TASK_DEFINITION> and the load balancer info
    expect(text.split("\n")[0]).toBe("version: 0.0");
    expect(parse(text)).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: "AWS::ECS::Service",
            Properties: {
              TaskDefinition: "<TASK_DEFINITION>",
              LoadBalancerInfo: { ContainerName: "farmers-module", ContainerPort: 8000 },
            },
          },
        },
      ],
    });
  });

  test("the appspec repeats the service's capacity providers", () => {
    // GIVEN a service on FARGATE (base 1) and FARGATE_SPOT
    const strategy = [
      { capacityProvider: "FARGATE", base: 1, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", weight: 1 },
    ];
    // WHEN the appspec is rendered  THEN the replacement task set gets the same providers
    expect(
      parse(renderAppspec("farmers-module", 8000, { capacityProviderStrategy: strategy })).Resources[0].TargetService
        .Properties.CapacityProviderStrategy,
    ).toEqual([
      { CapacityProvider: "FARGATE", Base: 1, Weight: 1 },
      { CapacityProvider: "FARGATE_SPOT", Weight: 1 },
    ]);
  });

  test("the appspec carries the service's network configuration and platform version", () => {
    // GIVEN Terraform's subnets, task security group and platform version
    const networkConfiguration = {
      subnets: ["subnet-a", "subnet-b"],
      securityGroups: ["sg-tasks"],
      assignPublicIp: false,
    };
    // WHEN the appspec is rendered
    const properties = parse(renderAppspec("farmers-module", 8000, { networkConfiguration, platformVersion: "LATEST" }))
      .Resources[0].TargetService.Properties;
    // THEN the replacement task set is created with them (a CODE_DEPLOY service takes them only this way)
    expect(properties.NetworkConfiguration).toEqual({
      AwsvpcConfiguration: {
        Subnets: ["subnet-a", "subnet-b"],
        SecurityGroups: ["sg-tasks"],
        AssignPublicIp: "DISABLED",
      },
    });
    expect(properties.PlatformVersion).toBe("LATEST");
  });

  test("no command contains a Terraform template sequence", () => {
    // GIVEN both styles  WHEN rendered  THEN no command holds ${ or %{, which Terraform would interpolate
    for (const doc of [buildspec(rolling), buildspec(blueGreen)]) {
      for (const command of allCommands(doc)) expect(command).not.toMatch(/[$%]\{/);
    }
  });

  test("keeps long values such as cdktf tokens on one line", () => {
    // GIVEN a token-like repository URI and a long name  WHEN rendered
    const token = "${TfToken[TOKEN.1234]}";
    const yaml = renderBuildspec({ ...rolling, repositoryUri: token, repositoryName: "x".repeat(200) });
    // THEN both appear intact
    expect(yaml).toContain(`REPOSITORY_URI: ${token}\n`);
    expect(yaml).toContain(`REPOSITORY_NAME: ${"x".repeat(200)}\n`);
  });
});

describe("buildspec, executed with aws and docker stubbed", () => {
  test("rolling: builds, pushes the short-hash tag and writes taskdef.json from exactly Terraform's revision", () => {
    // GIVEN a new commit  WHEN the rolling phases run
    expect(rollingRun.status).toBe(0);
    // THEN the image is built for amd64, tagged with the short hash, pushed, and described
    const image = `${REPOSITORY_URI}:0123456`;
    expect(rollingRun.docker).toEqual([
      "login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com",
      expect.stringMatching(
        new RegExp(
          `^build --platform linux/amd64 -f deployment/docker/Dockerfile --build-arg VERSION=0123456 --build-arg GIT_COMMIT=${COMMIT} --build-arg BUILD_DATE=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ -t ${image.replace(/\./g, "\\.")} \\.$`,
        ),
      ),
      `push ${image}`,
    ]);
    expect(rollingRun.file("imagedefinitions.json")).toBeUndefined();
    expect(JSON.parse(rollingRun.file("taskdef.json")!).containerDefinitions[0].image).toBe(image);
    // The revision read is Terraform's, by ARN: not the family's latest, not the one the service runs
    expect(rollingRun.aws).toContain(
      `ecs describe-task-definition --region us-east-1 --task-definition ${TERRAFORM_REVISION} --query taskDefinition --output json`,
    );
  });

  test("blue/green: taskdef.json is the live revision with the new image and no read-only fields", () => {
    // GIVEN a live task definition with two containers  WHEN the blue/green phases run
    expect(blueGreenRun.status).toBe(0);
    const taskdef = JSON.parse(blueGreenRun.file("taskdef.json")!);
    // THEN only the service's container image changed, and register-task-definition would accept it
    const {
      taskDefinitionArn,
      revision,
      status,
      requiresAttributes,
      compatibilities,
      registeredAt,
      registeredBy,
      ...registrable
    } = LIVE_TASK_DEFINITION;
    void [taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy];
    expect(taskdef).toEqual({
      ...registrable,
      containerDefinitions: [
        { ...LIVE_TASK_DEFINITION.containerDefinitions[0], image: `${REPOSITORY_URI}:0123456` },
        LIVE_TASK_DEFINITION.containerDefinitions[1],
      ],
    });
  });

  test("blue/green: appspec.yaml written by the build is the rendered appspec", () => {
    // GIVEN the blue/green run  WHEN appspec.yaml is read  THEN it equals the rendered appspec
    expect(blueGreenRun.file("appspec.yaml")).toBe(renderAppspec("farmers-module", 8000));
  });

  test("fails when the source version is not a commit hash", () => {
    // GIVEN no resolved source version  WHEN the phases run
    const run = runBuildspec(parsedRolling, { sourceVersion: "" });
    // THEN the build stops before building anything
    expect(run.status).toBe(1);
    expect(run.output).toContain(
      "CODEBUILD_RESOLVED_SOURCE_VERSION '' is not a commit hash; refusing to tag the image",
    );
    expect(run.docker.filter((c) => c.startsWith("build") || c.startsWith("push"))).toEqual([]);
  });

  test("does not rebuild or push a commit whose image is already in the repository", () => {
    // GIVEN the tag exists (a re-run of the same commit)  WHEN the phases run
    const run = runBuildspec(parsedRolling, { imageExists: true });
    // THEN nothing is built or pushed, and the deploy file still names the image
    expect(run.status).toBe(0);
    expect(run.docker).toEqual(["login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com"]);
    expect(JSON.parse(run.file("taskdef.json")!).containerDefinitions[0].image).toBe(`${REPOSITORY_URI}:0123456`);
  });

  test("fails when Terraform's task definition has no container of the configured name", () => {
    // GIVEN a live task definition without farmers-module  WHEN the blue/green phases run
    const run = runBuildspec(parsedBlueGreen, {
      live: { ...LIVE_TASK_DEFINITION, containerDefinitions: [{ name: "other", image: "x" }] },
    });
    // THEN the build fails and no taskdef.json is handed over
    expect(run.status).toBe(1);
    expect(run.output).toContain(`Task definition ${TERRAFORM_REVISION} has no container farmers-module`);
    expect(run.file("taskdef.json")).toBeUndefined();
  });
});

// ------------------------------------------------------------------------------ deploy step

const NEW_REVISION = "arn:aws:ecs:us-east-1:123456789012:task-definition/farmers-module-production:8";
const deployCommon = {
  repositoryName: "farmers-module-production",
  region: "us-east-1",
  containerName: "farmers-module",
  clusterName: "farmers-module-production-cluster",
  serviceName: "farmers-module-production-service",
  deployedTagPrefix: DEPLOYED_TAG_PREFIX,
  waitMinutes: 1,
};
const rollingDeploy = parse(renderDeployspec({ style: "rolling", ...deployCommon })) as BuildspecDocument;
const blueGreenDeploy = (enableExecuteCommand = false) =>
  parse(
    renderDeployspec({
      style: "blue-green",
      ...deployCommon,
      applicationName: "farmers-module-production",
      deploymentGroupName: "farmers-module-production-service",
      enableExecuteCommand,
    }),
  ) as BuildspecDocument;

interface DeployWorld {
  /** Image named in taskdef.json. @default the commit-tagged image */
  readonly image?: string;
  /** rolloutState values describe-services returns, one per poll (the last repeats). */
  readonly rollout?: string[];
  /** CodeDeploy statuses get-deployment returns, one per poll. */
  readonly deployment?: string[];
  readonly runningCount?: number;
  readonly execEnabled?: boolean;
  /** The deployed-<commit> tag exists already (a re-deploy of the same commit). */
  readonly protectedTagExists?: boolean;
}

/** Runs the deploy step's phases in bash with `aws` stubbed as the world describes. */
function runDeployspec(doc: BuildspecDocument, world: DeployWorld = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), "deployspec-"));
  try {
    const taskdef = {
      family: "farmers-module-production",
      containerDefinitions: [{ name: "farmers-module", image: world.image ?? `${REPOSITORY_URI}:0123456` }],
    };
    writeFileSync(join(dir, "taskdef.json"), JSON.stringify(taskdef));
    writeFileSync(join(dir, "appspec.yaml"), renderAppspec("farmers-module", 8000));
    writeFileSync(join(dir, "rollout"), (world.rollout ?? ["IN_PROGRESS", "COMPLETED"]).join("\n") + "\n");
    writeFileSync(join(dir, "deployment"), (world.deployment ?? ["InProgress", "Succeeded"]).join("\n") + "\n");
    const script = [
      "set -e",
      // Pops the first line of a file (the next polled state), keeping the last one.
      'next() { local v; v=$(head -1 "$1"); if [ "$(wc -l < "$1")" -gt 1 ]; then sed -i 1d "$1"; fi; echo "$v"; }',
      'aws() { echo "$*" >> aws.log; case "$1 $2" in',
      `  "ecr describe-images") return ${world.protectedTagExists ? 0 : 254} ;;`,
      `  "ecr batch-get-image") echo '["application/vnd.docker.distribution.manifest.v2+json", "{\\"schemaVersion\\": 2}"]' ;;`,
      '  "ecr put-image") echo "{}" ;;',
      `  "ecs register-task-definition") echo ${NEW_REVISION} ;;`,
      '  "ecs update-service") echo "{}" ;;',
      `  "ecs describe-services") case "$*" in *rolloutState*) next rollout ;; *enableExecuteCommand*) echo ${world.execEnabled ? "True" : "False"} ;; *runningCount*) echo ${world.runningCount ?? 2} ;; esac ;;`,
      '  "deploy create-deployment") echo d-ABCDEF123 ;;',
      '  "deploy get-deployment") next deployment ;;',
      '  *) echo "unexpected: aws $*" >&2; return 2 ;;',
      "esac; }",
      ...doc.phases.pre_build.commands,
      ...doc.phases.build.commands,
      ...doc.phases.post_build.commands,
    ].join("\n");
    writeFileSync(join(dir, "deploy.sh"), script);
    const result = spawnSync("bash", ["deploy.sh"], {
      cwd: dir,
      input: "",
      encoding: "utf8",
      env: { PATH: process.env.PATH, ...doc.env.variables, WAIT_SECONDS: "0" },
    });
    const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : undefined);
    const files = Object.fromEntries(["deployment.json", "appspec-deploy.yaml"].map((n) => [n, read(n)]));
    return {
      status: result.status,
      output: `${result.stdout}${result.stderr}`,
      docker: [],
      aws: (read("aws.log") ?? "").split("\n").filter(Boolean),
      file: (n) => files[n],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("deploy step, executed with aws stubbed", () => {
  test("rolling: protects the image, registers the build's revision, updates the service and waits for COMPLETED", () => {
    // GIVEN a rollout that completes  WHEN the deploy step runs
    const run = runDeployspec(rollingDeploy);
    // THEN it succeeds after these calls, in this order
    expect(run.status).toBe(0);
    const calls = run.aws.map((c) => c.split(" --")[0]);
    expect(calls).toEqual([
      "ecr describe-images",
      "ecr batch-get-image",
      "ecr put-image",
      "ecs register-task-definition",
      "ecs update-service",
      "ecs describe-services",
      "ecs describe-services",
    ]);
    expect(run.aws.find((c) => c.startsWith("ecr put-image"))).toContain(
      "--image-tag deployed-0123456 --image-manifest-media-type application/vnd.docker.distribution.manifest.v2+json",
    );
    expect(run.aws.find((c) => c.startsWith("ecs register-task-definition"))).toContain(
      "--cli-input-json file://taskdef.json",
    );
    expect(run.aws.find((c) => c.startsWith("ecs update-service"))).toContain(
      `--service farmers-module-production-service --task-definition ${NEW_REVISION}`,
    );
  });

  test("rolling: fails the pipeline when the circuit breaker rolls the deployment back", () => {
    // GIVEN a rollout the circuit breaker (or a deployment alarm) fails  WHEN the deploy step runs
    const run = runDeployspec(rollingDeploy, { rollout: ["IN_PROGRESS", "FAILED"] });
    // THEN the step fails and says why
    expect(run.status).toBe(1);
    expect(run.output).toContain(
      `Rollout of ${NEW_REVISION} ended FAILED: the circuit breaker or a deployment alarm rolled it back`,
    );
  });

  test("a re-deploy of the same commit keeps its protected tag and adds none", () => {
    const run = runDeployspec(rollingDeploy, { protectedTagExists: true });
    expect(run.status).toBe(0);
    expect(run.aws.filter((c) => c.startsWith("ecr put-image"))).toEqual([]);
    expect(run.output).toContain("deployed-0123456 already protects");
  });

  test("fails when taskdef.json names an image that is not commit-tagged", () => {
    const run = runDeployspec(rollingDeploy, { image: `${REPOSITORY_URI}:bootstrap` });
    expect(run.status).toBe(1);
    expect(run.output).toContain("not a commit-tagged image of this repository; refusing to deploy");
    expect(run.aws).toEqual([]);
  });

  test("blue/green: deploys the registered revision through CodeDeploy with the group's configuration and alarms", () => {
    // GIVEN two running tasks  WHEN the deploy step runs
    const run = runDeployspec(blueGreenDeploy(), { runningCount: 2 });
    // THEN the appspec names the new revision and the deployment request overrides nothing
    expect(run.status).toBe(0);
    expect(run.file("appspec-deploy.yaml")).toContain(`TaskDefinition: ${NEW_REVISION}`);
    const request = JSON.parse(run.file("deployment.json")!);
    expect(request).toEqual({
      applicationName: "farmers-module-production",
      deploymentGroupName: "farmers-module-production-service",
      revision: { revisionType: "AppSpecContent", appSpecContent: { content: run.file("appspec-deploy.yaml") } },
    });
    expect(run.aws.filter((c) => c.startsWith("ecs update-service"))).toEqual([]);
  });

  test("blue/green first deployment (no task runs): all at once, alarms overridden off", () => {
    // GIVEN the service after the first cdktf deploy (bootstrap image, nothing running)  WHEN the deploy step runs
    const run = runDeployspec(blueGreenDeploy(), { runningCount: 0 });
    // THEN CodeDeploy shifts all traffic at once and no alarm can roll back to tasks that cannot start
    expect(run.status).toBe(0);
    expect(JSON.parse(run.file("deployment.json")!)).toMatchObject({
      deploymentConfigName: "CodeDeployDefault.ECSAllAtOnce",
      overrideAlarmConfiguration: { enabled: false },
    });
  });

  test("blue/green: brings ECS Exec in step with Terraform before the deployment (the service ignores it)", () => {
    // GIVEN Terraform asks for ECS Exec and the service has it off  WHEN the deploy step runs
    const run = runDeployspec(blueGreenDeploy(true), { execEnabled: false });
    // THEN one UpdateService with only the Exec flag, before create-deployment
    expect(run.status).toBe(0);
    const updates = run.aws.filter((c) => c.startsWith("ecs update-service"));
    expect(updates).toEqual([
      "ecs update-service --region us-east-1 --cluster farmers-module-production-cluster --service farmers-module-production-service --enable-execute-command",
    ]);
    expect(run.aws.indexOf(updates[0])).toBeLessThan(
      run.aws.findIndex((c) => c.startsWith("deploy create-deployment")),
    );
  });

  test("blue/green: fails the pipeline when CodeDeploy rolls the deployment back", () => {
    const run = runDeployspec(blueGreenDeploy(), { deployment: ["InProgress", "Failed"] });
    expect(run.status).toBe(1);
    expect(run.output).toContain("Deployment d-ABCDEF123 ended Failed");
  });

  test("the deploy step hands nothing on: no artifacts section and no exported variables (CodeBuild rejects empty lists)", () => {
    for (const doc of [rollingDeploy, blueGreenDeploy()]) {
      expect(doc.artifacts).toBeUndefined();
      expect(doc.env["exported-variables"]).toBeUndefined();
    }
  });

  test("no deploy command contains a Terraform template sequence", () => {
    for (const doc of [rollingDeploy, blueGreenDeploy()])
      for (const command of allCommands(doc)) expect(command).not.toMatch(/[$%]\{/);
  });
});
