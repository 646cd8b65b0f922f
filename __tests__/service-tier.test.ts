import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Testing } from "cdktf";
import type {} from "cdktf/lib/testing/adapters/jest";

import type { EnvironmentName } from "../config/schema";
import type { ConfigLayer } from "../config/types";
import { SERVICE_SECRET_NAMES } from "../constructs/contracts";
import { checkStack, formatFinding } from "../constructs/guardrails/engine";
import { checkName } from "../constructs/naming";
import { CONTAINER_ENVIRONMENT_NAMES } from "../constructs/service/container";
import { ServiceRegistry } from "../constructs/service/registry";
import { ServiceScaling } from "../constructs/service/scaling";
import { ServiceTier, type ServiceTierProps } from "../constructs/service/service-tier";
import { serviceTierSettings } from "../stacks/environment-stack";
import { fakeDataTier, type FixtureStack, fixtureStack } from "./fixtures/tiers";
import { type Json, policyOf, ref, refsOf, resourceNamed, resourcesOf, testConfig } from "./helpers";

/**
 * The service tier synthesized three times, once per file: dev (rolling, ECS Exec on, tracing
 * off, Fargate Spot), production (blue/green, tracing on, exec off, test-listener CIDRs, a
 * Route 53 record) and staging switched to blue/green by configuration (certificate by ARN,
 * AAA on 443, no test-listener CIDRs).
 */

const CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
const ALARMS = ["farmers-module-x-alb-5xx-rate", "farmers-module-x-unhealthy-targets"];

interface Built {
  readonly fixture: FixtureStack;
  readonly tier: ServiceTier;
  readonly data: ReturnType<typeof fakeDataTier>;
  /** Before useDeploymentAlarms. */
  readonly json: Json;
  /** After useDeploymentAlarms(ALARMS). */
  readonly withAlarms: Json;
}

function props(
  fixture: FixtureStack,
  env: EnvironmentName,
  layer: ConfigLayer,
  data = fakeDataTier(fixture),
): ServiceTierProps {
  const c = testConfig(env, layer);
  return {
    naming: fixture.naming,
    network: fixture.network,
    logsKey: fixture.logsKey,
    data,
    ...serviceTierSettings(c),
  };
}

function build(env: EnvironmentName, layer: ConfigLayer = {}): Built {
  const fixture = fixtureStack(env, layer);
  const data = fakeDataTier(fixture);
  const tier = new ServiceTier(fixture.stack, "service", props(fixture, env, layer, data));
  const json = JSON.parse(Testing.synth(fixture.stack)) as Json;
  tier.useDeploymentAlarms(ALARMS);
  const withAlarms = JSON.parse(Testing.synth(fixture.stack)) as Json;
  return { fixture, tier, data, json, withAlarms };
}

const dev = build("dev");
const production = build("production", {
  service: { tracing: true, enableExecuteCommand: false },
  loadBalancer: {
    testListenerCidrs: ["203.0.113.0/24"],
    hostedZone: { zoneId: "Z0123456789ABCDEFGHIJ", recordName: "api.kisanlink.in" },
  },
});
const staging = build("staging", {
  deployment: { style: "blue-green" },
  loadBalancer: { certificate: { arn: CERT_ARN } },
});

