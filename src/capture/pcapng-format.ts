import { CaptureError } from './capture-error.js';
import { type RecordFormat, hex4, u16, u32 } from './record-format.js';
import type { FrameHandler } from './source.js';

/** Block types (pcapng spec, section 4 and appendix). */
const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const OPB = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;

/** Wireshark's limit too: a bigger block is a damaged length field, not data. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** How an interface's 64-bit timestamps become microseconds; chosen once per IDB. */
const TS_MULTIPLY = 0; // 10^-k, k <= 6: units * (10^(6-k))
const TS_DIVIDE = 1; // 10^-k, 7 <= k <= 17: exact long division by 10^(k-6)
const TS_SHIFT = 2; // 2^-k, k <= 32: seconds and binary fraction
const TS_APPROX = 3; // anything finer: float arithmetic, sub-µs part dropped

const TWO32 = 4294967296;

/**
 * pcapng: a sequence of sections, each an SHB (which sets the byte order) followed by IDBs
 * (one per interface: link type, snaplen, timestamp resolution and offset) and packet blocks
 * (EPB, SPB, OPB). Other blocks are skipped by their length.
 */
export class PcapngFormat implements RecordFormat {
  readonly format = 'pcapng';
  frames = 0;
  bytes = 0;
  skippedBlocks = 0;
  damagedAt = -1;
  damagedLength = 0;
  private le = true;
  private ifCount = 0;
  // Per-interface tables of the current section, as parallel arrays (no object per lookup).
  private readonly ifLinkType: number[] = [];
  private readonly ifSnaplen: number[] = [];
  private readonly ifMode: number[] = [];
  private readonly ifScale: number[] = [];
  private readonly ifNsMul: number[] = [];
  private readonly ifNsDiv: number[] = [];
  private readonly ifOffsetUs: number[] = [];
  private readonly ifSeen: boolean[] = [];
  private readonly seenLinkTypes: number[] = [];
  // Output of convertTimestamp, kept in fields so the conversion returns two numbers without an object.
  private tsUs = 0;
  private tsNsRem = 0;

  constructor(
    private readonly file: string,
    private readonly onFrame: FrameHandler,
  ) {}

  recordLength(buf: Buffer, off: number, avail: number, at: number): number {
    if (avail < 8) return -8;
    let le = this.le;
    const type = u32(buf, off, le);
    if (type === SHB) {
      if (avail < 12) return -12;
      le = this.sectionByteOrder(buf, off + 8, at);
    }
    const len = u32(buf, off + 4, le);
    return this.checkLength(type, len, at) ? len : 0;
  }

  parse(buf: Buffer, off: number, end: number, base: number): number {
    while (end - off >= 12) {
      let le = this.le;
      const type = u32(buf, off, le);
      if (type === SHB) le = this.sectionByteOrder(buf, off + 8, base + off);
      const len = u32(buf, off + 4, le);
      if (len < 32 || len > MAX_BLOCK_BYTES || (len & 3) !== 0) {
        if (!this.checkLength(type, len, base + off)) break;
      }
      if (len > end - off) break;
      if (u32(buf, off + len - 4, le) !== len) {
        throw new CaptureError(
          this.file,
          base + off,
          `${this.file}: block at byte ${base + off} has total length ${len} at its start but ${u32(buf, off + len - 4, le)} at its end`,
        );
      }
      if (type === EPB) {
        this.packetBlock(buf, off, len, base, u32(buf, off + 8, le), le);
      } else if (type === SHB) {
        this.sectionHeader(buf, off, le, base + off);
      } else if (type === IDB) {
        this.interfaceDescription(buf, off, len, base + off);
      } else if (type === SPB) {
        this.simplePacketBlock(buf, off, len, base + off);
      } else if (type === OPB) {
        this.packetBlock(buf, off, len, base, u16(buf, off + 8, le), le);
      } else {
        this.skippedBlocks++;
      }
      off += len;
    }
    return off;
  }

  linkTypes(): number[] {
    return this.seenLinkTypes.slice();
  }

