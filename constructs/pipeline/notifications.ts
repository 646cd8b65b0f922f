import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import type { Construct } from "constructs";

import type { Naming } from "../naming";

/** An EventBridge rule announcing a failure on the warning topic, with a readable message. */
interface FailureRule {
  readonly description: string;
  readonly pattern: object;
  readonly inputPaths: Record<string, string>;
  readonly template: string;
}

/**
 * Failed pipeline executions and failed or stopped builds (build and deploy projects), announced
 * on the warning topic by EventBridge rules in `scope` (ids `PipelineFailedRule`/`Target`,
 * `BuildFailedRule`/`Target`). The topic's policy must let events.amazonaws.com publish.
 */
export function failureNotifications(
  scope: Construct,
  props: {
    naming: Naming;
    region: string;
    pipelineName: string;
    /** The pipeline's name as a reference (the rule then depends on the pipeline). */
    pipeline: string;
    /** Name of the build project, for the rule's description. */
    buildProjectName: string;
    /** The build and deploy projects' names as references. */
    projects: readonly string[];
    /** The log group both projects write to. */
    logGroupName: string;
    warningTopic: SnsTopic;
  },
): void {
  const { naming, region } = props;
  const notify = (id: string, name: string, rule: FailureRule) => {
    const eventRule = new CloudwatchEventRule(scope, `${id}Rule`, {
      name,
      description: rule.description,
      eventPattern: JSON.stringify(rule.pattern),
    });
    new CloudwatchEventTarget(scope, `${id}Target`, {
      rule: eventRule.name,
      targetId: "warning-topic",
      arn: props.warningTopic.arn,
      inputTransformer: { inputPaths: rule.inputPaths, inputTemplate: rule.template },
    });
  };
  notify("PipelineFailed", naming.name(scope, "generic", "pipeline-failed"), {
    description: `${props.pipelineName}: execution failed`,
    pattern: {
      source: ["aws.codepipeline"],
      "detail-type": ["CodePipeline Pipeline Execution State Change"],
      detail: { pipeline: [props.pipeline], state: ["FAILED"] },
    },
    inputPaths: { pipeline: "$.detail.pipeline", execution: "$.detail.execution-id" },
    template: `"Pipeline <pipeline> failed (execution <execution>). https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/<pipeline>/executions/<execution>/timeline"`,
  });
  notify("BuildFailed", naming.name(scope, "generic", "build-failed"), {
    description: `${props.buildProjectName}: build failed`,
    pattern: {
      source: ["aws.codebuild"],
      "detail-type": ["CodeBuild Build State Change"],
      detail: { "project-name": [...props.projects], "build-status": ["FAILED", "STOPPED"] },
    },
    inputPaths: { project: "$.detail.project-name", status: "$.detail.build-status", build: "$.detail.build-id" },
    // Both projects write to the build's log group (logs_config), not to CodeBuild's default
    // /aws/codebuild/<project>: the message names the group the logs are in.
    template: `"CodeBuild project <project>: build <status> (<build>). Logs: ${props.logGroupName} in ${region}."`,
  });
}
