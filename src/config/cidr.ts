/**
 * CIDR lists (allowlists, home networks) parsed once at startup and queried per packet.
 * IPv4 addresses are int32 numbers and IPv6 addresses four 32-bit big-endian words, as the
 * decoder keeps them, so a membership test is a few AND/compare steps with no allocation.
 */
import { isIP } from 'node:net';

/**
 * Why `text` is not a valid address or CIDR, or undefined when it is.
 * Accepts "10.0.0.0/8", "192.0.2.7" (a /32), "2001:db8::/32", "::1" (a /128).
 */
export function cidrProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  // Zone ids (fe80::1%eth0) name a link, not a network: they cannot be matched against packets.
  const family = addr.includes('%') ? 0 : isIP(addr);
  if (family === 0) return `"${addr}" is not an IPv4 or IPv6 address`;
  if (slash < 0) return undefined;
  const prefixText = text.slice(slash + 1);
  const maxPrefix = family === 4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    return `prefix "/${prefixText}" is not between /0 and /${maxPrefix} for IPv${family}`;
  }
  return undefined;
}

/** IPv4 dotted quad to its int32 value (as the decoder reads it with `buf.readInt32BE`). */
export function ipv4ToInt(text: string): number {
  const parts = text.split('.');
  return ((Number(parts[0]) << 24) | (Number(parts[1]) << 16) | (Number(parts[2]) << 8) | Number(parts[3])) | 0;
}

/** IPv6 text (already validated by `isIP`) to four 32-bit big-endian words written into `out`. */
export function ipv6ToWords(text: string, out: Uint32Array): void {
  const hextets = new Array<number>(8).fill(0);
  let tail = text;
  let embedded: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > 0) {
    // "::ffff:192.0.2.1": the last 32 bits are written as a dotted quad.
    embedded = ipv4ToInt(text.slice(lastColon + 1)) >>> 0;
    tail = text.slice(0, lastColon + 1) + '0:0';
  }
  const gap = tail.indexOf('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  if (gap < 0) {
    parse(tail).forEach((h, i) => (hextets[i] = h));
  } else {
    const head = parse(tail.slice(0, gap));
    const rest = parse(tail.slice(gap + 2));
    head.forEach((h, i) => (hextets[i] = h));
    rest.forEach((h, i) => (hextets[8 - rest.length + i] = h));
  }
  for (let w = 0; w < 4; w++) out[w] = ((hextets[2 * w] << 16) | hextets[2 * w + 1]) >>> 0;
  if (embedded !== undefined) out[3] = embedded;
}

/** Network mask of a prefix length within one 32-bit word (0..32 bits of that word). */
function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return -1;
  return (0xffffffff << (32 - bits)) | 0;
}

/** Parsed CIDR list answering membership for IPv4 (int32 address) and IPv6 (four 32-bit words) without allocating. */
export class CidrSet {
  /** IPv4 entries as (network, mask) pairs, both int32 so `(addr & mask) === net` compares signed values. */
  private readonly v4: Int32Array;
  /** IPv6 entries as 4 network words then 4 mask words each. */
  private readonly v6: Int32Array;
  /** Number of entries (IPv4 + IPv6). */
  readonly size: number;

  /** Parses every entry; throws an Error naming the first bad one (config validation reports them earlier, with a line). */
  constructor(cidrs: readonly string[]) {
    const v4: number[] = [];
    const v6: number[] = [];
    const words = new Uint32Array(4);
    for (const cidr of cidrs) {
      const problem = cidrProblem(cidr);
      if (problem !== undefined) throw new Error(`bad CIDR "${cidr}": ${problem}`);
      const slash = cidr.indexOf('/');
      const addr = slash < 0 ? cidr : cidr.slice(0, slash);
      if (isIP(addr) === 4) {
        const mask = wordMask(slash < 0 ? 32 : Number(cidr.slice(slash + 1)));
        // Host bits are cleared so "10.1.2.3/8" means 10.0.0.0/8, as iptables and nft read it.
        v4.push(ipv4ToInt(addr) & mask, mask);
      } else {
        const prefix = slash < 0 ? 128 : Number(cidr.slice(slash + 1));
        ipv6ToWords(addr, words);
        const masks = [0, 1, 2, 3].map((w) => wordMask(prefix - 32 * w));
        v6.push(...masks.map((m, w) => words[w] & m), ...masks);
      }
    }
    this.v4 = Int32Array.from(v4);
    this.v6 = Int32Array.from(v6);
    this.size = v4.length / 2 + v6.length / 8;
  }

  /** True when the IPv4 address (int32 or uint32, network order value) is in one of the networks. */
  has4(addr: number): boolean {
    const v4 = this.v4;
    for (let i = 0; i < v4.length; i += 2) {
      if ((addr & v4[i + 1]) === v4[i]) return true;
    }
    return false;
  }

  /**
   * True when the IPv6 address (four big-endian 32-bit words) is in one of the networks.
   * An IPv4-mapped address (::ffff:a.b.c.d) also matches the IPv4 entries, so an allowlisted
   * IPv4 host is never blocked because it reached us over a dual-stack socket.
   */
  has6(words: Uint32Array): boolean {
    const v6 = this.v6;
    const w0 = words[0];
    const w1 = words[1];
    const w2 = words[2];
    const w3 = words[3];
    for (let i = 0; i < v6.length; i += 8) {
      if (
        (w0 & v6[i + 4]) === v6[i] &&
        (w1 & v6[i + 5]) === v6[i + 1] &&
        (w2 & v6[i + 6]) === v6[i + 2] &&
        (w3 & v6[i + 7]) === v6[i + 3]
      ) {
        return true;
      }
    }
    return w0 === 0 && w1 === 0 && w2 === 0xffff && this.has4(w3);
  }

  /** Membership of an address given as text (events carry text addresses); allocates, not for the per-packet path. */
  hasAddr(text: string): boolean {
    const family = isIP(text);
    if (family === 4) return this.has4(ipv4ToInt(text));
    if (family !== 6 || text.includes('%')) return false;
    const words = new Uint32Array(4);
    ipv6ToWords(text, words);
    return this.has6(words);
  }
}
