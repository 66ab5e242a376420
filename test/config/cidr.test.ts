import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, cidrProblem, ipv4ToInt, ipv6ToWords } from '../../src/config/cidr.js';

/** IPv6 text to the decoder's four words. */
function words(text: string): Uint32Array {
  const out = new Uint32Array(4);
  ipv6ToWords(text, out);
  return out;
}

describe('cidrProblem', () => {
  it('accepts addresses and CIDRs of both families', () => {
    for (const ok of ['10.0.0.0/8', '192.0.2.7', '0.0.0.0/0', '1.2.3.4/32', '::1', '::/0', '2001:db8::/32', '::ffff:10.0.0.1/128']) {
      assert.equal(cidrProblem(ok), undefined, ok);
    }
  });

  it('names what is wrong', () => {
    assert.equal(cidrProblem('10.0.0.256'), '"10.0.0.256" is not an IPv4 or IPv6 address');
    assert.equal(cidrProblem('10.0.0.0/33'), 'prefix "/33" is not between /0 and /32 for IPv4');
    assert.equal(cidrProblem('::1/129'), 'prefix "/129" is not between /0 and /128 for IPv6');
    assert.equal(cidrProblem('10.0.0.0/'), 'prefix "/" is not between /0 and /32 for IPv4');
    assert.equal(cidrProblem('10.0.0.0/-1'), 'prefix "/-1" is not between /0 and /32 for IPv4');
    assert.equal(cidrProblem('fe80::1%eth0'), '"fe80::1%eth0" is not an IPv4 or IPv6 address');
    assert.equal(cidrProblem('example.com'), '"example.com" is not an IPv4 or IPv6 address');
  });
});

describe('ipv6ToWords', () => {
  it('expands :: and embedded IPv4', () => {
    assert.deepEqual([...words('2001:db8::1')], [0x20010db8, 0, 0, 1]);
    assert.deepEqual([...words('::')], [0, 0, 0, 0]);
    assert.deepEqual([...words('1::')], [0x00010000, 0, 0, 0]);
    assert.deepEqual([...words('::ffff:192.0.2.1')], [0, 0, 0xffff, 0xc0000201]);
    assert.deepEqual([...words('fe80:1:2:3:4:5:6:7')], [0xfe800001, 0x00020003, 0x00040005, 0x00060007]);
  });
});

describe('CidrSet', () => {
  it('matches IPv4 networks, with signed or unsigned addresses', () => {
    const set = new CidrSet(['10.0.0.0/8', '192.168.1.0/24']);
    assert.equal(set.size, 2);
    assert.equal(set.has4(ipv4ToInt('10.255.255.255')), true);
    assert.equal(set.has4(ipv4ToInt('11.0.0.0')), false);
    assert.equal(set.has4(ipv4ToInt('192.168.1.200')), true);
    assert.equal(set.has4(ipv4ToInt('192.168.2.1')), false);
    assert.equal(set.has4(0xc0a801c8), true, 'uint32 form of 192.168.1.200');
  });

  it('handles /32 and /0 edges', () => {
    const host = new CidrSet(['192.0.2.7/32', '198.51.100.1']);
    assert.equal(host.has4(ipv4ToInt('192.0.2.7')), true);
    assert.equal(host.has4(ipv4ToInt('192.0.2.6')), false);
    assert.equal(host.has4(ipv4ToInt('192.0.2.8')), false);
    assert.equal(host.has4(ipv4ToInt('198.51.100.1')), true);
    const all = new CidrSet(['0.0.0.0/0']);
    assert.equal(all.has4(0), true);
    assert.equal(all.has4(-1), true);
    assert.equal(all.has4(ipv4ToInt('255.255.255.255')), true);
    assert.equal(all.has6(words('::1')), false, 'an IPv4 /0 is not every IPv6 address');
  });

  it('clears host bits of the network', () => {
    assert.equal(new CidrSet(['10.1.2.3/8']).has4(ipv4ToInt('10.200.0.1')), true);
  });

  it('matches IPv6 networks across word boundaries', () => {
    const set = new CidrSet(['2001:db8::/32', 'fe80::/10', '2001:db8:0:0:1::/80']);
    assert.equal(set.has6(words('2001:db8:ffff::1')), true);
    assert.equal(set.has6(words('2001:db9::1')), false);
    assert.equal(set.has6(words('febf:ffff::1')), true);
    assert.equal(set.has6(words('fec0::1')), false);
    const narrow = new CidrSet(['2001:db8:0:0:1::/80']);
    assert.equal(narrow.has6(words('2001:db8::1:0:ffff:ffff')), true);
    assert.equal(narrow.has6(words('2001:db8::1:ffff:0:0')), true);
    assert.equal(narrow.has6(words('2001:db8::2:0:0:0')), false);
    assert.equal(narrow.has6(words('2001:db8:0:1:1::')), false);
  });

  it('handles /128 and /0 edges', () => {
    const host = new CidrSet(['2001:db8::7/128', '::1']);
    assert.equal(host.has6(words('2001:db8::7')), true);
    assert.equal(host.has6(words('2001:db8::6')), false);
    assert.equal(host.has6(words('2001:db8::8')), false);
    assert.equal(host.has6(words('::1')), true);
    const all = new CidrSet(['::/0']);
    assert.equal(all.has6(words('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')), true);
    assert.equal(all.has6(words('::')), true);
    assert.equal(all.has4(ipv4ToInt('10.0.0.1')), false, 'an IPv6 /0 is not every IPv4 address');
  });

  it('matches IPv4-mapped IPv6 addresses against IPv4 entries', () => {
    const set = new CidrSet(['10.0.0.0/8']);
    assert.equal(set.has6(words('::ffff:10.1.2.3')), true);
    assert.equal(set.has6(words('::ffff:11.1.2.3')), false);
  });

  it('answers text addresses and rejects bad entries', () => {
    const set = new CidrSet(['10.0.0.0/8', '2001:db8::/32']);
    assert.equal(set.hasAddr('10.9.9.9'), true);
    assert.equal(set.hasAddr('2001:db8::5'), true);
    assert.equal(set.hasAddr('192.0.2.1'), false);
    assert.equal(set.hasAddr('not an address'), false);
    assert.equal(new CidrSet([]).has4(0), false);
    assert.throws(() => new CidrSet(['10.0.0.0/40']), /bad CIDR "10.0.0.0\/40": prefix "\/40" is not between \/0 and \/32 for IPv4/);
  });
});
