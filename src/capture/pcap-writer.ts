import { open, type FileHandle } from 'node:fs/promises';

/** Options of a classic pcap file. */
export interface PcapWriterOptions {
  /** LINKTYPE_* of every frame (default 1, Ethernet). */
  linkType?: number;
  /** Write nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  /** Frames longer than this are cut to it (default 262144, tcpdump's). */
  snaplen?: number;
  /** Default false: little-endian like tcpdump on x86. */
  bigEndian?: boolean;
}

/** One frame of an in-memory pcap fixture. */
export interface PcapFrame {
  readonly data: Uint8Array;
  /** Microseconds since the epoch (an integer). */
  readonly tsUs: number;
  /** Length on the wire; default data.length. */
  readonly wireLen?: number;
  /** Extra nanoseconds 0..999, kept only in nanosecond files. */
  readonly tsNsRem?: number;
}

/** One interface of an in-memory pcapng fixture. */
export interface PcapngInterface {
  readonly linkType: number;
  /** Raw if_tsresol byte (bit 7 set: 2^-n, else 10^-n); omitted means the default, microseconds. */
  readonly tsresol?: number;
  /** if_tsoffset, seconds added to every timestamp of the interface. */
  readonly tsoffset?: number;
  /** IDB snaplen; default 0 (no limit). */
  readonly snaplen?: number;
}

/** One packet of an in-memory pcapng fixture. */
export interface PcapngPacket {
  readonly iface: number;
  readonly data: Uint8Array;
  /** Microseconds since the epoch, converted to the interface's resolution (rounded down). */
  readonly tsUs: number;
  /** Write a Simple Packet Block (interface 0, no timestamp) instead of an EPB. */
  readonly spb?: boolean;
  /** Length on the wire; default data.length. */
  readonly wireLen?: number;
  /** Extra nanoseconds 0..999 for interfaces finer than a microsecond. */
  readonly tsNsRem?: number;
}

const DEFAULT_SNAPLEN = 262144;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Classic pcap file header for the options. */
function fileHeader(opts: PcapWriterOptions): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  const be = opts.bigEndian === true;
  const magic = opts.nanosecond === true ? 0xa1b23c4d : 0xa1b2c3d4;
  const w32 = (v: number, at: number) => (be ? header.writeUInt32BE(v >>> 0, at) : header.writeUInt32LE(v >>> 0, at));
  const w16 = (v: number, at: number) => (be ? header.writeUInt16BE(v, at) : header.writeUInt16LE(v, at));
  w32(magic, 0);
  w16(2, 4);
  w16(4, 6);
  w32(0, 8); // thiszone: always UTC in practice
  w32(0, 12); // sigfigs
  w32(opts.snaplen ?? DEFAULT_SNAPLEN, 16);
  w32(opts.linkType ?? 1, 20);
  return header;
}

/** Writes one record (header + data cut to snaplen) at buf[at]; returns its length. */
function encodeRecord(
  buf: Buffer,
  at: number,
  frame: Uint8Array,
  tsUs: number,
  wireLen: number,
  tsNsRem: number,
  snaplen: number,
  nanosecond: boolean,
  bigEndian: boolean,
): number {
  const capLen = frame.length < snaplen ? frame.length : snaplen;
  const sec = Math.floor(tsUs / 1e6);
  const usec = tsUs - sec * 1e6;
  const frac = nanosecond ? usec * 1000 + tsNsRem : usec;
  if (bigEndian) {
    buf.writeUInt32BE(sec >>> 0, at);
    buf.writeUInt32BE(frac >>> 0, at + 4);
    buf.writeUInt32BE(capLen, at + 8);
    buf.writeUInt32BE(wireLen >>> 0, at + 12);
  } else {
    buf.writeUInt32LE(sec >>> 0, at);
    buf.writeUInt32LE(frac >>> 0, at + 4);
    buf.writeUInt32LE(capLen, at + 8);
    buf.writeUInt32LE(wireLen >>> 0, at + 12);
  }
  buf.set(capLen === frame.length ? frame : frame.subarray(0, capLen), at + RECORD_HEADER_BYTES);
  return RECORD_HEADER_BYTES + capLen;
}

/**
 * Streams a classic pcap file to disk with buffered writes (flat memory for multi-GB files).
 *
 * Backpressure: two 1 MiB buffers. write() copies the frame at once and returns undefined
 * while there is room; when a full buffer must go to disk while the other is still being
 * written, it returns a promise, and the caller must await it before calling write() again
 * (a write() before it settles throws). A disk error rejects that promise or the next
 * write()/close().
 */
