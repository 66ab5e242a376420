import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../src/decode/decoder.js';
import { decodeEventName } from '../../src/decode/events.js';
import { formatIp4, formatIp6, IpProto, L3, LinkType, Packet, TcpFlag, addrKey6, dstAddrText, srcAddrText } from '../../src/decode/packet.js';
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
  tcpPacket,
  udpPacket,
} from '../../src/tools/craft/frame.js';

interface Decoded {
  readonly p: Packet;
  readonly d: Decoder;
}

function decode(frame: Buffer, linkType: number = LinkType.ETHERNET, capLen = frame.length): Decoded {
  const d = new Decoder();
  const p = new Packet();
  d.decode(p, frame, 0, capLen, linkType);
  return { p, d };
}

/** Names of the events recorded on p. */
function events(p: Packet): string[] {
  return Array.from(p.events.subarray(0, p.eventCount), decodeEventName);
}

/** A copy of `b` with bytes set at the given positions. */
function patched(b: Buffer, edits: Readonly<Record<number, number>>): Buffer {
  const c = Buffer.from(b);
  for (const [at, v] of Object.entries(edits)) c[Number(at)] = v;
  return c;
}

const TS_OPTION = Uint8Array.from([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]);
const tcp4 = (extra: Partial<Parameters<typeof tcpPacket>[0]> = {}): Buffer =>
  tcpPacket({ src: '192.168.1.10', dst: '10.0.0.80', sport: 51234, dport: 80, flags: 'PA', seq: 0xfffffff0, ack: 0x80000001, window: 501, payload: 'GET / HTTP/1.1\r\n\r\n', ...extra });
const udp4 = (payload: string | Uint8Array = 'hello'): Buffer => udpPacket({ src: '10.1.1.1', dst: '10.1.1.2', sport: 5353, dport: 53, payload });
const udp6 = (): Buffer => udpPacket({ src: '2001:db8::1', dst: 'fe80::2', sport: 546, dport: 547, payload: 'dhcp6' });

test('Ethernet/IPv4/TCP round trip: every crafted field comes back', () => {
  const ip = tcp4({ options: TS_OPTION, ttl: 57, ipId: 77 });
  const frame = ethernet(ip);
  // The frame sits inside a larger read buffer, with another frame's bytes after it.
  const buf = Buffer.concat([Buffer.alloc(100, 0xee), frame, Buffer.alloc(50, 0xee)]);
  const d = new Decoder();
  const p = new Packet();
  p.tsUs = 123;
  p.index = 9;
  d.decode(p, buf, 100, frame.length, LinkType.ETHERNET);
  assert.equal(p.buf, buf);
  assert.deepEqual([p.frameOffset, p.capLen, p.linkType, p.tsUs, p.index], [100, frame.length, 1, 123, 9]);
  assert.equal(p.l3, L3.IPV4);
  assert.deepEqual([p.ipOffset, p.ipHdrLen, p.ipLen, p.ttl, p.ipProto], [114, 20, ip.length, 57, IpProto.TCP]);
  assert.equal(formatIp4(p.src4), '192.168.1.10');
  assert.equal(formatIp4(p.dst4), '10.0.0.80');
  assert.equal(p.src4, (192 << 24) | (168 << 16) | (1 << 8) | 10);
  assert.equal(p.srcKey, p.src4);
  assert.equal(p.dstKey, p.dst4);
  assert.equal(srcAddrText(p), '192.168.1.10');
  assert.equal(dstAddrText(p), '10.0.0.80');
  assert.equal(p.isFragment, false);
  assert.equal(p.hasL4, true);
  assert.deepEqual([p.srcPort, p.dstPort], [51234, 80]);
  assert.equal(p.tcpFlags, TcpFlag.PSH | TcpFlag.ACK);
  assert.equal(p.tcpSeq, 0xfffffff0);
  assert.equal(p.tcpAck, 0x80000001);
  assert.equal(p.tcpWindow, 501);
  assert.equal(p.tcpHdrLen, 32);
  assert.equal(p.payloadOffset, 100 + 14 + 20 + 32);
  assert.equal(p.payloadLen, 18);
  assert.equal(buf.toString('latin1', p.payloadOffset, p.payloadOffset + p.payloadLen), 'GET / HTTP/1.1\r\n\r\n');
  assert.equal(p.eventCount, 0);
  assert.deepEqual([p.vlan0, p.vlan1], [0, 0]);
});

