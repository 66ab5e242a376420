/**
 * The generator: same seed, same bytes; truth files that agree with the packets (each labelled
 * packet decoded by the engine's own decoder); captures the real tools read without complaint;
 * hosts that look like real machines; a scale that grows only the background.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCaptureFile } from '../../../src/capture/source.js';
import { Decoder } from '../../../src/decode/decoder.js';
import { dstAddrText, IpProto, L3, Packet, srcAddrText } from '../../../src/decode/packet.js';
import { DEFAULT_SEED, generateCaptures, type GenerateResult } from '../../../src/tools/generate/generate.js';
import { expandRanges, parseTruth, type Truth, type TruthAttack } from '../../../src/tools/generate/truth.js';
import { webAttacks } from '../../../src/tools/generate/web-attacks.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-generate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What the tests read of one decoded frame. */
interface Seen {
  readonly src: string;
  readonly dst: string;
  readonly l3: number;
  readonly proto: number;
  readonly srcMac: string;
  readonly ttl: number;
  readonly ipId: number;
  readonly fragment: boolean;
  readonly fragOffset: number;
  readonly tcpSeq: number;
  readonly srcPort: number;
  /** TCP/UDP payload, or a fragment's data. */
  readonly payload: Buffer;
  readonly events: number;
}

/** Every frame of a capture, decoded by the engine's decoder; index i is packet number i + 1. */
async function decodeAll(path: string): Promise<Seen[]> {
  const decoder = new Decoder();
  const p = new Packet();
  const out: Seen[] = [];
  await readCaptureFile(path, (buf, offset, capLen, _wire, _ts, _ns, linkType) => {
    decoder.decode(p, buf, offset, capLen, linkType);
    const frame = buf.subarray(offset, offset + capLen);
    out.push({
      src: srcAddrText(p),
      dst: dstAddrText(p),
      l3: p.l3,
      proto: p.ipProto,
      srcMac: frame.subarray(6, 12).toString('hex'),
      ttl: p.ttl,
      ipId: p.l3 === L3.IPV4 ? frame.readUInt16BE(18) : -1,
      fragment: p.isFragment,
      fragOffset: p.fragOffset,
      tcpSeq: p.tcpSeq,
      srcPort: p.srcPort,
      payload: Buffer.from(p.buf.subarray(p.payloadOffset, p.payloadOffset + p.payloadLen)),
      events: p.eventCount,
    });
  });
  return out;
}

function hasTool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).error === undefined;
}

function inLan(addr: string): boolean {
  return addr.startsWith('10.1.0.');
}

let first: GenerateResult;
let again: GenerateResult;
let other: GenerateResult;
let truth: Truth;
let frames: Seen[];

before(async () => {
  first = await generateCaptures({ outDir: join(dir, 'a'), seed: DEFAULT_SEED, scale: 1 });
  again = await generateCaptures({ outDir: join(dir, 'b'), seed: DEFAULT_SEED, scale: 1 });
  other = await generateCaptures({ outDir: join(dir, 'c'), seed: DEFAULT_SEED + 1, scale: 1 });
  truth = parseTruth(readFileSync(first.malicious.truthPath, 'utf8'), first.malicious.truthPath);
  frames = await decodeAll(first.malicious.path);
});

describe('rampart generate: determinism', () => {
  it('writes the same bytes for the same seed (captures and truth files)', () => {
    for (const k of ['normal', 'malicious'] as const) {
      assert.ok(readFileSync(first[k].path).equals(readFileSync(again[k].path)), `${k}.pcap differs between two runs`);
      assert.equal(readFileSync(first[k].truthPath, 'utf8'), readFileSync(again[k].truthPath, 'utf8'));
    }
  });

  it('writes different bytes for another seed, with the same attacks', () => {
    for (const k of ['normal', 'malicious'] as const) assert.ok(!readFileSync(first[k].path).equals(readFileSync(other[k].path)), `${k}.pcap is the same for two seeds`);
    const otherTruth = parseTruth(readFileSync(other.malicious.truthPath, 'utf8'), 'other');
    assert.deepEqual(
      otherTruth.attacks.map((a) => [a.id, a.attacker, a.victim, a.packet_count]),
      truth.attacks.map((a) => [a.id, a.attacker, a.victim, a.packet_count]),
    );
  });
});

