/**
 * What a receiving Linux host drops at the IP layer before TCP sees a segment, for the stream
 * stage's insertion checks: checksums (with checksum offload told apart), IPv4 source routes,
 * IPv6 hop-by-hop and destination options. Pure functions over the decoded packet's bytes.
 */
import { ipv4HeaderChecksum, TcpChecksum, tcpChecksumState } from '../decode/checksum.js';
import { ipv6ExtHeaderLength, Ipv6Next } from '../decode/ipv6.js';
import { L3, type Packet } from '../decode/packet.js';

/** IPv4 source route options (RFC 791). */
const IP_OPT_LSRR = 131;
const IP_OPT_SSRR = 137;

/** True when the TCP checksum holds (or is checksum offload, or cannot be told) and so does an IPv4 header's. */
export function checksumsHold(p: Packet): boolean {
  return tcpChecksumState(p) !== TcpChecksum.INVALID && (p.l3 !== L3.IPV4 || p.reassembled || ipv4ChecksumHolds(p));
}

/** The IPv4 header checksum holds; 0, what Windows' checksum offload leaves in captures taken on the sender, passes. */
export function ipv4ChecksumHolds(p: Packet): boolean {
  const buf = p.buf;
  const ip = p.ipOffset;
  const field = (buf[ip + 10] << 8) | buf[ip + 11];
  return field === 0 || ipv4HeaderChecksum(buf, ip, p.ipHdrLen) === field;
}

/** True when the IPv4 options carry a source route (LSRR, SSRR), which Linux drops (accept_source_route is off). */
export function hasSourceRoute(p: Packet): boolean {
  const buf = p.buf;
  for (let at = p.ipOffset + 20, end = p.ipOffset + p.ipHdrLen; at < end; ) {
    const kind = buf[at];
    if (kind === 0) return false;
    if (kind === 1) {
      at++;
      continue;
    }
    if (kind === IP_OPT_LSRR || kind === IP_OPT_SSRR) return true;
    const len = at + 1 < end ? buf[at + 1] : 0;
    if (len < 2) return false;
    at += len;
  }
  return false;
}

/** Options Linux counts per header at most (net.ipv6.max_dst_opts_number, max_hbh_opts_number). */
const IPV6_MAX_OPTIONS = 8;
/** Home Address (RFC 6275): a "discard if unknown" type that Mobile IPv6 kernels know. */
const IPV6_OPT_HOME_ADDRESS = 0xc9;

/**
 * False when the hop-by-hop or destination options among the IPv6 extension headers in
 * [ip + 40, end) make Linux drop the datagram (ip6_parse_tlv): an unknown option whose two high
 * type bits say to discard it (RFC 8200 §4.2), PadN padding longer than 7 bytes or not all zero
 * (RFC 4942), more than 8 options, an option running past its header.
 */
export function ipv6OptionsReceivable(buf: Buffer, ip: number, end: number): boolean {
  let next = buf[ip + 6];
  let h = ip + 40;
  while (h + 2 <= end) {
    const len = ipv6ExtHeaderLength(next, buf, h);
    if (next === Ipv6Next.HOP_BY_HOP || next === Ipv6Next.DEST_OPTS) {
      const stop = Math.min(h + len, end);
      let pad = 0;
      let count = 0;
      for (let at = h + 2; at < stop; ) {
        const type = buf[at];
        if (type === 0) {
          if (++pad > 7) return false;
          at++;
          continue;
        }
        if (at + 2 > stop) return false;
        const optLen = buf[at + 1];
        if (at + 2 + optLen > stop) return false;
        if (type === 1) {
          pad += optLen + 2;
          if (pad > 7) return false;
          for (let k = at + 2; k < at + 2 + optLen; k++) if (buf[k] !== 0) return false;
        } else {
          pad = 0;
          if (++count > IPV6_MAX_OPTIONS) return false;
          if ((type & 0xc0) !== 0 && type !== IPV6_OPT_HOME_ADDRESS) return false;
        }
        at += 2 + optLen;
      }
    } else if (next !== Ipv6Next.ROUTING && next !== Ipv6Next.FRAGMENT && next !== Ipv6Next.AH) {
      return true;
    }
    next = buf[h];
    h += len;
  }
  return true;
}