test('Ethernet padding is not payload: length comes from the IP header', () => {
  const syn = ethernet(tcp4({ flags: 'S', payload: undefined }));
  assert.equal(syn.length, 54);
  const padded = Buffer.concat([syn, Buffer.alloc(6, 0xaa)]);
  const { p } = decode(padded);
  assert.equal(p.hasL4, true);
  assert.equal(p.tcpFlags, TcpFlag.SYN);
  assert.equal(p.payloadOffset, 54);
  assert.equal(p.payloadLen, 0);

  const two = ethernet(tcp4({ payload: 'hi' }));
  const { p: q } = decode(Buffer.concat([two, Buffer.alloc(4, 0xaa)]));
  assert.equal(q.payloadLen, 2);
  assert.equal(q.ipLen, 42);

  const udp = ethernet(udp4('x'));
  const { p: u } = decode(Buffer.concat([udp, Buffer.alloc(60 - udp.length)]));
  assert.deepEqual([u.hasL4, u.payloadLen, u.payloadOffset], [true, 1, 42]);
});

test('a reused Packet carries nothing over from the previous frame', () => {
  const d = new Decoder();
  const p = new Packet();
  const first = ethernet(tcp4(), { vlans: [7] });
  d.decode(p, first, 0, first.length, LinkType.ETHERNET);
  const arp = arpRequest({ senderIp: '10.0.0.1', targetIp: '10.0.0.2' });
  d.decode(p, arp, 0, arp.length, LinkType.ETHERNET);
  assert.deepEqual([p.l3, p.vlan0, p.hasL4, p.srcPort, p.tcpSeq, p.payloadLen, p.src4], [L3.ARP, 0, false, 0, 0, 0, 0]);
});

test('VLAN: one 802.1Q tag, QinQ (0x88a8 and 0x9100), too many layers', () => {
  const ip = udp4();
  const one = decode(ethernet(ip, { vlans: [100] })).p;
  assert.deepEqual([one.vlan0, one.vlan1, one.l3, one.ipOffset, one.hasL4, one.dstPort], [100, 0, L3.IPV4, 18, true, 53]);

  const two = decode(ethernet(ip, { vlans: [100, 4094] }));
  assert.deepEqual([two.p.vlan0, two.p.vlan1, two.p.ipOffset, two.p.hasL4], [100, 4094, 22, true]);
  assert.equal(two.d.stats.vlan, 1);

  const old = patched(ethernet(ip, { vlans: [5, 6] }), { 12: 0x91, 13: 0x00 });
  assert.deepEqual([decode(old).p.vlan0, decode(old).p.vlan1, decode(old).p.hasL4], [5, 6, true]);

  // Priority and DEI bits are not part of the VLAN id.
  const prio = patched(ethernet(ip, { vlans: [100] }), { 14: 0xe0 });
  assert.equal(decode(prio).p.vlan0, 100);

  const three = decode(ethernet(ip, { vlans: [1, 2, 3] }));
  assert.deepEqual(events(three.p), ['decoder.vlan.too_many_layers']);
  assert.deepEqual([three.p.vlan0, three.p.vlan1, three.p.l3], [1, 2, L3.NONE]);
  assert.equal(three.d.stats['decoder.vlan.too_many_layers'], 1);

  const cut = ethernet(ip, { vlans: [9] }).subarray(0, 16);
  assert.deepEqual(events(decode(cut).p), ['decoder.vlan.header_too_small']);
});

test('Linux SLL and SLL2', () => {
  const sll = decode(linuxSll(udp4(), { packetType: 4 }), LinkType.LINUX_SLL).p;
  assert.deepEqual([sll.l3, sll.ipOffset, sll.hasL4, sll.srcPort, sll.payloadLen], [L3.IPV4, 16, true, 5353, 5]);
  const sll6 = decode(linuxSll(udp6()), LinkType.LINUX_SLL).p;
  assert.deepEqual([sll6.l3, sll6.ipOffset, sll6.dstPort], [L3.IPV6, 16, 547]);
  const sll2 = decode(linuxSll2(udp4(), { ifindex: 3 }), LinkType.LINUX_SLL2).p;
  assert.deepEqual([sll2.l3, sll2.ipOffset, sll2.hasL4, sll2.dstPort], [L3.IPV4, 20, true, 53]);
  assert.deepEqual(events(decode(Buffer.alloc(15), LinkType.LINUX_SLL).p), ['decoder.sll.pkt_too_small']);
  assert.deepEqual(events(decode(Buffer.alloc(19), LinkType.LINUX_SLL2).p), ['decoder.sll2.pkt_too_small']);
});

