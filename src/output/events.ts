/**
 * The one typed event stream. Detection and decision emit these; every output subscribes to them
 * through `EventSink`. Events are plain data, already formatted for people (addresses as text),
 * and carry packet time only, so an output never needs the engine's internals.
 */

/** A signature as it appears in an alert. */
export interface Signature {
  readonly gid: number;
  readonly sid: number;
  readonly rev: number;
  /** Suricata `signature`: the alert message. */
  readonly msg: string;
  /** Suricata classification text, e.g. "Attempted Denial of Service". */
  readonly category: string;
  /** 1 (high) .. 3 (low), as Suricata. */
  readonly severity: number;
  /** Attack family for `alert.metadata.attack_type`, e.g. "syn_flood". */
  readonly attackType: string;
  /** Short reason for verdict lines, as the seeds print it, e.g. "multi-port scan". */
  readonly reason: string;
}

/** Fields shared by events that belong to one packet. */
export interface PacketRef {
  /** Packet time, microseconds since the epoch. */
  readonly tsUs: number;
  /** 1-based packet number in the run (EVE `pcap_cnt`). */
  readonly pcapCnt: number;
  readonly flowId: number;
  readonly srcIp: string;
  readonly srcPort: number;
  readonly destIp: string;
  readonly destPort: number;
  /** Suricata protocol name: TCP, UDP, ICMP, IPv6-ICMP, ARP or the number. */
  readonly proto: string;
}

/** Fields of one HTTP transaction, as Suricata's `http` object logs them. */
export interface HttpInfo {
  /** Host the request named (Host header or absolute URI), '' when none. */
  readonly hostname: string;
  /** The port written with that host (`Host: shop.example:8080`), -1 when none was (Suricata's `http_port`). */
  readonly httpPort: number;
  /** Request target as sent. */
  readonly url: string;
  /** '' when the request had no User-Agent. */
  readonly httpUserAgent: string;
  /** The X-Forwarded-For header, '' when absent. */
  readonly xff: string;
  /** Response Content-Type, '' when absent or not seen. */
  readonly httpContentType: string;
  /** Referer header, '' when absent. */
  readonly httpRefer: string;
  readonly httpMethod: string;
  /** "HTTP/1.1", "HTTP/1.0" or "HTTP/0.9". */
  readonly protocol: string;
  /** Response status; 0 when no response was seen (yet). */
  readonly status: number;
  /** The response's Location header (a redirect's target), '' when absent or not seen. */
  readonly redirect: string;
  /** Response body bytes seen. */
  readonly length: number;
}

/** A detector fired. */
export interface AlertEvent extends PacketRef {
  readonly type: 'alert';
  readonly signature: Signature;
  /** "allowed" when the source was not blocked at that packet, "blocked" when it was (or now is). */
  action: 'allowed' | 'blocked';
  /** Detector-specific metadata, e.g. { scan_kind: ["syn"] }; values are lists as in Suricata. */
  readonly metadata: Readonly<Record<string, readonly string[]>>;
  /** Short human detail, e.g. "120 SYN/s over 1s (threshold 100)". */
  readonly detail: string;
  /** The HTTP transaction of an alert raised on an HTTP request. */
  readonly http?: HttpInfo;
  /** Its number on the flow, from 0 (EVE `tx_id`), with `http`. */
  readonly txId?: number;
  /** The inspected payload (request head and body start, at most 1 KiB), non-printable bytes as '.'. */
  readonly payloadPrintable?: string;
}

/** One HTTP request and its response (EVE `http` event type; logged when outputs.http_events is on). */
export interface HttpEvent extends PacketRef {
  readonly type: 'http';
  readonly http: HttpInfo;
  /** The request's number on its flow, from 0 (EVE `tx_id`). */
  readonly txId: number;
  /** Parser anomalies of the request (double_encoded, path_above_root …), empty most of the time. */
  readonly anomalies: readonly string[];
}

/**
 * A flow ended (EVE `flow` event type; logged when outputs.flow_events is on). The tuple is the
 * initiator's (source) to the responder's (destination); `tsUs` is the flow's start, as Suricata
 * stamps its flow records; `pcapCnt` is 0 (no packet ends a flow by timeout).
 */
