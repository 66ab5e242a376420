/**
 * Encapsulations: the packet inside a tunnel is decoded into the same `Packet` view and replaces
 * the outer layers from IP up, so flows, streams and detectors see the inner conversation, as
 * Suricata inspects a tunnel's inner packets. Covered: IP in IP (4 and 41, either IP version
 * outside), GRE (RFC 2784/2890, PPTP's enhanced GRE, transparent Ethernet, ERSPAN types I–III),
 * VXLAN, Geneve and Teredo over UDP, MPLS label stacks and PPPoE sessions (EtherTypes), and PPP.
 *
 * A UDP tunnel is recognised by its port and a header check; a payload that fails the check stays
 * plain UDP. Each entry into a tunnel costs one layer of `MAX_TUNNEL_LAYERS`.
 */
import { DecodeEvent, recordEvent } from './events.js';
import { decodeEthernet, decodeEtherType } from './ethernet.js';
import { decodeRawIp } from './link.js';
import { L3, type Packet } from './packet.js';

/** Tunnels followed inside one frame (Suricata stops at `decoder.max-layers`); deeper is an event. */
export const MAX_TUNNEL_LAYERS = 4;

/** UDP ports that announce a tunnel. Linux's own VXLAN default is 8472, the IANA port 4789. */
export const TunnelPort = {
  VXLAN: 4789,
  VXLAN_LINUX: 8472,
  GENEVE: 6081,
  TEREDO: 3544,
} as const;

const GRE_TEB = 0x6558;
const GRE_ERSPAN_2 = 0x88be;
const GRE_ERSPAN_3 = 0x22eb;
const GRE_PPP = 0x880b;

/**
 * Starts an inner layer: clears what the outer layers set from IP up and counts the depth. False
 * (with `decoder.too_many_layers`) when the frame is already `MAX_TUNNEL_LAYERS` deep.
 */
function enterTunnel(stats: Record<string, number>, p: Packet): boolean {
  if (p.tunnelDepth >= MAX_TUNNEL_LAYERS) {
    recordEvent(stats, p, DecodeEvent.TOO_MANY_LAYERS);
    return false;
  }
  p.resetLayers();
  p.tunnelDepth++;
  return true;
}

/** IP in IP by outer and inner version (index: outer IPv6 ? 2 : 0, plus inner IPv6 ? 1 : 0). */
const IP_IN_IP = [
  { counter: 'ipv4_in_ipv4', tooSmall: DecodeEvent.IPV4_IN_IPV4_TOO_SMALL, wrongVersion: DecodeEvent.IPV4_IN_IPV4_WRONG_VERSION },
  { counter: 'ipv6_in_ipv4', tooSmall: DecodeEvent.IPV6_IN_IPV4_TOO_SMALL, wrongVersion: DecodeEvent.IPV6_IN_IPV4_WRONG_VERSION },
  { counter: 'ipv4_in_ipv6', tooSmall: DecodeEvent.IPV4_IN_IPV6_TOO_SMALL, wrongVersion: DecodeEvent.IPV4_IN_IPV6_WRONG_VERSION },
  { counter: 'ipv6_in_ipv6', tooSmall: DecodeEvent.IPV6_IN_IPV6_TOO_SMALL, wrongVersion: DecodeEvent.IPV6_IN_IPV6_WRONG_VERSION },
] as const;

/**
 * Decodes the IP datagram an IP header carries as protocol 4 (IPv4) or 41 (IPv6). A payload too
 * short for that header or of the other IP version is an event on the outer packet, which stays
 * as it is (nmap's IP protocol scan sends such empty probes).
 */
