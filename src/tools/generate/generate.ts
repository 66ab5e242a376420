/**
 * `rampart generate`: writes `normal.pcap` (the benign office) and `malicious.pcap` (the same
 * background with the attacks merged in), each with its `.truth.json`, deterministically for a
 * seed. Streaming by design: the background is produced one time slice at a time and written as
 * soon as no later slice can come before it, so memory stays flat whatever `scale` is (the
 * attacks, a fixed few thousand frames, are held whole).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PcapWriter } from '../../capture/pcap-writer.js';
import { Rng } from '../scenario.js';
import { planAttacks } from './attacks.js';
import { Background, SLICE_US } from './background.js';
import { frameFacts } from './evasion.js';
import { addressesOf, buildNetwork, HostFactory } from './hosts.js';
import { WireStamper } from './stamp.js';
import { formatTruth, RangeBuilder, type Truth, type TruthAttack } from './truth.js';

/** Start of packet time of every generated capture: 2026-02-02T09:00:00Z. */
export const GENERATE_T0_US = Date.UTC(2026, 1, 2, 9, 0, 0) * 1000;

/** Slices of background at scale 1 (180 s); `scale` multiplies them. */
export const BASE_SLICES = 18;

/** Seed used when none is given. */
export const DEFAULT_SEED = 1;

/** Largest accepted --scale (about 2 billion packets). */
export const MAX_SCALE = 100_000;

/** What to generate. */
export interface GenerateOptions {
  readonly outDir: string;
  /** Any integer 0..2^32-1; the same seed gives the same bytes. */
  readonly seed: number;
  /** Positive integer: the background lasts scale × 180 s; the attacks stay the same. */
  readonly scale: number;
  /** Called after each slice of background is written (slices done, slices in all). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One written capture. */
export interface GeneratedCapture {
  readonly path: string;
  readonly truthPath: string;
  readonly packets: number;
  readonly attacks: number;
}

/** Both captures. */
export interface GenerateResult {
  readonly normal: GeneratedCapture;
  readonly malicious: GeneratedCapture;
}

/** A frame waiting to be written, with what it belongs to (-1: background). */
interface Pending {
  readonly frame: Buffer;
  readonly tsUs: number;
  readonly order: number;
  readonly attack: number;
  readonly carries: boolean;
}

const byTime = (a: Pending, b: Pending): number => a.tsUs - b.tsUs || a.order - b.order;

/** Mixes the seed with a stream number, so each attack draws from its own sequence. */
function subSeed(seed: number, stream: number): number {
  return Math.imul((seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0, 0x85ebca6b) >>> 0;
}

const NOTES =
  'Packet numbers count from 1 (EVE pcap_cnt; verdict lines count from 0). "packets" are the frames that carry an attack ' +
  '(probes, flood, the malicious request with its segments or fragments), "related" the other frames of its conversations ' +
  '(the victim\'s answers, the handshake around a request); both are inclusive [first, last] ranges. first_packet and ' +
  'last_packet bound "packets". attacker null: forged sources. benign_hosts: every address that never attacks.';

/** Checks the options (RangeError naming the option). */
export function checkGenerateOptions(o: GenerateOptions): void {
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw new RangeError(`--seed must be an integer between 0 and 4294967295, got ${o.seed}`);
  if (!Number.isInteger(o.scale) || o.scale < 1 || o.scale > MAX_SCALE) throw new RangeError(`--scale must be an integer between 1 and ${MAX_SCALE}, got ${o.scale}`);
}

/**
 * mkdir -p. Not mkdirSync's own `recursive`, which Node 20 retries forever under /proc (ENOENT
 * there does not mean a missing parent); this one fails with the first error that is not one.
 */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
    makeDirectory(dirname(dir));
    mkdirSync(dir);
  }
}