describe('rampart generate: truth files', () => {
  it('describes the captures: packet counts, 1-based numbers, the attacks with exact sizes', () => {
    assert.equal(truth.capture, 'malicious.pcap');
    assert.equal(truth.index_base, 1);
    assert.equal(truth.packets, frames.length);
    assert.equal(truth.seed, DEFAULT_SEED);
    const normal = parseTruth(readFileSync(first.normal.truthPath, 'utf8'), 'normal');
    assert.equal(normal.packets, first.normal.packets);
    assert.deepEqual(normal.attacks, []);
    assert.deepEqual(normal.benign_hosts, truth.benign_hosts);
    const sizes = Object.fromEntries(truth.attacks.map((a) => [a.id, a.packet_count]));
    const web = new Set(webAttacks().map((w) => `${w.type}/${w.variant}`));
    assert.deepEqual(Object.fromEntries(Object.entries(sizes).filter(([id]) => !web.has(id))), {
      'port_scan/syn': 302, // 300 probes, and the RSTs nmap sends after the two SYN-ACKs
      'port_scan/connect': 152,
      'port_scan/udp': 100,
      'null_scan/null': 100,
      'fin_scan/fin': 100,
      'xmas_scan/xmas': 100,
      'host_sweep/icmp': 254,
      'host_sweep/arp': 254,
      'host_sweep/tcp': 254,
      'icmp_flood/echo': 1000,
      'syn_flood/source': 1000,
      'syn_flood/spoofed': 2000,
      'udp_flood/one_way': 2000,
      'icmp_flood/spoofed': 1000,
      'udp_flood/spoofed': 1500,
      'ip_flood/raw_ip': 500,
    });
    for (const w of webAttacks()) {
      const len = Buffer.byteLength(w.request, 'latin1');
      const d = w.delivery;
      // One segment; or one per `size` bytes; or one fragment per fragPayload bytes of TCP header + request;
      // or the decoy and the request; or the first connection's request and the attack's. A WebSocket's
      // frames, once the upgrade is answered, are one more segment. A tunnel carries the one segment.
      const expected =
        d.kind === 'whole' || d.kind === 'gre' ? 1 + (w.then !== undefined ? 1 : 0)
        : d.kind === 'segments' ? Math.ceil(len / d.size)
        : d.kind === 'decoys' || d.kind === 'reuse' ? 2
        : Math.ceil((20 + len) / d.fragPayload);
      assert.equal(sizes[`${w.type}/${w.variant}`], expected, `${w.type}/${w.variant}`);
    }
    assert.equal(truth.attacks.length, 16 + webAttacks().length);
  });

  it('the background of malicious.pcap is exactly normal.pcap\'s frames, in number', () => {
    let labelled = 0;
    for (const a of truth.attacks) labelled += expandRanges(a.packets).length + expandRanges(a.related).length;
    assert.equal(frames.length - labelled, first.normal.packets);
  });

  it('every labelled packet decodes to its attack: attacker, victim, protocol; bounds and counts agree', () => {
    const benign = new Set(truth.benign_hosts);
    const proto: Record<TruthAttack['protocol'], (s: Seen) => boolean> = {
      tcp: (s) => s.proto === IpProto.TCP,
      udp: (s) => s.proto === IpProto.UDP,
      icmp: (s) => s.proto === IpProto.ICMP,
      arp: (s) => s.l3 === L3.ARP,
      ip: (s) => s.l3 === L3.IPV4 && s.proto !== IpProto.TCP && s.proto !== IpProto.UDP && s.proto !== IpProto.ICMP,
    };
    const victimOf = (a: TruthAttack, addr: string): boolean => (a.victim.endsWith('/24') ? addr.startsWith(a.victim.slice(0, -4)) : addr === a.victim);
    for (const a of truth.attacks) {
      const carried = expandRanges(a.packets);
      assert.equal(carried.length, a.packet_count, a.id);
      assert.equal(carried[0], a.first_packet, a.id);
      assert.equal(carried[carried.length - 1], a.last_packet, a.id);
      for (const n of carried) {
        const s = frames[n - 1];
        assert.equal(s.events, 0, `${a.id} #${n}: decoder events`);
        assert.ok(proto[a.protocol](s), `${a.id} #${n}: not ${a.protocol}`);
        assert.ok(victimOf(a, s.dst), `${a.id} #${n}: destination ${s.dst} is not ${a.victim}`);
        if (a.attacker !== null) assert.equal(s.src, a.attacker, `${a.id} #${n}`);
        else assert.ok(s.src.startsWith('198.18.') || s.src.startsWith('198.19.'), `${a.id} #${n}: forged source ${s.src} outside 198.18.0.0/15`);
        assert.ok(!benign.has(s.src), `${a.id} #${n}: a benign host sends it`);
      }
      for (const n of expandRanges(a.related)) {
        const s = frames[n - 1];
        const between = (s.src === a.attacker && victimOf(a, s.dst)) || (victimOf(a, s.src) && s.dst === a.attacker);
        assert.ok(between, `${a.id} #${n}: related packet ${s.src} -> ${s.dst} is not between attacker and victim`);
      }
    }
  });

  it('the packets of each web attack carry exactly its request, however it was split', () => {
    for (const w of webAttacks()) {
      const a = truth.attacks.find((x) => x.id === `${w.type}/${w.variant}`) as TruthAttack;
      const carried = expandRanges(a.packets).map((n) => frames[n - 1]);
      let bytes: Buffer;
      if (w.delivery.kind === 'fragments') {
        assert.ok(carried.every((s) => s.fragment) && carried.length > 1, `${a.id}: not all fragments`);
        const datagram = Buffer.concat([...carried].sort((x, y) => x.fragOffset - y.fragOffset).map((s) => s.payload));
        bytes = datagram.subarray(20); // the TCP header (no options) leads the first fragment
      } else if (w.delivery.kind === 'decoys') {
        // A decoy at the same sequence number first (its checksum wrong), then the request.
        assert.equal(carried.length, 2, `${a.id}: segments`);
        assert.equal(carried[0].tcpSeq, carried[1].tcpSeq, `${a.id}: decoy not at the request's sequence number`);
        assert.match(carried[0].payload.toString('latin1'), /^GET \/index\.html HTTP\/1\.1\r\n/, `${a.id}: decoy`);
        assert.equal(carried[0].payload.length, carried[1].payload.length, `${a.id}: decoy length`);
        bytes = carried[1].payload;
      } else if (w.delivery.kind === 'reuse') {
        // The first connection's request, then the attack's on a second connection from the same port.
        assert.equal(carried.length, 2, `${a.id}: segments`);
        assert.equal(carried[0].payload.toString('latin1'), w.delivery.first, `${a.id}: first request`);
        assert.equal(carried[0].srcPort, carried[1].srcPort, `${a.id}: not the same source port`);
        assert.notEqual(carried[0].tcpSeq + carried[0].payload.length, carried[1].tcpSeq, `${a.id}: one connection`);
        bytes = carried[1].payload;
      } else {
        const expected = w.delivery.kind === 'segments' ? Math.ceil(Buffer.byteLength(w.request) / w.delivery.size) : w.then !== undefined ? 2 : 1;
        assert.equal(carried.length, expected, `${a.id}: segments`);
        bytes = Buffer.concat([...carried].sort((x, y) => x.tcpSeq - y.tcpSeq).map((s) => s.payload));
      }
      assert.equal(bytes.toString('latin1'), w.request + (w.then?.client ?? ''), a.id);
    }
  });
});

