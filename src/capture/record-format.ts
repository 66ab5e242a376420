/**
 * The contract between the chunk driver (capture-parser.ts) and one capture format. A format
 * knows how its records are framed and turns whole records into frame callbacks; the driver owns
 * chunking, the carry-over of records cut by a chunk boundary, and end-of-stream handling.
 */
export interface RecordFormat {
  /** Container format, as reported in ReadResult. */
  readonly format: 'pcap' | 'pcapng';
  /** Frames delivered so far. */
  readonly frames: number;
  /** Sum of the captured lengths of the frames delivered so far. */
  readonly bytes: number;
  /** Blocks read but not delivered as frames (pcapng NRB, ISB, custom blocks, ...). */
  readonly skippedBlocks: number;
  /** Stream offset of a record whose length field is absurd, or -1; parsing stops there. */
  readonly damagedAt: number;
  /** The absurd length found at `damagedAt`. */
  readonly damagedLength: number;
  /**
   * Total length (header included) of the record starting at buf[off], given `avail` bytes of it
   * and its stream offset `at`: > 0 the length; < 0 minus the number of bytes needed to know it;
   * 0 when the length is absurd (damagedAt is then set). Throws CaptureError for a length that is
   * invalid on its face.
   */
  recordLength(buf: Buffer, off: number, avail: number, at: number): number;
  /**
   * Delivers every whole record in buf[off, end), where buf[0] is at stream offset `base`.
   * Returns the offset of the first record that is not whole (or of a damaged one).
   */
  parse(buf: Buffer, off: number, end: number, base: number): number;
  /** Distinct link types of the frames delivered, in order of first appearance. */
  linkTypes(): number[];
}

/** Records longer than this (pcap incl_len, pcapng packet data) are corrupt, not big. */
export const MAX_FRAME_BYTES = 256 * 1024;

/** Little- or big-endian unsigned 32-bit read by hand: faster than Buffer.readUInt32xx on the hot path. */
export function u32(buf: Buffer, off: number, le: boolean): number {
  return le
    ? (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0
    : ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
}

/** Little- or big-endian unsigned 16-bit read. */
export function u16(buf: Buffer, off: number, le: boolean): number {
  return le ? buf[off] | (buf[off + 1] << 8) : (buf[off] << 8) | buf[off + 1];
}

/** Four bytes as 0x-prefixed hex, for error messages naming a magic number. */
export function hex4(buf: Buffer, off: number, avail: number): string {
  let s = '0x';
  for (let i = 0; i < 4 && i < avail; i++) s += buf[off + i].toString(16).padStart(2, '0');
  return s;
}
