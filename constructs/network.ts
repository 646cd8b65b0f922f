import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Ec2TransitGatewayVpcAttachment } from "@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Route53ZoneAssociation } from "@cdktf/provider-aws/lib/route53-zone-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";

import { assumeRolePolicy, policyDocument } from "./iam";
import type { CustomerManagedKey } from "./kms-key";
import type { Naming } from "./naming";

/**
 * Egress of the private subnets: a NAT gateway in each AZ, one shared NAT gateway, or none (the
 * tasks then run in the public subnets with a public IP, see `Network.taskSubnets`).
 */
export type NatGateways = "one-per-az" | "single" | "none";

/** A private route to another network: exactly one of a peering connection or a transit gateway. */
export interface PrivateNetworkRoute {
  /** CIDR of the other network, routed from the task subnets' route tables. */
  readonly cidr: string;
  /** VPC peering connection to it, accepted outside this stack. @default - none: `transitGatewayId` */
  readonly peeringConnectionId?: string;
  /** Transit gateway to it; the VPC's private subnets are attached. @default - none: `peeringConnectionId` */
  readonly transitGatewayId?: string;
}

/** Settings of the network. */
export interface NetworkProps {
  readonly naming: Naming;
  /** Region of the VPC, for the endpoints' service names and the flow-log ARNs. */
  readonly region: string;
  /** Account id (a token is fine), for the flow-log role's confused-deputy conditions. */
  readonly accountId: string;
  /** Partition (`aws`, or a token), for ARNs. */
  readonly partition: string;
  /** Zones of the subnets, one subnet of each tier per zone, in this order. */
  readonly availabilityZones: readonly string[];
  /** CIDR block of the VPC. */
  readonly vpcCidr: string;
  /** Public subnets (load balancer, NAT gateways), one per availability zone. */
  readonly publicSubnetCidrs: readonly string[];
  /** Private subnets (tasks behind NAT, interface endpoints), one per availability zone. */
  readonly privateSubnetCidrs: readonly string[];
  /** Database subnets (no route out), one per availability zone. */
  readonly databaseSubnetCidrs: readonly string[];
  /** NAT gateways of the private subnets. @default "one-per-az" */
  readonly natGateways?: NatGateways;
  /**
   * Interface endpoints for ECR (API and Docker), Secrets Manager and CloudWatch Logs in the
   * private subnets. @default false - the tasks reach them through NAT or their public IP
   */
  readonly interfaceEndpoints?: boolean;
  /** Retention of the flow-log group, days (a value CloudWatch Logs accepts). @default 30 */
  readonly flowLogRetentionDays?: number;
  /** The AAA service's network, reached privately. @default - no route */
  readonly aaaNetwork?: PrivateNetworkRoute;
  /** Private hosted zone of the AAA service's names, associated with the VPC. @default - none */
  readonly aaaPrivateHostedZoneId?: string;
  /** Customer-managed key encrypting the flow-log group. */
  readonly logsKey: CustomerManagedKey;
}

/** The subnets of one tier, one per availability zone, in AZ order. */
export interface SubnetTier {
  readonly subnets: readonly Subnet[];
  readonly routeTables: readonly RouteTable[];
  readonly ids: string[];
}