export function decodeIpInIp(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number, innerVersion: 4 | 6): void {
  const kind = IP_IN_IP[(p.l3 === L3.IPV6 ? 2 : 0) + (innerVersion === 6 ? 1 : 0)];
  if (end - off < (innerVersion === 4 ? 20 : 40)) {
    recordEvent(stats, p, kind.tooSmall);
    return;
  }
  if (buf[off] >>> 4 !== innerVersion) {
    recordEvent(stats, p, kind.wrongVersion);
    return;
  }
  if (!enterTunnel(stats, p)) return;
  stats[kind.counter]++;
  decodeRawIp(stats, p, buf, off, end, innerVersion);
}

/**
 * Decodes a GRE packet (IP protocol 47). Version 0: optional checksum, key and sequence fields,
 * RFC 1701 source routes walked. Version 1 (PPTP): key required, PPP inside. The payload is
 * dispatched on the protocol type as an EtherType, plus transparent Ethernet, ERSPAN and PPP.
 */
export function decodeGre(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 4) {
    recordEvent(stats, p, DecodeEvent.GRE_PKT_TOO_SMALL);
    return;
  }
  stats.gre++;
  const flags = buf[off];
  const version = buf[off + 1] & 0x07;
  const type = (buf[off + 2] << 8) | buf[off + 3];
  let at = off + 4;
  if (version === 0) {
    if ((flags & 0x07) !== 0) {
      recordEvent(stats, p, DecodeEvent.GRE_VERSION0_RECUR);
      return;
    }
    if ((buf[off + 1] & 0xf8) !== 0) {
      recordEvent(stats, p, DecodeEvent.GRE_VERSION0_FLAGS);
      return;
    }
    const routed = (flags & 0x40) !== 0;
    if ((flags & 0x80) !== 0 || routed) at += 4;
    if ((flags & 0x20) !== 0) at += 4;
    if ((flags & 0x10) !== 0) at += 4;
    if (at > end) {
      recordEvent(stats, p, DecodeEvent.GRE_VERSION0_HDR_TOO_BIG);
      return;
    }
    if (routed) {
      // Source route entries: family (2), offset (1), length (1), then length bytes; a null entry ends them.
      for (;;) {
        if (at + 4 > end) {
          recordEvent(stats, p, DecodeEvent.GRE_VERSION0_MALFORMED_SRE_HDR);
          return;
        }
        const family = (buf[at] << 8) | buf[at + 1];
        const len = buf[at + 3];
        at += 4 + len;
        if (family === 0 && len === 0) break;
        if (at > end) {
          recordEvent(stats, p, DecodeEvent.GRE_VERSION0_MALFORMED_SRE_HDR);
          return;
        }
      }
    }
  } else if (version === 1) {
    if ((flags & 0xc8) !== 0 || (flags & 0x07) !== 0 || (buf[off + 1] & 0x78) !== 0) {
      recordEvent(stats, p, DecodeEvent.GRE_VERSION1_FLAGS);
      return;
    }
    if ((flags & 0x20) === 0) {
      recordEvent(stats, p, DecodeEvent.GRE_VERSION1_NO_KEY);
      return;
    }
    if (type !== GRE_PPP) {
      recordEvent(stats, p, DecodeEvent.GRE_VERSION1_WRONG_PROTOCOL);
      return;
    }
    at += 4;
    if ((flags & 0x10) !== 0) at += 4;
    if ((buf[off + 1] & 0x80) !== 0) at += 4;
    if (at > end) {
      recordEvent(stats, p, DecodeEvent.GRE_VERSION1_HDR_TOO_BIG);
      return;
    }
  } else {
    recordEvent(stats, p, DecodeEvent.GRE_WRONG_VERSION);
    return;
  }
  if (type === GRE_ERSPAN_3 || (type === GRE_ERSPAN_2 && (flags & 0x10) !== 0)) {
    at = erspanPayload(stats, p, buf, at, end, type === GRE_ERSPAN_3 ? 3 : 2);
    if (at < 0) return;
  }
  if (!enterTunnel(stats, p)) return;
  switch (type) {
    case GRE_TEB:
      decodeEthernet(stats, p, buf, at, end);
      return;
    case GRE_ERSPAN_2:
    case GRE_ERSPAN_3:
      // ERSPAN type I (0x88BE without a sequence number) has no header of its own.
      stats.erspan++;
      decodeEthernet(stats, p, buf, at, end);
      return;
    case GRE_PPP:
      decodePpp(stats, p, buf, at, end);
      return;
    default:
      decodeEtherType(stats, p, buf, type, at, end);
  }
}

