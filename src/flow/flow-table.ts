import type { SectionSpec, SectionValues } from '../config/params.js';
import { TcpChecksum, tcpChecksumState } from '../decode/checksum.js';
import { IpProto, L3, Packet, TcpFlag } from '../decode/packet.js';

/**
 * The 5-tuple flow table: both directions of a conversation share one flow, found by a symmetric
 * hash. Struct-of-arrays over typed arrays so the per-packet lookup allocates nothing; a slot index
 * is the handle detectors keep. Bounded: `max_flows` slots, the least recently seen unestablished
 * flow (else established) is evicted when full, and each eviction is counted.
 *
 * Timeouts run on packet time. Each flow sits on one of three LRU lists by timeout class (new,
 * established, closed); within a list the head is always the next to expire, so expiry costs
 * O(expired flows), checked once per packet.
 */

/** TCP (and pseudo) states of a flow. */
export const FlowState = {
  /** Initiator has sent; no answer yet (TCP: SYN sent; UDP/ICMP: one direction only). */
  NEW: 0,
  /** TCP: responder answered the SYN with SYN-ACK; handshake not completed. */
  SYN_RECV: 1,
  /** TCP handshake done, or a midstream flow; UDP/ICMP: both directions seen. */
  ESTABLISHED: 2,
  /** TCP: a FIN has been seen. */
  CLOSING: 3,
  /** TCP: reset, or FINs from both sides. */
  CLOSED: 4,
} as const;

/** Why a flow ended, for `onFlowEnd`. */
export const FlowEnd = {
  TIMEOUT: 0,
  EVICTED: 1,
  SHUTDOWN: 2,
  /** A new connection on the same addresses and ports (a SYN after the close) replaced it. */
  REUSED: 3,
} as const;

/** The flow table's parameters. */
export const flowParams: SectionSpec = {
  path: 'flow',
  help: 'Flow table: size bound and timeouts (seconds of packet time).',
  params: [
    { name: 'max_flows', type: 'int', default: 131072, min: 1024, max: 16777216, help: 'Flows tracked at once; when full the oldest unestablished flow is evicted.' },
    { name: 'timeout_new', type: 'number', default: 30, min: 1, max: 3600, help: 'Idle timeout of flows whose handshake (or reply) was not seen.' },
    { name: 'timeout_established', type: 'number', default: 300, min: 1, max: 86400, help: 'Idle timeout of established flows.' },
    { name: 'timeout_closed', type: 'number', default: 10, min: 0, max: 3600, help: 'Time a closed (FIN/RST) flow is kept for late packets.' },
  ],
};

/** Called when a flow leaves the table; the slot's fields are readable during the call. */
export type FlowEndHandler = (slot: number, reason: number) => void;

const LIST_NEW = 0;
const LIST_EST = 1;
const LIST_CLOSED = 2;
/** `fins` bit: a RST closed the flow after establishment (later traffic reopens it). */
const RST_CLOSED = 4;
const NIL = -1;

/** Flow flag bits. */
export const FlowFlag = {
  /** The first packet seen was not the start of the conversation. */
  MIDSTREAM: 1,
  /** Initiator's first TCP packet was a SYN carrying at most an MSS option (raw-socket scanners). */
  BARE_SYN: 2,
  /** The responder answered with RST (TCP) before establishment. */
  REFUSED: 4,
} as const;

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return x ^ (x >>> 16);
}

/**
 * For a first packet that is not a connection start: true when it looks sent by a server to a
 * client (a well-known port to a high one, or a registered port to an ephemeral one), so that a
 * capture started mid-conversation still names the client as initiator.
 */
function looksLikeReply(sport: number, dport: number): boolean {
  return (sport < 1024 && dport >= 1024) || (sport < 32768 && dport >= 32768);
}

/** The flow table. */
export class FlowTable {
  readonly stats = {
    flows_created: 0,
    flows_active: 0,
    flows_timed_out: 0,
    flows_evicted: 0,
    tcp: 0,
    udp: 0,
    icmp: 0,
    midstream: 0,
    rst_ignored: 0,
    rst_reopened: 0,
    tcp_reuse: 0,
  };

  /** Direction of the last looked-up packet: true when it went from initiator to responder. */
  toServer = true;
  /** True when the last lookup created the flow. */
  created = false;
  /** True when the last packet completed the TCP handshake (or brought a UDP/ICMP reply). */
  justEstablished = false;

