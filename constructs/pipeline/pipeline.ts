import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline, type CodepipelineStage } from "@cdktf/provider-aws/lib/codepipeline";
import type { CodepipelineWebhook } from "@cdktf/provider-aws/lib/codepipeline-webhook";
import type { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Construct } from "constructs";

import type { AlertTopics, ServiceTierOutputs } from "../contracts";
import { assumeRolePolicy, policyDocument } from "../iam";
import { CustomerManagedKey } from "../kms-key";
import { MovedFrom } from "../moved";
import { checkName, type Naming } from "../naming";
import { ValidationError } from "../validation-error";
import { ArtifactBucket } from "./artifacts";
import { BUILD_OUTPUT, buildStep } from "./build";
import { deployStep } from "./deploy";
import { failureNotifications } from "./notifications";
import { KEY_USE_ACTIONS, pipelineRoleStatements } from "./roles";
import { githubWebhook, type PipelineSource, SOURCE_OUTPUT, sourceStep } from "./source";

export { GITHUB_TOKEN_VARIABLE, GITHUB_WEBHOOK_SECRET_VARIABLE, type PipelineSource } from "./source";

/** What the pipeline delivers from where, how it builds, and how long it keeps things. */
export interface DeliveryPipelineSettings {
  /** Region of the environment (console URL, ARNs, the build's ECR login). */
  readonly region: string;
  /** GitHub repository, `owner/name`. */
  readonly repository: string;
  /** Branch deployed; a push to it starts the pipeline. */
  readonly branch: string;
  /** Connection (created or existing) or the legacy GitHub token. */
  readonly source: PipelineSource;
  /** An `Approve` stage before `Deploy`, announced on the warning topic. @default false */
  readonly manualApproval?: boolean;
  /** Days after which an artifact expires. */
  readonly artifactExpirationDays: number;
  /** Retention of the build log group, days (a value CloudWatch Logs accepts). */
  readonly buildLogRetentionDays: number;
  /** CodeBuild image. @default "aws/codebuild/standard:7.0" */
  readonly buildImage?: string;
  /** CodeBuild compute type. @default "BUILD_GENERAL1_SMALL" */
  readonly buildComputeType?: string;
  /** Minutes after which a build is stopped (CodeBuild allows 5 to 2160). @default 30 */
  readonly buildTimeoutMinutes?: number;
  /**
   * The environment is destroyed with its contents (config `protection: "disposable"`): the
   * artifact bucket is deleted with its objects and their versions.
   * @default false - destroy fails while the bucket holds artifacts
   */
  readonly disposable?: boolean;
}

/** Props of DeliveryPipeline: the settings, the service it deploys and the topics it reports to. */
export interface DeliveryPipelineProps extends DeliveryPipelineSettings {
  readonly naming: Naming;
  /** The account the stack deploys into (the stack's one `aws_caller_identity`), for ARNs and confused-deputy conditions. */
  readonly accountId: string;
  /** The partition (the stack's one `aws_partition`), for ARNs. */
  readonly partition: string;
  /**
   * The service deployed: repository, cluster, service, task definition, roles; its `blueGreen`
   * (CodeDeploy) decides the deployment style.
   */
  readonly service: ServiceTierOutputs;
  /** Failed executions and builds, and approval requests, go to `topics.warning`. */
  readonly topics: AlertTopics;
}