describe('rampart generate: wire realism', () => {
  it('gives each LAN host its own MAC, TTL 64 or 128, and IP ids counting up per host', () => {
    const macs = new Map<string, Set<string>>();
    const lastId = new Map<string, number>();
    const ttls = new Set<number>();
    for (const s of frames) {
      if (s.l3 !== L3.IPV4 || !inLan(s.src)) continue;
      const set = macs.get(s.src) ?? new Set<string>();
      set.add(s.srcMac);
      macs.set(s.src, set);
      ttls.add(s.ttl);
      const prev = lastId.get(s.src);
      if (prev !== undefined && !s.fragment) assert.equal(s.ipId, (prev + 1) & 0xffff, `IP id of ${s.src}`);
      lastId.set(s.src, s.ipId);
    }
    assert.ok(macs.size >= 20, `${macs.size} LAN hosts`);
    for (const [addr, set] of macs) assert.equal(set.size, 1, `${addr} uses ${set.size} MACs`);
    assert.equal(new Set([...macs.values()].map((s) => [...s][0])).size, macs.size, 'two LAN hosts share a MAC');
    assert.deepEqual([...ttls].sort((a, b) => a - b), [64, 128]);
  });

  it('sends every outside host through the router: one MAC for all of them', () => {
    const outside = new Set(frames.filter((s) => s.l3 === L3.IPV4 && !inLan(s.src)).map((s) => s.srcMac));
    const router = frames.find((s) => s.src === '10.1.0.1' && s.l3 === L3.IPV4) as Seen;
    assert.deepEqual([...outside], [router.srcMac]);
  });
});

