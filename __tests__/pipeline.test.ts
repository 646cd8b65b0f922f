import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { CodepipelineWebhook } from "@cdktf/provider-aws/lib/codepipeline-webhook";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Testing, Token } from "cdktf";
import { parse } from "yaml";

import type { EnvironmentName } from "../config/environments";
import type { ConfigLayer } from "../config/types";
import { Naming } from "../constructs/naming";
import { DeliveryPipeline } from "../constructs/pipeline/pipeline";
import { deliveryPipelineSettings } from "../stacks/environment-stack";
import { fakeServiceTier, fakeTopics, type FixtureStack, fixtureStack } from "./fixtures/tiers";
import { type Json, resourceNamed, resourcesOf, statementsOf, testConfig } from "./helpers";

/** The delivery pipeline of dev (rolling), production (blue/green, approval) and the legacy token source. */

const CONNECTION_ARN = "arn:aws:codeconnections:us-east-1:123456789012:connection/0123abcd-0123-4567-89ab-0123456789ab";

interface Built {
  readonly fixture: FixtureStack;
  readonly pipeline: DeliveryPipeline;
}

function build(
  env: EnvironmentName,
  layer: ConfigLayer = {},
  options: { blueGreen?: boolean; naming?: Naming } = {},
): Built {
  const config = testConfig(env, layer);
  const fixture = fixtureStack(env);
  const service = fakeServiceTier(fixture, {
    blueGreen: options.blueGreen ?? config.deployment.style === "blue-green",
  });
  const pipeline = new DeliveryPipeline(fixture.stack, "pipeline", {
    naming: options.naming ?? fixture.naming,
    accountId: fixture.accountId,
    partition: fixture.partition,
    ...deliveryPipelineSettings(config),
    service,
    topics: fakeTopics(fixture),
  });
  return { fixture, pipeline };
}

function synthesize(built: Pick<Built, "fixture">): { text: string; json: Json } {
  const text = Testing.synth(built.fixture.stack);
  return { text, json: JSON.parse(text) as Json };
}

// Three synths for the whole file: dev (rolling, created connection), production (blue/green,
// approval, connection from config) and dev in the legacy github-token mode.
const dev = synthesize(build("dev"));
const production = synthesize(
  build("production", { pipeline: { source: { mode: "codestar-connection", connectionArn: CONNECTION_ARN } } }),
);
const legacy = synthesize(build("dev", { pipeline: { source: { mode: "github-token" } } }));

const pipelineOf = (json: Json) => resourceNamed(json, "aws_codepipeline", "pipeline");
const stagesOf = (json: Json) =>
  (pipelineOf(json).stage as Json[]).map((s) => ({ stage: s.name, provider: s.action[0].provider }));
const actionOf = (json: Json, stage: string) =>
  (pipelineOf(json).stage as Json[]).find((s) => s.name === stage)!.action[0] as Json;

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const statement = (json: Json, fragment: string, sid: string) =>
  statementsOf(json, fragment).find((s) => s.Sid === sid);
const allRolePolicies = [dev, production, legacy].flatMap(({ json }) => [
  ...statementsOf(json, "pipeline_PipelineRolePolicy"),
  ...statementsOf(json, "pipeline_BuildRolePolicy"),
  ...statementsOf(json, "pipeline_DeployRolePolicy"),
]);

