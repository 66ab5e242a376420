import type { HttpRequest } from '../app/http/request.js';
import type { ParamSpec, SectionValues } from '../config/params.js';
import type { Packet } from '../decode/packet.js';
import type { FlowTable } from '../flow/flow-table.js';
import type { HttpInfo, Signature } from '../output/events.js';

/** Whom an alert holds responsible, for the decide stage. */
export interface Offender {
  /** Per-host key (Packet.srcKey convention). */
  readonly key: number;
  /** Address text. */
  readonly addr: string;
  /** 4 or 6. */
  readonly family: number;
  /** IPv4 address (int32) when family is 4. */
  readonly v4: number;
  /** IPv6 words when family is 6. */
  readonly v6: Uint32Array | null;
}

/** What a detector may do: read flows, and raise alerts. */
export interface DetectContext {
  readonly flows: FlowTable;
  /**
   * True when an alert of `sig` about `key` was raised less than the re-alert interval ago (packet
   * time). Detectors ask first so that an ongoing flood costs no allocation per packet.
   */
  suppressed(sig: Signature, key: number, tsUs: number): boolean;
  /** Raises an alert about packet `p` (in flow `flow`, -1 if none); `offender` null means nobody to block. */
  alert(sig: Signature, p: Packet, flow: number, offender: Offender | null, detail: string, metadata?: Record<string, string[]>): void;
  /**
   * Raises an alert about a flow (one that just ended, with no current packet of its own, or one
   * judged by a later packet): its initiator as the source, or its responder when
   * `responderIsSource` (the segments that make the flood came from that side).
   */
  alertFlow(sig: Signature, flow: number, offender: Offender | null, detail: string, metadata?: Record<string, string[]>, responderIsSource?: boolean): void;
  /**
   * Raises an alert about an HTTP request on `flow`: the request's client is the source (and the
   * offender), its server the destination; `p` (null when the flow ended first) gives the packet
   * number and time. Not subject to re-alert suppression: each malicious request is its own alert.
   */
  alertRequest(sig: Signature, req: HttpRequest, flow: number, p: Packet | null, detail: string, metadata: Record<string, string[]>, app: AlertApp): void;
  /** The packet source as an offender (allocates: call only when alerting). */
  sourceOf(p: Packet): Offender;
  /** The initiator of a flow as an offender. */
  initiatorOf(flow: number): Offender;
  /** The responder of a flow as an offender. */
  responderOf(flow: number): Offender;
}

/** Application-layer fields of an alert (EVE `http`, `payload_printable`). */
export interface AlertApp {
  readonly http: HttpInfo;
  readonly payloadPrintable: string;
}

/** A running detector. */
export interface Detector {
  /** Sees every decoded packet after flow tracking; `flow` is -1 when the packet has none. */
  onPacket?(p: Packet, flow: number): void;
  /**
   * Sees every parsed HTTP request: once when its head is complete (phase HttpPhase.HEAD), once
   * per further window of a head longer than `http.max_header_bytes` (HttpPhase.MORE_HEADERS),
   * and once when its body is complete (HttpPhase.BODY); each WebSocket message of the client's
   * once, as a request of its own (HttpPhase.MESSAGE); `p` is the packet that completed the
   * phase, null at flow end.
   */
  onHttpRequest?(req: HttpRequest, flow: number, phase: number, p: Packet | null): void;
  /**
   * Sees every HTTP transaction once its response is complete, or will never be (`req.status` is
   * set when the response head was seen, 0 otherwise); `p` as for onHttpRequest.
   */
  onHttpTransaction?(req: HttpRequest, flow: number, p: Packet | null): void;
  /** Sees every flow leaving the table (FlowEnd reason). */
  onFlowEnd?(flow: number, reason: number): void;
  /** Counters of this detector, merged into the detect stats. */
  readonly stats?: Record<string, number>;
}

/**
 * The registration record of a built-in detector: adding a detector is adding one such record to
 * the list in detectors/index.ts, nothing else.
 */
export interface DetectorSpec {
  /** Config section `detectors.<name>`. */
  readonly name: string;
  readonly help: string;
  /** Its parameters (an `enabled` flag is added for every detector). */
  readonly params: readonly ParamSpec[];
  /** Signatures it can raise. */
  readonly signatures: readonly Signature[];
  create(values: SectionValues, ctx: DetectContext): Detector;
}

/** Builds a built-in signature (gid 1, rev 1). */
export function builtin(sid: number, msg: string, reason: string, attackType: string, category: string, severity: number): Signature {
  return { gid: 1, sid, rev: 1, msg, category, severity, attackType, reason };
}

/** Suricata classification texts used by the built-in signatures. */
export const Category = {
  DOS: 'Attempted Denial of Service',
  SCAN: 'Detection of a Network Scan',
  RECON: 'Attempted Information Leak',
  BAD_TRAFFIC: 'Potentially Bad Traffic',
  WEB_ATTACK: 'Web Application Attack',
} as const;
