/**
 * A one-line progress bar for long analyses. It only appears where a person is watching (a TTY,
 * not CI) and where it is worth it (inputs over 8 MiB), and it asks the clock only every so many
 * calls so that calling it per packet costs a counter increment.
 */

/** Inputs smaller than this finish before a bar would be read. */
const MIN_BYTES = 8 * 1024 * 1024;
/** Redraw interval: ~10 times a second. */
const REDRAW_MS = 100;
/** Calls between clock reads, and bytes between clock reads when calls are per chunk rather than per packet. */
const CHECK_EVERY_CALLS = 4096;
const CHECK_EVERY_BYTES = 1024 * 1024;
const BAR_WIDTH = 20;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1).replace(/\.0$/, '')} MB`;
}

function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return String(Math.round(perSecond));
}

/** A one-line progress bar on stderr ("[=====>    ] 42% 120.3 MB/286 MB 1.2M pkt/s"), redrawn at most ~10×/s. */
export class Progress {
  /** False when not on a TTY, under CI, or for small inputs: then every call returns at once. */
  readonly enabled: boolean;
  private readonly stream: NodeJS.WriteStream;
  private readonly startMs: number;
  private calls = 0;
  private checkedBytes = 0;
  private lastDrawMs = -Infinity;
  private drawn = false;
  private finished = false;

  /** `totalBytes` is the input size; `stream` defaults to stderr and `env` to the process environment. */
  constructor(
    private readonly totalBytes: number,
    opts?: { stream?: NodeJS.WriteStream; env?: NodeJS.ProcessEnv },
  ) {
    this.stream = opts?.stream ?? process.stderr;
    const env = opts?.env ?? process.env;
    const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
    this.enabled = this.stream.isTTY === true && !ci && totalBytes > MIN_BYTES;
    this.startMs = performance.now();
  }

  /** Reports progress; cheap enough to call per packet. */
  update(bytesRead: number, packets: number): void {
    if (!this.enabled || this.finished) return;
    if (++this.calls < CHECK_EVERY_CALLS && bytesRead - this.checkedBytes < CHECK_EVERY_BYTES) return;
    this.calls = 0;
    this.checkedBytes = bytesRead;
    const now = performance.now();
    if (now - this.lastDrawMs < REDRAW_MS) return;
    this.lastDrawMs = now;
    this.draw(bytesRead, packets, now);
  }

  private draw(bytesRead: number, packets: number, now: number): void {
    const fraction = Math.min(1, Math.max(0, bytesRead / this.totalBytes));
    const filled = Math.floor(fraction * BAR_WIDTH);
    const bar = filled >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : `${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled - 1)}`;
    const seconds = (now - this.startMs) / 1000;
    const pps = seconds > 0 ? rate(packets / seconds) : '0';
    const percent = String(Math.floor(fraction * 100)).padStart(3);
    // \r returns to the line start and \x1b[K clears what a longer previous line left behind.
    this.stream.write(`\r[${bar}] ${percent}% ${megabytes(bytesRead)}/${megabytes(this.totalBytes)} ${pps} pkt/s\x1b[K`);
    this.drawn = true;
  }

  /** Clears the bar so the summary starts on a clean line; safe to call more than once. */
  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[K');
  }
}
