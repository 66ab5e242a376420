import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arpRequest, ethernet, icmpEcho, icmpPacket, ipv4Packet, tcpPacket, udpPacket } from '../../src/tools/craft/frame.js';
import { httpGet, icmpFlood, ping, pingSweep, portScan, Rng, synFlood, tcpExchange, udpFlood } from '../../src/tools/scenario.js';
import { brief, collector, run, T0 } from '../helpers.js';

const ATT = '192.0.2.66';
const VIC = '10.0.0.10';
const CLI = '10.0.0.21';

describe('icmp_flood', () => {
  it('alerts at the 50th echo request within one second and blocks the source', () => {
    const c = collector();
    icmpFlood(c.emit, { src: ATT, dst: VIC, count: 200, intervalUs: 1000, t0: T0 });
    const out = run(c.frames);
    assert.deepEqual(brief(out.alerts), [`9100001 #50 ${ATT} -> ${VIC} blocked`]);
    assert.deepEqual(out.alerts[0].metadata, {});
    assert.equal(out.alerts[0].signature.attackType, 'icmp_flood');
    assert.equal(out.verdicts[48], `[48] ${ATT} -> ${VIC} : ALLOW`);
    assert.equal(out.verdicts[49], `[49] ${ATT} -> ${VIC} : BLOCK: ICMP flood`);
    assert.equal(out.verdicts[199], `[199] ${ATT} -> ${VIC} : BLOCK: ICMP flood`);
  });

  it('stays silent on a normal ping (1/s for 100 s) and a fast one (5/s)', () => {
    const c = collector();
    ping(c.emit, { src: CLI, dst: VIC, count: 100, intervalUs: 1_000_000, t0: T0, id: 1 });
    ping(c.emit, { src: CLI, dst: '10.0.0.11', count: 100, intervalUs: 200_000, t0: T0, id: 2 });
    ping(c.emit, { src: 'fd00::21', dst: 'fd00::10', count: 30, intervalUs: 1_000_000, t0: T0, id: 3 });
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('counts ICMPv6 echo requests too', () => {
    const c = collector();
    for (let i = 0; i < 60; i++) c.emit(ethernet(icmpEcho({ src: '2001:db8::66', dst: '2001:db8::10', id: 9, seq: i })), T0 + i * 1000);
    assert.deepEqual(brief(run(c.frames).alerts), ['9100001 #50 2001:db8::66 -> 2001:db8::10 blocked']);
  });
});

describe('icmp_flood: other requests and forged errors', () => {
  it('counts timestamp requests as requests (hping3 -1 -C 13)', () => {
    const c = collector();
    for (let i = 0; i < 80; i++) c.emit(ethernet(icmpPacket({ src: ATT, dst: VIC, type: 13, code: 0, body: new Uint8Array(16) })), T0 + i * 1000);
    assert.deepEqual(brief(run(c.frames).alerts), [`9100001 #50 ${ATT} -> ${VIC} blocked`]);
  });

  it('alerts on port unreachables quoting a datagram the victim never sent (BlackNurse, hping3 -1 -C 3 -K 3)', () => {
    const c = collector();
    // What hping3 quotes: a TCP header from 1.2.3.4 to 5.6.7.8.
    // The error's body: 4 unused bytes, then the quoted datagram (hping3's: from 1.2.3.4 to 5.6.7.8).
    const quoted = Buffer.concat([Buffer.alloc(4), udpPacket({ src: '1.2.3.4', dst: '5.6.7.8', sport: 0, dport: 0 }).subarray(0, 28)]);
    for (let i = 0; i < 80; i++) c.emit(ethernet(icmpPacket({ src: ATT, dst: VIC, type: 3, code: 3, body: quoted })), T0 + i * 1000);
    const out = run(c.frames);
    assert.deepEqual(brief(out.alerts), [`9100008 #50 ${ATT} -> ${VIC} blocked`]);
    assert.equal(out.alerts[0].signature.attackType, 'icmp_flood');
  });

  it('alerts on echo replies to a host that asked nothing (smurf reflectors), naming it as the target, blocking no one', () => {
    const c = collector();
    for (let i = 0; i < 100; i++) c.emit(ethernet(icmpEcho({ src: `203.0.113.${i + 1}`, dst: VIC, id: 7, seq: i, reply: true })), T0 + i * 5000);
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.action]), [[9100009, 50, VIC, 'allowed']]);
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
    // The same replies, each after the victim's own request (60 hosts pinged at once): quiet.
    const asked = collector();
    for (let i = 0; i < 60; i++) {
      asked.emit(ethernet(icmpEcho({ src: VIC, dst: `203.0.113.${i + 1}`, id: 7, seq: i })), T0 + i * 5000);
      asked.emit(ethernet(icmpEcho({ src: `203.0.113.${i + 1}`, dst: VIC, id: 7, seq: i, reply: true })), T0 + i * 5000 + 100);
    }
    assert.deepEqual(run(asked.frames).alerts.filter((a) => a.signature.sid === 9100009), []);
  });

  it('alerts on a flood from forged random sources (hping3 -1 --rand-source) about the victim, blocking no one', () => {
    const c = collector();
    for (let i = 0; i < 300; i++) c.emit(ethernet(icmpEcho({ src: `198.18.${i >> 7}.${(i & 127) + 1}`, dst: VIC, id: 4321, seq: i })), T0 + i * 1000);
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, a.destIp, a.action]), [[9100017, 100, '198.18.0.100', VIC, 'allowed']]);
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
  });

  it('stays silent on 60 monitoring hosts each pinging one server 4 times a second (240 requests/s)', () => {
    const c = collector();
    for (let s = 0; s < 120; s++) for (let h = 0; h < 60; h++) c.emit(ethernet(icmpEcho({ src: `10.0.9.${h + 1}`, dst: VIC, id: 100 + h, seq: s })), T0 + s * 250_000 + h * 1000);
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('a source flooding with a new identifier per request is one flood from that source, not a distributed one', () => {
    const c = collector();
    for (let i = 0; i < 300; i++) c.emit(ethernet(icmpEcho({ src: ATT, dst: VIC, id: i, seq: 1 })), T0 + i * 1000);
    assert.deepEqual(brief(run(c.frames).alerts), [`9100001 #50 ${ATT} -> ${VIC} blocked`]);
  });

  it('alerts on echo requests to a broadcast address in the victim\'s name (smurf), blocking no one', () => {
    const viaLink = collector();
    // A directed broadcast: only the Ethernet destination tells it from a unicast address.
    for (let i = 0; i < 100; i++) viaLink.emit(ethernet(icmpEcho({ src: VIC, dst: '10.0.0.255', id: 7, seq: i }), { dstMac: 'ff:ff:ff:ff:ff:ff' }), T0 + i * 5000);
    const out = run(viaLink.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, a.destIp, a.action]), [[9100018, 50, VIC, '10.0.0.255', 'allowed']]);
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
    // The limited broadcast, a multicast group and IPv6's all-nodes group need no link layer.
    for (const [src, dst] of [[VIC, '255.255.255.255'], [VIC, '224.0.0.1'], ['fd00::10', 'ff02::1']]) {
      const c = collector();
      for (let i = 0; i < 60; i++) c.emit(ethernet(icmpEcho({ src, dst, id: 7, seq: i })), T0 + i * 5000);
      assert.deepEqual(run(c.frames).alerts.map((a) => [a.signature.sid, a.srcIp, a.action]), [[9100018, src, 'allowed']], dst);
    }
    // The same requests to a unicast address are the source's own flood.
    const unicast = collector();
    for (let i = 0; i < 60; i++) unicast.emit(ethernet(icmpEcho({ src: VIC, dst: '10.0.0.254', id: 7, seq: i })), T0 + i * 5000);
    assert.deepEqual(brief(run(unicast.frames).alerts), [`9100001 #50 ${VIC} -> 10.0.0.254 blocked`]);
  });

  it('stays silent on a normal broadcast ping (ping -b, one a second)', () => {
    const c = collector();
    for (let i = 0; i < 30; i++) c.emit(ethernet(icmpEcho({ src: CLI, dst: '10.0.0.255', id: 7, seq: i }), { dstMac: 'ff:ff:ff:ff:ff:ff' }), T0 + i * 1_000_000);
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('stays silent on 1000 real port unreachables a second (a UDP scan answered by its victim)', () => {
    const c = collector();
    for (let i = 0; i < 1000; i++) {
      const probe = udpPacket({ src: ATT, dst: VIC, sport: 40000, dport: 1000 + i });
      c.emit(ethernet(icmpPacket({ src: VIC, dst: ATT, type: 3, code: 3, body: Buffer.concat([Buffer.alloc(4), probe.subarray(0, 28)]) })), T0 + i * 1000);
    }
    assert.deepEqual(run(c.frames).alerts, []);
  });
});

