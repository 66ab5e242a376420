/**
 * The decoder: fills the reused `Packet` view from one captured frame, layer by layer, without
 * allocating and without throwing. Malformed input becomes a decoder event (see events.ts) and
 * stops decoding at the layer where it was found.
 */
import { DECODE_EVENTS, DecodeEvent, recordEvent } from './events.js';
import { decodeEthernet } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLoopback, decodeRawIp, decodeSll, decodeSll2 } from './link.js';
import { LinkType, type Packet } from './packet.js';
import { decodePpp } from './tunnel.js';

/** Counter names of the decoder besides the one-per-event counters, in the order stats show them. */
export const DECODER_COUNTERS = [
  'pkts',
  'bytes',
  'ipv4',
  'ipv6',
  'arp',
  'tcp',
  'udp',
  'icmp',
  'icmpv6',
  'vlan',
  'gre',
  'vxlan',
  'geneve',
  'teredo',
  'erspan',
  'mpls',
  'pppoe',
  'ppp',
  'ipv4_in_ipv4',
  'ipv6_in_ipv4',
  'ipv4_in_ipv6',
  'ipv6_in_ipv6',
  'fragments',
  'reassembled',
  'other',
  'events',
] as const;

/** A fresh decoder stats object: every counter at zero, one per decoder event name included. */
function newDecoderStats(): Record<string, number> {
  // Object.fromEntries builds an object with fast (non-dictionary) properties, where keyed stores
  // into {} past a dozen names would not (checked with %HasFastProperties): the counters are
  // incremented several times per packet.
  return Object.fromEntries([...DECODER_COUNTERS, ...DECODE_EVENTS.map((e) => e.name)].map((name) => [name, 0]));
}

/** Decodes frames into a reused `Packet`; one instance per pipeline, as it owns the counters. */
export class Decoder {
  /**
   * Counters: pkts, bytes (captured), ipv4, ipv6, arp, tcp, udp, icmp, icmpv6, vlan (tagged
   * frames), fragments, reassembled (datagrams re-decoded), other (non-IP/ARP frames), events
   * (total), and one per decoder event name ("decoder.ipv4.trunc_pkt" …).
   */
  readonly stats: Record<string, number> = newDecoderStats();

  /**
   * Decodes one frame into p (calls p.reset() first; sets p.buf/frameOffset/capLen/linkType but
   * NOT tsUs/index/wireLen — the caller sets those). Never throws.
   */
  decode(p: Packet, buf: Buffer, offset: number, capLen: number, linkType: number): void {
    p.reset();
    p.buf = buf;
    p.frameOffset = offset;
    p.capLen = capLen;
    p.linkType = linkType;
    const stats = this.stats;
    stats.pkts++;
    stats.bytes += capLen;
    // A caller's capLen past the buffer must not make us read beyond it.
    const end = offset + capLen < buf.length ? offset + capLen : buf.length;
    switch (linkType) {
      case LinkType.ETHERNET:
        decodeEthernet(stats, p, buf, offset, end);
        return;
      case LinkType.LINUX_SLL:
        decodeSll(stats, p, buf, offset, end);
        return;
      case LinkType.LINUX_SLL2:
        decodeSll2(stats, p, buf, offset, end);
        return;
      case LinkType.RAW:
        decodeRawIp(stats, p, buf, offset, end, 0);
        return;
      case LinkType.IPV4:
        decodeRawIp(stats, p, buf, offset, end, 4);
        return;
      case LinkType.IPV6:
        decodeRawIp(stats, p, buf, offset, end, 6);
        return;
      case LinkType.NULL:
        decodeLoopback(stats, p, buf, offset, end, true);
        return;
      case LinkType.LOOP:
        decodeLoopback(stats, p, buf, offset, end, false);
        return;
      case LinkType.PPP:
        decodePpp(stats, p, buf, offset, end);
        return;
      default:
        recordEvent(stats, p, DecodeEvent.UNKNOWN_LINKTYPE);
        return;
    }
  }

  /**
   * Re-decodes p from a whole IP datagram (a reassembled one): keeps p's timestamp/index/link
   * fields (link type, VLAN ids, tunnel depth, wire length), points p.buf at the datagram (frameOffset 0,
   * capLen its length) and sets p.reassembled = true. Counts `reassembled`, not `pkts`. Never throws.
   */
  decodeDatagram(p: Packet, datagram: Buffer): void {
    const vlan0 = p.vlan0;
    const vlan1 = p.vlan1;
    const tunnelDepth = p.tunnelDepth;
    p.reset();
    p.vlan0 = vlan0;
    p.vlan1 = vlan1;
    p.tunnelDepth = tunnelDepth;
    p.buf = datagram;
    p.frameOffset = 0;
    p.capLen = datagram.length;
    p.reassembled = true;
    const stats = this.stats;
    stats.reassembled++;
    const version = datagram.length > 0 ? datagram[0] >>> 4 : 0;
    if (version === 4) decodeIpv4(stats, p, datagram, 0, datagram.length);
    else if (version === 6) decodeIpv6(stats, p, datagram, 0, datagram.length);
    else recordEvent(stats, p, DecodeEvent.IPRAW_INVALID_IPV);
  }
}
