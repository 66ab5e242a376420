/**
 * Output bytes gathered into ~64 KiB chunks before they reach the file or stream, so a run that
 * prints a line per packet makes one write per few thousand lines instead of one per line.
 * Files are written synchronously (bounded memory even when the engine never yields); streams
 * get the chunks with their backpressure visible through `drain()`, and a closed pipe (EPIPE,
 * `rampart analyze … | head`) quietly ends the output instead of crashing the run.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Default chunk size: large enough to amortise a syscall, small enough to stay in cache. */
export const CHUNK_BYTES = 64 * 1024;

/** Where full chunks go. */
interface ChunkTarget {
  /** True when the target copies the bytes before returning, so the chunk can be reused. */
  readonly copies: boolean;
  write(chunk: Buffer): void;
  drain(): Promise<void>;
  close(): Promise<void>;
  readonly broken: boolean;
}

/** A file written with `writeSync`: one copy, no buffering beyond the chunk, errors kept for `close()`. */
class FileTarget implements ChunkTarget {
  readonly copies = true;
  broken = false;
  private error?: Error;
  private fd: number;

  constructor(
    private readonly path: string,
    append: boolean,
  ) {
    try {
      this.fd = openSync(path, append ? 'a' : 'w');
    } catch (err) {
      throw new Error(`cannot open output file ${path}: ${(err as Error).message}`);
    }
  }

  write(chunk: Buffer): void {
    if (this.broken) return;
    try {
      let done = 0;
      while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done);
    } catch (err) {
      // Disk full or I/O error: stop writing (never throw into the packet loop), report at close().
      this.broken = true;
      this.error = new Error(`cannot write output file ${this.path}: ${(err as Error).message}`);
    }
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
    return this.error !== undefined ? Promise.reject(this.error) : Promise.resolve();
  }
}

/** A stream such as stdout: backpressure surfaces through `drain()`, EPIPE ends output silently. */
class StreamTarget implements ChunkTarget {
  readonly copies = false;
  broken = false;
  private error?: Error;
  private mustDrain = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', this.onError);
    stream.on('drain', this.onDrain);
  }

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.broken = true;
    // The reader went away (`| head`, closed socket): the user has what they wanted, not a failure.
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') this.error ??= err;
    this.onDrain();
  };

  private readonly onDrain = (): void => {
    this.mustDrain = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  };

  write(chunk: Buffer): void {
    if (this.broken) return;
    if (!this.stream.write(chunk)) this.mustDrain = true;
  }

  drain(): Promise<void> {
    if (!this.mustDrain || this.broken) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    const finish = (): Promise<void> => {
      this.stream.off('drain', this.onDrain);
      // The error listener stays: a late EPIPE after close must not become an uncaught exception.
      return this.error !== undefined ? Promise.reject(this.error) : Promise.resolve();
    };
    if (this.broken) return finish();
    // An empty write's callback runs once everything queued before it has been handed to the OS.
    return new Promise<void>((resolve) => {
      this.stream.write(Buffer.alloc(0), () => resolve());
    }).then(finish);
  }
}

/** Bytes gathered into chunks; the `put*` calls never allocate, `reserve` first guarantees room. */
export class ChunkedWriter {
  /** Counters for the stats output. */
  readonly stats: Record<string, number> = { bytes: 0, chunks: 0 };
  private chunk: Buffer;
  private pos = 0;

  private constructor(
    private readonly target: ChunkTarget,
    private readonly chunkBytes: number,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkBytes);
  }

  /** Writes to a file (truncated unless `append`); throws when it cannot be opened. */
  static toFile(path: string, opts?: { readonly append?: boolean; readonly chunkBytes?: number }): ChunkedWriter {
    return new ChunkedWriter(new FileTarget(path, opts?.append ?? false), opts?.chunkBytes ?? CHUNK_BYTES);
  }

  /** Writes to a stream (stdout by default for callers); the stream is not ended by `close()`. */
  static toStream(stream: NodeJS.WritableStream, opts?: { readonly chunkBytes?: number }): ChunkedWriter {
    return new ChunkedWriter(new StreamTarget(stream), opts?.chunkBytes ?? CHUNK_BYTES);
  }

  /** True once the target failed or its reader went away; further output is dropped. */
  get broken(): boolean {
    return this.target.broken;
  }

  /** Makes room for `bytes` more bytes, flushing the chunk first when needed. */
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.chunk.length) return;
    this.flush();
    if (bytes > this.chunk.length) this.chunk = Buffer.allocUnsafe(bytes);
  }

  /** Text known to be ASCII (addresses, numbers, fixed words): one byte per char. */
  putAscii(text: string): void {
    // A charCodeAt loop beats Buffer#write's native call for the short strings of a verdict line:
    // 4.5 vs 2.1 M lines/s measured on VerdictWriter (Node 20, 5M lines to a null Writable).
    const chunk = this.chunk;
    let pos = this.pos;
    for (let i = 0; i < text.length; i++) chunk[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** Any text, UTF-8; reserve 3 bytes per UTF-16 unit. */
  putUtf8(text: string): void {
    this.pos += this.chunk.write(text, this.pos, 'utf8');
  }

  putByte(byte: number): void {
    this.chunk[this.pos++] = byte;
  }

  /** A non-negative integer in decimal, without building its string. */
  putUint(value: number): void {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let rest = value;
    for (let i = this.pos + digits - 1; i >= this.pos; i--) {
      this.chunk[i] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.pos += digits;
  }

  /** Hands the gathered bytes to the target. */
  flush(): void {
    if (this.pos === 0) return;
    this.stats.bytes += this.pos;
    this.stats.chunks++;
    this.target.write(this.chunk.subarray(0, this.pos));
    // A stream may hold the chunk until it is written: give it away and start a new one.
    if (!this.target.copies) this.chunk = Buffer.allocUnsafe(this.chunkBytes);
    this.pos = 0;
  }

  /** Resolves when the stream wants more; the producer awaits this between batches to respect backpressure. */
  drain(): Promise<void> {
    return this.target.drain();
  }

  /** Flushes and closes; rejects with the first write error (EPIPE is not one). */
  close(): Promise<void> {
    this.flush();
    return this.target.close();
  }
}
