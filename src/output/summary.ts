/**
 * The end-of-run report: what was read, what fired, who was blocked, what was malformed.
 * Built from the event stream (and per-packet verdicts for drop counts) like any other output,
 * with bounded per-source tables so a spoofed-source flood cannot grow it without limit.
 */
import type { EngineEvent, EventSink, PacketVerdict, StatsTree } from './events.js';
import { Verdict } from './events.js';
import { eveTimestamp } from './eve.js';

/** What the run read and how long it took, supplied by the CLI at the end. */
export interface RunTotals {
  readonly files: readonly { path: string; format: string; compressed: boolean; frames: number; bytes: number; truncatedAt?: number }[];
  readonly packets: number;
  readonly bytes: number;
  /** Packet time span. */
  readonly firstTsUs: number;
  readonly lastTsUs: number;
  /** Elapsed real time of the analysis. */
  readonly wallMs: number;
  /** Every stage's counters (from the final stats event). */
  readonly stats: StatsTree;
}

/** Alerts of one signature. */
export interface SignatureCount {
  readonly sid: number;
  readonly msg: string;
  readonly attack_type: string;
  readonly count: number;
}

/** A source ranked by its alerts. */
export interface SourceCount {
  readonly addr: string;
  readonly alerts: number;
  readonly attack_types: readonly string[];
}

/** A blocked address. */
export interface BlockedSource {
  readonly addr: string;
  /** EVE timestamp of its first block. */
  readonly first_block: string;
  readonly blocks: number;
  readonly reasons: readonly string[];
  /** Packets given a BLOCK verdict from (or, failing that, to) this address. */
  readonly packets_dropped: number;
}

/** One input file as read. */
export interface FileSummary {
  readonly path: string;
  readonly format: string;
  readonly compressed: boolean;
  readonly frames: number;
  readonly bytes: number;
  /** Byte offset where a cut-off capture ended, when it was. */
  readonly truncated_at?: number;
}

/** The report as plain JSON-able data (`--json` prints it as is). */
export interface SummaryReport {
  readonly files: readonly FileSummary[];
  readonly packets: number;
  readonly bytes: number;
  /** Packet time covered by the capture, seconds; first/last as EVE timestamps (null without packets). */
  readonly duration_s: number;
  readonly first_ts: string | null;
  readonly last_ts: string | null;
  /** Real time the analysis took, seconds. */
  readonly wall_s: number;
  /** Analysis throughput over wall time: packets per second and megabits per second. */
  readonly pps: number;
  readonly mbps: number;
  /** Per-packet verdicts seen (only when the collector receives verdicts). */
  readonly verdicts: { readonly allow: number; readonly block: number };
  readonly alerts_total: number;
  /** By count, most first; then by sid. */
  readonly alerts_by_type: readonly SignatureCount[];
  /** Top sources by alerts, most first; then by address. */
  readonly top_sources: readonly SourceCount[];
  /** In order of first block. */
  readonly blocked: readonly BlockedSource[];
  /** Blocked-verdict packets whose addresses were never blocked by an event (e.g. blocks from a previous run). */
  readonly dropped_unattributed: number;
  /** Anomaly event names to counts, sorted by name. */
  readonly decoder_events: Readonly<Record<string, number>>;
  /** Alerts/blocks from sources beyond the tracking limit: counted in totals, not in the tables. */
  readonly untracked: { readonly alert_sources: number; readonly blocked: number };
  readonly stats: StatsTree;
}

interface SignatureEntry {
  readonly sid: number;
  readonly msg: string;
  readonly attackType: string;
  count: number;
}

interface SourceEntry {
  alerts: number;
  readonly attackTypes: Set<string>;
}

interface BlockEntry {
  readonly firstTsUs: number;
  blocks: number;
  readonly reasons: Set<string>;
  dropped: number;
}

/** Collects what the summary needs from the event stream. */
export class SummaryCollector implements EventSink {
  /** How many sources the tables track before further ones are only counted. */
  readonly maxSources: number;
  /** How many sources `top_sources` lists. */
  readonly topN: number;
  /** Tracking-limit hits, for the stats output. */
  readonly stats: Record<string, number> = { untracked_alert_sources: 0, untracked_blocked: 0 };
  private readonly signatures = new Map<string, SignatureEntry>();
  private readonly sources = new Map<string, SourceEntry>();
  private readonly blocked = new Map<string, BlockEntry>();
  private readonly decoderEvents = new Map<string, number>();
  private alertsTotal = 0;
  private allowed = 0;
  private dropped = 0;
  private droppedUnattributed = 0;

