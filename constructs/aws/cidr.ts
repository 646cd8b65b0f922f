/** Minimal IPv4 CIDR arithmetic for configuration checks and constructs (no dependency needed for this much). */

export interface Ipv4Block {
  readonly network: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined when malformed or when host bits are set. */
export function parseCidr(cidr: string): Ipv4Block | undefined {
  const m = CIDR_PATTERN.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return undefined;
  return { network: address, prefix };
}

function bounds(block: Ipv4Block): [number, number] {
  return [block.network, block.network + 2 ** (32 - block.prefix) - 1];
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  const [os, oe] = bounds(outer);
  const [is, ie] = bounds(inner);
  return is >= os && ie <= oe;
}

/** True when the two blocks share at least one address. */
export function cidrOverlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  const [as, ae] = bounds(a);
  const [bs, be] = bounds(b);
  return as <= be && bs <= ae;
}

/** `a.b.c.d/n` of a block. */
export function formatCidr(block: Ipv4Block): string {
  const n = block.network;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".")}/${block.prefix}`;
}

/**
 * Where each subnet tier starts inside the VPC, in /24 blocks from its first address: the
 * reference's layout (public 10.x.1.0/24 and 10.x.2.0/24, private .11 and .12, database .21 and
 * .22 in 10.x.0.0/16), one /24 per availability zone. Ten zones at most per tier before the next
 * tier's range begins.
 */
export const SUBNET_TIER_OFFSETS = { public: 1, private: 11, database: 21 } as const;
export type SubnetTier = keyof typeof SUBNET_TIER_OFFSETS;
/** Zones one tier can hold before it reaches the next tier's offset. */
export const MAX_DERIVED_ZONES = 10;

/**
 * The reference's subnets of a VPC: per tier, the /24 at (tier offset + zone index) /24 blocks
 * from the VPC's start. Undefined when `vpcCidr` is malformed, when the VPC is too small to hold
 * the database tier's last /24 (a /19 or larger holds two zones), or with more than
 * MAX_DERIVED_ZONES zones.
 */
export function referenceSubnetCidrs(vpcCidr: string, zones: number): Record<SubnetTier, string[]> | undefined {
  const vpc = parseCidr(vpcCidr);
  if (!vpc || vpc.prefix > 24 || zones > MAX_DERIVED_ZONES) return undefined;
  if (SUBNET_TIER_OFFSETS.database + zones > 2 ** (24 - vpc.prefix)) return undefined;
  const tier = (offset: number) =>
    Array.from({ length: zones }, (_, i) => formatCidr({ network: vpc.network + (offset + i) * 256, prefix: 24 }));
  return {
    public: tier(SUBNET_TIER_OFFSETS.public),
    private: tier(SUBNET_TIER_OFFSETS.private),
    database: tier(SUBNET_TIER_OFFSETS.database),
  };
}
