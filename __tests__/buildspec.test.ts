import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import {
  buildspec,
  renderAppspec,
  renderBuildspec,
  type BlueGreenBuildspecOptions,
  type BuildspecDocument,
  type RollingBuildspecOptions,
} from "../constructs/pipeline/buildspec";

/** The generated buildspec: parsed back from YAML, and executed with `aws` and `docker` stubbed. */

const REPOSITORY_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/farmers-module-dev";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const rolling: RollingBuildspecOptions = {
  style: "rolling",
  repositoryUri: REPOSITORY_URI,
  repositoryName: "farmers-module-dev",
  region: "us-east-1",
  containerName: "farmers-module",
};
const blueGreen: BlueGreenBuildspecOptions = {
  style: "blue-green",
  repositoryUri: REPOSITORY_URI,
  repositoryName: "farmers-module-dev",
  region: "us-east-1",
  containerName: "farmers-module",
  containerPort: 8000,
  taskDefinitionFamily: "farmers-module-production",
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
    { name: "farmers-module", image: `${REPOSITORY_URI}:abcdef0`, essential: true, portMappings: [{ containerPort: 8000 }] },
    { name: "sidecar", image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0", essential: false },
  ],
};

interface Run {
  readonly status: number | null;
  readonly output: string;
  readonly docker: string[];
  file(name: string): string | undefined;
}

/**
 * Runs the three phases in bash the way CodeBuild does (one shell, a failing command fails the
 * build), with `aws` and `docker` replaced by stubs that record their calls.
 */
