/**
 * Micro-benchmark of the capture source: writes a 2M-frame pcap with PcapWriter to the temp
 * directory, then times readCaptureFile over it (FileHandle.read into two reused buffers, the
 * shipped path) against the alternative the design asked to compare, fs.createReadStream with a
 * large highWaterMark feeding the same parser, at several chunk sizes, and the gzip path.
 * Prints frames/s and MB/s (MB of uncompressed capture).
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/capture-read.bench.js [frames]
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CaptureParser } from '../src/capture/capture-parser.js';
import { PcapWriter, pcapngBytes } from '../src/capture/pcap-writer.js';
import { readCaptureFile, type FrameHandler } from '../src/capture/source.js';

const FRAMES = Number(process.argv[2] ?? 2_000_000);
const ROUNDS = 7;

// Odd sizes 60..600 (mean 330) in a fixed pattern: small frames stress the per-frame cost, and
// odd lengths put chunk boundaries mid-record.
function frameSize(i: number): number {
  return 60 + ((i * 7919) % 541);
}

let sink = 0;
let peakRss = 0;
const trackRss = (): void => {
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
};
const onFrame: FrameHandler = (buf, offset, capLen, _wireLen, tsUs) => {
  sink += buf[offset] + capLen + (tsUs & 1);
};

async function writeFixture(path: string): Promise<void> {
  const writer = await PcapWriter.open(path);
  const frame = new Uint8Array(600);
  for (let i = 0; i < 600; i++) frame[i] = i & 0xff;
  const t0 = 1_700_000_000_000_000;
  for (let i = 0; i < FRAMES; i++) {
    const pending = writer.write(frame.subarray(0, frameSize(i)), t0 + i * 10);
    if (pending !== undefined) await pending;
  }
  await writer.close();
}

/** Same frames as a pcapng with one nanosecond interface (the costlier timestamp path). */
async function writePcapngFixture(path: string): Promise<void> {
  const handle = await open(path, 'w');
  const buf = Buffer.alloc(1024 * 1024);
  let used = pcapngBytes([{ linkType: 1, tsresol: 9 }], []).copy(buf, 0);
  const t0Ns = 1_700_000_000_000_000_000n;
  for (let i = 0; i < FRAMES; i++) {
    const capLen = frameSize(i);
    const blockLen = 32 + ((capLen + 3) & ~3);
    if (used + blockLen > buf.length) {
      await handle.write(buf, 0, used);
      used = 0;
    }
    const ts = t0Ns + BigInt(i) * 10_007n;
    buf.writeUInt32LE(6, used);
    buf.writeUInt32LE(blockLen, used + 4);
    buf.writeUInt32LE(0, used + 8);
    buf.writeUInt32LE(Number(ts >> 32n), used + 12);
    buf.writeUInt32LE(Number(ts & 0xffffffffn), used + 16);
    buf.writeUInt32LE(capLen, used + 20);
    buf.writeUInt32LE(capLen, used + 24);
    buf.fill(i & 0xff, used + 28, used + blockLen - 4);
    buf.writeUInt32LE(blockLen, used + blockLen - 4);
    used += blockLen;
  }
  await handle.write(buf, 0, used);
  await handle.close();
}

async function viaReadStream(path: string, chunkBytes: number): Promise<number> {
  const parser = new CaptureParser(path, onFrame);
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes })) {
    parser.feed(chunk as Buffer, (chunk as Buffer).length);
  }
  parser.finish();
  return parser.frames;
}

async function time(label: string, fileBytes: number, run: () => Promise<number>): Promise<void> {
  let best = Infinity;
  let frames = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    frames = await run();
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (s < best) best = s;
  }
  if (frames !== FRAMES) throw new Error(`${label}: read ${frames} frames, wrote ${FRAMES}`);
  const fps = (frames / best / 1e6).toFixed(2);
  const mbps = (fileBytes / best / 1e6).toFixed(0);
  console.log(`${label.padEnd(44)} ${fps.padStart(6)} M frames/s ${mbps.padStart(6)} MB/s  (best of ${ROUNDS}: ${(best * 1000).toFixed(0)} ms)`);
}

async function main(): Promise<void> {
  const path = join(tmpdir(), `rampart-capture-bench-${process.pid}.pcap`);
  const gzPath = `${path}.gz`;
  const ngPath = `${path}ng`;
  try {
    let t = process.hrtime.bigint();
    await writeFixture(path);
    const size = (await stat(path)).size;
    const writeS = Number(process.hrtime.bigint() - t) / 1e9;
    console.log(`wrote ${FRAMES} frames, ${(size / 1e6).toFixed(0)} MB with PcapWriter in ${(writeS * 1000).toFixed(0)} ms (${(FRAMES / writeS / 1e6).toFixed(2)} M frames/s)`);
    // Warm the page cache and the JIT once, so the rounds compare the readers, not the disk.
    t = process.hrtime.bigint();
    await readCaptureFile(path, onFrame);
    for (const chunk of [256 * 1024, 1024 * 1024, 2 * 1024 * 1024, 4 * 1024 * 1024, 8 * 1024 * 1024]) {
      const mib = `${chunk / 1024 / 1024} MiB`.replace('0.25 MiB', '256 KiB');
      await time(`readCaptureFile (FileHandle.read x2), ${mib}`, size, async () => (await readCaptureFile(path, onFrame, { chunkBytes: chunk, onProgress: trackRss })).frames);
      await time(`createReadStream + CaptureParser, ${mib}`, size, () => viaReadStream(path, chunk));
    }
    await time('readCaptureFile, default chunk', size, async () => (await readCaptureFile(path, onFrame, { onProgress: trackRss })).frames);
    await pipeline(createReadStream(path), createGzip({ level: 1 }), createWriteStream(gzPath));
    const gzSize = (await stat(gzPath)).size;
    await time(`readCaptureFile, gzip -1 (${(gzSize / 1e6).toFixed(0)} MB on disk)`, size, async () => (await readCaptureFile(gzPath, onFrame, { onProgress: trackRss })).frames);
    await rm(gzPath, { force: true });
    await writePcapngFixture(ngPath);
    const ngSize = (await stat(ngPath)).size;
    await time('readCaptureFile, pcapng EPB, ns resolution', ngSize, async () => (await readCaptureFile(ngPath, onFrame, { onProgress: trackRss })).frames);
    console.log(`peak RSS while reading: ${(peakRss / 1e6).toFixed(0)} MB (files of ${(size / 1e6).toFixed(0)} MB and ${(ngSize / 1e6).toFixed(0)} MB)`);
  } finally {
    await rm(path, { force: true });
    await rm(gzPath, { force: true });
    await rm(ngPath, { force: true });
  }
  if (sink === 0.5) console.log('');
}

await main();
