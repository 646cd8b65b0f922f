import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route53ZoneAssociation } from "@cdktf/provider-aws/lib/route53-zone-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { TerraformStack, Testing } from "cdktf";

import type { EnvironmentName } from "../config/environments";
import type { ConfigLayer } from "../config/types";
import { Naming } from "../constructs/naming";
import { Network } from "../constructs/network";
import { fixtureLogsKey } from "./fixtures/tiers";
import { type Json, resolveIn, resourcesOf, testConfig } from "./helpers";

function networkStack(
  env: EnvironmentName,
  layer: ConfigLayer = {},
): { json: Json; synthesized: string; stack: TerraformStack; network: Network } {
  const config = testConfig(env, layer);
  const stack = new TerraformStack(Testing.app(), "network-test");
  const naming = new Naming(config.project, config.name);
  const network = new Network(stack, "network", {
    naming,
    accountId: new DataAwsCallerIdentity(stack, "account").accountId,
    partition: new DataAwsPartition(stack, "partition").partition,
    logsKey: fixtureLogsKey(stack, naming, config.region),
    region: config.region,
    availabilityZones: config.availabilityZones,
    ...config.network,
    aaaNetwork: config.aaa.network,
    aaaPrivateHostedZoneId: config.aaa.privateHostedZoneId,
  });
  const synthesized = Testing.synth(stack);
  return { json: JSON.parse(synthesized) as Json, synthesized, stack, network };
}

/** Route tables (resolved) serving each subnet, and their routes, by subnet CIDR. */
function routesBySubnetCidr(json: Json): Record<string, Json[]> {
  const subnets = resourcesOf(json, "aws_subnet");
  const assocs = Object.values(resourcesOf(json, "aws_route_table_association"));
  const routes = Object.values(resourcesOf(json, "aws_route"));
  const out: Record<string, Json[]> = {};
  for (const [name, subnet] of Object.entries(subnets)) {
    const assoc = assocs.find((a) => a.subnet_id === `\${aws_subnet.${name}.id}`);
    out[subnet.cidr_block] = routes.filter((r) => r.route_table_id === assoc?.route_table_id);
  }
  return out;
}

const dev = networkStack("dev");
const production = networkStack("production");
/** dev with one NAT gateway: the private-subnet egress of staging before off-hours, and of any non-production choice. */
const singleNat = networkStack("dev", { network: { natGateways: "single" } });

