import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CaptureError } from './capture-error.js';
import { CaptureParser } from './capture-parser.js';

export { CaptureError } from './capture-error.js';

/** Called once per frame; buf/offset/capLen are only valid during the call (buf is a reused chunk buffer). */
export type FrameHandler = (
  buf: Buffer,
  offset: number,
  capLen: number,
  wireLen: number,
  tsUs: number,
  tsNsRem: number,
  linkType: number,
) => void;

/** Callbacks and tuning for one read. */
export interface ReadOptions {
  /** Non-fatal problems, e.g. a truncated file; the read still resolves. */
  onWarning?: (message: string) => void;
  /** Called per chunk; totalBytes = file size on disk, 0 for a pipe (bytesRead counts compressed bytes for gzip). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Bytes per read from disk (default CHUNK_BYTES); tests use tiny values to put chunk boundaries everywhere. */
  chunkBytes?: number;
}

/** What a read found. */
export interface ReadResult {
  readonly format: 'pcap' | 'pcapng';
  /** gzip detected by content (magic 1f 8b), not by file name. */
  readonly compressed: boolean;
  readonly frames: number;
  /** Sum of capLen. */
  readonly bytes: number;
  /** Byte offset (in the uncompressed stream) of the cut record, if cut. */
  readonly truncatedAt?: number;
  /** Distinct link types of the frames delivered, in order of first appearance. */
  readonly linkTypes: readonly number[];
}

/**
 * Default read size. 1-2 MiB measured best among 256 KiB..8 MiB (bench/capture-read.bench.ts):
 * smaller means more reads, bigger falls out of cache. Memory is two chunks plus one carry record.
 */
export const CHUNK_BYTES = 1024 * 1024;

/** Output chunk of the gunzip stream: big enough that few records straddle two chunks. */
const GUNZIP_CHUNK_BYTES = 1024 * 1024;

/**
 * The offline source stage: reads pcap / pcapng files, gzipped or not, and hands out raw frames.
 * One object can read many files in turn; its counters add up over them.
 */
export class CaptureFileSource {
  /** Counters over every file read by this source. */
  readonly stats: Record<string, number> = {
    files: 0,
    frames: 0,
    bytes: 0,
    chunks: 0,
    carried_records: 0,
    skipped_blocks: 0,
    gzip_files: 0,
    truncated_files: 0,
  };

