import type { ServiceTierOutputs } from "../contracts";
import type { PolicyStatement } from "../iam";
import type { KeyUseAction } from "../kms-key";
import { FIRST_DEPLOYMENT_CONFIG } from "./buildspec";

/**
 * The permissions of the pipeline's three roles as pure functions: the pipeline (artifacts, the
 * two CodeBuild projects, the source connection, the approval topic), the build (push to the one
 * repository, its logs, artifacts) and the deploy step. Nothing here creates a resource.
 */

/** `Allow` of `actions` on `resource`. */
const allow = (sid: string, actions: string[], resource: string): PolicyStatement => ({
  Sid: sid,
  Effect: "Allow",
  Action: actions,
  Resource: resource,
});
/** Objects of the artifact bucket (`actions` on `<bucket>/*`). */
const artifactObjects = (sid: string, actions: string[], bucketArn: string) => allow(sid, actions, `${bucketArn}/*`);
/** The artifact bucket itself: what S3 clients ask before they read or write its objects. */
const locateArtifactBucket = (actions: string[], bucketArn: string) =>
  allow("LocateArtifactBucket", actions, bucketArn);
/** Data keys of the pipeline key (artifacts and build output are encrypted with it). */
const usePipelineKey = (keyArn: string): PolicyStatement => ({
  Sid: "UsePipelineKey",
  Effect: "Allow",
  Action: KEY_USE_ACTIONS,
  Resource: keyArn,
});
/** Streams of a CodeBuild project's log group. */
const writeLogs = (sid: string, logGroupArn: string): PolicyStatement => ({
  Sid: sid,
  Effect: "Allow",
  Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
  Resource: [logGroupArn, `${logGroupArn}:*`],
});

/** An ARN in the pipeline's partition, region and account: `arn(service, resource)`. */
export type ArnOf = (awsService: string, resource: string) => string;

/**
 * The build's permissions: log in to ECR and push to the service's repository, write the build
 * logs, read and write artifacts under the pipeline key, and read Terraform's task definition.
 */
export function buildRoleStatements(input: {
  repositoryArn: string;
  logGroupArn: string;
  bucketArn: string;
  keyArn: string;
}): PolicyStatement[] {
  return [
    // GetAuthorizationToken has no resource type: it can only be granted on "*".
    { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    { Sid: "PushToRepository", Effect: "Allow", Action: ECR_PUSH_ACTIONS, Resource: input.repositoryArn },
    writeLogs("WriteBuildLogs", input.logGroupArn),
    artifactObjects("ReadWriteArtifacts", ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], input.bucketArn),
    locateArtifactBucket(["s3:GetBucketAcl", "s3:GetBucketLocation"], input.bucketArn),
    usePipelineKey(input.keyArn),
    // DescribeTaskDefinition has no resource type: it can only be granted on "*".
    { Sid: "ReadTerraformTaskDefinition", Effect: "Allow", Action: "ecs:DescribeTaskDefinition", Resource: "*" },
  ];
}

/**
 * The pipeline's permissions: artifacts under the pipeline key, starting the build and deploy
 * projects, the source connection (when there is one) and, with a manual approval, publishing the
 * request to the warning topic (through SNS with the topic's key when it is encrypted).
 */
export function pipelineRoleStatements(input: {
  bucketArn: string;
  keyArn: string;
  /** The build and deploy projects. */
  projectArns: readonly string[];
  /** @default - no connection: github-token source mode */
  connectionArn?: string;
  /** @default - no approval stage */
  approval?: { topicArn: string; topicKeyArn?: string; region: string };
}): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    artifactObjects(
      "ReadWriteArtifacts",
      ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl"],
      input.bucketArn,
    ),
    locateArtifactBucket(["s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"], input.bucketArn),
    usePipelineKey(input.keyArn),
    {
      Sid: "RunBuildAndDeploy",
      Effect: "Allow",
      Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
      Resource: [...input.projectArns],
    },
  ];
  const connectionArn = input.connectionArn;
  if (connectionArn)
    // Connections created since 2024 are `codeconnections`; older ones `codestar-connections`.
    statements.push(
      allow(
        "UseSourceConnection",
        ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
        connectionArn,
      ),
    );
  const approval = input.approval;
  if (!approval) return statements;
  statements.push({ Sid: "AnnounceApproval", Effect: "Allow", Action: "sns:Publish", Resource: approval.topicArn });
  // CodePipeline publishes the approval request as this role: an encrypted topic needs its key.
  if (approval.topicKeyArn)
    statements.push({
      ...allow("EncryptApprovalNotification", ["kms:GenerateDataKey", "kms:Decrypt"], approval.topicKeyArn),
      Condition: {
        StringEquals: {
          "kms:ViaService": `sns.${approval.region}.amazonaws.com`,
          "kms:EncryptionContext:aws:sns:topicArn": approval.topicArn,
        },
      },
    });
  return statements;
}

/**
 * The deploy step's permissions: read the build output, write its logs, tag the deployed image,
 * register the revision (passing the two task roles to ECS tasks only), update the one service,
 * and under blue/green create and watch deployments of the one deployment group.
 */
export function deployRoleStatements(input: {
  arn: ArnOf;
  service: ServiceTierOutputs;
  bucketArn: string;
  keyArn: string;
  logGroupArn: string;
}): PolicyStatement[] {
  const { arn, service } = input;
  const statements: PolicyStatement[] = [
    artifactObjects("ReadBuildOutput", ["s3:GetObject", "s3:GetObjectVersion"], input.bucketArn),
    locateArtifactBucket(["s3:GetBucketAcl", "s3:GetBucketLocation"], input.bucketArn),
    usePipelineKey(input.keyArn),
    writeLogs("WriteDeployLogs", input.logGroupArn),
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
export const KEY_USE_ACTIONS: KeyUseAction[] = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"];

/** Pushing to (and reading layers from) one ECR repository; DescribeImages detects re-runs. */
export const ECR_PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:CompleteLayerUpload",
  "ecr:DescribeImages",
  "ecr:GetDownloadUrlForLayer",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];
