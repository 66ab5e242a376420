import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_SEED, generateCaptures, MAX_SCALE } from '../tools/generate/generate.js';
import { UsageError } from './errors.js';

/** Options of `rampart generate`, as parsed from the command line (text, checked here). */
export interface GenerateCliOptions {
  readonly out?: string;
  readonly seed?: string;
  readonly scale?: string;
}

/** A whole number from option text, or a UsageError naming the option. */
function wholeNumber(name: string, text: string | undefined, fallback: number, max: number, min: number): number {
  if (text === undefined) return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number between ${min} and ${max}, got "${text}"`);
  return n;
}

/** `rampart generate`: the command's whole behaviour, returning its exit code. */
export async function runGenerate(opts: GenerateCliOptions): Promise<number> {
  const seed = wholeNumber('--seed', opts.seed, DEFAULT_SEED, 0xffffffff, 0);
  const scale = wholeNumber('--scale', opts.scale, 1, MAX_SCALE, 1);
  const outDir = opts.out ?? '.';
  const stderr = process.stderr;
  const showProgress = scale > 1 && stderr.isTTY === true;
  try {
    const r = await generateCaptures({
      outDir,
      seed,
      scale,
      onProgress: showProgress ? (done, total) => stderr.write(`\rrampart: generating ${Math.floor((100 * done) / total)}%`) : undefined,
    });
    if (showProgress) stderr.write('\n');
    process.stdout.write(
      `wrote ${r.normal.path} (${r.normal.packets} packets) and ${r.normal.truthPath}\n` +
        `wrote ${r.malicious.path} (${r.malicious.packets} packets, ${r.malicious.attacks} attacks) and ${r.malicious.truthPath}\n` +
        `seed ${seed}, scale ${scale}; evaluate with: rampart eval ${join(outDir, 'malicious.pcap')} --truth ${join(outDir, 'malicious.truth.json')}\n`,
    );
    return 0;
  } catch (err) {
    // A directory that cannot be created or a disk that is full: a runtime failure, not a usage error.
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && typeof e.syscall === 'string') {
      stderr.write(`rampart: cannot write to ${outDir}: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** Adds `rampart generate` to the program. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Write normal.pcap (benign office traffic) and malicious.pcap (the same plus floods, scans, sweeps and web attacks), each with a .truth.json ground truth; the same seed gives the same bytes.')
    .option('--out <dir>', 'directory to write the four files into (created if missing)', '.')
    .option('--seed <n>', `seed of every random choice, 0-4294967295 (default ${DEFAULT_SEED})`)
    .option('--scale <s>', 'grow the background S times (S x 180 s, about S x 19,000 packets; streamed, flat memory); the attacks stay the same (default 1)')
    .action(async (opts: Record<string, unknown>) => {
      process.exitCode = await runGenerate({ out: opts.out as string | undefined, seed: opts.seed as string | undefined, scale: opts.scale as string | undefined });
    });
}
