import { type Config, defaultConfig, parseConfig } from '../src/config/config.js';
import { Engine } from '../src/engine/engine.js';
import { SECTIONS } from '../src/engine/sections.js';
import type { AlertEvent, EngineEvent, EventSink, PacketVerdict } from '../src/output/events.js';
import { Verdict } from '../src/output/events.js';

/** A frame with its packet time, as the tests build them. */
export interface TestFrame {
  readonly frame: Buffer;
  readonly tsUs: number;
}

/** What an engine run produced. */
export interface RunOutput {
  readonly events: EngineEvent[];
  readonly alerts: AlertEvent[];
  /** One line per packet, in the seed's format. */
  readonly verdicts: string[];
  readonly engine: Engine;
}

/** A frames collector usable as an `Emit`. */
export function collector(): { frames: TestFrame[]; emit: (frame: Buffer, tsUs: number) => void } {
  const frames: TestFrame[] = [];
  return { frames, emit: (frame, tsUs) => frames.push({ frame, tsUs }) };
}

/** Runs Ethernet frames through a whole engine with the given YAML config (defaults when absent). */
export function run(frames: readonly TestFrame[], yaml?: string): RunOutput {
  const config: Config = yaml === undefined ? defaultConfig(SECTIONS) : parseConfig(SECTIONS, yaml, 'test.yaml');
  const events: EngineEvent[] = [];
  const verdicts: string[] = [];
  const sink: EventSink = {
    onEvent: (ev) => events.push(ev),
    onPacket: (v: PacketVerdict) => {
      const head = v.isIp ? `[${v.index}] ${v.srcIp()} -> ${v.destIp()}` : `[${v.index}] Non-IP packet`;
      verdicts.push(v.verdict === Verdict.BLOCK ? `${head} : BLOCK: ${v.reason}` : `${head} : ALLOW`);
    },
    close: async () => {},
  };
  const engine = new Engine(config, [sink]);
  const sorted = [...frames].sort((a, b) => a.tsUs - b.tsUs);
  for (const f of sorted) engine.processFrame(f.frame, 0, f.frame.length, f.frame.length, f.tsUs, 0, 1);
  engine.finish();
  const alerts = events.filter((e): e is AlertEvent => e.type === 'alert');
  return { events, alerts, verdicts, engine };
}

/** Alerts reduced to what tests compare: sid, packet number, source, action. */
export function brief(alerts: readonly AlertEvent[]): string[] {
  return alerts.map((a) => `${a.signature.sid} #${a.pcapCnt} ${a.srcIp} -> ${a.destIp} ${a.action}`);
}

/** 2026-03-01T12:00:00Z in µs: a fixed packet-time origin for tests. */
export const T0 = Date.UTC(2026, 2, 1, 12, 0, 0) * 1000;