describe("Network", () => {
  test("creates the VPC with DNS support and hostnames", () => {
    // GIVEN dev WHEN synthesized THEN the VPC has the reference CIDR and DNS on
    expect(dev.synthesized).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
  });

  test("places one subnet per tier per AZ with the reference CIDRs, Name and Type tags", () => {
    const subnets = Object.values(resourcesOf(production.json, "aws_subnet")).map((s) => [
      s.cidr_block,
      s.availability_zone,
      s.tags.Type,
      s.map_public_ip_on_launch,
    ]);
    expect(subnets).toEqual(
      expect.arrayContaining([
        ["10.3.1.0/24", "us-east-1a", "public", false],
        ["10.3.2.0/24", "us-east-1b", "public", false],
        ["10.3.11.0/24", "us-east-1a", "private", false],
        ["10.3.12.0/24", "us-east-1b", "private", false],
        ["10.3.21.0/24", "us-east-1a", "database", false],
        ["10.3.22.0/24", "us-east-1b", "database", false],
      ]),
    );
    expect(subnets).toHaveLength(6);
    expect(production.synthesized).toHaveResourceWithProperties(Subnet, {
      tags: { Name: "farmers-module-production-private-us-east-1a", Type: "private" },
    });
  });

  test("routes public subnets to the internet gateway", () => {
    const routes = routesBySubnetCidr(dev.json)["10.0.1.0/24"];
    expect(routes).toEqual([
      expect.objectContaining({
        destination_cidr_block: "0.0.0.0/0",
        gateway_id: expect.stringContaining("aws_internet_gateway"),
      }),
    ]);
  });

  test("routes private subnets to a NAT gateway", () => {
    const routes = routesBySubnetCidr(singleNat.json)["10.0.12.0/24"];
    expect(routes).toEqual([
      expect.objectContaining({
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: expect.stringContaining("aws_nat_gateway"),
      }),
    ]);
  });

  test("gives database subnets no route to the internet", () => {
    const byCidr = routesBySubnetCidr(production.json);
    expect([byCidr["10.3.21.0/24"], byCidr["10.3.22.0/24"]]).toEqual([[], []]);
  });

  test("uses a single NAT gateway with natGateways single", () => {
    expect(Object.keys(resourcesOf(singleNat.json, "aws_nat_gateway"))).toHaveLength(1);
  });

  test("natGateways none: no NAT gateway, no Elastic IP, no default route from the private subnets", () => {
    // GIVEN dev (natGateways none) WHEN synthesized THEN nothing of a NAT, and private subnets have no way out
    expect([
      Object.keys(resourcesOf(dev.json, "aws_nat_gateway")),
      Object.keys(resourcesOf(dev.json, "aws_eip")),
    ]).toEqual([[], []]);
    const byCidr = routesBySubnetCidr(dev.json);
    expect([byCidr["10.0.11.0/24"], byCidr["10.0.12.0/24"]]).toEqual([[], []]);
  });

  test("natGateways none: tasks use the public subnets with their own public IP", () => {
    // GIVEN dev WHEN constructed THEN the task tier is the public tier and needs public IPs
    expect(dev.network.taskSubnets).toBe(dev.network.public);
    expect([dev.network.tasksNeedPublicIp, singleNat.network.tasksNeedPublicIp]).toEqual([true, false]);
  });

  test("natGateways none: the S3 gateway endpoint is on the task subnets' (public) route table", () => {
    const endpoint = Object.values(resourcesOf(dev.json, "aws_vpc_endpoint")).find(
      (e) => e.vpc_endpoint_type === "Gateway",
    )!;
    expect(endpoint.route_table_ids).toEqual([
      expect.stringMatching(/^\$\{aws_route_table\.network_public-routes_.*\.id\}$/),
    ]);
  });

  test("uses one NAT gateway per AZ in production, each private subnet using its own", () => {
    expect(Object.keys(resourcesOf(production.json, "aws_nat_gateway"))).toHaveLength(2);
    const byCidr = routesBySubnetCidr(production.json);
    expect(byCidr["10.3.11.0/24"][0].nat_gateway_id).not.toEqual(byCidr["10.3.12.0/24"][0].nat_gateway_id);
    expect(production.synthesized).toHaveResourceWithProperties(NatGateway, {
      tags: { Name: "farmers-module-production-nat-us-east-1b" },
    });
  });

  test("strips every rule from the default security group, so a rule added later shows as drift", () => {
    const sg = Object.values(resourcesOf(dev.json, "aws_default_security_group"))[0];
    expect(dev.synthesized).toHaveResource(DefaultSecurityGroup);
    expect([sg.ingress, sg.egress]).toEqual([[], []]);
  });

  test("attaches the VPC to the AAA transit gateway before routing to it", () => {
    const { json } = networkStack("production", {
      aaa: { network: { cidr: "10.50.0.0/16", transitGatewayId: "tgw-0123456789abcdef0" } },
    });
    const attachment = Object.entries(resourcesOf(json, "aws_ec2_transit_gateway_vpc_attachment"));
    expect(attachment.map(([, a]) => [a.transit_gateway_id, a.subnet_ids.length])).toEqual([
      ["tgw-0123456789abcdef0", 2],
    ]);
    const aaaRoutes = Object.values(resourcesOf(json, "aws_route")).filter(
      (r) => r.destination_cidr_block === "10.50.0.0/16",
    );
    expect(aaaRoutes.map((r) => r.depends_on)).toEqual([
      [`aws_ec2_transit_gateway_vpc_attachment.${attachment[0][0]}`],
      [`aws_ec2_transit_gateway_vpc_attachment.${attachment[0][0]}`],
    ]);
  });

  test("sends all VPC flow logs to a log group with the configured retention", () => {
    expect(production.synthesized).toHaveResourceWithProperties(FlowLog, {
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
    });
    const group = Object.values(resourcesOf(production.json, "aws_cloudwatch_log_group"))[0];
    expect([group.name, group.retention_in_days]).toEqual(["/vpc/farmers-module-production/flow-logs", 30]);
  });

  test("lets the flow-log role write only to its log group, and describe the account's log groups", () => {
    const policy = JSON.parse(Object.values(resourcesOf(dev.json, "aws_iam_role_policy"))[0].policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Resource: [
          expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.arn\}$/),
          expect.stringMatching(/\.arn\}:\*$/),
        ],
      }),
      {
        Sid: "DescribeLogGroups",
        Effect: "Allow",
        Action: "logs:DescribeLogGroups",
        Resource: expect.stringMatching(
          /^arn:\$\{data\.aws_partition\..*\.partition\}:logs:us-east-1:\$\{data\.aws_caller_identity\..*\.account_id\}:log-group:\*$/,
        ),
      },
    ]);
  });

  test("only flow logs of this account may assume the flow-log role", () => {
    // GIVEN dev  WHEN the role's trust policy is read  THEN aws:SourceAccount and aws:SourceArn are pinned
    const trust = JSON.parse(Object.values(resourcesOf(dev.json, "aws_iam_role"))[0].assume_role_policy);
    expect(trust.Statement[0].Principal).toEqual({ Service: "vpc-flow-logs.amazonaws.com" });
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": expect.stringMatching(/^\$\{data\.aws_caller_identity\..*\.account_id\}$/) },
      ArnLike: {
        "aws:SourceArn": expect.stringMatching(
          /:ec2:us-east-1:\$\{data\.aws_caller_identity\..*\.account_id\}:vpc-flow-log\/\*$/,
        ),
      },
    });
  });

  test("adds the free S3 gateway endpoint on the private route tables", () => {
    expect(dev.synthesized).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: "com.amazonaws.us-east-1.s3",
      vpc_endpoint_type: "Gateway",
    });
  });

  test("has no interface endpoints by default", () => {
    const interfaces = Object.values(resourcesOf(dev.json, "aws_vpc_endpoint")).filter(
      (e) => e.vpc_endpoint_type === "Interface",
    );
    expect(interfaces).toEqual([]);
  });

  test("adds ECR, Secrets Manager and Logs interface endpoints when configured", () => {
    const { json } = networkStack("dev", { network: { interfaceEndpoints: true } });
    const services = Object.values(resourcesOf(json, "aws_vpc_endpoint"))
      .filter((e) => e.vpc_endpoint_type === "Interface")
      .map((e) => [e.service_name, e.private_dns_enabled])
      .sort();
    expect(services).toEqual([
      ["com.amazonaws.us-east-1.ecr.api", true],
      ["com.amazonaws.us-east-1.ecr.dkr", true],
      ["com.amazonaws.us-east-1.logs", true],
      ["com.amazonaws.us-east-1.secretsmanager", true],
    ]);
    const sg = Object.values(resourcesOf(json, "aws_security_group"))[0];
    expect(sg.ingress).toEqual([
      expect.objectContaining({ from_port: 443, to_port: 443, cidr_blocks: ["10.0.0.0/16"] }),
    ]);
  });

  test("routes the AAA network through a peering connection and associates its private zone when configured", () => {
    const { json, synthesized, network } = networkStack("production", {
      aaa: {
        privateHostedZoneId: "Z0123456789ABCDEFGHIJ",
        network: { cidr: "10.50.0.0/16", peeringConnectionId: "pcx-0123456789abcdef0" },
      },
    });
    const aaaRoutes = Object.values(resourcesOf(json, "aws_route")).filter(
      (r) => r.destination_cidr_block === "10.50.0.0/16",
    );
    expect(aaaRoutes.map((r) => r.vpc_peering_connection_id)).toEqual([
      "pcx-0123456789abcdef0",
      "pcx-0123456789abcdef0",
    ]);
    expect(synthesized).toHaveResourceWithProperties(Route53ZoneAssociation, { zone_id: "Z0123456789ABCDEFGHIJ" });
    expect(network.aaaCidr).toBe("10.50.0.0/16");
  });

  test("creates no AAA route or zone association by default", () => {
    expect(dev.synthesized).not.toHaveResource(Route53ZoneAssociation);
    expect(dev.network.aaaCidr).toBeUndefined();
  });

  test("exposes subnet ids by tier in AZ order", () => {
    expect(resolveIn(production.stack, production.network.database.ids)).toEqual([
      expect.stringMatching(/^\$\{aws_subnet\.network_database-subnet-0_.*\.id\}$/),
      expect.stringMatching(/^\$\{aws_subnet\.network_database-subnet-1_.*\.id\}$/),
    ]);
  });
});