function runBuildspec(doc: BuildspecDocument, options: { sourceVersion?: string; imageExists?: boolean; live?: object } = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), "buildspec-"));
  try {
    writeFileSync(join(dir, "live.json"), JSON.stringify(options.live ?? LIVE_TASK_DEFINITION));
    const script = [
      "set -e",
      'aws() { case "$1 $2" in',
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
      env: { PATH: process.env.PATH, ...doc.env.variables, CODEBUILD_RESOLVED_SOURCE_VERSION: options.sourceVersion ?? COMMIT },
    });
    const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : undefined);
    const files = Object.fromEntries(["imagedefinitions.json", "taskdef.json", "appspec.yaml"].map((n) => [n, read(n)]));
    return {
      status: result.status,
      output: `${result.stdout}${result.stderr}`,
      docker: (read("docker.log") ?? "").split("\n").filter(Boolean),
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
    });
    expect(parsedRolling.env["exported-variables"]).toEqual(["IMAGE_TAG", "IMAGE_URI"]);
  });

  test("blue/green adds the task definition family and container port", () => {
    // GIVEN the blue/green options  WHEN rendered  THEN the live task definition is named
    expect(parsedBlueGreen.env.variables).toMatchObject({ DEPLOYMENT_STYLE: "blue-green", TASK_FAMILY: "farmers-module-production", CONTAINER_PORT: "8000" });
  });

  test("pre_build logs in to ECR and derives a 7-character tag from the commit", () => {
    // GIVEN either style  WHEN parsed  THEN pre_build logs in and tags with the short hash
    const pre = parsedRolling.phases.pre_build.commands;
    expect(pre).toContain('aws ecr get-login-password --region "$DEPLOY_REGION" | docker login --username AWS --password-stdin "$ECR_REGISTRY"');
    expect(pre).toContain('export IMAGE_TAG=$(echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c 1-7)');
    expect(parsedRolling.phases.pre_build["on-failure"]).toBe("ABORT");
    expect(parsedRolling.phases.build["on-failure"]).toBe("ABORT");
  });

  test("build runs docker build for linux/amd64 on deployment/docker/Dockerfile with the reference's build args", () => {
    // GIVEN either style  WHEN parsed  THEN the build phase is the reference's docker build
    const [command] = parsedBlueGreen.phases.build.commands;
    expect(command).toContain("docker build --platform linux/amd64 -f deployment/docker/Dockerfile");
    for (const arg of ['VERSION="$IMAGE_TAG"', 'GIT_COMMIT="$CODEBUILD_RESOLVED_SOURCE_VERSION"', 'BUILD_DATE="$BUILD_DATE"'])
      expect(command).toContain(`--build-arg ${arg}`);
    expect(command).toContain('-t "$IMAGE_URI"');
  });

  test("never tags or pushes latest (the repository is immutable)", () => {
    // GIVEN both styles  WHEN rendered  THEN no command mentions latest
    for (const doc of [parsedRolling, parsedBlueGreen]) expect(allCommands(doc).join("\n")).not.toMatch(/latest/);
  });

  test("rolling post_build writes imagedefinitions.json, the only artifact", () => {
    // GIVEN rolling  WHEN parsed  THEN imagedefinitions.json is written and handed over
    expect(parsedRolling.phases.post_build.commands.some((c) => c.endsWith("> imagedefinitions.json"))).toBe(true);
    expect(parsedRolling.phases.post_build.commands.join("\n")).not.toMatch(/taskdef|appspec/);
    expect(parsedRolling.artifacts).toEqual({ files: ["imagedefinitions.json"] });
  });

  test("blue/green post_build derives taskdef.json from the live task definition and writes appspec.yaml", () => {
    // GIVEN blue/green  WHEN parsed  THEN the live revision is read and both files handed over
    const post = parsedBlueGreen.phases.post_build.commands;
    expect(post).toContain(
      'aws ecs describe-task-definition --region "$DEPLOY_REGION" --task-definition "$TASK_FAMILY" --query taskDefinition --output json > live-taskdef.json',
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
            Properties: { TaskDefinition: "<TASK_DEFINITION>", LoadBalancerInfo: { ContainerName: "farmers-module", ContainerPort: 8000 } },
          },
        },
      ],
    });
  });

  test("the appspec repeats the service's capacity providers", () => {
    // GIVEN a service on FARGATE (base 1) and FARGATE_SPOT
    const strategy = [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 1 }];
    // WHEN the appspec is rendered  THEN the replacement task set gets the same providers
    expect(parse(renderAppspec("farmers-module", 8000, { capacityProviderStrategy: strategy })).Resources[0].TargetService.Properties.CapacityProviderStrategy).toEqual([
      { CapacityProvider: "FARGATE", Base: 1, Weight: 1 },
      { CapacityProvider: "FARGATE_SPOT", Weight: 1 },
    ]);
  });

  test("the appspec carries the service's network configuration and platform version", () => {
    // GIVEN Terraform's subnets, task security group and platform version
    const networkConfiguration = { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-tasks"], assignPublicIp: false };
    // WHEN the appspec is rendered
    const properties = parse(renderAppspec("farmers-module", 8000, { networkConfiguration, platformVersion: "LATEST" })).Resources[0].TargetService.Properties;
    // THEN the replacement task set is created with them (a CODE_DEPLOY service takes them only this way)
    expect(properties.NetworkConfiguration).toEqual({ AwsvpcConfiguration: { Subnets: ["subnet-a", "subnet-b"], SecurityGroups: ["sg-tasks"], AssignPublicIp: "DISABLED" } });
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
  test("rolling: builds, pushes the short-hash tag and writes imagedefinitions.json", () => {
    // GIVEN a new commit  WHEN the rolling phases run
    expect(rollingRun.status).toBe(0);
    // THEN the image is built for amd64, tagged with the short hash, pushed, and described
    const image = `${REPOSITORY_URI}:0123456`;
    expect(rollingRun.docker).toEqual([
      "login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com",
      expect.stringMatching(new RegExp(`^build --platform linux/amd64 -f deployment/docker/Dockerfile --build-arg VERSION=0123456 --build-arg GIT_COMMIT=${COMMIT} --build-arg BUILD_DATE=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ -t ${image.replace(/\./g, "\\.")} \\.$`)),
      `push ${image}`,
    ]);
    expect(JSON.parse(rollingRun.file("imagedefinitions.json")!)).toEqual([{ name: "farmers-module", imageUri: image }]);
  });

  test("blue/green: taskdef.json is the live revision with the new image and no read-only fields", () => {
    // GIVEN a live task definition with two containers  WHEN the blue/green phases run
    expect(blueGreenRun.status).toBe(0);
    const taskdef = JSON.parse(blueGreenRun.file("taskdef.json")!);
    // THEN only the service's container image changed, and register-task-definition would accept it
    const { taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy, ...registrable } = LIVE_TASK_DEFINITION;
    void [taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy];
    expect(taskdef).toEqual({
      ...registrable,
      containerDefinitions: [{ ...LIVE_TASK_DEFINITION.containerDefinitions[0], image: `${REPOSITORY_URI}:0123456` }, LIVE_TASK_DEFINITION.containerDefinitions[1]],
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
    expect(run.output).toContain("CODEBUILD_RESOLVED_SOURCE_VERSION '' is not a commit hash; refusing to tag the image");
    expect(run.docker.filter((c) => c.startsWith("build") || c.startsWith("push"))).toEqual([]);
  });

  test("does not rebuild or push a commit whose image is already in the repository", () => {
    // GIVEN the tag exists (a re-run of the same commit)  WHEN the phases run
    const run = runBuildspec(parsedRolling, { imageExists: true });
    // THEN nothing is built or pushed, and the deploy file still names the image
    expect(run.status).toBe(0);
    expect(run.docker).toEqual(["login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com"]);
    expect(JSON.parse(run.file("imagedefinitions.json")!)).toEqual([{ name: "farmers-module", imageUri: `${REPOSITORY_URI}:0123456` }]);
  });

  test("fails when the live task definition has no container of the configured name", () => {
    // GIVEN a live task definition without farmers-module  WHEN the blue/green phases run
    const run = runBuildspec(parsedBlueGreen, { live: { ...LIVE_TASK_DEFINITION, containerDefinitions: [{ name: "other", image: "x" }] } });
    // THEN the build fails and no taskdef.json is handed over
    expect(run.status).toBe(1);
    expect(run.output).toContain("Task definition farmers-module-production has no container farmers-module");
    expect(run.file("taskdef.json")).toBeUndefined();
  });
});
