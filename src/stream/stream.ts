import type { SectionSpec, SectionValues } from '../config/params.js';
import { TcpChecksum, tcpChecksumState } from '../decode/checksum.js';
import { IpProto, L3, type Packet, TcpFlag } from '../decode/packet.js';
import { tcpHasOption, tcpTsval, tcpWindowScale } from '../decode/tcp.js';
import { checksumsHold, hasSourceRoute, ipv4ChecksumHolds, ipv6OptionsReceivable } from './receiver.js';

/**
 * Per-direction TCP stream reassembly on top of the flow table. Bytes are handed to the consumer
 * (the application layer) as soon as they are contiguous, straight from the packet buffer: an
 * in-order stream is never copied or held here. Only out-of-order data is held (copied), bounded
 * per direction and globally by `memcap`.
 *
 * Overlap policy: first wins. Bytes already delivered, or already held, are never replaced by a
 * later segment covering the same sequence range; held bytes that a later segment contradicts
 * raise `stream.reassembly_overlap_different_data`. This is what a Linux receiver does with data it
 * has already queued, and it makes a "retransmission" with other content unable to change what
 * was inspected.
 *
 * Sequence numbers: a client SYN with a wrong checksum sets nothing, and the server's SYN-ACK has
 * the last word on the client's initial sequence number while nothing of the client has been
 * delivered (`syn_rebased`): a decoy SYN with another ISN, sent first, would otherwise shift every
 * later offset and hide the connection.
 *
 * Data on a SYN (TCP Fast Open, RFC 7413, or a SYN-ACK that carries data) is held until the
 * receiver's answer says whether it took it: an ACK past the SYN's own sequence number (the
 * SYN-ACK of a server that accepted it), or the sender's next segment starting after it, delivers
 * it at offset 0; an ACK of the SYN alone, or the sender's next segment starting at offset 0 (the
 * data sent again after a refused Fast Open), discards it. A receiver that takes it passes it to
 * the application before the handshake completes, so ignoring it would hide whole requests.
 *
 * Segments a receiver drops are not reassembled either, so that a decoy sent first cannot take the
 * place of the real bytes under first-wins: data without the ACK flag (RFC 9293: every segment
 * after the SYN carries it; Linux and the BSDs drop those that do not), and client data whose TCP
 * checksum is wrong, or whose timestamp is older than the last one the server took (PAWS, RFC
 * 7323: when both SYNs carried timestamps, Linux drops a segment whose TSval is more than 1 behind;
 * `stream.pkt_invalid_timestamp`); also client data in an IPv4 datagram with a wrong header
 * checksum or a source route (Linux's accept_source_route is off), or with a TCP-MD5 signature
 * option (RFC 2385), which a socket without a key drops; and client data in an IPv6 datagram
 * whose hop-by-hop or destination options Linux refuses (an unknown option whose type says
 * "discard", padding over 7 bytes or not zero, more than 8 options). A TCP checksum holding only the
 * pseudo-header sum is checksum offload (captures taken on the sending host, a veth or loopback)
 * and passes; so does a segment the capture cut short. Checksums are checked only in a direction
 * where a packet showed checksums that hold: a capture rewritten without fixing them stays
 * readable, and an attacker whose own handshake must reach the server cannot avoid showing good
 * ones. Server data is not checked: only its
 * status line is read, and the client cannot send it.
 *
 * TTL: a decoy can also be made to expire between Rampart and the server (its TTL too small to
 * get there). Client data whose TTL is more than `ttl_limit` below its SYN's is held aside: the
 * same bytes sent again with a normal TTL replace it (the decoy case: the real segment follows);
 * the server acknowledging it lets it through (a path whose TTL really changed). Low-TTL data out
 * of order is ignored. The highest TTL of the client's SYNs is the yardstick: data cannot move it.
 *
 * Urgent data: Linux (and the BSDs) take the byte before seq + urgent pointer out of the stream
 * (unless the application sets SO_OOBINLINE, which servers do not), so a client byte sent urgent
 * never reaches the server's application and is not handed over here either: `UN<urgent X>ION`
 * is UNION to the server. As Linux, one urgent byte is pending per direction, a later pointer
 * replaces an earlier one, and a pointer into bytes already delivered is ignored.
 *
 * Windows: a receiver drops a segment that starts at or past the right edge of the window it
 * advertised (RFC 9293's acceptability test), and so does this stage (`stream.est_packet_out_of_window`):
 * otherwise junk sent far ahead would fill the out-of-order store until a gap is declared over the
 * hole, and the real bytes sent into that hole would then look like retransmissions, unread. An
 * acknowledgment past that edge (of data the sender could not have sent) declares no gap
 * (`stream.pkt_invalid_ack`); nor does a RST's, whatever it acknowledges. Windows are checked
 * only against a receiver whose SYN announced a window scale (RFC 7323, as every current stack
 * does), by that scale (unscaled on SYNs); a receiver seen only mid-connection, or one whose SYN
 * had no scale (hand-made captures: Scapy's 8192-byte default window would otherwise cut every
 * larger request) is not checked. The edge is known from the receiver's first ACK on.
 *
 * Gaps (data the capture never saw): declared when the receiver acknowledges past the hole, or
 * when a direction holds more than `max_pending_bytes`/`max_pending_segments` behind it; the
 * consumer is told how many bytes are missing and delivery resumes after the hole.
 *
 * State per direction lives in typed arrays indexed by flow slot × 2 + direction, so packets
 * without payload, and flows the consumer stopped, cost a few array reads and no allocation.
 */

