import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../src/decode/decoder.js';
import { decodeEventName } from '../../src/decode/events.js';
import { formatIp4, formatIp6, L3, LinkType, Packet, srcAddrText } from '../../src/decode/packet.js';
import { MAX_TUNNEL_LAYERS } from '../../src/decode/tunnel.js';
import { ethernet, fragmentIpv4, ipv4Packet, ipv6Packet, tcpPacket, udpPacket } from '../../src/tools/craft/frame.js';
import { T0, run } from '../helpers.js';

const REQUEST = 'GET / HTTP/1.1\r\n\r\n';
/** The inner packet of every case: a request from 10.0.0.1 to 10.0.0.2:80. */
const inner4 = (payload: string = REQUEST): Buffer => tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, flags: 'PA', seq: 1, ack: 1, payload });
const inner6 = (): Buffer => tcpPacket({ src: 'fd00::1', dst: 'fd00::2', sport: 40000, dport: 80, flags: 'S', seq: 1 });
/** An outer IPv4 header between two underlay hosts. */
const outer4 = (proto: number, payload: Uint8Array): Buffer => ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', proto, payload });
const outer6 = (nextHeader: number, payload: Uint8Array): Buffer => ipv6Packet({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader, payload });
const udp4 = (sport: number, dport: number, payload: Uint8Array): Buffer => udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport, dport, payload });
const bytes = (...parts: (readonly number[] | Uint8Array)[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p)));
const u16 = (n: number): number[] => [n >>> 8, n & 0xff];

interface Decoded {
  readonly p: Packet;
  readonly stats: Record<string, number>;
  readonly events: string[];
}

function decode(frame: Buffer, linkType: number = LinkType.ETHERNET): Decoded {
  const d = new Decoder();
  const p = new Packet();
  d.decode(p, frame, 0, frame.length, linkType);
  return { p, stats: d.stats, events: Array.from(p.events.subarray(0, p.eventCount), decodeEventName) };
}

/** The inner request came through: addresses, ports, payload, tunnel depth. */
function assertInner4(r: Decoded, depth = 1): void {
  assert.deepEqual(r.events, []);
  assert.equal(r.p.l3, L3.IPV4);
  assert.deepEqual([formatIp4(r.p.src4), formatIp4(r.p.dst4), r.p.srcPort, r.p.dstPort, r.p.hasL4, r.p.tunnelDepth], ['10.0.0.1', '10.0.0.2', 40000, 80, true, depth]);
  assert.equal(r.p.buf.toString('latin1', r.p.payloadOffset, r.p.payloadOffset + r.p.payloadLen), REQUEST);
}

test('IP in IP: IPv4 and IPv6 inside either IP version, each counted by kind', () => {
  let r = decode(ethernet(outer4(4, inner4())));
  assertInner4(r);
  assert.equal(r.stats.ipv4_in_ipv4, 1);
  r = decode(ethernet(outer6(4, inner4())));
  assertInner4(r);
  assert.equal(r.stats.ipv4_in_ipv6, 1);
  for (const [outer, counter] of [[outer4(41, inner6()), 'ipv6_in_ipv4'], [outer6(41, inner6()), 'ipv6_in_ipv6']] as const) {
    r = decode(ethernet(outer));
    assert.deepEqual([srcAddrText(r.p), formatIp6(r.p.dst6), r.p.dstPort, r.p.tunnelDepth, r.stats[counter]], ['fd00::1', 'fd00::2', 80, 1, 1]);
  }
});

test('IP in IP too short or of the other version: an event, the outer packet kept (nmap -sO probes)', () => {
  let r = decode(ethernet(outer4(4, new Uint8Array(0))));
  assert.deepEqual(r.events, ['decoder.ipv4.ipv4_in_ipv4_too_small']);
  assert.deepEqual([r.p.l3, formatIp4(r.p.src4), r.p.ipProto, r.p.tunnelDepth], [L3.IPV4, '192.0.2.1', 4, 0]);
  r = decode(ethernet(outer4(41, inner4())));
  assert.deepEqual(r.events, ['decoder.ipv4.ipv6_in_ipv4_wrong_version']);
  assert.equal(formatIp4(r.p.src4), '192.0.2.1');
  r = decode(ethernet(outer6(41, inner6().subarray(0, 30))));
  assert.deepEqual(r.events, ['decoder.ipv6.ipv6_in_ipv6_too_small']);
});

