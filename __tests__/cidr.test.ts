import { formatCidr, parseCidr, referenceSubnetCidrs } from "../constructs/aws/cidr";

/** The CIDR helpers of constructs/aws/cidr.ts: the reference's subnet layout derived from a VPC. */

describe("referenceSubnetCidrs", () => {
  test("lays a /16 out as the reference does: public .1-.2, private .11-.12, database .21-.22", () => {
    expect(referenceSubnetCidrs("10.7.0.0/16", 2)).toEqual({
      public: ["10.7.1.0/24", "10.7.2.0/24"],
      private: ["10.7.11.0/24", "10.7.12.0/24"],
      database: ["10.7.21.0/24", "10.7.22.0/24"],
    });
  });

  test("one /24 per zone in each tier, counted from the VPC's first address", () => {
    // GIVEN a /19 that does not start at .0 of its /16, and three zones
    expect(referenceSubnetCidrs("172.16.32.0/19", 3)).toEqual({
      public: ["172.16.33.0/24", "172.16.34.0/24", "172.16.35.0/24"],
      private: ["172.16.43.0/24", "172.16.44.0/24", "172.16.45.0/24"],
      database: ["172.16.53.0/24", "172.16.54.0/24", "172.16.55.0/24"],
    });
  });

  test("derives nothing for a VPC smaller than the layout (a /20 holds sixteen /24s, the database tier needs 23)", () => {
    expect(referenceSubnetCidrs("10.0.0.0/20", 2)).toBeUndefined();
  });

  test("derives nothing for more than ten zones (a tier would run into the next one)", () => {
    expect(referenceSubnetCidrs("10.0.0.0/16", 11)).toBeUndefined();
  });

  test("derives nothing for a malformed VPC block", () => {
    expect(referenceSubnetCidrs("10.0.0.1/16", 2)).toBeUndefined();
  });
});

describe("formatCidr", () => {
  test("prints what parseCidr reads", () => {
    for (const cidr of ["0.0.0.0/0", "10.3.22.0/24", "255.255.255.255/32", "192.168.128.0/17"])
      expect(formatCidr(parseCidr(cidr)!)).toBe(cidr);
  });
});
