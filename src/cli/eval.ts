import type { Command } from 'commander';
import { CaptureError } from '../capture/source.js';
import { evaluate, type EvalReport, readTruthFile } from '../tools/eval/eval.js';
import { formatEvalReport } from '../tools/eval/format.js';
import { type Truth, TruthError } from '../tools/generate/truth.js';

/** Options of `rampart eval`, as parsed from the command line. */
export interface EvalCliOptions {
  readonly truth: string;
  readonly json?: boolean;
  readonly config?: string;
}

/**
 * `rampart eval`: the command's whole behaviour, returning its exit code. 0 whatever the engine
 * found (it reports, it does not judge); 1 when the capture or the truth file cannot be read.
 * A bad --config is a ConfigError, which the caller maps to 2.
 */
export async function runEval(capture: string, opts: EvalCliOptions): Promise<number> {
  let truth: Truth;
  try {
    truth = readTruthFile(opts.truth);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof TruthError) process.stderr.write(`rampart: ${err.message}\n`);
    else if (typeof e.code === 'string') process.stderr.write(`rampart: cannot read truth file ${opts.truth}: ${e.message}\n`);
    else throw err;
    return 1;
  }
  let report: EvalReport;
  try {
    report = await evaluate(capture, truth, opts.truth, { config: opts.config });
  } catch (err) {
    if (err instanceof CaptureError) {
      process.stderr.write(`rampart: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(opts.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatEvalReport(report));
  return 0;
}

/** Adds `rampart eval` to the program. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Analyse a capture and compare with its ground truth (rampart generate writes both): per attack, detected, missed or not supported, packets until the first alert; false-positive alerts and blocks on benign hosts. Exit 0 whatever it finds.')
    .argument('<capture>', 'capture file (pcap, pcapng, gzip-compressed)')
    .requiredOption('--truth <file>', 'its ground truth (.truth.json)')
    .option('--json', 'print the report as one JSON document')
    .option('-c, --config <file>', 'YAML configuration of the engine (see rampart analyze --print-config)')
    .action(async (capture: string, opts: Record<string, unknown>) => {
      process.exitCode = await runEval(capture, { truth: opts.truth as string, json: opts.json === true, config: opts.config as string | undefined });
    });
}
