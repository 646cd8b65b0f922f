import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import {
  CodebuildProject,
  type CodebuildProjectEnvironment,
  type CodebuildProjectLogsConfig,
} from "@cdktf/provider-aws/lib/codebuild-project";
import type { EcsServiceCapacityProviderStrategy } from "@cdktf/provider-aws/lib/ecs-service";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { Construct } from "constructs";

import type { ServiceTierOutputs } from "../contracts";
import { policyDocument } from "../iam";
import type { CustomerManagedKey } from "../kms-key";
import type { Naming } from "../naming";
import { type AppspecNetworkConfiguration, renderBuildspec } from "./buildspec";
import { buildRoleStatements } from "./roles";

/** Artifact the Build stage hands to the deploy step. */
export const BUILD_OUTPUT = "BuildOutput";

/** What a CodeBuild project of the pipeline runs on. */
export interface CodebuildSettings {
  readonly image: string;
  readonly computeType: string;
}

/** The Linux container a project of the pipeline runs in; only the build needs Docker (privileged). */
export function codebuildEnvironment(settings: CodebuildSettings, privileged: boolean): CodebuildProjectEnvironment {
  return {
    type: "LINUX_CONTAINER",
    computeType: settings.computeType,
    image: settings.image,
    imagePullCredentialsType: "CODEBUILD",
    privilegedMode: privileged,
  };
}

/** Both projects log to the build's log group (encrypted with the pipeline key), never to S3. */
export function codebuildLogs(logGroup: CloudwatchLogGroup): CodebuildProjectLogsConfig {
  return {
    cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name },
    s3Logs: { status: "DISABLED" },
  };
}

/** The build step: its log group, the build role's policy and the project. */
export interface BuildStep {
  readonly logGroup: CloudwatchLogGroup;
  readonly project: CodebuildProject;
}

/**
 * The Build stage's CodeBuild project, in `scope`: the log group (id `BuildLogGroup`, shared with
 * the deploy step), the build role's policy (`BuildRolePolicy`) and the project (`BuildProject`)
 * running the generated buildspec: the image tagged with the short commit, pushed to ECR, and the
 * deploy files for the service's deployment style.
 */
export function buildStep(
  scope: Construct,
  props: {
    naming: Naming;
    region: string;
    service: ServiceTierOutputs;
    /** The service's literal capacity providers (blue/green appspecs repeat them). */
    capacityProviders?: readonly EcsServiceCapacityProviderStrategy[];
    projectName: string;
    logGroupName: string;
    logRetentionDays: number;
    role: IamRole;
    key: CustomerManagedKey;
    bucketArn: string;
    repository: string;
    branch: string;
    codebuild: CodebuildSettings;
    timeoutMinutes: number;
  },
): BuildStep {
  const { naming, region, service, key } = props;
  const style = service.blueGreen ? "blue-green" : "rolling";
  const logGroup = new CloudwatchLogGroup(scope, "BuildLogGroup", {
    name: props.logGroupName,
    retentionInDays: props.logRetentionDays,
    kmsKeyId: key.encryptLogGroup(props.logGroupName),
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
          capacityProviderStrategy: props.capacityProviders,
          networkConfiguration: appspecNetwork(service),
          platformVersion: service.service.platformVersionInput,
        }
      : { style, ...buildCommon },
  );

  const policy = new IamRolePolicy(scope, "BuildRolePolicy", {
    name: "build",
    role: props.role.id,
    policy: policyDocument(
      buildRoleStatements({
        repositoryArn: service.repository.arn,
        logGroupArn: logGroup.arn,
        bucketArn: props.bucketArn,
        keyArn: key.arn,
      }),
    ),
  });
  const project = new CodebuildProject(scope, "BuildProject", {
    name: props.projectName,
    description: `Builds ${props.repository}@${props.branch} into ${naming.prefix}'s ECR repository (${style})`,
    serviceRole: props.role.arn,
    encryptionKey: key.arn,
    buildTimeout: props.timeoutMinutes,
    source: { type: "CODEPIPELINE", buildspec },
    artifacts: { type: "CODEPIPELINE" },
    // docker build needs the Docker daemon: privileged.
    environment: codebuildEnvironment(props.codebuild, true),
    cache: { type: "LOCAL", modes: ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"] },
    logsConfig: codebuildLogs(logGroup),
    dependsOn: [policy],
  });
  return { logGroup, project };
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