describe("DeliveryPipeline stages", () => {
  test("dev (rolling, no approval): Source, Build, Deploy with the deploy step (CodeBuild), not the ECS action", () => {
    // GIVEN dev's configuration  WHEN synthesized  THEN three stages; Deploy runs the deploy project on the build output
    expect(stagesOf(dev.json)).toEqual([
      { stage: "Source", provider: "CodeStarSourceConnection" },
      { stage: "Build", provider: "CodeBuild" },
      { stage: "Deploy", provider: "CodeBuild" },
    ]);
    expect(actionOf(dev.json, "Deploy")).toMatchObject({
      input_artifacts: ["BuildOutput"],
      configuration: {
        ProjectName: expect.stringMatching(/^\$\{aws_codebuild_project\.pipeline_DeployProject_[0-9A-F]+\.name\}$/),
      },
    });
  });

  test("production (blue/green): a manual approval announced on the warning topic precedes the deploy step", () => {
    // GIVEN production's configuration  WHEN synthesized
    // THEN Approve sits between Build and Deploy; the deploy step (not CodeDeployToECS) creates the CodeDeploy deployment
    expect(stagesOf(production.json)).toEqual([
      { stage: "Source", provider: "CodeStarSourceConnection" },
      { stage: "Build", provider: "CodeBuild" },
      { stage: "Approve", provider: "Manual" },
      { stage: "Deploy", provider: "CodeBuild" },
    ]);
    expect(actionOf(production.json, "Approve")).toMatchObject({
      category: "Approval",
      owner: "AWS",
      configuration: { NotificationArn: "${aws_sns_topic.fake-warning.arn}" },
    });
    const deploy = parse(
      resourceNamed(production.json, "aws_codebuild_project", "DeployProject").source.buildspec as string,
    ) as Json;
    expect(deploy.env.variables).toMatchObject({
      DEPLOYMENT_STYLE: "blue-green",
      APPLICATION: "${aws_codedeploy_app.fake-cd-app.name}",
      DEPLOYMENT_GROUP: "${aws_codedeploy_deployment_group.fake-cd-group.deployment_group_name}",
      CLUSTER: "${aws_ecs_cluster.fake-cluster.name}",
      SERVICE: "${aws_ecs_service.fake-service.name}",
      PROTECTED_TAG_PREFIX: "deployed-",
    });
  });

  test("the deploy step follows the service's deployment style (deployment.style), not the environment name", () => {
    // GIVEN dev configured for blue/green with a CodeDeploy service tier
    const { pipeline } = build("dev", { deployment: { style: "blue-green" } });
    // WHEN the deploy step's buildspec is read  THEN dev deploys with CodeDeploy too
    expect((parse(pipeline.deployProject.sourceInput!.buildspec!) as Json).env.variables.DEPLOYMENT_STYLE).toBe(
      "blue-green",
    );
  });

  test("is a V2 pipeline storing KMS-encrypted artifacts in its bucket", () => {
    // GIVEN dev  WHEN synthesized  THEN pipeline type V2, artifact store = bucket + pipeline key
    const pipeline = pipelineOf(dev.json);
    expect(pipeline.name).toBe("farmers-module-dev-pipeline");
    expect(pipeline.pipeline_type).toBe("V2");
    expect(pipeline.artifact_store).toEqual([
      {
        type: "S3",
        location: "${aws_s3_bucket.pipeline_ArtifactBucket_F11D44E3.bucket}",
        encryption_key: { type: "KMS", id: "${aws_kms_key.pipeline_Key_EF40BACD.arn}" },
      },
    ]);
  });

  test("keeps its construct IDs (Terraform addresses)", () => {
    // GIVEN a pipeline  WHEN its children are listed  THEN the IDs are the documented ones
    const { pipeline } = build("dev");
    expect(pipeline.node.children.map((c) => c.node.id)).toEqual([
      "PipelineRole",
      "BuildRole",
      "DeployRole",
      "Key",
      "ArtifactBucket",
      "Connection",
      "BuildLogGroup",
      "BuildRolePolicy",
      "BuildProject",
      "DeployRolePolicy",
      "DeployProject",
      "PipelineRolePolicy",
      "Resource",
      "PipelineFailedRule",
      "PipelineFailedTarget",
      "BuildFailedRule",
      "BuildFailedTarget",
    ]);
  });
});

