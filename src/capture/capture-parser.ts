import { CaptureError } from './capture-error.js';
import { PcapFormat, pcapVariant } from './pcap-format.js';
import { PcapngFormat } from './pcapng-format.js';
import { MAX_FRAME_BYTES, type RecordFormat, hex4 } from './record-format.js';
import type { FrameHandler } from './source.js';

/**
 * A record with an absurd length followed by more than this many bytes is corruption inside the
 * capture (CaptureError); followed by fewer, it is the damaged tail of a file cut while being
 * written, and is reported like any other truncation.
 */
export const DAMAGED_TAIL_BYTES = MAX_FRAME_BYTES + 16;

const INITIAL_CARRY_BYTES = 64 * 1024;

/**
 * Synchronous capture parser fed with chunks of the (uncompressed) byte stream. It sniffs the
 * format from the first four bytes, parses whole records straight out of each chunk and copies a
 * record cut by a chunk boundary once into a carry buffer, completing it from the next chunk(s).
 * Chunks may be reused by the caller as soon as feed() returns.
 */
export class CaptureParser {
  /** Records completed in the carry buffer (they straddled a chunk boundary). */
  carriedRecords = 0;
  private fmt: RecordFormat | null = null;
  private streamPos = 0;
  private carry: Buffer = Buffer.allocUnsafe(INITIAL_CARRY_BYTES);
  private carryLen = 0;
  private carryAt = 0;
  private draining = false;

  /**
   * @param file named in every error and warning
   * @param compressed only changes the wording of messages (offsets are in the gunzipped stream)
   */
  constructor(
    private readonly file: string,
    private readonly onFrame: FrameHandler,
    private readonly compressed = false,
  ) {}

  /** Format sniffed from the magic, or null before four bytes have been fed. */
  get format(): 'pcap' | 'pcapng' | null {
    return this.fmt === null ? null : this.fmt.format;
  }

  /** Bytes of the stream fed so far. */
  get position(): number {
    return this.streamPos;
  }

  /** Frames delivered so far. */
  get frames(): number {
    return this.fmt === null ? 0 : this.fmt.frames;
  }

  /** Sum of the captured lengths of the frames delivered so far. */
  get bytes(): number {
    return this.fmt === null ? 0 : this.fmt.bytes;
  }

  /** pcapng blocks skipped (name resolution, statistics, custom, ...). */
  get skippedBlocks(): number {
    return this.fmt === null ? 0 : this.fmt.skippedBlocks;
  }

  /** Distinct link types of the frames delivered. */
  linkTypes(): number[] {
    return this.fmt === null ? [] : this.fmt.linkTypes();
  }

  /** Parses buf[0, end): delivers every frame completed by it and keeps the cut tail. */
  feed(buf: Buffer, end: number): void {
    const base = this.streamPos;
    this.streamPos = base + end;
    if (end === 0) return;
    if (this.draining) {
      this.checkDamagedTail();
      return;
    }
    let off = 0;
    if (this.carryLen > 0) {
      off = this.completeCarry(buf, end);
      if (off < 0) return;
    } else if (this.fmt === null) {
      if (end < 4) {
        this.stash(buf, 0, end, base);
        return;
      }
      this.fmt = this.sniff(buf, 0);
    }
    const fmt = this.fmt as RecordFormat;
    const stop = fmt.parse(buf, off, end, base);
    if (fmt.damagedAt >= 0) {
      this.draining = true;
      this.checkDamagedTail();
    } else if (stop < end) {
      this.stash(buf, stop, end, base + stop);
    }
  }

