import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  arpRequest,
  ethernet,
  fragmentIpv4,
  fragmentIpv6,
  icmpEcho,
  icmpPacket,
  ipv4Packet,
  ipv6Packet,
  linuxSll,
  linuxSll2,
  nullLoopback,
  parseIp,
  tcpFlagBits,
  tcpPacket,
  udpPacket,
} from '../../../src/tools/craft/frame.js';
import { pcapBytes } from '../../../src/capture/pcap-writer.js';
import { checksumAdd, checksumFinish } from '../../../src/decode/checksum.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('parseIp reads IPv4 and every RFC 4291 IPv6 form', () => {
  assert.equal(hex(parseIp('192.0.2.1').bytes), 'c0000201');
  assert.equal(parseIp('192.0.2.1').family, 4);
  assert.equal(hex(parseIp('::').bytes), '0'.repeat(32));
  assert.equal(hex(parseIp('::1').bytes), '0'.repeat(31) + '1');
  assert.equal(hex(parseIp('2001:DB8::8:800:200C:417A').bytes), '20010db80000000000080800200c417a');
  assert.equal(hex(parseIp('2001:db8:0:0:8:800:200c:417a').bytes), '20010db80000000000080800200c417a');
  assert.equal(hex(parseIp('fe80::').bytes), 'fe80' + '0'.repeat(28));
  assert.equal(hex(parseIp('::ffff:192.0.2.1').bytes), '00000000000000000000ffffc0000201');
  assert.equal(hex(parseIp('::13.1.68.3').bytes), '0000000000000000000000000d014403');
  assert.equal(hex(parseIp('0:0:0:0:0:ffff:1.2.3.4').bytes), '00000000000000000000ffff01020304');
  for (const bad of ['1.2.3', '256.1.1.1', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'host', '1:2:3:4:5:6:7', '::1:2:3:4:5:6:7:8']) {
    assert.throws(() => parseIp(bad), RangeError, bad);
  }
});

test('tcpFlagBits reads hping3-style letters and numbers', () => {
  assert.equal(tcpFlagBits('S'), 0x02);
  assert.equal(tcpFlagBits('SA'), 0x12);
  assert.equal(tcpFlagBits('PA'), 0x18);
  assert.equal(tcpFlagBits('FA'), 0x11);
  assert.equal(tcpFlagBits('RA'), 0x14);
  assert.equal(tcpFlagBits('FPU'), 0x29);
  assert.equal(tcpFlagBits('EC'), 0xc0);
  assert.equal(tcpFlagBits(''), 0);
  assert.equal(tcpFlagBits(0x1ff), 0xff);
  assert.throws(() => tcpFlagBits('SX'), /unknown TCP flag letter "X"/);
});

test('tcpPacket over IPv4 lays out every field and valid checksums', () => {
  const d = tcpPacket({
    src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, flags: 'PA', seq: 0xfffffff0, ack: 7,
    options: Uint8Array.from([2, 4, 5, 0xb4, 1]), payload: 'hi', ttl: 33, ipId: 0x1234,
  });
  assert.equal(d.length, 20 + 28 + 2);
  assert.equal(d[0], 0x45);
  assert.equal(d.readUInt16BE(2), 50);
  assert.equal(d.readUInt16BE(4), 0x1234);
  assert.equal(d[8], 33);
  assert.equal(d[9], 6);
  assert.equal(hex(d.subarray(12, 20)), '0a0000010a000002');
  assert.equal(checksumFinish(checksumAdd(0, d, 0, 20)), 0, 'IPv4 header checksum verifies to zero');
  assert.equal(d.readUInt16BE(20), 40000);
  assert.equal(d.readUInt32BE(24), 0xfffffff0);
  assert.equal(d.readUInt32BE(28), 7);
  assert.equal(d[32] >> 4, 7, 'data offset covers 5 option bytes padded to 8');
  assert.equal(d[33], 0x18);
  assert.equal(d.readUInt16BE(34), 64240);
  assert.equal(hex(d.subarray(40, 48)), '020405b401000000');
  assert.equal(d.subarray(48).toString(), 'hi');
});

test('defaults: TTL 64, window 64240, seq 0, IPv4 id 1', () => {
  const d = tcpPacket({ src: '1.1.1.1', dst: '2.2.2.2', sport: 1, dport: 2, flags: 'S' });
  assert.equal(d[8], 64);
  assert.equal(d.readUInt16BE(4), 1);
  assert.equal(d.readUInt32BE(24), 0);
  assert.equal(d.readUInt16BE(34), 64240);
  const v6 = udpPacket({ src: '::1', dst: '::2', sport: 1, dport: 2 });
  assert.equal(v6[0] >> 4, 6);
  assert.equal(v6[7], 64);
  assert.equal(v6[6], 17);
  assert.equal(v6.readUInt16BE(4), 8);
});