describe("DeliveryPipeline source", () => {
  test("creates a GitHub CodeStar connection when config gives no ARN", () => {
    // GIVEN dev without pipeline.source.connectionArn  WHEN synthesized  THEN a connection is created
    expect(dev.text).toHaveResourceWithProperties(CodestarconnectionsConnection, {
      name: "farmers-module-dev-github",
      provider_type: "GitHub",
    });
  });

  test("the connection source reads the environment's branch as a CODE_ZIP", () => {
    // GIVEN dev  WHEN synthesized  THEN the source action uses the connection, repository and branch
    expect(actionOf(dev.json, "Source")).toMatchObject({
      owner: "AWS",
      provider: "CodeStarSourceConnection",
      output_artifacts: ["SourceOutput"],
      configuration: {
        ConnectionArn: "${aws_codestarconnections_connection.pipeline_Connection_58DF8EE3.arn}",
        FullRepositoryId: "Kisanlink/farmers-module",
        BranchName: "develop",
        OutputArtifactFormat: "CODE_ZIP",
      },
    });
  });

  test("a push to the branch triggers the pipeline", () => {
    // GIVEN production  WHEN synthesized  THEN the V2 trigger filters pushes on main
    expect(pipelineOf(production.json).trigger).toEqual([
      {
        provider_type: "CodeStarSourceConnection",
        git_configuration: { source_action_name: "Source", push: [{ branches: { includes: ["main"] } }] },
      },
    ]);
  });

  test("uses the configured connection ARN instead of creating one", () => {
    // GIVEN production with pipeline.source.connectionArn  WHEN synthesized
    // THEN no connection resource; the action and the role use the given ARN
    expect(resourcesOf(production.json, "aws_codestarconnections_connection")).toEqual({});
    expect(actionOf(production.json, "Source").configuration.ConnectionArn).toBe(CONNECTION_ARN);
    expect(statement(production.json, "PipelineRolePolicy", "UseSourceConnection")?.Resource).toBe(CONNECTION_ARN);
  });

  test("legacy github-token mode: GitHub version 1 action with the token from a sensitive variable", () => {
    // GIVEN pipeline.source.mode github-token  WHEN synthesized
    // THEN a ThirdParty GitHub v1 source whose token is var.github_oauth_token (string, sensitive, no default)
    expect(actionOf(legacy.json, "Source")).toMatchObject({
      owner: "ThirdParty",
      provider: "GitHub",
      version: "1",
      configuration: {
        Owner: "Kisanlink",
        Repo: "farmers-module",
        Branch: "develop",
        OAuthToken: "${var.github_oauth_token}",
        PollForSourceChanges: "false",
      },
    });
    expect(legacy.json.variable.github_oauth_token).toEqual({
      type: "string",
      sensitive: true,
      nullable: false,
      description: expect.any(String),
    });
    expect(legacy.json.variable.github_webhook_secret).toEqual({
      type: "string",
      sensitive: true,
      nullable: false,
      description: expect.any(String),
    });
  });

  test("legacy github-token mode: an HMAC webhook on the branch replaces the trigger and the connection", () => {
    // GIVEN github-token mode  WHEN synthesized  THEN webhook on refs/heads/develop; no trigger, no connection
    expect(legacy.text).toHaveResourceWithProperties(CodepipelineWebhook, {
      authentication: "GITHUB_HMAC",
      authentication_configuration: { secret_token: "${var.github_webhook_secret}" },
      target_action: "Source",
      filter: [{ json_path: "$.ref", match_equals: "refs/heads/develop" }],
    });
    expect(pipelineOf(legacy.json).trigger).toBeUndefined();
    expect(resourcesOf(legacy.json, "aws_codestarconnections_connection")).toEqual({});
    expect(statement(legacy.json, "PipelineRolePolicy", "UseSourceConnection")).toBeUndefined();
  });

  test("connection mode declares no Terraform variable: there is no secret at all", () => {
    // GIVEN connection mode  WHEN synthesized  THEN no variable is declared at all
    expect(dev.json.variable).toBeUndefined();
  });
});

describe("DeliveryPipeline build", () => {
  test("CodeBuild project: small Linux container, standard:7.0, privileged, encrypted, cached", () => {
    // GIVEN dev  WHEN synthesized  THEN the project matches the reference's build environment
    expect(dev.text).toHaveResourceWithProperties(CodebuildProject, {
      name: "farmers-module-dev-build",
      encryption_key: "${aws_kms_key.pipeline_Key_EF40BACD.arn}",
      environment: {
        type: "LINUX_CONTAINER",
        compute_type: "BUILD_GENERAL1_SMALL",
        image: "aws/codebuild/standard:7.0",
        privileged_mode: true,
        image_pull_credentials_type: "CODEBUILD",
      },
      cache: { type: "LOCAL", modes: ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"] },
      artifacts: { type: "CODEPIPELINE" },
      logs_config: {
        cloudwatch_logs: {
          status: "ENABLED",
          group_name: "${aws_cloudwatch_log_group.pipeline_BuildLogGroup_ECA716EA.name}",
        },
        s3_logs: { status: "DISABLED" },
      },
    });
  });

  test("build logs are kept pipeline.buildLogRetentionDays, encrypted with the pipeline key", () => {
    // GIVEN buildLogRetentionDays 7 (common; 30 in production)  WHEN synthesized  THEN the group keeps 7 days under the key
    expect(dev.text).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/aws/codebuild/farmers-module-dev-build",
      retention_in_days: 7,
      kms_key_id: "${aws_kms_key.pipeline_Key_EF40BACD.arn}",
    });
  });

  test("embeds the generated buildspec for the environment's deployment style", () => {
    // GIVEN dev (rolling) and production (blue/green)  WHEN the embedded buildspecs are parsed
    const spec = (json: Json) =>
      parse(resourceNamed(json, "aws_codebuild_project", "BuildProject").source.buildspec as string) as Json;
    // THEN each names the service's repository and hands over its style's files
    expect(spec(dev.json).env.variables).toMatchObject({
      REPOSITORY_URI: "${aws_ecr_repository.fake-repo.repository_url}",
      DEPLOYMENT_STYLE: "rolling",
      CONTAINER_NAME: "farmers-module",
    });
    expect(spec(dev.json).artifacts.files).toEqual(["taskdef.json"]);
    // Both styles derive the deployed revision from Terraform's task definition, by its ARN
    for (const json of [dev.json, production.json])
      expect(spec(json).env.variables.TASK_DEFINITION).toBe("${aws_ecs_task_definition.fake-task.arn}");
    expect(spec(production.json).env.variables).toMatchObject({ DEPLOYMENT_STYLE: "blue-green" });
    expect(spec(production.json).artifacts.files).toEqual(["taskdef.json", "appspec.yaml"]);
  });

  test("the blue/green appspec repeats the service's capacity providers", () => {
    // GIVEN a blue/green service on capacity providers
    const config = testConfig("production");
    const fixture = fixtureStack("production");
    const service = fakeServiceTier(fixture, { blueGreen: true });
    service.service.putCapacityProviderStrategy([{ capacityProvider: "FARGATE", base: 1, weight: 1 }]);
    // WHEN the pipeline is built
    const pipeline = new DeliveryPipeline(fixture.stack, "pipeline", {
      naming: fixture.naming,
      accountId: fixture.accountId,
      partition: fixture.partition,
      ...deliveryPipelineSettings(config),
      service,
      topics: fakeTopics(fixture),
    });
    // THEN the command writing appspec.yaml carries them
    const spec = parse(pipeline.buildProject.sourceInput!.buildspec!) as Json;
    const appspecCommand = (spec.phases.post_build.commands as string[]).find((c) => c.endsWith("> appspec.yaml"))!;
    expect(appspecCommand).toContain(
      "'        CapacityProviderStrategy:' '          - CapacityProvider: FARGATE' '            Base: 1' '            Weight: 1'",
    );
  });
});