/** Configuration of the stream stage. */
export const streamParams: SectionSpec = {
  path: 'stream',
  help: 'TCP stream reassembly for payload inspection (per direction of each flow).',
  params: [
    { name: 'enabled', type: 'bool', default: true, help: 'Reassemble TCP streams and inspect application payload (HTTP); false: header-only detection.' },
    { name: 'depth', type: 'int', default: 1048576, min: 0, max: 2147483647, help: 'Bytes reassembled per direction of a flow; later bytes are not inspected (0: no limit). A client direction read as HTTP requests is not limited: each request is bounded by the http limits, and a large body must not hide the requests after it.' },
    { name: 'memcap', type: 'int', default: 67108864, min: 4096, max: 68719476736, help: 'Bytes of out-of-order data held across all flows; segments past it are dropped and counted (memcap_hits).' },
    { name: 'max_pending_bytes', type: 'int', default: 262144, min: 1024, max: 1073741824, help: 'Out-of-order bytes held for one direction of a flow; past it the hole before them is declared a gap.' },
    { name: 'max_pending_segments', type: 'int', default: 256, min: 1, max: 65536, help: 'Out-of-order segments held for one direction of a flow; past it the hole before them is declared a gap.' },
    { name: 'ttl_limit', type: 'int', default: 5, min: 0, max: 255, help: 'Client data whose TTL (hop limit) is more than this below its SYN\'s is held until the same bytes come again with a normal TTL or the server acknowledges them, so a decoy made to expire before the server cannot take the real bytes\' place (0: off).' },
  ],
};

/** Receives the reassembled bytes of each direction (the application layer). */
export interface StreamConsumer {
  /**
   * Contiguous bytes `buf[off, off + len)` of one direction, in stream order; `toServer` is the
   * flow table's direction (initiator to responder). The bytes are valid only during the call.
   * `p` is the packet being processed (it may belong to the other direction when an ACK let held
   * data through).
   */
  onData(p: Packet, flow: number, toServer: boolean, buf: Buffer, off: number, len: number): void;
  /** `bytes` of this direction will never be seen (capture loss or a memcap drop); data resumes after them. */
  onGap(p: Packet, flow: number, toServer: boolean, bytes: number): void;
}

/** Anomaly event names the stream reports in `lastEvents`, as Suricata names them. */
export const StreamEvent = {
  OVERLAP_DIFFERENT_DATA: 'stream.reassembly_overlap_different_data',
  SEQ_GAP: 'stream.reassembly_seq_gap',
  INVALID_TIMESTAMP: 'stream.pkt_invalid_timestamp',
  OUT_OF_WINDOW: 'stream.est_packet_out_of_window',
  INVALID_ACK: 'stream.pkt_invalid_ack',
} as const;

/** Direction state bits. */
const HAS_BASE = 1;
/** The consumer (or the depth limit) asked for no more data. */
const STOPPED = 2;
/** The first sequence number came from data, not from a SYN (capture started mid-connection). */
const MIDSTREAM = 4;
/** A FIN was seen: it takes one sequence number, so an ACK one past the data is no gap. */
const FIN_SEEN = 8;
/** The consumer asked not to be handed the next bytes (`skip`): they are counted, not delivered. */
const SKIPPING = 16;
/** Data came on this direction's SYN and waits for the answer that says whether it was taken. */
const SYN_DATA = 32;
/** This direction's SYN carried a timestamp option: with the other side's, PAWS applies to it. */
const SYN_TS = 64;
/** An urgent byte is pending at `urgentAt`: it is left out when delivered. */
const URGENT = 128;
/** A client segment with a suspiciously low TTL waits in `suspects`. */
const SUSPECT = 256;
/**
 * A packet of this (client) direction had checksums that hold: its data is checked from then on.
 * A capture whose every checksum is wrong (rewritten or anonymised without fixing them) never
 * earns it, and its data is read as it comes.
 */
const CK_TRUSTED = 512;
/** The consumer reads this direction message by message with bounded memory: `depth` does not stop it. */
const NO_DEPTH = 1024;
/** The receiver has advertised a window to this direction: `edge` holds its right edge. */
const EDGE_KNOWN = 2048;

/** RFC 7323's largest window scale. */
const MAX_WSCALE = 14;
/** `wscale` of a direction whose SYN was not seen or announced no window scale: its windows are not checked. */
const NO_WSCALE = 255;

/** TCP-MD5 signature option (RFC 2385). */
const TCP_OPT_MD5 = 19;

/** Layout of one direction's numbers in `StreamReassembler.dir`. */
const DIR_SIZE = 4;
const BASE = 0;
const NEXT = 1;
const STATE = 2;
const HELD_BYTES = 3;

/** An out-of-order piece: stream offset of its first byte, and a copy of its bytes. */
interface HeldSegment {
  readonly start: number;
  readonly data: Buffer;
}