export class PcapWriter {
  private active: Buffer;
  private spare: Buffer;
  private used = 0;
  private inflight: Promise<void> | null = null;
  private failure: Error | null = null;
  private waiting = false;
  private closed = false;
  private readonly aside: Buffer;
  private readonly snaplen: number;
  private readonly nanosecond: boolean;
  private readonly bigEndian: boolean;

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    opts: PcapWriterOptions,
  ) {
    this.snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    this.nanosecond = opts.nanosecond === true;
    this.bigEndian = opts.bigEndian === true;
    const size = Math.max(WRITE_BUFFER_BYTES, RECORD_HEADER_BYTES + this.snaplen);
    this.active = Buffer.allocUnsafe(size);
    this.spare = Buffer.allocUnsafe(size);
    this.aside = Buffer.allocUnsafe(RECORD_HEADER_BYTES + this.snaplen);
    fileHeader(opts).copy(this.active, 0);
    this.used = FILE_HEADER_BYTES;
  }

  /** Creates (or truncates) the file at path and buffers its file header. */
  static async open(path: string, opts: PcapWriterOptions = {}): Promise<PcapWriter> {
    const snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0x7fffffff) throw new RangeError(`snaplen must be a positive integer, got ${snaplen}`);
    const handle = await open(path, 'w');
    return new PcapWriter(path, handle, opts);
  }

  /**
   * Appends one frame. tsUs: microseconds since epoch; frame copied into an internal buffer.
   * Returns a promise only when it has to wait for the disk; await it before the next write().
   */
  write(frame: Uint8Array, tsUs: number, wireLen: number = frame.length, tsNsRem = 0): void | Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.waiting || this.closed) {
      throw new Error(`${this.path}: PcapWriter.write() ${this.closed ? 'after close()' : 'before the promise of the previous write() settled'}`);
    }
    const recLen = RECORD_HEADER_BYTES + (frame.length < this.snaplen ? frame.length : this.snaplen);
    if (this.used + recLen <= this.active.length) {
      this.used += encodeRecord(this.active, this.used, frame, tsUs, wireLen, tsNsRem, this.snaplen, this.nanosecond, this.bigEndian);
      return undefined;
    }
    if (this.inflight === null) {
      this.handOff();
      this.used = encodeRecord(this.active, 0, frame, tsUs, wireLen, tsNsRem, this.snaplen, this.nanosecond, this.bigEndian);
      return undefined;
    }
    // Both buffers busy: keep the record aside (the caller may reuse its frame) and wait.
    const asideLen = encodeRecord(this.aside, 0, frame, tsUs, wireLen, tsNsRem, this.snaplen, this.nanosecond, this.bigEndian);
    this.waiting = true;
    return this.waitThenAppend(asideLen);
  }

  /** Flushes what is buffered and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.waiting) throw new Error(`${this.path}: PcapWriter.close() before the promise of the last write() settled`);
    this.closed = true;
    try {
      if (this.inflight !== null) await this.inflight;
      if (this.failure === null && this.used > 0) await this.writeAll(this.active, this.used);
      this.used = 0;
    } finally {
      await this.handle.close();
    }
    if (this.failure !== null) throw this.failure;
  }

  private async waitThenAppend(asideLen: number): Promise<void> {
    try {
      await this.inflight;
      if (this.failure !== null) throw this.failure;
      this.handOff();
      this.aside.copy(this.active, 0, 0, asideLen);
      this.used = asideLen;
    } finally {
      this.waiting = false;
    }
  }

  /** Starts writing the active buffer and switches to the spare one (which must be free). */
  private handOff(): void {
    const full = this.active;
    this.inflight = this.writeAll(full, this.used).then(
      () => {
        this.inflight = null;
      },
      (err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.inflight = null;
      },
    );
    this.active = this.spare;
    this.spare = full;
    this.used = 0;
  }

  private async writeAll(buf: Buffer, len: number): Promise<void> {
    let done = 0;
    while (done < len) {
      const { bytesWritten } = await this.handle.write(buf, done, len - done);
      done += bytesWritten;
    }
  }
}

/** Builds a whole classic pcap in memory (small test fixtures). */
export function pcapBytes(frames: readonly PcapFrame[], opts: PcapWriterOptions = {}): Buffer {
  const snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
  let total = FILE_HEADER_BYTES;
  for (const f of frames) total += RECORD_HEADER_BYTES + Math.min(f.data.length, snaplen);
  const out = Buffer.alloc(total);
  fileHeader(opts).copy(out, 0);
  let at = FILE_HEADER_BYTES;
  for (const f of frames) {
    at += encodeRecord(out, at, f.data, f.tsUs, f.wireLen ?? f.data.length, f.tsNsRem ?? 0, snaplen, opts.nanosecond === true, opts.bigEndian === true);
  }
  return out;
}