  /** `maxSources` bounds the per-source tables (default 100 000); `top` is the length of top_sources (default 10). */
  constructor(opts?: { readonly maxSources?: number; readonly top?: number }) {
    this.maxSources = opts?.maxSources ?? 100_000;
    this.topN = opts?.top ?? 10;
  }

  /** Counts alerts, blocks and anomalies. */
  onEvent(ev: EngineEvent): void {
    switch (ev.type) {
      case 'alert': {
        this.alertsTotal++;
        const sig = ev.signature;
        const key = `${sig.gid}:${sig.sid}`;
        const entry = this.signatures.get(key);
        if (entry !== undefined) entry.count++;
        else this.signatures.set(key, { sid: sig.sid, msg: sig.msg, attackType: sig.attackType, count: 1 });
        let source = this.sources.get(ev.srcIp);
        if (source === undefined) {
          if (this.sources.size >= this.maxSources) {
            this.stats.untracked_alert_sources++;
            break;
          }
          source = { alerts: 0, attackTypes: new Set() };
          this.sources.set(ev.srcIp, source);
        }
        source.alerts++;
        source.attackTypes.add(sig.attackType);
        break;
      }
      case 'block': {
        let entry = this.blocked.get(ev.addr);
        if (entry === undefined) {
          if (this.blocked.size >= this.maxSources) {
            this.stats.untracked_blocked++;
            break;
          }
          entry = { firstTsUs: ev.tsUs, blocks: 0, reasons: new Set(), dropped: 0 };
          this.blocked.set(ev.addr, entry);
        }
        entry.blocks++;
        entry.reasons.add(ev.reason);
        break;
      }
      case 'anomaly':
        this.decoderEvents.set(ev.event, (this.decoderEvents.get(ev.event) ?? 0) + 1);
        break;
      default:
        break;
    }
  }

  /** Counts verdicts; a BLOCK is charged to the block it came from (no allocation per packet). */
  onPacket(v: PacketVerdict): void {
    if (v.verdict !== Verdict.BLOCK) {
      this.allowed++;
      return;
    }
    this.dropped++;
    const entry = this.blocked.get(v.blockedAddr);
    if (entry !== undefined) entry.dropped++;
    else this.droppedUnattributed++;
  }

  /** The report for these totals; the collector keeps counting if events follow. */
  report(totals: RunTotals): SummaryReport {
    const wallS = totals.wallMs / 1000;
    const alertsByType = [...this.signatures.values()]
      .sort((a, b) => b.count - a.count || a.sid - b.sid)
      .map((s): SignatureCount => ({ sid: s.sid, msg: s.msg, attack_type: s.attackType, count: s.count }));
    const topSources = [...this.sources.entries()]
      .sort(([addrA, a], [addrB, b]) => b.alerts - a.alerts || compareText(addrA, addrB))
      .slice(0, this.topN)
      .map(([addr, s]): SourceCount => ({ addr, alerts: s.alerts, attack_types: [...s.attackTypes].sort() }));
    const blocked = [...this.blocked.entries()]
      .sort(([addrA, a], [addrB, b]) => a.firstTsUs - b.firstTsUs || compareText(addrA, addrB))
      .map(
        ([addr, b]): BlockedSource => ({
          addr,
          first_block: eveTimestamp(b.firstTsUs),
          blocks: b.blocks,
          reasons: [...b.reasons].sort(),
          packets_dropped: b.dropped,
        }),
      );
    const decoderEvents: Record<string, number> = {};
    for (const name of [...this.decoderEvents.keys()].sort()) decoderEvents[name] = this.decoderEvents.get(name) as number;
    const hasPackets = totals.packets > 0;
    return {
      files: totals.files.map((f) => ({
        path: f.path,
        format: f.format,
        compressed: f.compressed,
        frames: f.frames,
        bytes: f.bytes,
        ...(f.truncatedAt !== undefined ? { truncated_at: f.truncatedAt } : {}),
      })),
      packets: totals.packets,
      bytes: totals.bytes,
      duration_s: hasPackets ? Math.max(0, totals.lastTsUs - totals.firstTsUs) / 1e6 : 0,
      first_ts: hasPackets ? eveTimestamp(totals.firstTsUs) : null,
      last_ts: hasPackets ? eveTimestamp(totals.lastTsUs) : null,
      wall_s: wallS,
      // A zero wall time (tiny input, coarse clock) gives 0 rather than Infinity, which JSON cannot carry.
      pps: wallS > 0 ? Math.round(totals.packets / wallS) : 0,
      mbps: wallS > 0 ? Math.round((totals.bytes * 8) / 1e6 / wallS * 1000) / 1000 : 0,
      verdicts: { allow: this.allowed, block: this.dropped },
      alerts_total: this.alertsTotal,
      alerts_by_type: alertsByType,
      top_sources: topSources,
      blocked,
      dropped_unattributed: this.droppedUnattributed,
      decoder_events: decoderEvents,
      untracked: { alert_sources: this.stats.untracked_alert_sources, blocked: this.stats.untracked_blocked },
      stats: totals.stats,
    };
  }

