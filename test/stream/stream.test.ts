/**
 * TCP stream reassembly: order, retransmissions, overlaps (first wins), gaps, depth, midstream
 * pickup, sequence wrap, and memory bounded by the memcap on thousands of never-closed connections.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestFrame } from '../helpers.js';
import { run, T0 } from '../helpers.js';
import { runStream } from '../app/pipeline.js';
import { ethernet, tcpPacket } from '../../src/tools/craft/frame.js';
import { Conn } from './segments.js';

/** The first flow created gets slot 0. */
const C = '0:c';
const S = '0:s';

describe('stream reassembly', () => {
  it('delivers in-order segments of both directions as they come', () => {
    const c = new Conn({ t0: T0 }).handshake().send('GET / HTT').send('P/1.0\r\n\r\n').reply('HTTP/1.0 200 OK\r\n\r\nhi').close();
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(r.data.get(S), 'HTTP/1.0 200 OK\r\n\r\nhi');
    assert.deepEqual([r.stream.stats.in_order, r.stream.stats.out_of_order, r.stream.stats.gaps, r.stream.stats.bytes], [3, 0, 0, 18 + 21]);
    assert.deepEqual(r.gaps, []);
  });

  it('holds out-of-order segments until the hole fills, then releases them in order', () => {
    const c = new Conn({ t0: T0 }).handshake().send('cccc', 8).send('bbbb', 4).send('aaaa', 0);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'aaaabbbbcccc');
    assert.deepEqual([r.stream.stats.out_of_order, r.stream.stats.in_order, r.stream.stats.held_bytes, r.stream.stats.held_bytes_max], [2, 1, 0, 8]);
  });

  it('drops a retransmission of delivered bytes, whatever it holds (first wins)', () => {
    const c = new Conn({ t0: T0 }).handshake().send('abcdef', 0).send('XYZ', 0).send('ghi', 6);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'abcdefghi');
    assert.equal(r.stream.stats.retransmissions, 1);
  });

  it('delivers only the new tail of a segment overlapping delivered bytes', () => {
    const c = new Conn({ t0: T0 }).handshake().send('ABCDEF', 0).send('XYZGHI', 3);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'ABCDEFGHI');
    assert.equal(r.stream.stats.overlaps, 1);
  });

  it('keeps held bytes against a later, different overlap and reports it at that packet', () => {
    const c = new Conn({ t0: T0 }).handshake().send('XYZ', 10).send('xyz123', 10).send('0123456789', 0);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), '0123456789XYZ123');
    assert.deepEqual(r.events, ['stream.reassembly_overlap_different_data@5']);
  });

  it('lets held bytes win over an in-order segment that overlaps them', () => {
    const c = new Conn({ t0: T0 }).handshake().send('WXYZ', 4).send('0123abcd', 0);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), '0123WXYZ');
    assert.deepEqual(r.events, ['stream.reassembly_overlap_different_data@5']);
  });

  it('declares a gap when the receiver acknowledges bytes the capture never had', () => {
    const c = new Conn({ t0: T0 }).handshake().send('aaaa', 0).send('cccc', 8).serverAck(12);
    const r = runStream(c.frames);
    assert.deepEqual(r.gaps, ['0:c:4@6']);
    assert.equal(r.data.get(C), 'aaaacccc');
    assert.deepEqual(r.events, ['stream.reassembly_seq_gap@6']);
    assert.deepEqual([r.stream.stats.gaps, r.stream.stats.gap_bytes], [1, 4]);
  });

  it('declares a gap when one direction holds too many segments behind a hole', () => {
    const c = new Conn({ t0: T0 }).handshake();
    for (let i = 1; i <= 5; i++) c.send('x', 10 + i * 2);
    const r = runStream(c.frames, 'stream:\n  max_pending_segments: 4\n');
    assert.deepEqual(r.gaps, ['0:c:12@8']);
    assert.equal(r.data.get(C), 'x');
    assert.equal(r.stream.stats.pending_limit_hits, 1);
  });

  describe('windows (once the receiver\'s SYN announced a window scale)', () => {
    const REQUEST = 'GET /?id=1 OR 1=1 HTTP/1.1\r\n\r\n';

    it('ignores client data past the window the server offered, so junk far ahead cannot push a gap over the real request', () => {
      // Window 64240 << 7: the server takes nothing at or past 8,222,720 bytes; 300 segments there would pass max_pending_segments.
      const c = new Conn({ t0: T0, wscale: 7 }).handshake();
      for (let k = 0; k < 300; k++) c.send('x'.repeat(100), 20_000_000 + k * 100);
      c.send(REQUEST, 0);
      const r = runStream(c.frames);
      assert.equal(r.data.get(C), REQUEST);
      assert.deepEqual([r.stream.stats.out_of_window, r.stream.stats.gaps, r.stream.stats.pending_limit_hits, r.stream.stats.held_bytes_max], [300, 0, 0, 0]);
      assert.equal(r.events[0], 'stream.est_packet_out_of_window@4');
    });

    it('holds data inside the scaled window as before (the SYN-ACK\'s own window is not scaled)', () => {
      const early = runStream(new Conn({ t0: T0, wscale: 7 }).handshake().send('tail', 100_000).frames);
      assert.deepEqual([early.stream.stats.out_of_window, early.stream.stats.out_of_order], [1, 0]);
      const c = new Conn({ t0: T0, wscale: 7 }).handshake().serverAck().send('tail', 8_000_000);
      const r = runStream(c.frames);
      assert.deepEqual([r.stream.stats.out_of_window, r.stream.stats.out_of_order, r.stream.stats.held_bytes_max], [0, 1, 4]);
    });

    it('takes no gap from an acknowledgment past the window (of bytes the client could not have sent)', () => {
      const c = new Conn({ t0: T0, wscale: 7 }).handshake().send('GET /?id=1 ').serverAck(50_000_000).send('OR 1=1 HTTP/1.1\r\n\r\n');
      const r = runStream(c.frames);
      assert.equal(r.data.get(C), REQUEST);
      assert.deepEqual([r.stream.stats.invalid_ack, r.stream.stats.gaps], [1, 0]);
      assert.deepEqual(r.events, ['stream.pkt_invalid_ack@5']);
    });

    it('checks nothing against a receiver whose SYN had no window scale (hand-made captures)', () => {
      const c = new Conn({ t0: T0 }).handshake().send('tail', 20_000_000);
      const r = runStream(c.frames);
      assert.deepEqual([r.stream.stats.out_of_window, r.stream.stats.out_of_order], [0, 1]);
    });
  });

  it('takes no gap from the RSTs refusing a connection retried from the same port with new ISNs (nmap -O)', () => {
    const c = { src: '10.0.0.21', dst: '10.0.0.10', sport: 37099, dport: 81 };
    const s = { src: '10.0.0.10', dst: '10.0.0.21', sport: 81, dport: 37099 };
    const frames: TestFrame[] = [];
    for (const [k, isn] of [2325331778, 2712795836, 745064079].entries()) {
      frames.push({ frame: ethernet(tcpPacket({ ...c, flags: 'S', seq: isn, window: 31337 })), tsUs: T0 + k * 2000 });
      frames.push({ frame: ethernet(tcpPacket({ ...s, flags: 'RA', seq: 0, ack: isn + 1, window: 0 })), tsUs: T0 + k * 2000 + 100 });
    }
    const r = runStream(frames);
    assert.deepEqual([r.stream.stats.gaps, r.stream.stats.gap_bytes], [0, 0]);
    assert.deepEqual(r.events, []);
  });

  it('stops at the depth limit', () => {
    const c = new Conn({ t0: T0 }).handshake().send('0123456789').send('abcdef').send('ghij');
    const r = runStream(c.frames, 'stream:\n  depth: 12\n');
    assert.equal(r.data.get(C), '0123456789ab');
    assert.equal(r.stream.stats.depth_reached, 1);
  });

  it('picks up a connection whose SYN it never saw', () => {
    const c = new Conn({ t0: T0 }).send('middle of it', 500).send(' and more', 512);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'middle of it and more');
    assert.equal(r.stream.stats.midstream, 1);
  });

  it('follows sequence numbers across the 2^32 wrap', () => {
    const c = new Conn({ t0: T0, cisn: 0xfffffff8 }).handshake().send('0123456789').send('abcdefghij').close();
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), '0123456789abcdefghij');
    assert.deepEqual(r.gaps, []);
  });

  it('delivers the data a SYN carried once the SYN-ACK acknowledges it (TCP Fast Open)', () => {
    const c = new Conn({ t0: T0 }).fastOpen('GET /a?id=1 HTTP/1.1\r\n').send('Host: x\r\n\r\n').reply('HTTP/1.1 200 OK\r\n\r\n').close();
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /a?id=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(r.gaps, []);
    assert.deepEqual([r.stream.stats.syn_data, r.stream.stats.syn_data_refused, r.stream.stats.held_bytes], [1, 0, 0]);
  });

  it('drops the data of a SYN whose SYN-ACK acknowledges only the SYN, and reads what is sent again', () => {
    const c = new Conn({ t0: T0 }).fastOpen('GET /decoy HTTP/1.1\r\n\r\n', false).send('GET /real HTTP/1.1\r\n\r\n', 0).close();
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /real HTTP/1.1\r\n\r\n');
    assert.deepEqual(r.gaps, []);
    assert.deepEqual([r.stream.stats.syn_data, r.stream.stats.syn_data_refused, r.stream.stats.retransmissions], [1, 1, 0]);
  });

  it("settles a SYN's data by the client's next segment when the server's answer was not captured", () => {
    const taken = new Conn({ t0: T0 }).fastOpen('GET /a HTTP/1.1\r\n').send('Host: x\r\n\r\n');
    const refused = new Conn({ t0: T0, sport: 40001 }).fastOpen('GET /decoy HTTP/1.1\r\n', false).send('GET /b HTTP/1.1\r\n\r\n', 0);
    const clientOnly = [...taken.frames, ...refused.frames].filter((_, k) => k % 4 !== 1);
    const r = runStream(clientOnly);
    assert.equal(r.data.get('0:c'), 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(r.data.get('1:c'), 'GET /b HTTP/1.1\r\n\r\n');
    assert.deepEqual([r.stream.stats.syn_data, r.stream.stats.syn_data_refused], [2, 1]);
  });

  it('lets go of SYN data nothing answered when the flow ends', () => {
    const c = new Conn({ t0: T0 }).fastOpen('GET /a HTTP/1.1\r\n\r\n');
    const r = runStream(c.frames.slice(0, 1));
    assert.equal(r.data.get(C), undefined);
    assert.deepEqual([r.stream.stats.syn_data, r.stream.stats.held_bytes, r.stream.stats.held_bytes_max], [1, 0, 19]);
  });

  // Insertion: a decoy the receiver drops, sent first at the same offset as the real bytes,
  // would win under first-wins if it were taken (the real bytes would look like a retransmission).
  it('ignores data without the ACK flag, which receivers drop', () => {
    const c = new Conn({ t0: T0 }).handshake().send('GET /decoy HTTP/1.1', 0, { flags: 'P' }).send('GET /?id=1 OR 1=1', 0);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /?id=1 OR 1=1');
    assert.deepEqual([r.stream.stats.no_ack_data, r.stream.stats.retransmissions], [1, 0]);
  });

  it('ignores client data with a wrong TCP checksum, and takes the pseudo-header sum of checksum offload', () => {
    const c = new Conn({ t0: T0 }).handshake().send('GET /decoy HTTP/1.1', 0, { checksum: 'invalid' }).send('GET /?id=1 OR 1=1', 0, { checksum: 'offloaded' });
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /?id=1 OR 1=1');
    assert.deepEqual([r.stream.stats.invalid_checksum, r.stream.stats.retransmissions], [1, 0]);
  });

  it('ignores client data in an IPv4 datagram with a wrong header checksum or a source route, or with a TCP-MD5 option', () => {
    const c = new Conn({ t0: T0 })
      .handshake()
      .send('GET /decoy1 HTTP/1.1', 0, { ip: 'invalid-checksum' })
      .send('GET /decoy2 HTTP/1.1', 0, { ip: 'source-route' })
      .send('GET /decoy3 HTTP/1.1', 0, { md5: true })
      .send('GET /?id=1 OR 1=1 --', 0);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /?id=1 OR 1=1 --');
    const st = r.stream.stats;
    assert.deepEqual([st.invalid_ip_checksum, st.ip_source_route, st.tcp_md5_unexpected, st.invalid_checksum], [1, 1, 1, 0]);
  });

  it('ignores client data whose IPv6 destination options Linux refuses, and takes those it skips', () => {
    const v6 = { client: '2001:db8::21', server: '2001:db8::10' };
    const c = new Conn({ t0: T0, ...v6 })
      .handshake()
      // An unknown option whose type (0x4f: high bits 01) says "discard the packet".
      .send('GET /decoy1 HTTP/1.1', 0, { destOptions: [0x4f, 4, 0, 0, 0, 0] })
      // PadN whose padding is not zero (RFC 4942), and padding longer than 7 bytes.
      .send('GET /decoy2 HTTP/1.1', 0, { destOptions: [1, 2, 0, 7] })
      .send('GET /decoy3 HTTP/1.1', 0, { destOptions: [1, 4, 0, 0, 0, 0, 1, 2, 0, 0] })
      .send('GET /?id=1 OR 1=1 --', 0);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /?id=1 OR 1=1 --');
    assert.equal(r.stream.stats.ipv6_option_dropped, 3);
    // High bits 00: "skip over it": the server takes the segment, so the first copy stands.
    const skip = new Conn({ t0: T0, ...v6 }).handshake().send('GET /first1 HTTP/1.1', 0, { destOptions: [0x0f, 4, 0, 0, 0, 0] }).send('GET /?id=1 OR 1=1 --', 0);
    assert.equal(runStream(skip.frames).data.get(C), 'GET /first1 HTTP/1.1');
  });

  describe('client data whose TTL is far below its SYN\'s (ttl_limit, default 5)', () => {
    it('lets the same bytes with a normal TTL replace it: a decoy made to expire before the server', () => {
      const c = new Conn({ t0: T0 }).handshake().send('GET /decoy HTTP/1.1', 0, { ttl: 1 }).send('GET /?id=1 OR 1=', 0).send('1 HTTP/1.1', 16);
      const r = runStream(c.frames);
      assert.equal(r.data.get(C), 'GET /?id=1 OR 1=1 HTTP/1.1');
      assert.deepEqual([r.stream.stats.ttl_suspects, r.stream.stats.ttl_suspects_replaced, r.stream.stats.held_bytes], [1, 1, 0]);
    });

    it('delivers it once the server acknowledges it (a path whose TTL really changed), contiguous low-TTL data with it', () => {
      const c = new Conn({ t0: T0 }).handshake().send('GET /a HTTP/1.1\r\n', undefined, { ttl: 50 }).send('Host: x\r\n\r\n', undefined, { ttl: 50 });
      const before = runStream(c.frames);
      assert.equal(before.data.get(C), undefined);
      c.serverAck();
      const r = runStream(c.frames);
      assert.equal(r.data.get(C), 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.deepEqual([r.stream.stats.ttl_suspects, r.stream.stats.gaps, r.stream.stats.held_bytes], [2, 0, 0]);
    });

    it('ignores low-TTL data out of order, so a decoy cannot wait there for its place', () => {
      const c = new Conn({ t0: T0 }).handshake().send('XXXXXXXXXX', 10, { ttl: 2 }).send('GET /?id=1', 0).send(' OR 1=1 --', 10);
      const r = runStream(c.frames);
      assert.equal(r.data.get(C), 'GET /?id=1 OR 1=1 --');
      assert.equal(r.stream.stats.ttl_ignored, 1);
    });

    it('is off with ttl_limit 0: the first copy wins, whatever its TTL', () => {
      const c = new Conn({ t0: T0 }).handshake().send('GET /decoy HTTP/1.1', 0, { ttl: 1 }).send('GET /?id=1 OR 1=1 ', 0);
      assert.equal(runStream(c.frames, 'stream:\n  ttl_limit: 0\n').data.get(C), 'GET /decoy HTTP/1.1');
    });
  });

  it('takes the client ISN the server acknowledges, not a decoy SYN sent before the real one', () => {
    const decoySyn = (seq: number, ttl: number): TestFrame => ({ frame: ethernet(tcpPacket({ src: '10.0.0.21', dst: '10.0.0.10', sport: 40000, dport: 80, flags: 'S', seq, ttl })), tsUs: T0 - 1000 });
    // A decoy SYN whose checksum is wrong sets nothing.
    const bad = decoySyn(3_000_000_000, 64);
    bad.frame.writeUInt16BE(bad.frame.readUInt16BE(14 + 20 + 16) ^ 0x5a5a, 14 + 20 + 16);
    const c1 = new Conn({ t0: T0 }).handshake().send('GET /?id=1 OR 1=1 HTTP/1.1\r\n\r\n');
    const r1 = runStream([bad, ...c1.frames]);
    assert.equal(r1.data.get(C), 'GET /?id=1 OR 1=1 HTTP/1.1\r\n\r\n');
    assert.deepEqual([r1.stream.stats.gaps, r1.stream.stats.syn_rebased], [0, 0]);
    // One that never reached the server (a TTL too small) is corrected by the server's SYN-ACK.
    const c2 = new Conn({ t0: T0 }).handshake().send('GET /?id=1 OR 1=1 HTTP/1.1\r\n\r\n');
    const r2 = runStream([decoySyn(3_000_000_000, 1), ...c2.frames]);
    assert.equal(r2.data.get(C), 'GET /?id=1 OR 1=1 HTTP/1.1\r\n\r\n');
    assert.deepEqual([r2.stream.stats.gaps, r2.stream.stats.syn_rebased], [0, 1]);
  });

  it('reads a capture whose every client checksum is wrong (rewritten without fixing them) as it comes', () => {
    const c = new Conn({ t0: T0 }).handshake().send('GET /?id=1 OR 1=1 HTTP/1.1\r\n\r\n').reply('HTTP/1.1 200 OK\r\n\r\n').close();
    const frames = c.frames.map((f) => {
      const frame = Buffer.from(f.frame);
      // Client frames: source 10.0.0.21 (0x0a000015) at the IPv4 source address.
      if (frame.readUInt32BE(14 + 12) === 0x0a000015) frame.writeUInt16BE(frame.readUInt16BE(14 + 20 + 16) ^ 0x5a5a, 14 + 20 + 16);
      return { ...f, frame };
    });
    const r = runStream(frames);
    assert.equal(r.data.get(C), 'GET /?id=1 OR 1=1 HTTP/1.1\r\n\r\n');
    assert.deepEqual([r.stream.stats.invalid_checksum, r.stream.stats.gaps], [0, 0]);
  });

  it('checks the checksum over the IPv6 pseudo-header too', () => {
    const c = new Conn({ t0: T0, client: '2001:db8::21', server: '2001:db8::10' }).handshake()
      .send('GET /decoy HTTP/1.1', 0, { checksum: 'invalid' }).send('GET /?id=1 OR 1=1', 0).send(' HTTP/1.1', 17, { checksum: 'offloaded' });
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /?id=1 OR 1=1 HTTP/1.1');
    assert.equal(r.stream.stats.invalid_checksum, 1);
  });

  it('ignores client data whose timestamp is older than the last one taken (PAWS), once both SYNs had timestamps', () => {
    const c = new Conn({ t0: T0, tsval: 1000 }).handshake().send('GET /a HTTP/1.1\r\n').send('GET /decoy', 17, { tsval: 5 }).send('Host: x\r\n\r\n', 17);
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(r.events, ['stream.pkt_invalid_timestamp@5']);
    assert.equal(r.stream.stats.invalid_timestamp, 1);
  });

  it('applies no PAWS when the server did not answer with timestamps, nor to a TSval just 1 behind', () => {
    const oneBehind = new Conn({ t0: T0, tsval: 1000 }).handshake().send('abc').send('def', 3, { tsval: 1001 });
    const r = runStream(oneBehind.frames);
    assert.equal(r.data.get(C), 'abcdef');
    // Only the client's SYN has the option: the server never agreed to timestamps.
    const frames = new Conn({ t0: T0, tsval: 1000 }).handshake().send('abc').send('def', 3, { tsval: 5 }).frames;
    const synAck = frames[1].frame;
    const plain = new Conn({ t0: T0 }).handshake().frames[1].frame;
    frames[1] = { ...frames[1], frame: plain.length < synAck.length ? plain : synAck };
    const r2 = runStream(frames);
    assert.equal(r2.data.get(C), 'abcdef');
    assert.equal(r2.stream.stats.invalid_timestamp, 0);
  });

  it("leaves out the byte a client's urgent pointer points at, as the server's TCP takes it out of the stream", () => {
    // "UN" + urgent X + "ION": the byte before seq + 3.
    const c = new Conn({ t0: T0 }).handshake().send('GET /?q=1 UN').send('XION SELECT', undefined, { flags: 'PAU', urgentPointer: 1 }).send(' pw');
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'GET /?q=1 UNION SELECT pw');
    assert.equal(r.stream.stats.urgent_bytes, 1);
  });

  it('leaves out an urgent byte that arrives after the pointer to it, and ignores a pointer into bytes already delivered', () => {
    const c = new Conn({ t0: T0 })
      .handshake()
      .send('abc', undefined, { flags: 'PAU', urgentPointer: 5 })
      .send('dXe')
      .send('fgh', undefined, { flags: 'PAU', urgentPointer: 0 })
      .send('ijk');
    const r = runStream(c.frames);
    assert.equal(r.data.get(C), 'abcdefghijk');
    // A segment whose pointer (1) names its own first byte; a retransmission whose pointer names 'a', delivered already.
    const d = new Conn({ t0: T0, sport: 40001 }).handshake().send('abc').send('Zdef', undefined, { flags: 'PAU', urgentPointer: 1 });
    const back = new Conn({ t0: T0 + 1000, sport: 40002 }).handshake().send('abc').send('abcdef', 0, { flags: 'PAU', urgentPointer: 1 });
    const r2 = runStream([...d.frames, ...back.frames]);
    assert.equal(r2.data.get('0:c'), 'abcdef');
    assert.equal(r2.data.get('1:c'), 'abcdef');
    assert.equal(r2.stream.stats.urgent_bytes, 1);
  });

  it('sees no gap in the ACK of a FIN', () => {
    const c = new Conn({ t0: T0 }).handshake().send('hello').serverAck().close();
    const r = runStream(c.frames);
    assert.equal(r.stream.stats.gaps, 0);
  });
});