  /**
   * Ends the stream. Throws CaptureError when it never looked like a capture; returns the
   * truncation warning (and offset) when the last record is incomplete, or null.
   * @param streamCut the byte source itself ended early (a cut gzip member)
   */
  finish(streamCut = false): { readonly truncatedAt: number; readonly message: string } | null {
    const gz = this.compressed ? ' gunzipped' : '';
    if (this.fmt === null) {
      if (this.streamPos === 0) {
        throw new CaptureError(this.file, 0, `${this.file}: not a pcap or pcapng capture (empty${gz} file)`);
      }
      throw new CaptureError(
        this.file,
        0,
        `${this.file}: not a pcap or pcapng capture (${this.streamPos}${gz} bytes, too short for a capture header)`,
      );
    }
    const cut = streamCut ? '; gzip stream cut' : '';
    if (this.draining) {
      const fmt = this.fmt;
      return {
        truncatedAt: fmt.damagedAt,
        message:
          `${this.file}: capture truncated at byte ${fmt.damagedAt} (record claims ${fmt.damagedLength} bytes, ` +
          `past the end of the capture${cut}); analysed up to there`,
      };
    }
    if (this.carryLen > 0) {
      const len = this.fmt.recordLength(this.carry, 0, this.carryLen, this.carryAt);
      const what = len > 0 ? `record of ${len} bytes` : `record header of ${-len} bytes`;
      return {
        truncatedAt: this.carryAt,
        message: `${this.file}: capture truncated at byte ${this.carryAt} (${what} cut short${cut}); analysed up to there`,
      };
    }
    if (streamCut) {
      return {
        truncatedAt: this.streamPos,
        message: `${this.file}: capture truncated at byte ${this.streamPos} (gzip stream cut between records); analysed up to there`,
      };
    }
    return null;
  }

  private sniff(buf: Buffer, off: number): RecordFormat {
    const variant = pcapVariant(buf, off);
    if (variant !== null) return new PcapFormat(this.file, variant, this.onFrame);
    if (buf[off] === 0x0a && buf[off + 1] === 0x0d && buf[off + 2] === 0x0d && buf[off + 3] === 0x0a) {
      return new PcapngFormat(this.file, this.onFrame);
    }
    const where = this.compressed ? 'byte 0 of the gunzipped data' : 'byte 0';
    throw new CaptureError(this.file, 0, `${this.file}: not a pcap or pcapng capture (unknown magic ${hex4(buf, off, 4)} at ${where})`);
  }

  /**
   * Completes the record held in the carry buffer from buf, delivers it, and returns the offset
   * in buf where whole records resume; -1 when buf was used up first.
   */
  private completeCarry(buf: Buffer, end: number): number {
    let off = 0;
    for (;;) {
      let len: number;
      if (this.fmt === null) {
        len = -4;
        if (this.carryLen >= 4) {
          this.fmt = this.sniff(this.carry, 0);
          continue;
        }
      } else {
        len = this.fmt.recordLength(this.carry, 0, this.carryLen, this.carryAt);
      }
      if (len === 0) {
        this.draining = true;
        this.checkDamagedTail();
        return -1;
      }
      const want = len < 0 ? -len : len;
      if (this.carryLen < want) {
        const take = Math.min(want - this.carryLen, end - off);
        this.ensureCarry(want);
        buf.copy(this.carry, this.carryLen, off, off + take);
        this.carryLen += take;
        off += take;
        if (this.carryLen < want) return -1;
        if (len < 0) continue;
      }
      (this.fmt as RecordFormat).parse(this.carry, 0, len, this.carryAt);
      this.carryLen = 0;
      this.carriedRecords++;
      return off;
    }
  }

  /** Keeps buf[from, end) (the start of a record cut by the chunk end) for the next feed. */
  private stash(buf: Buffer, from: number, end: number, at: number): void {
    this.ensureCarry(end - from);
    buf.copy(this.carry, 0, from, end);
    this.carryLen = end - from;
    this.carryAt = at;
  }

  private ensureCarry(size: number): void {
    if (size <= this.carry.length) return;
    let next = this.carry.length * 2;
    while (next < size) next *= 2;
    const grown = Buffer.allocUnsafe(next);
    this.carry.copy(grown, 0, 0, this.carryLen);
    this.carry = grown;
  }

  private checkDamagedTail(): void {
    const fmt = this.fmt as RecordFormat;
    if (this.streamPos - fmt.damagedAt > DAMAGED_TAIL_BYTES) {
      throw new CaptureError(
        this.file,
        fmt.damagedAt,
        `${this.file}: corrupt record at byte ${fmt.damagedAt}: its length field says ${fmt.damagedLength} bytes ` +
          `(the limit is ${fmt.format === 'pcap' ? MAX_FRAME_BYTES : '16 MiB'}) and the capture goes on past it`,
      );
    }
  }
}