/** The reassembler. One per engine; `consumer` must be set before the first packet. */
export class StreamReassembler {
  readonly stats = {
    syn: 0,
    synack: 0,
    rst: 0,
    segments: 0,
    bytes: 0,
    in_order: 0,
    out_of_order: 0,
    retransmissions: 0,
    overlaps: 0,
    overlap_different_data: 0,
    gaps: 0,
    gap_bytes: 0,
    depth_reached: 0,
    syn_data: 0,
    syn_data_refused: 0,
    syn_rebased: 0,
    no_ack_data: 0,
    invalid_checksum: 0,
    invalid_timestamp: 0,
    out_of_window: 0,
    invalid_ack: 0,
    invalid_ip_checksum: 0,
    ip_source_route: 0,
    tcp_md5_unexpected: 0,
    ipv6_option_dropped: 0,
    urgent_bytes: 0,
    ttl_suspects: 0,
    ttl_suspects_replaced: 0,
    ttl_ignored: 0,
    memcap_hits: 0,
    pending_limit_hits: 0,
    midstream: 0,
    held_bytes: 0,
    held_bytes_max: 0,
  };

  /** Where reassembled bytes go (the application layer sets itself here). */
  consumer: StreamConsumer | null = null;

  readonly enabled: boolean;
  private readonly depth: number;
  private readonly memcap: number;
  private readonly maxPendingBytes: number;
  private readonly maxPendingSegments: number;
  /**
   * Per direction, four numbers side by side (DIR_SIZE apart): BASE, the sequence number of stream
   * offset 0; NEXT, the stream offset of the next byte to deliver; STATE bits; HELD_BYTES. A flow's
   * two directions fill one 64-byte cache line, so a packet (which reads both: its data and the
   * other side's ACK) costs one miss where separate arrays cost one per array.
   */
  private readonly dir: Float64Array;
  /** Out-of-order segments per direction, sorted by start, never overlapping each other. */
  private readonly held: (HeldSegment[] | null)[];
  /** Per direction: bytes still to skip, and bytes skipped since the consumer last asked (`takeSkipped`). */
  private readonly skipLeft: Float64Array;
  private readonly skipped: Float64Array;
  /** Per direction (client directions only): the newest TSval of an in-order segment, PAWS's TS.Recent. */
  private readonly tsRecent: Float64Array;
  /** Per direction with URGENT: stream offset of the pending urgent byte. */
  private readonly urgentAt: Float64Array;
  /** Per client direction: the highest TTL of its SYNs (or its first data segment's), 0 before; the yardstick of `ttl_limit`. */
  private readonly refTtl: Uint8Array;
  /**
   * Per direction with EDGE_KNOWN: the stream offset its receiver's window ends at (the highest
   * acknowledgment plus window it advertised); a segment starting there or later is dropped.
   */
  private readonly edge: Float64Array;
  /** Per direction: the window scale its own SYN announced (NO_WSCALE: none, or no SYN seen). */
  private readonly wscale: Uint8Array;
  /** Per direction with SUSPECT: the low-TTL segment held aside (a copy, counted in the memcap). */
  private readonly suspects = new Map<number, HeldSegment>();
  private readonly ttlLimit: number;
  /** Per direction with SYN_DATA set: the bytes the SYN carried (a copy, counted in the memcap). */
  private readonly synData = new Map<number, Buffer>();
  private readonly events: string[] = [];
  private heldTotal = 0;

  /** `capacity` is the flow table's size (slots are indexes). */
  constructor(values: SectionValues, capacity: number) {
    this.enabled = values.enabled as boolean;
    this.depth = values.depth as number;
    this.memcap = values.memcap as number;
    this.maxPendingBytes = values.max_pending_bytes as number;
    this.maxPendingSegments = values.max_pending_segments as number;
    this.ttlLimit = (values.ttl_limit as number | undefined) ?? 0;
    const n = this.enabled ? capacity * 2 : 0;
    this.dir = new Float64Array(n * DIR_SIZE);
    this.held = new Array<HeldSegment[] | null>(n).fill(null);
    this.skipLeft = new Float64Array(n);
    this.skipped = new Float64Array(n);
    this.tsRecent = new Float64Array(n);
    this.urgentAt = new Float64Array(n);
    this.refTtl = new Uint8Array(n);
    this.edge = new Float64Array(n);
    this.wscale = new Uint8Array(n).fill(NO_WSCALE);
  }

  /** Events raised by the last `onPacket` (overlap with different data, gaps …); empty most of the time. */
  get lastEvents(): readonly string[] {
    return this.events;
  }

  /** Out-of-order bytes held right now, across all flows (never above `memcap`). */
  get heldBytesTotal(): number {
    return this.heldTotal;
  }