describe('skipping bytes the consumer does not want', () => {
  it('counts skipped bytes for the consumer and hands over the rest of the segment', () => {
    const c = new Conn({ t0: T0 }).handshake().reply('HEAD').reply('abcdefgh').reply('ijklmnop').close();
    const skipped: number[] = [];
    const r = runStream(c.frames, '', true, (stream, flow, toServer, text) => {
      if (text === 'HEAD') stream.skip(flow, toServer, 10);
      skipped.push(stream.takeSkipped(flow, toServer));
    });
    assert.equal(r.data.get(S), 'HEADklmnop');
    // The segment that ended the skip reports its 2 skipped bytes with the 6 it handed over.
    assert.deepEqual(skipped, [0, 10]);
    assert.deepEqual([r.stream.stats.bytes, r.stream.stats.in_order], [20, 3]);
  });

  it('skips held bytes that become contiguous as it skips delivered ones', () => {
    const c = new Conn({ t0: T0 }).handshake().reply('A').reply('efgh', 5).reply('bcd', 1).reply('ijk').close();
    let skipped = 0;
    const r = runStream(c.frames, '', true, (stream, flow, toServer, text) => {
      if (text === 'A') stream.skip(flow, toServer, 6);
      else skipped += stream.takeSkipped(flow, toServer);
    });
    // 'bcd' and the held 'efgh' come through in one go: six bytes skipped, 'h' handed over.
    assert.equal(r.data.get(S), 'Ahijk');
    assert.equal(skipped, 6);
  });

  it('stops skipping when told to', () => {
    const c = new Conn({ t0: T0 }).handshake().reply('A').reply('bcd').send('x').reply('efg').close();
    let skipped = -1;
    const r = runStream(c.frames, '', true, (stream, flow, toServer) => {
      if (!toServer) stream.skip(flow, false, 100);
      else {
        skipped = stream.takeSkipped(flow, false);
        stream.skip(flow, false, 0);
      }
    });
    assert.equal(r.data.get(S), 'Aefg');
    assert.equal(skipped, 3);
  });

  it('forgets a skip when the flow ends', () => {
    const c = new Conn({ t0: T0 }).handshake().reply('x');
    const r = runStream(c.frames, '', false, (stream, flow, toServer) => stream.skip(flow, toServer, 1000));
    r.flows.flush();
    assert.equal(r.stream.takeSkipped(0, false), 0);
  });
});

