import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Testing } from "cdktf";

import { buildServiceTier, CERT_ARN, fails, PRODUCTION, STAGING } from "./fixtures/service";
import { type Json, ref, refsOf, resourceNamed, testConfig } from "./helpers";

/** ServiceLoadBalancer (constructs/service/load-balancer.ts): the ALB, its listeners, certificate, target group, access-log bucket and DNS record, inside the service tier. */

const dev = buildServiceTier("dev");
const production = buildServiceTier("production", PRODUCTION);
const staging = buildServiceTier("staging", STAGING);

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
    const created = buildServiceTier("production", {
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
      /^farmers-module-dev-alb-logs-\$\{data\.aws_caller_identity\.account\.account_id\}$/,
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
            `^${escape(bucketArn)}/alb/AWSLogs/\\$\\{data\\.aws_caller_identity\\.account\\.account_id\\}/\\*$`,
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

describe("validation", () => {
  test("fails when a requested certificate has no hosted zone for its validation records", () => {
    const loadBalancer = {
      ...testConfig("dev").loadBalancer,
      certificate: { domain: "farmers-dev.kisanlink.in", create: true as const },
    };
    expect(fails("dev", {}, { loadBalancer })).toThrow(
      "fixture-dev/service/LoadBalancer: loadBalancer.certificate.create needs loadBalancer.hostedZone for its DNS validation records; received no hosted zone",
    );
  });
});

/** Regex-escapes a string. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
