import { CaptureError } from './capture-error.js';
import { MAX_FRAME_BYTES, type RecordFormat, u16, u32 } from './record-format.js';
import type { FrameHandler } from './source.js';

/** Byte order and timestamp unit of a classic pcap, from its magic number. */
export interface PcapVariant {
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
}

/** Classic pcap magics as they appear in the file's first four bytes, or null. */
export function pcapVariant(buf: Buffer, off: number): PcapVariant | null {
  const b0 = buf[off];
  const b1 = buf[off + 1];
  const b2 = buf[off + 2];
  const b3 = buf[off + 3];
  if (b0 === 0xd4 && b1 === 0xc3 && b2 === 0xb2 && b3 === 0xa1) return { littleEndian: true, nanosecond: false };
  if (b0 === 0xa1 && b1 === 0xb2 && b2 === 0xc3 && b3 === 0xd4) return { littleEndian: false, nanosecond: false };
  if (b0 === 0x4d && b1 === 0x3c && b2 === 0xb2 && b3 === 0xa1) return { littleEndian: true, nanosecond: true };
  if (b0 === 0xa1 && b1 === 0xb2 && b2 === 0x3c && b3 === 0x4d) return { littleEndian: false, nanosecond: true };
  return null;
}

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** The FCS bits (28-31) of the link type field say whether frames carry an FCS, not what they are. */
const LINKTYPE_MASK = 0x0fffffff;

/**
 * Classic pcap: a 24-byte file header, then records of a 16-byte header (ts_sec, ts_frac,
 * incl_len, orig_len) and incl_len bytes of frame.
 */
export class PcapFormat implements RecordFormat {
  readonly format = 'pcap';
  frames = 0;
  bytes = 0;
  readonly skippedBlocks = 0;
  damagedAt = -1;
  damagedLength = 0;
  private headerDone = false;
  private linkType = 0;
  private readonly le: boolean;
  private readonly nano: boolean;

  constructor(
    private readonly file: string,
    variant: PcapVariant,
    private readonly onFrame: FrameHandler,
  ) {
    this.le = variant.littleEndian;
    this.nano = variant.nanosecond;
  }

  recordLength(buf: Buffer, off: number, avail: number, at: number): number {
    if (!this.headerDone) return FILE_HEADER_BYTES;
    if (avail < RECORD_HEADER_BYTES) return -RECORD_HEADER_BYTES;
    const inclLen = u32(buf, off + 8, this.le);
    if (inclLen > MAX_FRAME_BYTES) {
      this.damagedAt = at;
      this.damagedLength = inclLen;
      return 0;
    }
    return RECORD_HEADER_BYTES + inclLen;
  }

  parse(buf: Buffer, off: number, end: number, base: number): number {
    if (!this.headerDone) {
      if (end - off < FILE_HEADER_BYTES) return off;
      this.readFileHeader(buf, off, base + off);
      off += FILE_HEADER_BYTES;
    }
    return this.le ? this.parseLittleEndian(buf, off, end, base) : this.parseBigEndian(buf, off, end, base);
  }

  linkTypes(): number[] {
    return this.frames > 0 ? [this.linkType] : [];
  }

  private readFileHeader(buf: Buffer, off: number, at: number): void {
    const major = u16(buf, off + 4, this.le);
    const minor = u16(buf, off + 6, this.le);
    if (major !== 2) {
      throw new CaptureError(this.file, at + 4, `${this.file}: unsupported pcap version ${major}.${minor} at byte ${at + 4} (expected 2.x)`);
    }
    this.linkType = u32(buf, off + 20, this.le) & LINKTYPE_MASK;
    this.headerDone = true;
  }

  // The two loops are the same but for byte order: one branch-free loop per order keeps the
  // header reads straight-line (bench/capture-read.bench.ts).
  private parseLittleEndian(buf: Buffer, off: number, end: number, base: number): number {
    const onFrame = this.onFrame;
    const nano = this.nano;
    const linkType = this.linkType;
    let frames = 0;
    let bytes = 0;
    while (end - off >= RECORD_HEADER_BYTES) {
      const inclLen = (buf[off + 8] | (buf[off + 9] << 8) | (buf[off + 10] << 16) | (buf[off + 11] << 24)) >>> 0;
      if (inclLen > MAX_FRAME_BYTES) {
        this.damagedAt = base + off;
        this.damagedLength = inclLen;
        break;
      }
      const data = off + RECORD_HEADER_BYTES;
      if (inclLen > end - data) break;
      const sec = (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
      const frac = (buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24)) >>> 0;
      const wireLen = (buf[off + 12] | (buf[off + 13] << 8) | (buf[off + 14] << 16) | (buf[off + 15] << 24)) >>> 0;
      if (nano) {
        const nsRem = frac % 1000;
        onFrame(buf, data, inclLen, wireLen, sec * 1e6 + (frac - nsRem) / 1000, nsRem, linkType);
      } else {
        onFrame(buf, data, inclLen, wireLen, sec * 1e6 + frac, 0, linkType);
      }
      frames++;
      bytes += inclLen;
      off = data + inclLen;
    }
    this.frames += frames;
    this.bytes += bytes;
    return off;
  }

  private parseBigEndian(buf: Buffer, off: number, end: number, base: number): number {
    const onFrame = this.onFrame;
    const nano = this.nano;
    const linkType = this.linkType;
    let frames = 0;
    let bytes = 0;
    while (end - off >= RECORD_HEADER_BYTES) {
      const inclLen = ((buf[off + 8] << 24) | (buf[off + 9] << 16) | (buf[off + 10] << 8) | buf[off + 11]) >>> 0;
      if (inclLen > MAX_FRAME_BYTES) {
        this.damagedAt = base + off;
        this.damagedLength = inclLen;
        break;
      }
      const data = off + RECORD_HEADER_BYTES;
      if (inclLen > end - data) break;
      const sec = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
      const frac = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
      const wireLen = ((buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15]) >>> 0;
      if (nano) {
        const nsRem = frac % 1000;
        onFrame(buf, data, inclLen, wireLen, sec * 1e6 + (frac - nsRem) / 1000, nsRem, linkType);
      } else {
        onFrame(buf, data, inclLen, wireLen, sec * 1e6 + frac, 0, linkType);
      }
      frames++;
      bytes += inclLen;
      off = data + inclLen;
    }
    this.frames += frames;
    this.bytes += bytes;
    return off;
  }
}