const str = (json: Json) => JSON.stringify(json);
describe("names", () => {
  test("every production name is within AWS limits, target groups included", () => {
    // GIVEN the blue/green production stack
    const p = production.json;
    // THEN the names are the convention's, each within its limit
    expect(resourceNamed(p, "aws_lb", "service_LoadBalancer_").name).toBe("farmers-module-production-alb");
    // Target groups: a 6-character prefix (Terraform adds 26 of the 32) and the readable name as a tag
    expect(resourceNamed(p, "aws_lb_target_group", "service_LoadBalancer_TargetGroup")).toMatchObject({
      name_prefix: "fmpb-",
      tags: { Name: "farmers-module-production-blue" },
    });
    expect(resourceNamed(p, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup")).toMatchObject({
      name_prefix: "fmpg-",
      tags: { Name: "farmers-module-production-green" },
    });
    for (const tg of Object.values(resourcesOf(p, "aws_lb_target_group")))
      expect((tg.name_prefix as string).length + 26).toBeLessThanOrEqual(32);
    expect(resourceNamed(p, "aws_ecs_cluster", "service_Compute_Cluster").name).toBe(
      "farmers-module-production-cluster",
    );
    expect(resourceNamed(p, "aws_ecs_service", "service_Compute_Service").name).toBe(
      "farmers-module-production-service",
    );
    expect(resourceNamed(p, "aws_ecs_task_definition", "service_Compute_TaskDefinition").family).toBe(
      "farmers-module-production",
    );
    expect(resourceNamed(p, "aws_ecr_repository", "service_Registry").name).toBe("farmers-module-production");
    expect(resourceNamed(p, "aws_cloudwatch_log_group", "service_Compute_LogGroup").name).toBe(
      "/ecs/farmers-module-production",
    );
  });

  test("the reference's 34-character green target group name is rejected", () => {
    // GIVEN the name the reference used
    // WHEN it is checked as a target group name
    // THEN checkName refuses it with the length and the limit
    expect(() => checkName(production.tier, "targetGroup", "farmers-module-production-tg-green")).toThrow(
      'fixture-production/service: targetGroup name "farmers-module-production-tg-green" is 34 characters; AWS allows 1-32',
    );
  });

  test("the rolling target group is tagged -tg and can be replaced while a listener uses it", () => {
    // GIVEN dev  WHEN synthesized  THEN a prefix (no fixed name) and create_before_destroy
    const tg = resourceNamed(dev.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup");
    expect(tg.name).toBeUndefined();
    expect(tg).toMatchObject({
      name_prefix: "fmdt-",
      tags: { Name: "farmers-module-dev-tg" },
      lifecycle: { create_before_destroy: true },
    });
  });

  test("security groups the load balancer and tasks use have name prefixes and are replaced create-before-destroy", () => {
    const groups = ["LoadBalancer_SecurityGroup", "Compute_SecurityGroup"].map((f) =>
      resourceNamed(dev.json, "aws_security_group", `service_${f}`),
    );
    expect(groups.map((g) => [g.name, g.name_prefix, g.lifecycle])).toEqual([
      [undefined, "farmers-module-dev-alb-", { create_before_destroy: true }],
      [undefined, "farmers-module-dev-service-", { create_before_destroy: true }],
    ]);
  });

  test("construct IDs (Terraform addresses) are stable", () => {
    // Renaming an ID moves a resource to a new address: destroy and re-create.
    const addresses = Object.entries((dev.json.resource ?? {}) as Json)
      .flatMap(([type, byName]) => Object.keys(byName as Json).map((n) => `${type}.${n.replace(/_[0-9A-F]{8}$/, "")}`))
      .filter((a) => a.includes(".service_"))
      .sort();
    expect(addresses).toEqual([
      "aws_appautoscaling_policy.service_Scaling_Cpu",
      "aws_appautoscaling_policy.service_Scaling_Memory",
      "aws_appautoscaling_policy.service_Scaling_Requests",
      "aws_appautoscaling_target.service_Scaling_Target",
      "aws_cloudwatch_log_group.service_Compute_ExecLogGroup",
      "aws_cloudwatch_log_group.service_Compute_LogGroup",
      "aws_ecr_lifecycle_policy.service_Registry_LifecyclePolicy",
      "aws_ecr_repository.service_Registry",
      "aws_ecs_cluster.service_Compute_Cluster",
      "aws_ecs_cluster_capacity_providers.service_Compute_CapacityProviders",
      "aws_ecs_service.service_Compute_Service",
      "aws_ecs_task_definition.service_Compute_TaskDefinition",
      "aws_iam_role.service_Compute_ExecutionRole",
      "aws_iam_role.service_Compute_TaskRole",
      "aws_iam_role_policy.service_Compute_ExecutionRolePolicy",
      "aws_iam_role_policy.service_Compute_TaskRolePolicy",
      "aws_lb.service_LoadBalancer",
      "aws_lb_listener.service_LoadBalancer_HttpListener",
      "aws_lb_listener.service_LoadBalancer_HttpsListener",
      "aws_lb_target_group.service_LoadBalancer_TargetGroup",
      "aws_s3_bucket.service_LoadBalancer_AccessLogBucket",
      "aws_s3_bucket_lifecycle_configuration.service_LoadBalancer_AccessLogBucket_Lifecycle",
      "aws_s3_bucket_ownership_controls.service_LoadBalancer_AccessLogBucket_OwnershipControls",
      "aws_s3_bucket_policy.service_LoadBalancer_AccessLogBucket_Policy",
      "aws_s3_bucket_public_access_block.service_LoadBalancer_AccessLogBucket_PublicAccessBlock",
      "aws_s3_bucket_server_side_encryption_configuration.service_LoadBalancer_AccessLogBucket_Encryption",
      "aws_s3_bucket_versioning.service_LoadBalancer_AccessLogBucket_Versioning",
      "aws_security_group.service_Compute_SecurityGroup",
      "aws_security_group.service_LoadBalancer_SecurityGroup",
      "aws_vpc_security_group_egress_rule.service_Compute_EgressAaa",
      "aws_vpc_security_group_egress_rule.service_Compute_EgressDatabase",
      "aws_vpc_security_group_egress_rule.service_Compute_EgressHttps",
      "aws_vpc_security_group_egress_rule.service_LoadBalancerToService",
      "aws_vpc_security_group_ingress_rule.service_LoadBalancer_Ingress443",
      "aws_vpc_security_group_ingress_rule.service_LoadBalancer_Ingress80",
      "aws_vpc_security_group_ingress_rule.service_ServiceFromLoadBalancer",
    ]);
  });

  test("the tier passes every guardrail in rolling and blue/green stacks", () => {
    // Findings on the fixture's stand-in database are not the service tier's.
    const ours = (json: Json, productionRules: boolean) =>
      checkStack(json, { production: productionRules })
        .filter((f) => f.path.includes("/service/"))
        .map(formatFinding);
    expect(ours(dev.withAlarms, false)).toEqual([]);
    expect(ours(production.withAlarms, true)).toEqual([]);
    expect(ours(staging.withAlarms, false)).toEqual([]);
  });
});

describe("registry", () => {
  test("the repository has immutable tags, scan on push and KMS encryption", () => {
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(EcrRepository, {
      name: "farmers-module-dev",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS" }],
    });
  });

  test("the lifecycle policy belongs to the repository", () => {
    const policy = resourceNamed(dev.json, "aws_ecr_lifecycle_policy", "service_Registry_LifecyclePolicy");
    expect(policy.repository).toBe(ref(dev.json, "aws_ecr_repository", "service_Registry", "name"));
    // untagged, deployed-* (kept generously), then every other tag
    expect(
      JSON.parse(policy.policy as string).rules.map(
        (r: Json) => r.selection.tagPrefixList ?? r.selection.tagPatternList ?? r.selection.tagStatus,
      ),
    ).toEqual(["untagged", ["deployed-"], ["*"]]);
  });

  test("fails when keepDeployedImages is not a positive integer", () => {
    const f = fixtureStack("dev");
    expect(() => new ServiceRegistry(f.stack, "registry", { naming: f.naming, keepDeployedImages: 0 })).toThrow(
      "fixture-dev/registry: keepDeployedImages must be a positive integer; received 0",
    );
  });

  test("refuses deletion while holding images unless the environment is disposable", () => {
    // GIVEN dev (disposable) and production WHEN synthesized THEN only dev's repository is force-deleted
    const f = fixtureStack("dev");
    new ServiceRegistry(f.stack, "registry", { naming: f.naming, forceDelete: true });
    expect(
      resourceNamed(JSON.parse(Testing.synth(f.stack)) as Json, "aws_ecr_repository", "registry").force_delete,
    ).toBe(true);
    expect(resourceNamed(production.json, "aws_ecr_repository", "service_Registry").force_delete).toBe(false);
  });

  test("fails when keepTaggedImages is not a positive integer", () => {
    const f = fixtureStack("dev");
    expect(() => new ServiceRegistry(f.stack, "registry", { naming: f.naming, keepTaggedImages: 0 })).toThrow(
      "fixture-dev/registry: keepTaggedImages must be a positive integer; received 0",
    );
  });

  test("fails when untaggedExpiryDays is not a positive integer", () => {
    const f = fixtureStack("dev");
    expect(() => new ServiceRegistry(f.stack, "registry", { naming: f.naming, untaggedExpiryDays: 1.5 })).toThrow(
      "fixture-dev/registry: untaggedExpiryDays must be a positive integer; received 1.5",
    );
  });
});

describe("load balancer", () => {
  test("is internet-facing in the public subnets, drops invalid headers and logs to its bucket", () => {
    const lb = resourceNamed(dev.json, "aws_lb", "service_LoadBalancer_");
    expect(lb).toMatchObject({
      internal: false,
      load_balancer_type: "application",
      drop_invalid_header_fields: true,
      enable_deletion_protection: false,
      access_logs: {
        bucket: ref(dev.json, "aws_s3_bucket", "service_LoadBalancer_AccessLogBucket", "id"),
        prefix: "alb",
        enabled: true,
      },
      security_groups: [ref(dev.json, "aws_security_group", "service_LoadBalancer_SecurityGroup", "id")],
    });
    expect(lb.subnets).toEqual(refsOf(dev.json, "aws_subnet", "network_public-subnet-", "id"));
  });

  test("has deletion protection where config asks for it (production)", () => {
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(Lb, {
      name: "farmers-module-production-alb",
      enable_deletion_protection: true,
    });
  });

  test("serves HTTPS on 443 with the TLS 1.3 policy and a certificate looked up by domain", () => {
    const https = resourceNamed(dev.json, "aws_lb_listener", "service_LoadBalancer_HttpsListener");
    expect(https).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      default_action: [
        {
          type: "forward",
          target_group_arn: ref(dev.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "arn"),
        },
      ],
    });
    expect(https.certificate_arn).toMatch(
      /^\$\{data\.aws_acm_certificate\.service_LoadBalancer_Certificate_[0-9A-F]{8}\.arn\}$/,
    );
    expect(Testing.synth(dev.fixture.stack)).toHaveDataSourceWithProperties(DataAwsAcmCertificate, {
      domain: "farmers-dev.kisanlink.in",
      statuses: ["ISSUED"],
      most_recent: true,
    });
  });

  test("uses a configured certificate ARN as is, with no lookup", () => {
    expect(resourceNamed(staging.json, "aws_lb_listener", "service_LoadBalancer_HttpsListener").certificate_arn).toBe(
      CERT_ARN,
    );
    expect(staging.json.data?.aws_acm_certificate).toBeUndefined();
  });

  describe("a certificate the stack requests (certificate.create)", () => {
    const zone = { zoneId: "Z0123456789ABCDEFGHIJ", recordName: "api.kisanlink.in" };
    const created = build("production", {
      loadBalancer: { certificate: { domain: "api.kisanlink.in", create: true }, hostedZone: zone },
    });

    test("is requested with DNS validation, replaced before the old one goes", () => {
      expect(
        resourceNamed(created.json, "aws_acm_certificate", "service_LoadBalancer_ManagedCertificate"),
      ).toMatchObject({
        domain_name: "api.kisanlink.in",
        validation_method: "DNS",
        lifecycle: { create_before_destroy: true },
      });
      expect(created.json.data?.aws_acm_certificate).toBeUndefined();
    });

    test("writes one validation record per domain into the configured zone", () => {
      const record = resourceNamed(
        created.json,
        "aws_route53_record",
        "service_LoadBalancer_CertificateValidationRecord",
      );
      const certificate = ref(
        created.json,
        "aws_acm_certificate",
        "service_LoadBalancer_ManagedCertificate",
        "domain_validation_options",
      ).slice(2, -1);
      expect(record).toMatchObject({
        for_each: `\${{ for key, val in tolist(${certificate}): val.domain_name => val }}`,
        zone_id: zone.zoneId,
        name: "${each.value.resource_record_name}",
        type: "${each.value.resource_record_type}",
        records: ["${each.value.resource_record_value}"],
        allow_overwrite: true,
      });
    });

    test("serves HTTPS only once ACM has issued it", () => {
      const validation = resourceNamed(
        created.json,
        "aws_acm_certificate_validation",
        "service_LoadBalancer_CertificateValidation",
      );
      expect(validation.certificate_arn).toBe(
        ref(created.json, "aws_acm_certificate", "service_LoadBalancer_ManagedCertificate", "arn"),
      );
      expect(validation.validation_record_fqdns).toMatch(
        /aws_route53_record\.service_LoadBalancer_CertificateValidationRecord_[0-9A-F]{8}.*\.fqdn/,
      );
      expect(resourceNamed(created.json, "aws_lb_listener", "service_LoadBalancer_HttpsListener").certificate_arn).toBe(
        ref(
          created.json,
          "aws_acm_certificate_validation",
          "service_LoadBalancer_CertificateValidation",
          "certificate_arn",
        ),
      );
    });
  });

  test("redirects HTTP 80 to HTTPS with a 301", () => {
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
    });
  });

  test("sends to an ip target group on 8000 checked on /health", () => {
    expect(resourceNamed(dev.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup")).toMatchObject({
      target_type: "ip",
      port: 8000,
      protocol: "HTTP",
      deregistration_delay: "30",
      slow_start: 45,
      health_check: {
        enabled: true,
        path: "/health",
        interval: 30,
        timeout: 5,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
        matcher: "200",
      },
    });
  });

  test("logs to an encrypted, private, versioned bucket that expires logs", () => {
    const synth = Testing.synth(dev.fixture.stack);
    expect(synth).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    expect(synth).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(synth).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
    expect(synth).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: "Enabled" },
    });
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [expect.objectContaining({ status: "Enabled", expiration: [{ days: 90 }] })],
    });
  });

  test("names the bucket with the account id so it is globally unique", () => {
    expect(resourceNamed(dev.json, "aws_s3_bucket", "service_LoadBalancer_AccessLogBucket").bucket).toMatch(
      /^farmers-module-dev-alb-logs-\$\{data\.aws_caller_identity\.service_Account_[0-9A-F]{8}\.account_id\}$/,
    );
  });

  test("the bucket policy lets the ELB account write logs and denies plain HTTP", () => {
    const policy = JSON.parse(
      resourceNamed(dev.json, "aws_s3_bucket_policy", "service_LoadBalancer_AccessLogBucket_Policy").policy as string,
    ) as { Statement: Json[] };
    const bucketArn = ref(dev.json, "aws_s3_bucket", "service_LoadBalancer_AccessLogBucket", "arn");
    expect(policy.Statement).toEqual([
      {
        Sid: "AllowElbLogDelivery",
        Effect: "Allow",
        Principal: {
          AWS: expect.stringMatching(
            /^\$\{data\.aws_elb_service_account\.service_LoadBalancer_ElbServiceAccount_[0-9A-F]{8}\.arn\}$/,
          ),
        },
        Action: "s3:PutObject",
        Resource: expect.stringMatching(
          new RegExp(
            `^${escape(bucketArn)}/alb/AWSLogs/\\$\\{data\\.aws_caller_identity\\.service_Account_[0-9A-F]{8}\\.account_id\\}/\\*$`,
          ),
        ),
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("adds a Route 53 alias to the ALB only when a hosted zone is configured", () => {
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(Route53Record, {
      zone_id: "Z0123456789ABCDEFGHIJ",
      name: "api.kisanlink.in",
      type: "A",
      alias: {
        name: ref(production.json, "aws_lb", "service_LoadBalancer_", "dns_name"),
        zone_id: ref(production.json, "aws_lb", "service_LoadBalancer_", "zone_id"),
        evaluate_target_health: true,
      },
    });
    expect(Testing.synth(dev.fixture.stack)).not.toHaveResource(Route53Record);
    expect(production.tier.url).toBe("https://api.kisanlink.in");
  });
});

describe("security groups", () => {
  const rules = (json: Json, type: string, sg: string) =>
    Object.values(resourcesOf(json, type))
      .filter((r) => r.security_group_id === ref(json, "aws_security_group", `service_${sg}`, "id"))
      .map((r) => ({ port: r.from_port, to: r.to_port, cidr: r.cidr_ipv4, group: r.referenced_security_group_id }))
      .sort((a, b) => a.port - b.port);
  const albSg = (json: Json) => ref(json, "aws_security_group", "service_LoadBalancer_SecurityGroup", "id");
  const serviceSg = (json: Json) => ref(json, "aws_security_group", "service_Compute_SecurityGroup", "id");

  test("the load balancer admits 80 and 443 from anywhere", () => {
    expect(rules(dev.json, "aws_vpc_security_group_ingress_rule", "LoadBalancer_SecurityGroup")).toEqual([
      { port: 80, to: 80, cidr: "0.0.0.0/0", group: undefined },
      { port: 443, to: 443, cidr: "0.0.0.0/0", group: undefined },
    ]);
  });

  test("the load balancer sends only to the service's group on the container port", () => {
    expect(rules(dev.json, "aws_vpc_security_group_egress_rule", "LoadBalancer_SecurityGroup")).toEqual([
      { port: 8000, to: 8000, cidr: undefined, group: serviceSg(dev.json) },
    ]);
  });

  test("the service admits only the load balancer, on the container port", () => {
    expect(rules(dev.json, "aws_vpc_security_group_ingress_rule", "Compute_SecurityGroup")).toEqual([
      { port: 8000, to: 8000, cidr: undefined, group: albSg(dev.json) },
    ]);
  });

  test("the service sends only HTTPS, PostgreSQL to the database and the AAA port", () => {
    // GIVEN dev, whose AAA endpoint is aaa-service-dev.internal:50052 with no AAA network configured
    expect(rules(dev.json, "aws_vpc_security_group_egress_rule", "Compute_SecurityGroup")).toEqual([
      { port: 443, to: 443, cidr: "0.0.0.0/0", group: undefined },
      { port: 5432, to: 5432, cidr: undefined, group: "${aws_security_group.fake-db-sg.id}" },
      { port: 50052, to: 50052, cidr: "0.0.0.0/0", group: undefined },
    ]);
  });

  test("AAA on 443 (staging) adds no rule of its own", () => {
    expect(
      rules(staging.json, "aws_vpc_security_group_egress_rule", "Compute_SecurityGroup").map((r) => r.port),
    ).toEqual([443, 5432]);
  });

  test("security groups declare no inline rules (the separate rules would fight them)", () => {
    for (const sg of [
      resourceNamed(dev.json, "aws_security_group", "service_Compute_SecurityGroup"),
      resourceNamed(dev.json, "aws_security_group", "service_LoadBalancer_SecurityGroup"),
    ]) {
      expect(sg.ingress).toBeUndefined();
      expect(sg.egress).toBeUndefined();
    }
  });

  test("the database admits the service's group", () => {
    const dbIngress = Object.values(resourcesOf(dev.json, "aws_vpc_security_group_ingress_rule")).filter(
      (r) => r.security_group_id === "${aws_security_group.fake-db-sg.id}",
    );
    expect(dbIngress.map((r) => [r.from_port, r.referenced_security_group_id])).toEqual([[5432, serviceSg(dev.json)]]);
  });
});

describe("compute", () => {
  test("the cluster has Container Insights (production)", () => {
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(EcsCluster, {
      name: "farmers-module-production-cluster",
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
  });

  test("Container Insights is disabled where service.containerInsights is false (dev)", () => {
    // GIVEN dev's configuration WHEN synthesized THEN the cluster setting says disabled
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(EcsCluster, {
      name: "farmers-module-dev-cluster",
      setting: [{ name: "containerInsights", value: "disabled" }],
    });
  });

  test("FARGATE (base 1) always, FARGATE_SPOT in the strategy only where config allows it", () => {
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(EcsClusterCapacityProviders, {
      capacity_providers: ["FARGATE", "FARGATE_SPOT"],
      default_capacity_provider_strategy: [
        { capacity_provider: "FARGATE", base: 1, weight: 1 },
        { capacity_provider: "FARGATE_SPOT", weight: 1 },
      ],
    });
    expect(
      resourceNamed(production.json, "aws_ecs_service", "service_Compute_Service").capacity_provider_strategy,
    ).toEqual([{ capacity_provider: "FARGATE", base: 1, weight: 1 }]);
  });

  test("the log group keeps the environment's retention", () => {
    expect(Testing.synth(dev.fixture.stack)).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/ecs/farmers-module-dev",
      retention_in_days: 7,
    });
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/ecs/farmers-module-production",
      retention_in_days: 30,
    });
  });

  test("the task definition is Fargate awsvpc with the environment's CPU and memory", () => {
    expect(resourceNamed(dev.json, "aws_ecs_task_definition", "service_Compute_TaskDefinition")).toMatchObject({
      requires_compatibilities: ["FARGATE"],
      network_mode: "awsvpc",
      cpu: "256",
      memory: "512",
      execution_role_arn: ref(dev.json, "aws_iam_role", "service_Compute_ExecutionRole", "arn"),
      task_role_arn: ref(dev.json, "aws_iam_role", "service_Compute_TaskRole", "arn"),
    });
    expect(resourceNamed(production.json, "aws_ecs_task_definition", "service_Compute_TaskDefinition")).toMatchObject({
      cpu: "512",
      memory: "1024",
      volume: [{ name: "tmp" }],
    });
  });

  test("the synthesized container carries the whole contract, wired to the data tier", () => {
    // GIVEN dev's synthesized task definition
    const [container] = JSON.parse(
      resourceNamed(dev.json, "aws_ecs_task_definition", "service_Compute_TaskDefinition")
        .container_definitions as string,
    ) as Json[];
    const env = Object.fromEntries(
      (container.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]),
    );
    // THEN every contract variable is present, the DB host is the instance's address and the image is the repository's
    expect(Object.keys(env)).toEqual([...CONTAINER_ENVIRONMENT_NAMES]);
    expect(env.DB_POSTGRES_HOST).toBe("${aws_db_instance.fake-db.address}");
    expect(env).toMatchObject({
      ENVIRONMENT: "dev",
      DB_POSTGRES_DBNAME: "farmers_dev",
      DB_POSTGRES_MAX_CONNS: "20",
      AAA_GRPC_ADDR: "aaa-service-dev.internal:50052",
      LOG_LEVEL: "info",
      ENABLE_TRACING: "false",
    });
    expect(container.secrets).toEqual(
      ["DB_POSTGRES_PASSWORD", "AAA_API_KEY", "JWT_SECRET", "SECRET_KEY", "AAA_DEFAULT_PASSWORD"].map((name, i) => ({
        name,
        valueFrom: dev.data.secretArns[SERVICE_SECRET_NAMES[i]],
      })),
    );
    expect(container.image).toBe(
      `${ref(dev.json, "aws_ecr_repository", "service_Registry", "repository_url")}:bootstrap`,
    );
    expect(container.logConfiguration.options["awslogs-group"]).toBe(
      ref(dev.json, "aws_cloudwatch_log_group", "service_Compute_LogGroup", "name"),
    );
  });

  test("the service runs in the private subnets without public IPs, behind the target group (NAT egress)", () => {
    const dev = build("dev", { network: { natGateways: "single" } });
    const service = resourceNamed(dev.json, "aws_ecs_service", "service_Compute_Service");
    expect(service).toMatchObject({
      name: "farmers-module-dev-service",
      cluster: ref(dev.json, "aws_ecs_cluster", "service_Compute_Cluster", "arn"),
      desired_count: 1,
      network_configuration: {
        assign_public_ip: false,
        security_groups: [ref(dev.json, "aws_security_group", "service_Compute_SecurityGroup", "id")],
      },
      load_balancer: [
        {
          container_name: "farmers-module",
          container_port: 8000,
          target_group_arn: ref(dev.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "arn"),
        },
      ],
      health_check_grace_period_seconds: 45,
      deployment_maximum_percent: 200,
      deployment_minimum_healthy_percent: 100,
      propagate_tags: "SERVICE",
      enable_ecs_managed_tags: true,
      enable_execute_command: true,
    });
    expect(service.network_configuration.subnets).toEqual(
      refsOf(dev.json, "aws_subnet", "network_private-subnet-", "id"),
    );
    expect(resourceNamed(production.json, "aws_ecs_service", "service_Compute_Service")).toMatchObject({
      desired_count: 2,
      enable_execute_command: false,
    });
  });

  test("with natGateways none the service runs in the public subnets with a public IP on each task", () => {
    // GIVEN dev's configuration (no NAT gateway) WHEN synthesized THEN public subnets and assign_public_ip
    const service = resourceNamed(dev.json, "aws_ecs_service", "service_Compute_Service");
    expect(service.network_configuration.assign_public_ip).toBe(true);
    expect(service.network_configuration.subnets).toEqual(
      refsOf(dev.json, "aws_subnet", "network_public-subnet-", "id"),
    );
  });

  test("rolling: ECS controller with the circuit breaker; Terraform ignores the task definition and desired count", () => {
    expect(resourceNamed(dev.json, "aws_ecs_service", "service_Compute_Service")).toMatchObject({
      deployment_controller: { type: "ECS" },
      deployment_circuit_breaker: { enable: true, rollback: true },
      lifecycle: { ignore_changes: ["task_definition", "desired_count"] },
    });
  });

  test("blue/green: CODE_DEPLOY controller; Terraform ignores every attribute UpdateService refuses on it", () => {
    // GIVEN production (blue/green)  WHEN synthesized
    const service = resourceNamed(production.json, "aws_ecs_service", "service_Compute_Service");
    // THEN a later change of the task security group, subnets, platform or ECS Exec never reaches UpdateService
    expect(service).toMatchObject({
      deployment_controller: { type: "CODE_DEPLOY" },
      lifecycle: {
        ignore_changes: [
          "task_definition",
          "load_balancer",
          "capacity_provider_strategy",
          "network_configuration",
          "platform_version",
          "enable_execute_command",
          "desired_count",
        ],
      },
    });
    expect(service.deployment_circuit_breaker).toBeUndefined();
  });
});