  /** Takes one packet after flow tracking; `toServer` is the flow table's direction of it. */
  onPacket(p: Packet, flow: number, toServer: boolean): void {
    if (this.events.length > 0) this.events.length = 0;
    if (!this.enabled || flow < 0 || p.ipProto !== IpProto.TCP || !p.hasL4) return;
    const i = flow * 2 + (toServer ? 0 : 1);
    const f = p.tcpFlags;
    // Every SYN, SYN-ACK and RST of a flow, received or not (Suricata's tcp.syn, synack, rst).
    if (f & (TcpFlag.SYN | TcpFlag.RST)) {
      if (f & TcpFlag.SYN) {
        if (f & TcpFlag.ACK) this.stats.synack++;
        else this.stats.syn++;
      }
      if (f & TcpFlag.RST) this.stats.rst++;
    }
    if (p.payloadLen > 0) {
      if (!this.receivable(p, f, i, toServer)) return;
    } else if (toServer && !(this.dir[i * DIR_SIZE + STATE] & CK_TRUSTED) && checksumsHold(p)) {
      this.dir[i * DIR_SIZE + STATE] |= CK_TRUSTED;
    }
    if (f & TcpFlag.SYN) {
      const ws = p.tcpHdrLen > 20 ? tcpWindowScale(p) : -1;
      this.wscale[i] = ws < 0 ? NO_WSCALE : Math.min(ws, MAX_WSCALE);
    }
    // The ACK tells what the other side's receiver has: data behind it we never saw is a gap.
    if (f & TcpFlag.ACK) {
      const o = i ^ 1;
      if (f & TcpFlag.SYN) this.baseFromSynAck(p, o);
      const so = this.dir[o * DIR_SIZE + STATE];
      if ((so & (HAS_BASE | STOPPED)) === HAS_BASE) {
        const ackOff = this.offsetOf(o, p.tcpAck);
        if (so & SYN_DATA) this.settleSynData(p, flow, o, ackOff > 0);
        if (so & SUSPECT && ackOff > (this.suspects.get(o) as HeldSegment).start) this.releaseSuspect(p, flow, o);
        // A reset acknowledges nothing received (refusing a SYN, it names that SYN's number).
        if (!(f & TcpFlag.RST)) this.acknowledge(p, flow, i, so, ackOff);
      }
    }
    let st = this.dir[i * DIR_SIZE + STATE];
    if (st & STOPPED) return;
    if (f & TcpFlag.FIN) {
      st |= FIN_SEEN;
      this.dir[i * DIR_SIZE + STATE] = st;
    }
    if (f & TcpFlag.SYN) {
      // A client SYN the server drops (a wrong checksum) must not set the sequence numbers.
      if (toServer && tcpChecksumState(p) === TcpChecksum.INVALID) return;
      // The TTL yardstick is the highest of the SYNs: a decoy SYN cannot lower it.
      if (p.ttl > this.refTtl[i]) this.refTtl[i] = p.ttl;
      if (!(st & HAS_BASE)) {
        this.dir[i * DIR_SIZE + BASE] = (p.tcpSeq + 1) >>> 0;
        this.dir[i * DIR_SIZE + NEXT] = 0;
        this.dir[i * DIR_SIZE + STATE] = st | HAS_BASE;
        const ts = p.tcpHdrLen > 20 ? tcpTsval(p) : -1;
        if (ts >= 0) {
          this.dir[i * DIR_SIZE + STATE] |= SYN_TS;
          this.tsRecent[i] = ts;
        }
        if (p.payloadLen > 0 && !(f & TcpFlag.RST)) this.holdSynData(i, p);
      }
      return;
    }
    // The sender's next segment tells what became of its SYN's data: sent again from offset 0
    // (refused), or going on after it (taken).
    if (st & SYN_DATA) {
      this.settleSynData(p, flow, i, this.offsetOf(i, p.tcpSeq) > 0);
      st = this.dir[i * DIR_SIZE + STATE];
      if (st & STOPPED) return;
    }
    const len = p.payloadLen;
    if (len === 0 || f & TcpFlag.RST) return;
    this.stats.segments++;
    if (!(st & HAS_BASE)) {
      this.dir[i * DIR_SIZE + BASE] = p.tcpSeq >>> 0;
      this.dir[i * DIR_SIZE + NEXT] = 0;
      this.dir[i * DIR_SIZE + STATE] = st | HAS_BASE | MIDSTREAM;
      this.stats.midstream++;
    }
    const start = this.offsetOf(i, p.tcpSeq);
    if (st & EDGE_KNOWN && start >= this.edge[i]) {
      this.stats.out_of_window++;
      this.events.push(StreamEvent.OUT_OF_WINDOW);
      return;
    }
    const end = start + len;
    if (toServer && this.ttlLimit > 0 && !this.ttlPlausible(i, start, end, p)) return;
    if (f & TcpFlag.URG && toServer) this.noteUrgent(p, i, start);
    const next = this.dir[i * DIR_SIZE + NEXT];
    if (end <= next) {
      this.stats.retransmissions++;
      return;
    }
    if (start <= next) {
      if (start < next) this.stats.overlaps++;
      this.stats.in_order++;
      this.deliverInOrder(p, flow, i, p.buf, p.payloadOffset + (next - start), end - next);
    } else {
      this.stats.out_of_order++;
      this.hold(p, flow, i, start, p.buf, p.payloadOffset, len);
    }
  }

  /**
   * The consumer parses this direction message by message, each bounded by its own limits (the
   * HTTP stage, once it read a request head): `depth` no longer stops it, so that a large body
   * cannot end inspection of the requests that follow it on the connection.
   */
  unlimitDepth(flow: number, toServer: boolean): void {
    if (!this.enabled) return;
    this.dir[(flow * 2 + (toServer ? 0 : 1)) * DIR_SIZE + STATE] |= NO_DEPTH;
  }

  /** Stops reassembly of one direction (the consumer wants no more); held data is freed. */
  stop(flow: number, toServer: boolean): void {
    if (!this.enabled) return;
    const i = flow * 2 + (toServer ? 0 : 1);
    this.dir[i * DIR_SIZE + STATE] |= STOPPED;
    this.free(i);
  }

