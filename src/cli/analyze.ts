import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CaptureError, readCaptureFile } from '../capture/source.js';
import { type Config, defaultConfig, formatConfig, loadConfigFile } from '../config/config.js';
import { Engine } from '../engine/engine.js';
import { SECTIONS } from '../engine/sections.js';
import { EveWriter } from '../output/eve.js';
import type { EventSink } from '../output/events.js';
import { Progress } from '../output/progress.js';
import { formatSummary, type RunTotals, SummaryCollector, type SummaryReport } from '../output/summary.js';
import { VerdictWriter } from '../output/verdicts.js';
import { UsageError } from './errors.js';

/** Options of `rampart analyze`, as parsed from the command line. */
export interface AnalyzeOptions {
  readonly config?: string;
  readonly printConfig?: boolean;
  readonly eve?: string;
  readonly verdicts?: boolean;
  readonly json?: boolean;
  readonly progress?: boolean;
  /** Log one EVE http event per HTTP request (overrides outputs.http_events when true). */
  readonly httpEvents?: boolean;
  /** Log one EVE flow event per flow when it ends (overrides outputs.flow_events when true). */
  readonly flowEvents?: boolean;
}

/** The capture analysed when `rampart analyze` gets no file: floods, scans and benign traffic. */
export const SAMPLE_CAPTURE = fileURLToPath(new URL('../../../samples/demo.pcap', import.meta.url));

/** The effective configuration for a command: defaults, or the file given with --config. */
export function loadConfig(file?: string): Config {
  return file !== undefined ? loadConfigFile(SECTIONS, file) : defaultConfig(SECTIONS);
}

/** The config with the outputs the flags switch on (--http-events, --flow-events) on as well. */
function withEventFlags(config: Config, opts: AnalyzeOptions): Config {
  if (opts.httpEvents !== true && opts.flowEvents !== true) return config;
  const on: Record<string, boolean> = {};
  if (opts.httpEvents === true) on.http_events = true;
  if (opts.flowEvents === true) on.flow_events = true;
  return {
    file: config.file,
    section: (path: string) => (path === 'outputs' ? { ...config.section(path), ...on } : config.section(path)),
  };
}

/** Result of an analysis run, for the CLI and for programs using the engine. */
export interface AnalyzeResult {
  readonly report: SummaryReport;
  readonly totals: RunTotals;
}

/**
 * Analyses capture files with one engine (packet numbers and state run on across files) and
 * writes the chosen outputs. Throws CaptureError for unreadable input, ConfigError/UsageError
 * for bad settings.
 */
export async function analyzeFiles(files: readonly string[], opts: AnalyzeOptions, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream): Promise<AnalyzeResult> {
  const loaded = loadConfig(opts.config);
  const config = withEventFlags(loaded, opts);
  const outputs = config.section('outputs');
  const evePath = opts.eve ?? ((outputs.eve as string) || undefined);
  const verdicts = opts.verdicts === true || outputs.verdicts === true;
  if (opts.json === true && (evePath === '-' || verdicts)) {
    throw new UsageError('--json writes the summary to stdout: it cannot share stdout with --eve - or --verdicts');
  }

  const summary = new SummaryCollector();
  const sinks: EventSink[] = [summary];
  if (evePath !== undefined) sinks.push(new EveWriter(evePath));
  if (verdicts) sinks.push(new VerdictWriter(stdout));
  const engine = new Engine(config, sinks);

  let totalBytes = 0;
  for (const f of files) {
    try {
      totalBytes += statSync(f).size;
    } catch {
      // readCaptureFile reports a missing file with its own message.
    }
  }
  const progress = new Progress(totalBytes, { stream: stderr });
  const showProgress = opts.progress !== false && progress.enabled;
  let doneBytes = 0;

  const started = performance.now();
  const fileResults: RunTotals['files'][number][] = [];
  try {
    for (const f of files) {
      const base = doneBytes;
      const res = await readCaptureFile(f, engine.processFrame, {
        onWarning: (msg) => {
          if (showProgress) progress.done();
          stderr.write(`rampart: warning: ${msg}\n`);
        },
        onProgress: showProgress ? (read) => progress.update(base + read, engine.packets) : undefined,
      });
      try {
        doneBytes += statSync(f).size;
      } catch {
        // size only feeds the progress bar
      }
      fileResults.push({ path: f, format: res.format, compressed: res.compressed, frames: res.frames, bytes: res.bytes, truncatedAt: res.truncatedAt });
    }
  } finally {
    if (showProgress) progress.done();
  }
  const final = engine.finish();
  const wallMs = performance.now() - started;
  for (const s of sinks) await s.close();

  const totals: RunTotals = {
    files: fileResults,
    packets: engine.packets,
    bytes: engine.bytes,
    firstTsUs: engine.firstTsUs,
    lastTsUs: engine.lastTsUs,
    wallMs,
    stats: final.stats,
  };
  return { report: summary.report(totals), totals };
}

/** `rampart analyze`: the command's whole behaviour, returning its exit code. */
export async function runAnalyze(files: readonly string[], opts: AnalyzeOptions): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  if (opts.printConfig === true) {
    stdout.write(formatConfig(SECTIONS, loadConfig(opts.config)));
    return 0;
  }
  const inputs = files.length > 0 ? files : [SAMPLE_CAPTURE];
  if (files.length === 0) stderr.write(`rampart: no capture given; analysing the built-in sample ${SAMPLE_CAPTURE}\n`);
  try {
    const { report } = await analyzeFiles(inputs, opts, stdout, stderr);
    const summaryOut = opts.eve === '-' || opts.verdicts === true ? stderr : stdout;
    if (opts.json === true) stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else summaryOut.write(`${formatSummary(report, { color: summaryOut.isTTY === true && !process.env.NO_COLOR })}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CaptureError) {
      stderr.write(`rampart: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