test(`tunnels nested deeper than ${MAX_TUNNEL_LAYERS}: decoder.too_many_layers, the deepest decoded layer kept`, () => {
  let datagram = inner4();
  for (let i = 0; i < MAX_TUNNEL_LAYERS; i++) datagram = ipv4Packet({ src: `192.0.2.${10 + i}`, dst: '192.0.2.99', proto: 4, payload: datagram });
  assertInner4(decode(ethernet(datagram)), MAX_TUNNEL_LAYERS);
  const deeper = decode(ethernet(ipv4Packet({ src: '192.0.2.50', dst: '192.0.2.99', proto: 4, payload: datagram })));
  assert.deepEqual(deeper.events, ['decoder.too_many_layers']);
  assert.deepEqual([deeper.p.tunnelDepth, formatIp4(deeper.p.src4), deeper.p.ipProto], [MAX_TUNNEL_LAYERS, '192.0.2.10', 4]);
});

test('GRE version 0: plain, with checksum, key and sequence number, with source routes; Ethernet and ERSPAN I, II, III inside', () => {
  const ip = inner4();
  const frame = ethernet(ip);
  const cases: [string, Buffer][] = [
    ['plain', bytes([0x00, 0x00], u16(0x0800), ip)],
    ['C K S', bytes([0xb0, 0x00], u16(0x0800), [0, 0, 0, 0], [0, 0, 0, 7], [0, 0, 0, 1], ip)],
    ['routes', bytes([0xc0, 0x00], u16(0x0800), [0, 0, 0, 0], u16(0x0800), [0, 8], [192, 0, 2, 7, 192, 0, 2, 8], [0, 0, 0, 0], ip)],
    ['Ethernet', bytes([0x00, 0x00], u16(0x6558), frame)],
    ['ERSPAN I', bytes([0x00, 0x00], u16(0x88be), frame)],
    ['ERSPAN II', bytes([0x10, 0x00], u16(0x88be), [0, 0, 0, 5], [0x10, 0x00, 0x00, 0x03, 0, 0, 0, 0], frame)],
    ['ERSPAN III', bytes([0x10, 0x00], u16(0x22eb), [0, 0, 0, 5], [0x20, 0x00, 0x00, 0x03], [0, 0, 0, 0], [0, 0, 0, 0], frame)],
    ['ERSPAN III + subheader', bytes([0x10, 0x00], u16(0x22eb), [0, 0, 0, 5], [0x20, 0x00, 0x00, 0x03], [0, 0, 0, 0], [0, 0, 0, 1], [1, 2, 3, 4, 5, 6, 7, 8], frame)],
  ];
  for (const [name, gre] of cases) {
    const r = decode(ethernet(outer4(47, gre)));
    assertInner4(r);
    assert.equal(r.stats.gre, 1, name);
    assert.equal(r.stats.erspan, name.startsWith('ERSPAN') ? 1 : 0, name);
  }
});

test('GRE version 1 (PPTP): PPP inside, HDLC bytes and protocol compression optional, acknowledgement number skipped', () => {
  const ip = inner4();
  const key = [...u16(ip.length + 4), 0x40, 0x00];
  let r = decode(ethernet(outer4(47, bytes([0x30, 0x01], u16(0x880b), key, [0, 0, 0, 9], [0xff, 0x03, 0x00, 0x21], ip))));
  assertInner4(r);
  assert.deepEqual([r.stats.gre, r.stats.ppp], [1, 1]);
  r = decode(ethernet(outer4(47, bytes([0x20, 0x81], u16(0x880b), key, [0, 0, 0, 3], [0x21], ip))));
  assertInner4(r);
});

