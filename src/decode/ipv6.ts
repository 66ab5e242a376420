/** IPv6 header and extension header decoding (RFC 8200). */
import { DecodeEvent, recordEvent } from './events.js';
import { decodeL4 } from './l4.js';
import { addrKey6, L3, type Packet } from './packet.js';

/** At most this many extension headers are walked; a chain longer than this is an event (and an attack). */
export const MAX_IPV6_EXT_HEADERS = 8;

/** IPv6 next-header numbers of the extension headers (and ICMPv4, which IPv6 must not carry). */
export const Ipv6Next = {
  HOP_BY_HOP: 0,
  ICMPV4: 1,
  ROUTING: 43,
  FRAGMENT: 44,
  AH: 51,
  DEST_OPTS: 60,
  MOBILITY: 135,
} as const;
const { HOP_BY_HOP, ICMPV4, ROUTING, FRAGMENT, AH, DEST_OPTS, MOBILITY } = Ipv6Next;

/**
 * Length in bytes of the IPv6 extension header of type `next` at `at`: AH counts 4-byte units
 * (RFC 4302), the fragment header is 8 bytes, the others count 8-byte units past the first 8.
 */
export function ipv6ExtHeaderLength(next: number, buf: Buffer, at: number): number {
  return next === AH ? (buf[at + 1] + 2) << 2 : next === FRAGMENT ? 8 : (buf[at + 1] + 1) << 3;
}

/**
 * Decodes the IPv6 header at `off` (captured bytes end at `end`), walks its extension headers
 * (hop-by-hop, routing, destination options, AH, mobility, fragment) and decodes the transport
 * header. `ipHdrLen` covers the fixed header and the walked extension headers. A fragment stops
 * the walk after the fragment header: its payload fields hold the fragment data. An atomic
 * fragment (offset 0, no MF: RFC 6946) is not a fragment and the walk goes on.
 */
export function decodeIpv6(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 40) {
    recordEvent(stats, p, DecodeEvent.IPV6_PKT_TOO_SMALL);
    return;
  }
  if (buf[off] >>> 4 !== 6) {
    recordEvent(stats, p, DecodeEvent.IPV6_WRONG_IP_VER);
    return;
  }
  const payloadLen = (buf[off + 4] << 8) | buf[off + 5];
  p.l3 = L3.IPV6;
  p.ipOffset = off;
  p.ipLen = 40 + payloadLen;
  p.ttl = buf[off + 7];
  readWords(buf, off + 8, p.src6);
  readWords(buf, off + 24, p.dst6);
  p.srcKey = addrKey6(p.src6);
  p.dstKey = addrKey6(p.dst6);

  const declaredEnd = off + 40 + payloadLen;
  const ipEnd = declaredEnd < end ? declaredEnd : end;
  let next = buf[off + 6];
  let at = off + 40;
  let walked = 0;
  let seenFragment = false;
  for (;;) {
    let len: number;
    if (next === HOP_BY_HOP || next === ROUTING || next === DEST_OPTS || next === MOBILITY || next === AH) {
      if (next === HOP_BY_HOP && walked !== 0) {
        p.ipHdrLen = at - off;
        recordEvent(stats, p, DecodeEvent.IPV6_EXTHDR_DUPL_HH);
        return;
      }
      if (at + 2 > ipEnd) {
        truncated(stats, p, at, at + 2, declaredEnd, off);
        return;
      }
      len = ipv6ExtHeaderLength(next, buf, at);
    } else if (next === FRAGMENT) {
      if (seenFragment) {
        p.ipHdrLen = at - off;
        recordEvent(stats, p, DecodeEvent.IPV6_EXTHDR_DUPL_FH);
        return;
      }
      seenFragment = true;
      len = 8;
    } else {
      break;
    }
    if (at + len > ipEnd) {
      truncated(stats, p, at, at + len, declaredEnd, off);
      return;
    }
    if (++walked > MAX_IPV6_EXT_HEADERS) {
      p.ipHdrLen = at - off;
      recordEvent(stats, p, DecodeEvent.IPV6_EXTHDR_TOO_MANY);
      return;
    }
    if (next === FRAGMENT) {
      const offsetFlags = (buf[at + 2] << 8) | buf[at + 3];
      if ((offsetFlags & 0xfff9) !== 0) {
        p.isFragment = true;
        p.fragOffset = offsetFlags & 0xfff8;
        p.moreFragments = (offsetFlags & 1) !== 0;
        p.fragId = ((buf[at + 4] << 24) | (buf[at + 5] << 16) | (buf[at + 6] << 8) | buf[at + 7]) >>> 0;
        p.ipProto = buf[at];
        p.ipHdrLen = at + 8 - off;
        p.payloadOffset = at + 8;
        p.payloadLen = ipEnd - at - 8;
        stats.fragments++;
        return;
      }
    } else if (next === ROUTING && buf[at + 2] === 0) {
      // Informational: the header is still walked, as Suricata does.
      recordEvent(stats, p, DecodeEvent.IPV6_RH_TYPE_0);
    }
    next = buf[at];
    at += len;
  }
  p.ipProto = next;
  p.ipHdrLen = at - off;
  if (next === ICMPV4) {
    recordEvent(stats, p, DecodeEvent.IPV6_WITH_ICMPV4);
    return;
  }
  decodeL4(stats, p, buf, next, at, ipEnd, declaredEnd - at);
}

/** Reads 16 address bytes at `at` as four big-endian words. */
function readWords(buf: Buffer, at: number, w: Uint32Array): void {
  w[0] = (buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
  w[1] = (buf[at + 4] << 24) | (buf[at + 5] << 16) | (buf[at + 6] << 8) | buf[at + 7];
  w[2] = (buf[at + 8] << 24) | (buf[at + 9] << 16) | (buf[at + 10] << 8) | buf[at + 11];
  w[3] = (buf[at + 12] << 24) | (buf[at + 13] << 16) | (buf[at + 14] << 8) | buf[at + 15];
}

/**
 * The extension header at `at` needs bytes up to `needEnd`: past the declared payload it is
 * malformed (trunc_exthdr); within it, the capture was cut short (trunc_pkt).
 */
function truncated(stats: Record<string, number>, p: Packet, at: number, needEnd: number, declaredEnd: number, off: number): void {
  p.ipHdrLen = at - off;
  recordEvent(stats, p, needEnd > declaredEnd ? DecodeEvent.IPV6_TRUNC_EXTHDR : DecodeEvent.IPV6_TRUNC_PKT);
}
