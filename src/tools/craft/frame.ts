/**
 * The frame crafting kit: builds real packet bytes (IPv4/IPv6 with extension headers, TCP, UDP,
 * ICMP, ICMPv6, fragments, and the link layers the decoder reads) with correct checksums, for
 * tests, the benchmark and the traffic generator. Allocation is fine here: this is not the hot path.
 *
 * Addresses are text; the family (IPv4 or IPv6) follows from the address form. Bad arguments
 * (an address typo, a fragment size that is not a multiple of 8, options too long for a header)
 * throw a RangeError naming the argument.
 */
import { checksumAdd, checksumFinish, ipv4HeaderChecksum } from '../../decode/checksum.js';
import { parseIp, parseMac, type IpAddress } from './address.js';

export { parseIp, parseMac, type IpAddress } from './address.js';

/** Source MAC used when none is given (locally administered). */
export const DEFAULT_SRC_MAC = '02:00:00:00:00:01';
/** Destination MAC used when none is given (locally administered). */
export const DEFAULT_DST_MAC = '02:00:00:00:00:02';
/** IPv4 TTL / IPv6 hop limit used when none is given. */
export const DEFAULT_TTL = 64;
/** TCP window used when none is given (a common Linux value). */
export const DEFAULT_WINDOW = 64240;

/** EtherType values written by the kit. */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  IPV6: 0x86dd,
} as const;

/** Options of a TCP segment. */
export interface TcpOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** A number (TcpFlag bits), or hping3-style letters: F S R P A U E C (e.g. "SA", "PA", "" for none). */
  flags: number | string;
  seq?: number;
  ack?: number;
  window?: number;
  /** Urgent pointer field (meaningful with the U flag): the byte before seq + it is urgent. */
  urgentPointer?: number;
  /** Raw TCP option bytes; padded with zeros (EOL) to a multiple of 4. */
  options?: Uint8Array;
  payload?: Uint8Array | string;
  ttl?: number;
  ipId?: number;
}

/** Options of a UDP datagram. */
export interface UdpOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload?: Uint8Array | string;
  ttl?: number;
  ipId?: number;
}

/** Options of an ICMP / ICMPv6 echo request or reply. */
export interface IcmpEchoOptions {
  src: string;
  dst: string;
  id: number;
  seq: number;
  reply?: boolean;
  payload?: Uint8Array | string;
  ttl?: number;
}

const FLAG_LETTERS: Readonly<Record<string, number>> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

/** TCP flag bits from a number or hping3-style letters ("SA" = SYN+ACK). Throws on an unknown letter. */
export function tcpFlagBits(flags: number | string): number {
  if (typeof flags === 'number') return flags & 0xff;
  let bits = 0;
  for (const ch of flags.toUpperCase()) {
    const bit = FLAG_LETTERS[ch];
    if (bit === undefined) throw new RangeError(`unknown TCP flag letter "${ch}" in "${flags}" (expected F S R P A U E C)`);
    bits |= bit;
  }
  return bits;
}

