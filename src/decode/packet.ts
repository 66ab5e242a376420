/**
 * The one reused view of a decoded packet. The decoder overwrites it for every frame: no
 * per-packet allocation. Offsets index into `buf`; numbers are plain fields.
 *
 * Addresses: IPv4 addresses are kept as signed 32-bit integers (`src4`, `dst4`, network order
 * read as big-endian) so they are V8 small integers and can key a Map without boxing. IPv6
 * addresses are kept as four 32-bit words in `src6`/`dst6`. `srcKey`/`dstKey` are one number per
 * address for per-host tables: the int32 for IPv4, a 52-bit hash above the int32 range for IPv6
 * (see `addrKey6`).
 */

/** Link-layer types, as numbered by tcpdump's LINKTYPE_* registry. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Network-layer kind of a decoded frame. */
export const L3 = {
  NONE: 0,
  ARP: 1,
  IPV4: 4,
  IPV6: 6,
} as const;

/** IP protocol numbers used by the engine. */
export const IpProto = {
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  GRE: 47,
  IPV6_ICMP: 58,
  SCTP: 132,
} as const;

/** TCP flag bits. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** Most decoder events one packet can record; further ones are counted but not listed. */
export const MAX_PACKET_EVENTS = 8;

/** The reused, mutable view of one packet. */
export class Packet {
  /** Buffer holding the frame (often a larger read buffer shared with other frames). */
  buf: Buffer = Buffer.alloc(0);
  /** Offset of the frame's first byte in `buf`. */
  frameOffset = 0;
  /** Bytes of the frame present in `buf` (captured length). */
  capLen = 0;
  /** Length of the frame on the wire. */
  wireLen = 0;
  /** Packet time, microseconds since the Unix epoch. */
  tsUs = 0;
  /** Sub-microsecond remainder of the timestamp, nanoseconds (0..999), for nanosecond captures. */
  tsNsRem = 0;
  /** Link type of the frame (LinkType). */
  linkType = 1;
  /** 0-based number of the frame in the run (the seed's verdict numbering; EVE pcap_cnt is +1). */
  index = 0;

  /** Tunnels the decoder went through to reach the layers below (0: none; see tunnel.ts). */
  tunnelDepth = 0;

  /**
   * True when the frame was sent to a link-layer group address: an Ethernet broadcast or multicast
   * destination, or a cooked capture's broadcast or multicast packet type. A directed broadcast
   * (10.0.0.255 on a /24) is known only here; the IP header does not say.
   */
  linkGroup = false;

  /** L3 kind (L3.*). */
  l3 = 0;
  /** VLAN ids seen, outermost first (0 when absent). */
  vlan0 = 0;
  vlan1 = 0;

  /** Offset of the IP header in `buf`, and its length (IPv6: fixed header + extension headers). */
  ipOffset = 0;
  ipHdrLen = 0;
  /** Length of the IP datagram per its header (IPv4 total length, IPv6 40 + payload length). */
  ipLen = 0;
  ttl = 0;
  /** Upper-layer protocol (after IPv6 extension headers). */
  ipProto = 0;
  src4 = 0;
  dst4 = 0;
  readonly src6 = new Uint32Array(4);
  readonly dst6 = new Uint32Array(4);
  srcKey = 0;
  dstKey = 0;

  /** Fragment fields (IPv4 flags/offset, or IPv6 fragment header). */
  isFragment = false;
  /** Fragment offset in bytes. */
  fragOffset = 0;
  moreFragments = false;
  fragId = 0;
  /** True when this view was decoded from a reassembled datagram rather than one frame. */
  reassembled = false;

  /** ARP fields (l3 === L3.ARP). */
  arpOp = 0;
  arpSender4 = 0;
  arpTarget4 = 0;

  /** True when an L4 header (TCP/UDP/ICMP/ICMPv6) was decoded. */
  hasL4 = false;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  tcpHdrLen = 0;
  icmpType = 0;
  icmpCode = 0;
  /** ICMP echo identifier / sequence (echo request/reply only). */
  icmpId = 0;
  icmpSeq = 0;

