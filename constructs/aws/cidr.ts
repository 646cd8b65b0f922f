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