describe('rampart generate: the real tools read the captures', () => {
  it('tshark -z expert finds no error and nothing malformed', { skip: hasTool('tshark') ? false : 'tshark not installed' }, () => {
    for (const path of [first.normal.path, first.malicious.path]) {
      const r = spawnSync('tshark', ['-r', path, '-q', '-z', 'expert'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /Errors \(\d+\)/, `${path}:\n${r.stdout.slice(0, 2000)}`);
      assert.doesNotMatch(r.stdout, /Malformed/i, path);
    }
  });

  it('tcpdump -r reads every packet without a warning', { skip: hasTool('tcpdump') ? false : 'tcpdump not installed' }, () => {
    const r = spawnSync('tcpdump', ['-nr', first.malicious.path], { encoding: 'utf8', maxBuffer: 256 << 20 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, truth.packets);
    assert.doesNotMatch(r.stderr, /truncated|warning|bad/i);
  });
});

describe('rampart generate --scale', () => {
  it('grows the background only: twice the slices, the same attacks', async () => {
    const big = await generateCaptures({ outDir: join(dir, 'scaled'), seed: DEFAULT_SEED, scale: 2 });
    assert.ok(big.normal.packets > 1.8 * first.normal.packets && big.normal.packets < 2.2 * first.normal.packets, `${big.normal.packets} vs ${first.normal.packets}`);
    const t = parseTruth(readFileSync(big.malicious.truthPath, 'utf8'), 'scaled');
    assert.equal(t.scale, 2);
    assert.deepEqual(
      t.attacks.map((a) => [a.id, a.packet_count]),
      truth.attacks.map((a) => [a.id, a.packet_count]),
    );
    assert.equal(big.malicious.packets - big.normal.packets, first.malicious.packets - first.normal.packets);
  });

  it('refuses a scale or seed out of range, naming the option', async () => {
    await assert.rejects(generateCaptures({ outDir: join(dir, 'x'), seed: DEFAULT_SEED, scale: 0 }), /--scale must be an integer between 1 and/);
    await assert.rejects(generateCaptures({ outDir: join(dir, 'x'), seed: -1, scale: 1 }), /--seed must be an integer/);
  });
});
