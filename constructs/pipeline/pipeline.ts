import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline, type CodepipelineStage } from "@cdktf/provider-aws/lib/codepipeline";
import { CodepipelineWebhook } from "@cdktf/provider-aws/lib/codepipeline-webhook";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";

import type { EnvironmentConfig } from "../../config/schema";
import { type AlertTopics, DEPLOYED_TAG_PREFIX, type ServiceTierOutputs } from "../contracts";
import { assumeRolePolicy, policyDocument, type PolicyStatement } from "../iam";
import { CustomerManagedKey, type KeyUseAction } from "../kms-key";
import { MovedFrom } from "../moved";
import { checkName, type Naming } from "../naming";
import { ValidationError } from "../validation-error";
import { ArtifactBucket } from "./artifacts";
import {
  type AppspecNetworkConfiguration,
  FIRST_DEPLOYMENT_CONFIG,
  renderBuildspec,
  renderDeployspec,
} from "./buildspec";

/** Settings of the delivery pipeline; taken from the environment's configuration. */
export interface DeliveryPipelineProps {
  readonly naming: Naming;
  /** Region of the environment (console URL, ARNs, the build's ECR login). */
  readonly region: string;
  /** Repository, branch, source mode, approval, retention (config `pipeline`). */
  readonly pipeline: EnvironmentConfig["pipeline"];
  /** Deployment style: `rolling` deploys with the ECS action, `blue-green` with CodeDeploy. */
  readonly deployment: EnvironmentConfig["deployment"];
  /** The service deployed: repository, cluster, service, task definition, roles, CodeDeploy. */
  readonly service: ServiceTierOutputs;
  /** Failed executions and builds, and approval requests, go to `topics.warning`. */
  readonly topics: AlertTopics;
  /** CodeBuild image. @default "aws/codebuild/standard:7.0" */
  readonly buildImage?: string;
  /** CodeBuild compute type. @default "BUILD_GENERAL1_SMALL" */
  readonly buildComputeType?: string;
  /** Minutes after which a build is stopped. @default 30 */
  readonly buildTimeoutMinutes?: number;
  /**
   * The environment is destroyed with its contents (config `protection: "disposable"`): the
   * artifact bucket is deleted with its objects and their versions.
   * @default false - destroy fails while the bucket holds artifacts
   */
  readonly disposable?: boolean;
}

/** Name of the Terraform variable holding the GitHub token in `github-token` mode. */
export const GITHUB_TOKEN_VARIABLE = "github_oauth_token";
/** Name of the Terraform variable holding the webhook's HMAC secret in `github-token` mode. */
export const GITHUB_WEBHOOK_SECRET_VARIABLE = "github_webhook_secret";

/** Artifact names passed between the stages. */
const SOURCE_OUTPUT = "SourceOutput";
const BUILD_OUTPUT = "BuildOutput";

/**
 * CodePipeline (V2) from GitHub to the environment's ECS service: Source (CodeStar connection,
 * or the legacy GitHub token), Build (CodeBuild: image tagged with the short commit hash, pushed
 * to ECR, deploy files written), optional manual Approval, Deploy (ECS rolling or CodeDeploy
 * blue/green, by `deployment.style`). Artifacts in a KMS-encrypted bucket; least-privilege roles;
 * failures announced on the warning topic.
 */
export class DeliveryPipeline extends Construct {
  readonly pipeline: Codepipeline;
  readonly buildProject: CodebuildProject;
  readonly artifactBucket: S3Bucket;
  /** Key encrypting artifacts, build output and build logs. */
  readonly kmsKey: KmsKey;
  readonly pipelineRole: IamRole;
  readonly buildRole: IamRole;
  /** The deploy step: a CodeBuild project that registers Terraform's revision and deploys it. */
  readonly deployProject: CodebuildProject;
  readonly deployRole: IamRole;
  readonly buildLogGroup: CloudwatchLogGroup;
  /** ARN of the CodeStar connection (created or from config); undefined in `github-token` mode. */
  readonly connectionArn?: string;
  /** The connection, when this construct created it (it starts PENDING: see docs/pipeline.md). */
  readonly connection?: CodestarconnectionsConnection;
  /** Webhook GitHub must call, in `github-token` mode. */
  readonly webhook?: CodepipelineWebhook;
  /** AWS console page of the pipeline. */
  readonly consoleUrl: string;
  /** What to look at for the source connection's state, for outputs. */
  readonly connectionStatusHint: string;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    const { naming, region, pipeline: config, deployment, service, topics } = props;
    const buildImage = props.buildImage ?? "aws/codebuild/standard:7.0";
    const buildComputeType = props.buildComputeType ?? "BUILD_GENERAL1_SMALL";
    const buildTimeoutMinutes = props.buildTimeoutMinutes ?? 30;
    const style = deployment.style;
    const blueGreen = service.blueGreen;

