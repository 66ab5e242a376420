/**
 * IPv4 and IPv6 fragment reassembly. Fragments are rare, so this stage may allocate: each tracker
 * keeps copies of the fragment bytes it has (the packet's buffer is reused by the capture).
 *
 * Policy (see README.md): Linux's. A fragment wholly inside held data is a duplicate (the first
 * copy stays); a partial overlap or a length conflict discards the whole datagram, as Linux and
 * RFC 5722 do, so no datagram the receiver threw away reaches inspection. Memory is bounded by evicting the oldest trackers;
 * trackers expire a fixed time (packet time) after their first fragment.
 */
import { ipv4HeaderChecksum } from '../decode/checksum.js';
import { L3, type Packet } from '../decode/packet.js';

/** Limits of the defragmenter. */
export interface DefragOptions {
  /** Most fragment bytes held at once, over all trackers (default 32 MiB). */
  memcapBytes: number;
  /** A tracker is dropped this long (packet time, µs) after its first fragment (default 60 s). */
  timeoutUs: number;
  /** Most datagrams under reassembly at once (default 65535). */
  maxTrackers: number;
}

/** Defaults for every option. */
export const DEFAULT_DEFRAG_OPTIONS: Readonly<DefragOptions> = Object.freeze({
  memcapBytes: 32 * 1024 * 1024,
  timeoutUs: 60_000_000,
  maxTrackers: 65535,
});

/** Largest IPv4 datagram (total length field) and IPv6 datagram (40 + payload length field), jumbograms aside. */
const MAX_IPV4_DATAGRAM = 65535;
const MAX_IPV6_DATAGRAM = 40 + 65535;

/** Event names the defragmenter reports in `lastEvents`, as Suricata names them. */
export const DefragEvent = {
  IPV4_OVERLAP: 'decoder.ipv4.frag_overlap',
  IPV6_OVERLAP: 'decoder.ipv6.frag_overlap',
  IPV4_TOO_LARGE: 'decoder.ipv4.frag_pkt_too_large',
  IPV6_TOO_LARGE: 'decoder.ipv6.frag_pkt_too_large',
} as const;

/** Bytes of the datagram held for one offset range; pieces of a tracker never overlap. */
interface Piece {
  readonly offset: number;
  readonly data: Buffer;
}

/** One datagram under reassembly. */
interface Tracker {
  readonly key: string;
  readonly family: 4 | 6;
  readonly createdUs: number;
  /** Header to rebuild the datagram from, copied from the offset-0 fragment (IPv6: without the fragment header). */
  header: Buffer | null;
  /** IPv6: next header value the fragment header carried. */
  nextHeader: number;
  /** Fragmentable-part length, known once the fragment without MF arrived; -1 before. */
  end: number;
  /** Sorted by offset, non-overlapping. */
  readonly pieces: Piece[];
  /** Bytes held (pieces and header), counted against the memcap. */
  bytes: number;
}

/** Reassembles IPv4 and IPv6 datagrams from fragments decoded by the Decoder. */
export class Defragmenter {
  /**
   * Counters: fragments (taken), reassembled, timeouts (trackers expired), memcap_drops
   * (fragments dropped: no room even after eviction), trackers_evicted (oldest dropped for room,
   * memcap or max_trackers), overlaps (fragments overlapping held data with other bytes, or in
   * part, or contradicting the length), overlap_discards (datagrams discarded for it), duplicates
   * (wholly inside held data, with the same bytes), too_large (datagrams over 65535 dropped),
   * trackers (held now) and memuse (bytes held now); fragments, reassembled and timeouts also per
   * family (ipv4_fragments …, Suricata's defrag.ipv4.fragments in EVE stats).
   */
  readonly stats: Record<string, number> = {
    fragments: 0,
    reassembled: 0,
    timeouts: 0,
    memcap_drops: 0,
    trackers_evicted: 0,
    overlaps: 0,
    overlap_discards: 0,
    duplicates: 0,
    too_large: 0,
    trackers: 0,
    memuse: 0,
    ipv4_fragments: 0,
    ipv4_reassembled: 0,
    ipv4_timeouts: 0,
    ipv6_fragments: 0,
    ipv6_reassembled: 0,
    ipv6_timeouts: 0,
  };

  private readonly opts: DefragOptions;
  /** In creation order, so the first entry is always the oldest (expiry and eviction both take it). */
  private readonly trackers = new Map<string, Tracker>();
  private memuse = 0;
  private readonly events: string[] = [];

