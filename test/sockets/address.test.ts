import { test } from "node:test";
import assert from "node:assert/strict";
import { formatIpv6, unmapIpv4 } from "../../src/sockets/address.js";

const bytesOf = (hex: string): number[] => hex.match(/../g)!.map((b) => Number.parseInt(b, 16));

test("IPv6 text follows RFC 5952", () => {
  assert.equal(formatIpv6(bytesOf("00000000000000000000000000000001")), "::1");
  assert.equal(formatIpv6(bytesOf("00000000000000000000000000000000")), "::");
  assert.equal(formatIpv6(bytesOf("20010db8000000010000000000000015")), "2001:db8:0:1::15");
  assert.equal(formatIpv6(bytesOf("fe800000000000000a0027fffe4e66a1")), "fe80::a00:27ff:fe4e:66a1");
  // the first of two equally long zero runs is the one compressed; a single zero group is not
  assert.equal(formatIpv6(bytesOf("20010db8000000000001000000000001")), "2001:db8::1:0:0:1");
  assert.equal(formatIpv6(bytesOf("20010db8000000010001000100010001")), "2001:db8:0:1:1:1:1:1");
  assert.equal(formatIpv6(bytesOf("00010000000000000000000000000000")), "1::");
});

test("IPv4-mapped addresses read as the IPv4 address", () => {
  assert.equal(formatIpv6(bytesOf("00000000000000000000ffff7f000001")), "127.0.0.1");
  assert.equal(unmapIpv4("::ffff:127.0.0.1"), "127.0.0.1");
  assert.equal(unmapIpv4("::FFFF:10.0.0.2"), "10.0.0.2");
  assert.equal(unmapIpv4("FE80::1%lo0"), "fe80::1%lo0");
  assert.equal(unmapIpv4("::1"), "::1");
});