    // The deploy action must match how the service is deployed, or every deployment fails.
    if (style === "blue-green" && !blueGreen)
      throw new ValidationError(
        'deployment.style is "blue-green" but the service tier has no CodeDeploy application (service.blueGreen is undefined); allowed: a service built for blue/green, or deployment.style "rolling"',
        this,
      );
    if (style === "rolling" && blueGreen)
      throw new ValidationError(
        'deployment.style is "rolling" but the service tier is deployed by CodeDeploy (service.blueGreen is set); allowed: deployment.style "blue-green" for this service',
        this,
      );
    // The appspec repeats the service's capacity providers; they must be known at synth.
    const capacityProviders = service.service.capacityProviderStrategyInput;
    if (blueGreen && capacityProviders !== undefined && !Array.isArray(capacityProviders))
      throw new ValidationError(
        "the service's capacity_provider_strategy is an unresolved token; allowed: a literal list, which the blue/green appspec repeats",
        this,
      );
    if (!Number.isInteger(buildTimeoutMinutes) || buildTimeoutMinutes < 5 || buildTimeoutMinutes > 2160)
      throw new ValidationError(
        `buildTimeoutMinutes must be an integer from 5 to 2160; received ${buildTimeoutMinutes}`,
        this,
      );

    const pipelineName = naming.name(this, "generic", "pipeline");
    const projectName = naming.name(this, "codebuildProject", "build");
    const logGroupName = checkName(this, "logGroup", `/aws/codebuild/${projectName}`);
    const pipelineRoleName = naming.name(this, "iamRole", "pipeline");
    const buildRoleName = naming.name(this, "iamRole", "build");
    const deployProjectName = naming.name(this, "codebuildProject", "deploy");
    const deployRoleName = naming.name(this, "iamRole", "deploy");
    // S3 names are global: the account id makes them unique. Checked with a 12-digit stand-in.
    checkName(this, "s3Bucket", `${naming.prefix}-artifacts-000000000000`);

    const identity = new DataAwsCallerIdentity(this, "CallerIdentity");
    const partition = new DataAwsPartition(this, "Partition").partition;
    const account = identity.accountId;
    const arn = (awsService: string, resource: string) =>
      `arn:${partition}:${awsService}:${region}:${account}:${resource}`;
    const sourceAccount = { StringEquals: { "aws:SourceAccount": account } };

    this.pipelineRole = new IamRole(this, "PipelineRole", {
      name: pipelineRoleName,
      description: `CodePipeline ${pipelineName}`,
      assumeRolePolicy: assumeRolePolicy("codepipeline.amazonaws.com", sourceAccount),
    });
    this.buildRole = new IamRole(this, "BuildRole", {
      name: buildRoleName,
      description: `CodeBuild ${projectName}`,
      assumeRolePolicy: assumeRolePolicy("codebuild.amazonaws.com", sourceAccount),
    });
    this.deployRole = new IamRole(this, "DeployRole", {
      name: deployRoleName,
      description: `CodeBuild ${deployProjectName}: registers the revision and deploys it to ${service.containerName}`,
      assumeRolePolicy: assumeRolePolicy("codebuild.amazonaws.com", sourceAccount),
    });

