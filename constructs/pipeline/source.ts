import type { CodepipelineStage } from "@cdktf/provider-aws/lib/codepipeline";
import { CodepipelineWebhook } from "@cdktf/provider-aws/lib/codepipeline-webhook";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";

import type { Naming } from "../naming";

/** Name of the Terraform variable holding the GitHub token in `github-token` mode. */
export const GITHUB_TOKEN_VARIABLE = "github_oauth_token";

/** Artifact the Source stage hands to the build. */
export const SOURCE_OUTPUT = "SourceOutput";

/**
 * Where the pipeline gets the code: a CodeStar (CodeConnections) connection to GitHub, created
 * here (it starts PENDING until the one-time console handshake) or an existing one by ARN; or
 * the legacy GitHub (version 1) action with a personal access token.
 */
export type PipelineSource =
  | {
      readonly mode: "codestar-connection";
      /** An existing connection. @default - one created here, `<prefix>-github` */
      readonly connectionArn?: string;
    }
  | { readonly mode: "github-token" };

/** The Source stage's action and what it created. */
export interface SourceStep {
  readonly action: CodepipelineStage["action"];
  /** ARN of the connection; undefined in `github-token` mode. */
  readonly connectionArn?: string;
  /** The connection, when created here. */
  readonly connection?: CodestarconnectionsConnection;
  /** The token variable, in `github-token` mode (the webhook goes with it). */
  readonly githubToken?: TerraformVariable;
  /** What to look at for the connection's state, for outputs. */
  readonly connectionStatusHint: string;
}

/**
 * The Source action of `repository`@`branch`, creating in `scope` the connection (id `Connection`)
 * or, in `github-token` mode, the sensitive token variable (id `GitHubToken`).
 */
export function sourceStep(
  scope: Construct,
  props: { naming: Naming; repository: string; branch: string; source: PipelineSource },
): SourceStep {
  const { naming, repository, branch, source } = props;
  if (source.mode === "codestar-connection") {
    let connection: CodestarconnectionsConnection | undefined;
    let connectionArn: string;
    let connectionStatusHint: string;
    if (source.connectionArn) {
      connectionArn = source.connectionArn;
      connectionStatusHint = `managed outside this stack: aws codestar-connections get-connection --connection-arn ${connectionArn}`;
    } else {
      connection = new CodestarconnectionsConnection(scope, "Connection", {
        name: naming.name(scope, "codestarConnection", "github"),
        providerType: "GitHub",
      });
      connectionArn = connection.arn;
      connectionStatusHint = connection.connectionStatus;
    }
    const action: CodepipelineStage["action"] = [
      {
        name: "Source",
        category: "Source",
        owner: "AWS",
        provider: "CodeStarSourceConnection",
        version: "1",
        namespace: "SourceVariables",
        outputArtifacts: [SOURCE_OUTPUT],
        configuration: {
          ConnectionArn: connectionArn,
          FullRepositoryId: repository,
          BranchName: branch,
          OutputArtifactFormat: "CODE_ZIP",
        },
      },
    ];
    return { action, connectionArn, connection, connectionStatusHint };
  }
  // Legacy: the deprecated GitHub (version 1) action with a personal access token. The token
  // comes from a sensitive variable (TF_VAR_github_oauth_token), never from config or code.
  const githubToken = new TerraformVariable(scope, "GitHubToken", {
    type: "string",
    sensitive: true,
    nullable: false,
    description: `GitHub personal access token (repo, admin:repo_hook) for ${repository}; legacy github-token source mode only`,
  });
  githubToken.overrideLogicalId(GITHUB_TOKEN_VARIABLE);
  const [owner, repo] = repository.split("/");
  const action: CodepipelineStage["action"] = [
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
        Branch: branch,
        OAuthToken: githubToken.stringValue,
        PollForSourceChanges: "false",
      },
    },
  ];
  return {
    action,
    githubToken,
    connectionStatusHint: "not used: github-token source mode (legacy GitHub version 1 action)",
  };
}

/** Name of the Terraform variable holding the webhook's HMAC secret in `github-token` mode. */
export const GITHUB_WEBHOOK_SECRET_VARIABLE = "github_webhook_secret";

/**
 * The webhook GitHub calls on a push to `branch` (legacy `github-token` mode), in `scope`: the
 * sensitive HMAC secret variable (id `GitHubWebhookSecret`) and the webhook (`Webhook`).
 */
export function githubWebhook(
  scope: Construct,
  props: { naming: Naming; pipelineName: string; branch: string },
): CodepipelineWebhook {
  const secret = new TerraformVariable(scope, "GitHubWebhookSecret", {
    type: "string",
    sensitive: true,
    nullable: false,
    description: "HMAC secret shared by GitHub's webhook and the pipeline's; legacy github-token source mode only",
  });
  secret.overrideLogicalId(GITHUB_WEBHOOK_SECRET_VARIABLE);
  return new CodepipelineWebhook(scope, "Webhook", {
    name: props.naming.name(scope, "generic", "github-webhook"),
    authentication: "GITHUB_HMAC",
    authenticationConfiguration: { secretToken: secret.stringValue },
    targetPipeline: props.pipelineName,
    targetAction: "Source",
    filter: [{ jsonPath: "$.ref", matchEquals: `refs/heads/${props.branch}` }],
  });
}
