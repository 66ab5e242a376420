/**
 * The link layers other than Ethernet: Linux cooked capture (SLL, SLL2), BSD loopback (NULL,
 * LOOP) and raw IP. Each finds where the IP datagram starts and hands it on.
 */
import { DecodeEvent, recordEvent } from './events.js';
import { decodeEtherType } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import type { Packet } from './packet.js';

/** Decodes a LINKTYPE_LINUX_SLL frame: 16-byte header, EtherType-like protocol at offset 14. */
export function decodeSll(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 16) {
    recordEvent(stats, p, DecodeEvent.SLL_PKT_TOO_SMALL);
    return;
  }
  p.linkGroup = isGroupPacketType((buf[off] << 8) | buf[off + 1]);
  decodeEtherType(stats, p, buf, (buf[off + 14] << 8) | buf[off + 15], off + 16, end);
}

/** Decodes a LINKTYPE_LINUX_SLL2 frame: 20-byte header, protocol at offset 0. */
export function decodeSll2(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 20) {
    recordEvent(stats, p, DecodeEvent.SLL2_PKT_TOO_SMALL);
    return;
  }
  p.linkGroup = isGroupPacketType(buf[off + 10]);
  decodeEtherType(stats, p, buf, (buf[off] << 8) | buf[off + 1], off + 20, end);
}

/** A cooked capture's packet type: PACKET_BROADCAST (1) or PACKET_MULTICAST (2). */
function isGroupPacketType(type: number): boolean {
  return type === 1 || type === 2;
}

/**
 * Decodes a BSD loopback frame: a 4-byte address family, in the capturing host's byte order for
 * LINKTYPE_NULL (`hostOrder` true: either order is accepted, since the values are below 256 one
 * reading is always small) and in network order for LINKTYPE_LOOP. AF_INET is 2 everywhere;
 * AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (macOS).
 */
export function decodeLoopback(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number, hostOrder: boolean): void {
  if (end - off < 4) {
    recordEvent(stats, p, DecodeEvent.NULL_PKT_TOO_SMALL);
    return;
  }
  const bigEndian = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
  const littleEndian = ((buf[off + 3] << 24) | (buf[off + 2] << 16) | (buf[off + 1] << 8) | buf[off]) >>> 0;
  const family = !hostOrder || bigEndian < 256 ? bigEndian : littleEndian;
  if (family === 2) {
    stats.ipv4++;
    decodeIpv4(stats, p, buf, off + 4, end);
  } else if (family === 24 || family === 28 || family === 30) {
    stats.ipv6++;
    decodeIpv6(stats, p, buf, off + 4, end);
  } else {
    recordEvent(stats, p, DecodeEvent.NULL_UNSUPPORTED_TYPE);
  }
}

/**
 * Decodes a raw IP frame. `version` 4 or 6 is what the link type promises (LINKTYPE_IPV4/IPV6; a
 * mismatch is that IP version's wrong_ip_version event); 0 reads it from the first nibble (LINKTYPE_RAW).
 */
export function decodeRawIp(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number, version: number): void {
  if (version === 0) {
    version = end > off ? buf[off] >>> 4 : 0;
    if (version !== 4 && version !== 6) {
      recordEvent(stats, p, DecodeEvent.IPRAW_INVALID_IPV);
      return;
    }
  }
  if (version === 4) {
    stats.ipv4++;
    decodeIpv4(stats, p, buf, off, end);
  } else {
    stats.ipv6++;
    decodeIpv6(stats, p, buf, off, end);
  }
}