export interface FlowEvent extends PacketRef {
  readonly type: 'flow';
  /** Application protocol found on the flow ('http', 'http2', 'websocket', 'failed' for other bytes on an HTTP port), '' when none was looked for. */
  readonly appProto: string;
  readonly pktsToServer: number;
  readonly pktsToClient: number;
  readonly bytesToServer: number;
  readonly bytesToClient: number;
  readonly startUs: number;
  readonly endUs: number;
  /** Suricata's flow state at its end: 'new', 'established' or 'closed'. */
  readonly state: string;
  /** Why it ended: 'timeout', 'forced' (evicted, or replaced by a new connection on its ports) or 'shutdown' (end of input). */
  readonly reason: string;
  /** Whether any alert was raised on it. */
  readonly alerted: boolean;
  /** ICMP only: type and code of the initiator's first message, and of the responder's when it answered (-1 when not). */
  readonly icmp?: { readonly type: number; readonly code: number; readonly responseType: number; readonly responseCode: number };
  /** TCP only: flags seen from the initiator and from the responder (bits as in the header), and the TCP state name. */
  readonly tcp?: { readonly flagsToServer: number; readonly flagsToClient: number; readonly state: string };
}

/** A source was blocked (Suricata logs the enforcing packet as a `drop` event). */
export interface BlockEvent extends PacketRef {
  readonly type: 'block';
  /** The blocked address (the alert's offender, not always the packet's source). */
  readonly addr: string;
  readonly reason: string;
  readonly sid: number;
  /** Block duration, seconds of packet time. */
  readonly durationS: number;
  /** Packet time at which the block ends, µs. */
  readonly expiresUs: number;
}

/** A block ended (expired in packet time). */
export interface UnblockEvent {
  readonly type: 'unblock';
  readonly tsUs: number;
  readonly addr: string;
  readonly reason: string;
}

/** A decoder event (malformed input), logged as Suricata's `anomaly` event type. */
export interface AnomalyEvent extends PacketRef {
  readonly type: 'anomaly';
  /** Suricata-style event name, e.g. "decoder.ipv4.trunc_pkt". */
  readonly event: string;
  /**
   * Suricata's anomaly type: "decode" for an event of one packet (defragmentation's included, as
   * Suricata counts them), "stream" for TCP reassembly's.
   */
  readonly layer: string;
}

/** Counters of every stage, grouped by stage name: { decoder: { pkts: 10, ... }, flow: {...} }. */
export type StatsTree = Record<string, Record<string, number>>;

/** Periodic and final statistics. */
export interface StatsEvent {
  readonly type: 'stats';
  readonly tsUs: number;
  /** Packet time covered so far, seconds. */
  readonly uptimeS: number;
  readonly stats: StatsTree;
  readonly final: boolean;
}

/** Any event on the stream. */
export type EngineEvent = AlertEvent | BlockEvent | UnblockEvent | AnomalyEvent | StatsEvent | HttpEvent | FlowEvent;

/** Verdict of one packet after decide. */
export const Verdict = {
  ALLOW: 0,
  BLOCK: 1,
} as const;

/** What an output sees of each packet: reused, valid only during the call. */
export interface PacketVerdict {
  /** 0-based packet number. */
  index: number;
  /** False for frames without IPv4/IPv6 ("Non-IP packet" in the seed's lines). */
  isIp: boolean;
  srcIp: () => string;
  destIp: () => string;
  verdict: number;
  /** Reason of the block when verdict is BLOCK. */
  reason: string;
  /** Address whose block gave the BLOCK verdict ('' for ALLOW); the block's own string, not a new one. */
  blockedAddr: string;
}

/** An output: subscribes to the event stream, and optionally to per-packet verdicts. */
export interface EventSink {
  /** Called for every event, in packet-time order. */
  onEvent(ev: EngineEvent): void;
  /** Called once per frame after decide, when the sink wants verdicts (hot path: no allocation). */
  onPacket?(v: PacketVerdict): void;
  /** Flushes and releases resources; called once at the end of the run. */
  close(): Promise<void>;
}
