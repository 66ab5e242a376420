import { HttpApp } from '../app/http/http.js';
import { flagNames, httpInfo } from '../app/http/request.js';
import type { Config } from '../config/config.js';
import { Decider } from '../decide/decide.js';
import { decodeEventName } from '../decode/events.js';
import { Decoder } from '../decode/decoder.js';
import { dstAddrText, IpProto, L3, Packet, protoName, srcAddrText } from '../decode/packet.js';
import { Defragmenter } from '../defrag/defrag.js';
import { defragOptionsFrom } from '../defrag/params.js';
import { Detect } from '../detect/detect.js';
import { DETECTORS } from '../detect/detectors/index.js';
import { FlowEnd, FlowState, FlowTable } from '../flow/flow-table.js';
import { type EngineEvent, type EventSink, type PacketVerdict, type StatsEvent, type StatsTree, Verdict } from '../output/events.js';
import { StreamReassembler } from '../stream/stream.js';
import { detectorSection } from './sections.js';

/**
 * Suricata's TCP state names for the flow table's states, by FlowState (a FIN from one side is
 * `fin_wait1`, its nearest: the table does not tell FIN-WAIT from CLOSE-WAIT).
 */
const TCP_STATE_NAMES: readonly string[] = ['syn_sent', 'syn_recv', 'established', 'fin_wait1', 'closed'];

/**
 * The pipeline for one run: decode → defrag → flow → stream → app (http) → detect → decide →
 * outputs. Frames go in one at a time (from a file or a live source); events and verdicts come out
 * to the sinks. Everything runs on packet time, so the same frames always give the same events.
 */
export class Engine {
  readonly decoder = new Decoder();
  readonly defrag: Defragmenter;
  readonly flows: FlowTable;
  readonly stream: StreamReassembler;
  readonly http: HttpApp;
  readonly detect: Detect;
  readonly decide: Decider;
  /** Frames seen. */
  packets = 0;
  /** Bytes of frames seen (captured lengths). */
  bytes = 0;
  firstTsUs = 0;
  lastTsUs = 0;
  /** Verdict of the last frame processed (Verdict.ALLOW or BLOCK): what an inline source enforces. */
  lastVerdict: number = Verdict.ALLOW;

  private readonly pkt = new Packet();
  /** Ids of live flows with an alert (outputs.flow_events only), for the flow record's `alerted`. */
  private readonly alertedFlows: Set<number> | null;
  private readonly verdict: PacketVerdict;
  private readonly sinks: readonly EventSink[];
  private readonly verdictSinks: readonly EventSink[];

  constructor(config: Config, sinks: readonly EventSink[]) {
    this.sinks = sinks;
    this.verdictSinks = sinks.filter((s) => s.onPacket !== undefined);
    const emit = (ev: EngineEvent): void => this.emit(ev);
    this.defrag = new Defragmenter(defragOptionsFrom(config.section('defrag')));
    const flowEvents = config.section('outputs').flow_events === true;
    this.flows = new FlowTable(config.section('flow'), (slot, reason) => {
      // What the HTTP stage found, read before it lets go of the flow; the record after the
      // stages' own ends, whose last requests may still alert.
      const appProto = flowEvents ? this.http.appProto(slot) : '';
      this.http.onFlowEnd(slot);
      this.stream.onFlowEnd(slot);
      this.detect.onFlowEnd(slot, reason);
      if (flowEvents) this.emitFlow(slot, reason, appProto);
    });
    this.alertedFlows = flowEvents ? new Set() : null;
    this.decide = new Decider(config.section('decide'), emit);
    this.detect = new Detect(
      this.flows,
      DETECTORS,
      (spec) => config.section(detectorSection(spec).path),
      config.section('detect'),
      (alert, offender) => this.decide.onAlert(alert, offender),
    );
    const httpEvents = config.section('outputs').http_events === true;
    // Payload work only when something consumes it: a web detector or the http event log.
    const streamValues = config.section('stream');
    const payload = streamValues.enabled === true && config.section('http').enabled === true && (this.detect.wantsHttp || httpEvents);
    this.stream = new StreamReassembler({ ...streamValues, enabled: payload }, this.flows.size);
    this.http = new HttpApp(config.section('http'), this.flows.size, this.stream, {
      onRequest: (req, flow, phase, p) => this.detect.onHttpRequest(req, flow, phase, p),
      onTransaction: (req, flow, p) => {
        this.detect.onHttpTransaction(req, flow, p);
        if (httpEvents) this.emit({ type: 'http', ...this.detect.requestRef(flow, req.clientIsInitiator, p), http: httpInfo(req), txId: req.index, anomalies: flagNames(req.flags) });
      },
    }, this.flows);
    const p = this.pkt;
    this.verdict = {
      index: 0,
      isIp: false,
      srcIp: () => srcAddrText(p),
      destIp: () => dstAddrText(p),
      verdict: Verdict.ALLOW,
      reason: '',
      blockedAddr: '',
    };
  }