    // --- Key: artifacts, build output and build logs. ---------------------------------------
    const key = new CustomerManagedKey(this, "Key", {
      description: `${pipelineName}: artifacts and build logs`,
      aliasName: `alias/${pipelineName}`,
      accountId: account,
      partition,
      region,
      roleUse: [
        {
          // The artifact store is S3 with SSE-KMS: the pipeline reads and writes through S3.
          sid: "PipelineUsesKeyThroughS3",
          roleArns: [this.pipelineRole.arn],
          actions: KEY_USE_ACTIONS,
          via: ["s3"],
        },
        {
          // CodeBuild's documented key policy gives the service role the key without a
          // condition ("Encrypt build outputs using a customer managed key", CodeBuild guide).
          // The deploy step is a CodeBuild project too (it reads the encrypted build output).
          sid: "BuildUsesKey",
          roleArns: [this.buildRole.arn, this.deployRole.arn],
          actions: KEY_USE_ACTIONS,
        },
      ],
    });
    // The alias was a sibling of the key (pipeline/KeyAlias) before the key construct existed.
    new MovedFrom(key.alias, "aws_kms_alias.pipeline_KeyAlias_E268CFCF");
    this.kmsKey = key.key;
    const keyArn = key.arn;

    // --- Artifacts. ------------------------------------------------------------------------
    this.artifactBucket = new ArtifactBucket(this, "ArtifactBucket", {
      bucketName: `${naming.prefix}-artifacts-${account}`,
      kmsKey: this.kmsKey,
      expirationDays: config.artifactExpirationDays,
      // S3 refuses to delete a non-empty bucket; the provider empties it (every version) first.
      forceDestroy: props.disposable ?? false,
    }).bucket;
    const bucketArn = this.artifactBucket.arn;