  /** Nothing to release: the report is taken with `report()`. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "1.2 MB", "512 B": decimal units, as capture tools print sizes. */
function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** "1.2M", "45.3k", "812": rates at a glance. */
function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Aligned columns; `right` marks numeric columns. */
function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[], indent: string): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 && !right[i] ? c : right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ');
  return [line(header), ...rows.map(line)];
}

/** Readable multi-line text of the report for the terminal (aligned columns, no colours when not a TTY). */
export function formatSummary(r: SummaryReport, opts?: { color?: boolean }): string {
  const color = opts?.color ?? false;
  const heading = (text: string): string => (color ? `\x1b[1m${text}\x1b[0m` : text);
  const alarm = (text: string): string => (color ? `\x1b[31m${text}\x1b[0m` : text);
  const out: string[] = [heading('Rampart summary')];
  const indent = '  ';

  out.push('', heading('Input'));
  if (r.files.length === 0) out.push(`${indent}(no files)`);
  else {
    const rows = r.files.map((f) => [
      f.path,
      f.format + (f.compressed ? ' (compressed)' : ''),
      formatBytes(f.bytes),
      `${f.frames} frames`,
      f.truncated_at !== undefined ? alarm(`truncated at byte ${f.truncated_at}`) : '',
    ]);
    out.push(...table(['FILE', 'FORMAT', 'SIZE', 'FRAMES', ''], rows, [false, false, true, true, false], indent).map((l) => l.trimEnd()));
  }

  out.push('', heading('Traffic'));
  const span = r.first_ts !== null ? ` (${r.first_ts} .. ${r.last_ts})` : '';
  out.push(`${indent}packets     ${r.packets} (${formatBytes(r.bytes)}) over ${r.duration_s.toFixed(3)} s of capture${span}`);
  out.push(`${indent}analysis    ${r.wall_s.toFixed(3)} s, ${formatCount(r.pps)} pkt/s, ${r.mbps.toFixed(1)} Mbit/s`);
  out.push(`${indent}verdicts    ${r.verdicts.allow} allowed, ${r.verdicts.block > 0 ? alarm(String(r.verdicts.block)) : '0'} blocked`);

  out.push('', heading(`Alerts: ${r.alerts_total}`));
  if (r.alerts_by_type.length > 0) {
    const rows = r.alerts_by_type.map((s) => [String(s.sid), String(s.count), s.attack_type, s.msg]);
    out.push(...table(['SID', 'COUNT', 'ATTACK TYPE', 'SIGNATURE'], rows, [true, true, false, false], indent));
  }

  if (r.top_sources.length > 0) {
    out.push('', heading('Top sources'));
    const rows = r.top_sources.map((s) => [s.addr, String(s.alerts), s.attack_types.join(', ')]);
    out.push(...table(['ADDRESS', 'ALERTS', 'ATTACK TYPES'], rows, [false, true, false], indent));
  }

  out.push('', heading(`Blocked sources: ${r.blocked.length}`));
  if (r.blocked.length > 0) {
    const rows = r.blocked.map((b) => [b.addr, b.first_block, String(b.blocks), String(b.packets_dropped), b.reasons.join(', ')]);
    out.push(...table(['ADDRESS', 'FIRST BLOCK', 'BLOCKS', 'DROPPED', 'REASONS'], rows, [false, false, true, true, false], indent));
  }
  if (r.untracked.alert_sources > 0 || r.untracked.blocked > 0) {
    out.push(`${indent}(beyond the tracking limit: ${r.untracked.alert_sources} alerts from untracked sources, ${r.untracked.blocked} untracked blocks)`);
  }

  const events = Object.entries(r.decoder_events);
  if (events.length > 0) {
    out.push('', heading('Decoder events'));
    out.push(...table(['EVENT', 'COUNT'], events.map(([name, n]) => [name, String(n)]), [false, true], indent));
  }

  const stages = Object.entries(r.stats)
    .map(([stage, counters]) => [stage, Object.entries(counters).filter(([, n]) => n !== 0)] as const)
    .filter(([, counters]) => counters.length > 0);
  if (stages.length > 0) {
    out.push('', heading('Counters'));
    const width = Math.max(...stages.map(([stage]) => stage.length));
    for (const [stage, counters] of stages) {
      out.push(`${indent}${stage.padEnd(width)}  ${counters.map(([name, n]) => `${name}=${n}`).join(' ')}`);
    }
  }
  return out.join('\n') + '\n';
}
