/**
 * `rampart eval`: runs the engine over a capture and holds its alerts and blocks against the
 * capture's ground truth. It reports, it does not judge: for each attack whether the engine
 * detected it, missed it, or has no detector for its type at all; how many packets it took; and
 * every alert or block that names a benign host (a false positive). Uses the engine only
 * through the public API.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type AlertEvent, type BlockEvent, type Config, defaultConfig, DETECTORS, Engine, type EngineEvent, type EventSink, loadConfigFile, readCaptureFile, SECTIONS } from '../../index.js';
import { parseIp } from '../craft/address.js';
import { parseTruth, type Truth, type TruthAttack } from '../generate/truth.js';

/** Options of an evaluation. */
export interface EvalOptions {
  /** YAML configuration file for the engine (defaults when absent). */
  readonly config?: string;
}

/** Detected, missed, or no detector declares the attack's type. */
export type AttackStatus = 'detected' | 'missed' | 'not_supported';

/** The engine's result on one attack of the truth file. */
export interface AttackResult {
  readonly id: string;
  readonly type: string;
  readonly variant: string;
  readonly attacker: string | null;
  readonly victim: string;
  readonly first_packet: number;
  readonly status: AttackStatus;
  /** pcap_cnt of the first alert of the attack's type about it, or null. */
  readonly first_alert: number | null;
  /** first_alert − first_packet: packets of the capture (any) until the engine spoke. */
  readonly packets_to_first_alert: number | null;
  /** Alerts of the attack's type about it. */
  readonly alerts: number;
  /** Signature ids of those alerts, ascending. */
  readonly sids: readonly number[];
  /** pcap_cnt of the first block of the attacker at or after the attack began, or null. */
  readonly blocked_at: number | null;
  /** attack_types of other alerts about the same attacker (a NULL scan is also a port scan). */
  readonly also_alerted_as: readonly string[];
}

/** Summary of all attacks of one type. */
export interface TypeResult {
  readonly type: string;
  /** detected: all of its attacks; partial: some; missed: none; not_supported: no detector declares the type. */
  readonly status: 'detected' | 'partial' | 'missed' | 'not_supported';
  readonly attacks: number;
  readonly detected: number;
  /** Smallest packets_to_first_alert among its attacks, or null. */
  readonly fastest: number | null;
}

/** An alert or block naming a benign host. */
export interface FalsePositive {
  readonly kind: 'alert' | 'block';
  readonly pcap_cnt: number;
  /** The benign address: the alert's source, the blocked address. */
  readonly addr: string;
  readonly sid: number;
  readonly attack_type: string;
  readonly detail: string;
}

/** An alert about neither an attack of the truth file nor a benign host. */
export interface UnattributedAlert {
  readonly pcap_cnt: number;
  readonly sid: number;
  readonly attack_type: string;
  readonly src_ip: string;
  readonly dest_ip: string;
}

/** Everything `rampart eval` reports. */
export interface EvalReport {
  readonly capture: string;
  readonly truth: string;
  readonly packets: number;
  /** attack_types some built-in detector declares. */
  readonly supported_types: readonly string[];
  readonly attacks: readonly AttackResult[];
  readonly types: readonly TypeResult[];
  readonly false_positives: {
    readonly alerts: number;
    readonly blocks: number;
    /** Benign addresses alerted about or blocked, sorted. */
    readonly hosts: readonly string[];
    readonly events: readonly FalsePositive[];
  };
  readonly unattributed_alerts: readonly UnattributedAlert[];
  readonly alerts_total: number;
  /** Disagreements between the truth file and the capture (packet counts). */
  readonly warnings: readonly string[];
}

/** Collects the alert and block events of a run. */
class EventCollector implements EventSink {
  readonly alerts: AlertEvent[] = [];
  readonly blocks: BlockEvent[] = [];
  onEvent(ev: EngineEvent): void {
    if (ev.type === 'alert') this.alerts.push(ev);
    else if (ev.type === 'block') this.blocks.push(ev);
  }
  async close(): Promise<void> {}
}

/** attack_types declared by the signatures of the built-in detectors, read at run time. */
export function supportedAttackTypes(): ReadonlySet<string> {
  const out = new Set<string>();
  for (const d of DETECTORS) for (const sig of d.signatures) out.add(sig.attackType);
  return out;
}

/** True when addr is the victim address, or inside the victim CIDR. */
function inVictim(addr: string, victim: string): boolean {
  const slash = victim.indexOf('/');
  if (slash < 0) return addr === victim;
  let a: Uint8Array;
  let net: Uint8Array;
  try {
    a = parseIp(addr).bytes;
    net = parseIp(victim.slice(0, slash)).bytes;
  } catch {
    return false;
  }
  if (a.length !== net.length) return false;
  const bits = Number(victim.slice(slash + 1));
  for (let i = 0; i < bits; i++) {
    const byte = i >>> 3;
    const mask = 0x80 >>> (i & 7);
    if ((a[byte] & mask) !== (net[byte] & mask)) return false;
  }
  return true;
}

/** Reads and checks a truth file (TruthError for bad content; fs errors as they come). */
export function readTruthFile(path: string): Truth {
  return parseTruth(readFileSync(path, 'utf8'), path);
}

/**
 * Runs the engine over `capture` and compares with `truth`. An alert belongs to an attack when
 * it has the attack's type, names its attacker as source (forged sources: names its victim as
 * destination) and comes at or after its first packet; among several such attacks, the latest
 * begun. Throws CaptureError for an unreadable capture, ConfigError for a bad config.
 */