test('ipv4Packet sets flags, fragment offset and pads options', () => {
  const d = ipv4Packet({ src: '1.2.3.4', dst: '5.6.7.8', proto: 17, payload: new Uint8Array(8), dontFragment: true, moreFragments: true, fragOffset: 24, options: Uint8Array.from([1, 1, 1]) });
  assert.equal(d[0], 0x46);
  assert.equal(d.readUInt16BE(6), 0x4000 | 0x2000 | 3);
  assert.equal(hex(d.subarray(20, 24)), '01010100');
  assert.equal(checksumFinish(checksumAdd(0, d, 0, 24)), 0);
  assert.throws(() => ipv4Packet({ src: '1.2.3.4', dst: '5.6.7.8', proto: 17, payload: new Uint8Array(0), fragOffset: 12 }), /multiple of 8/);
  assert.throws(() => ipv4Packet({ src: '1.2.3.4', dst: '::1', proto: 17, payload: new Uint8Array(0) }), /IPv4 addresses/);
});

test('ipv6Packet chains extension headers and pads option headers to 8 bytes', () => {
  const d = ipv6Packet({
    src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, payload: new Uint8Array(8),
    extHeaders: [{ type: 0, data: new Uint8Array(0) }, { type: 43, data: Uint8Array.from([0, 0, 0, 0, 0, 0]) }, { type: 60, data: Uint8Array.from([1, 2, 0, 0]) }],
  });
  assert.equal(d.length, 40 + 24 + 8);
  assert.equal(d.readUInt16BE(4), 32);
  assert.equal(d[6], 0);
  assert.equal(hex(d.subarray(40, 48)), '2b00010400000000', 'hop-by-hop: next routing, PadN of 4');
  assert.equal(hex(d.subarray(48, 56)), '3c00000000000000', 'routing: next dest-opts');
  assert.equal(hex(d.subarray(56, 64)), '1100010200000100', 'dest-opts: next UDP, data then PadN of 0');
});

test('icmpEcho builds ICMP and ICMPv6 echo request and reply', () => {
  const v4 = icmpEcho({ src: '10.0.0.1', dst: '10.0.0.2', id: 0x1234, seq: 5, payload: 'abc' });
  assert.equal(v4[9], 1);
  assert.deepEqual([v4[20], v4[21], v4.readUInt16BE(24), v4.readUInt16BE(26)], [8, 0, 0x1234, 5]);
  assert.equal(checksumFinish(checksumAdd(0, v4, 20, v4.length)), 0);
  assert.equal(icmpEcho({ src: '10.0.0.1', dst: '10.0.0.2', id: 1, seq: 1, reply: true })[20], 0);
  const v6 = icmpEcho({ src: 'fe80::1', dst: 'fe80::2', id: 9, seq: 10, reply: true });
  assert.equal(v6[6], 58);
  assert.deepEqual([v6[40], v6.readUInt16BE(44), v6.readUInt16BE(46)], [129, 9, 10]);
  const unreach = icmpPacket({ src: '10.0.0.1', dst: '10.0.0.2', type: 3, code: 3, body: new Uint8Array(4) });
  assert.deepEqual([unreach[20], unreach[21], unreach.length], [3, 3, 28]);
});

test('fragmentIpv4 splits payload at multiples of 8 with MF on all but the last', () => {
  const whole = udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: new Uint8Array(92) });
  const frags = fragmentIpv4(whole, 40);
  assert.deepEqual(frags.map((f) => f.length), [60, 60, 40]);
  assert.deepEqual(frags.map((f) => f.readUInt16BE(6)), [0x2000, 0x2000 | 5, 10]);
  for (const f of frags) assert.equal(checksumFinish(checksumAdd(0, f, 0, 20)), 0);
  assert.deepEqual(Buffer.concat(frags.map((f) => f.subarray(20))), whole.subarray(20));
  assert.throws(() => fragmentIpv4(whole, 12), /multiple of 8/);
});

