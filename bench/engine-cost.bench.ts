/**
 * The engine's own cost of payload inspection, without file reading or start-up: a capture is
 * loaded into memory once, then run through a fresh engine header-only (`stream.enabled: false`)
 * and with payload inspection, alternately, and the CPU time of each pass is printed (best of
 * `rounds`). Steadier than whole-process timings for comparing changes to the payload stages;
 * `npm run bench` stays the measure of record.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/engine-cost.bench.js [capture] [rounds]
 */
import { readCaptureFile } from '../src/capture/source.js';
import { defaultConfig, parseConfig } from '../src/config/config.js';
import { Engine } from '../src/engine/engine.js';
import { SECTIONS } from '../src/engine/sections.js';

const file = process.argv[2] ?? 'bench/out/http-v2-300000.pcap';
const rounds = Number(process.argv[3] ?? 5);

interface Frame {
  readonly data: Buffer;
  readonly wireLen: number;
  readonly tsUs: number;
  readonly linkType: number;
}

const frames: Frame[] = [];
await readCaptureFile(file, (buf, offset, capLen, wireLen, tsUs, _ns, linkType) => {
  frames.push({ data: Buffer.from(buf.subarray(offset, offset + capLen)), wireLen, tsUs, linkType });
});

function pass(headerOnly: boolean): number {
  const config = headerOnly ? parseConfig(SECTIONS, 'stream:\n  enabled: false\n') : defaultConfig(SECTIONS);
  const engine = new Engine(config, []);
  const t0 = process.cpuUsage();
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    engine.processFrame(f.data, 0, f.data.length, f.wireLen, f.tsUs, 0, f.linkType);
  }
  engine.finish();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

let bestHeader = Infinity;
let bestPayload = Infinity;
for (let r = 0; r < rounds; r++) {
  bestHeader = Math.min(bestHeader, pass(true));
  bestPayload = Math.min(bestPayload, pass(false));
}
process.stdout.write(`${file}: ${frames.length} frames; header-only ${bestHeader.toFixed(0)} ms, payload ${bestPayload.toFixed(0)} ms CPU (best of ${rounds}): ${(bestPayload / bestHeader).toFixed(2)}×\n`);
