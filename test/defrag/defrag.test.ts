import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../src/decode/decoder.js';
import { L3, LinkType, Packet } from '../../src/decode/packet.js';
import { Defragmenter, DEFAULT_DEFRAG_OPTIONS, type DefragOptions } from '../../src/defrag/defrag.js';
import { DEFRAG_SECTION, defragOptionsFrom } from '../../src/defrag/params.js';
import { checksumAdd, checksumFinish } from '../../src/decode/checksum.js';
import { ethernet, fragmentIpv4, fragmentIpv6, ipv4Packet, ipv6Packet, udpPacket } from '../../src/tools/craft/frame.js';

/** Feeds IP datagrams (as Ethernet frames) through a Decoder into a Defragmenter, like the pipeline does. */
class Harness {
  readonly decoder = new Decoder();
  readonly defrag: Defragmenter;
  readonly p = new Packet();
  events: string[] = [];

  constructor(opts?: Partial<DefragOptions>) {
    this.defrag = new Defragmenter(opts);
  }

  /** Returns the reassembled datagram when this fragment completes one. */
  add(ip: Buffer, tsUs = 1_000_000): Buffer | null {
    // Decode from a shared read buffer that is overwritten afterwards, as the capture does.
    const readBuffer = Buffer.alloc(ip.length + 14 + 16, 0xcc);
    ethernet(ip).copy(readBuffer, 8);
    this.decoder.decode(this.p, readBuffer, 8, ip.length + 14, LinkType.ETHERNET);
    this.p.tsUs = tsUs;
    const out = this.defrag.add(this.p);
    this.events = [...this.defrag.lastEvents];
    readBuffer.fill(0xdd);
    return out;
  }
}

const payload100 = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
const udp4 = (id = 0x4242, payload: Uint8Array = payload100): Buffer =>
  udpPacket({ src: '192.0.2.1', dst: '198.51.100.7', sport: 4000, dport: 53, payload, ipId: id });
const udp6 = (payload: Uint8Array = payload100): Buffer =>
  udpPacket({ src: '2001:db8::1', dst: '2001:db8::2', sport: 4000, dport: 53, payload });

/** An IPv4 fragment with explicit offset/MF and data (protocol 17, id 7). */
const frag4 = (offset: number, data: Uint8Array, more: boolean, id = 7): Buffer =>
  ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, id, fragOffset: offset, moreFragments: more, payload: data });

/** An IPv6 fragment with explicit offset/MF and data (next header 17, id 9). */
const frag6 = (offset: number, data: Uint8Array, more: boolean): Buffer => {
  const fh = Buffer.alloc(6);
  fh.writeUInt16BE(offset | (more ? 1 : 0), 0);
  fh.writeUInt32BE(9, 2);
  return ipv6Packet({ src: '2001:db8::a', dst: '2001:db8::b', nextHeader: 17, payload: data, extHeaders: [{ type: 44, data: fh }] });
};

test('IPv4 in order: the reassembled datagram is the original, byte for byte', () => {
  const h = new Harness();
  const whole = udp4();
  const frags = fragmentIpv4(whole, 48);
  assert.equal(frags.length, 3);
  assert.equal(h.add(frags[0]), null);
  assert.equal(h.add(frags[1]), null);
  const out = h.add(frags[2]);
  assert.ok(out !== null);
  assert.deepEqual(out, whole);
  assert.equal(checksumFinish(checksumAdd(0, out, 0, 20)), 0, 'header checksum valid');
  assert.deepEqual(h.events, []);
  assert.deepEqual(
    [h.defrag.stats.fragments, h.defrag.stats.reassembled, h.defrag.stats.trackers, h.defrag.stats.memuse, h.defrag.stats.overlaps],
    [3, 1, 0, 0, 0],
  );
  // Counted per family as well (Suricata's defrag.ipv4.* in EVE stats).
  assert.deepEqual([h.defrag.stats.ipv4_fragments, h.defrag.stats.ipv4_reassembled, h.defrag.stats.ipv6_fragments, h.defrag.stats.ipv6_reassembled], [3, 1, 0, 0]);
  // The pipeline re-decodes it at L4.
  h.decoder.decodeDatagram(h.p, out);
  assert.deepEqual([h.p.reassembled, h.p.hasL4, h.p.srcPort, h.p.dstPort, h.p.payloadLen], [true, true, 4000, 53, 100]);
  assert.deepEqual(out.subarray(h.p.payloadOffset), payload100);
});