describe('syn_flood', () => {
  it('alerts at the 100th SYN from one source to one service', () => {
    const c = collector();
    synFlood(c.emit, { src: ATT, dst: VIC, dport: 80, count: 300, intervalUs: 1000, t0: T0 }, new Rng(1));
    const out = run(c.frames);
    assert.deepEqual(brief(out.alerts), [`9100002 #100 ${ATT} -> ${VIC} blocked`]);
    assert.equal(out.alerts[0].destPort, 80);
    assert.equal(out.events.filter((e) => e.type === 'block').length, 1);
  });

  it('alerts on a spoofed flood against one service without blocking anyone', () => {
    const c = collector();
    synFlood(c.emit, { src: null, dst: VIC, dport: 443, count: 400, intervalUs: 1000, t0: T0 }, new Rng(2));
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.destPort, a.action]), [[9100003, 200, VIC, 443, 'allowed']]);
    assert.equal(out.events.filter((e) => e.type === 'block').length, 0);
  });

  it('alerts on connections left half-open once they time out', () => {
    const c = collector();
    for (let i = 0; i < 60; i++) {
      c.emit(ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 20000 + i, dport: 80, flags: 'S', seq: i })), T0 + i * 500_000);
      c.emit(ethernet(tcpPacket({ src: VIC, dst: ATT, sport: 80, dport: 20000 + i, flags: 'SA', seq: 7, ack: i + 1 })), T0 + i * 500_000 + 100);
    }
    // A later, unrelated packet moves packet time past the 30 s timeout of every half-open flow.
    c.emit(ethernet(udpPacket({ src: CLI, dst: VIC, sport: 5000, dport: 53 })), T0 + 120_000_000);
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, a.action]), [[9100004, 121, ATT, 'blocked']]);
  });

  it('stays silent on a busy web client opening 150 connections to one server', () => {
    const c = collector();
    const rng = new Rng(3);
    for (let i = 0; i < 150; i++) {
      const g = httpGet('example', `/a/${i}`, 'ok');
      tcpExchange(c.emit, { client: CLI, server: VIC, sport: 30000 + i, dport: 80, ...g, t0: T0 + i * 10_000 }, rng);
    }
    assert.deepEqual(run(c.frames).alerts, []);
  });
});