/** Bytes of a payload given as bytes or as text (UTF-8). */
function payloadBytes(payload: Uint8Array | string | undefined): Uint8Array {
  if (payload === undefined) return new Uint8Array(0);
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

/** Parses src and dst and checks they are of one family. */
function addressPair(src: string, dst: string): { readonly src: IpAddress; readonly dst: IpAddress } {
  const s = parseIp(src);
  const d = parseIp(dst);
  if (s.family !== d.family) throw new RangeError(`source ${src} and destination ${dst} are of different IP families`);
  return { src: s, dst: d };
}

function checkRange(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  return value;
}

/**
 * Writes the transport checksum at `checksumAt` of `segment`, over the IPv4 or IPv6 pseudo-header
 * (RFC 793 / RFC 8200 section 8.1) and the whole segment. UDP's zero result is sent as 0xffff.
 */
function fillL4Checksum(segment: Buffer, checksumAt: number, proto: number, src: IpAddress, dst: IpAddress, isUdp: boolean): void {
  segment.writeUInt16BE(0, checksumAt);
  let sum = checksumAdd(0, src.bytes, 0, src.bytes.length);
  sum = checksumAdd(sum, dst.bytes, 0, dst.bytes.length);
  if (src.family === 4) {
    sum += proto + segment.length;
  } else {
    sum += (segment.length >>> 16) + (segment.length & 0xffff) + proto;
  }
  sum = checksumAdd(sum, segment, 0, segment.length);
  let ck = checksumFinish(sum);
  if (isUdp && ck === 0) ck = 0xffff;
  segment.writeUInt16BE(ck, checksumAt);
}

/** Wraps an L4 segment in an IPv4 or IPv6 header according to the address family. */
function ipWrap(src: string, dst: string, proto: number, segment: Uint8Array, ttl: number | undefined, ipId: number | undefined): Buffer {
  if (parseIp(src).family === 4) return ipv4Packet({ src, dst, proto, payload: segment, ttl, id: ipId });
  return ipv6Packet({ src, dst, nextHeader: proto, payload: segment, hopLimit: ttl });
}

/** Builds a TCP segment in an IP datagram (IPv4 or IPv6 by address form), checksums filled. */
export function tcpPacket(o: TcpOptions): Buffer {
  const { src, dst } = addressPair(o.src, o.dst);
  const options = o.options ?? new Uint8Array(0);
  const optLen = (options.length + 3) & ~3;
  if (20 + optLen > 60) throw new RangeError(`TCP options of ${options.length} bytes do not fit in a 60-byte header`);
  const payload = payloadBytes(o.payload);
  const seg = Buffer.alloc(20 + optLen + payload.length);
  seg.writeUInt16BE(checkRange('sport', o.sport, 0xffff), 0);
  seg.writeUInt16BE(checkRange('dport', o.dport, 0xffff), 2);
  seg.writeUInt32BE((o.seq ?? 0) >>> 0, 4);
  seg.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  seg[12] = ((20 + optLen) / 4) << 4;
  seg[13] = tcpFlagBits(o.flags);
  seg.writeUInt16BE(checkRange('window', o.window ?? DEFAULT_WINDOW, 0xffff), 14);
  seg.writeUInt16BE(checkRange('urgentPointer', o.urgentPointer ?? 0, 0xffff), 18);
  seg.set(options, 20);
  seg.set(payload, 20 + optLen);
  fillL4Checksum(seg, 16, 6, src, dst, false);
  return ipWrap(o.src, o.dst, 6, seg, o.ttl, o.ipId);
}

/** Builds a UDP datagram in an IP datagram (IPv4 or IPv6 by address form), checksums filled. */
export function udpPacket(o: UdpOptions): Buffer {
  const { src, dst } = addressPair(o.src, o.dst);
  const payload = payloadBytes(o.payload);
  const seg = Buffer.alloc(8 + payload.length);
  seg.writeUInt16BE(checkRange('sport', o.sport, 0xffff), 0);
  seg.writeUInt16BE(checkRange('dport', o.dport, 0xffff), 2);
  seg.writeUInt16BE(seg.length & 0xffff, 4);
  seg.set(payload, 8);
  fillL4Checksum(seg, 6, 17, src, dst, true);
  return ipWrap(o.src, o.dst, 17, seg, o.ttl, o.ipId);
}

/** Builds an ICMP echo (type 8/0) or ICMPv6 echo (type 128/129) by address family. */
export function icmpEcho(o: IcmpEchoOptions): Buffer {
  const v6 = parseIp(o.src).family === 6;
  const payload = payloadBytes(o.payload);
  const body = Buffer.alloc(4 + payload.length);
  body.writeUInt16BE(checkRange('id', o.id, 0xffff), 0);
  body.writeUInt16BE(checkRange('seq', o.seq, 0xffff), 2);
  body.set(payload, 4);
  const type = v6 ? (o.reply ? 129 : 128) : o.reply ? 0 : 8;
  return icmpMessage(o.src, o.dst, type, 0, body, o.ttl);
}

/** Builds any ICMP (IPv4) or ICMPv6 (IPv6) message; `body` is what follows type, code and checksum. */
export function icmpPacket(o: { src: string; dst: string; type: number; code: number; body?: Uint8Array }): Buffer {
  return icmpMessage(o.src, o.dst, o.type, o.code, o.body ?? new Uint8Array(0), undefined);
}

function icmpMessage(srcText: string, dstText: string, type: number, code: number, body: Uint8Array, ttl: number | undefined): Buffer {
  const { src, dst } = addressPair(srcText, dstText);
  const msg = Buffer.alloc(4 + body.length);
  msg[0] = checkRange('type', type, 255);
  msg[1] = checkRange('code', code, 255);
  msg.set(body, 4);
  if (src.family === 4) {
    // ICMPv4 has no pseudo-header.
    msg.writeUInt16BE(checksumFinish(checksumAdd(0, msg, 0, msg.length)), 2);
    return ipv4Packet({ src: srcText, dst: dstText, proto: 1, payload: msg, ttl });
  }
  fillL4Checksum(msg, 2, 58, src, dst, false);
  return ipv6Packet({ src: srcText, dst: dstText, nextHeader: 58, payload: msg, hopLimit: ttl });
}

/** Builds an IPv4 datagram around `payload`: header checksum filled, options padded with zeros (EOL). */
export function ipv4Packet(o: {
  src: string;
  dst: string;
  proto: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes, a multiple of 8. */
  fragOffset?: number;
  options?: Uint8Array;
}): Buffer {
  const src = parseIp(o.src);
  const dst = parseIp(o.dst);
  if (src.family !== 4 || dst.family !== 4) throw new RangeError(`ipv4Packet needs IPv4 addresses, got ${o.src} -> ${o.dst}`);
  const options = o.options ?? new Uint8Array(0);
  const optLen = (options.length + 3) & ~3;
  const hdrLen = 20 + optLen;
  if (hdrLen > 60) throw new RangeError(`IPv4 options of ${options.length} bytes do not fit in a 60-byte header`);
  const total = hdrLen + o.payload.length;
  if (total > 0xffff) throw new RangeError(`IPv4 datagram of ${total} bytes exceeds 65535`);
  const fragOffset = o.fragOffset ?? 0;
  if (fragOffset % 8 !== 0 || fragOffset < 0 || fragOffset > 0xfff8) throw new RangeError(`fragOffset must be a multiple of 8 in 0..65528, got ${fragOffset}`);
  const d = Buffer.alloc(total);
  d[0] = 0x40 | (hdrLen >>> 2);
  d.writeUInt16BE(total, 2);
  d.writeUInt16BE(checkRange('id', o.id ?? 1, 0xffff), 4);
  d.writeUInt16BE((o.dontFragment ? 0x4000 : 0) | (o.moreFragments ? 0x2000 : 0) | (fragOffset >>> 3), 6);
  d[8] = checkRange('ttl', o.ttl ?? DEFAULT_TTL, 255);
  d[9] = checkRange('proto', o.proto, 255);
  d.set(src.bytes, 12);
  d.set(dst.bytes, 16);
  d.set(options, 20);
  d.writeUInt16BE(ipv4HeaderChecksum(d, 0, hdrLen), 10);
  d.set(o.payload, hdrLen);
  return d;
}

/** Extension header types whose data are TLV options (padded with Pad1/PadN rather than zeros). */
const OPTION_HEADERS: ReadonlySet<number> = new Set([0, 60]);

/**
 * Bytes of one IPv6 extension header: next header, length byte, then `data` (everything after the
 * first two bytes). Data are padded to the header's 8-byte unit: PadN/Pad1 options for hop-by-hop
 * and destination options, zeros otherwise. Fragment (44) data must be exactly 6 bytes; AH (51)
 * counts its length in 4-byte units minus 2 (RFC 4302).
 */
function extensionHeader(type: number, next: number, data: Uint8Array): Buffer {
  if (type === 44) {
    if (data.length !== 6) throw new RangeError(`fragment header data must be 6 bytes (offset/flags, id), got ${data.length}`);
    const h = Buffer.alloc(8);
    h[0] = next;
    h.set(data, 2);
    return h;
  }
  const len = (2 + data.length + 7) & ~7;
  if (len > 2048) throw new RangeError(`extension header ${type} of ${len} bytes is too long`);
  const h = Buffer.alloc(len);
  h[0] = next;
  h[1] = type === 51 ? len / 4 - 2 : len / 8 - 1;
  h.set(data, 2);
  const pad = len - 2 - data.length;
  if (OPTION_HEADERS.has(type) && pad > 0) {
    const at = 2 + data.length;
    if (pad === 1) h[at] = 0; // Pad1
    else {
      h[at] = 1; // PadN
      h[at + 1] = pad - 2;
    }
  }
  return h;
}

/** Builds an IPv6 datagram around `payload`, chaining the given extension headers in order. */
export function ipv6Packet(o: {
  src: string;
  dst: string;
  nextHeader: number;
  payload: Uint8Array;
  hopLimit?: number;
  extHeaders?: readonly { type: number; data: Uint8Array }[];
}): Buffer {
  const src = parseIp(o.src);
  const dst = parseIp(o.dst);
  if (src.family !== 6 || dst.family !== 6) throw new RangeError(`ipv6Packet needs IPv6 addresses, got ${o.src} -> ${o.dst}`);
  const ext = o.extHeaders ?? [];
  const parts: Buffer[] = [];
  for (let i = 0; i < ext.length; i++) {
    const next = i + 1 < ext.length ? ext[i + 1].type : o.nextHeader;
    parts.push(extensionHeader(ext[i].type, next, ext[i].data));
  }
  const extLen = parts.reduce((n, b) => n + b.length, 0);
  const payloadLen = extLen + o.payload.length;
  if (payloadLen > 0xffff) throw new RangeError(`IPv6 payload of ${payloadLen} bytes exceeds 65535 (jumbograms are not crafted)`);
  const d = Buffer.alloc(40 + payloadLen);
  d.writeUInt32BE(0x60000000, 0);
  d.writeUInt16BE(payloadLen, 4);
  d[6] = ext.length > 0 ? ext[0].type : checkRange('nextHeader', o.nextHeader, 255);
  d[7] = checkRange('hopLimit', o.hopLimit ?? DEFAULT_TTL, 255);
  d.set(src.bytes, 8);
  d.set(dst.bytes, 24);
  let at = 40;
  for (const p of parts) {
    d.set(p, at);
    at += p.length;
  }
  d.set(o.payload, at);
  return d;
}

function checkFragPayload(fragPayload: number): void {
  if (!Number.isInteger(fragPayload) || fragPayload < 8 || fragPayload % 8 !== 0) {
    throw new RangeError(`fragPayload must be a positive multiple of 8, got ${fragPayload}`);
  }
}

/**
 * Splits an IPv4 datagram into fragments carrying at most fragPayload bytes each (multiple of 8).
 * Every fragment repeats the whole header (options included); an already-fragmented datagram keeps
 * its offset base and its MF flag on the last piece.
 */
export function fragmentIpv4(datagram: Uint8Array, fragPayload: number): Buffer[] {
  checkFragPayload(fragPayload);
  const d = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (d.length < 20 || d[0] >>> 4 !== 4) throw new RangeError('fragmentIpv4 needs an IPv4 datagram');
  const hdrLen = (d[0] & 0x0f) * 4;
  const total = Math.min(d.readUInt16BE(2), d.length);
  const flagsOff = d.readUInt16BE(6);
  const baseOffset = (flagsOff & 0x1fff) * 8;
  const lastMf = (flagsOff & 0x2000) !== 0;
  const out: Buffer[] = [];
  for (let pos = hdrLen; pos < total; pos += fragPayload) {
    const end = Math.min(pos + fragPayload, total);
    const f = Buffer.alloc(hdrLen + end - pos);
    d.copy(f, 0, 0, hdrLen);
    d.copy(f, hdrLen, pos, end);
    f.writeUInt16BE(f.length, 2);
    const mf = end < total || lastMf;
    f.writeUInt16BE((flagsOff & 0x4000) | (mf ? 0x2000 : 0) | ((baseOffset + pos - hdrLen) >>> 3), 6);
    f.writeUInt16BE(ipv4HeaderChecksum(f, 0, hdrLen), 10);
    out.push(f);
  }
  return out;
}

/**
 * Splits an IPv6 datagram into fragments carrying at most fragPayload bytes each (multiple of 8).
 * The unfragmentable part (RFC 8200 section 4.5: the fixed header, hop-by-hop, routing, and
 * destination options that precede a routing header) is repeated, followed by a fragment header.
 */
export function fragmentIpv6(datagram: Uint8Array, fragPayload: number, id = 1): Buffer[] {
  checkFragPayload(fragPayload);
  const d = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (d.length < 40 || d[0] >>> 4 !== 6) throw new RangeError('fragmentIpv6 needs an IPv6 datagram');
  const end = Math.min(40 + d.readUInt16BE(4), d.length);
  // Walk the chain once to know where the last hop-by-hop or routing header ends.
  let next = d[6];
  let at = 40;
  let unfragEnd = 40;
  let unfragNextAt = 6;
  while ((next === 0 || next === 43 || next === 60) && at + 2 <= end) {
    const len = (d[at + 1] + 1) * 8;
    if (next === 0 || next === 43) {
      unfragEnd = at + len;
      unfragNextAt = at;
    }
    next = d[at];
    at += len;
  }
  const fragNext = d[unfragNextAt];
  const out: Buffer[] = [];
  for (let pos = unfragEnd; pos < end; pos += fragPayload) {
    const stop = Math.min(pos + fragPayload, end);
    const f = Buffer.alloc(unfragEnd + 8 + stop - pos);
    d.copy(f, 0, 0, unfragEnd);
    f[unfragNextAt] = 44;
    f.writeUInt16BE(f.length - 40, 4);
    f[unfragEnd] = fragNext;
    f.writeUInt16BE((pos - unfragEnd) | (stop < end ? 1 : 0), unfragEnd + 2);
    f.writeUInt32BE(id >>> 0, unfragEnd + 4);
    d.copy(f, unfragEnd + 8, pos, stop);
    out.push(f);
  }
  return out;
}

/** EtherType for an IP datagram, from its version nibble. */
function etherTypeOf(ip: Uint8Array): number {
  return ip.length > 0 && ip[0] >>> 4 === 6 ? EtherType.IPV6 : EtherType.IPV4;
}

/**
 * Wraps an IP datagram (or any payload with `etherType`) in an Ethernet II frame, with 802.1Q tags
 * outermost first. With two or more tags the outermost uses the 802.1ad TPID 0x88a8 (QinQ) and
 * the rest 0x8100. No padding to 60 bytes is added: pad the result to model a received short frame.
 */
export function ethernet(
  ipDatagram: Uint8Array,
  o?: { srcMac?: string; dstMac?: string; vlans?: readonly number[]; etherType?: number },
): Buffer {
  const vlans = o?.vlans ?? [];
  const f = Buffer.alloc(14 + 4 * vlans.length + ipDatagram.length);
  f.set(parseMac(o?.dstMac ?? DEFAULT_DST_MAC), 0);
  f.set(parseMac(o?.srcMac ?? DEFAULT_SRC_MAC), 6);
  let at = 12;
  for (let i = 0; i < vlans.length; i++) {
    f.writeUInt16BE(i === 0 && vlans.length >= 2 ? EtherType.QINQ : EtherType.VLAN, at);
    f.writeUInt16BE(checkRange('vlan id', vlans[i], 0xfff), at + 2);
    at += 4;
  }
  f.writeUInt16BE(checkRange('etherType', o?.etherType ?? etherTypeOf(ipDatagram), 0xffff), at);
  f.set(ipDatagram, at + 2);
  return f;
}

/**
 * Builds an Ethernet frame carrying an Ethernet/IPv4 ARP request (broadcast, target MAC zero) or
 * reply (to the default destination MAC, which is also the target MAC).
 */
export function arpRequest(o: { senderMac?: string; senderIp: string; targetIp: string; reply?: boolean }): Buffer {
  const sender = parseIp(o.senderIp);
  const target = parseIp(o.targetIp);
  if (sender.family !== 4 || target.family !== 4) throw new RangeError(`ARP needs IPv4 addresses, got ${o.senderIp} -> ${o.targetIp}`);
  const senderMac = o.senderMac ?? DEFAULT_SRC_MAC;
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(1, 0); // hardware type Ethernet
  arp.writeUInt16BE(EtherType.IPV4, 2);
  arp[4] = 6;
  arp[5] = 4;
  arp.writeUInt16BE(o.reply ? 2 : 1, 6);
  arp.set(parseMac(senderMac), 8);
  arp.set(sender.bytes, 14);
  if (o.reply) arp.set(parseMac(DEFAULT_DST_MAC), 18);
  arp.set(target.bytes, 24);
  return ethernet(arp, { srcMac: senderMac, dstMac: o.reply ? DEFAULT_DST_MAC : 'ff:ff:ff:ff:ff:ff', etherType: EtherType.ARP });
}

/** Wraps an IP datagram in a LINKTYPE_LINUX_SLL (cooked v1, 16-byte) header. packetType 0 = to us. */
export function linuxSll(ipDatagram: Uint8Array, o?: { packetType?: number }): Buffer {
  const f = Buffer.alloc(16 + ipDatagram.length);
  f.writeUInt16BE(checkRange('packetType', o?.packetType ?? 0, 0xffff), 0);
  f.writeUInt16BE(1, 2); // ARPHRD_ETHER
  f.writeUInt16BE(6, 4);
  f.set(parseMac(DEFAULT_SRC_MAC), 6);
  f.writeUInt16BE(etherTypeOf(ipDatagram), 14);
  f.set(ipDatagram, 16);
  return f;
}

/** Wraps an IP datagram in a LINKTYPE_LINUX_SLL2 (cooked v2, 20-byte) header. */
export function linuxSll2(ipDatagram: Uint8Array, o?: { ifindex?: number; packetType?: number }): Buffer {
  const f = Buffer.alloc(20 + ipDatagram.length);
  f.writeUInt16BE(etherTypeOf(ipDatagram), 0);
  f.writeUInt32BE((o?.ifindex ?? 1) >>> 0, 4);
  f.writeUInt16BE(1, 8); // ARPHRD_ETHER
  f[10] = checkRange('packetType', o?.packetType ?? 0, 255);
  f[11] = 6;
  f.set(parseMac(DEFAULT_SRC_MAC), 12);
  f.set(ipDatagram, 20);
  return f;
}

/** AF_INET6 as macOS writes it in loopback headers (FreeBSD uses 28, NetBSD/OpenBSD 24). */
const AF_INET6_DARWIN = 30;

/**
 * Wraps an IP datagram in a BSD loopback (LINKTYPE_NULL) header: the address family as 4 bytes in
 * the capturing host's order, little-endian unless bigEndian. AF_INET is 2; AF_INET6 is written as 30.
 * With bigEndian the bytes are also a valid LINKTYPE_LOOP header.
 */
export function nullLoopback(ipDatagram: Uint8Array, o?: { bigEndian?: boolean }): Buffer {
  const f = Buffer.alloc(4 + ipDatagram.length);
  const af = etherTypeOf(ipDatagram) === EtherType.IPV6 ? AF_INET6_DARWIN : 2;
  if (o?.bigEndian) f.writeUInt32BE(af, 0);
  else f.writeUInt32LE(af, 0);
  f.set(ipDatagram, 4);
  return f;
}
