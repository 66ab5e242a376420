/**
 * Decoder events as data: one row per kind of malformed or suspicious input, named as Suricata
 * names it (`decoder.<layer>.<what>`) where Suricata has a name. The code is the row's position
 * (1-based; 0 means "no event") and is what `Packet.events` holds.
 */
import { MAX_PACKET_EVENTS, type Packet } from './packet.js';

/** One decoder event kind. */
export interface DecodeEventInfo {
  readonly code: number;
  /** Suricata-style name, e.g. "decoder.ipv4.trunc_pkt"; also the name of its stats counter. */
  readonly name: string;
  readonly description: string;
}

const TABLE = [
  ['UNKNOWN_LINKTYPE', 'decoder.unknown_linktype', 'link type the decoder does not know'],
  ['ETHERNET_PKT_TOO_SMALL', 'decoder.ethernet.pkt_too_small', 'frame shorter than an Ethernet header (14 bytes)'],
  ['VLAN_HEADER_TOO_SMALL', 'decoder.vlan.header_too_small', 'frame ends inside an 802.1Q/802.1ad tag'],
  ['VLAN_TOO_MANY_LAYERS', 'decoder.vlan.too_many_layers', 'more than two VLAN tags'],
  ['SLL_PKT_TOO_SMALL', 'decoder.sll.pkt_too_small', 'frame shorter than a Linux cooked (SLL) header (16 bytes)'],
  ['SLL2_PKT_TOO_SMALL', 'decoder.sll2.pkt_too_small', 'frame shorter than a Linux cooked v2 (SLL2) header (20 bytes)'],
  ['NULL_PKT_TOO_SMALL', 'decoder.ltnull.pkt_too_small', 'frame shorter than a BSD loopback header (4 bytes)'],
  ['NULL_UNSUPPORTED_TYPE', 'decoder.ltnull.unsupported_type', 'BSD loopback address family is neither AF_INET nor AF_INET6'],
  ['IPRAW_INVALID_IPV', 'decoder.ipraw.invalid_ip_version', 'raw IP frame whose version nibble is neither 4 nor 6'],
  ['ARP_PKT_TOO_SMALL', 'decoder.arp.pkt_too_small', 'ARP message shorter than its Ethernet/IPv4 form (28 bytes)'],
  ['ARP_UNSUPPORTED_HARDWARE', 'decoder.arp.unsupported_hardware', 'ARP hardware type is not Ethernet'],
  ['ARP_UNSUPPORTED_PROTOCOL', 'decoder.arp.unsupported_protocol', 'ARP protocol type is not IPv4'],
  ['ARP_INVALID_HARDWARE_SIZE', 'decoder.arp.invalid_hardware_size', 'ARP hardware address length is not 6'],
  ['ARP_INVALID_PROTOCOL_SIZE', 'decoder.arp.invalid_protocol_size', 'ARP protocol address length is not 4'],
  ['IPV4_PKT_TOO_SMALL', 'decoder.ipv4.pkt_too_small', 'fewer than 20 bytes where an IPv4 header starts'],
  ['IPV4_WRONG_IP_VER', 'decoder.ipv4.wrong_ip_version', 'IPv4 EtherType or link type but the version nibble is not 4'],
  ['IPV4_HLEN_TOO_SMALL', 'decoder.ipv4.hlen_too_small', 'IPv4 header length (IHL) below 5 words'],
  ['IPV4_IPLEN_SMALLER_THAN_HLEN', 'decoder.ipv4.iplen_smaller_than_hlen', 'IPv4 total length smaller than its header length'],
  ['IPV4_TRUNC_PKT', 'decoder.ipv4.trunc_pkt', 'fewer bytes captured than the IPv4 header length or total length'],
  ['IPV4_OPT_INVALID_LEN', 'decoder.ipv4.opt_invalid_len', 'IPv4 option length below 2 or past the header end'],
  ['IPV6_PKT_TOO_SMALL', 'decoder.ipv6.pkt_too_small', 'fewer than 40 bytes where an IPv6 header starts'],
  ['IPV6_WRONG_IP_VER', 'decoder.ipv6.wrong_ip_version', 'IPv6 EtherType or link type but the version nibble is not 6'],
  ['IPV6_TRUNC_PKT', 'decoder.ipv6.trunc_pkt', 'fewer bytes captured than 40 + IPv6 payload length'],
  ['IPV6_TRUNC_EXTHDR', 'decoder.ipv6.trunc_exthdr', 'IPv6 extension header runs past the end of the datagram'],
  ['IPV6_EXTHDR_TOO_MANY', 'decoder.ipv6.exthdr_too_many', 'more than 8 IPv6 extension headers'],
  ['IPV6_EXTHDR_DUPL_FH', 'decoder.ipv6.exthdr_dupl_fh', 'two IPv6 fragment headers'],
  ['IPV6_EXTHDR_DUPL_HH', 'decoder.ipv6.exthdr_dupl_hh', 'hop-by-hop options header not first or repeated'],
  ['IPV6_RH_TYPE_0', 'decoder.ipv6.rh_type_0', 'deprecated routing header type 0 (RFC 5095)'],
  ['IPV6_WITH_ICMPV4', 'decoder.ipv6.icmpv4', 'IPv6 next header is ICMP for IPv4'],
  ['TCP_PKT_TOO_SMALL', 'decoder.tcp.pkt_too_small', 'fewer than 20 bytes where a TCP header starts'],
  ['TCP_HLEN_TOO_SMALL', 'decoder.tcp.hlen_too_small', 'TCP data offset below 5 words'],
  ['TCP_INVALID_OPTLEN', 'decoder.tcp.invalid_optlen', 'TCP data offset points past the end of the segment'],
  ['TCP_OPT_INVALID_LEN', 'decoder.tcp.opt_invalid_len', 'TCP option with a bad length (header still decoded)'],
  ['UDP_HLEN_TOO_SMALL', 'decoder.udp.hlen_too_small', 'fewer than 8 bytes where a UDP header starts'],
  ['UDP_HLEN_INVALID', 'decoder.udp.hlen_invalid', 'UDP length field below 8 or not equal to the IP payload length'],
  ['ICMPV4_PKT_TOO_SMALL', 'decoder.icmpv4.pkt_too_small', 'fewer than 8 bytes where an ICMP header starts'],
  ['ICMPV4_UNKNOWN_TYPE', 'decoder.icmpv4.unknown_type', 'ICMP type not defined (header still decoded)'],
  ['ICMPV6_PKT_TOO_SMALL', 'decoder.icmpv6.pkt_too_small', 'fewer than 8 bytes where an ICMPv6 header starts'],
  ['ICMPV6_UNKNOWN_TYPE', 'decoder.icmpv6.unknown_type', 'ICMPv6 type not defined (header still decoded)'],
  ['TOO_MANY_LAYERS', 'decoder.too_many_layers', 'tunnels nested deeper than the decoder follows (4)'],
  ['IPV4_IN_IPV4_TOO_SMALL', 'decoder.ipv4.ipv4_in_ipv4_too_small', 'IPv4 protocol 4 (IP in IP) with fewer than 20 bytes inside'],
  ['IPV4_IN_IPV4_WRONG_VERSION', 'decoder.ipv4.ipv4_in_ipv4_wrong_version', 'IPv4 protocol 4 (IP in IP) carrying something other than IPv4'],
  ['IPV6_IN_IPV4_TOO_SMALL', 'decoder.ipv4.ipv6_in_ipv4_too_small', 'IPv4 protocol 41 (6in4) with fewer than 40 bytes inside'],
  ['IPV6_IN_IPV4_WRONG_VERSION', 'decoder.ipv4.ipv6_in_ipv4_wrong_version', 'IPv4 protocol 41 (6in4) carrying something other than IPv6'],
  ['IPV4_IN_IPV6_TOO_SMALL', 'decoder.ipv6.ipv4_in_ipv6_too_small', 'IPv6 next header 4 with fewer than 20 bytes inside'],
  ['IPV4_IN_IPV6_WRONG_VERSION', 'decoder.ipv6.ipv4_in_ipv6_wrong_version', 'IPv6 next header 4 carrying something other than IPv4'],
  ['IPV6_IN_IPV6_TOO_SMALL', 'decoder.ipv6.ipv6_in_ipv6_too_small', 'IPv6 next header 41 with fewer than 40 bytes inside'],
  ['IPV6_IN_IPV6_WRONG_VERSION', 'decoder.ipv6.ipv6_in_ipv6_wrong_version', 'IPv6 next header 41 carrying something other than IPv6'],
  ['GRE_PKT_TOO_SMALL', 'decoder.gre.pkt_too_small', 'fewer than 4 bytes where a GRE header starts'],
  ['GRE_WRONG_VERSION', 'decoder.gre.wrong_version', 'GRE version other than 0 or 1'],
  ['GRE_VERSION0_RECUR', 'decoder.gre.version0_recur', 'GRE version 0 with a recursion count'],
  ['GRE_VERSION0_FLAGS', 'decoder.gre.version0_flags', 'GRE version 0 with reserved flag bits set'],
  ['GRE_VERSION0_HDR_TOO_BIG', 'decoder.gre.version0_hdr_too_big', 'GRE version 0 optional fields run past the packet'],
  ['GRE_VERSION0_MALFORMED_SRE_HDR', 'decoder.gre.version0_malformed_sre_hdr', 'GRE source route entries run past the packet'],
  ['GRE_VERSION1_FLAGS', 'decoder.gre.version1_flags', 'enhanced GRE (PPTP) with checksum, routing, recursion or reserved bits set'],
  ['GRE_VERSION1_NO_KEY', 'decoder.gre.version1_no_key', 'enhanced GRE (PPTP) without its key (payload length, call id)'],
  ['GRE_VERSION1_WRONG_PROTOCOL', 'decoder.gre.version1_wrong_protocol', 'enhanced GRE (PPTP) carrying something other than PPP'],
  ['GRE_VERSION1_HDR_TOO_BIG', 'decoder.gre.version1_hdr_too_big', 'enhanced GRE (PPTP) optional fields run past the packet'],
  ['ERSPAN_HEADER_TOO_SMALL', 'decoder.erspan.header_too_small', 'GRE packet too short for its ERSPAN header'],
  ['ERSPAN_UNSUPPORTED_VERSION', 'decoder.erspan.unsupported_version', 'ERSPAN version does not match its GRE protocol type'],
  ['PPP_PKT_TOO_SMALL', 'decoder.ppp.pkt_too_small', 'PPP frame ends before its protocol field'],
  ['PPP_UNSUP_PROTO', 'decoder.ppp.unsup_proto', 'PPP network protocol other than IPv4 or IPv6'],
  ['PPPOE_PKT_TOO_SMALL', 'decoder.pppoe.pkt_too_small', 'fewer than 8 bytes where a PPPoE session header and PPP protocol start'],
  ['PPPOE_WRONG_CODE', 'decoder.pppoe.wrong_code', 'PPPoE session frame with a version, type or code other than 1, 1, 0'],
  ['MPLS_HEADER_TOO_SMALL', 'decoder.mpls.header_too_small', 'fewer than 4 bytes where an MPLS label starts'],
  ['MPLS_PKT_TOO_SMALL', 'decoder.mpls.pkt_too_small', 'MPLS label stack without a bottom label (or deeper than 16) before the packet ends'],
  ['MPLS_UNKNOWN_PAYLOAD_TYPE', 'decoder.mpls.unknown_payload_type', 'MPLS payload neither IPv4, IPv6 nor an Ethernet pseudowire'],
] as const;

