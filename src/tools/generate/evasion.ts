/**
 * What the generator needs to know of a frame it built, and the evasions attackers use to hide
 * a payload from an IDS that looks at one packet at a time (tiny TCP segments, IP fragments),
 * that keeps bytes the receiver drops (decoy segments with a wrong checksum) or that does not
 * open tunnels (GRE).
 * Each evasion wraps an `Emit`, so any scenario block (a whole TCP conversation) can be sent
 * evasively without knowing about it; sequence numbers and checksums stay those of a real stack.
 */
import { formatIp6 } from '../../decode/packet.js';
import { ethernet, fragmentIpv4, ipv4Packet, tcpPacket } from '../craft/frame.js';
import type { Emit } from '../scenario.js';

/** The facts of a generated Ethernet frame that truth labels are made of. */
export interface FrameFacts {
  /** Source and destination address (ARP: sender and target); '' when the frame has none. */
  readonly src: string;
  readonly dst: string;
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'arp' | 'other';
  /** Bytes of transport payload (TCP/UDP data) in this frame; a fragment's whole data. */
  readonly payloadLen: number;
  /** An IPv4 fragment (MF set or offset non-zero). */
  readonly fragment: boolean;
}

function v4Text(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

const PROTOCOLS: Readonly<Record<number, FrameFacts['protocol']>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp' };

const GRE_IPV4 = Buffer.from([0x00, 0x00, 0x08, 0x00]);

/**
 * Reads the facts of an Ethernet II frame (no VLAN tags: the generator writes none); of the
 * datagram inside for the GRE tunnels `greTunnel` makes.
 */
export function frameFacts(frame: Buffer): FrameFacts {
  const etherType = frame.readUInt16BE(12);
  if (etherType === 0x0806) return { src: v4Text(frame, 28), dst: v4Text(frame, 38), protocol: 'arp', payloadLen: 0, fragment: false };
  if (etherType === 0x0800) {
    const hdrLen = (frame[14] & 0x0f) * 4;
    if (frame[23] === 47 && frame.subarray(14 + hdrLen, 18 + hdrLen).equals(GRE_IPV4)) {
      return frameFacts(Buffer.concat([frame.subarray(0, 14), frame.subarray(18 + hdrLen)]));
    }
    const total = frame.readUInt16BE(16);
    const proto = frame[23];
    const flagsOff = frame.readUInt16BE(20);
    const fragment = (flagsOff & 0x3fff) !== 0;
    const l4 = 14 + hdrLen;
    let payloadLen = total - hdrLen;
    if (!fragment && proto === 6) payloadLen -= (frame[l4 + 12] >>> 4) * 4;
    else if (!fragment && proto === 17) payloadLen -= 8;
    return { src: v4Text(frame, 26), dst: v4Text(frame, 30), protocol: PROTOCOLS[proto] ?? 'other', payloadLen, fragment };
  }
  if (etherType === 0x86dd) {
    const proto = frame[20];
    const plen = frame.readUInt16BE(18);
    const l4 = 54;
    let payloadLen = plen;
    if (proto === 6) payloadLen -= (frame[l4 + 12] >>> 4) * 4;
    else if (proto === 17) payloadLen -= 8;
    const text = (at: number): string => formatIp6([0, 4, 8, 12].map((i) => frame.readUInt32BE(at + i)));
    return { src: text(22), dst: text(38), protocol: PROTOCOLS[proto] ?? 'other', payloadLen, fragment: false };
  }
  return { src: '', dst: '', protocol: 'other', payloadLen: 0, fragment: false };
}

/**
 * Sends every TCP segment from `from` that carries data as segments of at most `size` bytes
 * (consecutive sequence numbers, 10 µs apart; PSH only on the last), as fragroute's
 * `tcp_seg` does. Other frames pass unchanged.
 */
export function splitSegments(emit: Emit, o: { from: string; size: number }): Emit {
  return (frame, tsUs) => {
    const f = frameFacts(frame);
    if (f.protocol !== 'tcp' || f.fragment || f.src !== o.from || f.payloadLen <= o.size || frame.readUInt16BE(12) !== 0x0800) {
      emit(frame, tsUs);
      return;
    }
    const l4 = 14 + (frame[14] & 0x0f) * 4;
    const dataAt = l4 + (frame[l4 + 12] >>> 4) * 4;
    const data = frame.subarray(dataAt, dataAt + f.payloadLen);
    const seq = frame.readUInt32BE(l4 + 4);
    const base = { src: f.src, dst: f.dst, sport: frame.readUInt16BE(l4), dport: frame.readUInt16BE(l4 + 2), ack: frame.readUInt32BE(l4 + 8), window: frame.readUInt16BE(l4 + 14) };
    const flags = frame[l4 + 13];
    for (let off = 0, i = 0; off < data.length; off += o.size, i++) {
      const last = off + o.size >= data.length;
      const piece = data.subarray(off, off + o.size);
      emit(ethernet(tcpPacket({ ...base, seq: (seq + off) >>> 0, flags: last ? flags : flags & ~0x08, payload: piece })), tsUs + i * 10);
    }
  };
}

/**
 * Sends every IPv4 datagram from `from` that carries TCP data as fragments of `fragPayload`
 * bytes (a multiple of 8), in order, 10 µs apart, as fragroute's `ip_frag` does. Each
 * fragmented datagram gets its own IP id, so fragments of different datagrams never mix.
 */
export function fragmentDatagrams(emit: Emit, o: { from: string; fragPayload: number }): Emit {
  let id = 0x4000;
  return (frame, tsUs) => {
    const f = frameFacts(frame);
    if (f.protocol !== 'tcp' || f.fragment || f.src !== o.from || f.payloadLen === 0 || frame.readUInt16BE(12) !== 0x0800) {
      emit(frame, tsUs);
      return;
    }
    const datagram = Buffer.from(frame.subarray(14));
    datagram.writeUInt16BE(id++ & 0xffff, 4);
    fragmentIpv4(datagram, o.fragPayload).forEach((piece, i) => emit(ethernet(piece), tsUs + i * 10));
  };
}

/**
 * Sends, before every IPv4 TCP segment from `from` that carries data, a decoy of the same length
 * at the same sequence number whose TCP checksum is wrong (fragroute's `tcp_chaff cksum`): the
 * receiver drops it, and an IDS that keeps the first copy of each byte reads the decoy instead of
 * the request (insertion, Ptacek & Newsham 1998). The decoy reads as a request for /index.html.
 */
export function insertDecoys(emit: Emit, o: { from: string }): Emit {
  return (frame, tsUs) => {
    const f = frameFacts(frame);
    if (f.protocol !== 'tcp' || f.fragment || f.src !== o.from || f.payloadLen === 0 || frame.readUInt16BE(12) !== 0x0800) {
      emit(frame, tsUs);
      return;
    }
    const l4 = 14 + (frame[14] & 0x0f) * 4;
    const text = 'GET /index.html HTTP/1.1\r\nHost: intranet.corp.example\r\nX-Pad: ';
    const decoyText = (text + 'a'.repeat(Math.max(0, f.payloadLen))).slice(0, f.payloadLen);
    const decoy = ethernet(tcpPacket({
      src: f.src, dst: f.dst, sport: frame.readUInt16BE(l4), dport: frame.readUInt16BE(l4 + 2),
      seq: frame.readUInt32BE(l4 + 4), ack: frame.readUInt32BE(l4 + 8), window: frame.readUInt16BE(l4 + 14), flags: frame[l4 + 13],
      payload: Buffer.from(decoyText, 'latin1'),
    }));
    const at = 14 + 20 + 16;
    decoy.writeUInt16BE(decoy.readUInt16BE(at) ^ 0x5a5a, at);
    emit(decoy, tsUs);
    emit(frame, tsUs + 10);
  };
}

/**
 * Sends every IPv4 frame between `a` and `b` (either way) inside GRE between the same two hosts,
 * as a host-to-host tunnel (`ip tunnel add … mode gre`) carries it: an IDS that stops at the
 * outer header sees protocol 47 and nothing else.
 */
export function greTunnel(emit: Emit, o: { a: string; b: string }): Emit {
  return (frame, tsUs) => {
    const f = frameFacts(frame);
    const between = (f.src === o.a && f.dst === o.b) || (f.src === o.b && f.dst === o.a);
    if (!between || frame.readUInt16BE(12) !== 0x0800) {
      emit(frame, tsUs);
      return;
    }
    const outer = ipv4Packet({ src: f.src, dst: f.dst, proto: 47, payload: Buffer.concat([GRE_IPV4, frame.subarray(14)]) });
    emit(ethernet(outer), tsUs);
  };
}