  /** Streams every frame of the capture at `path` to onFrame; see readCaptureFile. */
  async read(path: string, onFrame: FrameHandler, opts: ReadOptions = {}): Promise<ReadResult> {
    const chunkBytes = opts.chunkBytes ?? CHUNK_BYTES;
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new CaptureError(path, 0, `${path}: cannot open capture (${(err as Error).message})`, { cause: err });
    }
    this.stats.files++;
    let parser: CaptureParser | null = null;
    try {
      let size: number;
      try {
        size = (await handle.stat()).size;
      } catch (err) {
        throw ioError(path, 0, err);
      }
      const first = Buffer.allocUnsafe(chunkBytes);
      const firstLen = await readChunk(handle, first, path, 0);
      const compressed = firstLen >= 2 && first[0] === 0x1f && first[1] === 0x8b;
      parser = new CaptureParser(path, onFrame, compressed);
      let streamCut = false;
      if (compressed) {
        this.stats.gzip_files++;
        streamCut = await this.gunzip(path, handle, size, first, firstLen, chunkBytes, parser, opts);
      } else {
        await this.readPlain(path, handle, size, first, firstLen, chunkBytes, parser, opts);
      }
      const cut = parser.finish(streamCut);
      const result: ReadResult = {
        format: parser.format as 'pcap' | 'pcapng',
        compressed,
        frames: parser.frames,
        bytes: parser.bytes,
        linkTypes: parser.linkTypes(),
        ...(cut === null ? {} : { truncatedAt: cut.truncatedAt }),
      };
      if (cut !== null) {
        this.stats.truncated_files++;
        opts.onWarning?.(cut.message);
      }
      return result;
    } finally {
      if (parser !== null) {
        this.stats.frames += parser.frames;
        this.stats.bytes += parser.bytes;
        this.stats.carried_records += parser.carriedRecords;
        this.stats.skipped_blocks += parser.skippedBlocks;
      }
      await handle.close();
    }
  }

  /**
   * Uncompressed files: two reused buffers, the next read in flight while the current chunk is
   * parsed, so disk and parser overlap (measured against createReadStream in the bench).
   */
  private async readPlain(
    path: string,
    handle: FileHandle,
    size: number,
    first: Buffer,
    firstLen: number,
    chunkBytes: number,
    parser: CaptureParser,
    opts: ReadOptions,
  ): Promise<void> {
    const bufs = [first, Buffer.allocUnsafe(chunkBytes)];
    let cur = 0;
    let len = firstLen;
    let pos = firstLen;
    while (len > 0) {
      const next = readChunk(handle, bufs[cur ^ 1], path, pos);
      try {
        parser.feed(bufs[cur], len);
        this.stats.chunks++;
        opts.onProgress?.(pos, size);
      } catch (err) {
        // Let the in-flight read land before the handle is closed.
        await next.catch(() => undefined);
        throw err;
      }
      len = await next;
      pos += len;
      cur ^= 1;
    }
  }

  /**
   * gzip files: compressed chunks through zlib, gunzipped chunks into the parser. Returns true
   * when the gzip stream was cut (zlib's "unexpected end of file"), which is a truncation.
   */
  private async gunzip(
    path: string,
    handle: FileHandle,
    size: number,
    first: Buffer,
    firstLen: number,
    chunkBytes: number,
    parser: CaptureParser,
    opts: ReadOptions,
  ): Promise<boolean> {
    // pipeline() may report its teardown (AbortError) rather than what a stage threw (a read
    // error, the parser, the frame handler), so that first error is kept here and wins.
    let failure: unknown = null;
    let compressedRead = firstLen;
    // zlib keeps a reference to its input until it is consumed, so each compressed chunk is fresh.
    async function* compressedChunks(): AsyncGenerator<Buffer> {
      yield first.subarray(0, firstLen);
      for (;;) {
        const chunk = Buffer.allocUnsafe(chunkBytes);
        let bytesRead: number;
        try {
          bytesRead = await readChunk(handle, chunk, path, compressedRead);
        } catch (err) {
          failure ??= err;
          throw err;
        }
        if (bytesRead === 0) return;
        compressedRead += bytesRead;
        yield chunk.subarray(0, bytesRead);
      }
    }
    const stats = this.stats;
    try {
      await pipeline(
        Readable.from(compressedChunks()),
        createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }),
        async (gunzipped: AsyncIterable<Buffer>) => {
          for await (const chunk of gunzipped) {
            try {
              parser.feed(chunk, chunk.length);
              stats.chunks++;
              opts.onProgress?.(compressedRead, size);
            } catch (err) {
              failure ??= err;
              throw err;
            }
          }
        },
      );
      return false;
    } catch (err) {
      if (failure !== null) throw failure;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'Z_BUF_ERROR') return true;
      if (code === 'Z_DATA_ERROR' || code === 'Z_STREAM_ERROR' || code === 'Z_NEED_DICT') {
        throw new CaptureError(
          path,
          parser.position,
          `${path}: gzip data corrupt after uncompressed byte ${parser.position} (${(err as Error).message}); analysed up to there`,
          { cause: err },
        );
      }
      throw err;
    }
  }
}

/**
 * Reads the next chunk at the file position (not at an offset: one read at a time, so pipes
 * and FIFOs such as /dev/stdin work too); an I/O error becomes a CaptureError at `at`.
 */
async function readChunk(handle: FileHandle, buf: Buffer, path: string, at: number): Promise<number> {
  try {
    return (await handle.read(buf, 0, buf.length, null)).bytesRead;
  } catch (err) {
    throw ioError(path, at, err);
  }
}

function ioError(path: string, at: number, err: unknown): CaptureError {
  return new CaptureError(path, at, `${path}: read failed at byte ${at} of the file (${(err as Error).message})`, { cause: err });
}

/**
 * Streams every frame of a pcap or pcapng file (optionally gzipped) to onFrame, in file order,
 * with flat memory. A cut capture is a warning (every whole frame before the cut is delivered);
 * a file that is not a capture, or corrupt inside, is a CaptureError naming file and offset.
 */
export async function readCaptureFile(path: string, onFrame: FrameHandler, opts?: ReadOptions): Promise<ReadResult> {
  return new CaptureFileSource().read(path, onFrame, opts);
}