test('link-layer group destinations: Ethernet broadcast and multicast, cooked broadcast and multicast packet types', () => {
  const group = (frame: Buffer, linkType: number = LinkType.ETHERNET): boolean => decode(frame, linkType).p.linkGroup;
  assert.equal(group(ethernet(udp4(), { dstMac: 'ff:ff:ff:ff:ff:ff' })), true);
  assert.equal(group(ethernet(udp4(), { dstMac: '01:00:5e:00:00:fb' })), true);
  assert.equal(group(ethernet(udp6(), { dstMac: '33:33:00:00:00:01' })), true);
  assert.equal(group(ethernet(udp4(), { dstMac: '02:00:00:00:00:01' })), false);
  for (const [type, expected] of [[0, false], [1, true], [2, true], [3, false], [4, false]] as const) {
    assert.equal(group(linuxSll(udp4(), { packetType: type }), LinkType.LINUX_SLL), expected, `SLL type ${type}`);
    assert.equal(group(linuxSll2(udp4(), { packetType: type }), LinkType.LINUX_SLL2), expected, `SLL2 type ${type}`);
  }
  assert.equal(group(udp4(), LinkType.RAW), false);
  // The reused view forgets it with the next frame.
  const d = new Decoder();
  const p = new Packet();
  const bcast = ethernet(udp4(), { dstMac: 'ff:ff:ff:ff:ff:ff' });
  const ucast = ethernet(udp4());
  d.decode(p, bcast, 0, bcast.length, LinkType.ETHERNET);
  d.decode(p, ucast, 0, ucast.length, LinkType.ETHERNET);
  assert.equal(p.linkGroup, false);
});

test('raw IP: LINKTYPE_RAW by version nibble, 228 and 229', () => {
  const r4 = decode(udp4(), LinkType.RAW);
  assert.deepEqual([r4.p.l3, r4.p.ipOffset, r4.p.hasL4], [L3.IPV4, 0, true]);
  const r6 = decode(udp6(), LinkType.RAW);
  assert.deepEqual([r6.p.l3, r6.p.hasL4, formatIp6(r6.p.src6), formatIp6(r6.p.dst6)], [L3.IPV6, true, '2001:db8::1', 'fe80::2']);
  assert.equal(decode(udp4(), LinkType.IPV4).p.hasL4, true);
  assert.equal(decode(udp6(), LinkType.IPV6).p.hasL4, true);
  assert.deepEqual(events(decode(udp6(), LinkType.IPV4).p), ['decoder.ipv4.wrong_ip_version']);
  assert.deepEqual(events(decode(tcp4(), LinkType.IPV6).p), ['decoder.ipv6.wrong_ip_version']);
  // Fewer than 40 bytes cannot be IPv6 whatever the version says.
  assert.deepEqual(events(decode(udp4(), LinkType.IPV6).p), ['decoder.ipv6.pkt_too_small']);
  assert.deepEqual(events(decode(Buffer.from([0x50, 0, 0, 0]), LinkType.RAW).p), ['decoder.ipraw.invalid_ip_version']);
  assert.deepEqual(events(decode(Buffer.alloc(0), LinkType.RAW).p), ['decoder.ipraw.invalid_ip_version']);
  const counts = decode(udp6(), LinkType.RAW).d.stats;
  assert.deepEqual([counts.ipv6, counts.udp, counts.ipv4], [1, 1, 0]);
});

test('BSD loopback: NULL in either byte order, every AF_INET6 value, LOOP in network order', () => {
  const le = decode(nullLoopback(udp4()), LinkType.NULL).p;
  assert.deepEqual([le.l3, le.ipOffset, le.hasL4], [L3.IPV4, 4, true]);
  const be = decode(nullLoopback(udp4(), { bigEndian: true }), LinkType.NULL).p;
  assert.deepEqual([be.l3, be.hasL4], [L3.IPV4, true]);
  for (const af of [24, 28, 30]) {
    for (const bigEndian of [false, true]) {
      const f = nullLoopback(udp6(), { bigEndian });
      if (bigEndian) f.writeUInt32BE(af, 0);
      else f.writeUInt32LE(af, 0);
      const p = decode(f, LinkType.NULL).p;
      assert.deepEqual([p.l3, p.hasL4, p.dstPort], [L3.IPV6, true, 547], `AF ${af} ${bigEndian ? 'BE' : 'LE'}`);
    }
  }
  const loop = decode(nullLoopback(udp4(), { bigEndian: true }), LinkType.LOOP).p;
  assert.deepEqual([loop.l3, loop.hasL4], [L3.IPV4, true]);
  // LOOP is network order only: a little-endian family is not one.
  assert.deepEqual(events(decode(nullLoopback(udp4()), LinkType.LOOP).p), ['decoder.ltnull.unsupported_type']);
  const ipx = nullLoopback(udp4());
  ipx.writeUInt32LE(23, 0);
  assert.deepEqual(events(decode(ipx, LinkType.NULL).p), ['decoder.ltnull.unsupported_type']);
  assert.deepEqual(events(decode(Buffer.alloc(3), LinkType.NULL).p), ['decoder.ltnull.pkt_too_small']);
});

test('unknown link type and non-IP EtherTypes', () => {
  const unknown = decode(ethernet(udp4()), 147);
  assert.deepEqual(events(unknown.p), ['decoder.unknown_linktype']);
  assert.equal(unknown.d.stats['decoder.unknown_linktype'], 1);
  const lldp = decode(ethernet(Buffer.alloc(40), { etherType: 0x88cc }));
  assert.deepEqual([lldp.p.l3, lldp.p.eventCount, lldp.d.stats.other], [L3.NONE, 0, 1]);
});