describe("DeliveryPipeline blue/green appspec follows Terraform's network", () => {
  test("the appspec carries the service's subnets and task security group as Terraform references", () => {
    // GIVEN production (blue/green)  WHEN the command writing appspec.yaml is read
    const spec = parse(
      resourceNamed(production.json, "aws_codebuild_project", "BuildProject").source.buildspec as string,
    ) as Json;
    const appspecCommand = (spec.phases.post_build.commands as string[]).find((c) => c.endsWith("> appspec.yaml"))!;
    // THEN a change of the task security group or subnets reaches the next deployment (the service ignores them)
    expect(appspecCommand).toContain(
      "'            SecurityGroups:' '              - ${aws_security_group.fake-service-sg.id}'",
    );
    expect(appspecCommand).toMatch(/' {12}Subnets:' ' {14}- \$\{aws_subnet\.network_private-subnet-0_[0-9A-F]+\.id\}'/);
    expect(appspecCommand).toContain("'            AssignPublicIp: DISABLED'");
  });
});

describe("DeliveryPipeline artifact bucket and key", () => {
  test("is encrypted with the pipeline key", () => {
    // GIVEN dev  WHEN synthesized  THEN SSE-KMS with the pipeline key and a bucket key
    const encryption = resourceNamed(dev.json, "aws_s3_bucket_server_side_encryption_configuration", "pipeline");
    expect(encryption.rule).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: "aws:kms",
          kms_master_key_id: "${aws_kms_key.pipeline_Key_EF40BACD.arn}",
        },
        bucket_key_enabled: true,
      },
    ]);
  });

  test("is versioned, private and owner-enforced", () => {
    // GIVEN dev  WHEN synthesized  THEN versioning, all four public-access blocks and no ACLs
    expect(dev.text).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: "Enabled" },
    });
    expect(dev.text).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket: "${aws_s3_bucket.pipeline_ArtifactBucket_F11D44E3.id}",
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(dev.text).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });

  test("denies every request not made over TLS", () => {
    // GIVEN dev  WHEN the bucket policy is parsed  THEN one Deny on aws:SecureTransport=false
    const policy = JSON.parse(resourceNamed(dev.json, "aws_s3_bucket_policy", "pipeline").policy as string);
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [
          "${aws_s3_bucket.pipeline_ArtifactBucket_F11D44E3.arn}",
          "${aws_s3_bucket.pipeline_ArtifactBucket_F11D44E3.arn}/*",
        ],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("expires artifacts after pipeline.artifactExpirationDays, and their noncurrent versions", () => {
    // GIVEN artifactExpirationDays 30  WHEN synthesized  THEN objects expire at 30 days, old versions a day later
    const [rule] = resourceNamed(dev.json, "aws_s3_bucket_lifecycle_configuration", "pipeline").rule as Json[];
    expect(rule).toMatchObject({
      status: "Enabled",
      expiration: [{ days: 30 }],
      noncurrent_version_expiration: [{ noncurrent_days: 1 }],
    });
  });

  test("the bucket name is per environment and per account", () => {
    // GIVEN dev  WHEN synthesized  THEN farmers-module-dev-artifacts-<account id>
    expect(resourceNamed(dev.json, "aws_s3_bucket", "pipeline").bucket).toBe(
      "farmers-module-dev-artifacts-${data.aws_caller_identity.account.account_id}",
    );
  });

  test("the key rotates and its policy lets the account administer it", () => {
    // GIVEN dev  WHEN the key policy is parsed
    expect(dev.text).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, deletion_window_in_days: 30 });
    const policy = JSON.parse(resourceNamed(dev.json, "aws_kms_key", "pipeline").policy as string);
    const admin = (policy.Statement as Json[]).find((s) => s.Sid === "KeyAdministration")!;
    // THEN the account root holds the administrative actions, named one by one
    expect(admin.Principal).toEqual({
      AWS: "arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.account.account_id}:root",
    });
    expect(admin.Action).toEqual(
      expect.arrayContaining(["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:EnableKeyRotation"]),
    );
    for (const s of policy.Statement as Json[]) for (const a of list(s.Action)) expect(a).not.toContain("*");
  });

  test("the pipeline role uses the key only through S3, the build and deploy roles as CodeBuild documents, CloudWatch Logs only for the build logs", () => {
    // GIVEN dev  WHEN the key policy is parsed
    const policy = JSON.parse(resourceNamed(dev.json, "aws_kms_key", "pipeline").policy as string) as {
      Statement: Json[];
    };
    const sid = (id: string) => policy.Statement.find((s) => s.Sid === id)!;
    // THEN each principal has its statement and condition
    expect(sid("PipelineUsesKeyThroughS3")).toMatchObject({
      Principal: { AWS: [expect.stringMatching(/^\$\{aws_iam_role\.pipeline_PipelineRole_[0-9A-F]+\.arn\}$/)] },
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Condition: { StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com"] } },
    });
    // The build and the deploy step (both CodeBuild service roles)
    expect(sid("BuildUsesKey").Principal).toEqual({
      AWS: [
        expect.stringMatching(/^\$\{aws_iam_role\.pipeline_BuildRole_[0-9A-F]+\.arn\}$/),
        expect.stringMatching(/^\$\{aws_iam_role\.pipeline_DeployRole_[0-9A-F]+\.arn\}$/),
      ],
    });
    expect(sid("CloudWatchLogsEncryptLogGroups").Condition).toEqual({
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn": [
          expect.stringMatching(/:log-group:\/aws\/codebuild\/farmers-module-dev-build$/),
        ],
      },
    });
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      "KeyAdministration",
      "PipelineUsesKeyThroughS3",
      "BuildUsesKey",
      "CloudWatchLogsEncryptLogGroups",
    ]);
  });
});

