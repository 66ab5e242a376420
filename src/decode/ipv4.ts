/** IPv4 header decoding (RFC 791). */
import { DecodeEvent, recordEvent } from './events.js';
import { decodeL4 } from './l4.js';
import { L3, type Packet } from './packet.js';

/**
 * Decodes the IPv4 header at `off` (captured bytes end at `end`) and, unless the datagram is a
 * fragment, its transport header. The datagram ends at the smaller of its total length and the
 * capture, so Ethernet padding is ignored and a snaplen-cut capture decodes as far as it goes.
 * A fragment (MF set or offset non-zero) is not decoded at L4: its payload fields hold the
 * fragment data for the defragmenter.
 */
export function decodeIpv4(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 20) {
    recordEvent(stats, p, DecodeEvent.IPV4_PKT_TOO_SMALL);
    return;
  }
  const b0 = buf[off];
  if (b0 >>> 4 !== 4) {
    recordEvent(stats, p, DecodeEvent.IPV4_WRONG_IP_VER);
    return;
  }
  const hdrLen = (b0 & 0x0f) << 2;
  if (hdrLen < 20) {
    recordEvent(stats, p, DecodeEvent.IPV4_HLEN_TOO_SMALL);
    return;
  }
  const totalLen = (buf[off + 2] << 8) | buf[off + 3];
  if (totalLen < hdrLen) {
    recordEvent(stats, p, DecodeEvent.IPV4_IPLEN_SMALLER_THAN_HLEN);
    return;
  }
  if (end - off < hdrLen) {
    recordEvent(stats, p, DecodeEvent.IPV4_TRUNC_PKT);
    return;
  }
  p.l3 = L3.IPV4;
  p.ipOffset = off;
  p.ipHdrLen = hdrLen;
  p.ipLen = totalLen;
  p.ttl = buf[off + 8];
  const proto = buf[off + 9];
  p.ipProto = proto;
  const src = (buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15];
  const dst = (buf[off + 16] << 24) | (buf[off + 17] << 16) | (buf[off + 18] << 8) | buf[off + 19];
  p.src4 = src;
  p.dst4 = dst;
  p.srcKey = src;
  p.dstKey = dst;
  if (hdrLen > 20 && !ipv4OptionsValid(buf, off + 20, off + hdrLen)) {
    recordEvent(stats, p, DecodeEvent.IPV4_OPT_INVALID_LEN);
    return;
  }
  const ipEnd = off + totalLen < end ? off + totalLen : end;
  const flagsOffset = (buf[off + 6] << 8) | buf[off + 7];
  if ((flagsOffset & 0x3fff) !== 0) {
    p.isFragment = true;
    p.fragOffset = (flagsOffset & 0x1fff) << 3;
    p.moreFragments = (flagsOffset & 0x2000) !== 0;
    p.fragId = (buf[off + 4] << 8) | buf[off + 5];
    p.payloadOffset = off + hdrLen;
    p.payloadLen = ipEnd - off - hdrLen;
    stats.fragments++;
    return;
  }
  decodeL4(stats, p, buf, proto, off + hdrLen, ipEnd, totalLen - hdrLen);
}

/** Walks the options in [at, end): false when an option other than EOL/NOP has a length below 2 or past the header. */
function ipv4OptionsValid(buf: Buffer, at: number, end: number): boolean {
  while (at < end) {
    const kind = buf[at];
    if (kind === 0) return true;
    if (kind === 1) {
      at++;
      continue;
    }
    if (at + 1 >= end) return false;
    const len = buf[at + 1];
    if (len < 2 || at + len > end) return false;
    at += len;
  }
  return true;
}
