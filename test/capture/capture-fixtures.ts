/** Shared helpers of the capture tests: temp files, deterministic frames, collecting reads. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureFileSource, type ReadOptions, type ReadResult } from '../../src/capture/source.js';

/** A frame as the reader delivered it, copied out of the chunk buffer. */
export interface SeenFrame {
  readonly data: Buffer;
  readonly wireLen: number;
  readonly tsUs: number;
  readonly tsNsRem: number;
  readonly linkType: number;
}

/** Everything one read produced. */
export interface ReadAll {
  readonly frames: SeenFrame[];
  readonly result: ReadResult;
  readonly warnings: string[];
  readonly stats: Record<string, number>;
}

/** Reads a capture with a fresh source, copying every frame and collecting warnings. */
export async function readAll(path: string, opts: ReadOptions = {}): Promise<ReadAll> {
  const frames: SeenFrame[] = [];
  const warnings: string[] = [];
  const source = new CaptureFileSource();
  const result = await source.read(
    path,
    (buf, offset, capLen, wireLen, tsUs, tsNsRem, linkType) => {
      frames.push({ data: Buffer.from(buf.subarray(offset, offset + capLen)), wireLen, tsUs, tsNsRem, linkType });
    },
    { ...opts, onWarning: (m) => warnings.push(m) },
  );
  return { frames, result, warnings, stats: { ...source.stats } };
}

/** Deterministic frame bytes of a given length, different for every index. */
export function frameBytes(index: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  let x = (index * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** A temp directory for one test file; remove() deletes it with everything in it. */
export class TempDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'rampart-capture-test-'));

  /** Path of a file in the directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Writes bytes to a file in the directory and returns its path. */
  write(name: string, bytes: Uint8Array | string): string {
    const p = this.path(name);
    writeFileSync(p, bytes);
    return p;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Builds one pcapng block by hand (type, body padded to 4, lengths at both ends). */
export function block(type: number, body: Buffer, bigEndian = false): Buffer {
  const padded = (body.length + 3) & ~3;
  const len = 12 + padded;
  const b = Buffer.alloc(len);
  const w = (v: number, at: number) => (bigEndian ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
  w(type, 0);
  w(len, 4);
  body.copy(b, 8);
  w(len, len - 4);
  return b;
}