describe("ECS Exec", () => {
  test("the cluster logs every session to the encrypted Exec log group and encrypts the session with the logs key", () => {
    // GIVEN any environment WHEN synthesized THEN execute_command_configuration is OVERRIDE with CloudWatch encryption
    for (const built of [dev, production]) {
      expect(resourceNamed(built.json, "aws_ecs_cluster", "service_Compute_Cluster").configuration).toEqual({
        execute_command_configuration: {
          kms_key_id: "${aws_kms_key.logs-key.arn}",
          logging: "OVERRIDE",
          log_configuration: {
            cloud_watch_log_group_name: ref(
              built.json,
              "aws_cloudwatch_log_group",
              "service_Compute_ExecLogGroup",
              "name",
            ),
            cloud_watch_encryption_enabled: true,
          },
        },
      });
    }
  });

  test("the Exec log group is /ecs/<prefix>/exec with the environment's retention and the logs key", () => {
    expect(resourceNamed(dev.json, "aws_cloudwatch_log_group", "service_Compute_ExecLogGroup")).toMatchObject({
      name: "/ecs/farmers-module-dev/exec",
      retention_in_days: 7,
      kms_key_id: "${aws_kms_key.logs-key.arn}",
    });
  });

  test("the logs key lets account principals (through IAM) use it for Exec sessions only where Exec is on", () => {
    const statement = (json: Json) =>
      (JSON.parse(resourceNamed(json, "aws_kms_key", "logs-key").policy as string).Statement as Json[]).find(
        (s) => s.Sid === "EcsExecSessions",
      );
    expect(statement(dev.json)).toEqual({
      Sid: "EcsExecSessions",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } },
    });
    expect(statement(production.json)).toBeUndefined();
  });
});