    // --- Source. ---------------------------------------------------------------------------
    let sourceAction: CodepipelineStage["action"];
    let githubToken: TerraformVariable | undefined;
    if (config.source.mode === "codestar-connection") {
      if (config.source.connectionArn) {
        this.connectionArn = config.source.connectionArn;
        this.connectionStatusHint = `managed outside this stack: aws codestar-connections get-connection --connection-arn ${this.connectionArn}`;
      } else {
        this.connection = new CodestarconnectionsConnection(this, "Connection", {
          name: naming.name(this, "codestarConnection", "github"),
          providerType: "GitHub",
        });
        this.connectionArn = this.connection.arn;
        this.connectionStatusHint = this.connection.connectionStatus;
      }
      sourceAction = [
        {
          name: "Source",
          category: "Source",
          owner: "AWS",
          provider: "CodeStarSourceConnection",
          version: "1",
          namespace: "SourceVariables",
          outputArtifacts: [SOURCE_OUTPUT],
          configuration: {
            ConnectionArn: this.connectionArn,
            FullRepositoryId: config.repository,
            BranchName: config.branch,
            OutputArtifactFormat: "CODE_ZIP",
          },
        },
      ];
    } else {
      // Legacy: the deprecated GitHub (version 1) action with a personal access token. The token
      // comes from a sensitive variable (TF_VAR_github_oauth_token), never from config or code.
      githubToken = new TerraformVariable(this, "GitHubToken", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `GitHub personal access token (repo, admin:repo_hook) for ${config.repository}; legacy github-token source mode only`,
      });
      githubToken.overrideLogicalId(GITHUB_TOKEN_VARIABLE);
      this.connectionStatusHint = "not used: github-token source mode (legacy GitHub version 1 action)";
      const [owner, repo] = config.repository.split("/");
      sourceAction = [
        {
          name: "Source",
          category: "Source",
          owner: "ThirdParty",
          provider: "GitHub",
          version: "1",
          namespace: "SourceVariables",
          outputArtifacts: [SOURCE_OUTPUT],
          configuration: {
            Owner: owner,
            Repo: repo,
            Branch: config.branch,
            OAuthToken: githubToken.stringValue,
            PollForSourceChanges: "false",
          },
        },
      ];
    }

    // --- Build. ----------------------------------------------------------------------------
    this.buildLogGroup = new CloudwatchLogGroup(this, "BuildLogGroup", {
      name: logGroupName,
      retentionInDays: config.buildLogRetentionDays,
      kmsKeyId: key.encryptLogGroup(logGroupName),
    });
    const buildCommon = {
      repositoryUri: service.repository.repositoryUrl,
      repositoryName: service.repository.name,
      region,
      containerName: service.containerName,
      // Terraform's revision: a change of the container (environment, secrets, CPU/memory)
      // changes this ARN, and the next build derives its revision from it.
      taskDefinitionArn: service.taskDefinition.arn,
    };
    const buildspec = renderBuildspec(
      style === "blue-green"
        ? {
            style,
            ...buildCommon,
            containerPort: service.containerPort,
            capacityProviderStrategy: Array.isArray(capacityProviders) ? capacityProviders : undefined,
            networkConfiguration: appspecNetwork(service),
            platformVersion: service.service.platformVersionInput,
          }
        : { style, ...buildCommon },
    );

    const buildPolicy = new IamRolePolicy(this, "BuildRolePolicy", {
      name: "build",
      role: this.buildRole.id,
      policy: policyDocument([
        // GetAuthorizationToken has no resource type: it can only be granted on "*".
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "PushToRepository", Effect: "Allow", Action: ECR_PUSH_ACTIONS, Resource: service.repository.arn },
        {
          Sid: "WriteBuildLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [this.buildLogGroup.arn, `${this.buildLogGroup.arn}:*`],
        },
        {
          Sid: "ReadWriteArtifacts",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
          Resource: `${bucketArn}/*`,
        },
        {
          Sid: "LocateArtifactBucket",
          Effect: "Allow",
          Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"],
          Resource: bucketArn,
        },
        { Sid: "UsePipelineKey", Effect: "Allow", Action: KEY_USE_ACTIONS, Resource: keyArn },
        // DescribeTaskDefinition has no resource type: it can only be granted on "*".
        { Sid: "ReadTerraformTaskDefinition", Effect: "Allow", Action: "ecs:DescribeTaskDefinition", Resource: "*" },
      ]),
    });

    this.buildProject = new CodebuildProject(this, "BuildProject", {
      name: projectName,
      description: `Builds ${config.repository}@${config.branch} into ${naming.prefix}'s ECR repository (${style})`,
      serviceRole: this.buildRole.arn,
      encryptionKey: keyArn,
      buildTimeout: buildTimeoutMinutes,
      source: { type: "CODEPIPELINE", buildspec },
      artifacts: { type: "CODEPIPELINE" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType: buildComputeType,
        image: buildImage,
        imagePullCredentialsType: "CODEBUILD",
        privilegedMode: true, // docker build needs the Docker daemon
      },
      cache: { type: "LOCAL", modes: ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"] },
      logsConfig: {
        cloudwatchLogs: { status: "ENABLED", groupName: this.buildLogGroup.name },
        s3Logs: { status: "DISABLED" },
      },
      dependsOn: [buildPolicy],
    });

    // --- Deploy step. ----------------------------------------------------------------------
    // Blue/green waits for the whole deployment: linear steps, then the original tasks' wait.
    const deployWaitMinutes =
      style === "blue-green"
        ? Math.ceil(100 / deployment.linearPercent) * deployment.linearIntervalMinutes +
          deployment.terminationWaitMinutes +
          30
        : 30;
    const deployCommon = {
      repositoryName: service.repository.name,
      region,
      containerName: service.containerName,
      clusterName: service.cluster.name,
      serviceName: service.service.name,
      deployedTagPrefix: DEPLOYED_TAG_PREFIX,
      waitMinutes: deployWaitMinutes,
    };
    const deployspec = renderDeployspec(
      blueGreen
        ? {
            style: "blue-green",
            ...deployCommon,
            applicationName: blueGreen.application.name,
            deploymentGroupName: blueGreen.deploymentGroup.deploymentGroupName,
            enableExecuteCommand: service.service.enableExecuteCommandInput === true,
          }
        : { style: "rolling", ...deployCommon },
    );
    const deployPolicy = new IamRolePolicy(this, "DeployRolePolicy", {
      name: "deploy",
      role: this.deployRole.id,
      policy: policyDocument(
        deployRoleStatements({ arn, service, bucketArn, keyArn, logGroupArn: this.buildLogGroup.arn }),
      ),
    });
    this.deployProject = new CodebuildProject(this, "DeployProject", {
      name: deployProjectName,
      description: `Deploys the build's revision of ${naming.prefix} (${style}): Terraform's task definition with the new image`,
      serviceRole: this.deployRole.arn,
      encryptionKey: keyArn,
      buildTimeout: deployWaitMinutes + 10,
      source: { type: "CODEPIPELINE", buildspec: deployspec },
      artifacts: { type: "CODEPIPELINE" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType: buildComputeType,
        image: buildImage,
        imagePullCredentialsType: "CODEBUILD",
        privilegedMode: false,
      },
      logsConfig: {
        cloudwatchLogs: { status: "ENABLED", groupName: this.buildLogGroup.name },
        s3Logs: { status: "DISABLED" },
      },
      dependsOn: [deployPolicy],
    });

    // --- Approval and deploy. --------------------------------------------------------------
    const stages: CodepipelineStage[] = [
      { name: "Source", action: sourceAction },
      {
        name: "Build",
        action: [
          {
            name: "Build",
            category: "Build",
            owner: "AWS",
            provider: "CodeBuild",
            version: "1",
            namespace: "BuildVariables",
            inputArtifacts: [SOURCE_OUTPUT],
            outputArtifacts: [BUILD_OUTPUT],
            configuration: { ProjectName: this.buildProject.name },
          },
        ],
      },
    ];
    if (config.manualApproval) {
      stages.push({
        name: "Approve",
        action: [
          {
            name: "Approve",
            category: "Approval",
            owner: "AWS",
            provider: "Manual",
            version: "1",
            configuration: {
              NotificationArn: topics.warning.arn,
              CustomData: `Deploy ${service.containerName} image #{BuildVariables.IMAGE_TAG} (commit #{SourceVariables.CommitId} of ${config.branch}) to ${naming.environment}?`,
              ExternalEntityLink: `https://github.com/${config.repository}/commit/#{SourceVariables.CommitId}`,
            },
          },
        ],
      });
    }
    // Rolling and blue/green alike: the deploy step registers the build's taskdef.json (Terraform's
    // revision with the new image) and deploys it (see deployspec in buildspec.ts for why not the
    // ECS or CodeDeployToECS actions).
    stages.push({
      name: "Deploy",
      action: [
        {
          name: "Deploy",
          category: "Build",
          owner: "AWS",
          provider: "CodeBuild",
          version: "1",
          inputArtifacts: [BUILD_OUTPUT],
          configuration: { ProjectName: this.deployProject.name },
        },
      ],
    });

    // --- Pipeline role. --------------------------------------------------------------------
    const pipelineStatements: PolicyStatement[] = [
      {
        Sid: "ReadWriteArtifacts",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl"],
        Resource: `${bucketArn}/*`,
      },
      {
        Sid: "LocateArtifactBucket",
        Effect: "Allow",
        Action: ["s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"],
        Resource: bucketArn,
      },
      { Sid: "UsePipelineKey", Effect: "Allow", Action: KEY_USE_ACTIONS, Resource: keyArn },
      {
        Sid: "RunBuildAndDeploy",
        Effect: "Allow",
        Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
        Resource: [this.buildProject.arn, this.deployProject.arn],
      },
    ];
    if (this.connectionArn) {
      pipelineStatements.push({
        Sid: "UseSourceConnection",
        Effect: "Allow",
        // Connections created since 2024 are `codeconnections`; older ones `codestar-connections`.
        Action: ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
        Resource: this.connectionArn,
      });
    }
    if (config.manualApproval) {
      pipelineStatements.push({
        Sid: "AnnounceApproval",
        Effect: "Allow",
        Action: "sns:Publish",
        Resource: topics.warning.arn,
      });
      // CodePipeline publishes the approval request as this role: an encrypted topic needs its key.
      const topicKey = topics.warning.kmsMasterKeyIdInput;
      if (topicKey) {
        pipelineStatements.push({
          Sid: "EncryptApprovalNotification",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: topicKey,
          Condition: {
            StringEquals: {
              "kms:ViaService": `sns.${region}.amazonaws.com`,
              "kms:EncryptionContext:aws:sns:topicArn": topics.warning.arn,
            },
          },
        });
      }
    }
    const pipelinePolicy = new IamRolePolicy(this, "PipelineRolePolicy", {
      name: "pipeline",
      role: this.pipelineRole.id,
      policy: policyDocument(pipelineStatements),
    });

    this.pipeline = new Codepipeline(this, "Resource", {
      name: pipelineName,
      pipelineType: "V2",
      roleArn: this.pipelineRole.arn,
      artifactStore: [{ type: "S3", location: this.artifactBucket.bucket, encryptionKey: { type: "KMS", id: keyArn } }],
      stage: stages,
      trigger: this.connectionArn
        ? [
            {
              providerType: "CodeStarSourceConnection",
              gitConfiguration: { sourceActionName: "Source", push: [{ branches: { includes: [config.branch] } }] },
            },
          ]
        : undefined,
      dependsOn: [pipelinePolicy],
    });
    this.consoleUrl = `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${this.pipeline.name}/view`;

    if (githubToken) {
      const secret = new TerraformVariable(this, "GitHubWebhookSecret", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: "HMAC secret shared by GitHub's webhook and the pipeline's; legacy github-token source mode only",
      });
      secret.overrideLogicalId(GITHUB_WEBHOOK_SECRET_VARIABLE);
      this.webhook = new CodepipelineWebhook(this, "Webhook", {
        name: naming.name(this, "generic", "github-webhook"),
        authentication: "GITHUB_HMAC",
        authenticationConfiguration: { secretToken: secret.stringValue },
        targetPipeline: this.pipeline.name,
        targetAction: "Source",
        filter: [{ jsonPath: "$.ref", matchEquals: `refs/heads/${config.branch}` }],
      });
    }

    // --- Notifications (the warning topic's policy must let events.amazonaws.com publish). ---
    this.notifyOnFailure("PipelineFailed", naming.name(this, "generic", "pipeline-failed"), topics, {
      description: `${pipelineName}: execution failed`,
      pattern: {
        source: ["aws.codepipeline"],
        "detail-type": ["CodePipeline Pipeline Execution State Change"],
        detail: { pipeline: [this.pipeline.name], state: ["FAILED"] },
      },
      inputPaths: { pipeline: "$.detail.pipeline", execution: "$.detail.execution-id" },
      template: `"Pipeline <pipeline> failed (execution <execution>). https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/<pipeline>/executions/<execution>/timeline"`,
    });
    this.notifyOnFailure("BuildFailed", naming.name(this, "generic", "build-failed"), topics, {
      description: `${projectName}: build failed`,
      pattern: {
        source: ["aws.codebuild"],
        "detail-type": ["CodeBuild Build State Change"],
        detail: {
          "project-name": [this.buildProject.name, this.deployProject.name],
          "build-status": ["FAILED", "STOPPED"],
        },
      },
      inputPaths: { project: "$.detail.project-name", status: "$.detail.build-status", build: "$.detail.build-id" },
      // Both projects write to the build's log group (logs_config), not to CodeBuild's default
      // /aws/codebuild/<project>: the message names the group the logs are in.
      template: `"CodeBuild project <project>: build <status> (<build>). Logs: ${logGroupName} in ${region}."`,
    });
  }

  private notifyOnFailure(
    id: string,
    name: string,
    topics: AlertTopics,
    rule: { description: string; pattern: object; inputPaths: Record<string, string>; template: string },
  ): void {
    const eventRule = new CloudwatchEventRule(this, `${id}Rule`, {
      name,
      description: rule.description,
      eventPattern: JSON.stringify(rule.pattern),
    });
    new CloudwatchEventTarget(this, `${id}Target`, {
      rule: eventRule.name,
      targetId: "warning-topic",
      arn: topics.warning.arn,
      inputTransformer: { inputPaths: rule.inputPaths, inputTemplate: rule.template },
    });
  }
}