/** Symbolic name of a decoder event in code. */
export type DecodeEventKey = (typeof TABLE)[number][0];

/** Event codes by symbolic name, e.g. `DecodeEvent.IPV4_TRUNC_PKT`. */
export const DecodeEvent: Readonly<Record<DecodeEventKey, number>> = Object.freeze(
  Object.fromEntries(TABLE.map(([key], i) => [key, i + 1])) as Record<DecodeEventKey, number>,
);

/** Every decoder event, in code order (`DECODE_EVENTS[code - 1].code === code`). */
export const DECODE_EVENTS: readonly DecodeEventInfo[] = Object.freeze(
  TABLE.map(([, name, description], i) => Object.freeze({ code: i + 1, name, description })),
);

/** Names indexed by code (index 0 is unused), so recording an event is one array load. */
const NAMES: readonly string[] = ['', ...DECODE_EVENTS.map((e) => e.name)];

/** Name of a decoder event code, or "decoder.unknown_event_<code>" for a code outside the table. */
export function decodeEventName(code: number): string {
  return code > 0 && code < NAMES.length ? NAMES[code] : `decoder.unknown_event_${code}`;
}

/**
 * Records an event on the packet (up to MAX_PACKET_EVENTS are listed) and counts it in the
 * stage's stats, both under its name and in the `events` total.
 */
export function recordEvent(stats: Record<string, number>, p: Packet, code: number): void {
  if (p.eventCount < MAX_PACKET_EVENTS) p.events[p.eventCount++] = code;
  stats.events++;
  stats[NAMES[code]]++;
}
