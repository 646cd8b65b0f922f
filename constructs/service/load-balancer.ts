import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";
import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import type { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";

import { checkName, type Naming } from "../naming";
import type { Network } from "../network";
import { SecureBucket } from "../secure-bucket";
import { ValidationError } from "../validation-error";

/** TLS 1.3 and 1.2 only, forward-secret ciphers: AWS's recommended policy for new ALBs. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** Prefix of the access-log objects in the bucket. */
export const ACCESS_LOG_PREFIX = "alb";
/** A 12-digit stand-in for the account id, to check the bucket name's length at synth time. */
const ACCOUNT_ID_PLACEHOLDER = "123456789012";

/** The target group health check: the service's `/health`, no auth, 200 when up. */
export const HEALTH_CHECK = {
  enabled: true,
  path: "/health",
  protocol: "HTTP",
  port: "traffic-port",
  interval: 30,
  timeout: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  matcher: "200",
} as const;

/**
 * The HTTPS listener's certificate: an ACM certificate by ARN; the ISSUED ACM certificate of a
 * domain, looked up at plan time; or (`create: true`) one requested here and validated by DNS
 * records written into `hostedZone`.
 */
export type LoadBalancerCertificate =
  { readonly arn: string } | { readonly domain: string } | { readonly domain: string; readonly create: true };

/** How the load balancer is reached and kept: certificate, DNS record, protection, logs, test listener. */
export interface ServiceLoadBalancerSettings {
  readonly certificate: LoadBalancerCertificate;
  /**
   * Zone of an alias record `recordName` -> the load balancer (and of a requested certificate's
   * validation records). @default - no record: clients use the load balancer's DNS name
   */
  readonly hostedZone?: { readonly zoneId: string; readonly recordName: string };
  /**
   * Deletion protection on the load balancer; a protected one also keeps its access-log bucket
   * on `terraform destroy`. @default false
   */
  readonly deletionProtection?: boolean;
  /** Days after which an access-log object expires. */
  readonly accessLogExpirationDays: number;
  /** Port of the blue/green test listener (HTTPS). */
  readonly testListenerPort: number;
  /** CIDRs admitted to the test listener. @default - none: the test port is closed to everyone */
  readonly testListenerCidrs?: readonly string[];
}

/** Props of ServiceLoadBalancer: the settings, and what the load balancer serves. */
export interface ServiceLoadBalancerProps extends ServiceLoadBalancerSettings {
  readonly naming: Naming;
  readonly network: Network;
  /** Port of the service's container, the target groups' port. */
  readonly containerPort: number;
  /** Adds the green target group and the test listener CodeDeploy needs. @default false */
  readonly blueGreen?: boolean;
  /** Account id (a token from `aws_caller_identity`), for the bucket name and log prefix. */
  readonly accountId: string;
}

/**
 * Internet-facing ALB in the public subnets: HTTP 80 redirects (301) to HTTPS 443 with a TLS 1.3
 * policy, invalid headers dropped, access logs to a bucket of its own, target group(s) for
 * the service and, under blue/green, a test listener reachable only from configured CIDRs.
 */
export class ServiceLoadBalancer extends Construct {
  readonly loadBalancer: Lb;
  readonly securityGroup: SecurityGroup;
  readonly httpListener: LbListener;
  readonly httpsListener: LbListener;
  /** Serving target group: `-tg` under rolling, `-blue` under blue/green. */
  readonly targetGroup: LbTargetGroup;
  readonly greenTargetGroup?: LbTargetGroup;
  readonly testListener?: LbListener;
  readonly accessLogBucket: S3Bucket;
  readonly certificateArn: string;
  /** Host name clients use: the Route 53 record when configured, else the ALB's DNS name. */
  readonly endpointHost: string;

  constructor(scope: Construct, id: string, props: ServiceLoadBalancerProps) {
    super(scope, id);
    const { naming, network, containerPort } = props;
    const blueGreen = props.blueGreen ?? false;
    const deletionProtection = props.deletionProtection ?? false;

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      // A prefix, not a fixed name: a replacement (new description) must exist next to the group
      // still attached to the load balancer before Terraform deletes that one.
      namePrefix: naming.namePrefix(this, "securityGroup", "alb"),
      description: "Farmers Module load balancer: HTTP/HTTPS from the internet, out only to the service",
      vpcId: network.vpc.id,
      tags: { Name: `${naming.prefix}-alb` },
      lifecycle: { createBeforeDestroy: true },
    });
    // The VPC is IPv4-only and the ALB's address type is ipv4, so ::/0 rules would be dead weight.
    for (const port of [80, 443]) {
      new VpcSecurityGroupIngressRule(this, `Ingress${port}`, {
        securityGroupId: this.securityGroup.id,
        description: port === 80 ? "HTTP from anywhere (redirected to HTTPS)" : "HTTPS from anywhere",
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: "0.0.0.0/0",
      });
    }

    const accessLogs = this.accessLogs(props);
    this.accessLogBucket = accessLogs.bucket;

    this.loadBalancer = new Lb(this, "Resource", {
      name: naming.name(this, "loadBalancer", "alb"),
      internal: false,
      loadBalancerType: "application",
      ipAddressType: "ipv4",
      securityGroups: [this.securityGroup.id],
      subnets: network.public.ids,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: deletionProtection,
      accessLogs: { bucket: this.accessLogBucket.id, prefix: ACCESS_LOG_PREFIX, enabled: true },
      tags: { Name: `${naming.prefix}-alb` },
      // ELB checks it may write to the bucket when access logs are switched on.
      dependsOn: [accessLogs.policy],
    });

    const certificate = props.certificate;
    this.certificateArn =
      "arn" in certificate
        ? certificate.arn
        : "create" in certificate
          ? this.requestCertificate(certificate.domain, props.hostedZone?.zoneId, naming)
          : // The lookup fails the plan unless an ISSUED certificate for the domain exists in ACM.
            new DataAwsAcmCertificate(this, "Certificate", {
              domain: certificate.domain,
              statuses: ["ISSUED"],
              mostRecent: true,
            }).arn;

    // Port, protocol, target type and VPC force a new target group, which must exist (and be
    // attached) before the old one, still in use by a listener, can go: a 6-character prefix
    // (AWS allows 32 = prefix + Terraform's 26) and create_before_destroy.
    const targetGroup = (id: string, suffix: string) =>
      new LbTargetGroup(this, id, {
        namePrefix: naming.shortNamePrefix(this, "targetGroup", suffix[0]),
        port: containerPort,
        protocol: "HTTP",
        targetType: "ip",
        vpcId: network.vpc.id,
        deregistrationDelay: "30",
        // New tasks get a share of traffic that ramps up over 45 s (the service's warm-up).
        slowStart: 45,
        healthCheck: { ...HEALTH_CHECK },
        tags: { Name: `${naming.prefix}-${suffix}` },
        lifecycle: { createBeforeDestroy: true },
      });
    this.targetGroup = targetGroup("TargetGroup", blueGreen ? "blue" : "tg");

    // CodeDeploy moves the listeners between the blue and green groups; Terraform must not move them back.
    const listenerLifecycle = blueGreen ? { ignoreChanges: ["default_action"] } : undefined;

    this.httpListener = new LbListener(this, "HttpListener", {
      loadBalancerArn: this.loadBalancer.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    });
    this.httpsListener = new LbListener(this, "HttpsListener", {
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: TLS_POLICY,
      certificateArn: this.certificateArn,
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
      lifecycle: listenerLifecycle,
    });

    if (blueGreen) {
      this.greenTargetGroup = targetGroup("GreenTargetGroup", "green");
      this.testListener = new LbListener(this, "TestListener", {
        loadBalancerArn: this.loadBalancer.arn,
        port: props.testListenerPort,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        certificateArn: this.certificateArn,
        defaultAction: [{ type: "forward", targetGroupArn: this.greenTargetGroup.arn }],
        lifecycle: listenerLifecycle,
      });
      // No CIDRs configured: the test port is closed to everyone.
      (props.testListenerCidrs ?? []).forEach(
        (cidr, i) =>
          new VpcSecurityGroupIngressRule(this, `TestListenerIngress${i}`, {
            securityGroupId: this.securityGroup.id,
            description: `Blue/green test listener from ${cidr}`,
            ipProtocol: "tcp",
            fromPort: props.testListenerPort,
            toPort: props.testListenerPort,
            cidrIpv4: cidr,
          }),
      );
    }

    if (props.hostedZone) {
      new Route53Record(this, "AliasRecord", {
        zoneId: props.hostedZone.zoneId,
        name: props.hostedZone.recordName,
        type: "A",
        alias: { name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true },
      });
    }
    this.endpointHost = props.hostedZone?.recordName ?? this.loadBalancer.dnsName;
  }

  /**
   * Requests a certificate for `domain` with DNS validation and writes the validation records into
   * the hosted zone; returns the ARN once ACM has issued it (aws_acm_certificate_validation waits),
   * so the HTTPS listener is created with an issued certificate. One record per domain_name: the
   * keys are known at plan time (the provider's documented for_each over domain_validation_options).
   */
  private requestCertificate(domain: string, zoneId: string | undefined, naming: Naming): string {
    if (!zoneId)
      throw new ValidationError(
        `loadBalancer.certificate.create needs loadBalancer.hostedZone for its DNS validation records; received no hosted zone`,
        this,
      );
    const certificate = new AcmCertificate(this, "ManagedCertificate", {
      domainName: domain,
      validationMethod: "DNS",
      tags: { Name: `${naming.prefix}-alb` },
      // A new domain gets its certificate before the listener lets go of the old one (ACM refuses to delete a certificate in use).
      lifecycle: { createBeforeDestroy: true },
    });
    const option = TerraformIterator.fromComplexList(certificate.domainValidationOptions, "domain_name");
    const records = new Route53Record(this, "CertificateValidationRecord", {
      forEach: option,
      zoneId,
      name: option.getString("resource_record_name"),
      type: option.getString("resource_record_type"),
      records: [option.getString("resource_record_value")],
      ttl: 300,
      // ACM uses the same record for a re-requested certificate of the same domain.
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, "CertificateValidation", {
      certificateArn: certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(records).pluckProperty("fqdn")),
    });
    return validation.certificateArn;
  }

  /** The access-log bucket: SSE-S3 (the only encryption ALB log delivery supports), private, TLS-only, expiring. */
  private accessLogs(props: ServiceLoadBalancerProps): { bucket: S3Bucket; policy: S3BucketPolicy } {
    const { naming, accountId } = props;
    // Bucket names are global: the account id makes this one unique.
    const suffix = "alb-logs";
    checkName(this, "s3Bucket", `${naming.prefix}-${suffix}-${ACCOUNT_ID_PLACEHOLDER}`);
    // us-east-1 and the other regions older than August 2022 deliver logs as the regional
    // ELB account, which this data source names.
    const elbAccount = new DataAwsElbServiceAccount(this, "ElbServiceAccount", {});
    const logs = new SecureBucket(this, "AccessLogBucket", {
      bucketName: `${naming.prefix}-${suffix}-${accountId}`,
      // Logs of a protected (production) load balancer outlive `terraform destroy`.
      forceDestroy: !(props.deletionProtection ?? false),
      tags: { Name: `${naming.prefix}-${suffix}` },
      lifecycleRules: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: props.accessLogExpirationDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      policyStatements: (bucketArn) => [
        {
          Sid: "AllowElbLogDelivery",
          Effect: "Allow",
          Principal: { AWS: elbAccount.arn },
          Action: "s3:PutObject",
          Resource: `${bucketArn}/${ACCESS_LOG_PREFIX}/AWSLogs/${accountId}/*`,
        },
      ],
    });
    return { bucket: logs.bucket, policy: logs.policy };
  }
}