test('ARP request and reply', () => {
  const req = decode(arpRequest({ senderIp: '192.168.0.1', targetIp: '192.168.0.254', senderMac: 'aa:bb:cc:dd:ee:ff' }));
  assert.equal(req.p.l3, L3.ARP);
  assert.equal(req.p.arpOp, 1);
  assert.equal(formatIp4(req.p.arpSender4), '192.168.0.1');
  assert.equal(formatIp4(req.p.arpTarget4), '192.168.0.254');
  assert.deepEqual([srcAddrText(req.p), dstAddrText(req.p)], ['192.168.0.1', '192.168.0.254']);
  assert.equal(req.d.stats.arp, 1);
  const rep = decode(arpRequest({ senderIp: '192.168.0.254', targetIp: '192.168.0.1', reply: true })).p;
  assert.deepEqual([rep.l3, rep.arpOp, formatIp4(rep.arpSender4)], [L3.ARP, 2, '192.168.0.254']);
  const frame = arpRequest({ senderIp: '1.1.1.1', targetIp: '2.2.2.2' });
  assert.deepEqual(events(decode(patched(frame, { 15: 6 })).p), ['decoder.arp.unsupported_hardware']);
  assert.deepEqual(events(decode(patched(frame, { 16: 0x86, 17: 0xdd })).p), ['decoder.arp.unsupported_protocol']);
  assert.deepEqual(events(decode(patched(frame, { 18: 8 })).p), ['decoder.arp.invalid_hardware_size']);
  assert.deepEqual(events(decode(patched(frame, { 19: 16 })).p), ['decoder.arp.invalid_protocol_size']);
  assert.deepEqual(events(decode(frame.subarray(0, 40)).p), ['decoder.arp.pkt_too_small']);
});

test('IPv4 options are skipped by IHL; a bad option length is an event', () => {
  // Router alert (4 bytes) then a NOP and EOL padding: IHL 7.
  const options = Uint8Array.from([0x94, 4, 0, 0, 1, 0]);
  const ip = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: udp4().subarray(20), options });
  const { p } = decode(ethernet(ip));
  assert.deepEqual([p.ipHdrLen, p.ipLen, p.hasL4, p.srcPort, p.payloadOffset, p.payloadLen, p.eventCount], [28, 41, true, 5353, 14 + 28 + 8, 5, 0]);
  const bad = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: udp4().subarray(20), options: Uint8Array.from([0x94, 9, 0, 0]) });
  const b = decode(ethernet(bad));
  assert.deepEqual(events(b.p), ['decoder.ipv4.opt_invalid_len']);
  assert.deepEqual([b.p.l3, b.p.hasL4], [L3.IPV4, false]);
  const zeroLen = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: udp4().subarray(20), options: Uint8Array.from([7, 0, 0, 0]) });
  assert.deepEqual(events(decode(ethernet(zeroLen)).p), ['decoder.ipv4.opt_invalid_len']);
});

test('IPv6 with hop-by-hop, routing and destination options', () => {
  const inner = udp6();
  const ip = ipv6Packet({
    src: '2001:db8::1', dst: 'fe80::2', nextHeader: 17, payload: inner.subarray(40), hopLimit: 9,
    extHeaders: [
      { type: 0, data: new Uint8Array(0) },
      { type: 43, data: Uint8Array.from([4, 0, 0, 0, 0, 0]) },
      { type: 60, data: new Uint8Array(6) },
    ],
  });
  const { p, d } = decode(ethernet(ip));
  assert.equal(p.l3, L3.IPV6);
  assert.deepEqual([p.ipOffset, p.ipHdrLen, p.ipLen, p.ttl, p.ipProto], [14, 64, ip.length, 9, IpProto.UDP]);
  assert.deepEqual([p.hasL4, p.srcPort, p.dstPort, p.payloadOffset, p.payloadLen], [true, 546, 547, 14 + 64 + 8, 5]);
  assert.equal(formatIp6(p.src6), '2001:db8::1');
  assert.equal(p.srcKey, addrKey6(p.src6));
  assert.equal(p.dstKey, addrKey6(p.dst6));
  assert.ok(p.srcKey > 0xffffffff, 'IPv6 keys never collide with IPv4 keys');
  assert.equal(p.eventCount, 0);
  assert.deepEqual([d.stats.ipv6, d.stats.udp], [1, 1]);

  const rh0 = ipv6Packet({ src: '::1', dst: '::2', nextHeader: 17, payload: inner.subarray(40), extHeaders: [{ type: 43, data: new Uint8Array(6) }] });
  const r = decode(ethernet(rh0)).p;
  assert.deepEqual(events(r), ['decoder.ipv6.rh_type_0']);
  assert.equal(r.hasL4, true, 'routing type 0 is reported, not fatal');
});