describe("IAM", () => {
  const wildcardActions = (json: Json) =>
    Object.values(resourcesOf(json, "aws_iam_role_policy"))
      .flatMap((p) => (JSON.parse(p.policy as string) as { Statement: Json[] }).Statement)
      .flatMap((s) => [s.Action].flat() as string[])
      .filter((a) => a === "*" || a.endsWith(":*"));

  test("the execution role pulls from this repository, logs to this group and reads exactly the five secrets", () => {
    const { Statement } = policyOf(dev.json, "service_Compute_ExecutionRolePolicy");
    const logGroup = ref(dev.json, "aws_cloudwatch_log_group", "service_Compute_LogGroup", "arn");
    expect(Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["EcrAuthorization", "ecr:GetAuthorizationToken", "*"],
      [
        "EcrPull",
        ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        ref(dev.json, "aws_ecr_repository", "service_Registry", "arn"),
      ],
      ["Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [logGroup, `${logGroup}:log-stream:*`]],
      ["Secrets", "secretsmanager:GetSecretValue", SERVICE_SECRET_NAMES.map((n) => dev.data.secretArns[n])],
      ["DecryptSecrets", "kms:Decrypt", "${aws_kms_key.fake-data-key.arn}"],
    ]);
  });

  test("roles trust ECS tasks of this account only", () => {
    const trust = JSON.parse(
      resourceNamed(dev.json, "aws_iam_role", "service_Compute_ExecutionRole").assume_role_policy as string,
    ) as {
      Statement: Json[];
    };
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Condition: {
          StringEquals: {
            "aws:SourceAccount": expect.stringMatching(/^\$\{data\.aws_caller_identity\..*\.account_id\}$/),
          },
        },
      },
    ]);
  });

  test("with exec on and tracing off the task role has the SSM channel, the Exec log group and the session key only", () => {
    const execGroup = ref(dev.json, "aws_cloudwatch_log_group", "service_Compute_ExecLogGroup", "arn");
    expect(policyOf(dev.json, "service_Compute_TaskRolePolicy").Statement).toEqual([
      {
        Sid: "EcsExec",
        Effect: "Allow",
        Action: [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: "*",
      },
      { Sid: "EcsExecFindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
      {
        Sid: "EcsExecLogSessions",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        Resource: [execGroup, `${execGroup}:*`],
      },
      {
        Sid: "EcsExecSessionKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "${aws_kms_key.logs-key.arn}",
      },
    ]);
  });

  test("with tracing on and exec off the task role has only the X-Ray writes", () => {
    expect(policyOf(production.json, "service_Compute_TaskRolePolicy").Statement).toEqual([
      {
        Sid: "XRayWrite",
        Effect: "Allow",
        Action: [
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "xray:GetSamplingStatisticSummaries",
        ],
        Resource: "*",
      },
    ]);
  });

  test("no policy of the tier has a wildcard action", () => {
    expect([...wildcardActions(dev.json), ...wildcardActions(production.json)]).toEqual([]);
  });
});

