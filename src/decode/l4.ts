/** Dispatch from an IP header to the transport decoders, shared by IPv4, IPv6 and reassembled datagrams. */
import { IpProto, type Packet } from './packet.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeIcmpv4, decodeIcmpv6 } from './icmp.js';
import { decodeGre, decodeIpInIp } from './tunnel.js';

/**
 * Decodes the transport header at `off`. `end` is where usable bytes stop (IP length or capture,
 * whichever is shorter); `ipPayloadLen` is the payload length the IP header declares, which UDP's
 * own length must match. IP in IP and GRE go on to the tunnel's inner packet (tunnel.ts).
 * Protocols without a decoder leave `hasL4` false; SCTP's ports are read
 * (for scan detection) but it stays without a flow (`hasL4` false).
 */
export function decodeL4(stats: Record<string, number>, p: Packet, buf: Buffer, proto: number, off: number, end: number, ipPayloadLen: number): void {
  switch (proto) {
    case IpProto.TCP:
      decodeTcp(stats, p, buf, off, end);
      return;
    case IpProto.UDP:
      decodeUdp(stats, p, buf, off, end, ipPayloadLen);
      return;
    case IpProto.ICMP:
      decodeIcmpv4(stats, p, buf, off, end);
      return;
    case IpProto.IPV6_ICMP:
      decodeIcmpv6(stats, p, buf, off, end);
      return;
    case IpProto.IPIP:
      decodeIpInIp(stats, p, buf, off, end, 4);
      return;
    case IpProto.IPV6:
      decodeIpInIp(stats, p, buf, off, end, 6);
      return;
    case IpProto.GRE:
      decodeGre(stats, p, buf, off, end);
      return;
    case IpProto.SCTP:
      // The common header: source port, destination port, verification tag, checksum.
      if (end - off >= 12) {
        p.srcPort = buf.readUInt16BE(off);
        p.dstPort = buf.readUInt16BE(off + 2);
      }
      return;
    default:
      return;
  }
}