test('IPv6 extension header limits and misuse', () => {
  const payload = udp6().subarray(40);
  const nine = ipv6Packet({ src: '::1', dst: '::2', nextHeader: 17, payload, extHeaders: Array.from({ length: 9 }, () => ({ type: 60, data: new Uint8Array(6) })) });
  const t = decode(ethernet(nine)).p;
  assert.deepEqual(events(t), ['decoder.ipv6.exthdr_too_many']);
  assert.deepEqual([t.hasL4, t.ipHdrLen], [false, 40 + 8 * 8]);
  const eight = ipv6Packet({ src: '::1', dst: '::2', nextHeader: 17, payload, extHeaders: Array.from({ length: 8 }, () => ({ type: 60, data: new Uint8Array(6) })) });
  assert.equal(decode(ethernet(eight)).p.hasL4, true);

  const hhLate = ipv6Packet({ src: '::1', dst: '::2', nextHeader: 17, payload, extHeaders: [{ type: 60, data: new Uint8Array(6) }, { type: 0, data: new Uint8Array(6) }] });
  assert.deepEqual(events(decode(ethernet(hhLate)).p), ['decoder.ipv6.exthdr_dupl_hh']);

  const frag = Uint8Array.from([0, 8, 0, 0, 0, 1]);
  const twoFrag = ipv6Packet({ src: '::1', dst: '::2', nextHeader: 17, payload, extHeaders: [{ type: 44, data: Uint8Array.from([0, 0, 0, 0, 0, 1]) }, { type: 44, data: frag }] });
  assert.deepEqual(events(decode(ethernet(twoFrag)).p), ['decoder.ipv6.exthdr_dupl_fh']);

  const icmp4 = ipv6Packet({ src: '::1', dst: '::2', nextHeader: 1, payload: new Uint8Array(8) });
  assert.deepEqual(events(decode(ethernet(icmp4)).p), ['decoder.ipv6.icmpv4']);

  // A destination options header claiming 16 bytes inside an 8-byte payload.
  const long = patched(ipv6Packet({ src: '::1', dst: '::2', nextHeader: 59, payload: new Uint8Array(0), extHeaders: [{ type: 60, data: new Uint8Array(6) }] }), { 41: 1 });
  assert.deepEqual(events(decode(long, LinkType.RAW).p), ['decoder.ipv6.trunc_exthdr']);
  // The same header, well formed, cut by the capture.
  const ok = ethernet(ipv6Packet({ src: '::1', dst: '::2', nextHeader: 59, payload: new Uint8Array(0), extHeaders: [{ type: 60, data: new Uint8Array(14) }] }));
  assert.deepEqual(events(decode(ok, LinkType.ETHERNET, ok.length - 4).p), ['decoder.ipv6.trunc_pkt']);
  // No next header (59): nothing after, no event.
  const none = decode(ok).p;
  assert.deepEqual([none.eventCount, none.ipProto, none.hasL4, none.ipHdrLen], [0, 59, false, 56]);
});

test('TCP with options and payload', () => {
  const options = Uint8Array.from([2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8]);
  const ip = tcp4({ flags: 'SA', options, payload: new Uint8Array(100).fill(0x61) });
  const { p } = decode(ethernet(ip));
  assert.deepEqual([p.tcpHdrLen, p.tcpFlags, p.payloadOffset, p.payloadLen, p.eventCount], [40, TcpFlag.SYN | TcpFlag.ACK, 14 + 20 + 40, 100, 0]);
  const badMss = tcp4({ options: Uint8Array.from([2, 3, 5, 0]) });
  const b = decode(ethernet(badMss)).p;
  assert.deepEqual(events(b), ['decoder.tcp.opt_invalid_len']);
  assert.equal(b.hasL4, true, 'a bad option is reported; the header is still decoded');
  const pastEnd = tcp4({ options: Uint8Array.from([1, 1, 5, 10]) });
  assert.deepEqual(events(decode(ethernet(pastEnd)).p), ['decoder.tcp.opt_invalid_len']);
});

test('UDP length checks', () => {
  const { p, d } = decode(ethernet(udp4('hello')));
  assert.deepEqual([p.hasL4, p.srcPort, p.dstPort, p.payloadOffset, p.payloadLen], [true, 5353, 53, 42, 5]);
  assert.equal(d.stats.udp, 1);
  const frame = ethernet(udp4('hello'));
  for (const len of [7, 12, 14]) {
    const bad = patched(frame, { 38: 0, 39: len });
    const q = decode(bad).p;
    assert.deepEqual(events(q), ['decoder.udp.hlen_invalid'], `udp length ${len}`);
    assert.equal(q.hasL4, false);
  }
  const short = ethernet(ipv4Packet({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17, payload: new Uint8Array(6) }));
  assert.deepEqual(events(decode(short).p), ['decoder.udp.hlen_too_small']);
});

