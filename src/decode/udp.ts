/** UDP header decoding (RFC 768). */
import { DecodeEvent, recordEvent } from './events.js';
import type { Packet } from './packet.js';
import { decodeUdpTunnel } from './tunnel.js';

/**
 * Decodes the UDP header at `off` (usable bytes end at `end`). The UDP length must be at least 8
 * and equal the payload length the IP header declares (`ipPayloadLen`), as Suricata requires.
 * A VXLAN, Geneve or Teredo payload replaces the view with its inner packet (tunnel.ts).
 */
export function decodeUdp(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number, ipPayloadLen: number): void {
  if (end - off < 8) {
    recordEvent(stats, p, DecodeEvent.UDP_HLEN_TOO_SMALL);
    return;
  }
  const udpLen = (buf[off + 4] << 8) | buf[off + 5];
  if (udpLen < 8 || udpLen !== ipPayloadLen) {
    recordEvent(stats, p, DecodeEvent.UDP_HLEN_INVALID);
    return;
  }
  p.srcPort = (buf[off] << 8) | buf[off + 1];
  p.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  p.payloadOffset = off + 8;
  // A capture cut short (snaplen) keeps only the bytes that are there.
  p.payloadLen = (off + udpLen < end ? udpLen : end - off) - 8;
  p.hasL4 = true;
  stats.udp++;
  decodeUdpTunnel(stats, p, buf, p.payloadOffset, p.payloadOffset + p.payloadLen);
}