  /**
   * The consumer will not look at the next `bytes` of this direction (the rest of a response body
   * it only counts): they go through reassembly, depth and statistics as ever but are not handed
   * over; `takeSkipped` tells how many went by. A later call replaces the amount; 0 cancels.
   */
  skip(flow: number, toServer: boolean, bytes: number): void {
    if (!this.enabled) return;
    const i = flow * 2 + (toServer ? 0 : 1);
    this.skipLeft[i] = bytes > 0 ? bytes : 0;
    if (bytes > 0) this.dir[i * DIR_SIZE + STATE] |= SKIPPING;
    else this.dir[i * DIR_SIZE + STATE] &= ~SKIPPING;
  }

  /** Bytes of this direction skipped (not handed over) since the last call. */
  takeSkipped(flow: number, toServer: boolean): number {
    if (!this.enabled) return 0;
    const i = flow * 2 + (toServer ? 0 : 1);
    const n = this.skipped[i];
    this.skipped[i] = 0;
    return n;
  }

  /** True when this direction's first sequence number came from data rather than a SYN. */
  isMidstream(flow: number, toServer: boolean): boolean {
    return this.enabled && (this.dir[(flow * 2 + (toServer ? 0 : 1)) * DIR_SIZE + STATE] & MIDSTREAM) !== 0;
  }

  /** Forgets a flow that left the table (its slot will be reused). */
  onFlowEnd(flow: number): void {
    if (!this.enabled) return;
    const i = flow * 2;
    this.free(i);
    this.free(i + 1);
    this.dir[i * DIR_SIZE + STATE] = 0;
    this.dir[(i + 1) * DIR_SIZE + STATE] = 0;
    this.skipLeft[i] = 0;
    this.skipLeft[i + 1] = 0;
    this.skipped[i] = 0;
    this.skipped[i + 1] = 0;
    this.refTtl[i] = 0;
    this.refTtl[i + 1] = 0;
    this.wscale[i] = NO_WSCALE;
    this.wscale[i + 1] = NO_WSCALE;
  }

  /**
   * Stream offset of sequence number `seq` in direction `i` (negative: before offset 0): the
   * distance mod 2^32 read as a signed 32-bit number, which `| 0` computes in one integer
   * subtraction (a floating-point `%` here cost more than the rest of `onPacket`).
   */
  private offsetOf(i: number, seq: number): number {
    return ((seq >>> 0) - this.dir[i * DIR_SIZE + BASE]) | 0;
  }

  /**
   * Delivers bytes that start exactly at `next`, clipped so that held bytes (which arrived first)
   * win where they overlap, then everything held that became contiguous.
   */
  private deliverInOrder(p: Packet, flow: number, i: number, buf: Buffer, off: number, len: number): void {
    // Nothing held (HELD_BYTES is 0 exactly when `held[i]` is null): no second array to read.
    if (this.dir[i * DIR_SIZE + HELD_BYTES] === 0) {
      this.emit(p, flow, i, buf, off, len);
      return;
    }
    const next = this.dir[i * DIR_SIZE + NEXT];
    const segs = this.held[i];
    let take = len;
    if (segs !== null && segs.length > 0 && segs[0].start < next + len) {
      const first = segs[0];
      const overlapEnd = Math.min(next + len, first.start + first.data.length);
      this.compareOverlap(buf, off + (first.start - next), first.data, 0, overlapEnd - first.start);
      take = first.start - next;
    }
    this.emit(p, flow, i, buf, off, take);
    if (segs !== null) this.drain(p, flow, i);
  }

  /** Hands out held segments that are now contiguous with `next`. */
  private drain(p: Packet, flow: number, i: number): void {
    const segs = this.held[i];
    if (segs === null) return;
    while (segs.length > 0 && !(this.dir[i * DIR_SIZE + STATE] & STOPPED)) {
      const s = segs[0];
      const next = this.dir[i * DIR_SIZE + NEXT];
      if (s.start > next) break;
      segs.shift();
      this.release(i, s.data.length);
      const skip = next - s.start;
      if (skip < s.data.length) this.emit(p, flow, i, s.data, skip, s.data.length - skip);
    }
    if (segs.length === 0) this.held[i] = null;
  }