  /** Runs one frame through the pipeline (a FrameHandler). */
  readonly processFrame = (buf: Buffer, offset: number, capLen: number, wireLen: number, tsUs: number, tsNsRem: number, linkType: number): void => {
    const p = this.pkt;
    this.decoder.decode(p, buf, offset, capLen, linkType);
    p.index = this.packets++;
    p.tsUs = tsUs;
    p.tsNsRem = tsNsRem;
    p.wireLen = wireLen;
    this.bytes += capLen;
    if (this.firstTsUs === 0) this.firstTsUs = tsUs;
    if (tsUs > this.lastTsUs) this.lastTsUs = tsUs;

    if (p.eventCount > 0) this.emitAnomalies(p);
    if (p.isFragment) {
      const whole = this.defrag.add(p);
      const extra = this.defrag.lastEvents;
      // Suricata's defrag events are decoder events of the packet (anomaly type "decode").
      for (let i = 0; i < extra.length; i++) this.emitAnomaly(p, extra[i], 'decode');
      if (whole !== null) {
        this.decoder.decodeDatagram(p, whole);
        if (p.eventCount > 0) this.emitAnomalies(p);
      }
    }

    this.flows.expire(tsUs);
    this.decide.expire(tsUs);
    const flow = this.flows.track(p);
    if (flow >= 0 && this.stream.enabled) {
      this.stream.onPacket(p, flow, this.flows.toServer);
      const extra = this.stream.lastEvents;
      for (let i = 0; i < extra.length; i++) this.emitAnomaly(p, extra[i], 'stream');
    }
    this.detect.onPacket(p, flow);

    const blocked = this.decide.isBlocked(p);
    this.lastVerdict = blocked ? Verdict.BLOCK : Verdict.ALLOW;
    const vs = this.verdictSinks;
    if (vs.length > 0) {
      const v = this.verdict;
      v.index = p.index;
      v.isIp = p.l3 === L3.IPV4 || p.l3 === L3.IPV6;
      v.verdict = this.lastVerdict;
      v.reason = blocked ? this.decide.reason : '';
      v.blockedAddr = blocked ? this.decide.blockedAddr : '';
      for (let i = 0; i < vs.length; i++) (vs[i].onPacket as (v: PacketVerdict) => void)(v);
    }
  };

  /**
   * Moves packet time forward without a packet (a live source that went quiet): flows and blocks
   * whose time is up end now rather than at the next packet.
   */
  advanceTime(tsUs: number): void {
    if (tsUs <= this.lastTsUs) return;
    this.lastTsUs = tsUs;
    this.flows.expire(tsUs);
    this.decide.expire(tsUs);
  }

  /** Emits a periodic (not final) stats event. */
  emitStats(): StatsEvent {
    const ev: StatsEvent = {
      type: 'stats',
      tsUs: this.lastTsUs,
      uptimeS: Math.max(0, (this.lastTsUs - this.firstTsUs) / 1e6),
      stats: this.statsTree(),
      final: false,
    };
    this.emit(ev);
    return ev;
  }

  /**
   * Applies a reloaded configuration (SIGHUP) without dropping state: detector thresholds and
   * pattern files, re-alert interval, and every decide parameter (allowlist, durations) take effect
   * for later packets; flows, streams, blocks in force and offences are kept. Flow, stream and
   * HTTP limits need a restart.
   */
  reconfigure(config: Config): void {
    this.detect.reconfigure(DETECTORS, (spec) => config.section(detectorSection(spec).path), config.section('detect'));
    this.decide.reconfigure(config.section('decide'));
  }

