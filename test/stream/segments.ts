/**
 * A segment-level TCP conversation builder for tests: real frames with real sequence numbers, but
 * each segment placed by hand, so tests can split a request anywhere, send segments out of order,
 * retransmit with other bytes, or leave holes. Every frame gets its own time (100 µs apart), so
 * frame numbers (pcap_cnt) follow the order of calls.
 */
import { ethernet, ipv4Packet, ipv6Packet, tcpPacket } from '../../src/tools/craft/frame.js';
import type { TestFrame } from '../helpers.js';

/** Endpoints and initial sequence numbers of a conversation. */
export interface ConnOptions {
  readonly client?: string;
  readonly server?: string;
  readonly sport?: number;
  readonly dport?: number;
  /** Client and server initial sequence numbers. */
  readonly cisn?: number;
  readonly sisn?: number;
  /** Time of the first frame, µs. */
  readonly t0: number;
  /**
   * TCP timestamps (RFC 7323): the client's first TSval. Every segment of both sides then carries
   * the option (the SYN-ACK too, so PAWS applies), the client's TSval going up by 1 a segment.
   */
  readonly tsval?: number;
  /** Window scale (RFC 7323) both SYNs announce; none when absent. Windows are always 64240. */
  readonly wscale?: number;
}

/** How one client segment departs from what a real stack sends (insertion tests). */
export interface SegmentMods {
  /** TCP flags instead of PA. */
  readonly flags?: string;
  /** A checksum a receiver rejects, or the pseudo-header sum of checksum offload. */
  readonly checksum?: 'invalid' | 'offloaded';
  /** This TSval instead of the next one. */
  readonly tsval?: number;
  /** Urgent pointer field (give the U flag in `flags` too). */
  readonly urgentPointer?: number;
  /** IPv4 only: a wrong header checksum, or a loose source route option through the server. */
  readonly ip?: 'invalid-checksum' | 'source-route';
  /** A TCP-MD5 signature option (RFC 2385). */
  readonly md5?: boolean;
  /** IP TTL (hop limit) instead of the default 64. */
  readonly ttl?: number;
  /** IPv6 only: a destination options header with these option bytes (type, length, data …). */
  readonly destOptions?: readonly number[];
}

/** Offset of the TCP checksum in an Ethernet + IPv4 (no options) or IPv6 (no extension headers) frame. */
function tcpChecksumAt(frame: Buffer): number {
  return frame.readUInt16BE(12) === 0x86dd ? 14 + 40 + 16 : 14 + 20 + 16;
}

/** One TCP connection whose segments tests emit one by one. */
export class Conn {
  readonly frames: TestFrame[] = [];
  readonly client: string;
  readonly server: string;
  readonly sport: number;
  readonly dport: number;
  private readonly cisn: number;
  private readonly sisn: number;
  private t: number;
  /** Bytes of each direction sent so far in order (for ACK numbers). */
  private cNext = 0;
  private sNext = 0;
  /** Next client TSval (-1: no timestamps). */
  private ts: number;
  private readonly wscale: number | undefined;

  constructor(o: ConnOptions, frames?: TestFrame[]) {
    this.client = o.client ?? '10.0.0.21';
    this.server = o.server ?? '10.0.0.10';
    this.sport = o.sport ?? 40000;
    this.dport = o.dport ?? 80;
    this.cisn = o.cisn ?? 1000;
    this.sisn = o.sisn ?? 5000;
    this.t = o.t0;
    this.ts = o.tsval ?? -1;
    this.wscale = o.wscale;
    if (frames !== undefined) this.frames = frames;
  }

  private push(frame: Buffer): void {
    this.frames.push({ frame, tsUs: this.t });
    this.t += 100;
  }

  /** The timestamp option (NOP, NOP, TS) with `tsval`, or none without timestamps. */
  private tsOption(tsval?: number): Uint8Array | undefined {
    if (this.ts < 0) return undefined;
    const o = Buffer.from([1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0]);
    o.writeUInt32BE((tsval ?? this.ts++) >>> 0, 4);
    return o;
  }

  private cseq(off: number): number {
    return (this.cisn + 1 + off) >>> 0;
  }

  private sseq(off: number): number {
    return (this.sisn + 1 + off) >>> 0;
  }

  /** A SYN's options: the timestamp option (see tsOption), then NOP and window scale when set. */
  private synOptions(tsval?: number): Uint8Array | undefined {
    const ts = this.tsOption(tsval);
    if (this.wscale === undefined) return ts;
    return Buffer.concat([ts ?? Buffer.alloc(0), Buffer.from([1, 3, 3, this.wscale])]);
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): this {
    const c = { src: this.client, dst: this.server, sport: this.sport, dport: this.dport };
    const s = { src: this.server, dst: this.client, sport: this.dport, dport: this.sport };
    this.push(ethernet(tcpPacket({ ...c, flags: 'S', seq: this.cisn, options: this.synOptions() })));
    this.push(ethernet(tcpPacket({ ...s, flags: 'SA', seq: this.sisn, ack: this.cseq(0), options: this.synOptions(7) })));
    this.push(ethernet(tcpPacket({ ...c, flags: 'A', seq: this.cseq(0), ack: this.sseq(0), options: this.tsOption() })));
    return this;
  }