  /** EPB and OPB share the layout after their interface id: ts high, ts low, caplen, wire len, data. */
  private packetBlock(buf: Buffer, off: number, len: number, base: number, iface: number, le: boolean): void {
    if (iface >= this.ifCount) this.unknownInterface(iface, base + off);
    const capLen = u32(buf, off + 20, le);
    if (capLen > len - 32) {
      throw new CaptureError(
        this.file,
        base + off,
        `${this.file}: packet block at byte ${base + off} claims ${capLen} captured bytes but has room for ${len - 32}`,
      );
    }
    this.convertTimestamp(iface, u32(buf, off + 12, le), u32(buf, off + 16, le));
    if (!this.ifSeen[iface]) this.markSeen(iface);
    this.frames++;
    this.bytes += capLen;
    this.onFrame(buf, off + 28, capLen, u32(buf, off + 24, le), this.tsUs, this.tsNsRem, this.ifLinkType[iface]);
  }

  /** SPB: interface 0, no timestamp (delivered as 0), data cut to the interface's snaplen. */
  private simplePacketBlock(buf: Buffer, off: number, len: number, at: number): void {
    if (this.ifCount === 0) this.unknownInterface(0, at);
    const wireLen = u32(buf, off + 8, this.le);
    const snaplen = this.ifSnaplen[0];
    let capLen = len - 16 < wireLen ? len - 16 : wireLen;
    if (snaplen !== 0 && snaplen < capLen) capLen = snaplen;
    if (!this.ifSeen[0]) this.markSeen(0);
    this.frames++;
    this.bytes += capLen;
    this.onFrame(buf, off + 12, capLen, wireLen, 0, 0, this.ifLinkType[0]);
  }

  private sectionHeader(buf: Buffer, off: number, le: boolean, at: number): void {
    const major = u16(buf, off + 12, le);
    if (major !== 1) {
      const minor = u16(buf, off + 14, le);
      throw new CaptureError(this.file, at, `${this.file}: unsupported pcapng version ${major}.${minor} in section header at byte ${at} (expected 1.x)`);
    }
    // Interface ids are per section: a new section starts a new interface list.
    this.le = le;
    this.ifCount = 0;
  }

  private interfaceDescription(buf: Buffer, off: number, len: number, at: number): void {
    const le = this.le;
    const i = this.ifCount++;
    this.ifLinkType[i] = u16(buf, off + 8, le);
    this.ifSnaplen[i] = u32(buf, off + 12, le);
    this.ifSeen[i] = false;
    let tsresol = 6;
    let offsetSec = 0;
    const optEnd = off + len - 4;
    let opt = off + 16;
    while (optEnd - opt >= 4) {
      const code = u16(buf, opt, le);
      const optLen = u16(buf, opt + 2, le);
      if (code === OPT_ENDOFOPT) break;
      if (optLen > optEnd - opt - 4) {
        throw new CaptureError(
          this.file,
          at + (opt - off),
          `${this.file}: interface description block at byte ${at}: option ${code} at byte ${at + (opt - off)} runs past the block`,
        );
      }
      if (code === OPT_IF_TSRESOL && optLen >= 1) tsresol = buf[opt + 4];
      else if (code === OPT_IF_TSOFFSET && optLen >= 8) {
        // Signed 64-bit seconds: the high word carries the sign.
        const hi = u32(buf, opt + 4 + (le ? 4 : 0), le) | 0;
        const lo = u32(buf, opt + 4 + (le ? 0 : 4), le);
        offsetSec = hi * TWO32 + lo;
      }
      opt += 4 + ((optLen + 3) & ~3);
    }
    this.setResolution(i, tsresol);
    this.ifOffsetUs[i] = offsetSec * 1e6;
  }

  /** Picks the exact integer conversion for an if_tsresol byte (bit 7: power of 2, else of 10). */
  private setResolution(i: number, tsresol: number): void {
    const k = tsresol & 0x7f;
    if ((tsresol & 0x80) === 0) {
      if (k <= 6) {
        this.ifMode[i] = TS_MULTIPLY;
        this.ifScale[i] = 10 ** (6 - k);
      } else if (k <= 17) {
        // Long division in 16-bit limbs needs remainder * 65536 below 2^53: divisor up to 10^11.
        this.ifMode[i] = TS_DIVIDE;
        this.ifScale[i] = 10 ** (k - 6);
        this.ifNsMul[i] = k <= 9 ? 10 ** (9 - k) : 1;
        this.ifNsDiv[i] = k <= 9 ? 1 : 10 ** (k - 9);
      } else {
        this.ifMode[i] = TS_APPROX;
        this.ifScale[i] = 10 ** (6 - k);
      }
    } else if (k <= 32) {
      this.ifMode[i] = TS_SHIFT;
      this.ifScale[i] = 2 ** k;
      // ns = frac * 1e9 / 2^k, kept exact: 1e9 = 1953125 * 2^9, and frac * 1953125 < 2^53 for k <= 32.
      this.ifNsMul[i] = k <= 9 ? 1e9 : 1953125;
      this.ifNsDiv[i] = k <= 9 ? 2 ** k : 2 ** (k - 9);
    } else {
      this.ifMode[i] = TS_APPROX;
      this.ifScale[i] = 1e6 / 2 ** k;
    }
  }