  /** Ends the run: closes every flow (flow-end detectors run), emits the final stats event. */
  finish(): StatsEvent {
    this.flows.flush();
    const ev: StatsEvent = {
      type: 'stats',
      tsUs: this.lastTsUs,
      uptimeS: Math.max(0, (this.lastTsUs - this.firstTsUs) / 1e6),
      stats: this.statsTree(),
      final: true,
    };
    this.emit(ev);
    return ev;
  }

  /** Every stage's counters. */
  statsTree(): StatsTree {
    return {
      decoder: { ...this.decoder.stats },
      defrag: { ...this.defrag.stats },
      flow: { ...this.flows.stats },
      stream: { ...this.stream.stats },
      http: { ...this.http.stats },
      detect: this.detect.collectStats(),
      decide: { ...this.decide.stats },
    };
  }

  private emitAnomalies(p: Packet): void {
    const n = Math.min(p.eventCount, p.events.length);
    for (let i = 0; i < n; i++) this.emitAnomaly(p, decodeEventName(p.events[i]), 'decode');
  }

  private emitAnomaly(p: Packet, event: string, layer: string): void {
    const hasPorts = p.hasL4 && (p.ipProto === 6 || p.ipProto === 17);
    this.emit({
      type: 'anomaly',
      tsUs: p.tsUs,
      pcapCnt: p.index + 1,
      flowId: 0,
      srcIp: srcAddrText(p),
      srcPort: hasPorts ? p.srcPort : 0,
      destIp: dstAddrText(p),
      destPort: hasPorts ? p.dstPort : 0,
      proto: p.l3 === L3.ARP ? 'ARP' : p.l3 === L3.NONE ? '' : protoName(p.ipProto),
      event,
      layer,
    });
  }

  /** The EVE flow record of a flow that ends (see FlowEvent). */
  private emitFlow(slot: number, reason: number, appProto: string): void {
    const f = this.flows;
    const ref = this.detect.requestRef(slot, true, null);
    const alerted = (this.alertedFlows as Set<number>).delete(ref.flowId);
    const state = f.state[slot];
    const proto = f.proto[slot];
    const tcp = proto === IpProto.TCP ? { flagsToServer: f.tcpFlagsSeen[slot * 2], flagsToClient: f.tcpFlagsSeen[slot * 2 + 1], state: TCP_STATE_NAMES[state] } : undefined;
    const answered = f.pktsToClient[slot] > 0;
    const first = f.icmpFirst[slot * 2];
    const reply = f.icmpFirst[slot * 2 + 1];
    const icmp = proto === IpProto.ICMP || proto === IpProto.IPV6_ICMP ? { type: first >> 8, code: first & 0xff, responseType: answered ? reply >> 8 : -1, responseCode: answered ? reply & 0xff : -1 } : undefined;
    this.emit({
      type: 'flow',
      ...ref,
      tsUs: f.firstUs[slot],
      pcapCnt: 0,
      appProto,
      pktsToServer: f.pktsToServer[slot],
      pktsToClient: f.pktsToClient[slot],
      bytesToServer: f.bytesToServer[slot],
      bytesToClient: f.bytesToClient[slot],
      startUs: f.firstUs[slot],
      endUs: f.lastUs[slot],
      state: state === FlowState.CLOSED ? 'closed' : state >= FlowState.ESTABLISHED ? 'established' : 'new',
      reason: reason === FlowEnd.TIMEOUT ? 'timeout' : reason === FlowEnd.SHUTDOWN ? 'shutdown' : 'forced',
      alerted,
      icmp,
      tcp,
    });
  }

  private emit(ev: EngineEvent): void {
    if (ev.type === 'alert' && this.alertedFlows !== null && ev.flowId !== 0) this.alertedFlows.add(ev.flowId);
    const s = this.sinks;
    for (let i = 0; i < s.length; i++) s[i].onEvent(ev);
  }
}
