/**
 * EVE JSON output: one JSON object per line with Suricata's field names and key order, so jq
 * filters, Elastic/Splunk pipelines and EveBox written for Suricata read Rampart's events too.
 */
import type { EngineEvent, EventSink, FlowEvent, HttpInfo, PacketRef } from './events.js';
import { ChunkedWriter } from './chunked-writer.js';
import { eveStats } from './eve-stats.js';

/** EVE record families a writer can be limited to; `block` covers both block (drop) and unblock records. */
export type EveType = 'alert' | 'block' | 'anomaly' | 'stats' | 'http' | 'flow';

const ALL_TYPES: readonly EveType[] = ['alert', 'block', 'anomaly', 'stats', 'http', 'flow'];

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Suricata timestamp text from µs since epoch, in UTC: "2026-11-21T06:38:11.123456+0000". */
export function eveTimestamp(tsUs: number): string {
  const us = Math.floor(tsUs);
  let secs = Math.floor(us / 1e6);
  let frac = us - secs * 1e6;
  // Float division can land one second off near a boundary; the remainder says which way.
  if (frac < 0) {
    secs -= 1;
    frac += 1e6;
  } else if (frac >= 1e6) {
    secs += 1;
    frac -= 1e6;
  }
  const days = Math.floor(secs / 86400);
  const daySecs = secs - days * 86400;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm): no Date object per event.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(daySecs / 3600);
  const mm = Math.floor((daySecs % 3600) / 60);
  const ss = daySecs % 60;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(frac, 6)}+0000`;
}

/** Suricata logs ports only for protocols that have them. */
function hasPorts(proto: string): boolean {
  return proto === 'TCP' || proto === 'UDP' || proto === 'SCTP';
}

/**
 * The packet fields every packet-bound record starts with, in Suricata's order. `flow_id` is
 * left out when the packet has no flow (id 0), and the addresses when it has no IP layer, as
 * Suricata does for such packets.
 */
function packetHead(ev: PacketRef, eventType: string): Record<string, unknown> {
  const record: Record<string, unknown> = { timestamp: eveTimestamp(ev.tsUs) };
  if (ev.flowId !== 0) record.flow_id = ev.flowId;
  record.pcap_cnt = ev.pcapCnt;
  record.event_type = eventType;
  if (ev.srcIp !== '') {
    const ports = hasPorts(ev.proto);
    record.src_ip = ev.srcIp;
    if (ports) record.src_port = ev.srcPort;
    record.dest_ip = ev.destIp;
    if (ports) record.dest_port = ev.destPort;
  }
  if (ev.proto !== '') record.proto = ev.proto;
  return record;
}

/** TCP flag bits and their names in Suricata's `tcp` object, in its order. */
const TCP_FLAG_NAMES: readonly (readonly [bit: number, name: string])[] = [
  [0x02, 'syn'], [0x01, 'fin'], [0x04, 'rst'], [0x08, 'psh'], [0x10, 'ack'], [0x20, 'urg'], [0x40, 'ecn'], [0x80, 'cwr'],
];

function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/**
 * Suricata's flow record: the initiator as source, stamped with the flow's start and without
 * `pcap_cnt` (no packet ends a flow by timeout), ICMP's types and codes (the initiator's first
 * message, the answer's when there was one), then `app_proto` when one was found, `flow` and,
 * for TCP, `tcp` with the flags seen (both ways, to the server, to the client; one boolean per
 * flag seen) and the state.
 */
function flowRecord(ev: FlowEvent): Record<string, unknown> {
  const record = packetHead(ev, 'flow');
  delete record.pcap_cnt;
  if (ev.icmp !== undefined) {
    record.icmp_type = ev.icmp.type;
    record.icmp_code = ev.icmp.code;
    if (ev.icmp.responseType >= 0) {
      record.response_icmp_type = ev.icmp.responseType;
      record.response_icmp_code = ev.icmp.responseCode;
    }
  }
  if (ev.appProto !== '') record.app_proto = ev.appProto;
  record.flow = {
    pkts_toserver: ev.pktsToServer,
    pkts_toclient: ev.pktsToClient,
    bytes_toserver: ev.bytesToServer,
    bytes_toclient: ev.bytesToClient,
    start: eveTimestamp(ev.startUs),
    end: eveTimestamp(ev.endUs),
    age: Math.floor(ev.endUs / 1e6) - Math.floor(ev.startUs / 1e6),
    state: ev.state,
    reason: ev.reason,
    alerted: ev.alerted,
  };
  if (ev.tcp !== undefined) {
    const all = ev.tcp.flagsToServer | ev.tcp.flagsToClient;
    const tcp: Record<string, unknown> = { tcp_flags: hexByte(all), tcp_flags_ts: hexByte(ev.tcp.flagsToServer), tcp_flags_tc: hexByte(ev.tcp.flagsToClient) };
    for (const [bit, name] of TCP_FLAG_NAMES) if (all & bit) tcp[name] = true;
    tcp.state = ev.tcp.state;
    record.tcp = tcp;
  }
  return record;
}

/**
 * Suricata's `http` object, its fields in Suricata's order (basic, then extended): fields it leaves
 * out when absent are left out (the port unless the request wrote one, status until a response was
 * seen), the response's Content-Type is cut at its parameters (`text/html`, not
 * `text/html; charset=utf-8`), and `length` is always there (0 before the response).
 */
function httpRecord(h: HttpInfo): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  if (h.hostname !== '') record.hostname = h.hostname;
  if (h.httpPort >= 0) record.http_port = h.httpPort;
  record.url = h.url;
  if (h.httpUserAgent !== '') record.http_user_agent = h.httpUserAgent;
  if (h.xff !== '') record.xff = h.xff;
  if (h.httpContentType !== '') {
    const semicolon = h.httpContentType.indexOf(';');
    record.http_content_type = semicolon < 0 ? h.httpContentType : h.httpContentType.slice(0, semicolon);
  }
  if (h.httpRefer !== '') record.http_refer = h.httpRefer;
  record.http_method = h.httpMethod;
  record.protocol = h.protocol;
  if (h.status > 0) record.status = h.status;
  if (h.redirect !== '') record.redirect = h.redirect;
  record.length = h.length;
  return record;
}

/** One event as an EVE JSON object (exported for tests and other outputs); undefined for events EVE does not log. */
export function eveRecord(ev: EngineEvent): Record<string, unknown> | undefined {
  switch (ev.type) {
    case 'alert': {
      const record = packetHead(ev, 'alert');
      if (ev.txId !== undefined) record.tx_id = ev.txId;
      const sig = ev.signature;
      record.alert = {
        action: ev.action,
        gid: sig.gid,
        signature_id: sig.sid,
        rev: sig.rev,
        signature: sig.msg,
        category: sig.category,
        severity: sig.severity,
        metadata: { attack_type: [sig.attackType], ...ev.metadata },
      };
      if (ev.http !== undefined) {
        record.http = httpRecord(ev.http);
        record.app_proto = 'http';
      }
      if (ev.payloadPrintable !== undefined) record.payload_printable = ev.payloadPrintable;
      record.rampart = { detail: ev.detail };
      return record;
    }
    case 'http': {
      const record = packetHead(ev, 'http');
      record.tx_id = ev.txId;
      record.http = httpRecord(ev.http);
      record.app_proto = 'http';
      if (ev.anomalies.length > 0) record.rampart = { anomalies: ev.anomalies };
      return record;
    }
    case 'flow':
      return flowRecord(ev);
    case 'block': {
      const record = packetHead(ev, 'drop');
      record.drop = { reason: 'blocked' };
      record.block = {
        action: 'add',
        addr: ev.addr,
        duration: ev.durationS,
        expires: eveTimestamp(ev.expiresUs),
        reason: ev.reason,
        signature_id: ev.sid,
      };
      return record;
    }
    case 'unblock':
      return { timestamp: eveTimestamp(ev.tsUs), event_type: 'block', block: { action: 'remove', addr: ev.addr, reason: ev.reason } };
    case 'anomaly': {
      const record = packetHead(ev, 'anomaly');
      record.anomaly = { type: ev.layer, event: ev.event };
      return record;
    }
    case 'stats':
      // Suricata's uptime is whole seconds; tools that map it as an integer field depend on that.
      return { timestamp: eveTimestamp(ev.tsUs), event_type: 'stats', stats: eveStats(ev.stats, ev.uptimeS) };
    default:
      return undefined;
  }
}

/** EVE JSON lines to a file or stdout, buffered in 64 KiB chunks. */
export class EveWriter implements EventSink {
  /** Records written and skipped, plus the writer's bytes/chunks. */
  readonly stats: Record<string, number>;
  private out: ChunkedWriter;
  private readonly alerts: boolean;
  private readonly blocks: boolean;
  private readonly anomalies: boolean;
  private readonly statsRecords: boolean;
  private readonly httpRecords: boolean;
  private readonly flowRecords: boolean;

  /** target: a file path, or '-' for stdout. Buffered writes (flush in close()); must handle stdout EPIPE quietly.
   *  The file is truncated unless `append` (Suricata's `filemode: append`); throws when it cannot be opened. */
  constructor(
    private readonly target: string,
    opts?: { readonly types?: readonly EveType[]; readonly append?: boolean },
  ) {
    this.out = target === '-' ? ChunkedWriter.toStream(process.stdout) : ChunkedWriter.toFile(target, { append: opts?.append ?? false });
    const types = opts?.types ?? ALL_TYPES;
    this.alerts = types.includes('alert');
    this.blocks = types.includes('block');
    this.anomalies = types.includes('anomaly');
    this.statsRecords = types.includes('stats');
    this.httpRecords = types.includes('http');
    this.flowRecords = types.includes('flow');
    this.stats = this.out.stats;
    this.stats.records = 0;
  }

  /** Logs the event when its family is enabled. */
  onEvent(ev: EngineEvent): void {
    if (!this.wants(ev) || this.out.broken) return;
    const record = eveRecord(ev);
    if (record === undefined) return;
    const line = JSON.stringify(record);
    this.out.reserve(line.length * 3 + 1);
    this.out.putUtf8(line);
    this.out.putByte(0x0a);
    this.stats.records++;
  }

  private wants(ev: EngineEvent): boolean {
    switch (ev.type) {
      case 'alert':
        return this.alerts;
      case 'block':
      case 'unblock':
        return this.blocks;
      case 'anomaly':
        return this.anomalies;
      case 'stats':
        return this.statsRecords;
      case 'http':
        return this.httpRecords;
      case 'flow':
        return this.flowRecords;
      default:
        return false;
    }
  }

  /** Resolves when stdout can take more; await between batches when writing to a slow pipe. */
  drain(): Promise<void> {
    return this.out.drain();
  }

  /** Flushes the last chunk and closes the file; rejects on a write error (not on EPIPE). */
  /** Hands what is buffered to the file now (live runs flush every second so `tail -f` keeps up). */
  flush(): void {
    this.out.flush();
  }

  /**
   * Closes and reopens the file (after log rotation moved it away: SIGHUP); a no-op on stdout.
   * Everything written so far is flushed to the old file first.
   */
  async reopen(): Promise<void> {
    if (this.target === '-') return;
    await this.out.close();
    this.out = ChunkedWriter.toFile(this.target, { append: true });
  }

  close(): Promise<void> {
    return this.out.close();
  }
}
