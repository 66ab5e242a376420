import type { HttpRequest } from '../app/http/request.js';
import type { SectionSpec, SectionValues } from '../config/params.js';
import { dstAddrText, formatIp4, formatIp6, L3, type Packet, protoName, srcAddrText } from '../decode/packet.js';
import type { FlowTable } from '../flow/flow-table.js';
import type { AlertEvent, PacketRef, Signature } from '../output/events.js';
import type { AlertApp, DetectContext, Detector, DetectorSpec, Offender } from './detector.js';
import { pairKey } from './windows.js';

/** Parameters of the detect stage itself. */
export const detectParams: SectionSpec = {
  path: 'detect',
  help: 'Alerting common to all detectors.',
  params: [
    { name: 'realert', type: 'number', default: 60, min: 0, max: 86400, help: 'Seconds of packet time before the same signature alerts again about the same source.' },
    { name: 'max_suppressions', type: 'int', default: 262144, min: 16, max: 16777216, help: 'Signature/source pairs remembered for re-alert suppression (oldest dropped).' },
  ],
};

/** Receives each alert with whom to hold responsible; set by the engine (the decide stage). */
export type AlertHandler = (alert: AlertEvent, offender: Offender | null) => void;

/**
 * The detect stage: runs the enabled detectors on every packet and flow end, suppresses repeats,
 * and turns their findings into alert events. It never enforces: alerts go to the handler.
 */
export class Detect implements DetectContext {
  readonly stats: Record<string, number> = { alerts: 0, suppressed: 0, suppression_evictions: 0 };
  private readonly detectors: Detector[] = [];
  /** The detectors that look at packets, and those that look at HTTP requests. */
  private readonly packetDetectors: Detector[] = [];
  private readonly httpDetectors: Detector[] = [];
  private readonly transactionDetectors: Detector[] = [];
  private readonly lastAlertUs = new Map<number, number>();
  private realertUs: number;
  private maxSuppressions: number;
  /** The packet being processed, for alerts raised from flow ends (they carry its number and time). */
  private current: Packet | null = null;

  constructor(
    readonly flows: FlowTable,
    specs: readonly DetectorSpec[],
    valuesOf: (spec: DetectorSpec) => SectionValues,
    own: SectionValues,
    private readonly onAlert: AlertHandler,
  ) {
    this.build(specs, valuesOf);
    this.realertUs = (own.realert as number) * 1e6;
    this.maxSuppressions = own.max_suppressions as number;
  }

  /**
   * Creates the enabled detectors. All or nothing: a detector that refuses its values (a bad
   * pattern file or exemption, a ConfigError) leaves the running ones in place.
   */
  private build(specs: readonly DetectorSpec[], valuesOf: (spec: DetectorSpec) => SectionValues): void {
    const created: Detector[] = [];
    for (const spec of specs) {
      const values = valuesOf(spec);
      if (values.enabled === false) continue;
      created.push(spec.create(values, this));
    }
    this.detectors.length = 0;
    this.packetDetectors.length = 0;
    this.httpDetectors.length = 0;
    this.transactionDetectors.length = 0;
    for (const d of created) {
      this.detectors.push(d);
      if (d.onPacket !== undefined) this.packetDetectors.push(d);
      if (d.onHttpRequest !== undefined) this.httpDetectors.push(d);
      if (d.onHttpTransaction !== undefined) this.transactionDetectors.push(d);
    }
  }

  /**
   * Applies new parameters (SIGHUP): detectors are rebuilt with the new thresholds and pattern
   * files, their windows start afresh; flows, blocks and re-alert suppression are kept.
   */
  reconfigure(specs: readonly DetectorSpec[], valuesOf: (spec: DetectorSpec) => SectionValues, own: SectionValues): void {
    this.build(specs, valuesOf);
    this.realertUs = (own.realert as number) * 1e6;
    this.maxSuppressions = own.max_suppressions as number;
  }