test('fragmentIpv6 keeps the unfragmentable part and inserts a fragment header', () => {
  const whole = ipv6Packet({
    src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, payload: new Uint8Array(100).fill(7),
    extHeaders: [{ type: 0, data: new Uint8Array(0) }, { type: 60, data: new Uint8Array(0) }],
  });
  const frags = fragmentIpv6(whole, 64, 0xabcdef01);
  // Fragmentable part: dest-opts (8) + 100 payload = 108 -> 64 + 44.
  assert.deepEqual(frags.map((f) => f.length), [40 + 8 + 8 + 64, 40 + 8 + 8 + 44]);
  for (const [i, f] of frags.entries()) {
    assert.equal(f[6], 0);
    assert.equal(f[40], 44, 'hop-by-hop now points at the fragment header');
    assert.equal(f[48], 60, 'fragment header next = dest-opts');
    assert.equal(f.readUInt16BE(4), f.length - 40);
    assert.equal(f.readUInt32BE(52), 0xabcdef01);
    assert.equal(f.readUInt16BE(50), i === 0 ? 1 : 64);
  }
});

test('link layers: Ethernet with VLAN/QinQ, ARP, SLL, SLL2, null loopback', () => {
  const ip = udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 });
  const e = ethernet(ip, { vlans: [100, 200] });
  assert.equal(hex(e.subarray(0, 24)), '020000000002' + '020000000001' + '88a80064' + '810000c8' + '0800' + '4500');
  assert.equal(hex(ethernet(ip, { vlans: [5] }).subarray(12, 18)), '810000050800');
  const a = arpRequest({ senderIp: '10.0.0.1', targetIp: '10.0.0.2' });
  assert.equal(a.length, 42);
  assert.equal(hex(a.subarray(0, 6)), 'ffffffffffff');
  assert.equal(hex(a.subarray(12, 22)), '08060001080006040001');
  assert.equal(hex(a.subarray(28, 32)), '0a000001');
  assert.equal(hex(a.subarray(38, 42)), '0a000002');
  assert.equal(arpRequest({ senderIp: '10.0.0.1', targetIp: '10.0.0.2', reply: true }).readUInt16BE(20), 2);
  const s = linuxSll(ip, { packetType: 4 });
  assert.equal(hex(s.subarray(0, 17)), '0004' + '0001' + '0006' + '0200000000010000' + '0800' + '45');
  const s2 = linuxSll2(udpPacket({ src: '::1', dst: '::1', sport: 1, dport: 2 }), { ifindex: 3 });
  assert.equal(hex(s2.subarray(0, 21)), '86dd' + '0000' + '00000003' + '0001' + '00' + '06' + '0200000000010000' + '60');
  assert.equal(hex(nullLoopback(ip).subarray(0, 4)), '02000000');
  assert.equal(hex(nullLoopback(ip, { bigEndian: true }).subarray(0, 4)), '00000002');
  assert.equal(hex(nullLoopback(s2.subarray(20)).subarray(0, 4)), '1e000000');
});

const TSHARK = '/usr/bin/tshark';

test('tshark agrees every checksum is good', { skip: !existsSync(TSHARK) && 'tshark not installed' }, () => {
  const frames = [
    ethernet(tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 80, flags: 'PA', seq: 1000, ack: 2000, payload: 'GET / HTTP/1.1\r\n\r\n', options: Uint8Array.from([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]) })),
    ethernet(udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5000, dport: 5001, payload: 'hello' }), { vlans: [7] }),
    ethernet(icmpEcho({ src: '10.0.0.1', dst: '10.0.0.2', id: 7, seq: 9, payload: 'ping!' })),
    ethernet(icmpEcho({ src: '2001:db8::1', dst: '2001:db8::2', id: 7, seq: 9, payload: 'ping6' })),
    ethernet(tcpPacket({ src: '2001:db8::1', dst: 'fe80::2', sport: 1, dport: 2, flags: 'S', payload: 'odd' })),
    ethernet(udpPacket({ src: '2001:db8::1', dst: '2001:db8::2', sport: 5000, dport: 5001, payload: 'x' }), { vlans: [10, 20] }),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'rampart-craft-'));
  try {
    const file = join(dir, 'craft.pcap');
    writeFileSync(file, pcapBytes(frames.map((data, i) => ({ data, tsUs: 1_700_000_000_000_000 + i }))));
    const out = execFileSync(TSHARK, [
      '-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-T', 'fields', '-E', 'separator=,', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status',
      '-e', 'icmp.checksum.status', '-e', 'icmpv6.checksum.status',
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    // Status 1 is "Good"; each frame lists its checksums in the order ip, tcp, udp, icmp, icmpv6.
    assert.deepEqual(out.trim().split('\n'), ['1,1,,,', '1,,1,,', '1,,,1,', ',,,,1', ',1,,,', ',,1,,']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