/**
 * Where the mirrored frame starts after an ERSPAN type II (8-byte header) or III (12 bytes, 20
 * with the platform subheader) header at `off`; -1, with an event, when the header is short or
 * its version is not the type's.
 */
function erspanPayload(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number, type: 2 | 3): number {
  if (end - off < (type === 2 ? 8 : 12)) {
    recordEvent(stats, p, DecodeEvent.ERSPAN_HEADER_TOO_SMALL);
    return -1;
  }
  if (buf[off] >>> 4 !== type - 1) {
    recordEvent(stats, p, DecodeEvent.ERSPAN_UNSUPPORTED_VERSION);
    return -1;
  }
  if (type === 2) return off + 8;
  return (buf[off + 11] & 0x01) !== 0 ? off + 20 : off + 12;
}

/**
 * Decodes PPP from its protocol field (PPPoE sessions, PPTP, LINKTYPE_PPP): the HDLC address and
 * control bytes (FF 03) may lead, and the protocol may be compressed to one odd byte (RFC 1661).
 */
export function decodePpp(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off >= 2 && buf[off] === 0xff && buf[off + 1] === 0x03) off += 2;
  if (end - off < 1) {
    recordEvent(stats, p, DecodeEvent.PPP_PKT_TOO_SMALL);
    return;
  }
  let proto: number;
  if ((buf[off] & 0x01) !== 0) {
    proto = buf[off];
    off += 1;
  } else {
    if (end - off < 2) {
      recordEvent(stats, p, DecodeEvent.PPP_PKT_TOO_SMALL);
      return;
    }
    proto = (buf[off] << 8) | buf[off + 1];
    off += 2;
  }
  stats.ppp++;
  if (proto === 0x21 || proto === 0x57) {
    decodeRawIp(stats, p, buf, off, end, proto === 0x21 ? 4 : 6);
  } else if (proto < 0x4000) {
    // Network-layer protocols Rampart does not read (IPX, AppleTalk, compressed TCP …).
    recordEvent(stats, p, DecodeEvent.PPP_UNSUP_PROTO);
  }
  // 0x4000 and above are link control (LCP, PAP, CHAP, IPCP …): no IP inside, no event.
}

/** Decodes a PPPoE session frame (EtherType 0x8864): 6-byte header, then PPP up to the declared length. */
export function decodePppoeSession(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 8) {
    recordEvent(stats, p, DecodeEvent.PPPOE_PKT_TOO_SMALL);
    return;
  }
  stats.pppoe++;
  if (buf[off] !== 0x11 || buf[off + 1] !== 0x00) {
    recordEvent(stats, p, DecodeEvent.PPPOE_WRONG_CODE);
    return;
  }
  // A link layer, not a tunnel: the IP inside is the frame's first.
  const len = (buf[off + 4] << 8) | buf[off + 5];
  decodePpp(stats, p, buf, off + 6, off + 6 + len < end ? off + 6 + len : end);
}

