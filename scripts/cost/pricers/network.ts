import { literalLength, type TerraformBlock } from "../../../constructs/terraform-json";
import { each, fmt, type Pricer } from "../model";
import { PRICES } from "../prices-us-east-1";

/** Network: NAT gateways, public IPv4, VPC endpoints, transit gateway attachments; load balancers and egress. */

/** `aws_nat_gateway`: hours, and the stack's NAT data split evenly between its gateways. */
export const natGateways: Pricer = (nats, { add, hours, assumptions: a }) => {
  for (const nat of nats) {
    add(nat, "network", `NAT gateway: ${hours} h × $${PRICES.natGatewayHour.usd}/h`, hours * PRICES.natGatewayHour.usd);
    const share = a.natDataGb / nats.length;
    add(
      nat,
      "network",
      `NAT data processed: ${fmt(share)} GB (${fmt(a.natDataGb)} GB shared by ${nats.length})`,
      share * PRICES.natGatewayGb.usd,
    );
  }
};

/** `aws_eip`: a public IPv4 address all month. */
export const elasticIp = each((eip: TerraformBlock, { add, hours }) =>
  add(
    eip,
    "network",
    `public IPv4 (Elastic IP): ${hours} h × $${PRICES.publicIpv4Hour.usd}/h`,
    hours * PRICES.publicIpv4Hour.usd,
  ),
);

/** `aws_vpc_endpoint`: gateway endpoints are free; interface endpoints per AZ-hour plus data. */
export const vpcEndpoint = each((ep: TerraformBlock, { add, skip, hours, assumptions: a }) => {
  const kind: string = ep.config.vpc_endpoint_type ?? "Gateway";
  if (kind === "Gateway") {
    add(ep, "network", `gateway endpoint (${serviceShortName(ep.config.service_name)}): free`, 0);
  } else if (kind === "Interface") {
    const azs = literalLength(ep.config.subnet_ids) ?? a.lbAzsWhenUnknown;
    add(
      ep,
      "network",
      `interface endpoint (${serviceShortName(ep.config.service_name)}): ${azs} AZ × ${hours} h`,
      azs * hours * PRICES.interfaceEndpointAzHour.usd,
    );
    add(
      ep,
      "network",
      `interface endpoint data: ${fmt(a.interfaceEndpointDataGb)} GB`,
      a.interfaceEndpointDataGb * PRICES.interfaceEndpointGb.usd,
    );
  } else {
    skip(ep, `VPC endpoint type ${kind} is not priced`);
  }
});

/** `aws_ec2_transit_gateway_vpc_attachment`: hours plus data. */
export const transitGatewayAttachment = each((att: TerraformBlock, { add, hours, assumptions: a }) => {
  add(att, "network", `transit gateway attachment: ${hours} h`, hours * PRICES.transitGatewayAttachmentHour.usd);
  add(
    att,
    "network",
    `transit gateway data: ${fmt(a.transitGatewayDataGb)} GB`,
    a.transitGatewayDataGb * PRICES.transitGatewayGb.usd,
  );
});

/**
 * `aws_lb`, `aws_alb`: hours and capacity units (LCUs only while the stack's services are
 * awake), the public IPv4 addresses of an internet-facing one, and the stack's data out to the
 * internet on the first internet-facing one.
 */
export const loadBalancers: Pricer = (lbs, { add, skip, hours, assumptions: a, serviceHours }) => {
  let internetFacing: TerraformBlock | undefined;
  const lcuHours = serviceHours.length > 0 ? Math.max(...serviceHours) : hours;
  for (const lb of lbs) {
    const kind: string = lb.config.load_balancer_type ?? "application";
    const publicLb = lb.config.internal !== true;
    const azs = literalLength(lb.config.subnets) ?? literalLength(lb.config.subnet_mapping) ?? a.lbAzsWhenUnknown;
    if (kind === "application") {
      add(
        lb,
        "loadBalancing",
        `Application Load Balancer: ${hours} h × $${PRICES.albHour.usd}/h`,
        hours * PRICES.albHour.usd,
      );
      // LCUs measure traffic: a stack whose services sleep serves none while asleep.
      const asleep = lcuHours < hours ? " while the service is awake" : "";
      add(
        lb,
        "loadBalancing",
        `LCUs: ${fmt(a.albLcu)} LCU × ${fmt(lcuHours)} h${asleep} × $${PRICES.albLcuHour.usd}`,
        a.albLcu * lcuHours * PRICES.albLcuHour.usd,
      );
    } else if (kind === "network") {
      add(
        lb,
        "loadBalancing",
        `Network Load Balancer: ${hours} h × $${PRICES.nlbHour.usd}/h`,
        hours * PRICES.nlbHour.usd,
      );
      add(
        lb,
        "loadBalancing",
        `NLCUs: ${fmt(a.albLcu)} × ${hours} h × $${PRICES.nlbLcuHour.usd}`,
        a.albLcu * hours * PRICES.nlbLcuHour.usd,
      );
    } else {
      skip(lb, `load balancer type ${kind} is not priced`);
      continue;
    }
    if (publicLb) {
      add(
        lb,
        "network",
        `public IPv4 of the internet-facing load balancer: ${azs} AZ × ${hours} h`,
        azs * hours * PRICES.publicIpv4Hour.usd,
      );
      internetFacing ??= lb;
    }
  }
  if (internetFacing)
    add(
      internetFacing,
      "dataTransfer",
      `data out to the internet: ${fmt(a.internetEgressGb)} GB × $${PRICES.dataTransferOutGb.usd}/GB`,
      a.internetEgressGb * PRICES.dataTransferOutGb.usd,
    );
};

function serviceShortName(serviceName: unknown): string {
  return typeof serviceName === "string" ? serviceName.replace(/^com\.amazonaws\.[^.]+\./, "") : "?";
}