describe("tracing", () => {
  const containers = (json: Json) =>
    JSON.parse(
      resourceNamed(json, "aws_ecs_task_definition", "service_Compute_TaskDefinition").container_definitions as string,
    ) as Json[];

  test("on: a collector sidecar, ENABLE_TRACING=true and the OTLP endpoint", () => {
    const [app, collector] = containers(production.json);
    expect(collector.name).toBe("aws-otel-collector");
    expect(app.environment).toEqual(
      expect.arrayContaining([
        { name: "ENABLE_TRACING", value: "true" },
        { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "localhost:4317" },
      ]),
    );
  });

  test("off: no collector, ENABLE_TRACING=false, no endpoint, no X-Ray permission", () => {
    const list = containers(dev.json);
    expect(list.map((c) => c.name)).toEqual(["farmers-module"]);
    expect(list[0].environment).toContainEqual({ name: "ENABLE_TRACING", value: "false" });
    expect(str(list[0].environment)).not.toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
    expect(str(resourcesOf(dev.json, "aws_iam_role_policy"))).not.toContain("xray:");
  });
});

describe("scaling", () => {
  const policies = (json: Json) =>
    Object.values(resourcesOf(json, "aws_appautoscaling_policy")).map((p) => {
      const c = p.target_tracking_scaling_policy_configuration;
      return [
        p.name,
        c.predefined_metric_specification.predefined_metric_type,
        c.target_value,
        c.scale_in_cooldown,
        c.scale_out_cooldown,
      ];
    });

  test("targets the service's desired count between the environment's min and max", () => {
    expect(resourceNamed(production.json, "aws_appautoscaling_target", "service_Scaling_Target")).toMatchObject({
      service_namespace: "ecs",
      scalable_dimension: "ecs:service:DesiredCount",
      min_capacity: 2,
      max_capacity: 10,
      resource_id: `service/${ref(production.json, "aws_ecs_cluster", "service_Compute_Cluster", "name")}/${ref(production.json, "aws_ecs_service", "service_Compute_Service", "name")}`,
    });
  });

  test("tracks CPU 60 %, memory 70 % and 1000 requests per target, in 300 s / out 60 s", () => {
    expect(policies(dev.json)).toEqual([
      ["farmers-module-dev-cpu", "ECSServiceAverageCPUUtilization", 60, 300, 60],
      ["farmers-module-dev-memory", "ECSServiceAverageMemoryUtilization", 70, 300, 60],
      ["farmers-module-dev-requests", "ALBRequestCountPerTarget", 1000, 300, 60],
    ]);
  });

  test("labels the request metric with the ALB and target group", () => {
    const lb = ref(dev.json, "aws_lb", "service_LoadBalancer_", "arn_suffix");
    const tg = ref(dev.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "arn_suffix");
    expect(
      resourceNamed(dev.json, "aws_appautoscaling_policy", "service_Scaling_Requests")
        .target_tracking_scaling_policy_configuration.predefined_metric_specification.resource_label,
    ).toBe(`${lb}/${tg}`);
  });

  test("under blue/green: CPU 60 %, memory 70 % and one request policy on a customized metric, no predefined ALBRequestCountPerTarget", () => {
    // GIVEN production (blue/green)  WHEN synthesized
    const all = Object.values(resourcesOf(production.json, "aws_appautoscaling_policy"));
    const config = (p: Json) => p.target_tracking_scaling_policy_configuration;
    // THEN three policies; the request policy names no predefined metric (AWS does not support it with CodeDeploy blue/green)
    expect(
      all.map((p) => [
        p.name,
        config(p).predefined_metric_specification?.predefined_metric_type ?? "customized",
        config(p).target_value,
      ]),
    ).toEqual([
      ["farmers-module-production-cpu", "ECSServiceAverageCPUUtilization", 60],
      ["farmers-module-production-memory", "ECSServiceAverageMemoryUtilization", 70],
      ["farmers-module-production-requests", "customized", 1000],
    ]);
  });

  test("under blue/green the request metric is requests per healthy task per minute over both target groups", () => {
    // GIVEN production  WHEN the request policy's metric-math query is read
    const metrics = resourceNamed(production.json, "aws_appautoscaling_policy", "service_Scaling_Requests")
      .target_tracking_scaling_policy_configuration.customized_metric_specification.metrics as Json[];
    const lb = ref(production.json, "aws_lb", "service_LoadBalancer_", "arn_suffix");
    const blue = ref(production.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "arn_suffix");
    const green = ref(production.json, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup", "arn_suffix");
    const stat = (id: string) => metrics.find((m) => m.id === id)!.metric_stat;
    const dims = (id: string) => stat(id).metric.dimensions.map((d: Json) => `${d.name}=${d.value}`);
    // THEN RequestCount (Sum) and HealthyHostCount (Average) of blue and green feed one returned expression
    expect(
      metrics.map((m) => [m.id, m.metric_stat?.metric.metric_name ?? m.expression, m.metric_stat?.stat, m.return_data]),
    ).toEqual([
      ["requests_0", "RequestCount", "Sum", false],
      ["requests_1", "RequestCount", "Sum", false],
      ["healthy_0", "HealthyHostCount", "Average", false],
      ["healthy_1", "HealthyHostCount", "Average", false],
      [
        "requests_per_task",
        "(FILL(requests_0, 0) + FILL(requests_1, 0)) / (FILL(healthy_0, 0) + FILL(healthy_1, 0))",
        undefined,
        true,
      ],
    ]);
    expect([dims("requests_0"), dims("requests_1"), dims("healthy_1")]).toEqual([
      [`LoadBalancer=${lb}`, `TargetGroup=${blue}`],
      [`LoadBalancer=${lb}`, `TargetGroup=${green}`],
      [`LoadBalancer=${lb}`, `TargetGroup=${green}`],
    ]);
  });

  test("under blue/green every policy scales in as well as out (the combined metric always has data)", () => {
    const disable = (fragment: string) =>
      resourceNamed(production.json, "aws_appautoscaling_policy", `service_${fragment}`)
        .target_tracking_scaling_policy_configuration.disable_scale_in;
    expect([disable("Scaling_Requests"), disable("Scaling_Cpu"), disable("Scaling_Memory")]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test("with one target group the request policy scales in too", () => {
    expect(
      resourceNamed(dev.json, "aws_appautoscaling_policy", "service_Scaling_Requests")
        .target_tracking_scaling_policy_configuration.disable_scale_in,
    ).toBeUndefined();
  });

  test("fails when minCount exceeds maxCount", () => {
    const f = fixtureStack("dev");
    const t = new ServiceTier(f.stack, "service", props(f, "dev", {}));
    expect(
      () =>
        new ServiceScaling(f.stack, "scaling", {
          naming: f.naming,
          cluster: t.cluster,
          service: t.service,
          minCount: 3,
          maxCount: 2,
          loadBalancer: t.loadBalancer,
          targetGroup: t.targetGroup,
        }),
    ).toThrow("fixture-dev/scaling: minCount (3) must not exceed maxCount (2)");
  });

  test("fails when a utilisation target is outside 0-100 %", () => {
    const f = fixtureStack("dev");
    const t = new ServiceTier(f.stack, "service", props(f, "dev", {}));
    expect(
      () =>
        new ServiceScaling(f.stack, "scaling", {
          naming: f.naming,
          cluster: t.cluster,
          service: t.service,
          minCount: 1,
          maxCount: 2,
          loadBalancer: t.loadBalancer,
          targetGroup: t.targetGroup,
          cpuTargetPercent: 120,
        }),
    ).toThrow("fixture-dev/scaling: cpuTargetPercent must be above 0 and at most 100; received 120");
  });
});

describe("deployments", () => {
  test("rolling has no CodeDeploy resources and no blueGreen outputs", () => {
    expect(dev.json.resource.aws_codedeploy_deployment_group).toBeUndefined();
    expect(dev.tier.blueGreen).toBeUndefined();
  });

  test("blue/green adds a green target group and an HTTPS test listener on 8443", () => {
    const test = resourceNamed(production.json, "aws_lb_listener", "service_LoadBalancer_TestListener");
    expect(test).toMatchObject({
      port: 8443,
      protocol: "HTTPS",
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      default_action: [
        {
          type: "forward",
          target_group_arn: ref(production.json, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup", "arn"),
        },
      ],
      lifecycle: { ignore_changes: ["default_action"] },
    });
    expect(resourceNamed(production.json, "aws_lb_listener", "service_LoadBalancer_HttpsListener").lifecycle).toEqual({
      ignore_changes: ["default_action"],
    });
    expect(production.tier.blueGreen?.greenTargetGroup).toBeDefined();
  });

  test("the test listener is reachable only from the configured CIDRs", () => {
    const testPortRules = (json: Json) =>
      Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule"))
        .filter((r) => r.from_port === 8443)
        .map((r) => r.cidr_ipv4);
    expect(testPortRules(production.json)).toEqual(["203.0.113.0/24"]);
    // No CIDRs configured: no rule, the port is closed.
    expect(testPortRules(staging.json)).toEqual([]);
  });

  test("blue/green shifts traffic linearly as configured", () => {
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(CodedeployDeploymentConfig, {
      deployment_config_name: "farmers-module-production-linear-10pct-every-1min",
      compute_platform: "ECS",
      traffic_routing_config: { type: "TimeBasedLinear", time_based_linear: { percentage: 10, interval: 1 } },
      lifecycle: { create_before_destroy: true },
    });
  });

  test("the deployment group rolls back on failure and terminates blue 5 minutes after success", () => {
    const group = resourceNamed(
      production.json,
      "aws_codedeploy_deployment_group",
      "service_BlueGreen_DeploymentGroup",
    );
    expect(group).toMatchObject({
      deployment_config_name: ref(
        production.json,
        "aws_codedeploy_deployment_config",
        "service_BlueGreen_DeploymentConfig",
        "deployment_config_name",
      ),
      deployment_style: { deployment_option: "WITH_TRAFFIC_CONTROL", deployment_type: "BLUE_GREEN" },
      auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE"] },
      blue_green_deployment_config: {
        terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 5 },
      },
      ecs_service: {
        cluster_name: ref(production.json, "aws_ecs_cluster", "service_Compute_Cluster", "name"),
        service_name: ref(production.json, "aws_ecs_service", "service_Compute_Service", "name"),
      },
      load_balancer_info: {
        target_group_pair_info: {
          prod_traffic_route: {
            listener_arns: [ref(production.json, "aws_lb_listener", "service_LoadBalancer_HttpsListener", "arn")],
          },
          test_traffic_route: {
            listener_arns: [ref(production.json, "aws_lb_listener", "service_LoadBalancer_TestListener", "arn")],
          },
          target_group: [
            { name: ref(production.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "name") },
            { name: ref(production.json, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup", "name") },
          ],
        },
      },
    });
    expect(group.alarm_configuration).toBeUndefined();
  });

  test("only CodeDeploy acting for this account may assume its role", () => {
    // GIVEN production  WHEN the CodeDeploy role's trust policy is read  THEN aws:SourceAccount is the account
    const trust = JSON.parse(
      resourceNamed(production.json, "aws_iam_role", "service_BlueGreen_Role").assume_role_policy as string,
    );
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "codedeploy.amazonaws.com" },
        Condition: {
          StringEquals: {
            "aws:SourceAccount": expect.stringMatching(
              /^\$\{data\.aws_caller_identity\.service_Account_.*\.account_id\}$/,
            ),
          },
        },
      },
    ]);
  });

  test("CodeDeploy's role may pass exactly the two task roles, to ECS tasks only", () => {
    const policy = JSON.parse(
      resourceNamed(production.json, "aws_iam_role_policy", "service_BlueGreen_PassTaskRoles").policy,
    );
    expect(policy.Statement).toEqual([
      {
        Sid: "PassTheServiceTaskRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: [
          expect.stringMatching(/^\$\{aws_iam_role\.service_Compute_ExecutionRole_.*\.arn\}$/),
          expect.stringMatching(/^\$\{aws_iam_role\.service_Compute_TaskRole_.*\.arn\}$/),
        ],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
    ]);
  });

  test("CodeDeploy's role has the Limited AWS managed policy for ECS", () => {
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(CodedeployApp, {
      compute_platform: "ECS",
      name: "farmers-module-production",
    });
    expect(Testing.synth(production.fixture.stack)).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      policy_arn: expect.stringMatching(
        /^arn:\$\{data\.aws_partition\..*\.partition\}:iam::aws:policy\/AWSCodeDeployRoleForECSLimited$/,
      ),
    });
  });

  test("the style is configuration: staging switched to blue/green gets CodeDeploy", () => {
    expect(resourceNamed(staging.json, "aws_ecs_service", "service_Compute_Service").deployment_controller).toEqual({
      type: "CODE_DEPLOY",
    });
    expect(resourceNamed(staging.json, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup").tags).toEqual({
      Name: "farmers-module-staging-green",
    });
  });
});