describe('udp_flood', () => {
  it('alerts at the 500th one-way datagram within a second', () => {
    const c = collector();
    udpFlood(c.emit, { src: ATT, dst: VIC, dport: 53, count: 800, intervalUs: 1000, t0: T0 });
    assert.deepEqual(brief(run(c.frames).alerts), [`9100005 #500 ${ATT} -> ${VIC} blocked`]);
  });

  it('stays silent on a busy two-way UDP conversation (QUIC-like, 2000 packets/s)', () => {
    const c = collector();
    for (let i = 0; i < 3000; i++) {
      c.emit(ethernet(udpPacket({ src: VIC, dst: CLI, sport: 443, dport: 51000, payload: 'x'.repeat(1200) })), T0 + i * 500);
      if (i % 2 === 0) c.emit(ethernet(udpPacket({ src: CLI, dst: VIC, sport: 51000, dport: 443, payload: 'ack' })), T0 + i * 500 + 100);
    }
    assert.deepEqual(run(c.frames).alerts, []);
  });
});

describe('udp_flood: many or forged sources', () => {
  it('alerts on a flood from forged random sources (hping3 -2 --rand-source) about the victim, blocking no one', () => {
    const c = collector();
    for (let i = 0; i < 800; i++) c.emit(ethernet(udpPacket({ src: `198.18.${i >> 7}.${(i & 127) + 1}`, dst: VIC, sport: 1024 + i, dport: 53 })), T0 + i * 1000);
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.destPort, a.action]), [[9100016, 500, VIC, 53, 'allowed']]);
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
  });

  it('alerts on reflected DNS answers the victim never asked for, each from a new reflector', () => {
    const c = collector();
    for (let i = 0; i < 600; i++) c.emit(ethernet(udpPacket({ src: `203.0.${i >> 8}.${i & 255}`, dst: VIC, sport: 53, dport: 33000, payload: 'x'.repeat(400) })), T0 + i * 1000);
    assert.deepEqual(run(c.frames).alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp]), [[9100016, 500, VIC]]);
  });

  it('stays silent on a DNS server answering 1000 clients a second, and on a syslog collector fed by 5 hosts', () => {
    const c = collector();
    for (let i = 0; i < 2000; i++) {
      const cli = `10.1.${i >> 8}.${i & 255}`;
      c.emit(ethernet(udpPacket({ src: cli, dst: VIC, sport: 40000 + (i % 20000), dport: 53, payload: 'query' })), T0 + i * 1000);
      c.emit(ethernet(udpPacket({ src: VIC, dst: cli, sport: 53, dport: 40000 + (i % 20000), payload: 'answer' })), T0 + i * 1000 + 300);
    }
    for (let i = 0; i < 3000; i++) c.emit(ethernet(udpPacket({ src: `10.2.0.${1 + (i % 5)}`, dst: '10.0.0.11', sport: 514, dport: 514, payload: '<13>log line' })), T0 + i * 1000);
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('a source sending to 300 new ports of one host is its own business (a scan), not a distributed flood', () => {
    const c = collector();
    for (let i = 0; i < 300; i++) c.emit(ethernet(udpPacket({ src: ATT, dst: VIC, sport: 2000, dport: 1 + i })), T0 + i * 2000);
    assert.deepEqual(run(c.frames).alerts.filter((a) => a.signature.sid === 9100016), []);
  });
});