  private readonly capacity: number;
  private readonly bucketMask: number;
  private readonly buckets: Int32Array;
  private readonly chainNext: Int32Array;
  private readonly hashes: Int32Array;
  /** Initiator (A) and responder (B) addresses: four words per slot; IPv4 in word 3. */
  readonly addrA: Int32Array;
  readonly addrB: Int32Array;
  readonly keyA: Float64Array;
  readonly keyB: Float64Array;
  readonly portA: Uint16Array;
  readonly portB: Uint16Array;
  readonly proto: Uint8Array;
  readonly family: Uint8Array;
  readonly state: Uint8Array;
  readonly flags: Uint8Array;
  readonly firstUs: Float64Array;
  readonly lastUs: Float64Array;
  readonly pktsToServer: Float64Array;
  readonly pktsToClient: Float64Array;
  readonly bytesToServer: Float64Array;
  readonly bytesToClient: Float64Array;
  readonly flowId: Float64Array;
  /** TCP flags seen, per direction (slot × 2, + 1 for B to A): every packet's flags OR'd together. */
  readonly tcpFlagsSeen: Uint8Array;
  /** ICMP, per direction (slot × 2, + 1 for B to A): type << 8 | code of that direction's first packet. */
  readonly icmpFirst: Uint16Array;
  /** FIN seen from A (bit 1) and from B (bit 2); RST_CLOSED when a RST closed the established flow. */
  private readonly fins: Uint8Array;
  /**
   * TCP, per direction (slot × 2, + 1 for B to A): the sequence number after the furthest byte (SYN
   * and FIN count one) that direction has sent, -1 before its first packet. A RST must carry it.
   */
  private readonly seqEnd: Float64Array;
  private readonly list: Uint8Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly heads = new Int32Array([NIL, NIL, NIL]);
  private readonly tails = new Int32Array([NIL, NIL, NIL]);
  private readonly timeoutsUs: Float64Array;
  private freeHead: number;
  private serial = 0;

  constructor(values: SectionValues, private readonly onFlowEnd: FlowEndHandler) {
    const cap = values.max_flows as number;
    this.capacity = cap;
    let nb = 1;
    while (nb < cap * 2) nb <<= 1;
    this.bucketMask = nb - 1;
    this.buckets = new Int32Array(nb).fill(NIL);
    this.chainNext = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    this.addrA = new Int32Array(cap * 4);
    this.addrB = new Int32Array(cap * 4);
    this.keyA = new Float64Array(cap);
    this.keyB = new Float64Array(cap);
    this.portA = new Uint16Array(cap);
    this.portB = new Uint16Array(cap);
    this.proto = new Uint8Array(cap);
    this.family = new Uint8Array(cap);
    this.state = new Uint8Array(cap);
    this.flags = new Uint8Array(cap);
    this.firstUs = new Float64Array(cap);
    this.lastUs = new Float64Array(cap);
    this.pktsToServer = new Float64Array(cap);
    this.pktsToClient = new Float64Array(cap);
    this.bytesToServer = new Float64Array(cap);
    this.bytesToClient = new Float64Array(cap);
    this.flowId = new Float64Array(cap);
    this.tcpFlagsSeen = new Uint8Array(cap * 2);
    this.icmpFirst = new Uint16Array(cap * 2);
    this.fins = new Uint8Array(cap);
    this.seqEnd = new Float64Array(cap * 2);
    this.list = new Uint8Array(cap);
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
    for (let i = 0; i < cap - 1; i++) this.next[i] = i + 1;
    this.next[cap - 1] = NIL;
    this.freeHead = 0;
    this.timeoutsUs = new Float64Array([
      (values.timeout_new as number) * 1e6,
      (values.timeout_established as number) * 1e6,
      (values.timeout_closed as number) * 1e6,
    ]);
  }