  /** Passes bytes to the consumer, enforcing the depth limit. */
  private emit(p: Packet, flow: number, i: number, buf: Buffer, off: number, len: number): void {
    if (len <= 0) return;
    const next = this.dir[i * DIR_SIZE + NEXT];
    if (this.depth > 0 && next + len > this.depth && !(this.dir[i * DIR_SIZE + STATE] & NO_DEPTH)) {
      len = this.depth - next;
      this.dir[i * DIR_SIZE + STATE] |= STOPPED;
      this.stats.depth_reached++;
    }
    this.dir[i * DIR_SIZE + NEXT] = next + len;
    this.stats.bytes += len;
    const st = this.dir[i * DIR_SIZE + STATE];
    // Index in these bytes of the urgent byte to leave out (-1: none here).
    let urgent = -1;
    if (st & URGENT && this.urgentAt[i] - next < len) {
      urgent = this.urgentAt[i] - next;
      this.dir[i * DIR_SIZE + STATE] &= ~URGENT;
    }
    if (st & SKIPPING) {
      const k = Math.min(len, this.skipLeft[i]);
      this.skipLeft[i] -= k;
      this.skipped[i] += k;
      if (this.skipLeft[i] === 0) this.dir[i * DIR_SIZE + STATE] &= ~SKIPPING;
      off += k;
      len -= k;
      urgent -= k;
    }
    const c = this.consumer;
    if (c === null || len <= 0) {
      // Nothing handed over.
    } else if (urgent < 0) {
      c.onData(p, flow, (i & 1) === 0, buf, off, len);
    } else {
      this.stats.urgent_bytes++;
      const stoppedBefore = this.dir[i * DIR_SIZE + STATE] & STOPPED;
      if (urgent > 0) c.onData(p, flow, (i & 1) === 0, buf, off, urgent);
      // The consumer may have stopped this direction while taking the first part.
      const stoppedNow = this.dir[i * DIR_SIZE + STATE] & STOPPED;
      if (len - urgent - 1 > 0 && stoppedNow === stoppedBefore) c.onData(p, flow, (i & 1) === 0, buf, off + urgent + 1, len - urgent - 1);
    }
    if (this.dir[i * DIR_SIZE + STATE] & STOPPED) this.free(i);
  }

  /**
   * Keeps an out-of-order segment: only the parts no held segment covers yet (first wins), each
   * copied. Past the per-direction bounds the hole before the held data becomes a gap; past the
   * memcap the segment is dropped.
   */
  private hold(p: Packet, flow: number, i: number, start: number, buf: Buffer, off: number, len: number): void {
    let segs = this.held[i];
    if (segs === null) {
      segs = [];
      this.held[i] = segs;
    }
    const end = start + len;
    let pos = start;
    let k = 0;
    while (k < segs.length && segs[k].start + segs[k].data.length <= pos) k++;
    while (pos < end) {
      const s = k < segs.length ? segs[k] : null;
      if (s !== null && s.start <= pos) {
        // Covered by a held segment: it arrived first and wins; note a contradiction.
        const sEnd = Math.min(end, s.start + s.data.length);
        this.compareOverlap(buf, off + (pos - start), s.data, pos - s.start, sEnd - pos);
        this.stats.overlaps++;
        pos = sEnd;
        k++;
        continue;
      }
      const pieceEnd = s !== null ? Math.min(end, s.start) : end;
      const n = pieceEnd - pos;
      if (!this.charge(n)) break;
      const data = Buffer.allocUnsafe(n);
      buf.copy(data, 0, off + (pos - start), off + (pos - start) + n);
      segs.splice(k, 0, { start: pos, data });
      k++;
      this.dir[i * DIR_SIZE + HELD_BYTES] += n;
      pos = pieceEnd;
    }
    if (segs.length === 0) {
      this.held[i] = null;
      return;
    }
    if (this.dir[i * DIR_SIZE + HELD_BYTES] > this.maxPendingBytes || segs.length > this.maxPendingSegments) {
      this.stats.pending_limit_hits++;
      this.skipTo(p, flow, i, segs[0].start);
    }
  }

  /**
   * What the acknowledgment `ackOff` of packet `p` (from direction `i`; `so`: the other
   * direction's state) says of the other direction: past the edge of the window `i` advertised it
   * is invalid; else data behind it never seen is a gap, and `p`'s window may move the edge.
   */
  private acknowledge(p: Packet, flow: number, i: number, so: number, ackOff: number): void {
    const o = i ^ 1;
    if (so & EDGE_KNOWN && ackOff > this.edge[o]) {
      this.stats.invalid_ack++;
      this.events.push(StreamEvent.INVALID_ACK);
      return;
    }
    const next = this.dir[o * DIR_SIZE + NEXT];
    if (ackOff > next && !(ackOff === next + 1 && so & FIN_SEEN) && !(this.dir[o * DIR_SIZE + STATE] & STOPPED)) this.ackGap(p, flow, o, ackOff);
    const scale = this.wscale[i];
    if (scale === NO_WSCALE) return;
    // The window of a SYN is never scaled (RFC 7323).
    const right = ackOff + (p.tcpFlags & TcpFlag.SYN ? p.tcpWindow : p.tcpWindow * (1 << scale));
    const os = this.dir[o * DIR_SIZE + STATE];
    if (!(os & EDGE_KNOWN) || right > this.edge[o]) {
      this.edge[o] = right;
      this.dir[o * DIR_SIZE + STATE] = os | EDGE_KNOWN;
    }
  }

  /** The receiver acknowledged past `next`: the bytes up to the first held segment (or the ACK) are lost. */
  private ackGap(p: Packet, flow: number, i: number, ackOff: number): void {
    const segs = this.held[i];
    const to = segs !== null && segs.length > 0 ? Math.min(segs[0].start, ackOff) : ackOff;
    this.skipTo(p, flow, i, to);
  }