describe("DeliveryPipeline IAM", () => {
  const ALLOWED_STAR = new Set([
    "ecr:GetAuthorizationToken",
    "ecs:RegisterTaskDefinition",
    "ecs:DescribeTaskDefinition",
  ]);

  test("no role policy has a wildcard action", () => {
    // GIVEN the pipeline and build role policies of all three stacks  WHEN parsed
    // THEN every action is one named action: no "*", no "service:*", no ecs:*
    for (const s of allRolePolicies)
      for (const action of list(s.Action)) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
  });

  test('"*" resources appear only for APIs that cannot be scoped', () => {
    // GIVEN all role statements  WHEN those on "*" are collected
    const starred = allRolePolicies.filter((s) => list(s.Resource).includes("*"));
    // THEN they hold only ecr:GetAuthorizationToken and task-definition reads and registration
    expect(starred.length).toBeGreaterThan(0);
    for (const s of starred) {
      for (const action of list(s.Action)) expect(ALLOWED_STAR.has(action)).toBe(true);
      expect(list(s.Resource)).toEqual(["*"]);
    }
  });

  test("iam:PassRole is limited to the two task roles, passed to ECS tasks, and only the deploy step has it", () => {
    // GIVEN dev and production  WHEN PassRole statements are collected
    for (const { json } of [dev, production]) {
      const passRole = statementsOf(json, "DeployRolePolicy").filter((s) => list(s.Action).includes("iam:PassRole"));
      // THEN exactly one, on the execution and task roles, with iam:PassedToService
      expect(passRole).toEqual([
        {
          Sid: "PassTaskRoles",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: ["${aws_iam_role.exec-role.arn}", "${aws_iam_role.task-role.arn}"],
          Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
      ]);
      for (const other of ["PipelineRolePolicy", "BuildRolePolicy"])
        expect(statementsOf(json, other).some((s) => list(s.Action).includes("iam:PassRole"))).toBe(false);
    }
  });

  test("the pipeline role uses exactly its bucket, key and its two CodeBuild projects", () => {
    // GIVEN dev  WHEN the pipeline role is parsed  THEN S3, KMS and CodeBuild name its own resources
    const bucket = "${aws_s3_bucket.pipeline_ArtifactBucket_F11D44E3.arn}";
    expect(statement(dev.json, "PipelineRolePolicy", "ReadWriteArtifacts")?.Resource).toBe(`${bucket}/*`);
    expect(statement(dev.json, "PipelineRolePolicy", "LocateArtifactBucket")?.Resource).toBe(bucket);
    expect(statement(dev.json, "PipelineRolePolicy", "UsePipelineKey")?.Resource).toBe(
      "${aws_kms_key.pipeline_Key_EF40BACD.arn}",
    );
    expect(statement(dev.json, "PipelineRolePolicy", "RunBuildAndDeploy")).toMatchObject({
      Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
      Resource: [
        "${aws_codebuild_project.pipeline_BuildProject_65CDAB4C.arn}",
        expect.stringMatching(/^\$\{aws_codebuild_project\.pipeline_DeployProject_[0-9A-F]+\.arn\}$/),
      ],
    });
  });

  test("rolling: only the deploy role may update the ECS service, and only that one; nobody gets CodeDeploy", () => {
    // GIVEN dev  WHEN parsed  THEN DescribeServices/UpdateService on the service ARN in the deploy role only
    expect(statement(dev.json, "DeployRolePolicy", "UpdateService")).toMatchObject({
      Action: ["ecs:DescribeServices", "ecs:UpdateService"],
      Resource: "${aws_ecs_service.fake-service.id}",
    });
    const actions = (fragment: string) => statementsOf(dev.json, fragment).flatMap((s) => list(s.Action));
    expect(actions("PipelineRolePolicy").filter((a) => a.startsWith("ecs:") || a.startsWith("codedeploy:"))).toEqual(
      [],
    );
    expect(actions("DeployRolePolicy").some((a) => a.startsWith("codedeploy:"))).toBe(false);
  });

  test("the deploy role may tag images of its repository only (the protected deployed- tag)", () => {
    expect(statement(dev.json, "DeployRolePolicy", "ProtectDeployedImage")).toMatchObject({
      Action: ["ecr:DescribeImages", "ecr:BatchGetImage", "ecr:PutImage"],
      Resource: "${aws_ecr_repository.fake-repo.arn}",
    });
  });

  test("blue/green: CodeDeploy actions on its application, deployment group and the two configs only, in the deploy role", () => {
    // GIVEN production  WHEN parsed  THEN each CodeDeploy statement names its ARNs
    const arnPrefix =
      "arn:${data.aws_partition.partition.partition}:codedeploy:us-east-1:${data.aws_caller_identity.account.account_id}";
    expect(statement(production.json, "DeployRolePolicy", "CodeDeployRevision")?.Resource).toBe(
      `${arnPrefix}:application:\${aws_codedeploy_app.fake-cd-app.name}`,
    );
    expect(statement(production.json, "DeployRolePolicy", "CodeDeployDeployment")).toMatchObject({
      // UpdateDeploymentGroup: CreateDeployment needs it to override the alarms of a first deployment
      Action: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:UpdateDeploymentGroup"],
      Resource: `${arnPrefix}:deploymentgroup:\${aws_codedeploy_app.fake-cd-app.name}/\${aws_codedeploy_deployment_group.fake-cd-group.deployment_group_name}`,
    });
    expect(statement(production.json, "DeployRolePolicy", "CodeDeployConfigs")?.Resource).toEqual([
      `${arnPrefix}:deploymentconfig:\${aws_codedeploy_deployment_group.fake-cd-group.deployment_config_name}`,
      `${arnPrefix}:deploymentconfig:CodeDeployDefault.ECSAllAtOnce`,
    ]);
    expect(
      statementsOf(production.json, "PipelineRolePolicy")
        .flatMap((s) => list(s.Action))
        .some((a) => a.startsWith("codedeploy:")),
    ).toBe(false);
  });

  test("approval: the pipeline role may publish only to the warning topic, only when approval is on", () => {
    // GIVEN production (approval) and dev (none)  WHEN parsed  THEN sns:Publish on the warning topic in production only
    expect(statement(production.json, "PipelineRolePolicy", "AnnounceApproval")).toMatchObject({
      Action: "sns:Publish",
      Resource: "${aws_sns_topic.fake-warning.arn}",
    });
    expect(statement(dev.json, "PipelineRolePolicy", "AnnounceApproval")).toBeUndefined();
  });

  test("approval: an encrypted warning topic's key may be used through SNS for that topic only", () => {
    // GIVEN production whose warning topic is encrypted with a customer-managed key
    const config = testConfig("production");
    const fixture = fixtureStack("production");
    const topics = fakeTopics(fixture);
    const key = new KmsKey(fixture.stack, "topic-key", { enableKeyRotation: true });
    topics.warning.kmsMasterKeyId = key.arn;
    // WHEN the pipeline is built and its role policy resolved
    new DeliveryPipeline(fixture.stack, "pipeline", {
      naming: fixture.naming,
      accountId: fixture.accountId,
      partition: fixture.partition,
      ...deliveryPipelineSettings(config),
      service: fakeServiceTier(fixture, { blueGreen: true }),
      topics,
    });
    const statements = statementsOf(synthesize({ fixture }).json, "PipelineRolePolicy");
    // THEN the role may GenerateDataKey/Decrypt with that key, via SNS, for the warning topic
    expect(statements.find((s) => s.Sid === "EncryptApprovalNotification")).toEqual({
      Sid: "EncryptApprovalNotification",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "${aws_kms_key.topic-key.arn}",
      Condition: {
        StringEquals: {
          "kms:ViaService": "sns.us-east-1.amazonaws.com",
          "kms:EncryptionContext:aws:sns:topicArn": "${aws_sns_topic.fake-warning.arn}",
        },
      },
    });
    expect(statement(production.json, "PipelineRolePolicy", "EncryptApprovalNotification")).toBeUndefined();
  });

  test("the build role pushes to its one repository and writes its own logs and artifacts", () => {
    // GIVEN dev  WHEN the build role is parsed  THEN ECR, logs, S3 and KMS name its own resources
    expect(statement(dev.json, "BuildRolePolicy", "PushToRepository")).toMatchObject({
      Action: expect.arrayContaining([
        "ecr:PutImage",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
      ]),
      Resource: "${aws_ecr_repository.fake-repo.arn}",
    });
    expect(statement(dev.json, "BuildRolePolicy", "WriteBuildLogs")?.Resource).toEqual([
      "${aws_cloudwatch_log_group.pipeline_BuildLogGroup_ECA716EA.arn}",
      "${aws_cloudwatch_log_group.pipeline_BuildLogGroup_ECA716EA.arn}:*",
    ]);
    expect(statement(dev.json, "BuildRolePolicy", "ReadWriteArtifacts")?.Resource).toBe(
      "${aws_s3_bucket.pipeline_ArtifactBucket_F11D44E3.arn}/*",
    );
    expect(statement(dev.json, "BuildRolePolicy", "UsePipelineKey")?.Resource).toBe(
      "${aws_kms_key.pipeline_Key_EF40BACD.arn}",
    );
  });

  test("the build of either style may read task definitions (Terraform's revision is its template)", () => {
    for (const json of [dev.json, production.json])
      expect(statement(json, "BuildRolePolicy", "ReadTerraformTaskDefinition")?.Action).toBe(
        "ecs:DescribeTaskDefinition",
      );
  });

  test("roles trust only their service, from this account", () => {
    // GIVEN dev  WHEN the trust policies are parsed  THEN codepipeline / codebuild with aws:SourceAccount
    for (const [fragment, service] of [
      ["PipelineRole", "codepipeline.amazonaws.com"],
      ["BuildRole", "codebuild.amazonaws.com"],
    ]) {
      const role = Object.entries(resourcesOf(dev.json, "aws_iam_role")).find(([name]) =>
        name.startsWith(`pipeline_${fragment}_`),
      )![1];
      expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { Service: service },
          Condition: {
            StringEquals: {
              "aws:SourceAccount": "${data.aws_caller_identity.account.account_id}",
            },
          },
        },
      ]);
    }
  });
});