/** Decodes an MPLS label stack (EtherType 0x8847/0x8848) and what its bottom label carries. */
export function decodeMpls(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  stats.mpls++;
  let label = 0;
  for (let entries = 0; ; entries++) {
    if (end - off < 4) {
      recordEvent(stats, p, entries === 0 ? DecodeEvent.MPLS_HEADER_TOO_SMALL : DecodeEvent.MPLS_PKT_TOO_SMALL);
      return;
    }
    label = (buf[off] << 12) | (buf[off + 1] << 4) | (buf[off + 2] >>> 4);
    const bottom = (buf[off + 2] & 0x01) !== 0;
    off += 4;
    if (bottom) break;
    if (entries === 15) {
      recordEvent(stats, p, DecodeEvent.MPLS_PKT_TOO_SMALL);
      return;
    }
  }
  if (end - off < 1) {
    recordEvent(stats, p, DecodeEvent.MPLS_PKT_TOO_SMALL);
    return;
  }
  // Labels 0 and 2 are the explicit-null labels of IPv4 and IPv6; otherwise the first nibble tells.
  const nibble = buf[off] >>> 4;
  if (label === 0 || (label !== 2 && nibble === 4)) {
    decodeRawIp(stats, p, buf, off, end, 4);
  } else if (label === 2 || nibble === 6) {
    decodeRawIp(stats, p, buf, off, end, 6);
  } else if (nibble === 0) {
    // An Ethernet pseudowire after its 4-byte control word (RFC 4448).
    if (!enterTunnel(stats, p)) return;
    decodeEthernet(stats, p, buf, off + 4, end);
  } else {
    recordEvent(stats, p, DecodeEvent.MPLS_UNKNOWN_PAYLOAD_TYPE);
  }
}

/**
 * Decodes the tunnel a UDP payload may hold, chosen by port: VXLAN, Geneve or Teredo. False, with
 * the packet untouched, when the payload does not pass that tunnel's header check.
 */
export function decodeUdpTunnel(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): boolean {
  const sport = p.srcPort;
  const dport = p.dstPort;
  if (dport === TunnelPort.VXLAN || dport === TunnelPort.VXLAN_LINUX) return decodeVxlan(stats, p, buf, off, end);
  if (dport === TunnelPort.GENEVE) return decodeGeneve(stats, p, buf, off, end);
  if (sport === TunnelPort.TEREDO || dport === TunnelPort.TEREDO) return decodeTeredo(stats, p, buf, off, end);
  return false;
}

/** VXLAN (RFC 7348): flags byte 0x08 (a valid VNI), reserved bytes zero, then an Ethernet frame. */
function decodeVxlan(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): boolean {
  if (end - off < 8 + 14 || buf[off] !== 0x08 || buf[off + 1] !== 0 || buf[off + 2] !== 0 || buf[off + 3] !== 0 || buf[off + 7] !== 0) return false;
  if (!enterTunnel(stats, p)) return true;
  stats.vxlan++;
  decodeEthernet(stats, p, buf, off + 8, end);
  return true;
}

/** Geneve (RFC 8926): version 0, options skipped, the payload by its protocol type. */
function decodeGeneve(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): boolean {
  if (end - off < 8 || buf[off] >>> 6 !== 0) return false;
  const at = off + 8 + (buf[off] & 0x3f) * 4;
  const type = (buf[off + 2] << 8) | buf[off + 3];
  if (at > end || (type !== GRE_TEB && type !== 0x0800 && type !== 0x86dd)) return false;
  if (!enterTunnel(stats, p)) return true;
  stats.geneve++;
  if (type === GRE_TEB) decodeEthernet(stats, p, buf, at, end);
  else decodeEtherType(stats, p, buf, type, at, end);
  return true;
}

/**
 * Teredo (RFC 4380): IPv6 over UDP, after an optional 8-byte origin indication. Nothing marks the
 * payload as Teredo, so, as Suricata does, it must be an IPv6 header whose length fills the rest.
 * Authentication headers belong to qualification exchanges, which carry no tunnelled traffic.
 */
function decodeTeredo(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): boolean {
  let at = off;
  if (end - at >= 2 && buf[at] === 0 && buf[at + 1] === 0) at += 8;
  if (end - at < 40 || buf[at] >>> 4 !== 6) return false;
  if (40 + ((buf[at + 4] << 8) | buf[at + 5]) !== end - at) return false;
  if (!enterTunnel(stats, p)) return true;
  stats.teredo++;
  decodeRawIp(stats, p, buf, at, end, 6);
  return true;
}