test('ICMP and ICMPv6 echo, unknown types', () => {
  const req = decode(ethernet(icmpEcho({ src: '10.0.0.1', dst: '10.0.0.2', id: 0xbeef, seq: 42, payload: 'abcdefgh' }))).p;
  assert.deepEqual([req.ipProto, req.hasL4, req.icmpType, req.icmpCode, req.icmpId, req.icmpSeq, req.payloadLen], [1, true, 8, 0, 0xbeef, 42, 8]);
  const rep = decode(ethernet(icmpEcho({ src: '10.0.0.2', dst: '10.0.0.1', id: 1, seq: 2, reply: true }))).p;
  assert.deepEqual([rep.icmpType, rep.icmpId, rep.icmpSeq], [0, 1, 2]);
  const v6 = decode(ethernet(icmpEcho({ src: '2001:db8::1', dst: '2001:db8::2', id: 77, seq: 3 })));
  assert.deepEqual([v6.p.ipProto, v6.p.hasL4, v6.p.icmpType, v6.p.icmpId, v6.p.icmpSeq], [58, true, 128, 77, 3]);
  assert.equal(v6.d.stats.icmpv6, 1);
  const rep6 = decode(ethernet(icmpEcho({ src: '2001:db8::1', dst: '2001:db8::2', id: 77, seq: 4, reply: true }))).p;
  assert.deepEqual([rep6.icmpType, rep6.icmpSeq], [129, 4]);
  // Unreachable: no echo fields.
  const unreach = decode(ethernet(icmpPacket({ src: '10.0.0.1', dst: '10.0.0.2', type: 3, code: 1, body: Uint8Array.from([0, 0, 0, 0, 0x45]) }))).p;
  assert.deepEqual([unreach.icmpType, unreach.icmpCode, unreach.icmpId, unreach.icmpSeq, unreach.payloadLen], [3, 1, 0, 0, 1]);
  const odd = decode(ethernet(icmpPacket({ src: '10.0.0.1', dst: '10.0.0.2', type: 99, code: 0, body: new Uint8Array(4) }))).p;
  assert.deepEqual(events(odd), ['decoder.icmpv4.unknown_type']);
  assert.equal(odd.hasL4, true);
  const odd6 = decode(ethernet(icmpPacket({ src: '::1', dst: '::2', type: 50, code: 0, body: new Uint8Array(4) }))).p;
  assert.deepEqual(events(odd6), ['decoder.icmpv6.unknown_type']);
  assert.deepEqual(events(decode(ethernet(icmpPacket({ src: '10.0.0.1', dst: '10.0.0.2', type: 8, code: 0 }))).p), ['decoder.icmpv4.pkt_too_small']);
  assert.deepEqual(events(decode(ethernet(icmpPacket({ src: '::1', dst: '::2', type: 128, code: 0 }))).p), ['decoder.icmpv6.pkt_too_small']);
});

test('truncated frames: the event names the layer, nothing throws', () => {
  const frame = ethernet(tcp4({ options: TS_OPTION }));
  const at = (capLen: number): Packet => decode(frame, LinkType.ETHERNET, capLen).p;
  assert.deepEqual(events(at(0)), ['decoder.ethernet.pkt_too_small']);
  assert.deepEqual(events(at(13)), ['decoder.ethernet.pkt_too_small']);
  assert.deepEqual(events(at(14 + 19)), ['decoder.ipv4.pkt_too_small']);
  assert.equal(at(14 + 19).l3, L3.NONE);
  const tcpCut = at(14 + 20 + 10);
  assert.deepEqual(events(tcpCut), ['decoder.tcp.pkt_too_small']);
  assert.deepEqual([tcpCut.l3, tcpCut.hasL4, formatIp4(tcpCut.src4)], [L3.IPV4, false, '192.168.1.10']);
  // Header complete, options cut: the data offset runs past the capture.
  assert.deepEqual(events(at(14 + 20 + 24)), ['decoder.tcp.invalid_optlen']);
  // Snaplen cut inside the payload: decoded, payload is what was captured.
  const snap = at(14 + 20 + 32 + 5);
  assert.deepEqual([snap.eventCount, snap.hasL4, snap.payloadLen, snap.ipLen], [0, true, 5, 20 + 32 + 18]);

  const withOpts = ethernet(ipv4Packet({ src: '1.1.1.1', dst: '2.2.2.2', proto: 6, payload: tcp4().subarray(20), options: Uint8Array.from([1, 1, 1, 1]) }));
  assert.deepEqual(events(decode(withOpts, LinkType.ETHERNET, 14 + 22).p), ['decoder.ipv4.trunc_pkt']);

  const v6 = ethernet(udp6());
  assert.deepEqual(events(decode(v6, LinkType.ETHERNET, 14 + 39).p), ['decoder.ipv6.pkt_too_small']);
  assert.deepEqual(events(decode(v6, LinkType.ETHERNET, 14 + 44).p), ['decoder.udp.hlen_too_small']);
});