describe("useDeploymentAlarms", () => {
  test("rolling: the ECS deployment alarms roll back", () => {
    expect(resourceNamed(dev.withAlarms, "aws_ecs_service", "service_Compute_Service").alarms).toEqual({
      alarm_names: ALARMS,
      enable: true,
      rollback: true,
    });
    expect(resourceNamed(dev.json, "aws_ecs_service", "service_Compute_Service").alarms).toBeUndefined();
  });

  test("blue/green: the deployment group stops and rolls back on the alarms", () => {
    const group = resourceNamed(
      production.withAlarms,
      "aws_codedeploy_deployment_group",
      "service_BlueGreen_DeploymentGroup",
    );
    expect(group.alarm_configuration).toEqual({ enabled: true, alarms: ALARMS });
    expect(group.auto_rollback_configuration).toEqual({
      enabled: true,
      events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    });
    expect(resourceNamed(production.withAlarms, "aws_ecs_service", "service_Compute_Service").alarms).toBeUndefined();
  });

  test("calls accumulate", () => {
    const f = fixtureStack("dev");
    const tier = new ServiceTier(f.stack, "service", props(f, "dev", {}));
    tier.useDeploymentAlarms(["a"]);
    tier.useDeploymentAlarms(["b"]);
    expect(
      resourceNamed(JSON.parse(Testing.synth(f.stack)) as Json, "aws_ecs_service", "Compute_Service").alarms,
    ).toEqual({
      alarm_names: ["a", "b"],
      enable: true,
      rollback: true,
    });
  });

  test("fails when given no alarm names", () => {
    expect(() => dev.tier.useDeploymentAlarms([])).toThrow(
      "fixture-dev/service: useDeploymentAlarms needs at least one alarm name; received none",
    );
  });

  test("fails when a deployment group would get more than 10 alarms", () => {
    const f = fixtureStack("production");
    const tier = new ServiceTier(f.stack, "service", props(f, "production", {}));
    expect(() => tier.useDeploymentAlarms(Array.from({ length: 11 }, (_, i) => `alarm-${i}`))).toThrow(
      "fixture-production/service/BlueGreen: a CodeDeploy deployment group takes at most 10 alarms; received 11",
    );
  });
});