describe("DeliveryPipeline notifications", () => {
  test("failed executions and failed builds go to the warning topic", () => {
    // GIVEN dev  WHEN the EventBridge rules are parsed
    const rules = Object.values(resourcesOf(dev.json, "aws_cloudwatch_event_rule")).map((r) =>
      JSON.parse(r.event_pattern as string),
    );
    // THEN one matches the pipeline's FAILED executions, one the project's FAILED/STOPPED builds
    expect(rules).toEqual(
      expect.arrayContaining([
        {
          source: ["aws.codepipeline"],
          "detail-type": ["CodePipeline Pipeline Execution State Change"],
          detail: { pipeline: ["${aws_codepipeline.pipeline_DBECAE49.name}"], state: ["FAILED"] },
        },
        {
          source: ["aws.codebuild"],
          "detail-type": ["CodeBuild Build State Change"],
          detail: {
            "project-name": [
              "${aws_codebuild_project.pipeline_BuildProject_65CDAB4C.name}",
              expect.stringMatching(/^\$\{aws_codebuild_project\.pipeline_DeployProject_[0-9A-F]+\.name\}$/),
            ],
            "build-status": ["FAILED", "STOPPED"],
          },
        },
      ]),
    );
    const targets = Object.values(resourcesOf(dev.json, "aws_cloudwatch_event_target"));
    expect(targets.map((t) => t.arn)).toEqual([
      "${aws_sns_topic.fake-warning.arn}",
      "${aws_sns_topic.fake-warning.arn}",
    ]);
  });

  test("a failed build's message names the log group both projects write to", () => {
    // GIVEN dev, whose build and deploy projects both log to /aws/codebuild/farmers-module-dev-build
    // WHEN the build-failure target's input template is read
    const target = resourceNamed(dev.json, "aws_cloudwatch_event_target", "BuildFailedTarget");
    const template = (target.input_transformer as { input_template: string }).input_template;
    // THEN it points to that group, not to /aws/codebuild/<project>, which the deploy project never writes
    expect(template).toContain("Logs: /aws/codebuild/farmers-module-dev-build in us-east-1");
    expect(template).not.toContain("/aws/codebuild/<project>");
  });
});