test('IPv4 with DF and options keeps the first header, clears MF and offset', () => {
  const h = new Harness();
  const whole = ipv4Packet({ src: '10.9.9.9', dst: '10.8.8.8', proto: 17, payload: udp4().subarray(20), options: Uint8Array.from([0x94, 4, 0, 0]), id: 99, ttl: 3 });
  const frags = fragmentIpv4(whole, 32);
  let out: Buffer | null = null;
  for (const f of frags.reverse()) out = h.add(f);
  assert.deepEqual(out, whole);
});

test('IPv4 out of order and interleaved datagrams', () => {
  const h = new Harness();
  const a = udp4(1);
  const b = udp4(2, Buffer.alloc(90, 0x77));
  const fa = fragmentIpv4(a, 40);
  const fb = fragmentIpv4(b, 40);
  const order: [Buffer, Buffer | null][] = [
    [fa[2], null], [fb[1], null], [fa[0], null], [fb[0], null], [fa[1], a], [fb[2], b],
  ];
  for (const [f, expected] of order) assert.deepEqual(h.add(f), expected);
  assert.equal(h.defrag.stats.reassembled, 2);
});

test('IPv4 duplicated fragments: counted as duplicates, no event, same result', () => {
  const h = new Harness();
  const whole = udp4();
  const frags = fragmentIpv4(whole, 48);
  assert.equal(h.add(frags[0]), null);
  assert.equal(h.add(frags[0]), null);
  assert.deepEqual(h.events, []);
  assert.equal(h.add(frags[1]), null);
  assert.deepEqual(h.add(frags[2]), whole);
  assert.deepEqual([h.defrag.stats.duplicates, h.defrag.stats.overlaps], [1, 0]);
  // A fragment of an already completed datagram starts a new tracker, which times out later.
  assert.equal(h.add(frags[1]), null);
  assert.equal(h.defrag.stats.trackers, 1);
});

test('IPv4 partial overlap: the whole datagram is discarded, as Linux discards it', () => {
  const A = Buffer.alloc(24, 0x41);
  const B = Buffer.alloc(24, 0x42);
  const C = Buffer.alloc(8, 0x43);
  // A at 0..24, then B at 16..40 (overlaps A's last 8), then C at 40..48, the last fragment.
  for (const order of [[A, B], [B, A]]) {
    const h = new Harness();
    assert.equal(h.add(frag4(order[0] === A ? 0 : 16, order[0], true)), null);
    assert.equal(h.add(frag4(order[1] === A ? 0 : 16, order[1], true)), null);
    assert.deepEqual(h.events, ['decoder.ipv4.frag_overlap']);
    assert.deepEqual([h.defrag.stats.trackers, h.defrag.stats.memuse, h.defrag.stats.overlap_discards], [0, 0, 1]);
    // What comes after starts afresh: C alone completes nothing.
    assert.equal(h.add(frag4(40, C, false)), null);
    assert.equal(h.defrag.stats.reassembled, 0);
  }
  // Even with the same bytes where they overlap (Linux: RFC 5722, applied to IPv4 too).
  const same = new Harness();
  same.add(frag4(0, Buffer.alloc(24, 0x41), true));
  same.add(frag4(16, Buffer.alloc(24, 0x41), false));
  assert.deepEqual([same.events, same.defrag.stats.reassembled], [['decoder.ipv4.frag_overlap'], 0]);

  // A fragment wholly inside held data is a duplicate: dropped, the first bytes stay (reported when they differ).
  const k = new Harness();
  k.add(frag4(0, Buffer.alloc(32, 0x61), true));
  k.add(frag4(8, Buffer.alloc(8, 0x62), true));
  assert.deepEqual(k.events, ['decoder.ipv4.frag_overlap']);
  assert.deepEqual(k.add(frag4(32, Buffer.alloc(4, 0x63), false))?.subarray(20), Buffer.concat([Buffer.alloc(32, 0x61), Buffer.alloc(4, 0x63)]));
});

test('a last fragment that contradicts the length, or data past it, discards the datagram', () => {
  const h = new Harness();
  assert.equal(h.add(frag4(16, Buffer.alloc(8, 2), false)), null);
  assert.equal(h.add(frag4(16, Buffer.alloc(16, 3), false)), null);
  assert.deepEqual(h.events, ['decoder.ipv4.frag_overlap']);
  assert.equal(h.add(frag4(0, Buffer.alloc(16, 1), true)), null);
  const past = new Harness();
  past.add(frag4(16, Buffer.alloc(8, 2), false));
  assert.equal(past.add(frag4(24, Buffer.alloc(8, 2), true)), null);
  // A last fragment that ends before data already held.
  const short = new Harness();
  short.add(frag4(16, Buffer.alloc(16, 2), true));
  assert.equal(short.add(frag4(8, Buffer.alloc(8, 2), false)), null);
  assert.deepEqual([h.defrag.stats.overlap_discards, past.defrag.stats.overlap_discards, short.defrag.stats.overlap_discards], [1, 1, 1]);
  assert.deepEqual([h.defrag.stats.reassembled, past.defrag.stats.trackers, short.defrag.stats.trackers], [0, 0, 0]);
});

