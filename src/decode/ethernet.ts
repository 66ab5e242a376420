/** Ethernet II and 802.1Q / 802.1ad (QinQ) tags, and the EtherType dispatch the cooked link types share. */
import { decodeArp } from './arp.js';
import { DecodeEvent, recordEvent } from './events.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import type { Packet } from './packet.js';
import { decodeMpls, decodePppoeSession } from './tunnel.js';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ TPID still sent by some switches. */
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ETHERTYPE_PPPOE_DISCOVERY = 0x8863;
const ETHERTYPE_PPPOE_SESSION = 0x8864;

/** VLAN tags recorded per frame (vlan0, vlan1); one more is an event. */
export const MAX_VLAN_LAYERS = 2;

/** Decodes an Ethernet II frame at `off` (captured bytes end at `end`). */
export function decodeEthernet(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 14) {
    recordEvent(stats, p, DecodeEvent.ETHERNET_PKT_TOO_SMALL);
    return;
  }
  // The I/G bit of the destination address: broadcast (ff:ff:ff:ff:ff:ff) or multicast.
  p.linkGroup = (buf[off] & 1) === 1;
  decodeEtherType(stats, p, buf, (buf[off + 12] << 8) | buf[off + 13], off + 14, end);
}

/**
 * Decodes what an EtherType announces at `off`: VLAN tags (at most two), then IPv4, IPv6, ARP, an
 * MPLS label stack or a PPPoE session. Anything else (LLDP, 802.3 length fields, PPPoE discovery
 * …) is counted as `other`, without an event.
 */
export function decodeEtherType(stats: Record<string, number>, p: Packet, buf: Buffer, type: number, off: number, end: number): void {
  let layers = 0;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (layers === MAX_VLAN_LAYERS) {
      recordEvent(stats, p, DecodeEvent.VLAN_TOO_MANY_LAYERS);
      return;
    }
    if (end - off < 4) {
      recordEvent(stats, p, DecodeEvent.VLAN_HEADER_TOO_SMALL);
      return;
    }
    const vid = ((buf[off] & 0x0f) << 8) | buf[off + 1];
    if (layers === 0) {
      p.vlan0 = vid;
      stats.vlan++;
    } else {
      p.vlan1 = vid;
    }
    layers++;
    type = (buf[off + 2] << 8) | buf[off + 3];
    off += 4;
  }
  if (type === ETHERTYPE_IPV4) {
    stats.ipv4++;
    decodeIpv4(stats, p, buf, off, end);
  } else if (type === ETHERTYPE_IPV6) {
    stats.ipv6++;
    decodeIpv6(stats, p, buf, off, end);
  } else if (type === ETHERTYPE_ARP) {
    stats.arp++;
    decodeArp(stats, p, buf, off, end);
  } else if (type === ETHERTYPE_MPLS || type === ETHERTYPE_MPLS_MULTICAST) {
    decodeMpls(stats, p, buf, off, end);
  } else if (type === ETHERTYPE_PPPOE_SESSION) {
    decodePppoeSession(stats, p, buf, off, end);
  } else {
    if (type === ETHERTYPE_PPPOE_DISCOVERY) stats.pppoe++;
    stats.other++;
  }
}