/** Little helper for pcapng blocks of either byte order. */
class BlockWriter {
  private readonly parts: Buffer[] = [];
  constructor(private readonly bigEndian: boolean) {}

  /** Appends a block: type, total length, body padded to 4, total length again. */
  block(type: number, body: Buffer): void {
    const padded = (body.length + 3) & ~3;
    const len = 12 + padded;
    const b = Buffer.alloc(len);
    this.u32(b, type, 0);
    this.u32(b, len, 4);
    body.copy(b, 8);
    this.u32(b, len, len - 4);
    this.parts.push(b);
  }

  u32(b: Buffer, v: number, at: number): void {
    if (this.bigEndian) b.writeUInt32BE(v >>> 0, at);
    else b.writeUInt32LE(v >>> 0, at);
  }

  u16(b: Buffer, v: number, at: number): void {
    if (this.bigEndian) b.writeUInt16BE(v, at);
    else b.writeUInt16LE(v, at);
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Timestamp of tsUs (+ tsNsRem) in units of the raw if_tsresol byte, as a 64-bit integer, rounded down. */
function timestampUnits(tsUs: number, tsNsRem: number, tsresol: number): bigint {
  const ns = BigInt(tsUs) * 1000n + BigInt(tsNsRem);
  const k = BigInt(tsresol & 0x7f);
  if ((tsresol & 0x80) !== 0) return (ns << k) / 1_000_000_000n;
  return k >= 9n ? ns * 10n ** (k - 9n) : ns / 10n ** (9n - k);
}

/** Builds a whole pcapng in memory: one SHB, the given interfaces (IDBs with optional if_tsresol), EPBs (and SPBs when spb: true). */
export function pcapngBytes(
  interfaces: readonly PcapngInterface[],
  packets: readonly PcapngPacket[],
  opts: { bigEndian?: boolean } = {},
): Buffer {
  const w = new BlockWriter(opts.bigEndian === true);
  const shb = Buffer.alloc(16);
  w.u32(shb, 0x1a2b3c4d, 0);
  w.u16(shb, 1, 4);
  w.u16(shb, 0, 6);
  shb.fill(0xff, 8, 16); // section length: unknown
  w.block(0x0a0d0d0a, shb);
  for (const itf of interfaces) {
    const options: Buffer[] = [];
    if (itf.tsresol !== undefined) {
      const o = Buffer.alloc(8);
      w.u16(o, 9, 0);
      w.u16(o, 1, 2);
      o[4] = itf.tsresol;
      options.push(o);
    }
    if (itf.tsoffset !== undefined) {
      const o = Buffer.alloc(12);
      w.u16(o, 14, 0);
      w.u16(o, 8, 2);
      if (opts.bigEndian === true) o.writeBigInt64BE(BigInt(itf.tsoffset), 4);
      else o.writeBigInt64LE(BigInt(itf.tsoffset), 4);
      options.push(o);
    }
    if (options.length > 0) options.push(Buffer.alloc(4)); // opt_endofopt
    const idb = Buffer.concat([Buffer.alloc(8), ...options]);
    w.u16(idb, itf.linkType, 0);
    w.u32(idb, itf.snaplen ?? 0, 4);
    w.block(1, idb);
  }
  for (const p of packets) {
    const wireLen = p.wireLen ?? p.data.length;
    if (p.spb === true) {
      if (p.iface !== 0) throw new RangeError(`a simple packet block always belongs to interface 0, not ${p.iface}`);
      const body = Buffer.alloc(4 + p.data.length);
      w.u32(body, wireLen, 0);
      body.set(p.data, 4);
      w.block(3, body);
      continue;
    }
    const itf = interfaces[p.iface];
    if (itf === undefined) throw new RangeError(`packet names interface ${p.iface}, but only ${interfaces.length} are given`);
    const ts = timestampUnits(p.tsUs, p.tsNsRem ?? 0, itf.tsresol ?? 6) - BigInt(itf.tsoffset ?? 0) * timestampUnits(1e6, 0, itf.tsresol ?? 6);
    const body = Buffer.alloc(20 + p.data.length);
    w.u32(body, p.iface, 0);
    w.u32(body, Number(ts >> 32n), 4);
    w.u32(body, Number(ts & 0xffffffffn), 8);
    w.u32(body, p.data.length, 12);
    w.u32(body, wireLen, 16);
    body.set(p.data, 20);
    w.block(6, body);
  }
  return w.bytes();
}
