/**
 * The front of the engine for stage tests: decoder → flow table → stream reassembly → HTTP, with
 * recording consumers, so tests can read exactly what each stage produced.
 */
import { HttpApp, HttpPhase } from '../../src/app/http/http.js';
import { FIELD_KIND_NAMES, flagNames, type HttpRequest } from '../../src/app/http/request.js';
import { parseConfig } from '../../src/config/config.js';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { SECTIONS } from '../../src/engine/sections.js';
import { FlowTable } from '../../src/flow/flow-table.js';
import { type StreamConsumer, StreamReassembler } from '../../src/stream/stream.js';
import type { TestFrame } from '../helpers.js';

/** What the stream stage delivered. */
export interface StreamRun {
  /** Reassembled bytes per flow direction: key "<flow>:c" (to server) or "<flow>:s". */
  readonly data: Map<string, string>;
  /** Gaps as "<flow>:<c|s>:<bytes>@<pcap_cnt>". */
  readonly gaps: string[];
  /** Stream anomaly events as "<name>@<pcap_cnt>". */
  readonly events: string[];
  readonly stream: StreamReassembler;
  readonly flows: FlowTable;
}

function frontEnd(yaml: string): { decoder: Decoder; flows: FlowTable; stream: StreamReassembler; config: ReturnType<typeof parseConfig>; ends: ((slot: number) => void)[] } {
  const config = parseConfig(SECTIONS, yaml, 'test.yaml');
  const ends: ((slot: number) => void)[] = [];
  const flows = new FlowTable(config.section('flow'), (slot) => {
    for (const end of ends) end(slot);
  });
  const stream = new StreamReassembler(config.section('stream'), flows.size);
  return { decoder: new Decoder(), flows, stream, config, ends };
}

function feed(frames: readonly TestFrame[], f: ReturnType<typeof frontEnd>, after?: (p: Packet) => void): void {
  const p = new Packet();
  let n = 0;
  for (const fr of [...frames].sort((a, b) => a.tsUs - b.tsUs)) {
    f.decoder.decode(p, fr.frame, 0, fr.frame.length, 1);
    p.index = n++;
    p.tsUs = fr.tsUs;
    p.wireLen = fr.frame.length;
    f.flows.expire(p.tsUs);
    const flow = f.flows.track(p);
    if (flow >= 0) f.stream.onPacket(p, flow, f.flows.toServer);
    if (after !== undefined) after(p);
  }
}

/** Called after each delivery of `runStream`, with the stream stage (to ask it to skip, say). */
export type StreamHook = (stream: StreamReassembler, flow: number, toServer: boolean, text: string) => void;

/**
 * Runs frames through decode → flow → stream, recording the reassembled bytes. Flows stay open
 * unless `flush`; `hook` sees each delivery as it happens.
 */
export function runStream(frames: readonly TestFrame[], yaml = '', flush = true, hook?: StreamHook): StreamRun {
  const f = frontEnd(yaml);
  const data = new Map<string, string>();
  const gaps: string[] = [];
  const events: string[] = [];
  const consumer: StreamConsumer = {
    onData(p, flow, toServer, buf, off, len) {
      const key = `${flow}:${toServer ? 'c' : 's'}`;
      const text = buf.toString('latin1', off, off + len);
      data.set(key, (data.get(key) ?? '') + text);
      if (hook !== undefined) hook(f.stream, flow, toServer, text);
    },
    onGap(p, flow, toServer, bytes) {
      gaps.push(`${flow}:${toServer ? 'c' : 's'}:${bytes}@${p.index + 1}`);
    },
  };
  f.stream.consumer = consumer;
  f.ends.push((slot) => f.stream.onFlowEnd(slot));
  feed(frames, f, (p) => {
    for (const e of f.stream.lastEvents) events.push(`${e}@${p.index + 1}`);
  });
  if (flush) f.flows.flush();
  return { data, gaps, events, stream: f.stream, flows: f.flows };
}

/** What the HTTP stage produced. */
export interface HttpRun {
  /** Requests in the order their heads completed. */
  readonly requests: HttpRequest[];
  /** Phases handed over, as "HEAD <url> @<pcap_cnt>" / "BODY <url> @<pcap_cnt or end>". */
  readonly phases: string[];
  /** Finished transactions, as "<url> <status> <length>". */
  readonly transactions: string[];
  /** The same with the packet that finished each, as "<url> <status> <length> @<pcap_cnt or end>". */
  readonly transactionsAt: string[];
  /** Body phases with the response length seen by then (what an alert on the body reports), as "<url> <length>". */
  readonly bodyResponseLengths: string[];
  /** WebSocket messages handed over, as "<message number> <tx index> <flags> <kind>:<name>=<value> …". */
  readonly messages: string[];
  readonly http: HttpApp;
  readonly stream: StreamReassembler;
}

/** Runs frames through decode → flow → stream → http, recording requests and transactions; ends every flow. */
export function runHttp(frames: readonly TestFrame[], yaml = ''): HttpRun {
  const f = frontEnd(yaml);
  const requests: HttpRequest[] = [];
  const phases: string[] = [];
  const transactions: string[] = [];
  const transactionsAt: string[] = [];
  const bodyResponseLengths: string[] = [];
  const messages: string[] = [];
  const http = new HttpApp(
    f.config.section('http'),
    f.flows.size,
    f.stream,
    {
      onRequest(req, _flow, phase, p) {
        if (phase === HttpPhase.HEAD) requests.push(req);
        else if (phase === HttpPhase.MESSAGE) messages.push([req.message, req.index, flagNames(req.flags).join('|') || '-', ...req.moreFields.map((f) => `${FIELD_KIND_NAMES[f.kind]}:${f.name}=${f.value}`)].join(' '));
        else bodyResponseLengths.push(`${req.uriRaw} ${req.responseLength}`);
        phases.push(`${phase === HttpPhase.HEAD ? 'HEAD' : phase === HttpPhase.BODY ? 'BODY' : phase === HttpPhase.MESSAGE ? 'MESSAGE' : 'MORE'} ${req.uriRaw} @${p !== null ? p.index + 1 : 'end'}`);
      },
      onTransaction(req, _flow, p) {
        transactions.push(`${req.uriRaw} ${req.status} ${req.responseLength}`);
        transactionsAt.push(`${req.uriRaw} ${req.status} ${req.responseLength} @${p !== null ? p.index + 1 : 'end'}`);
      },
    },
    f.flows,
  );
  f.ends.push((slot) => {
    http.onFlowEnd(slot);
    f.stream.onFlowEnd(slot);
  });
  feed(frames, f);
  f.flows.flush();
  return { requests, phases, transactions, transactionsAt, bodyResponseLengths, messages, http, stream: f.stream };
}