describe('ip_flood', () => {
  /** `count` datagrams of IP protocol `proto` from `src` to VIC, 1 ms apart, `body` after the IP header. */
  const raw = (c: ReturnType<typeof collector>, o: { src?: string; proto: number; body?: number; count: number; fragment?: boolean }): void => {
    for (let i = 0; i < o.count; i++) {
      const payload = new Uint8Array(o.body ?? 0).fill(0x41);
      c.emit(ethernet(ipv4Packet({ src: o.src ?? ATT, dst: VIC, proto: o.proto, payload, id: i, moreFragments: o.fragment })), T0 + i * 1000);
    }
  };

  it('alerts at the 100th bare IP header of one protocol within a second (hping3 -0) and blocks the source', () => {
    const c = collector();
    raw(c, { proto: 6, count: 300 });
    assert.deepEqual(brief(run(c.frames).alerts), [`9100019 #100 ${ATT} -> ${VIC} blocked`]);
  });

  it('counts empty IPsec headers (hping3 -0 -H 50) but not IPsec, PIM or SCTP traffic with its header', () => {
    for (const [proto, body, alerts] of [
      [50, 0, 1],
      [50, 64, 0],
      [51, 24, 0],
      [103, 40, 0],
      [132, 12, 0],
      [132, 4, 1],
      [255, 0, 1],
    ] as const) {
      const c = collector();
      raw(c, { proto, body, count: 300 });
      assert.equal(run(c.frames).alerts.length, alerts, `protocol ${proto}, ${body} bytes`);
    }
  });

  it('leaves fragments to the defragmenter, and a decoded transport to the other detectors', () => {
    const c = collector();
    raw(c, { proto: 17, body: 64, count: 300, fragment: true });
    for (let i = 0; i < 300; i++) c.emit(ethernet(udpPacket({ src: CLI, dst: VIC, sport: 40000, dport: 9 })), T0 + i * 1000);
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('keeps protocols apart: 256 numbers once each (an IP protocol scan) is no flood', () => {
    const c = collector();
    for (let i = 0; i < 512; i++) c.emit(ethernet(ipv4Packet({ src: ATT, dst: VIC, proto: i % 256, payload: new Uint8Array(0), id: i })), T0 + i * 1000);
    assert.ok(run(c.frames).alerts.every((a) => a.signature.attackType !== 'ip_flood'));
  });

  it('alerts about the host, blocking no one, when each packet has its own forged source (--rand-source)', () => {
    const c = collector();
    for (let i = 0; i < 400; i++) c.emit(ethernet(ipv4Packet({ src: `198.18.${i >> 8}.${i & 255}`, dst: VIC, proto: 255, payload: new Uint8Array(0), id: i })), T0 + i * 1000);
    const out = run(c.frames);
    assert.deepEqual(brief(out.alerts), [`9100050 #200 198.18.0.199 -> ${VIC} allowed`]);
  });
});

describe('tcp_flood', () => {
  /** `count` stray segments (flags `flags`) from `src(i)`, each from its own port, `gapUs` apart (2 ms), each answered by a RST from the victim when `reset`. */
  function strays(emit: (f: Buffer, t: number) => void, o: { src: (i: number) => string; flags: string; count: number; reset: boolean; gapUs?: number }): void {
    for (let i = 0; i < o.count; i++) {
      const t = T0 + i * (o.gapUs ?? 2000);
      emit(ethernet(tcpPacket({ src: o.src(i), dst: VIC, sport: 40000 + i, dport: 80, flags: o.flags, seq: 7000 + i, ack: 9000 })), t);
      if (o.reset) emit(ethernet(tcpPacket({ src: VIC, dst: o.src(i), sport: 80, dport: 40000 + i, flags: 'R', seq: 9000 })), t + 50);
    }
  }

  it('alerts on an ACK flood (hping3 -A) at the 100th ACK the victim resets, and blocks the source', () => {
    const c = collector();
    strays(c.emit, { src: () => ATT, flags: 'A', count: 300, reset: true });
    const out = run(c.frames);
    // ACK i is packet 2i+1, its RST 2i+2: the 100th RST is packet 200.
    assert.deepEqual(brief(out.alerts), [`9100006 #200 ${ATT} -> ${VIC} blocked`]);
    assert.equal(out.alerts[0].destPort, 80);
    assert.equal(out.alerts[0].signature.attackType, 'tcp_flood');
  });

  it('alerts on a RST flood (hping3 -R) as the RSTs come, and on a spoofed ACK flood per service without blocking', () => {
    const rst = collector();
    strays(rst.emit, { src: () => ATT, flags: 'R', count: 150, reset: false });
    assert.deepEqual(brief(run(rst.frames).alerts), [`9100006 #100 ${ATT} -> ${VIC} blocked`]);
    const spoofed = collector();
    strays(spoofed.emit, { src: (i) => `198.18.${i >> 7}.${(i & 127) + 1}`, flags: 'A', count: 300, reset: true });
    const out = run(spoofed.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.destPort, a.action]), [[9100007, 400, VIC, 80, 'allowed']]);
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
  });

  it('counts an ACK nobody answers at all once its answer is overdue (spoofed flood, no route back): alerted about the service, nobody blocked', () => {
    const c = collector();
    // hping3 -A --rand-source at 500/s to a victim with no route to the forged sources: no RSTs.
    strays(c.emit, { src: (i) => `198.18.${i >> 7}.${(i & 127) + 1}`, flags: 'A', count: 1400, reset: false });
    const out = run(c.frames);
    // ACK i is judged at the first packet 2 s after it, ACK i+1000; the 200th judged is ACK 199, at ACK 1199 (packet 1200).
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.destPort, a.action]), [[9100007, 1200, VIC, 80, 'allowed']]);
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
    // The last 1000 are still waiting when the capture ends, and judged then.
    assert.equal(out.engine.detect.collectStats().tcp_flood_unanswered, 1400);
  });

  it('judges what still waits for an answer when the capture ends: a spoofed flood shorter than the timeout is one, a slow trickle is not', () => {
    // hping3 -A --rand-source for 0.6 s, the capture stopped right after: no ACK is 2 s old by then.
    const short = collector();
    strays(short.emit, { src: (i) => `198.18.${i >> 7}.${(i & 127) + 1}`, flags: 'A', count: 300, reset: false });
    const out = run(short.frames);
    // Judged as the last packet is, each at the time its answer became overdue: 200 in one second.
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.destPort, a.action]), [[9100007, 300, VIC, 80, 'allowed']]);
    assert.equal(out.engine.detect.collectStats().tcp_flood_unanswered, 300);
    // The same 300 spread over 6 s (50 a second): unanswered, but no flood.
    const slow = collector();
    strays(slow.emit, { src: (i) => `198.18.${i >> 7}.${(i & 127) + 1}`, flags: 'A', count: 300, reset: false, gapUs: 20_000 });
    const quiet = run(slow.frames);
    assert.deepEqual(quiet.alerts, []);
    assert.equal(quiet.engine.detect.collectStats().tcp_flood_unanswered, 300);
  });

  it('counts an ACK that the victim resets once, not again when the timeout passes', () => {
    const c = collector();
    strays(c.emit, { src: (i) => `198.18.${i >> 7}.${(i & 127) + 1}`, flags: 'A', count: 1400, reset: true });
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt]), [[9100007, 400]]);
    assert.equal(out.engine.detect.collectStats().tcp_flood_unanswered, 0);
  });

  it('alerts on a FIN flood at a listening port, which answers nothing, at the 100th FIN', () => {
    const c = collector();
    strays(c.emit, { src: () => ATT, flags: 'F', count: 200, reset: false });
    const out = run(c.frames);
    assert.deepEqual(brief(out.alerts), [`9100011 #1 ${ATT} -> ${VIC} blocked`, `9100006 #100 ${ATT} -> ${VIC} blocked`]);
  });

  it('counts a FIN the victim resets once, not twice', () => {
    const c = collector();
    strays(c.emit, { src: () => ATT, flags: 'F', count: 120, reset: true });
    // FIN i is packet 2i+1: the 100th FIN is packet 199 (its RST would have made it the 50th).
    assert.deepEqual(brief(run(c.frames).alerts).filter((a) => a.startsWith('9100006')), [`9100006 #199 ${ATT} -> ${VIC} blocked`]);
  });

  it('stays silent on a capture that starts inside 400 live connections, and on 60 connections a restarted server resets', () => {
    const c = collector();
    for (let i = 0; i < 400; i++) {
      const cli = `10.0.${(i >> 7) + 1}.${(i & 127) + 1}`;
      const t = T0 + i * 1000;
      c.emit(ethernet(tcpPacket({ src: cli, dst: VIC, sport: 50000 + i, dport: 80, flags: 'A', seq: 1, ack: 1 })), t);
      c.emit(ethernet(tcpPacket({ src: VIC, dst: cli, sport: 80, dport: 50000 + i, flags: 'PA', seq: 1, ack: 1, payload: 'HTTP/1.1 200 OK\r\n' })), t + 100);
      c.emit(ethernet(tcpPacket({ src: cli, dst: VIC, sport: 50000 + i, dport: 80, flags: 'R', seq: 1 })), t + 200);
    }
    strays(c.emit, { src: () => CLI, flags: 'PA', count: 60, reset: true });
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('alerts on a SYN-ACK flood (hping3 -SA) at the 100th SYN-ACK the victim resets, its sender as the source, and blocks it', () => {
    const c = collector();
    strays(c.emit, { src: () => ATT, flags: 'SA', count: 300, reset: true });
    const out = run(c.frames);
    // SYN-ACK i is packet 2i+1, the victim's RST 2i+2: the 100th RST is packet 200.
    assert.deepEqual(brief(out.alerts), [`9100006 #200 ${ATT} -> ${VIC} blocked`]);
    assert.deepEqual([out.alerts[0].srcPort, out.alerts[0].destPort], [40099, 80]);
    assert.deepEqual(out.events.flatMap((e) => (e.type === 'block' ? [e.addr] : [])), [ATT]);
  });

  it('counts SYN-ACKs from forged sources that nothing answers once overdue: alerted about the service, nobody blocked', () => {
    const c = collector();
    strays(c.emit, { src: (i) => `198.18.${i >> 7}.${(i & 127) + 1}`, flags: 'SA', count: 1400, reset: false });
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.destPort, a.action]), [[9100007, 1200, VIC, 80, 'allowed']]);
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
  });

  it('stays silent on a capture that starts between the SYNs and SYN-ACKs of 400 connections: their clients go on with an ACK', () => {
    const c = collector();
    for (let i = 0; i < 400; i++) {
      const cli = `10.0.${(i >> 7) + 1}.${(i & 127) + 1}`;
      const t = T0 + i * 1000;
      c.emit(ethernet(tcpPacket({ src: VIC, dst: cli, sport: 80, dport: 50000 + i, flags: 'SA', seq: 100, ack: 1 })), t);
      c.emit(ethernet(tcpPacket({ src: cli, dst: VIC, sport: 50000 + i, dport: 80, flags: 'A', seq: 1, ack: 101 })), t + 100);
      c.emit(ethernet(tcpPacket({ src: cli, dst: VIC, sport: 50000 + i, dport: 80, flags: 'PA', seq: 1, ack: 101, payload: 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' })), t + 200);
    }
    assert.deepEqual(run(c.frames).alerts, []);
  });
});

describe('tcp_flags', () => {
  const cases: [string, string, number][] = [
    ['NULL', '', 9100010],
    ['FIN', 'F', 9100011],
    ['Xmas', 'FPU', 9100012],
    ['SYN+FIN', 'SF', 9100013],
    ['SYN+RST', 'SR', 9100014],
  ];
  for (const [name, flags, sid] of cases) {
    it(`alerts on a ${name} packet`, () => {
      const frame = ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 40000, dport: 22, flags }));
      const out = run([{ frame, tsUs: T0 }]);
      assert.deepEqual(brief(out.alerts), [`${sid} #1 ${ATT} -> ${VIC} blocked`]);
      assert.equal(out.verdicts[0], `[0] ${ATT} -> ${VIC} : BLOCK: ${out.alerts[0].signature.reason}`);
    });
  }

  it('alerts on a LAND flood (SYNs from the victim\'s own address and port) without blocking the victim', () => {
    const c = collector();
    // hping3 -S -a VIC -s 80 -k -p 80 VIC --faster: 500 SYNs at 1000/s, all "from" the victim.
    for (let i = 0; i < 500; i++) c.emit(ethernet(tcpPacket({ src: VIC, dst: VIC, sport: 80, dport: 80, flags: 'S', seq: 1000 + i })), T0 + i * 1000);
    const out = run(c.frames);
    // The LAND alert at the first SYN; the per-service SYN flood view at the 200th; nothing blames the victim.
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, a.destIp, a.action]), [
      [9100015, 1, VIC, VIC, 'allowed'],
      [9100003, 200, VIC, VIC, 'allowed'],
    ]);
    assert.equal(out.alerts[0].signature.attackType, 'land');
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
  });

  it('leaves a FIN flood from forged sources to tcp_flood: the first 16 sources alerted, none after, one alert about the service', () => {
    // hping3 -F -p 80 --rand-source: 400 FINs at 2000/s, each from another address.
    const c = collector();
    const src = (i: number): string => `198.18.${i >> 7}.${(i & 127) + 1}`;
    for (let i = 0; i < 400; i++) c.emit(ethernet(tcpPacket({ src: src(i), dst: VIC, sport: 2000 + i, dport: 80, flags: 'F' })), T0 + i * 500);
    const out = run(c.frames);
    const fin = out.alerts.filter((a) => a.signature.sid === 9100011);
    assert.deepEqual(fin.map((a) => a.srcIp), Array.from({ length: 16 }, (_, i) => src(i)));
    assert.deepEqual(out.alerts.filter((a) => a.signature.sid !== 9100011).map((a) => [a.signature.sid, a.pcapCnt, a.action]), [[9100007, 200, 'allowed']]);
    assert.equal(out.events.filter((e) => e.type === 'block').length, 16);
  });

  it('still alerts each source of a FIN scan behind decoys (nmap -sF -D: 6 sources, each probing 30 ports)', () => {
    const c = collector();
    const sources = ['192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14', '192.0.2.15', ATT];
    for (let port = 1; port <= 30; port++) sources.forEach((s, k) => c.emit(ethernet(tcpPacket({ src: s, dst: VIC, sport: 45000, dport: port, flags: 'F' })), T0 + port * 6000 + k * 1000));
    const fin = run(c.frames).alerts.filter((a) => a.signature.sid === 9100011);
    assert.deepEqual(fin.map((a) => [a.srcIp, a.pcapCnt]), sources.map((s, k) => [s, k + 1]));
  });

  // nmap's option bytes (osscan2.cc): the first sequence-test SYN's, T2-T6's, the ECN probe's.
  const SEQ1 = Buffer.from('03030a01020405b4080affffffff000000000402', 'hex');
  const TPROBE = Buffer.from('03030a0102040109080affffffff000000000402', 'hex');
  const ECN = Buffer.from('03030a01020405b404020101', 'hex');

  it('names nmap OS detection once per source: its sequence SYNs and its NULL and Xmas-like probes are one alert', () => {
    const c = collector();
    c.emit(ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 41000, dport: 80, flags: 'S', window: 1, options: SEQ1 })), T0);
    c.emit(ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 41001, dport: 80, flags: '', window: 128, options: TPROBE })), T0 + 1000);
    c.emit(ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 41002, dport: 80, flags: 'SFPU', window: 256, options: TPROBE })), T0 + 2000);
    const out = run(c.frames);
    assert.deepEqual(brief(out.alerts), [`9100021 #1 ${ATT} -> ${VIC} blocked`]);
    assert.equal(out.alerts[0].signature.attackType, 'os_fingerprint');
    assert.equal(out.alerts[0].detail, 'TCP flags 0x02 to port 80, window 1');
    assert.equal(out.verdicts[0], `[0] ${ATT} -> ${VIC} : BLOCK: OS detection`);
  });

  it('names nmap\'s ECN probe (SYN+ECE+CWR, urgent pointer 0xF7F5 without URG) and its NULL probe on their own', () => {
    for (const [flags, options, urgentPointer, window] of [['SEC', ECN, 0xf7f5, 3], ['', TPROBE, 0, 128]] as const) {
      const out = run([{ frame: ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 41000, dport: 443, flags, window, urgentPointer, options })), tsUs: T0 }]);
      assert.deepEqual(brief(out.alerts), [`9100021 #1 ${ATT} -> ${VIC} blocked`], flags);
    }
  });

  it('stays silent on SYNs with ordinary timestamps and on an ECN-capable connection\'s SYN', () => {
    const c = collector();
    // Linux's SYN: MSS, SACK permitted, TS (TSval of its clock, TSecr 0), NOP, window scale 7.
    const linux = Buffer.from('020405b40402080a8a3c1f2e0000000001030307', 'hex');
    c.emit(ethernet(tcpPacket({ src: CLI, dst: VIC, sport: 50000, dport: 80, flags: 'S', window: 64240, options: linux })), T0);
    c.emit(ethernet(tcpPacket({ src: CLI, dst: VIC, sport: 50001, dport: 80, flags: 'SEC', window: 64240, options: linux })), T0 + 1000);
    // A NULL probe without nmap's options stays a NULL scan.
    c.emit(ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 41000, dport: 80, flags: '', window: 1024 })), T0 + 2000);
    assert.deepEqual(brief(run(c.frames).alerts), [`9100010 #3 ${ATT} -> ${VIC} blocked`]);
  });

  it('stays silent on a host talking to itself on other ports, and on a SYN to another host from the same port', () => {
    const c = collector();
    c.emit(ethernet(tcpPacket({ src: VIC, dst: VIC, sport: 40000, dport: 80, flags: 'S' })), T0);
    c.emit(ethernet(tcpPacket({ src: CLI, dst: VIC, sport: 80, dport: 80, flags: 'S' })), T0 + 1);
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('stays silent on a normal connection with FIN+ACK teardown and RST+ACK', () => {
    const c = collector();
    const g = httpGet('example', '/', 'ok');
    tcpExchange(c.emit, { client: CLI, server: VIC, sport: 30000, dport: 80, ...g, t0: T0 }, new Rng(4));
    c.emit(ethernet(tcpPacket({ src: VIC, dst: CLI, sport: 81, dport: 30001, flags: 'RA' })), T0 + 1_000_000);
    assert.deepEqual(run(c.frames).alerts, []);
  });
});

