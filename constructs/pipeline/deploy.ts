import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { Construct } from "constructs";

import { DEPLOYED_TAG_PREFIX, type ServiceTierOutputs } from "../contracts";
import { policyDocument } from "../iam";
import type { Naming } from "../naming";
import { codebuildEnvironment, codebuildLogs, type CodebuildSettings } from "./build";
import { renderDeployspec } from "./buildspec";
import { type ArnOf, deployRoleStatements } from "./roles";

/** Minutes the deploy step waits for a rolling deployment, and beyond a blue/green one's own duration. */
export const DEPLOY_WAIT_MARGIN_MINUTES = 30;

/**
 * The deploy step, in `scope`: the deploy role's policy (id `DeployRolePolicy`) and a CodeBuild
 * project (`DeployProject`) that registers the build's revision (Terraform's task definition with
 * the new image) and deploys it: `ecs update-service` (rolling) or a CodeDeploy deployment
 * (blue/green), waiting for it to finish.
 */
export function deployStep(
  scope: Construct,
  props: {
    naming: Naming;
    region: string;
    service: ServiceTierOutputs;
    projectName: string;
    role: IamRole;
    keyArn: string;
    bucketArn: string;
    logGroup: CloudwatchLogGroup;
    arn: ArnOf;
    codebuild: CodebuildSettings;
  },
): CodebuildProject {
  const { naming, region, service, keyArn } = props;
  const blueGreen = service.blueGreen;
  const style = blueGreen ? "blue-green" : "rolling";
  // Blue/green waits for the whole deployment: linear steps, then the original tasks' wait.
  const waitMinutes = (blueGreen?.durationMinutes ?? 0) + DEPLOY_WAIT_MARGIN_MINUTES;
  const deployCommon = {
    repositoryName: service.repository.name,
    region,
    containerName: service.containerName,
    clusterName: service.cluster.name,
    serviceName: service.service.name,
    deployedTagPrefix: DEPLOYED_TAG_PREFIX,
    waitMinutes,
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
  const policy = new IamRolePolicy(scope, "DeployRolePolicy", {
    name: "deploy",
    role: props.role.id,
    policy: policyDocument(
      deployRoleStatements({
        arn: props.arn,
        service,
        bucketArn: props.bucketArn,
        keyArn,
        logGroupArn: props.logGroup.arn,
      }),
    ),
  });
  return new CodebuildProject(scope, "DeployProject", {
    name: props.projectName,
    description: `Deploys the build's revision of ${naming.prefix} (${style}): Terraform's task definition with the new image`,
    serviceRole: props.role.arn,
    encryptionKey: keyArn,
    buildTimeout: waitMinutes + 10,
    source: { type: "CODEPIPELINE", buildspec: deployspec },
    artifacts: { type: "CODEPIPELINE" },
    environment: codebuildEnvironment(props.codebuild, false),
    logsConfig: codebuildLogs(props.logGroup),
    dependsOn: [policy],
  });
}