describe("Network: defaults of the optional props", () => {
  // GIVEN a network with only the required props (no natGateways, interfaceEndpoints, flowLogRetentionDays)
  const stack = new TerraformStack(Testing.app(), "network-defaults");
  const naming = new Naming("farmers-module", "dev");
  new Network(stack, "network", {
    naming,
    accountId: "123456789012",
    partition: "aws",
    region: "us-east-1",
    availabilityZones: ["us-east-1a", "us-east-1b"],
    vpcCidr: "10.0.0.0/16",
    publicSubnetCidrs: ["10.0.1.0/24", "10.0.2.0/24"],
    privateSubnetCidrs: ["10.0.11.0/24", "10.0.12.0/24"],
    databaseSubnetCidrs: ["10.0.21.0/24", "10.0.22.0/24"],
    logsKey: fixtureLogsKey(stack, naming),
  });
  const json = JSON.parse(Testing.synth(stack)) as Json;

  test("one NAT gateway per availability zone", () => {
    // WHEN synthesized THEN each AZ's public subnet has its own NAT gateway
    expect(Object.keys(resourcesOf(json, "aws_nat_gateway"))).toHaveLength(2);
  });

  test("no interface endpoints, only the S3 gateway endpoint", () => {
    // WHEN synthesized THEN the only endpoint is the free gateway one
    expect(Object.values(resourcesOf(json, "aws_vpc_endpoint")).map((e) => e.vpc_endpoint_type)).toEqual(["Gateway"]);
  });

  test("flow logs kept for 30 days", () => {
    // WHEN synthesized THEN the flow-log group's retention is 30 days
    expect(Object.values(resourcesOf(json, "aws_cloudwatch_log_group")).map((g) => g.retention_in_days)).toEqual([30]);
  });
});
