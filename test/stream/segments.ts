/**
 * A segment-level TCP conversation builder for tests: real frames with real sequence numbers, but
 * each segment placed by hand, so tests can split a request anywhere, send segments out of order,
 * retransmit with other bytes, or leave holes. Every frame gets its own time (100 µs apart), so
 * frame numbers (pcap_cnt) follow the order of calls.
 */
import { ethernet, tcpPacket } from '../../src/tools/craft/frame.js';
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

  constructor(o: ConnOptions, frames?: TestFrame[]) {
    this.client = o.client ?? '10.0.0.21';
    this.server = o.server ?? '10.0.0.10';
    this.sport = o.sport ?? 40000;
    this.dport = o.dport ?? 80;
    this.cisn = o.cisn ?? 1000;
    this.sisn = o.sisn ?? 5000;
    this.t = o.t0;
    if (frames !== undefined) this.frames = frames;
  }

  private push(frame: Buffer): void {
    this.frames.push({ frame, tsUs: this.t });
    this.t += 100;
  }

  private cseq(off: number): number {
    return (this.cisn + 1 + off) >>> 0;
  }

  private sseq(off: number): number {
    return (this.sisn + 1 + off) >>> 0;
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): this {
    const c = { src: this.client, dst: this.server, sport: this.sport, dport: this.dport };
    const s = { src: this.server, dst: this.client, sport: this.dport, dport: this.sport };
    this.push(ethernet(tcpPacket({ ...c, flags: 'S', seq: this.cisn })));
    this.push(ethernet(tcpPacket({ ...s, flags: 'SA', seq: this.sisn, ack: this.cseq(0) })));
    this.push(ethernet(tcpPacket({ ...c, flags: 'A', seq: this.cseq(0), ack: this.sseq(0) })));
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
  send(data: string | Uint8Array, off?: number): this {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    const at = off ?? this.cNext;
    this.push(ethernet(tcpPacket({ src: this.client, dst: this.server, sport: this.sport, dport: this.dport, flags: 'PA', seq: this.cseq(at), ack: this.sseq(this.sNext), payload: bytes })));
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
