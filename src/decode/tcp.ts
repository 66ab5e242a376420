/** TCP header decoding (RFC 9293). */
import { DecodeEvent, recordEvent } from './events.js';
import type { Packet } from './packet.js';

/** TCP option kinds whose length is fixed by their RFC, checked so a bogus length is reported. */
const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WSCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_TIMESTAMP = 8;

/**
 * Decodes the TCP header at `off` (usable bytes end at `end`): ports, flags, seq/ack as unsigned
 * numbers, window, header length, and the payload as bounded by the IP length, so Ethernet
 * padding is never payload. A bad option length is reported but the header still counts as decoded.
 */
export function decodeTcp(stats: Record<string, number>, p: Packet, buf: Buffer, off: number, end: number): void {
  if (end - off < 20) {
    recordEvent(stats, p, DecodeEvent.TCP_PKT_TOO_SMALL);
    return;
  }
  const hdrLen = (buf[off + 12] >>> 4) << 2;
  if (hdrLen < 20) {
    recordEvent(stats, p, DecodeEvent.TCP_HLEN_TOO_SMALL);
    return;
  }
  if (off + hdrLen > end) {
    recordEvent(stats, p, DecodeEvent.TCP_INVALID_OPTLEN);
    return;
  }
  p.srcPort = (buf[off] << 8) | buf[off + 1];
  p.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  p.tcpSeq = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
  p.tcpAck = ((buf[off + 8] << 24) | (buf[off + 9] << 16) | (buf[off + 10] << 8) | buf[off + 11]) >>> 0;
  p.tcpFlags = buf[off + 13];
  p.tcpWindow = (buf[off + 14] << 8) | buf[off + 15];
  p.tcpHdrLen = hdrLen;
  p.payloadOffset = off + hdrLen;
  p.payloadLen = end - off - hdrLen;
  p.hasL4 = true;
  stats.tcp++;
  if (hdrLen > 20 && !tcpOptionsValid(buf, off + 20, off + hdrLen)) recordEvent(stats, p, DecodeEvent.TCP_OPT_INVALID_LEN);
}

/** Walks the options in [at, end): false when an option's length is below 2, wrong for its kind, or runs past the header. */
function tcpOptionsValid(buf: Buffer, at: number, end: number): boolean {
  while (at < end) {
    const kind = buf[at];
    if (kind === OPT_EOL) return true;
    if (kind === OPT_NOP) {
      at++;
      continue;
    }
    if (at + 1 >= end) return false;
    const len = buf[at + 1];
    if (len < 2 || at + len > end) return false;
    if (kind === OPT_MSS && len !== 4) return false;
    if (kind === OPT_WSCALE && len !== 3) return false;
    if (kind === OPT_SACK_PERMITTED && len !== 2) return false;
    if (kind === OPT_TIMESTAMP && len !== 10) return false;
    at += len;
  }
  return true;
}

/** True when the packet's TCP header carries an option of `kind`. Read on demand, not while decoding. */
export function tcpHasOption(p: Packet, kind: number): boolean {
  return findTcpOption(p, kind) >= 0;
}

/**
 * The TSval of the packet's TCP timestamp option (RFC 7323), or -1 when it has none. Read on
 * demand (the stream stage, for PAWS), not while decoding.
 */
export function tcpTsval(p: Packet): number {
  const at = findTcpOption(p, OPT_TIMESTAMP);
  const buf = p.buf;
  return at >= 0 && buf[at + 1] === 10 ? ((buf[at + 2] << 24) | (buf[at + 3] << 16) | (buf[at + 4] << 8) | buf[at + 5]) >>> 0 : -1;
}

/**
 * The TSecr of the packet's TCP timestamp option, or -1 when it has none (see `tcpTsval`).
 */
export function tcpTsecr(p: Packet): number {
  const at = findTcpOption(p, OPT_TIMESTAMP);
  const buf = p.buf;
  return at >= 0 && buf[at + 1] === 10 ? ((buf[at + 6] << 24) | (buf[at + 7] << 16) | (buf[at + 8] << 8) | buf[at + 9]) >>> 0 : -1;
}

/** The shift count of the packet's window scale option (RFC 7323), or -1 when it has none. */
export function tcpWindowScale(p: Packet): number {
  const at = findTcpOption(p, OPT_WSCALE);
  return at >= 0 && p.buf[at + 1] === 3 ? p.buf[at + 2] : -1;
}

/** The TCP header's urgent pointer (meaningful only with URG, but sent either way). */
export function tcpUrgentPointer(p: Packet): number {
  const at = p.payloadOffset - p.tcpHdrLen;
  return (p.buf[at + 18] << 8) | p.buf[at + 19];
}

/** Offset in `p.buf` of the first TCP option of `kind` (not EOL or NOP), or -1; stops at EOL or a bad length. */
function findTcpOption(p: Packet, kind: number): number {
  const buf = p.buf;
  const end = p.payloadOffset;
  let at = end - p.tcpHdrLen + 20;
  while (at < end) {
    const k = buf[at];
    if (k === OPT_EOL) return -1;
    if (k === OPT_NOP) {
      at++;
      continue;
    }
    if (at + 1 >= end) return -1;
    const len = buf[at + 1];
    if (len < 2 || at + len > end) return -1;
    if (k === kind) return at;
    at += len;
  }
  return -1;
}