test('malformed GRE: an event each, the outer packet kept', () => {
  const ip = inner4();
  const cases: [Buffer, string][] = [
    [bytes([0x00, 0x00]), 'decoder.gre.pkt_too_small'],
    [bytes([0x00, 0x02], u16(0x0800), ip), 'decoder.gre.wrong_version'],
    [bytes([0x01, 0x00], u16(0x0800), ip), 'decoder.gre.version0_recur'],
    [bytes([0x00, 0x40], u16(0x0800), ip), 'decoder.gre.version0_flags'],
    [bytes([0xb0, 0x00], u16(0x0800), [0, 0, 0, 0]), 'decoder.gre.version0_hdr_too_big'],
    [bytes([0x40, 0x00], u16(0x0800), [0, 0, 0, 0], u16(0x0800), [0, 200], [1, 2, 3]), 'decoder.gre.version0_malformed_sre_hdr'],
    [bytes([0x00, 0x01], u16(0x880b), [0, 0, 0, 0], ip), 'decoder.gre.version1_no_key'],
    [bytes([0x20, 0x01], u16(0x0800), [0, 0, 0, 0], ip), 'decoder.gre.version1_wrong_protocol'],
    [bytes([0xa0, 0x01], u16(0x880b), [0, 0, 0, 0], ip), 'decoder.gre.version1_flags'],
    [bytes([0x30, 0x01], u16(0x880b), [0, 0, 0, 0]), 'decoder.gre.version1_hdr_too_big'],
    [bytes([0x10, 0x00], u16(0x88be), [0, 0, 0, 5], [0x10, 0, 0]), 'decoder.erspan.header_too_small'],
    [bytes([0x10, 0x00], u16(0x88be), [0, 0, 0, 5], [0x00, 0x00, 0x00, 0x03, 0, 0, 0, 0], ethernet(ip)), 'decoder.erspan.unsupported_version'],
  ];
  for (const [gre, event] of cases) {
    const r = decode(ethernet(outer4(47, gre)));
    assert.deepEqual(r.events, [event]);
    assert.deepEqual([formatIp4(r.p.src4), r.p.ipProto, r.p.tunnelDepth], ['192.0.2.1', 47, 0], event);
  }
});

test('VXLAN on 4789 and Linux 8472, Geneve with options: the inner Ethernet frame decoded', () => {
  const vxlanHeader = [0x08, 0, 0, 0, 0, 0, 42, 0];
  for (const port of [4789, 8472]) {
    const r = decode(ethernet(udp4(51000, port, bytes(vxlanHeader, ethernet(inner4())))));
    assertInner4(r);
    assert.equal(r.stats.vxlan, 1);
  }
  const geneve = bytes([0x02, 0x00], u16(0x6558), [0, 0, 9, 0], [0x01, 0x02, 0x03, 0x01, 0, 0, 0, 0], ethernet(inner4()));
  const r = decode(ethernet(udp4(51000, 6081, geneve)));
  assertInner4(r);
  assert.equal(r.stats.geneve, 1);
  assertInner4(decode(ethernet(udp4(51000, 6081, bytes([0x00, 0x00], u16(0x0800), [0, 0, 9, 0], inner4())))));
});

test('UDP on a tunnel port whose payload fails the header check stays plain UDP', () => {
  const cases: Buffer[] = [
    udp4(51000, 4789, bytes([0x00, 0, 0, 0, 0, 0, 42, 0], ethernet(inner4()))),
    udp4(51000, 4789, Buffer.from('not a vxlan header at all, just text')),
    udp4(51000, 6081, bytes([0x40, 0x00], u16(0x6558), [0, 0, 9, 0], ethernet(inner4()))),
    udp4(3544, 40000, Buffer.from('teredo port, but a DNS-like payload of no IPv6 shape')),
    // An IPv6 header whose length does not fill the datagram is no Teredo packet.
    udp4(40000, 3544, bytes(inner6(), [0, 0, 0, 0])),
  ];
  for (const frame of cases) {
    const r = decode(ethernet(frame));
    assert.deepEqual([r.events, formatIp4(r.p.src4), r.p.ipProto, r.p.tunnelDepth, r.p.hasL4], [[], '192.0.2.1', 17, 0, true]);
    assert.deepEqual([r.stats.vxlan, r.stats.geneve, r.stats.teredo], [0, 0, 0]);
  }
});

test('Teredo: IPv6 over UDP 3544 either way, after an origin indication or none', () => {
  const origin = [0x00, 0x00, 0xc3, 0x50, 0x3f, 0xff, 0xfd, 0xfe];
  for (const payload of [inner6(), bytes(origin, inner6())]) {
    for (const [sport, dport] of [[40000, 3544], [3544, 40000]]) {
      const r = decode(ethernet(udp4(sport, dport, payload)));
      assert.deepEqual([r.events, srcAddrText(r.p), r.p.dstPort, r.p.tunnelDepth, r.stats.teredo], [[], 'fd00::1', 80, 1, 1]);
    }
  }
});

