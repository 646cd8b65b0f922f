import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";

import type { EnvironmentName } from "../config/environments";
import type { ConfigLayer } from "../config/types";
import type { AlertTopics } from "../constructs/contracts";
import { observabilityFixture, observabilityOver } from "./fixtures/observability";
import { fixtureStack } from "./fixtures/tiers";
import { type Json, resourcesOf } from "./helpers";

/** Topics, their key and policies, subscriptions, the error-log filter and deployment alarms. */

function build(env: EnvironmentName, layer: ConfigLayer, blueGreen = false) {
  return observabilityFixture(env, { layer, blueGreen });
}

// dev: no addresses; production (blue/green): one critical, three warning addresses.
const dev = build("dev", {});
const production = build(
  "production",
  {
    observability: {
      criticalEmails: ["oncall@example.com"],
      warningEmails: ["platform@example.com", "dev-lead@example.com", "Oncall@Example.com"],
    },
  },
  true,
);

const ACCOUNT = "${data.aws_caller_identity.account.account_id}";
const PARTITION = "${data.aws_partition.partition.partition}";

function keyPolicy(b: typeof dev): Json {
  const keys = Object.entries(resourcesOf(b.json, "aws_kms_key")).filter(([name]) => name.startsWith("observability_"));
  expect(keys).toHaveLength(1);
  return JSON.parse(keys[0][1].policy) as Json;
}

function topicPolicy(b: typeof dev, severity: "critical" | "warning"): Json {
  const arn = b.ref(b.observability[severity].arn);
  const policy = Object.values(resourcesOf(b.json, "aws_sns_topic_policy")).find((p) => p.arn === arn);
  return JSON.parse(policy!.policy) as Json;
}