test('missing last fragment: no output, then a timeout on a later add', () => {
  const h = new Harness({ timeoutUs: 30_000_000 });
  const frags = fragmentIpv4(udp4(), 48);
  assert.equal(h.add(frags[0], 1_000_000), null);
  assert.equal(h.add(frags[1], 2_000_000), null);
  assert.deepEqual([h.defrag.stats.trackers, h.defrag.stats.timeouts, h.defrag.stats.memuse], [1, 0, 20 + 96]);
  // Still in time: not expired.
  assert.equal(h.add(frag4(0, Buffer.alloc(8), true, 500), 30_999_999), null);
  assert.equal(h.defrag.stats.timeouts, 0);
  // 30 s after the first fragment, in packet time: the tracker is dropped before this fragment is taken.
  assert.equal(h.add(frags[2], 31_000_000), null);
  assert.deepEqual([h.defrag.stats.timeouts, h.defrag.stats.reassembled], [1, 0]);
  // The late last fragment started a tracker of its own; the id-500 one is still alive.
  assert.equal(h.defrag.stats.trackers, 2);
  assert.equal(h.add(frag4(0, Buffer.alloc(8), true, 501), 61_000_000), null);
  assert.deepEqual([h.defrag.stats.timeouts, h.defrag.stats.trackers], [3, 1]);
  assert.deepEqual([h.defrag.stats.ipv4_timeouts, h.defrag.stats.ipv6_timeouts], [3, 0]);
});

test('memcap: the oldest trackers are evicted, memory never exceeds the cap', () => {
  const h = new Harness({ memcapBytes: 200 });
  // Each incomplete datagram holds 20 header bytes + 48 data bytes.
  for (let id = 1; id <= 5; id++) {
    assert.equal(h.add(fragmentIpv4(udp4(id), 48)[0], id), null);
    assert.ok(h.defrag.stats.memuse <= 200, `memuse ${h.defrag.stats.memuse} after datagram ${id}`);
  }
  assert.deepEqual([h.defrag.stats.trackers, h.defrag.stats.memuse, h.defrag.stats.trackers_evicted], [2, 136, 3]);
  // The newest survive: datagram 5 still completes.
  const f5 = fragmentIpv4(udp4(5), 48);
  assert.equal(h.add(f5[1]), null);
  assert.equal(h.add(f5[2])?.length, 128);
  // The oldest (1) was evicted: its remaining fragments no longer complete it.
  const f1 = fragmentIpv4(udp4(1), 48);
  assert.equal(h.add(f1[1]), null);
  assert.equal(h.add(f1[2]), null);
  // A datagram that cannot fit even alone is dropped fragment by fragment.
  const big = fragmentIpv4(udp4(9, Buffer.alloc(400)), 160);
  assert.equal(h.add(big[0]), null);
  assert.equal(h.add(big[1]), null);
  // The first took all the room (both older trackers evicted); the second cannot join it.
  assert.deepEqual([h.defrag.stats.memcap_drops, h.defrag.stats.trackers_evicted, h.defrag.stats.trackers, h.defrag.stats.memuse], [1, 5, 1, 180]);
});

test('maxTrackers: a new datagram evicts the oldest tracker', () => {
  const h = new Harness({ maxTrackers: 2 });
  for (let id = 1; id <= 3; id++) h.add(fragmentIpv4(udp4(id), 48)[0], id);
  assert.deepEqual([h.defrag.stats.trackers, h.defrag.stats.trackers_evicted], [2, 1]);
  const f2 = fragmentIpv4(udp4(2), 48);
  h.add(f2[1]);
  assert.deepEqual(h.add(f2[2]), udp4(2));
});

test('a datagram over 65535 bytes is dropped with an event', () => {
  const h = new Harness();
  assert.equal(h.add(frag4(0, Buffer.alloc(64), true)), null);
  assert.equal(h.add(frag4(65512, Buffer.alloc(16), false)), null);
  assert.deepEqual(h.events, ['decoder.ipv4.frag_pkt_too_large']);
  assert.deepEqual([h.defrag.stats.too_large, h.defrag.stats.trackers, h.defrag.stats.memuse], [1, 0, 0]);
  const v6 = new Harness();
  assert.equal(v6.add(frag6(65528, Buffer.alloc(16), false)), null);
  assert.deepEqual(v6.events, ['decoder.ipv6.frag_pkt_too_large']);
  // IPv6 may reach 40 + 65535 bytes: offset 65512 + 16 = 65528 payload bytes + 8 UDP header is fine.
  const ok = new Harness();
  assert.equal(ok.add(frag6(65512, Buffer.alloc(16), false)), null);
  assert.deepEqual(ok.events, []);
});