test('MPLS: labels down to the bottom one, then IPv4, IPv6 (explicit null or by version) or an Ethernet pseudowire', () => {
  const label = (value: number, bottom: boolean): number[] => [value >>> 12, (value >>> 4) & 0xff, ((value & 0xf) << 4) | (bottom ? 1 : 0), 64];
  let r = decode(ethernet(bytes(label(100, true), inner4()), { etherType: 0x8847 }));
  assertInner4(r, 0);
  assert.equal(r.stats.mpls, 1);
  r = decode(ethernet(bytes(label(16, false), label(2, true), inner6()), { etherType: 0x8847 }));
  assert.deepEqual([srcAddrText(r.p), r.p.dstPort], ['fd00::1', 80]);
  r = decode(ethernet(bytes(label(200, false), label(300, true), [0, 0, 0, 0], ethernet(inner4())), { etherType: 0x8848 }));
  assertInner4(r);
  const bad: [Buffer, string][] = [
    [bytes([0, 1]), 'decoder.mpls.header_too_small'],
    [bytes(label(100, false), label(101, false)), 'decoder.mpls.pkt_too_small'],
    [bytes(label(100, true), [0x50, 1, 2, 3]), 'decoder.mpls.unknown_payload_type'],
  ];
  for (const [payload, event] of bad) assert.deepEqual(decode(ethernet(payload, { etherType: 0x8847 })).events, [event]);
});

test('PPPoE sessions and LINKTYPE_PPP: IPv4 and IPv6 inside, link control quiet, a wrong code an event', () => {
  const session = (ppp: Buffer, code = 0): Buffer => bytes([0x11, code], u16(0x0011), u16(ppp.length), ppp);
  let r = decode(ethernet(session(bytes(u16(0x0021), inner4())), { etherType: 0x8864 }));
  assertInner4(r, 0);
  assert.deepEqual([r.stats.pppoe, r.stats.ppp], [1, 1]);
  r = decode(ethernet(session(bytes(u16(0x0057), inner6())), { etherType: 0x8864 }));
  assert.equal(srcAddrText(r.p), 'fd00::1');
  r = decode(ethernet(session(bytes(u16(0xc021), [1, 1, 0, 4])), { etherType: 0x8864 }));
  assert.deepEqual([r.events, r.p.l3], [[], L3.NONE]);
  assert.deepEqual(decode(ethernet(session(bytes(u16(0x002b), [1, 2, 3])), { etherType: 0x8864 })).events, ['decoder.ppp.unsup_proto']);
  assert.deepEqual(decode(ethernet(session(bytes(u16(0x0021), inner4()), 0x09), { etherType: 0x8864 })).events, ['decoder.pppoe.wrong_code']);
  r = decode(ethernet(Buffer.from([0x11, 0x09, 0, 0, 0, 0]), { etherType: 0x8863 }));
  assert.deepEqual([r.events, r.stats.pppoe, r.stats.other], [[], 1, 1]);
  assertInner4(decode(bytes([0xff, 0x03], u16(0x0021), inner4()), LinkType.PPP), 0);
});

test('engine: an attack in IPv4 fragments inside GRE, and a GRE datagram fragmented outside, are both reassembled and alerted', () => {
  const attack = 'GET /item?id=1%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1\r\nHost: shop\r\n\r\n';
  const gre = (datagram: Uint8Array): Buffer => bytes([0x00, 0x00], u16(0x0800), datagram);
  const handshake = (t: number): { frame: Buffer; tsUs: number }[] => [
    { frame: ethernet(outer4(47, gre(tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, flags: 'S', seq: 0 })))), tsUs: t },
    { frame: ethernet(ipv4Packet({ src: '192.0.2.2', dst: '192.0.2.1', proto: 47, payload: gre(tcpPacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000, flags: 'SA', seq: 0, ack: 1 })) })), tsUs: t + 1 },
    { frame: ethernet(outer4(47, gre(tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, flags: 'A', seq: 1, ack: 1 })))), tsUs: t + 2 },
  ];
  const request = inner4(attack);
  const innerFragments = fragmentIpv4(request, 48).map((f, i) => ({ frame: ethernet(outer4(47, gre(f))), tsUs: T0 + 10 + i }));
  const outerFragments = fragmentIpv4(outer4(47, gre(request)), 48).map((f, i) => ({ frame: ethernet(f), tsUs: T0 + 10 + i }));
  for (const fragments of [innerFragments, outerFragments]) {
    assert.ok(fragments.length >= 3);
    const { alerts } = run([...handshake(T0), ...fragments]);
    assert.deepEqual(
      alerts.map((a) => [a.signature.sid, a.srcIp, a.destIp, a.destPort]),
      [[9100100, '10.0.0.1', '10.0.0.2', 80]],
    );
  }
});