describe("alert topics", () => {
  test("the construct satisfies AlertTopics with the critical and warning topics", () => {
    // GIVEN the construct WHEN used as AlertTopics THEN its topics are named <prefix>-critical/-warning
    const topics: AlertTopics = dev.observability;
    const names = Object.values(resourcesOf(dev.json, "aws_sns_topic")).map((t) => t.name);
    expect(names).toEqual(["farmers-module-dev-critical", "farmers-module-dev-warning"]);
    expect(dev.ref(topics.critical.name)).toBe("${aws_sns_topic.observability_Topics_Critical_0E99A44D.name}");
  });

  test("both topics are encrypted with the construct's customer-managed key", () => {
    const key = dev.ref(dev.observability.key.arn);
    for (const topic of Object.values(resourcesOf(dev.json, "aws_sns_topic")))
      expect(topic.kms_master_key_id).toBe(key);
    expect(dev.synthesized).toHaveResourceWithProperties(SnsTopic, {
      name: "farmers-module-dev-critical",
      kms_master_key_id: key,
    });
  });

  test("the key rotates and has an alias", () => {
    expect(dev.synthesized).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(dev.synthesized).toHaveResourceWithProperties(KmsAlias, {
      name: "alias/farmers-module-dev-alerts",
      target_key_id: dev.ref(dev.observability.key.keyId),
    });
  });

  test("the key policy lets the account administer the key without kms:* and without using it", () => {
    // GIVEN the key policy WHEN parsed THEN the root statement names its administrative actions only
    const policy = keyPolicy(dev);
    const root = policy.Statement[0];
    expect(root.Sid).toBe("KeyAdministration");
    expect(root.Principal).toEqual({ AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` });
    expect(root.Action).toEqual(expect.arrayContaining(["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]));
    expect(root.Action).not.toContain("kms:*");
    expect(root.Action).not.toContain("kms:Decrypt");
  });

  test("the key policy lets CloudWatch, EventBridge and CodeStar Notifications use the key for the two topics only", () => {
    const policy = keyPolicy(dev);
    expect(policy.Statement[1]).toEqual({
      Sid: "PublishersEncryptForAlertTopics",
      Effect: "Allow",
      Principal: {
        Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "codestar-notifications.amazonaws.com"],
      },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:EncryptionContext:aws:sns:topicArn": [
            `arn:${PARTITION}:sns:us-east-1:${ACCOUNT}:farmers-module-dev-critical`,
            `arn:${PARTITION}:sns:us-east-1:${ACCOUNT}:farmers-module-dev-warning`,
          ],
        },
      },
    });
  });

  test("the key policy lets this account's principals use the key only through SNS, for the two topics", () => {
    // GIVEN the key policy WHEN parsed THEN the third statement is limited by caller account, service and topic
    const statement = keyPolicy(dev).Statement[2];
    expect(statement).toEqual({
      Sid: "AccountPrincipalsPublishThroughSns",
      Effect: "Allow",
      // The account (IAM policies decide which principals), never "*".
      Principal: { AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": ACCOUNT,
          "kms:ViaService": ["sns.us-east-1.amazonaws.com"],
          "kms:EncryptionContext:aws:sns:topicArn":
            keyPolicy(dev).Statement[1].Condition.StringEquals["kms:EncryptionContext:aws:sns:topicArn"],
        },
      },
    });
    expect(keyPolicy(dev).Statement).toHaveLength(3);
  });

  test.each(["critical", "warning"] as const)(
    "the %s topic policy lets this account's alarms, EventBridge rules and CodeStar Notifications publish",
    (severity) => {
      // GIVEN the topic policy WHEN parsed THEN publishers are scoped to this account's sources
      const policy = topicPolicy(dev, severity);
      const topic = dev.ref(dev.observability[severity].arn);
      const bySid = Object.fromEntries((policy.Statement as Json[]).map((s) => [s.Sid, s]));
      expect(Object.keys(bySid)).toEqual([
        "AccountOwner",
        "PublishCloudWatchAlarms",
        "PublishEventBridgeRules",
        "PublishCodeStarNotifications",
      ]);
      expect(bySid.PublishCloudWatchAlarms).toEqual({
        Sid: "PublishCloudWatchAlarms",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topic,
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:${PARTITION}:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` },
        },
      });
      expect(bySid.PublishEventBridgeRules.Principal).toEqual({ Service: "events.amazonaws.com" });
      expect(bySid.PublishEventBridgeRules.Condition.ArnLike).toEqual({
        "aws:SourceArn": `arn:${PARTITION}:events:us-east-1:${ACCOUNT}:rule/*`,
      });
      expect([bySid.PublishCodeStarNotifications.Principal, bySid.PublishCodeStarNotifications.Action]).toEqual([
        { Service: "codestar-notifications.amazonaws.com" },
        "sns:Publish",
      ]);
      expect([bySid.AccountOwner.Principal, bySid.AccountOwner.Resource]).toEqual([
        { AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` },
        topic,
      ]);
    },
  );

  test("no e-mail addresses configured: no subscriptions", () => {
    expect(resourcesOf(dev.json, "aws_sns_topic_subscription")).toEqual({});
  });

  test("one critical and three warning addresses: one subscription each, on the right topic", () => {
    // GIVEN production with 1 + 3 addresses WHEN synthesized THEN four e-mail subscriptions
    const subs = Object.values(resourcesOf(production.json, "aws_sns_topic_subscription")).map((s) => [
      s.topic_arn,
      s.protocol,
      s.endpoint,
    ]);
    const critical = production.ref(production.observability.critical.arn);
    const warning = production.ref(production.observability.warning.arn);
    expect(subs).toHaveLength(4);
    expect(subs).toEqual(
      expect.arrayContaining([
        [critical, "email", "oncall@example.com"],
        [warning, "email", "platform@example.com"],
        [warning, "email", "dev-lead@example.com"],
        [warning, "email", "Oncall@Example.com"],
      ]),
    );
  });

  test("subscriptions are keyed by address, so removing one address leaves the others in place", () => {
    // GIVEN two stacks whose lists differ by the first address THEN the shared address has the same logical id
    const one = build("dev", { observability: { warningEmails: ["a@example.com", "b@example.com"] } });
    const two = build("dev", { observability: { warningEmails: ["b@example.com"] } });
    const idOf = (b: typeof dev, email: string) =>
      Object.entries(resourcesOf(b.json, "aws_sns_topic_subscription")).find(([, s]) => s.endpoint === email)![0];
    expect(idOf(two, "b@example.com")).toBe(idOf(one, "b@example.com"));
  });

  test("fails when an address is listed twice in one list", () => {
    const layer = { observability: { criticalEmails: ["ops@example.com", "OPS@example.com"] } };
    expect(() => observabilityOver(fixtureStack("dev"), "dev", { layer })).toThrow(
      'fixture-dev/observability/Topics: observability.criticalEmails lists "OPS@example.com" more than once (addresses compare case-insensitively); allowed: each address once',
    );
  });
});

describe("error log filter", () => {
  test("counts JSON lines with level error in the service's log group", () => {
    // GIVEN the service log group WHEN synthesized THEN a filter on it publishes 1 per error line, 0 otherwise
    expect(dev.synthesized).toHaveResourceWithProperties(CloudwatchLogMetricFilter, {
      name: "farmers-module-dev-error-lines",
      log_group_name: dev.ref(dev.service.logGroup.name),
      pattern: '{ $.level = "error" }',
      metric_transformation: {
        name: "ErrorLogLines",
        namespace: "farmers-module/dev",
        value: "1",
        default_value: "0",
        unit: "Count",
      },
    });
  });

  test("the threshold comes from observability.errorLogSpikeThreshold", () => {
    const { observability: o } = observabilityOver(fixtureStack("dev"), "dev", {
      layer: { observability: { errorLogSpikeThreshold: 200 } },
    });
    expect(o.definitions.find((d) => d.key === "error-log-spike")!.threshold).toBe(200);
  });
});

describe("deployment rollback", () => {
  test.each([
    ["rolling dev", dev, "dev"],
    ["blue/green production", production, "production"],
  ] as const)("%s: the 5xx-rate and unhealthy-targets alarms are handed to the service", (_name, b, env) => {
    // GIVEN the service tier WHEN observability is built THEN useDeploymentAlarms got both names
    const expected = [`farmers-module-${env}-5xx-rate`, `farmers-module-${env}-unhealthy-targets`];
    // Handed over as references to the alarms (so the service is created after them) ...
    const alarms = Object.entries(resourcesOf(b.json, "aws_cloudwatch_metric_alarm"));
    const refs = expected.map(
      (name) => `\${aws_cloudwatch_metric_alarm.${alarms.find(([, a]) => a.alarm_name === name)![0]}.alarm_name}`,
    );
    expect(b.ref(b.service.alarmNames)).toEqual(refs);
    // ... of the two alarms with these names.
    expect(alarms.map(([, a]) => a.alarm_name)).toEqual(expect.arrayContaining(expected));
  });
});

describe("inputs", () => {
  test("fails when the data tier's max_connections is not a whole number of at least 1", () => {
    expect(() => observabilityOver(fixtureStack("dev"), "dev", { data: { maxConnections: 0 } })).toThrow(
      "fixture-dev/observability: data.maxConnections is 0; allowed: a whole number of at least 1 known at synth (the connections alarm threshold is derived from it)",
    );
  });

  test("construct ids are a contract (Terraform addresses)", () => {
    // GIVEN the rolling dev stack with its dashboard THEN the observability tree keeps these ids
    const paths = build("dev", { observability: { dashboard: true } })
      .observability.node.findAll()
      .map((c) => c.node.path.replace("fixture-dev/observability", "."))
      .filter((p) => p !== ".");
    expect(paths).toEqual([
      "./Topics",
      "./Topics/Key",
      "./Topics/Key/Default",
      "./Topics/Key/Alias",
      "./Topics/Key/Alias/MovedFrom", // the moved block from Topics/KeyAlias, not a resource
      "./Topics/Critical",
      "./Topics/Critical/Resource",
      "./Topics/Critical/Policy",
      "./Topics/Warning",
      "./Topics/Warning/Resource",
      "./Topics/Warning/Policy",
      "./ErrorLogFilter",
      "./Alarms",
      "./Alarms/unhealthy-targets",
      "./Alarms/rds-cpu-high",
      "./Alarms/rds-free-storage-low",
      "./Alarms/tasks-below-desired",
      "./Alarms/5xx-rate",
      "./Alarms/4xx-rate",
      "./Alarms/rds-connections-high",
      "./Alarms/ecs-memory-high",
      "./Alarms/p99-latency-high",
      "./Alarms/error-log-spike",
      "./Dashboard",
      "./Dashboard/Resource",
    ]);
  });
});

describe("observability.dashboard", () => {
  test("false: no dashboard and no dashboard URL; the ten alarms stay", () => {
    // GIVEN dev's configuration (dashboard off) WHEN synthesized THEN no aws_cloudwatch_dashboard, alarms unchanged
    expect([Object.keys(resourcesOf(dev.json, "aws_cloudwatch_dashboard")), dev.observability.dashboardUrl]).toEqual([
      [],
      undefined,
    ]);
    expect(Object.keys(resourcesOf(dev.json, "aws_cloudwatch_metric_alarm"))).toHaveLength(10);
  });

  test("true (the default, production): one dashboard", () => {
    expect(Object.keys(resourcesOf(production.json, "aws_cloudwatch_dashboard"))).toHaveLength(1);
  });
});