describe('port_scan: IP protocol and SCTP scans', () => {
  it('alerts at the 10th distinct protocol without a transport decoder sent to one host (nmap -sO)', () => {
    const c = collector();
    for (let i = 0; i < 20; i++) c.emit(ethernet(ipv4Packet({ src: ATT, dst: VIC, proto: 50 + i, payload: new Uint8Array(0) })), T0 + i * 1000);
    const out = run(c.frames);
    assert.deepEqual(brief(out.alerts), [`9100020 #10 ${ATT} -> ${VIC} blocked`]);
    assert.deepEqual(out.alerts[0].metadata, { scan_kind: ['ip_protocol'] });
  });

  it('counts SCTP INITs by their port (nmap -sY), and SCTP traffic on one association stays quiet', () => {
    /** An SCTP packet: common header (ports, tag, checksum), then an INIT chunk header. */
    const sctp = (src: string, sport: number, dport: number): Buffer => {
      const b = Buffer.alloc(16);
      b.writeUInt16BE(sport, 0);
      b.writeUInt16BE(dport, 2);
      b[12] = 1; // INIT
      b.writeUInt16BE(4, 14);
      return ethernet(ipv4Packet({ src, dst: VIC, proto: 132, payload: b }));
    };
    const scan = collector();
    for (let i = 0; i < 20; i++) scan.emit(sctp(ATT, 40000, i + 1), T0 + i * 1000);
    const out = run(scan.frames);
    assert.deepEqual(brief(out.alerts), [`9100020 #15 ${ATT} -> ${VIC} blocked`]);
    assert.deepEqual(out.alerts[0].metadata, { scan_kind: ['sctp'] });
    const diameter = collector();
    for (let i = 0; i < 200; i++) diameter.emit(sctp(CLI, 3868, 3868), T0 + i * 1000);
    assert.deepEqual(run(diameter.frames).alerts, []);
  });

  it('stays silent on a router speaking GRE, ESP, OSPF, VRRP and IGMP to one host', () => {
    const c = collector();
    for (let i = 0; i < 50; i++) for (const proto of [47, 50, 89, 112, 2]) c.emit(ethernet(ipv4Packet({ src: CLI, dst: VIC, proto, payload: new Uint8Array(8) })), T0 + i * 1000);
    assert.deepEqual(run(c.frames).alerts, []);
  });
});