describe("validation", () => {
  const fails = (env: EnvironmentName, layer: ConfigLayer, extra: Partial<ServiceTierProps> = {}) => {
    const f = fixtureStack(env);
    return () => new ServiceTier(f.stack, "service", { ...props(f, env, layer), ...extra });
  };

  test("fails when a requested certificate has no hosted zone for its validation records", () => {
    const loadBalancer = {
      ...testConfig("dev").loadBalancer,
      certificate: { domain: "farmers-dev.kisanlink.in", create: true as const },
    };
    expect(fails("dev", {}, { loadBalancer })).toThrow(
      "fixture-dev/service/LoadBalancer: loadBalancer.certificate.create needs loadBalancer.hostedZone for its DNS validation records; received no hosted zone",
    );
  });

  test("fails when the initial image tag is not a Docker tag", () => {
    expect(fails("dev", {}, { initialImageTag: "first image" })).toThrow(
      'fixture-dev/service: initialImageTag must be a Docker tag (letters, digits, _ . -, at most 128); received "first image"',
    );
  });

  test("fails when blue/green would shift 100 % per step", () => {
    expect(fails("production", { deployment: { linearPercent: 100 } })).toThrow(
      "fixture-production/service/BlueGreen: linearPercent must be below 100 for linear traffic shifting; received 100",
    );
  });
});

/** Regex-escapes a string. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
