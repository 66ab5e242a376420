/**
 * HPACK (RFC 7541), the decoding side: the header blocks of one direction of an HTTP/2
 * connection, in order, into name/value pairs (latin1 strings, as HTTP/1 heads are read). The
 * dynamic table is bounded as the receiving side bounds it: 4096 bytes unless that side's
 * SETTINGS allow more (`setLimit`), and never more than MAX_TABLE_SIZE, so that a connection
 * cannot make it grow without end.
 * Any malformed block makes `decode` return null; the table is then out of step with the
 * sender's, so the caller stops reading the connection.
 */

/** The static table (RFC 7541 Appendix A), index 1 first. */
const STATIC: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'], [':scheme', 'http'], [':scheme', 'https'],
  [':status', '200'], [':status', '204'], [':status', '206'], [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'],
  ['accept-charset', ''], ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''], ['content-disposition', ''],
  ['content-encoding', ''], ['content-language', ''], ['content-length', ''], ['content-location', ''], ['content-range', ''], ['content-type', ''],
  ['cookie', ''], ['date', ''], ['etag', ''], ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''], ['location', ''], ['max-forwards', ''],
  ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''], ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''],
  ['set-cookie', ''], ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''], ['www-authenticate', ''],
];

/** Largest dynamic table a size update may set. */
const MAX_TABLE_SIZE = 65536;

/**
 * The Huffman code (RFC 7541 Appendix B) of each byte value, and its length in bits. EOS (30 ones)
 * is no symbol of a valid string: only a prefix of it pads the last byte.
 */
const HUFFMAN_CODES: readonly number[] = [
  0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7, 0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec,
  0xfffffed, 0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3, 0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb,
  0x14, 0x3f8, 0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa, 0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18,
  0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb, 0x3fc,
  0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
  0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22,
  0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26, 0x27, 0x6, 0x74, 0x75, 0x28, 0x29, 0x2a, 0x7,
  0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd, 0x1ffd, 0xffffffc,
  0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9, 0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf,
  0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3, 0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef,
  0x3fffda, 0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde, 0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec,
  0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef, 0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1,
  0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2, 0x3fffe8, 0x1ffffec, 0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed,
  0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2, 0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4, 0x7ffffe5,
  0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3, 0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4,
  0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea, 0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee,
];
const HUFFMAN_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
];

/** Decoding tree of the Huffman code: node k's children at 2k and 2k+1; a leaf holds -(symbol + 1). */
const HUFFMAN_TREE: Int32Array = (() => {
  const tree: number[] = [0, 0];
  for (let sym = 0; sym < 256; sym++) {
    const code = HUFFMAN_CODES[sym];
    const len = HUFFMAN_LENGTHS[sym];
    let node = 0;
    for (let b = len - 1; b >= 0; b--) {
      const slot = node * 2 + ((code >>> b) & 1);
      if (b === 0) {
        tree[slot] = -(sym + 1);
      } else {
        if (tree[slot] === 0) {
          tree[slot] = tree.length / 2;
          tree.push(0, 0);
        }
        node = tree[slot];
      }
    }
  }
  return Int32Array.from(tree);
})();

/** A Huffman-coded string (RFC 7541 §5.2) as latin1, or null when it is not one (bad padding, EOS). */
export function huffmanDecode(buf: Uint8Array, from: number, to: number): string | null {
  let out = '';
  let node = 0;
  // Bits read since the last symbol, and whether all were ones (padding is a prefix of EOS).
  let pending = 0;
  let allOnes = true;
  for (let i = from; i < to; i++) {
    const byte = buf[i];
    for (let b = 7; b >= 0; b--) {
      const bit = (byte >>> b) & 1;
      const next = HUFFMAN_TREE[node * 2 + bit];
      pending++;
      allOnes = allOnes && bit === 1;
      if (next < 0) {
        out += String.fromCharCode(-next - 1);
        node = 0;
        pending = 0;
        allOnes = true;
      } else if (next === 0) {
        return null;
      } else {
        node = next;
      }
    }
  }
  return pending <= 7 && allOnes ? out : null;
}

/** One direction's HPACK decoder: the dynamic table it keeps between header blocks. */
export class HpackDecoder {
  /** Newest entry first. */
  private readonly table: [string, string][] = [];
  private size = 0;
  private maxSize = 4096;
  /** The largest size an update may set: SETTINGS_HEADER_TABLE_SIZE of the receiving side. */
  private limit = 4096;
  private pos = 0;

  /** The receiving side announced SETTINGS_HEADER_TABLE_SIZE `n`. */
  setLimit(n: number): void {
    this.limit = Math.min(n, MAX_TABLE_SIZE);
  }

  /** The fields of one header block, or null when it is malformed. */
  decode(buf: Uint8Array, from: number, to: number): [string, string][] | null {
    const out: [string, string][] = [];
    this.pos = from;
    while (this.pos < to) {
      const b = buf[this.pos];
      if (b & 0x80) {
        const entry = this.entry(this.integer(buf, to, 7));
        if (entry === null) return null;
        out.push([entry[0], entry[1]]);
      } else if ((b & 0xe0) === 0x20) {
        const size = this.integer(buf, to, 5);
        if (size < 0 || size > this.limit) return null;
        this.maxSize = size;
        this.evict(0);
      } else {
        // A literal: with incremental indexing (01), without (0000) or never indexed (0001).
        const indexing = (b & 0xc0) === 0x40;
        const index = this.integer(buf, to, indexing ? 6 : 4);
        if (index < 0) return null;
        let name: string | null;
        if (index === 0) name = this.string(buf, to);
        else name = this.entry(index)?.[0] ?? null;
        if (name === null) return null;
        const value = this.string(buf, to);
        if (value === null) return null;
        out.push([name, value]);
        if (indexing) this.add(name, value);
      }
    }
    return out;
  }

  /** An integer with an N-bit prefix (RFC 7541 §5.1), or -1 when cut short or too large. */
  private integer(buf: Uint8Array, to: number, prefix: number): number {
    if (this.pos >= to) return -1;
    const max = (1 << prefix) - 1;
    let n = buf[this.pos++] & max;
    if (n < max) return n;
    let shift = 0;
    for (;;) {
      if (this.pos >= to || shift > 28) return -1;
      const b = buf[this.pos++];
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return n;
    }
  }

  private string(buf: Uint8Array, to: number): string | null {
    if (this.pos >= to) return null;
    const huffman = (buf[this.pos] & 0x80) !== 0;
    const len = this.integer(buf, to, 7);
    if (len < 0 || this.pos + len > to) return null;
    const start = this.pos;
    this.pos += len;
    return huffman ? huffmanDecode(buf, start, start + len) : Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('latin1');
  }

  private entry(index: number): readonly [string, string] | null {
    if (index <= 0) return null;
    if (index <= STATIC.length) return STATIC[index - 1];
    return this.table[index - STATIC.length - 1] ?? null;
  }

  private add(name: string, value: string): void {
    const size = name.length + value.length + 32;
    this.evict(size);
    if (size > this.maxSize) return;
    this.table.unshift([name, value]);
    this.size += size;
  }

  /** Evicts the oldest entries until `room` more bytes fit. */
  private evict(room: number): void {
    while (this.table.length > 0 && this.size + room > this.maxSize) {
      const [n, v] = this.table.pop() as [string, string];
      this.size -= n.length + v.length + 32;
    }
  }
}