  constructor(opts?: Partial<DefragOptions>) {
    const o = { ...DEFAULT_DEFRAG_OPTIONS, ...opts };
    for (const [name, value] of Object.entries(o)) {
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`defrag option ${name} must be a positive number, got ${value}`);
    }
    this.opts = o;
  }

  /** Extra events from the last add() (overlap, too large …) as names, e.g. "decoder.ipv4.frag_overlap"; empty most of the time. */
  get lastEvents(): readonly string[] {
    return this.events;
  }

  /**
   * Takes one fragment (p.isFragment true, decoded by Decoder). Returns the whole reassembled IP
   * datagram (a new Buffer: IPv4 header with MF/offset cleared and total length/checksum fixed,
   * or IPv6 header without the fragment header and correct next header/payload length) when this
   * fragment completes it, else null. Times out trackers by packet time (p.tsUs).
   */
  add(p: Packet): Buffer | null {
    this.events.length = 0;
    if (!p.isFragment || (p.l3 !== L3.IPV4 && p.l3 !== L3.IPV6)) return null;
    this.stats.fragments++;
    this.expire(p.tsUs);
    const family = p.l3 === L3.IPV4 ? 4 : 6;
    if (family === 4) this.stats.ipv4_fragments++;
    else this.stats.ipv6_fragments++;
    const start = p.fragOffset;
    const stop = start + p.payloadLen;
    // Bytes of the rebuilt datagram before the fragmentable part.
    const prefix = family === 4 ? p.ipHdrLen : p.ipHdrLen - 8;
    const key = trackerKey(p);
    let t = this.trackers.get(key);

    if (prefix + stop > (family === 4 ? MAX_IPV4_DATAGRAM : MAX_IPV6_DATAGRAM)) {
      // No valid datagram can come of it: drop what is held too.
      if (t !== undefined) this.drop(t);
      this.stats.too_large++;
      this.events.push(family === 4 ? DefragEvent.IPV4_TOO_LARGE : DefragEvent.IPV6_TOO_LARGE);
      return null;
    }

    if (t === undefined) {
      if (this.trackers.size >= this.opts.maxTrackers) this.evictOldest();
      t = { key, family, createdUs: p.tsUs, header: null, nextHeader: 0, end: -1, pieces: [], bytes: 0 };
      this.trackers.set(key, t);
      this.stats.trackers = this.trackers.size;
    }

    // As Linux (RFC 5722, which it applies to IPv4 too): a last fragment that contradicts the
    // length, data past the end, or a fragment that overlaps held data only in part discards the
    // whole datagram; the receiver never sees it, so neither do the stages after this one.
    const data = p.buf;
    const dataAt = p.payloadOffset - start;
    const heldEnd = t.pieces.length > 0 ? t.pieces[t.pieces.length - 1].offset + t.pieces[t.pieces.length - 1].data.length : 0;
    if ((!p.moreFragments && ((t.end >= 0 && t.end !== stop) || stop < heldEnd)) || (t.end >= 0 && stop > t.end)) return this.discard(t);
    const gaps = uncovered(t.pieces, start, stop);
    const gapBytes = gaps.reduce((n, g) => n + g[1] - g[0], 0);
    if (gapBytes === 0 && stop > start) {
      // Wholly inside held data: a duplicate, dropped (the first copy stays, as Linux keeps it);
      // other bytes than held are reported.
      if (sameAsHeld(t.pieces, data, dataAt, start, stop)) {
        this.stats.duplicates++;
      } else {
        this.stats.overlaps++;
        this.events.push(family === 4 ? DefragEvent.IPV4_OVERLAP : DefragEvent.IPV6_OVERLAP);
      }
      return null;
    }
    if (gapBytes < stop - start) return this.discard(t);
    if (!p.moreFragments) t.end = stop;

    const headerBytes = start === 0 && t.header === null ? prefix : 0;
    const need = gapBytes + headerBytes;
    if (need > 0 && !this.makeRoom(need, t)) {
      this.stats.memcap_drops++;
      if (t.pieces.length === 0 && t.header === null) this.drop(t);
      return null;
    }
    for (const [from, to] of gaps) insertPiece(t.pieces, { offset: from, data: Buffer.from(data.subarray(dataAt + from, dataAt + to)) });
    if (headerBytes > 0) {
      t.header = Buffer.from(data.subarray(p.ipOffset, p.ipOffset + prefix));
      t.nextHeader = p.ipProto;
    }
    t.bytes += need;
    this.memuse += need;
    this.stats.memuse = this.memuse;

    if (t.header === null || t.end < 0 || heldBytes(t) !== t.end) return null;
    const datagram = t.family === 4 ? rebuildIpv4(t) : rebuildIpv6(t);
    this.drop(t);
    this.stats.reassembled++;
    if (t.family === 4) this.stats.ipv4_reassembled++;
    else this.stats.ipv6_reassembled++;
    return datagram;
  }

  /** Drops trackers whose first fragment is older than the timeout, oldest first. */
  private expire(nowUs: number): void {
    for (const t of this.trackers.values()) {
      if (nowUs - t.createdUs < this.opts.timeoutUs) return;
      this.drop(t);
      this.stats.timeouts++;
      if (t.family === 4) this.stats.ipv4_timeouts++;
      else this.stats.ipv6_timeouts++;
    }
  }

  /** Frees room for `need` more bytes by evicting the oldest trackers other than `keep`; false when impossible. */
  private makeRoom(need: number, keep: Tracker): boolean {
    if (need + keep.bytes > this.opts.memcapBytes) return false;
    while (this.memuse + need > this.opts.memcapBytes) {
      const oldest = this.oldestOtherThan(keep);
      if (oldest === undefined) return false;
      this.drop(oldest);
      this.stats.trackers_evicted++;
    }
    return true;
  }

  private oldestOtherThan(keep: Tracker): Tracker | undefined {
    for (const t of this.trackers.values()) if (t !== keep) return t;
    return undefined;
  }

  private evictOldest(): void {
    const oldest = this.trackers.values().next();
    if (oldest.done) return;
    this.drop(oldest.value);
    this.stats.trackers_evicted++;
  }

  /** Drops the whole datagram after a partial overlap or a length conflict (event `frag_overlap`). */
  private discard(t: Tracker): null {
    this.drop(t);
    this.stats.overlaps++;
    this.stats.overlap_discards++;
    this.events.push(t.family === 4 ? DefragEvent.IPV4_OVERLAP : DefragEvent.IPV6_OVERLAP);
    return null;
  }

  private drop(t: Tracker): void {
    this.trackers.delete(t.key);
    this.memuse -= t.bytes;
    this.stats.memuse = this.memuse;
    this.stats.trackers = this.trackers.size;
  }
}