  /**
   * Finds or creates the flow of an IP packet with a decoded L4 header and updates its state and
   * counters. Returns the slot, or -1 for packets that cannot belong to a flow.
   */
  track(p: Packet): number {
    if (!p.hasL4 || (p.l3 !== L3.IPV4 && p.l3 !== L3.IPV6)) return NIL;
    const v4 = p.l3 === L3.IPV4;
    const proto = p.ipProto;
    let sport = p.srcPort;
    let dport = p.dstPort;
    if (proto === IpProto.ICMP || proto === IpProto.IPV6_ICMP) {
      // Echo request and reply share the identifier, so they land in one flow; other ICMP by type.
      const t = p.icmpType;
      const echo = t === 8 || t === 0 || t === 128 || t === 129;
      sport = echo ? p.icmpId : t;
      dport = sport;
    }
    let h: number;
    if (v4) {
      h = mix32(p.src4 ^ Math.imul(sport, 0x9e3779b1)) + mix32(p.dst4 ^ Math.imul(dport, 0x9e3779b1));
    } else {
      const s = p.src6;
      const d = p.dst6;
      h = mix32(s[0] ^ s[1] ^ s[2] ^ s[3] ^ Math.imul(sport, 0x9e3779b1)) + mix32(d[0] ^ d[1] ^ d[2] ^ d[3] ^ Math.imul(dport, 0x9e3779b1));
    }
    h = mix32(h ^ proto) | 0;

    let slot = this.buckets[h & this.bucketMask];
    while (slot !== NIL) {
      if (this.hashes[slot] === h && this.proto[slot] === proto && this.family[slot] === p.l3) {
        const fwd = this.portA[slot] === sport && this.portB[slot] === dport && this.sameAddr(slot, p, true);
        if (fwd) {
          this.toServer = true;
          break;
        }
        if (this.portA[slot] === dport && this.portB[slot] === sport && this.sameAddr(slot, p, false)) {
          this.toServer = false;
          break;
        }
      }
      slot = this.chainNext[slot];
    }
    if (slot !== NIL && proto === IpProto.TCP && this.reusedBy(slot, p)) {
      this.stats.tcp_reuse++;
      this.remove(slot, FlowEnd.REUSED);
      slot = NIL;
    }
    this.created = slot === NIL;
    if (slot === NIL) {
      slot = this.create(p, h, sport, dport);
    }
    this.update(slot, p);
    return slot;
  }

  private sameAddr(slot: number, p: Packet, fwd: boolean): boolean {
    const a = fwd ? this.addrA : this.addrB;
    const b = fwd ? this.addrB : this.addrA;
    const o = slot * 4;
    if (p.l3 === L3.IPV4) return a[o + 3] === p.src4 && b[o + 3] === p.dst4;
    const s = p.src6;
    const d = p.dst6;
    return (
      a[o] === (s[0] | 0) && a[o + 1] === (s[1] | 0) && a[o + 2] === (s[2] | 0) && a[o + 3] === (s[3] | 0) &&
      b[o] === (d[0] | 0) && b[o + 1] === (d[1] | 0) && b[o + 2] === (d[2] | 0) && b[o + 3] === (d[3] | 0)
    );
  }