  /** Sets tsUs / tsNsRem from a 64-bit timestamp in the interface's units, without BigInt. */
  private convertTimestamp(iface: number, hi: number, lo: number): void {
    const mode = this.ifMode[iface];
    const scale = this.ifScale[iface];
    if (mode === TS_MULTIPLY) {
      this.tsUs = (hi * TWO32 + lo) * scale + this.ifOffsetUs[iface];
      this.tsNsRem = 0;
    } else if (mode === TS_DIVIDE) {
      const qHi = Math.floor(hi / scale);
      let rem = hi - qHi * scale;
      let x = rem * 65536 + (lo >>> 16);
      let qMid = Math.floor(x / scale);
      rem = x - qMid * scale;
      if (rem < 0) {
        qMid--;
        rem += scale;
      }
      x = rem * 65536 + (lo & 0xffff);
      let qLow = Math.floor(x / scale);
      rem = x - qLow * scale;
      if (rem < 0) {
        qLow--;
        rem += scale;
      }
      this.tsUs = qHi * TWO32 + qMid * 65536 + qLow + this.ifOffsetUs[iface];
      this.tsNsRem = Math.floor((rem * this.ifNsMul[iface]) / this.ifNsDiv[iface]);
    } else if (mode === TS_SHIFT) {
      const qLo = Math.floor(lo / scale);
      const frac = lo - qLo * scale;
      const ns = Math.floor((frac * this.ifNsMul[iface]) / this.ifNsDiv[iface]);
      const nsRem = ns % 1000;
      this.tsUs = (hi * (TWO32 / scale) + qLo) * 1e6 + (ns - nsRem) / 1000 + this.ifOffsetUs[iface];
      this.tsNsRem = nsRem;
    } else {
      this.tsUs = Math.floor((hi * TWO32 + lo) * scale) + this.ifOffsetUs[iface];
      this.tsNsRem = 0;
    }
  }

  private markSeen(iface: number): void {
    this.ifSeen[iface] = true;
    const linkType = this.ifLinkType[iface];
    if (!this.seenLinkTypes.includes(linkType)) this.seenLinkTypes.push(linkType);
  }

  /** Byte order of a section from its byte-order magic (0x1A2B3C4D as written by the producer). */
  private sectionByteOrder(buf: Buffer, off: number, at: number): boolean {
    const b0 = buf[off];
    if (b0 === 0x4d && buf[off + 1] === 0x3c && buf[off + 2] === 0x2b && buf[off + 3] === 0x1a) return true;
    if (b0 === 0x1a && buf[off + 1] === 0x2b && buf[off + 2] === 0x3c && buf[off + 3] === 0x4d) return false;
    throw new CaptureError(
      this.file,
      at + 8,
      `${this.file}: section header block at byte ${at} has bad byte-order magic ${hex4(buf, off, 4)} at byte ${at + 8}`,
    );
  }

  /**
   * Validates a block's total length: throws for one that cannot be (not a multiple of 4, below
   * the block's fixed fields); returns false, marking the block damaged, for one too big to be
   * anything but a corrupt field (the driver then decides between damaged tail and corruption).
   */
  private checkLength(type: number, len: number, at: number): boolean {
    const min = type === SHB ? 28 : type === IDB ? 20 : type === EPB || type === OPB ? 32 : type === SPB ? 16 : 12;
    if (len < min || (len & 3) !== 0) {
      throw new CaptureError(
        this.file,
        at,
        `${this.file}: bad block total length ${len} at byte ${at} (block type 0x${type.toString(16)} needs a multiple of 4, at least ${min})`,
      );
    }
    if (len > MAX_BLOCK_BYTES) {
      this.damagedAt = at;
      this.damagedLength = len;
      return false;
    }
    return true;
  }

  private unknownInterface(iface: number, at: number): never {
    throw new CaptureError(
      this.file,
      at,
      `${this.file}: packet block at byte ${at} names interface ${iface}, but its section describes ${this.ifCount} interface(s)`,
    );
  }
}