  /** True when some enabled detector inspects HTTP requests or transactions (the engine skips payload work otherwise). */
  get wantsHttp(): boolean {
    return this.httpDetectors.length > 0 || this.transactionDetectors.length > 0;
  }

  /** Runs every detector on one packet (after flow tracking). */
  onPacket(p: Packet, flow: number): void {
    this.current = p;
    const ds = this.packetDetectors;
    for (let i = 0; i < ds.length; i++) (ds[i].onPacket as (p: Packet, flow: number) => void)(p, flow);
  }

  /** Runs the HTTP detectors on a request whose head or body just completed (`p` null at flow end). */
  onHttpRequest(req: HttpRequest, flow: number, phase: number, p: Packet | null): void {
    const ds = this.httpDetectors;
    for (let i = 0; i < ds.length; i++) (ds[i].onHttpRequest as NonNullable<Detector['onHttpRequest']>)(req, flow, phase, p);
  }

  /** Runs the detectors that watch finished HTTP transactions (response complete, or never to come). */
  onHttpTransaction(req: HttpRequest, flow: number, p: Packet | null): void {
    const ds = this.transactionDetectors;
    for (let i = 0; i < ds.length; i++) (ds[i].onHttpTransaction as NonNullable<Detector['onHttpTransaction']>)(req, flow, p);
  }

  /** Passes a flow end to the detectors that watch them. */
  onFlowEnd(flow: number, reason: number): void {
    const ds = this.detectors;
    for (let i = 0; i < ds.length; i++) {
      const d = ds[i];
      if (d.onFlowEnd !== undefined) d.onFlowEnd(flow, reason);
    }
  }

  /** Detector counters merged with the stage's own. */
  collectStats(): Record<string, number> {
    const out: Record<string, number> = { ...this.stats };
    for (const d of this.detectors) if (d.stats) Object.assign(out, d.stats);
    return out;
  }

  suppressed(sig: Signature, key: number, tsUs: number): boolean {
    const k = pairKey(key, sig.sid);
    const last = this.lastAlertUs.get(k);
    if (last !== undefined && tsUs - last < this.realertUs && tsUs >= last) {
      this.stats.suppressed++;
      return true;
    }
    if (last === undefined && this.lastAlertUs.size >= this.maxSuppressions) {
      const oldest = this.lastAlertUs.keys().next().value as number;
      this.lastAlertUs.delete(oldest);
      this.stats.suppression_evictions++;
    }
    this.lastAlertUs.delete(k);
    this.lastAlertUs.set(k, tsUs);
    return false;
  }

  alert(sig: Signature, p: Packet, flow: number, offender: Offender | null, detail: string, metadata?: Record<string, string[]>): void {
    const hasPorts = p.hasL4 && (p.ipProto === 6 || p.ipProto === 17);
    const ref: PacketRef = {
      tsUs: p.tsUs,
      pcapCnt: p.index + 1,
      flowId: flow >= 0 ? this.flows.flowId[flow] : 0,
      srcIp: srcAddrText(p),
      srcPort: hasPorts ? p.srcPort : 0,
      destIp: dstAddrText(p),
      destPort: hasPorts ? p.dstPort : 0,
      proto: p.l3 === L3.ARP ? 'ARP' : protoName(p.ipProto),
    };
    this.emit(sig, ref, offender, detail, metadata);
  }

  alertFlow(sig: Signature, flow: number, offender: Offender | null, detail: string, metadata?: Record<string, string[]>, responderIsSource = false): void {
    const f = this.flows;
    const p = this.current;
    const proto = f.proto[flow];
    const hasPorts = proto === 6 || proto === 17;
    const fromA = !responderIsSource;
    const ref: PacketRef = {
      tsUs: p !== null ? p.tsUs : f.lastUs[flow],
      pcapCnt: p !== null ? p.index + 1 : 0,
      flowId: f.flowId[flow],
      srcIp: this.flowAddr(flow, fromA),
      srcPort: hasPorts ? (fromA ? f.portA[flow] : f.portB[flow]) : 0,
      destIp: this.flowAddr(flow, !fromA),
      destPort: hasPorts ? (fromA ? f.portB[flow] : f.portA[flow]) : 0,
      proto: protoName(proto),
    };
    this.emit(sig, ref, offender, detail, metadata);
  }