  private create(p: Packet, h: number, sport: number, dport: number): number {
    if (this.freeHead === NIL) this.evictOne();
    const slot = this.freeHead;
    this.freeHead = this.next[slot];

    // Who started the conversation? The sender of the first packet, unless that packet is plainly
    // an answer (a SYN-ACK, or a server port talking to an ephemeral one on a midstream packet).
    let swap = false;
    let flags = 0;
    if (p.ipProto === IpProto.TCP) {
      const f = p.tcpFlags;
      const syn = (f & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
      if (!syn) {
        flags |= FlowFlag.MIDSTREAM;
        if ((f & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK)) swap = true;
        else if (looksLikeReply(sport, dport)) swap = true;
      } else if (p.tcpHdrLen <= 24) {
        flags |= FlowFlag.BARE_SYN;
      }
    } else if (p.ipProto === IpProto.UDP) {
      if (looksLikeReply(sport, dport)) swap = true;
    } else {
      const t = p.icmpType;
      if (t === 0 || t === 129) swap = true;
    }
    const o = slot * 4;
    if (p.l3 === L3.IPV4) {
      this.addrA[o] = this.addrA[o + 1] = this.addrA[o + 2] = 0;
      this.addrB[o] = this.addrB[o + 1] = this.addrB[o + 2] = 0;
      this.addrA[o + 3] = swap ? p.dst4 : p.src4;
      this.addrB[o + 3] = swap ? p.src4 : p.dst4;
    } else {
      const s = swap ? p.dst6 : p.src6;
      const d = swap ? p.src6 : p.dst6;
      for (let i = 0; i < 4; i++) {
        this.addrA[o + i] = s[i] | 0;
        this.addrB[o + i] = d[i] | 0;
      }
    }
    this.keyA[slot] = swap ? p.dstKey : p.srcKey;
    this.keyB[slot] = swap ? p.srcKey : p.dstKey;
    this.portA[slot] = swap ? dport : sport;
    this.portB[slot] = swap ? sport : dport;
    this.toServer = !swap;
    this.proto[slot] = p.ipProto;
    this.family[slot] = p.l3;
    this.state[slot] = flags & FlowFlag.MIDSTREAM ? FlowState.ESTABLISHED : FlowState.NEW;
    this.flags[slot] = flags;
    this.fins[slot] = 0;
    this.seqEnd[slot * 2] = -1;
    this.seqEnd[slot * 2 + 1] = -1;
    this.tcpFlagsSeen[slot * 2] = 0;
    this.tcpFlagsSeen[slot * 2 + 1] = 0;
    this.firstUs[slot] = p.tsUs;
    this.lastUs[slot] = p.tsUs;
    this.pktsToServer[slot] = 0;
    this.pktsToClient[slot] = 0;
    this.bytesToServer[slot] = 0;
    this.bytesToClient[slot] = 0;
    this.serial++;
    // Deterministic, Suricata-like large ids: the flow hash in the high bits, the creation serial low.
    this.flowId[slot] = (h >>> 0) * 2097152 + (this.serial & 0x1fffff);
    this.hashes[slot] = h;
    const b = h & this.bucketMask;
    this.chainNext[slot] = this.buckets[b];
    this.buckets[b] = slot;
    this.list[slot] = this.state[slot] === FlowState.ESTABLISHED ? LIST_EST : LIST_NEW;
    this.append(slot);
    this.stats.flows_created++;
    this.stats.flows_active++;
    if (flags & FlowFlag.MIDSTREAM) this.stats.midstream++;
    if (p.ipProto === IpProto.TCP) this.stats.tcp++;
    else if (p.ipProto === IpProto.UDP) this.stats.udp++;
    else this.stats.icmp++;
    return slot;
  }

  private update(slot: number, p: Packet): void {
    const toServer = this.toServer;
    let n: number;
    if (toServer) {
      n = ++this.pktsToServer[slot];
      this.bytesToServer[slot] += p.wireLen;
    } else {
      n = ++this.pktsToClient[slot];
      this.bytesToClient[slot] += p.wireLen;
    }
    if (n === 1 && (p.ipProto === IpProto.ICMP || p.ipProto === IpProto.IPV6_ICMP)) this.icmpFirst[slot * 2 + (toServer ? 0 : 1)] = (p.icmpType << 8) | p.icmpCode;
    this.lastUs[slot] = p.tsUs;
    let st = this.state[slot];
    const before = st;
    if (p.ipProto === IpProto.TCP) {
      const f = p.tcpFlags;
      const d = slot * 2 + (toServer ? 0 : 1);
      this.tcpFlagsSeen[d] |= f;
      if (f & TcpFlag.RST) {
        if (st >= FlowState.ESTABLISHED && st !== FlowState.CLOSED && !this.rstAcceptable(p, d)) {
          this.stats.rst_ignored++;
        } else {
          if (!toServer && st < FlowState.ESTABLISHED) this.flags[slot] |= FlowFlag.REFUSED;
          if (st >= FlowState.ESTABLISHED && st !== FlowState.CLOSED) this.fins[slot] |= RST_CLOSED;
          st = FlowState.CLOSED;
        }
      } else {
        if (this.fins[slot] & RST_CLOSED) {
          // Traffic after the RST: the connection lives on (the receiver ignored the RST, or
          // answered it with a challenge ACK), so the flow does too.
          this.fins[slot] &= ~RST_CLOSED;
          st = this.fins[slot] !== 0 ? FlowState.CLOSING : FlowState.ESTABLISHED;
          this.stats.rst_reopened++;
        }
        // Only contiguous sequence space moves the end: a segment far ahead (out of the window,
        // which the receiver drops) cannot make a forged RST there look right. A bare ACK moves
        // nothing but a direction's first packet.
        const cur = this.seqEnd[d];
        if (cur < 0 || p.payloadLen > 0 || f & (TcpFlag.SYN | TcpFlag.FIN)) {
          const seq = p.tcpSeq >>> 0;
          const end = (seq + (p.ipLen - p.ipHdrLen - p.tcpHdrLen) + (f & TcpFlag.SYN ? 1 : 0) + (f & TcpFlag.FIN ? 1 : 0)) >>> 0;
          if (cur < 0 || (((seq - cur) | 0) <= 0 && ((end - cur) | 0) > 0)) this.seqEnd[d] = end;
        }
      }
      if (st === FlowState.NEW) {
        if (!toServer && (f & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK)) st = FlowState.SYN_RECV;
      } else if (st === FlowState.SYN_RECV) {
        if (toServer && (f & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.ACK) st = FlowState.ESTABLISHED;
      }
      if (f & TcpFlag.FIN && st !== FlowState.CLOSED) {
        this.fins[slot] |= toServer ? 1 : 2;
        st = this.fins[slot] === 3 ? FlowState.CLOSED : st >= FlowState.ESTABLISHED ? FlowState.CLOSING : st;
      }
    } else if (st === FlowState.NEW && !toServer) {
      st = FlowState.ESTABLISHED;
    }
    this.state[slot] = st;
    this.justEstablished = st === FlowState.ESTABLISHED && before < FlowState.ESTABLISHED;
    const want = st === FlowState.CLOSED ? LIST_CLOSED : st >= FlowState.ESTABLISHED ? LIST_EST : LIST_NEW;
    // Move to the tail of its (possibly new) list: the list stays ordered by last-seen time.
    this.unlink(slot);
    this.list[slot] = want;
    this.append(slot);
  }

  /**
   * Whether `p` opens a new connection on the closed one of `slot` (TCP port reuse: a client that
   * reconnects from the same port, which busy clients and tools do within seconds of the close):
   * a SYN without ACK after the connection was established and closed by FINs from both sides or
   * by a RST it took. The old flow ends there, so the new connection's stream starts at its own
   * SYN instead of continuing the old one's sequence numbers (a gap of billions: its requests went
   * unseen). A SYN after a refused attempt (no connection) stays in its flow, as before. The
   * checksum is not asked: captures rewritten without fixing checksums reuse ports too, and a
   * forged SYN gains nothing on a connection that is over (the real SYN after it lands in the new
   * flow, whose stream takes the server's SYN-ACK as the base).
   */
  private reusedBy(slot: number, p: Packet): boolean {
    return (
      (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN &&
      this.state[slot] === FlowState.CLOSED &&
      (this.fins[slot] === 3 || (this.fins[slot] & RST_CLOSED) !== 0)
    );
  }

  /**
   * Whether the receiver takes a RST on an established connection: its checksum holds (or is
   * checksum offload) and its sequence number is exactly the next one the sender's data left off
   * at (RFC 5961, which Linux follows: any other RST is ignored or answered by a challenge ACK).
   * A forged RST would otherwise close the flow here while the connection lives on, and what the
   * client sends after the closed flow's timeout would start a new flow in the middle of a request.
   */
  private rstAcceptable(p: Packet, d: number): boolean {
    if (tcpChecksumState(p) === TcpChecksum.INVALID) return false;
    const end = this.seqEnd[d];
    return end < 0 || (p.tcpSeq >>> 0) === end;
  }

  /** Ends flows whose idle time exceeds their timeout at packet time `nowUs`. */
  expire(nowUs: number): void {
    for (let l = 0; l < 3; l++) {
      const limit = nowUs - this.timeoutsUs[l];
      let slot = this.heads[l];
      while (slot !== NIL && this.lastUs[slot] < limit) {
        const nextSlot = this.next[slot];
        this.stats.flows_timed_out++;
        this.remove(slot, FlowEnd.TIMEOUT);
        slot = nextSlot;
      }
    }
  }

  /** Ends every flow (end of input), oldest first. */
  flush(): void {
    for (let l = 0; l < 3; l++) {
      while (this.heads[l] !== NIL) this.remove(this.heads[l], FlowEnd.SHUTDOWN);
    }
  }

  private evictOne(): void {
    const victim = this.heads[LIST_NEW] !== NIL ? this.heads[LIST_NEW] : this.heads[LIST_CLOSED] !== NIL ? this.heads[LIST_CLOSED] : this.heads[LIST_EST];
    this.stats.flows_evicted++;
    this.remove(victim, FlowEnd.EVICTED);
  }

  private remove(slot: number, reason: number): void {
    this.onFlowEnd(slot, reason);
    this.unlink(slot);
    const b = this.hashes[slot] & this.bucketMask;
    let cur = this.buckets[b];
    if (cur === slot) {
      this.buckets[b] = this.chainNext[slot];
    } else {
      while (cur !== NIL && this.chainNext[cur] !== slot) cur = this.chainNext[cur];
      if (cur !== NIL) this.chainNext[cur] = this.chainNext[slot];
    }
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
    this.stats.flows_active--;
  }

  private append(slot: number): void {
    const l = this.list[slot];
    const tail = this.tails[l];
    this.prev[slot] = tail;
    this.next[slot] = NIL;
    if (tail === NIL) this.heads[l] = slot;
    else this.next[tail] = slot;
    this.tails[l] = slot;
  }

  private unlink(slot: number): void {
    const l = this.list[slot];
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p === NIL) this.heads[l] = n;
    else this.next[p] = n;
    if (n === NIL) this.tails[l] = p;
    else this.prev[n] = p;
  }

  /** Number of flows the table can hold. */
  get size(): number {
    return this.capacity;
  }
}