describe("DeliveryPipeline deployment style", () => {
  // The style is the service tier's (service.blueGreen): a pipeline cannot deploy a service any
  // other way, so there is no style setting to get wrong.
  const styleOf = (built: Built) =>
    (parse(built.pipeline.deployProject.sourceInput!.buildspec!) as Json).env.variables.DEPLOYMENT_STYLE;

  test("a service deployed by CodeDeploy is deployed blue/green", () => {
    // GIVEN rolling dev configuration but a blue/green service tier  WHEN built  THEN blue-green
    expect(styleOf(build("dev", {}, { blueGreen: true }))).toBe("blue-green");
  });

  test("a service deployed by ECS is deployed rolling", () => {
    // GIVEN production configuration but a rolling service tier  WHEN built  THEN rolling
    expect(styleOf(build("production", {}, { blueGreen: false }))).toBe("rolling");
  });
});

describe("DeliveryPipeline validation", () => {
  test("fails when the connection name exceeds 32 characters", () => {
    // GIVEN a long project name  WHEN constructed  THEN the connection name is refused
    expect(() => build("production", {}, { naming: new Naming("farmers-module-platform-x", "production") })).toThrow(
      'fixture-production/pipeline: codestarConnection name "farmers-module-platform-x-production-github" is 43 characters; AWS allows 1-32',
    );
  });

  test("fails when the blue/green service's capacity provider strategy is an unresolved token", () => {
    // GIVEN a blue/green service whose strategy is a token
    const config = testConfig("production");
    const fixture = fixtureStack("production");
    const service = fakeServiceTier(fixture, { blueGreen: true });
    service.service.putCapacityProviderStrategy(Token.asAny([{ capacityProvider: "FARGATE" }]));
    // WHEN the pipeline is built  THEN a ValidationError
    expect(
      () =>
        new DeliveryPipeline(fixture.stack, "pipeline", {
          naming: fixture.naming,
          accountId: fixture.accountId,
          partition: fixture.partition,
          ...deliveryPipelineSettings(config),
          service,
          topics: fakeTopics(fixture),
        }),
    ).toThrow(
      "fixture-production/pipeline: the service's capacity_provider_strategy is an unresolved token; allowed: a literal list, which the blue/green appspec repeats",
    );
  });

  test("fails when buildTimeoutMinutes is outside 5-2160", () => {
    // GIVEN buildTimeoutMinutes 1  WHEN constructed  THEN a ValidationError
    const config = testConfig("dev");
    const fixture = fixtureStack("dev");
    expect(
      () =>
        new DeliveryPipeline(fixture.stack, "pipeline", {
          naming: fixture.naming,
          accountId: fixture.accountId,
          partition: fixture.partition,
          ...deliveryPipelineSettings(config),
          service: fakeServiceTier(fixture),
          topics: fakeTopics(fixture),
          buildTimeoutMinutes: 1,
        }),
    ).toThrow("fixture-dev/pipeline: buildTimeoutMinutes must be an integer from 5 to 2160; received 1");
  });
});