/** Writes normal.pcap, malicious.pcap and their truth files into outDir. */
export async function generateCaptures(o: GenerateOptions): Promise<GenerateResult> {
  checkGenerateOptions(o);
  makeDirectory(o.outDir);
  const hosts = new HostFactory(o.seed);
  const net = buildNetwork(hosts);
  const { attackers, plans } = planAttacks(net, hosts);

  // The attacks, whole and in time order: a fixed size whatever the scale.
  const attackFrames: Pending[] = [];
  plans.forEach((plan, i) => {
    const emit = (frame: Buffer, tsUs: number): void => {
      attackFrames.push({ frame, tsUs, order: attackFrames.length, attack: i, carries: plan.carries(frameFacts(frame)) });
    };
    plan.run(emit, GENERATE_T0_US + plan.atUs, new Rng(subSeed(o.seed, i)));
  });
  attackFrames.sort(byTime);

  const paths = {
    normal: join(o.outDir, 'normal.pcap'),
    malicious: join(o.outDir, 'malicious.pcap'),
  };
  const normalOut = await PcapWriter.open(paths.normal);
  const maliciousOut = await PcapWriter.open(paths.malicious);
  const normalStamp = new WireStamper(net.all, net.router);
  const maliciousStamp = new WireStamper([...net.all, ...attackers], net.router);
  const carried = plans.map(() => new RangeBuilder());
  const related = plans.map(() => new RangeBuilder());
  let normalCount = 0;
  let maliciousCount = 0;
  let nextAttack = 0;

  const writeBackground = async (frame: Buffer, tsUs: number): Promise<void> => {
    normalStamp.stamp(frame);
    const a = normalOut.write(frame, tsUs);
    if (a) await a;
    normalCount++;
    // The writer has copied the frame: stamp the same bytes again for the other capture.
    maliciousStamp.stamp(frame);
    const b = maliciousOut.write(frame, tsUs);
    if (b) await b;
    maliciousCount++;
  };
  const writeAttacksBefore = async (tsUs: number, inclusive: boolean): Promise<void> => {
    while (nextAttack < attackFrames.length) {
      const f = attackFrames[nextAttack];
      if (inclusive ? f.tsUs > tsUs : f.tsUs >= tsUs) break;
      maliciousStamp.stamp(f.frame);
      const w = maliciousOut.write(f.frame, f.tsUs);
      if (w) await w;
      maliciousCount++;
      (f.carries ? carried : related)[f.attack].add(maliciousCount);
      nextAttack++;
    }
  };

  const background = new Background(net, o.seed, GENERATE_T0_US);
  const slices = BASE_SLICES * o.scale;
  let pending: Pending[] = [];
  let order = 0;
  const emit = (frame: Buffer, tsUs: number): void => {
    pending.push({ frame, tsUs, order: order++, attack: -1, carries: false });
  };
  try {
    for (let k = 0; k < slices; k++) {
      background.slice(emit, k);
      // Later slices start at or after this boundary, so everything before it can go out now.
      const boundary = k + 1 < slices ? GENERATE_T0_US + (k + 1) * SLICE_US : Number.POSITIVE_INFINITY;
      pending.sort(byTime);
      let n = 0;
      while (n < pending.length && pending[n].tsUs < boundary) {
        const f = pending[n++];
        await writeAttacksBefore(f.tsUs, false);
        await writeBackground(f.frame, f.tsUs);
      }
      pending = pending.slice(n);
      await writeAttacksBefore(boundary, false);
      o.onProgress?.(k + 1, slices);
    }
    await writeAttacksBefore(Number.POSITIVE_INFINITY, true);
  } finally {
    await normalOut.close();
    await maliciousOut.close();
  }

  const benign = addressesOf(net.all);
  const truth = (capture: string, packets: number, list: TruthAttack[]): Truth => ({
    capture,
    generator: 'rampart generate',
    seed: o.seed,
    scale: o.scale,
    packets,
    index_base: 1,
    notes: NOTES,
    attacks: list,
    benign_hosts: benign,
  });
  const attacks: TruthAttack[] = plans.map((p, i) => ({
    id: p.id,
    type: p.type,
    variant: p.variant,
    protocol: p.protocol,
    attacker: p.attacker === null ? null : p.attacker.v4,
    victim: p.victim,
    description: p.description,
    first_packet: carried[i].first,
    last_packet: carried[i].last,
    packet_count: carried[i].count,
    packets: carried[i].result(),
    related: related[i].result(),
  }));
  const normalTruth = truth('normal.pcap', normalCount, []);
  const maliciousTruth = truth('malicious.pcap', maliciousCount, attacks);
  const truthPath = (p: string): string => p.replace(/\.pcap$/, '.truth.json');
  writeFileSync(truthPath(paths.normal), formatTruth(normalTruth));
  writeFileSync(truthPath(paths.malicious), formatTruth(maliciousTruth));
  return {
    normal: { path: paths.normal, truthPath: truthPath(paths.normal), packets: normalCount, attacks: 0 },
    malicious: { path: paths.malicious, truthPath: truthPath(paths.malicious), packets: maliciousCount, attacks: attacks.length },
  };
}