/** Tracker key: family, source, destination, identification, protocol (RFC 791 / RFC 8200). */
function trackerKey(p: Packet): string {
  if (p.l3 === L3.IPV4) return `4 ${p.src4} ${p.dst4} ${p.fragId} ${p.ipProto}`;
  const s = p.src6;
  const d = p.dst6;
  return `6 ${s[0]} ${s[1]} ${s[2]} ${s[3]} ${d[0]} ${d[1]} ${d[2]} ${d[3]} ${p.fragId} ${p.ipProto}`;
}

/** The sub-ranges of [start, stop) that no piece covers. */
function uncovered(pieces: readonly Piece[], start: number, stop: number): [number, number][] {
  const gaps: [number, number][] = [];
  let at = start;
  for (const piece of pieces) {
    if (at >= stop) break;
    const pieceEnd = piece.offset + piece.data.length;
    if (pieceEnd <= at) continue;
    if (piece.offset >= stop) break;
    if (piece.offset > at) gaps.push([at, piece.offset]);
    at = pieceEnd;
  }
  if (at < stop) gaps.push([at, stop]);
  return gaps;
}

/** True when every held byte in [start, stop) equals the new fragment's byte at the same offset. */
function sameAsHeld(pieces: readonly Piece[], data: Buffer, dataAt: number, start: number, stop: number): boolean {
  for (const piece of pieces) {
    const from = Math.max(start, piece.offset);
    const to = Math.min(stop, piece.offset + piece.data.length);
    if (from >= to) continue;
    if (data.compare(piece.data, from - piece.offset, to - piece.offset, dataAt + from, dataAt + to) !== 0) return false;
  }
  return true;
}

function insertPiece(pieces: Piece[], piece: Piece): void {
  let i = pieces.length;
  while (i > 0 && pieces[i - 1].offset > piece.offset) i--;
  pieces.splice(i, 0, piece);
}

function heldBytes(t: Tracker): number {
  let n = 0;
  for (const piece of t.pieces) n += piece.data.length;
  return n;
}

/** IPv4 datagram from the first fragment's header and the pieces: MF and offset cleared (DF kept), length and checksum fixed. */
function rebuildIpv4(t: Tracker): Buffer {
  const header = t.header as Buffer;
  const hdrLen = header.length;
  const d = Buffer.alloc(hdrLen + t.end);
  header.copy(d, 0);
  for (const piece of t.pieces) piece.data.copy(d, hdrLen + piece.offset);
  d.writeUInt16BE(d.length, 2);
  d.writeUInt16BE(d.readUInt16BE(6) & 0x4000, 6);
  d.writeUInt16BE(ipv4HeaderChecksum(d, 0, hdrLen), 10);
  return d;
}

/** IPv6 datagram from the unfragmentable part and the pieces: the fragment header's next header put back in the chain. */
function rebuildIpv6(t: Tracker): Buffer {
  const header = t.header as Buffer;
  const unfragLen = header.length;
  const d = Buffer.alloc(unfragLen + t.end);
  header.copy(d, 0);
  for (const piece of t.pieces) piece.data.copy(d, unfragLen + piece.offset);
  d.writeUInt16BE(d.length - 40, 4);
  // The last header of the unfragmentable part pointed at the fragment header (44).
  let nextAt = 6;
  let at = 40;
  while (at + 2 <= unfragLen) {
    const len = d[nextAt] === 51 ? (d[at + 1] + 2) * 4 : (d[at + 1] + 1) * 8;
    nextAt = at;
    at += len;
  }
  d[nextAt] = t.nextHeader;
  return d;
}