  /**
   * TCP Fast Open: a SYN carrying `data`, then the server's SYN-ACK acknowledging it (`taken`) or
   * only the SYN (a refused Fast Open: the client has to send the data again from offset 0), and
   * the client's ACK.
   */
  fastOpen(data: string, taken = true): this {
    const bytes = Buffer.from(data, 'latin1');
    const c = { src: this.client, dst: this.server, sport: this.sport, dport: this.dport };
    const s = { src: this.server, dst: this.client, sport: this.dport, dport: this.sport };
    const took = taken ? bytes.length : 0;
    this.push(ethernet(tcpPacket({ ...c, flags: 'S', seq: this.cisn, payload: bytes })));
    this.push(ethernet(tcpPacket({ ...s, flags: 'SA', seq: this.sisn, ack: this.cseq(took) })));
    this.push(ethernet(tcpPacket({ ...c, flags: 'A', seq: this.cseq(took), ack: this.sseq(0) })));
    this.cNext = took;
    return this;
  }

  /** A client segment at stream offset `off` (default: right after what was sent). */
  send(data: string | Uint8Array, off?: number, mods: SegmentMods = {}): this {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    const at = off ?? this.cNext;
    const ts = this.tsOption(mods.tsval);
    const md5 = mods.md5 === true ? Buffer.from([19, 18, ...new Array<number>(16).fill(0)]) : undefined;
    const options = md5 === undefined ? ts : Buffer.concat([ts ?? Buffer.alloc(0), md5]);
    let frame = ethernet(tcpPacket({
      src: this.client, dst: this.server, sport: this.sport, dport: this.dport, flags: mods.flags ?? 'PA',
      seq: this.cseq(at), ack: this.sseq(this.sNext), payload: bytes, options, urgentPointer: mods.urgentPointer, ttl: mods.ttl,
    }));
    if (mods.ip === 'source-route') {
      const route = Buffer.from([131, 7, 4, ...this.server.split('.').map(Number), 1]);
      frame = ethernet(ipv4Packet({ src: this.client, dst: this.server, proto: 6, payload: frame.subarray(14 + 20), options: route }));
    } else if (mods.destOptions !== undefined) {
      const segment = frame.subarray(14 + 40);
      frame = ethernet(ipv6Packet({ src: this.client, dst: this.server, nextHeader: 6, payload: segment, extHeaders: [{ type: 60, data: Uint8Array.from(mods.destOptions) }] }));
    } else if (mods.ip === 'invalid-checksum') {
      frame.writeUInt16BE(frame.readUInt16BE(14 + 10) ^ 0x0f0f, 14 + 10);
    }
    if (mods.checksum !== undefined) {
      const at = tcpChecksumAt(frame);
      if (mods.checksum === 'invalid') frame.writeUInt16BE(frame.readUInt16BE(at) ^ 0x5a5a, at);
      else frame.writeUInt16BE(pseudoHeaderSum(frame), at);
    }
    this.push(frame);
    this.cNext = Math.max(this.cNext, at + bytes.length);
    return this;
  }

  /** A client request cut into segments at the given byte offsets, sent in order. */
  sendSplit(data: string, cuts: readonly number[]): this {
    const base = this.cNext;
    const bounds = [0, ...cuts, data.length];
    for (let i = 0; i + 1 < bounds.length; i++) this.send(data.slice(bounds[i], bounds[i + 1]), base + bounds[i]);
    return this;
  }

  /** A server segment at stream offset `off` (default: right after what it sent). */
  reply(data: string | Uint8Array, off?: number): this {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    const at = off ?? this.sNext;
    this.push(ethernet(tcpPacket({ src: this.server, dst: this.client, sport: this.dport, dport: this.sport, flags: 'PA', seq: this.sseq(at), ack: this.cseq(this.cNext), payload: bytes })));
    this.sNext = Math.max(this.sNext, at + bytes.length);
    return this;
  }

  /** A bare ACK from the server for client bytes up to `upTo` (default: all sent). */
  serverAck(upTo?: number): this {
    this.push(ethernet(tcpPacket({ src: this.server, dst: this.client, sport: this.dport, dport: this.sport, flags: 'A', seq: this.sseq(this.sNext), ack: this.cseq(upTo ?? this.cNext) })));
    return this;
  }

  /** FIN from both sides and the last ACK. */
  close(): this {
    const c = { src: this.client, dst: this.server, sport: this.sport, dport: this.dport };
    const s = { src: this.server, dst: this.client, sport: this.dport, dport: this.sport };
    this.push(ethernet(tcpPacket({ ...c, flags: 'FA', seq: this.cseq(this.cNext), ack: this.sseq(this.sNext) })));
    this.push(ethernet(tcpPacket({ ...s, flags: 'FA', seq: this.sseq(this.sNext), ack: this.cseq(this.cNext + 1) })));
    this.push(ethernet(tcpPacket({ ...c, flags: 'A', seq: this.cseq(this.cNext + 1), ack: this.sseq(this.sNext + 1) })));
    return this;
  }

  /** Time the next frame will get, µs (start a following connection from it). */
  get now(): number {
    return this.t;
  }

  /** Number (pcap_cnt, 1-based) of the last frame emitted so far. */
  get lastCnt(): number {
    return this.frames.length;
  }
}

/** The folded pseudo-header sum of an Ethernet + IPv4 (no options) or IPv6 + TCP frame: what checksum offload leaves in the field. */
function pseudoHeaderSum(frame: Buffer): number {
  const v6 = frame.readUInt16BE(12) === 0x86dd;
  const tcpLen = v6 ? frame.readUInt16BE(14 + 4) : frame.readUInt16BE(14 + 2) - 20;
  let sum = 6 + tcpLen;
  for (let k = v6 ? 14 + 8 : 14 + 12; k < (v6 ? 14 + 40 : 14 + 20); k += 2) sum += frame.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