  /** Declares the bytes between `next` and `to` lost, then lets held data through. */
  private skipTo(p: Packet, flow: number, i: number, to: number): void {
    const missing = to - this.dir[i * DIR_SIZE + NEXT];
    if (missing <= 0) return;
    this.stats.gaps++;
    this.stats.gap_bytes += missing;
    this.events.push(StreamEvent.SEQ_GAP);
    this.dir[i * DIR_SIZE + NEXT] = to;
    if (this.depth > 0 && to >= this.depth && !(this.dir[i * DIR_SIZE + STATE] & NO_DEPTH)) {
      this.dir[i * DIR_SIZE + STATE] |= STOPPED;
      this.stats.depth_reached++;
      this.free(i);
      return;
    }
    const c = this.consumer;
    if (c !== null) c.onGap(p, flow, (i & 1) === 0, missing);
    this.drain(p, flow, i);
  }

  /**
   * `ttl_limit` for a client data segment at [start, end); false when this stage takes no further
   * part in it. Low-TTL bytes at the stream's edge are held aside as one contiguous run (later
   * low-TTL bytes right after it join it); other low-TTL bytes are ignored, so that a decoy sent
   * out of order cannot wait in the out-of-order store. A normal segment that covers the run's
   * start replaces the run; the server's ACK lets it through (`releaseSuspect`).
   */
  private ttlPlausible(i: number, start: number, end: number, p: Packet): boolean {
    const ref = this.refTtl[i];
    if (ref === 0) {
      this.refTtl[i] = p.ttl;
      return true;
    }
    const st = this.dir[i * DIR_SIZE + STATE];
    if (p.ttl + this.ttlLimit >= ref) {
      if (st & SUSPECT && start <= (this.suspects.get(i) as HeldSegment).start) {
        this.dropSuspect(i);
        this.stats.ttl_suspects_replaced++;
      }
      return true;
    }
    const next = this.dir[i * DIR_SIZE + NEXT];
    const held = st & SUSPECT ? (this.suspects.get(i) as HeldSegment) : null;
    const edge = held === null ? next : held.start + held.data.length;
    if (end <= next) return true;
    if (start > edge || end <= edge || (held !== null && held.data.length + end - edge > this.maxPendingBytes)) {
      this.stats.ttl_ignored++;
      return false;
    }
    const piece = p.buf.subarray(p.payloadOffset + (edge - start), p.payloadOffset + p.payloadLen);
    if (!this.charge(piece.length)) return false;
    this.suspects.set(i, { start: held === null ? next : held.start, data: held === null ? Buffer.from(piece) : Buffer.concat([held.data, piece]) });
    this.dir[i * DIR_SIZE + STATE] = st | SUSPECT;
    this.stats.ttl_suspects++;
    return false;
  }

  /** Lets a held low-TTL run through: the server acknowledged bytes at its start. */
  private releaseSuspect(p: Packet, flow: number, i: number): void {
    const held = this.suspects.get(i) as HeldSegment;
    this.dropSuspect(i);
    const next = this.dir[i * DIR_SIZE + NEXT];
    const skip = next - held.start;
    if (skip < held.data.length) this.deliverInOrder(p, flow, i, held.data, skip, held.data.length - skip);
  }

  private dropSuspect(i: number): void {
    if (!(this.dir[i * DIR_SIZE + STATE] & SUSPECT)) return;
    this.dir[i * DIR_SIZE + STATE] &= ~SUSPECT;
    const held = this.suspects.get(i) as HeldSegment;
    this.suspects.delete(i);
    this.uncharge(held.data.length);
  }

  /** Notes the urgent byte a client segment starting at stream offset `start` points at (Linux's tcp_check_urg). */
  private noteUrgent(p: Packet, i: number, start: number): void {
    const tcpAt = p.payloadOffset - p.tcpHdrLen;
    const ptr = (p.buf[tcpAt + 18] << 8) | p.buf[tcpAt + 19];
    if (ptr === 0) return;
    const at = start + ptr - 1;
    const st = this.dir[i * DIR_SIZE + STATE];
    if (at < this.dir[i * DIR_SIZE + NEXT] || (st & URGENT && at <= this.urgentAt[i])) return;
    this.urgentAt[i] = at;
    this.dir[i * DIR_SIZE + STATE] = st | URGENT;
  }