/**
 * CodePipeline (V2) from GitHub to the environment's ECS service: Source (CodeStar connection,
 * or the legacy GitHub token), Build (CodeBuild: image tagged with the short commit hash, pushed
 * to ECR, deploy files written), optional manual Approval, Deploy (ECS rolling or CodeDeploy
 * blue/green, as the service is deployed). Artifacts in a KMS-encrypted bucket; least-privilege
 * roles (roles.ts); failures announced on the warning topic. Each step is a function creating its
 * resources in this construct (source.ts, build.ts, deploy.ts, notifications.ts), so their
 * Terraform addresses are those of one construct.
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
    const { naming, region, service, topics } = props;
    const codebuild = {
      image: props.buildImage ?? "aws/codebuild/standard:7.0",
      computeType: props.buildComputeType ?? "BUILD_GENERAL1_SMALL",
    };
    const buildTimeoutMinutes = props.buildTimeoutMinutes ?? 30;
    const manualApproval = props.manualApproval ?? false;

    // The appspec repeats the service's capacity providers; they must be known at synth.
    const capacityProviders = service.service.capacityProviderStrategyInput;
    if (service.blueGreen && capacityProviders !== undefined && !Array.isArray(capacityProviders))
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

    const { accountId: account, partition } = props;
    const arn = (awsService: string, resource: string) =>
      `arn:${partition}:${awsService}:${region}:${account}:${resource}`;
    const sourceAccount = { StringEquals: { "aws:SourceAccount": account } };

    // --- Roles (their permissions: roles.ts) and the key: artifacts, build output and logs. ---
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
      expirationDays: props.artifactExpirationDays,
      // S3 refuses to delete a non-empty bucket; the provider empties it (every version) first.
      forceDestroy: props.disposable ?? false,
    }).bucket;
    const bucketArn = this.artifactBucket.arn;

    // --- Source, build, deploy. -------------------------------------------------------------
    const source = sourceStep(this, {
      naming,
      repository: props.repository,
      branch: props.branch,
      source: props.source,
    });
    this.connectionArn = source.connectionArn;
    this.connection = source.connection;
    this.connectionStatusHint = source.connectionStatusHint;

    const build = buildStep(this, {
      naming,
      region,
      service,
      capacityProviders: Array.isArray(capacityProviders) ? capacityProviders : undefined,
      projectName,
      logGroupName,
      logRetentionDays: props.buildLogRetentionDays,
      role: this.buildRole,
      key,
      bucketArn,
      repository: props.repository,
      branch: props.branch,
      codebuild,
      timeoutMinutes: buildTimeoutMinutes,
    });
    this.buildLogGroup = build.logGroup;
    this.buildProject = build.project;

    this.deployProject = deployStep(this, {
      naming,
      region,
      service,
      projectName: deployProjectName,
      role: this.deployRole,
      keyArn,
      bucketArn,
      logGroup: this.buildLogGroup,
      arn,
      codebuild,
    });

    // --- The pipeline. ---------------------------------------------------------------------
    const pipelinePolicy = new IamRolePolicy(this, "PipelineRolePolicy", {
      name: "pipeline",
      role: this.pipelineRole.id,
      policy: policyDocument(
        pipelineRoleStatements({
          bucketArn,
          keyArn,
          projectArns: [this.buildProject.arn, this.deployProject.arn],
          connectionArn: this.connectionArn,
          approval: manualApproval
            ? { topicArn: topics.warning.arn, topicKeyArn: topics.warning.kmsMasterKeyIdInput, region }
            : undefined,
        }),
      ),
    });

    this.pipeline = new Codepipeline(this, "Resource", {
      name: pipelineName,
      pipelineType: "V2",
      roleArn: this.pipelineRole.arn,
      artifactStore: [{ type: "S3", location: this.artifactBucket.bucket, encryptionKey: { type: "KMS", id: keyArn } }],
      stage: pipelineStages({
        naming,
        service,
        source: source.action,
        buildProjectName: this.buildProject.name,
        deployProjectName: this.deployProject.name,
        approval: manualApproval
          ? { topicArn: topics.warning.arn, repository: props.repository, branch: props.branch }
          : undefined,
      }),
      trigger: this.connectionArn
        ? [
            {
              providerType: "CodeStarSourceConnection",
              gitConfiguration: { sourceActionName: "Source", push: [{ branches: { includes: [props.branch] } }] },
            },
          ]
        : undefined,
      dependsOn: [pipelinePolicy],
    });
    this.consoleUrl = `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${this.pipeline.name}/view`;

    if (source.githubToken)
      this.webhook = githubWebhook(this, { naming, pipelineName: this.pipeline.name, branch: props.branch });

    failureNotifications(this, {
      naming,
      region,
      pipelineName,
      pipeline: this.pipeline.name,
      buildProjectName: projectName,
      projects: [this.buildProject.name, this.deployProject.name],
      logGroupName,
      warningTopic: topics.warning,
    });
  }
}

/**
 * The stages: Source, Build, the optional manual Approval, Deploy. Rolling and blue/green alike,
 * the deploy step registers the build's taskdef.json (Terraform's revision with the new image)
 * and deploys it (see deployspec in buildspec.ts for why not the ECS or CodeDeployToECS actions).
 */
function pipelineStages(input: {
  naming: Naming;
  service: ServiceTierOutputs;
  source: CodepipelineStage["action"];
  buildProjectName: string;
  deployProjectName: string;
  /** @default - no approval stage */
  approval?: { topicArn: string; repository: string; branch: string };
}): CodepipelineStage[] {
  const stages: CodepipelineStage[] = [
    { name: "Source", action: input.source },
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
          configuration: { ProjectName: input.buildProjectName },
        },
      ],
    },
  ];
  const approval = input.approval;
  if (approval) {
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
            NotificationArn: approval.topicArn,
            CustomData: `Deploy ${input.service.containerName} image #{BuildVariables.IMAGE_TAG} (commit #{SourceVariables.CommitId} of ${approval.branch}) to ${input.naming.environment}?`,
            ExternalEntityLink: `https://github.com/${approval.repository}/commit/#{SourceVariables.CommitId}`,
          },
        },
      ],
    });
  }
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
        configuration: { ProjectName: input.deployProjectName },
      },
    ],
  });
  return stages;
}