test('IPv6 in order and out of order: the fragment header is removed, the chain restored', () => {
  const whole = ipv6Packet({
    src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, payload: udp6().subarray(40),
    extHeaders: [{ type: 0, data: new Uint8Array(6) }, { type: 60, data: new Uint8Array(6) }],
  });
  const frags = fragmentIpv6(whole, 48, 0x01020304);
  assert.equal(frags.length, 3);
  const inOrder = new Harness();
  assert.equal(inOrder.add(frags[0]), null);
  assert.equal(inOrder.add(frags[1]), null);
  assert.deepEqual(inOrder.add(frags[2]), whole);
  assert.deepEqual([inOrder.defrag.stats.ipv6_fragments, inOrder.defrag.stats.ipv6_reassembled, inOrder.defrag.stats.ipv4_fragments], [3, 1, 0]);
  const reversed = new Harness();
  assert.equal(reversed.add(frags[2]), null);
  assert.equal(reversed.add(frags[1]), null);
  const out = reversed.add(frags[0]);
  assert.deepEqual(out, whole);
  reversed.decoder.decodeDatagram(reversed.p, out as Buffer);
  assert.deepEqual([reversed.p.l3, reversed.p.hasL4, reversed.p.dstPort, reversed.p.payloadLen, reversed.p.ipHdrLen], [L3.IPV6, true, 53, 100, 56]);

  const plain = udp6();
  const noExt = new Harness();
  let res: Buffer | null = null;
  for (const f of fragmentIpv6(plain, 16)) res = noExt.add(f);
  assert.deepEqual(res, plain);
});

test('IPv6 duplicate and overlap', () => {
  const h = new Harness();
  assert.equal(h.add(frag6(0, Buffer.alloc(16, 1), true)), null);
  assert.equal(h.add(frag6(0, Buffer.alloc(16, 1), true)), null);
  assert.deepEqual(h.events, []);
  assert.equal(h.add(frag6(16, Buffer.alloc(8, 2), true)), null);
  const out = h.add(frag6(24, Buffer.alloc(8, 3), false));
  assert.ok(out !== null);
  assert.deepEqual([out[6], out.readUInt16BE(4), out.length], [17, 32, 72]);
  assert.deepEqual(out.subarray(40), Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(8, 2), Buffer.alloc(8, 3)]));
  assert.deepEqual([h.defrag.stats.duplicates, h.defrag.stats.overlaps], [1, 0]);
  // RFC 5722: an overlapping fragment discards the datagram.
  const o = new Harness();
  o.add(frag6(0, Buffer.alloc(16, 1), true));
  assert.equal(o.add(frag6(8, Buffer.alloc(16, 2), true)), null);
  assert.deepEqual(o.events, ['decoder.ipv6.frag_overlap']);
  assert.equal(o.add(frag6(24, Buffer.alloc(8, 3), false)), null);
  assert.deepEqual([o.defrag.stats.overlap_discards, o.defrag.stats.reassembled], [1, 0]);
});

test('IPv4 and IPv6 trackers with the same id do not mix; non-fragments are ignored', () => {
  const h = new Harness();
  assert.equal(h.add(frag4(0, Buffer.alloc(8, 4), true, 9)), null);
  assert.equal(h.add(frag6(8, Buffer.alloc(8, 6), false)), null);
  assert.equal(h.defrag.stats.trackers, 2);
  assert.equal(h.add(udp4()), null);
  assert.equal(h.defrag.stats.fragments, 2);
  assert.deepEqual(h.add(frag4(8, Buffer.alloc(8, 4), false, 9))?.subarray(20), Buffer.alloc(16, 4));
});

test('options: defaults, validation, and the config section', () => {
  assert.deepEqual({ ...DEFAULT_DEFRAG_OPTIONS }, { memcapBytes: 33554432, timeoutUs: 60_000_000, maxTrackers: 65535 });
  assert.throws(() => new Defragmenter({ memcapBytes: 0 }), /memcapBytes must be a positive number/);
  assert.deepEqual(DEFRAG_SECTION.params.map((p) => [p.name, p.default]), [['memcap_bytes', 33554432], ['timeout_s', 60], ['max_trackers', 65535]]);
  assert.deepEqual(defragOptionsFrom({ timeout_s: 2.5 }), { memcapBytes: 33554432, timeoutUs: 2_500_000, maxTrackers: 65535 });
});
