/**
 * The Internet checksum (RFC 1071), shared by the stages that rebuild headers (defrag), the
 * crafting kit, and the stream stage, which verifies the TCP checksum of the client data it
 * reassembles (`tcpChecksumState`). The decoder itself verifies nothing.
 */
import { ipv6ExtHeaderLength, Ipv6Next } from './ipv6.js';
import { L3, type Packet } from './packet.js';

/**
 * Adds bytes [start, end) of `bytes` to a running one's-complement sum (not folded, not inverted).
 * An odd trailing byte is padded with zero, as RFC 1071 says; only the last chunk of a sum may be odd.
 */
export function checksumAdd(sum: number, bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  // Fold early so the running sum stays a small integer even over 64 KiB datagrams.
  return (sum & 0xffff) + (sum >>> 16);
}

/** Folds a running sum to 16 bits and inverts it: the value to store in a checksum field. */
export function checksumFinish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Checksum of an IPv4 header of `hdrLen` bytes at `offset`, computed as if its checksum field were zero. */
export function ipv4HeaderChecksum(bytes: Uint8Array, offset: number, hdrLen: number): number {
  let sum = checksumAdd(0, bytes, offset, offset + 10);
  sum = checksumAdd(sum, bytes, offset + 12, offset + hdrLen);
  return checksumFinish(sum);
}

/** What a TCP segment's checksum field says (`tcpChecksumState`). */
export const TcpChecksum = {
  /** The checksum verifies. */
  VALID: 0,
  /**
   * The field holds the pseudo-header sum only: checksum offload. Captured on the sending host (or
   * on a veth or loopback), outgoing segments have it; the NIC, or nobody, fills in the rest.
   */
  OFFLOADED: 1,
  /** Neither: a receiver drops the segment. */
  INVALID: 2,
  /** Cannot be told: the capture cut the segment short, or an IPv6 routing header hides the destination. */
  UNKNOWN: 3,
} as const;

/** Checks the TCP checksum of the decoded packet `p` (a TCP packet with `hasL4`) over its pseudo-header and whole segment. */
export function tcpChecksumState(p: Packet): number {
  const buf = p.buf;
  const tcpAt = p.payloadOffset - p.tcpHdrLen;
  const tcpLen = p.ipOffset + p.ipLen - tcpAt;
  if (tcpLen < 20 || p.payloadOffset + p.payloadLen - tcpAt < tcpLen) return TcpChecksum.UNKNOWN;
  const ip = p.ipOffset;
  let pseudo: number;
  if (p.l3 === L3.IPV4) {
    pseudo = checksumAdd(6 + tcpLen, buf, ip + 12, ip + 20);
  } else {
    if (p.ipHdrLen > 40 && hasRoutingHeader(buf, ip, ip + p.ipHdrLen)) return TcpChecksum.UNKNOWN;
    pseudo = checksumAdd(6 + (tcpLen >>> 16) + (tcpLen & 0xffff), buf, ip + 8, ip + 40);
  }
  while (pseudo > 0xffff) pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
  const field = (buf[tcpAt + 16] << 8) | buf[tcpAt + 17];
  let sum = checksumAdd(pseudo, buf, tcpAt, tcpAt + tcpLen);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  if (sum === 0xffff) return TcpChecksum.VALID;
  return field === pseudo ? TcpChecksum.OFFLOADED : TcpChecksum.INVALID;
}

/** True when the IPv6 extension headers in [at + 40, end) include a routing header. */
function hasRoutingHeader(buf: Buffer, at: number, end: number): boolean {
  let next = buf[at + 6];
  let h = at + 40;
  while (h + 2 <= end) {
    if (next === Ipv6Next.ROUTING) return true;
    const len = ipv6ExtHeaderLength(next, buf, h);
    next = buf[h];
    h += len;
  }
  return false;
}