export async function evaluate(capture: string, truth: Truth, truthPath: string, opts: EvalOptions = {}): Promise<EvalReport> {
  const config: Config = opts.config !== undefined ? loadConfigFile(SECTIONS, opts.config) : defaultConfig(SECTIONS);
  const events = new EventCollector();
  const engine = new Engine(config, [events]);
  await readCaptureFile(capture, engine.processFrame);
  engine.finish();

  const supported = supportedAttackTypes();
  const benign = new Set(truth.benign_hosts);
  const attackers = new Set(truth.attacks.map((a) => a.attacker).filter((a): a is string => a !== null));
  const byLatest = [...truth.attacks].sort((a, b) => b.first_packet - a.first_packet);
  const matched = new Map<TruthAttack, AlertEvent[]>(truth.attacks.map((a) => [a, []]));
  const also = new Map<TruthAttack, Set<string>>(truth.attacks.map((a) => [a, new Set()]));
  const falsePositives: FalsePositive[] = [];
  const unattributed: UnattributedAlert[] = [];

  /** Is the alert about this attack's parties? */
  const about = (a: TruthAttack, ev: AlertEvent): boolean =>
    a.attacker !== null ? ev.srcIp === a.attacker : inVictim(ev.destIp, a.victim) && !benign.has(ev.srcIp) && !attackers.has(ev.srcIp);
  for (const ev of events.alerts) {
    const type = ev.signature.attackType;
    const own = byLatest.find((a) => a.type === type && a.first_packet <= ev.pcapCnt && about(a, ev));
    if (own !== undefined) {
      (matched.get(own) as AlertEvent[]).push(ev);
      continue;
    }
    if (benign.has(ev.srcIp)) {
      falsePositives.push({ kind: 'alert', pcap_cnt: ev.pcapCnt, addr: ev.srcIp, sid: ev.signature.sid, attack_type: type, detail: `${ev.signature.msg}: ${ev.srcIp} -> ${ev.destIp} (${ev.detail})` });
      continue;
    }
    const party = byLatest.find((a) => a.first_packet <= ev.pcapCnt && about(a, ev)) ?? byLatest.find((a) => about(a, ev));
    if (party !== undefined) (also.get(party) as Set<string>).add(type);
    else unattributed.push({ pcap_cnt: ev.pcapCnt, sid: ev.signature.sid, attack_type: type, src_ip: ev.srcIp, dest_ip: ev.destIp });
  }
  for (const b of events.blocks) {
    if (benign.has(b.addr)) falsePositives.push({ kind: 'block', pcap_cnt: b.pcapCnt, addr: b.addr, sid: b.sid, attack_type: '', detail: `blocked for ${b.durationS}s: ${b.reason}` });
  }
  falsePositives.sort((a, b) => a.pcap_cnt - b.pcap_cnt || a.kind.localeCompare(b.kind));

  const attacks: AttackResult[] = truth.attacks.map((a) => {
    const alerts = matched.get(a) as AlertEvent[];
    const first = alerts.length > 0 ? alerts[0].pcapCnt : null;
    const status: AttackStatus = alerts.length > 0 ? 'detected' : supported.has(a.type) ? 'missed' : 'not_supported';
    const block = a.attacker === null ? undefined : events.blocks.find((b) => b.addr === a.attacker && b.pcapCnt >= a.first_packet);
    return {
      id: a.id,
      type: a.type,
      variant: a.variant,
      attacker: a.attacker,
      victim: a.victim,
      first_packet: a.first_packet,
      status,
      first_alert: first,
      packets_to_first_alert: first === null ? null : first - a.first_packet,
      alerts: alerts.length,
      sids: [...new Set(alerts.map((e) => e.signature.sid))].sort((x, y) => x - y),
      blocked_at: block === undefined ? null : block.pcapCnt,
      also_alerted_as: [...(also.get(a) as Set<string>)].sort(),
    };
  });

  const types: TypeResult[] = [];
  for (const type of [...new Set(attacks.map((a) => a.type))]) {
    const of = attacks.filter((a) => a.type === type);
    const detected = of.filter((a) => a.status === 'detected').length;
    const latencies = of.map((a) => a.packets_to_first_alert).filter((n): n is number => n !== null);
    const status = !supported.has(type) && detected === 0 ? 'not_supported' : detected === of.length ? 'detected' : detected > 0 ? 'partial' : 'missed';
    types.push({ type, status, attacks: of.length, detected, fastest: latencies.length > 0 ? Math.min(...latencies) : null });
  }

  const warnings: string[] = [];
  if (truth.packets > 0 && truth.packets !== engine.packets) warnings.push(`${truthPath} describes ${truth.packets} packets, ${capture} holds ${engine.packets}: packet numbers may not line up`);
  if (truth.capture !== '' && truth.capture !== basename(capture)) warnings.push(`${truthPath} describes ${truth.capture}, not ${basename(capture)}`);

  return {
    capture,
    truth: truthPath,
    packets: engine.packets,
    supported_types: [...supported].sort(),
    attacks,
    types,
    false_positives: {
      alerts: falsePositives.filter((f) => f.kind === 'alert').length,
      blocks: falsePositives.filter((f) => f.kind === 'block').length,
      hosts: [...new Set(falsePositives.map((f) => f.addr))].sort(),
      events: falsePositives,
    },
    unattributed_alerts: unattributed,
    alerts_total: events.alerts.length,
    warnings,
  };
}

/** Reads the truth file and evaluates the capture against it. */
export async function evaluateFiles(capture: string, truthPath: string, opts: EvalOptions = {}): Promise<EvalReport> {
  return evaluate(capture, readTruthFile(truthPath), truthPath, opts);
}