  /** Offset and length of the L4 payload in `buf`. */
  payloadOffset = 0;
  payloadLen = 0;

  /** Decoder events recorded for this packet (codes from decode/events.ts). */
  readonly events = new Uint16Array(MAX_PACKET_EVENTS);
  eventCount = 0;

  /** Clears the per-packet fields before decoding the next frame. */
  reset(): void {
    this.vlan0 = 0;
    this.vlan1 = 0;
    this.tunnelDepth = 0;
    this.linkGroup = false;
    this.eventCount = 0;
    this.resetLayers();
  }

  /** Clears the fields from the network layer up (what a tunnel's inner packet sets again). */
  resetLayers(): void {
    this.l3 = 0;
    this.ipOffset = 0;
    this.ipHdrLen = 0;
    this.ipLen = 0;
    this.ttl = 0;
    this.ipProto = 0;
    this.src4 = 0;
    this.dst4 = 0;
    this.srcKey = 0;
    this.dstKey = 0;
    this.isFragment = false;
    this.fragOffset = 0;
    this.moreFragments = false;
    this.fragId = 0;
    this.reassembled = false;
    this.arpOp = 0;
    this.arpSender4 = 0;
    this.arpTarget4 = 0;
    this.hasL4 = false;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpWindow = 0;
    this.tcpHdrLen = 0;
    this.icmpType = 0;
    this.icmpCode = 0;
    this.icmpId = 0;
    this.icmpSeq = 0;
    this.payloadOffset = 0;
    this.payloadLen = 0;
  }
}

/** Number of ICMP/ICMPv6 echo requests (type 8 / 128). */
export function isEchoRequest(p: Packet): boolean {
  return p.hasL4 && ((p.ipProto === IpProto.ICMP && p.icmpType === 8) || (p.ipProto === IpProto.IPV6_ICMP && p.icmpType === 128));
}

/**
 * Key of an IPv6 address for per-host tables: a 52-bit FNV-style hash of the four words, offset
 * above 2^32 so it never equals an IPv4 key. Collisions are possible but need ~2^26 addresses.
 */
export function addrKey6(w: Uint32Array): number {
  let h = 0x811c9dc5;
  let l = 0x01000193;
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ w[i], 0x01000193);
    l = Math.imul(l ^ w[3 - i], 0x85ebca6b) ^ (h >>> 15);
  }
  return 4294967296 + (h >>> 0) * 1048576 + ((l >>> 0) & 0xfffff);
}

/** Dotted-quad text of an int32 IPv4 address. */
export function formatIp4(a: number): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952 text of an IPv6 address given as four 32-bit words. */
export function formatIp6(w: Uint32Array | readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) {
    groups.push((w[i] >>> 16) & 0xffff, w[i] & 0xffff);
  }
  // IPv4-mapped ::ffff:a.b.c.d keeps its dotted tail, as inet_ntop does.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIp4(w[3] | 0)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** Text of the packet's source address ('' when it has none). */
export function srcAddrText(p: Packet): string {
  if (p.l3 === L3.IPV4) return formatIp4(p.src4);
  if (p.l3 === L3.IPV6) return formatIp6(p.src6);
  if (p.l3 === L3.ARP) return formatIp4(p.arpSender4);
  return '';
}

/** Text of the packet's destination address ('' when it has none). */
export function dstAddrText(p: Packet): string {
  if (p.l3 === L3.IPV4) return formatIp4(p.dst4);
  if (p.l3 === L3.IPV6) return formatIp6(p.dst6);
  if (p.l3 === L3.ARP) return formatIp4(p.arpTarget4);
  return '';
}

/** Suricata's protocol name for an IP protocol number. */
export function protoName(proto: number): string {
  switch (proto) {
    case IpProto.TCP:
      return 'TCP';
    case IpProto.UDP:
      return 'UDP';
    case IpProto.ICMP:
      return 'ICMP';
    case IpProto.IPV6_ICMP:
      return 'IPv6-ICMP';
    default:
      return String(proto);
  }
}