  /**
   * False for a data segment the receiver drops: no ACK flag (and no SYN); from the client, a wrong
   * TCP or IPv4 header checksum (once the direction showed checksums that hold, `CK_TRUSTED`), a
   * source route, IPv6 options Linux refuses, a TCP-MD5 option, or (once both SYNs carried
   * timestamps) a TSval more than 1 behind TS.Recent (PAWS).
   * Such a segment changes nothing here, not even through its ACK. TS.Recent moves only with
   * client data taken in order, never with a bare ACK, so a forged ACK cannot make real data look stale.
   */
  private receivable(p: Packet, f: number, i: number, toServer: boolean): boolean {
    if (!(f & (TcpFlag.ACK | TcpFlag.SYN))) {
      this.stats.no_ack_data++;
      return false;
    }
    if (!toServer) return true;
    const st = this.dir[i * DIR_SIZE + STATE];
    if (st & CK_TRUSTED) {
      if (tcpChecksumState(p) === TcpChecksum.INVALID) {
        this.stats.invalid_checksum++;
        return false;
      }
      if (p.l3 === L3.IPV4 && !p.reassembled && !ipv4ChecksumHolds(p)) {
        this.stats.invalid_ip_checksum++;
        return false;
      }
    } else if (checksumsHold(p)) {
      this.dir[i * DIR_SIZE + STATE] = st | CK_TRUSTED;
    }
    if (p.l3 === L3.IPV4 && p.ipHdrLen > 20 && hasSourceRoute(p)) {
      this.stats.ip_source_route++;
      return false;
    }
    if (p.l3 === L3.IPV6 && p.ipHdrLen > 40 && !ipv6OptionsReceivable(p.buf, p.ipOffset, p.ipOffset + p.ipHdrLen)) {
      this.stats.ipv6_option_dropped++;
      return false;
    }
    if (p.tcpHdrLen > 20 && tcpHasOption(p, TCP_OPT_MD5)) {
      this.stats.tcp_md5_unexpected++;
      return false;
    }
    if ((this.dir[i * DIR_SIZE + STATE] & SYN_TS) === 0 || (this.dir[(i ^ 1) * DIR_SIZE + STATE] & SYN_TS) === 0) return true;
    const ts = tcpTsval(p);
    if (ts < 0 || f & TcpFlag.RST) return true;
    const behind = (this.tsRecent[i] - ts) | 0;
    if (behind > 1) {
      this.stats.invalid_timestamp++;
      this.events.push(StreamEvent.INVALID_TIMESTAMP);
      return false;
    }
    if (behind < 0 && this.offsetOf(i, p.tcpSeq) <= this.dir[i * DIR_SIZE + NEXT]) this.tsRecent[i] = ts;
    return true;
  }

  /**
   * The SYN-ACK says which initial sequence number the server took for the other direction: when
   * ours differs (we took it from a SYN the server never accepted, a decoy with another ISN sent
   * first) or we have none, and nothing of that direction was delivered or held yet, it wins.
   */
  private baseFromSynAck(p: Packet, o: number): void {
    const so = this.dir[o * DIR_SIZE + STATE];
    if (so & (STOPPED | SYN_DATA)) return;
    const ack = p.tcpAck >>> 0;
    if (so & HAS_BASE) {
      if (this.dir[o * DIR_SIZE + BASE] === ack || this.dir[o * DIR_SIZE + NEXT] !== 0 || this.dir[o * DIR_SIZE + HELD_BYTES] !== 0) return;
      this.stats.syn_rebased++;
    }
    this.dir[o * DIR_SIZE + BASE] = ack;
    this.dir[o * DIR_SIZE + NEXT] = 0;
    // A window edge read against the old base means nothing against the new one.
    this.dir[o * DIR_SIZE + STATE] = (so | HAS_BASE) & ~EDGE_KNOWN;
  }

  /** Keeps a copy of the data a SYN carried, within the memcap, until its fate is known. */
  private holdSynData(i: number, p: Packet): void {
    const n = p.payloadLen;
    this.stats.syn_data++;
    if (!this.charge(n)) return;
    const data = Buffer.allocUnsafe(n);
    p.buf.copy(data, 0, p.payloadOffset, p.payloadOffset + n);
    this.synData.set(i, data);
    this.dir[i * DIR_SIZE + STATE] |= SYN_DATA;
  }

  /** Delivers the held SYN data at offset 0 when the receiver took it, else forgets it. */
  private settleSynData(p: Packet, flow: number, i: number, taken: boolean): void {
    const data = this.synData.get(i);
    this.dropSynData(i);
    if (data === undefined) return;
    if (!taken) {
      this.stats.syn_data_refused++;
      return;
    }
    this.stats.segments++;
    this.stats.in_order++;
    this.deliverInOrder(p, flow, i, data, 0, data.length);
  }

  private dropSynData(i: number): void {
    if (!(this.dir[i * DIR_SIZE + STATE] & SYN_DATA)) return;
    this.dir[i * DIR_SIZE + STATE] &= ~SYN_DATA;
    const data = this.synData.get(i);
    if (data === undefined) return;
    this.synData.delete(i);
    this.uncharge(data.length);
  }

  private compareOverlap(a: Buffer, aOff: number, b: Buffer, bOff: number, n: number): void {
    for (let k = 0; k < n; k++) {
      if (a[aOff + k] !== b[bOff + k]) {
        this.stats.overlap_different_data++;
        this.events.push(StreamEvent.OVERLAP_DIFFERENT_DATA);
        return;
      }
    }
  }

  /** Counts `n` more bytes held (copies kept) against the memcap; false, in `memcap_hits`, when they do not fit. */
  private charge(n: number): boolean {
    if (this.heldTotal + n > this.memcap) {
      this.stats.memcap_hits++;
      return false;
    }
    this.heldTotal += n;
    this.stats.held_bytes = this.heldTotal;
    if (this.heldTotal > this.stats.held_bytes_max) this.stats.held_bytes_max = this.heldTotal;
    return true;
  }

  private uncharge(n: number): void {
    this.heldTotal -= n;
    this.stats.held_bytes = this.heldTotal;
  }

  private release(i: number, n: number): void {
    this.dir[i * DIR_SIZE + HELD_BYTES] -= n;
    this.uncharge(n);
  }

  private free(i: number): void {
    this.dropSynData(i);
    this.dropSuspect(i);
    if (this.held[i] !== null) {
      this.uncharge(this.dir[i * DIR_SIZE + HELD_BYTES]);
      this.held[i] = null;
    }
    this.dir[i * DIR_SIZE + HELD_BYTES] = 0;
  }
}
