/** ARP decoding (RFC 826), Ethernet/IPv4 form only: the one the engine has uses for. */
import { DecodeEvent, recordEvent } from './events.js';
import { L3, type Packet } from './packet.js';

/** Decodes an ARP message at `off`: operation and sender/target IPv4 addresses (l3 = ARP). */
export function decodeArp(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 8) {
    recordEvent(stats, p, DecodeEvent.ARP_PKT_TOO_SMALL);
    return;
  }
  if (((buf[off] << 8) | buf[off + 1]) !== 1) {
    recordEvent(stats, p, DecodeEvent.ARP_UNSUPPORTED_HARDWARE);
    return;
  }
  if (((buf[off + 2] << 8) | buf[off + 3]) !== 0x0800) {
    recordEvent(stats, p, DecodeEvent.ARP_UNSUPPORTED_PROTOCOL);
    return;
  }
  if (buf[off + 4] !== 6) {
    recordEvent(stats, p, DecodeEvent.ARP_INVALID_HARDWARE_SIZE);
    return;
  }
  if (buf[off + 5] !== 4) {
    recordEvent(stats, p, DecodeEvent.ARP_INVALID_PROTOCOL_SIZE);
    return;
  }
  if (end - off < 28) {
    recordEvent(stats, p, DecodeEvent.ARP_PKT_TOO_SMALL);
    return;
  }
  p.l3 = L3.ARP;
  p.arpOp = (buf[off + 6] << 8) | buf[off + 7];
  p.arpSender4 = (buf[off + 14] << 24) | (buf[off + 15] << 16) | (buf[off + 16] << 8) | buf[off + 17];
  p.arpTarget4 = (buf[off + 24] << 24) | (buf[off + 25] << 16) | (buf[off + 26] << 8) | buf[off + 27];
}
