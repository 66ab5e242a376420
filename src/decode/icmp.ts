/** ICMP (RFC 792) and ICMPv6 (RFC 4443) header decoding. */
import { DecodeEvent, recordEvent } from './events.js';
import type { Packet } from './packet.js';

/** Lookup table of types with a definition, built once: index by type, non-zero = known. */
function knownTypes(ranges: readonly (readonly [number, number])[]): Uint8Array {
  const t = new Uint8Array(256);
  for (const [lo, hi] of ranges) t.fill(1, lo, hi + 1);
  return t;
}

/** ICMPv4 types defined by RFC 792/950/1256/1393/8335 and in use (IANA registry, deprecated ones included). */
const ICMPV4_KNOWN = knownTypes([[0, 0], [3, 5], [8, 18], [30, 30], [40, 43]]);
/** ICMPv6 types from the IANA registry: errors 1-4, experiments 100/101/200/201, informational 128-161, 127/255 reserved for expansion. */
const ICMPV6_KNOWN = knownTypes([[1, 4], [100, 101], [127, 161], [200, 201], [255, 255]]);

/**
 * Decodes the ICMP header at `off`: type, code, and for echo request/reply (8/0) the identifier
 * and sequence. An undefined type is reported but the header still counts as decoded.
 */
export function decodeIcmpv4(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 8) {
    recordEvent(stats, p, DecodeEvent.ICMPV4_PKT_TOO_SMALL);
    return;
  }
  const type = buf[off];
  p.icmpType = type;
  p.icmpCode = buf[off + 1];
  if (type === 8 || type === 0) {
    p.icmpId = (buf[off + 4] << 8) | buf[off + 5];
    p.icmpSeq = (buf[off + 6] << 8) | buf[off + 7];
  }
  p.payloadOffset = off + 8;
  p.payloadLen = end - off - 8;
  p.hasL4 = true;
  stats.icmp++;
  if (ICMPV4_KNOWN[type] === 0) recordEvent(stats, p, DecodeEvent.ICMPV4_UNKNOWN_TYPE);
}

/**
 * Decodes the ICMPv6 header at `off`: type, code, and for echo request/reply (128/129) the
 * identifier and sequence. An undefined type is reported but the header still counts as decoded.
 */
export function decodeIcmpv6(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 8) {
    recordEvent(stats, p, DecodeEvent.ICMPV6_PKT_TOO_SMALL);
    return;
  }
  const type = buf[off];
  p.icmpType = type;
  p.icmpCode = buf[off + 1];
  if (type === 128 || type === 129) {
    p.icmpId = (buf[off + 4] << 8) | buf[off + 5];
    p.icmpSeq = (buf[off + 6] << 8) | buf[off + 7];
  }
  p.payloadOffset = off + 8;
  p.payloadLen = end - off - 8;
  p.hasL4 = true;
  stats.icmpv6++;
  if (ICMPV6_KNOWN[type] === 0) recordEvent(stats, p, DecodeEvent.ICMPV6_UNKNOWN_TYPE);
}