  alertRequest(sig: Signature, req: HttpRequest, flow: number, p: Packet | null, detail: string, metadata: Record<string, string[]>, app: AlertApp): void {
    const ref = this.requestRef(flow, req.clientIsInitiator, p);
    const offender = req.clientIsInitiator ? this.initiatorOf(flow) : this.responderOf(flow);
    this.stats.alerts++;
    const alert: AlertEvent = {
      type: 'alert',
      ...ref,
      signature: sig,
      action: 'allowed',
      metadata,
      detail,
      http: app.http,
      txId: req.index,
      payloadPrintable: app.payloadPrintable,
    };
    this.onAlert(alert, offender);
  }

  /**
   * The packet fields of an event about an HTTP transaction on `flow`: client as source, server as
   * destination; number and time of `p`, or of the flow's last packet when `p` is null.
   */
  requestRef(flow: number, clientIsInitiator: boolean, p: Packet | null): PacketRef {
    const f = this.flows;
    const a = this.flowAddr(flow, true);
    const b = this.flowAddr(flow, false);
    return {
      tsUs: p !== null ? p.tsUs : f.lastUs[flow],
      pcapCnt: p !== null ? p.index + 1 : this.current !== null ? this.current.index + 1 : 0,
      flowId: f.flowId[flow],
      srcIp: clientIsInitiator ? a : b,
      srcPort: clientIsInitiator ? f.portA[flow] : f.portB[flow],
      destIp: clientIsInitiator ? b : a,
      destPort: clientIsInitiator ? f.portB[flow] : f.portA[flow],
      proto: protoName(f.proto[flow]),
    };
  }

  sourceOf(p: Packet): Offender {
    if (p.l3 === L3.IPV6) return { key: p.srcKey, addr: formatIp6(p.src6), family: 6, v4: 0, v6: Uint32Array.from(p.src6) };
    return { key: p.srcKey, addr: formatIp4(p.src4), family: 4, v4: p.src4, v6: null };
  }

  initiatorOf(flow: number): Offender {
    return this.sideOf(flow, true);
  }

  responderOf(flow: number): Offender {
    return this.sideOf(flow, false);
  }

  /** The initiator (side A) or the responder (side B) of a flow as an offender. */
  private sideOf(flow: number, initiator: boolean): Offender {
    const f = this.flows;
    const addr = initiator ? f.addrA : f.addrB;
    const key = initiator ? f.keyA[flow] : f.keyB[flow];
    if (f.family[flow] === L3.IPV6) {
      const o = flow * 4;
      const v6 = Uint32Array.from(addr.subarray(o, o + 4));
      return { key, addr: formatIp6(v6), family: 6, v4: 0, v6 };
    }
    const v4 = addr[flow * 4 + 3];
    return { key, addr: formatIp4(v4), family: 4, v4, v6: null };
  }

  private flowAddr(flow: number, initiator: boolean): string {
    const f = this.flows;
    const a = initiator ? f.addrA : f.addrB;
    const o = flow * 4;
    if (f.family[flow] === L3.IPV6) return formatIp6(Uint32Array.from(a.subarray(o, o + 4)));
    return formatIp4(a[o + 3]);
  }

  private emit(sig: Signature, ref: PacketRef, offender: Offender | null, detail: string, metadata?: Record<string, string[]>): void {
    this.stats.alerts++;
    const alert: AlertEvent = {
      type: 'alert',
      ...ref,
      signature: sig,
      action: 'allowed',
      metadata: metadata ?? {},
      detail,
    };
    this.onAlert(alert, offender);
  }
}