/**
 * The service's awsvpc configuration for the appspec: Terraform's values (the service ignores
 * them after creation under CODE_DEPLOY, so each deployment brings them in step).
 */
function appspecNetwork(service: ServiceTierOutputs): AppspecNetworkConfiguration | undefined {
  const network = service.service.networkConfigurationInput;
  if (!network) return undefined;
  return {
    subnets: network.subnets,
    securityGroups: network.securityGroups ?? [],
    assignPublicIp: network.assignPublicIp === true,
  };
}

/**
 * The deploy step's permissions: read the build output, write its logs, tag the deployed image,
 * register the revision (passing the two task roles to ECS tasks only), update the one service,
 * and under blue/green create and watch deployments of the one deployment group.
 */
export function deployRoleStatements(input: {
  arn: (awsService: string, resource: string) => string;
  service: ServiceTierOutputs;
  bucketArn: string;
  keyArn: string;
  logGroupArn: string;
}): PolicyStatement[] {
  const { arn, service } = input;
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadBuildOutput",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: `${input.bucketArn}/*`,
    },
    {
      Sid: "LocateArtifactBucket",
      Effect: "Allow",
      Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"],
      Resource: input.bucketArn,
    },
    { Sid: "UsePipelineKey", Effect: "Allow", Action: KEY_USE_ACTIONS, Resource: input.keyArn },
    {
      Sid: "WriteDeployLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [input.logGroupArn, `${input.logGroupArn}:*`],
    },
    // A second tag on the deployed image's manifest: the lifecycle policy keeps deployed-* images.
    {
      Sid: "ProtectDeployedImage",
      Effect: "Allow",
      Action: ["ecr:DescribeImages", "ecr:BatchGetImage", "ecr:PutImage"],
      Resource: service.repository.arn,
    },
    // RegisterTaskDefinition has no resource type: it can only be granted on "*".
    { Sid: "RegisterRevision", Effect: "Allow", Action: "ecs:RegisterTaskDefinition", Resource: "*" },
    {
      Sid: "PassTaskRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: [service.executionRole.arn, service.taskRole.arn],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    // Rolling: the new revision; blue/green: ECS Exec only (the rest is CodeDeploy's).
    {
      Sid: "UpdateService",
      Effect: "Allow",
      Action: ["ecs:DescribeServices", "ecs:UpdateService"],
      Resource: service.service.id,
    },
  ];
  const blueGreen = service.blueGreen;
  if (blueGreen) {
    const appName = blueGreen.application.name;
    const group = arn("codedeploy", `deploymentgroup:${appName}/${blueGreen.deploymentGroup.deploymentGroupName}`);
    statements.push(
      {
        Sid: "CodeDeployRevision",
        Effect: "Allow",
        Action: [
          "codedeploy:GetApplication",
          "codedeploy:GetApplicationRevision",
          "codedeploy:RegisterApplicationRevision",
        ],
        Resource: arn("codedeploy", `application:${appName}`),
      },
      // UpdateDeploymentGroup: CreateDeployment requires it when the request overrides the
      // group's alarms (the first deployment); the step never calls UpdateDeploymentGroup itself.
      {
        Sid: "CodeDeployDeployment",
        Effect: "Allow",
        Action: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:UpdateDeploymentGroup"],
        Resource: group,
      },
      {
        Sid: "CodeDeployConfigs",
        Effect: "Allow",
        Action: "codedeploy:GetDeploymentConfig",
        Resource: [
          arn("codedeploy", `deploymentconfig:${blueGreen.deploymentGroup.deploymentConfigName}`),
          arn("codedeploy", `deploymentconfig:${FIRST_DEPLOYMENT_CONFIG}`),
        ],
      },
    );
  }
  return statements;
}

/** Data-key use by the pipeline and build roles (S3 SSE-KMS, CodeBuild output). */
const KEY_USE_ACTIONS: KeyUseAction[] = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"];

/** Pushing to (and reading layers from) one ECR repository; DescribeImages detects re-runs. */
const ECR_PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:CompleteLayerUpload",
  "ecr:DescribeImages",
  "ecr:GetDownloadUrlForLayer",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];