describe('port_scan', () => {
  const ports = Array.from({ length: 100 }, (_, i) => i + 1);
  const kinds = ['syn', 'connect', 'udp', 'ack', 'null', 'fin', 'xmas'] as const;
  for (const kind of kinds) {
    it(`alerts at the 15th distinct port of a ${kind} scan, naming the kind`, () => {
      const c = collector();
      portScan(c.emit, { src: ATT, dst: VIC, ports, kind, open: [22, 80], intervalUs: 3000, t0: T0 }, new Rng(5));
      const out = run(c.frames);
      const scan = out.alerts.filter((a) => a.signature.sid === 9100020);
      assert.equal(scan.length, 1);
      assert.equal(scan[0].srcIp, ATT);
      assert.equal(scan[0].destIp, VIC);
      assert.equal(scan[0].destPort, 15);
      assert.deepEqual(scan[0].metadata, { scan_kind: [kind] });
      assert.equal(scan[0].signature.reason, 'multi-port scan');
    });
  }

  it('stays silent on a client fetching pages from 30 servers', () => {
    const c = collector();
    const rng = new Rng(6);
    for (let i = 0; i < 30; i++) {
      const g = httpGet(`s${i}`, '/', 'hello');
      tcpExchange(c.emit, { client: CLI, server: `203.0.113.${i + 1}`, sport: 40000 + i, dport: i % 2 ? 443 : 80, ...g, t0: T0 + i * 100_000 }, rng);
    }
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('does not count a server answering many clients in a capture that starts mid-conversation', () => {
    const c = collector();
    for (let i = 0; i < 40; i++) {
      c.emit(ethernet(tcpPacket({ src: VIC, dst: CLI, sport: 8080, dport: 40000 + i, flags: 'PA', seq: 1, ack: 1, payload: 'data' })), T0 + i * 1000);
    }
    assert.deepEqual(run(c.frames).alerts, []);
  });
});

describe('host_sweep', () => {
  it('alerts at the 20th host of an ICMP echo sweep', () => {
    const c = collector();
    pingSweep(c.emit, { src: ATT, prefix: '10.0.0', from: 1, to: 40, live: [5, 10], intervalUs: 5000, t0: T0 });
    const out = run(c.frames);
    assert.deepEqual(
      out.alerts.map((a) => [a.signature.sid, a.srcIp, a.destIp, a.metadata]),
      [[9100030, ATT, '10.0.0.20', { sweep_kind: ['icmp'] }]],
    );
  });

  it('alerts on an ARP sweep, naming the ARP sender', () => {
    const c = collector();
    for (let h = 1; h <= 30; h++) c.emit(arpRequest({ senderIp: '10.0.0.250', targetIp: `10.0.0.${h}` }), T0 + h * 1000);
    const out = run(c.frames);
    assert.deepEqual(brief(out.alerts), ['9100031 #20 10.0.0.250 -> 10.0.0.20 blocked']);
    assert.equal(out.alerts[0].proto, 'ARP');
    assert.equal(out.verdicts[19], '[19] Non-IP packet : BLOCK: host sweep');
  });

  it('ignores gratuitous ARP and a host resolving a few neighbours', () => {
    const c = collector();
    for (let i = 0; i < 50; i++) c.emit(arpRequest({ senderIp: '10.0.0.5', targetIp: '10.0.0.5' }), T0 + i * 1000);
    for (let i = 0; i < 50; i++) c.emit(arpRequest({ senderIp: '10.0.0.6', targetIp: `10.0.0.${1 + (i % 5)}` }), T0 + i * 1000);
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('alerts on an IPv6 neighbor discovery sweep (nmap -6 -sn on a LAN), naming the source', () => {
    const c = collector();
    for (let h = 1; h <= 30; h++) {
      const target = Buffer.alloc(20);
      target.set(Buffer.from(`fd000000000000000000000000000${h.toString(16).padStart(3, '0')}`, 'hex'), 4);
      c.emit(ethernet(icmpPacket({ src: 'fd00::66', dst: `ff02::1:ff00:${h.toString(16)}`, type: 135, code: 0, body: target }), { dstMac: '33:33:ff:00:00:01' }), T0 + h * 1000);
    }
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, a.destIp, a.action, a.metadata]), [[9100033, 20, 'fd00::66', 'ff02::1:ff00:14', 'blocked', { sweep_kind: ['nd'] }]]);
  });

  it('ignores duplicate address detection and a host resolving a few neighbours over and over', () => {
    const c = collector();
    for (let i = 0; i < 60; i++) {
      const target = Buffer.alloc(20);
      target.set(Buffer.from(`fd000000000000000000000000000${(1 + (i % 5)).toString(16).padStart(3, '0')}`, 'hex'), 4);
      c.emit(ethernet(icmpPacket({ src: 'fd00::7', dst: 'ff02::1:ff00:1', type: 135, code: 0, body: target })), T0 + i * 1000);
      // DAD: from the unspecified address, for a new address each time.
      const dad = Buffer.alloc(20);
      dad.set(Buffer.from(`fe8000000000000000000000000${(i + 1).toString(16).padStart(5, '0')}`, 'hex'), 4);
      c.emit(ethernet(icmpPacket({ src: '::', dst: 'ff02::1:ff00:2', type: 135, code: 0, body: dad })), T0 + i * 1000 + 10);
    }
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('alerts on a horizontal scan of one port refused by 25 hosts', () => {
    const c = collector();
    for (let h = 1; h <= 25; h++) {
      const dst = `10.0.1.${h}`;
      c.emit(ethernet(tcpPacket({ src: ATT, dst, sport: 41000, dport: 22, flags: 'S', seq: h, options: Uint8Array.from([2, 4, 5, 180]) })), T0 + h * 1000);
      c.emit(ethernet(tcpPacket({ src: dst, dst: ATT, sport: 22, dport: 41000, flags: 'RA', ack: h + 1 })), T0 + h * 1000 + 200);
    }
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.srcIp, a.destPort, a.metadata]), [[9100032, ATT, 22, { sweep_kind: ['tcp'] }]]);
  });
});