/**
 * A VPC over two or more AZs with three subnet tiers: public (internet gateway), private (NAT,
 * for tasks, unless `natGateways` is "none": then tasks use the public tier) and database (no
 * route out). Flow logs to CloudWatch, the default security group
 * stripped, a free S3 gateway endpoint and, by configuration, interface endpoints.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly cidrBlock: string;
  readonly public: SubnetTier;
  readonly private: SubnetTier;
  readonly database: SubnetTier;
  readonly natGateways: readonly NatGateway[];
  /**
   * The subnets the service's tasks run in: private behind NAT, or public when
   * `natGateways` is "none" (then `tasksNeedPublicIp`).
   */
  readonly taskSubnets: SubnetTier;
  /** True when tasks reach the internet through the internet gateway with their own public IP. */
  readonly tasksNeedPublicIp: boolean;
  readonly flowLogGroup: CloudwatchLogGroup;
  /** Security group of the interface endpoints, when they exist. */
  readonly endpointSecurityGroup?: SecurityGroup;
  /** CIDR of the AAA network when it is routed privately. */
  readonly aaaCidr?: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { naming, availabilityZones: azs } = props;
    const natGateways = props.natGateways ?? "one-per-az";
    const flowLogRetentionDays = props.flowLogRetentionDays ?? 30;
    const name = (suffix: string) => `${naming.prefix}-${suffix}`;
    this.cidrBlock = props.vpcCidr;

    this.vpc = new Vpc(this, "Resource", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: name("vpc") },
    });
    const vpcId = this.vpc.id;

    // Nothing may use the default group: AWS creates it with allow-all rules, we remove them.
    // Explicit empty lists: Terraform then reports any rule added later as drift.
    new DefaultSecurityGroup(this, "DefaultSecurityGroup", {
      vpcId,
      ingress: [],
      egress: [],
      tags: { Name: name("default-unused") },
    });

    const igw = new InternetGateway(this, "InternetGateway", { vpcId, tags: { Name: name("igw") } });

    const makeTier = (
      tier: "public" | "private" | "database",
      cidrs: readonly string[],
      sharedTable: boolean,
    ): SubnetTier => {
      const subnets = cidrs.map(
        (cidrBlock, i) =>
          new Subnet(this, `${tier}-subnet-${i}`, {
            vpcId,
            cidrBlock,
            availabilityZone: azs[i],
            // No tier hands out public IPs: the NAT gateways use Elastic IPs and the load
            // balancer its own addresses; a task or instance placed here by mistake stays private.
            mapPublicIpOnLaunch: false,
            tags: { Name: name(`${tier}-${azs[i]}`), Type: tier },
          }),
      );
      const tables = sharedTable
        ? [new RouteTable(this, `${tier}-routes`, { vpcId, tags: { Name: name(`${tier}-rt`), Type: tier } })]
        : subnets.map(
            (_, i) =>
              new RouteTable(this, `${tier}-routes-${i}`, {
                vpcId,
                tags: { Name: name(`${tier}-rt-${azs[i]}`), Type: tier },
              }),
          );
      subnets.forEach(
        (subnet, i) =>
          new RouteTableAssociation(this, `${tier}-routes-assoc-${i}`, {
            subnetId: subnet.id,
            routeTableId: tables[sharedTable ? 0 : i].id,
          }),
      );
      return { subnets, routeTables: tables, ids: subnets.map((s) => s.id) };
    };

    this.public = makeTier("public", props.publicSubnetCidrs, true);
    new Route(this, "public-default-route", {
      routeTableId: this.public.routeTables[0].id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });

    this.private = makeTier("private", props.privateSubnetCidrs, false);
    // "none": no NAT gateway (about $36 a month each with its address). The private subnets stay
    // (the reference's address plan; endpoints live there) but have no way out; tasks run in
    // the public subnets with a public IP on their ENI, reachable only from the load balancer's
    // security group (ingress rules reference that group, never a CIDR).
    this.tasksNeedPublicIp = natGateways === "none";
    this.taskSubnets = this.tasksNeedPublicIp ? this.public : this.private;
    const natCount = natGateways === "one-per-az" ? azs.length : natGateways === "single" ? 1 : 0;
    this.natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: { Name: name(`nat-${azs[i]}`) } });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: this.public.subnets[i].id,
        tags: { Name: name(`nat-${azs[i]}`) },
        dependsOn: [igw],
      });
    });
    if (natCount > 0)
      this.private.routeTables.forEach(
        (table, i) =>
          new Route(this, `private-default-route-${i}`, {
            routeTableId: table.id,
            destinationCidrBlock: "0.0.0.0/0",
            natGatewayId: this.natGateways[Math.min(i, natCount - 1)].id,
          }),
      );

    // Database subnets get a table of their own with only the local route: no way out.
    this.database = makeTier("database", props.databaseSubnetCidrs, true);

    // Free gateway endpoint: S3 traffic (ECR image layers) skips the NAT's per-GB charge and,
    // for tasks in public subnets, stays off the internet.
    new VpcEndpoint(this, "S3Endpoint", {
      vpcId,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: this.taskSubnets.routeTables.map((t) => t.id),
      tags: { Name: name("s3-endpoint") },
    });

    if (props.interfaceEndpoints) {
      this.endpointSecurityGroup = new SecurityGroup(this, "EndpointSecurityGroup", {
        namePrefix: naming.namePrefix(this, "securityGroup", "endpoints"),
        description: "HTTPS from inside the VPC to the interface endpoints",
        vpcId,
        ingress: [
          {
            description: "HTTPS from the VPC",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: [props.vpcCidr],
          },
        ],
        egress: [],
        tags: { Name: name("endpoints") },
        lifecycle: { createBeforeDestroy: true },
      });
      for (const service of ["ecr.api", "ecr.dkr", "secretsmanager", "logs"]) {
        new VpcEndpoint(this, `Endpoint-${service}`, {
          vpcId,
          serviceName: `com.amazonaws.${props.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: this.private.ids,
          securityGroupIds: [this.endpointSecurityGroup.id],
          tags: { Name: name(`${service.replace(".", "-")}-endpoint`) },
        });
      }
    }

    // AAA over a private network: route to it from the private tiers and resolve its names.
    if (props.aaaNetwork) {
      const { cidr, peeringConnectionId, transitGatewayId } = props.aaaNetwork;
      this.aaaCidr = cidr;
      // A route may name a transit gateway only once the VPC is attached to it: attach the
      // private subnets (the tasks' side). A peering connection is accepted outside this stack.
      const attachment = transitGatewayId
        ? new Ec2TransitGatewayVpcAttachment(this, "AaaTransitGatewayAttachment", {
            transitGatewayId,
            vpcId,
            subnetIds: this.private.ids,
            tags: { Name: name("aaa-tgw") },
          })
        : undefined;
      this.taskSubnets.routeTables.forEach(
        (table, i) =>
          new Route(this, `aaa-route-${i}`, {
            routeTableId: table.id,
            destinationCidrBlock: cidr,
            vpcPeeringConnectionId: peeringConnectionId,
            transitGatewayId,
            dependsOn: attachment ? [attachment] : undefined,
          }),
      );
    }
    if (props.aaaPrivateHostedZoneId) {
      new Route53ZoneAssociation(this, "AaaZoneAssociation", { zoneId: props.aaaPrivateHostedZoneId, vpcId });
    }

    // Flow logs: every accepted and rejected flow, kept for the configured retention.
    const flowLogGroupName = `/vpc/${naming.prefix}/flow-logs`;
    this.flowLogGroup = new CloudwatchLogGroup(this, "FlowLogGroup", {
      name: flowLogGroupName,
      retentionInDays: flowLogRetentionDays,
      kmsKeyId: props.logsKey.encryptLogGroup(flowLogGroupName),
    });
    const { accountId: account, partition } = props;
    const flowLogRole = new IamRole(this, "FlowLogRole", {
      name: naming.name(this, "iamRole", "vpc-flow-logs"),
      // Confused-deputy protection: only flow logs of this account may take the role (VPC User
      // Guide, "IAM role for publishing flow logs to CloudWatch Logs", trust policy).
      assumeRolePolicy: assumeRolePolicy("vpc-flow-logs.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": account },
        ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${props.region}:${account}:vpc-flow-log/*` },
      }),
    });
    const flowLogPolicy = new IamRolePolicy(this, "FlowLogPolicy", {
      role: flowLogRole.id,
      name: "write-flow-logs",
      policy: policyDocument([
        {
          Sid: "WriteFlowLogGroup",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [this.flowLogGroup.arn, `${this.flowLogGroup.arn}:*`],
        },
        {
          // In AWS's documented permission set for flow-log roles. A list call: it is authorised
          // on the account's log groups, not on one group.
          Sid: "DescribeLogGroups",
          Effect: "Allow",
          Action: "logs:DescribeLogGroups",
          Resource: `arn:${partition}:logs:${props.region}:${account}:log-group:*`,
        },
      ]),
    });
    new FlowLog(this, "FlowLog", {
      vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.flowLogGroup.arn,
      iamRoleArn: flowLogRole.arn,
      maxAggregationInterval: 600,
      tags: { Name: name("flow-log") },
      // Delivery checks the role's permissions when the flow log is created.
      dependsOn: [flowLogPolicy],
    });
  }
}