test('bad header lengths: IHL, total length, TCP data offset', () => {
  const frame = ethernet(tcp4());
  const ihl4 = decode(patched(frame, { 14: 0x44 })).p;
  assert.deepEqual(events(ihl4), ['decoder.ipv4.hlen_too_small']);
  assert.equal(ihl4.l3, L3.NONE);
  assert.deepEqual(events(decode(patched(frame, { 14: 0x65 })).p), ['decoder.ipv4.wrong_ip_version']);
  assert.deepEqual(events(decode(patched(frame, { 16: 0, 17: 19 })).p), ['decoder.ipv4.iplen_smaller_than_hlen']);
  // IHL 15 (60 bytes) over a 58-byte datagram: the total length is smaller than the header.
  assert.deepEqual(events(decode(patched(frame, { 14: 0x4f })).p), ['decoder.ipv4.iplen_smaller_than_hlen']);
  // IHL 15 with a long enough datagram but a capture ending before byte 60: truncated header.
  const big = ethernet(tcp4({ payload: new Uint8Array(100) }));
  assert.deepEqual(events(decode(patched(big, { 14: 0x4f }), LinkType.ETHERNET, 14 + 40).p), ['decoder.ipv4.trunc_pkt']);
  const off4 = decode(patched(frame, { 46: 0x40 })).p;
  assert.deepEqual(events(off4), ['decoder.tcp.hlen_too_small']);
  assert.deepEqual([off4.l3, off4.hasL4], [L3.IPV4, false]);
  const off15 = ethernet(tcp4({ payload: undefined }));
  off15[46] = 0xf0;
  assert.deepEqual(events(decode(off15).p), ['decoder.tcp.invalid_optlen']);
});

test('IPv4 fragments are flagged and not decoded at L4', () => {
  const whole = udp4(Buffer.alloc(100, 0x41));
  const frags = fragmentIpv4(Buffer.from(patched(whole, { 4: 0x12, 5: 0x34 })), 48);
  const d = new Decoder();
  const p = new Packet();
  const seen = frags.map((f) => {
    const frame = ethernet(f);
    d.decode(p, frame, 0, frame.length, LinkType.ETHERNET);
    return [p.isFragment, p.fragOffset, p.moreFragments, p.fragId, p.hasL4, p.ipProto, p.payloadOffset, p.payloadLen, p.srcPort];
  });
  assert.deepEqual(seen, [
    [true, 0, true, 0x1234, false, 17, 34, 48, 0],
    [true, 48, true, 0x1234, false, 17, 34, 48, 0],
    [true, 96, false, 0x1234, false, 17, 34, 12, 0],
  ]);
  assert.equal(d.stats.fragments, 3);
  assert.equal(d.stats.udp, 0);
  // DF alone is not a fragment.
  assert.equal(decode(ethernet(ipv4Packet({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17, payload: udp4().subarray(20), dontFragment: true }))).p.isFragment, false);
});

test('IPv6 fragments are flagged; an atomic fragment is decoded whole', () => {
  const whole = ipv6Packet({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, payload: udpPacket({ src: '::1', dst: '::2', sport: 1, dport: 2, payload: new Uint8Array(100) }).subarray(40), extHeaders: [{ type: 0, data: new Uint8Array(6) }] });
  const frags = fragmentIpv6(whole, 64, 0xdeadbeef);
  const first = decode(ethernet(frags[0])).p;
  assert.deepEqual(
    [first.isFragment, first.fragOffset, first.moreFragments, first.fragId, first.ipProto, first.ipHdrLen, first.payloadOffset, first.payloadLen, first.hasL4],
    [true, 0, true, 0xdeadbeef, 17, 56, 14 + 56, 64, false],
  );
  const last = decode(ethernet(frags[1])).p;
  assert.deepEqual([last.isFragment, last.fragOffset, last.moreFragments, last.payloadLen], [true, 64, false, 44]);

  const atomic = ipv6Packet({ src: '::1', dst: '::2', nextHeader: 17, payload: udpPacket({ src: '::1', dst: '::2', sport: 1, dport: 2, payload: 'a' }).subarray(40), extHeaders: [{ type: 44, data: Uint8Array.from([0, 0, 0, 0, 0, 9]) }] });
  const a = decode(ethernet(atomic)).p;
  assert.deepEqual([a.isFragment, a.hasL4, a.ipHdrLen, a.dstPort, a.payloadLen], [false, true, 48, 2, 1]);
});