describe('stream memory bounds', () => {
  /** `n` connections that each leave a 1000-byte segment behind a hole, and never close. */
  function holes(n: number): TestFrame[] {
    const frames: TestFrame[] = [];
    let t = T0;
    for (let i = 0; i < n; i++) {
      const c = new Conn({ t0: t, client: `10.1.${i >> 8}.${i & 255}`, sport: 30000 + (i % 30000) }, frames).handshake().send('x'.repeat(1000), 100);
      t = c.now;
    }
    return frames;
  }

  it('holds at most memcap bytes over 5000 never-closed connections, and counts the drops', () => {
    const r = runStream(holes(5000), 'stream:\n  memcap: 1048576\n', false);
    // 1048 segments of 1000 bytes fit in 1 MiB; the other 3952 are dropped.
    assert.deepEqual([r.stream.stats.memcap_hits, r.stream.heldBytesTotal, r.stream.stats.held_bytes_max], [3952, 1_048_000, 1_048_000]);
    assert.equal(r.flows.stats.flows_active, 5000);
    r.flows.flush();
    assert.equal(r.stream.heldBytesTotal, 0);
  });

  it('bounds the engine the same way and frees everything when the flows time out', () => {
    const out = run(holes(3000), 'stream:\n  memcap: 524288\n');
    const s = out.engine.stream.stats;
    assert.deepEqual([s.memcap_hits, s.held_bytes_max, s.held_bytes], [3000 - 524, 524_000, 0]);
  });

  it('bounds buffered partial HTTP heads by http.memcap', () => {
    const frames: TestFrame[] = [];
    let t = T0;
    const partial = `GET /${'a'.repeat(900)} HTTP/1.1\r\nHost: x\r\n`;
    for (let i = 0; i < 3000; i++) {
      const c = new Conn({ t0: t, client: `10.2.${i >> 8}.${i & 255}` }, frames).handshake().send(partial);
      t = c.now;
    }
    const out = run(frames, 'http:\n  memcap: 65536\n');
    const h = out.engine.http.stats;
    // Each partial head takes a 1 KiB buffer: 64 fit, the rest are inspected as far as they came.
    assert.deepEqual([h.memcap_hits, h.buffered_bytes], [3000 - 64, 0]);
    assert.equal(h.requests, 3000);
    assert.deepEqual(out.alerts, []);
  });
});