test('stats count exactly', () => {
  const d = new Decoder();
  const p = new Packet();
  const frames = [
    ethernet(tcp4()),
    ethernet(udp4(), { vlans: [3] }),
    ethernet(icmpEcho({ src: '10.0.0.1', dst: '10.0.0.2', id: 1, seq: 1 })),
    ethernet(udp6()),
    arpRequest({ senderIp: '10.0.0.1', targetIp: '10.0.0.2' }),
    Buffer.alloc(5),
    ...fragmentIpv4(udp4(Buffer.alloc(40)), 24).map((f) => ethernet(f)),
    ethernet(Buffer.alloc(30), { etherType: 0x88cc }),
  ];
  let bytes = 0;
  for (const f of frames) {
    d.decode(p, f, 0, f.length, LinkType.ETHERNET);
    bytes += f.length;
  }
  const nonZero = Object.fromEntries(Object.entries(d.stats).filter(([, v]) => v !== 0));
  assert.deepEqual(nonZero, {
    pkts: 9, bytes, ipv4: 5, ipv6: 1, arp: 1, tcp: 1, udp: 2, icmp: 1, vlan: 1, fragments: 2, other: 1, events: 1,
    'decoder.ethernet.pkt_too_small': 1,
  });
});

test('decodeDatagram re-decodes a whole datagram and keeps the frame fields', () => {
  const d = new Decoder();
  const p = new Packet();
  const frags = fragmentIpv4(tcp4({ payload: Buffer.alloc(64, 0x62) }), 32);
  const frame = ethernet(frags[frags.length - 1], { vlans: [12] });
  d.decode(p, frame, 0, frame.length, LinkType.ETHERNET);
  p.tsUs = 5_000_000;
  p.index = 41;
  p.wireLen = frame.length;
  const datagram = tcp4({ payload: Buffer.alloc(64, 0x62) });
  d.decodeDatagram(p, datagram);
  assert.deepEqual([p.tsUs, p.index, p.wireLen, p.linkType, p.vlan0], [5_000_000, 41, frame.length, LinkType.ETHERNET, 12]);
  assert.deepEqual([p.buf === datagram, p.frameOffset, p.capLen, p.reassembled, p.isFragment], [true, 0, datagram.length, true, false]);
  assert.deepEqual([p.l3, p.hasL4, p.dstPort, p.payloadOffset, p.payloadLen], [L3.IPV4, true, 80, 40, 64]);
  assert.deepEqual([d.stats.reassembled, d.stats.pkts, d.stats.ipv4, d.stats.tcp], [1, 1, 1, 1]);
  d.decodeDatagram(p, udp6());
  assert.deepEqual([p.l3, p.hasL4, p.dstPort], [L3.IPV6, true, 547]);
  d.decodeDatagram(p, Buffer.alloc(0));
  assert.deepEqual(events(p), ['decoder.ipraw.invalid_ip_version']);
});

test('never throws: every prefix and many random mutations of valid frames, on every link type', () => {
  const bases: [Buffer, number][] = [
    [ethernet(tcp4({ options: TS_OPTION }), { vlans: [1, 2] }), LinkType.ETHERNET],
    [ethernet(ipv6Packet({ src: '::1', dst: '::2', nextHeader: 6, payload: tcp4().subarray(20), extHeaders: [{ type: 0, data: new Uint8Array(6) }, { type: 44, data: new Uint8Array(6) }] })), LinkType.ETHERNET],
    [arpRequest({ senderIp: '1.1.1.1', targetIp: '2.2.2.2' }), LinkType.ETHERNET],
    [linuxSll(udp4()), LinkType.LINUX_SLL],
    [linuxSll2(udp6()), LinkType.LINUX_SLL2],
    [nullLoopback(icmpEcho({ src: '::1', dst: '::2', id: 1, seq: 1 })), LinkType.NULL],
    [nullLoopback(icmpEcho({ src: '1.1.1.1', dst: '2.2.2.2', id: 1, seq: 1 }), { bigEndian: true }), LinkType.LOOP],
    [udp4(), LinkType.RAW],
    [fragmentIpv4(udp4(Buffer.alloc(40)), 16)[1], LinkType.IPV4],
  ];
  const d = new Decoder();
  const p = new Packet();
  // A fixed-seed xorshift so the mutations are the same on every run.
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const check = (buf: Buffer, off: number, capLen: number, linkType: number): void => {
    d.decode(p, buf, off, capLen, linkType);
    assert.ok(p.eventCount <= 8);
    if (p.hasL4) {
      assert.ok(p.payloadOffset >= off && p.payloadOffset + p.payloadLen <= off + capLen, 'payload inside the frame');
      assert.ok(p.payloadLen >= 0);
    }
  };
  let runs = 0;
  for (const [base, linkType] of bases) {
    for (let len = 0; len <= base.length; len++) check(base, 0, len, linkType);
    for (let i = 0; i < 2000; i++) {
      const m = Buffer.from(base);
      for (let k = 1 + rand(4); k > 0; k--) m[rand(m.length)] = rand(256);
      check(m, 0, rand(m.length + 1), linkType);
      runs++;
    }
  }
  // capLen past the end of the buffer is clamped, not read.
  check(ethernet(udp4()), 0, 10_000, LinkType.ETHERNET);
  assert.equal(p.hasL4, true);
  assert.equal(d.stats.pkts, runs + bases.reduce((n, [b]) => n + b.length + 1, 0) + 1);
});
