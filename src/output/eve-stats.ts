/**
 * The EVE stats record in Suricata's layout, so that dashboards and checks written for Suricata's
 * `stats` events (`stats.decoder.event.ipv4.trunc_pkt`, `stats.defrag.ipv4.fragments`, `stats.tcp.reassembly_gap`,
 * `stats.app_layer.flow.http`, `stats.detect.alert`) read Rampart's: Suricata's sections and names
 * first, from the stages' counters, then Rampart's own sections (`stream`, `http`, `decide`, …)
 * with every counter under the name the text summary gives it.
 */
import type { StatsTree } from './events.js';

type Counters = Record<string, number>;
type Nested = { [key: string]: number | Nested };

/** Suricata's name of a counter, and Rampart's. */
type Aliases = readonly (readonly [string, string])[];

const FLOW_ALIASES: Aliases = [
  ['total', 'flows_created'],
  ['active', 'flows_active'],
];

const DETECT_ALIASES: Aliases = [
  ['alert', 'alerts'],
  ['alerts_suppressed', 'suppressed'],
];

/** Suricata's tcp counters, from the stream stage's. */
const TCP_FROM_STREAM: Aliases = [
  ['syn', 'syn'],
  ['synack', 'synack'],
  ['rst', 'rst'],
  ['midstream_pickups', 'midstream'],
  ['invalid_checksum', 'invalid_checksum'],
  ['segment_memcap_drop', 'memcap_hits'],
  ['stream_depth_reached', 'depth_reached'],
  ['reassembly_gap', 'gaps'],
  ['overlap', 'overlaps'],
  ['overlap_diff_data', 'overlap_different_data'],
];

/** The `stats` object of an EVE stats record, `uptime` in whole seconds (as Suricata writes it). */
export function eveStats(tree: StatsTree, uptimeS: number): Nested {
  const out: Nested = { uptime: Math.floor(uptimeS) };
  const decoder = tree.decoder;
  if (decoder !== undefined) out.decoder = decoderSection(decoder);
  const flow = tree.flow;
  if (flow !== undefined) out.flow = { ...aliased(flow, FLOW_ALIASES), ...flow };
  if (tree.defrag !== undefined) out.defrag = defragSection(tree.defrag);
  const stream = tree.stream;
  if (stream !== undefined) {
    out.tcp = { ...(flow?.tcp !== undefined ? { sessions: flow.tcp } : {}), ...aliased(stream, TCP_FROM_STREAM) };
  }
  const detect = tree.detect;
  if (detect !== undefined) out.detect = { ...aliased(detect, DETECT_ALIASES), ...detect };
  const http = tree.http;
  if (http !== undefined && http.flows !== undefined) {
    // Flows by the protocol they began in (an h2c upgrade begins as HTTP/1.1 and counts there
    // too), and those on an HTTP port that spoke something else (Suricata's failed_tcp).
    const h2 = (http.http2_prior_knowledge ?? 0) + (http.http2_upgrades ?? 0);
    const flow: Counters = { http: http.flows - (http.http2_prior_knowledge ?? 0), http2: h2 };
    if (http.not_http !== undefined) flow.failed_tcp = http.not_http;
    const h2tx = http.http2_requests ?? 0;
    out.app_layer = { flow, tx: { http: (http.requests ?? 0) - h2tx, http2: h2tx } };
  }
  for (const [name, counters] of Object.entries(tree)) if (!(name in out)) out[name] = { ...counters };
  return out;
}

/** Suricata's names for those of `counters` that exist. */
function aliased(counters: Counters, aliases: Aliases): Counters {
  const out: Counters = {};
  for (const [theirs, ours] of aliases) if (counters[ours] !== undefined) out[theirs] = counters[ours];
  return out;
}

/** Suricata's defrag section: fragments, reassembled and timeouts per family, then Rampart's counters. */
function defragSection(defrag: Counters): Nested {
  const out: Nested = {};
  for (const family of ['ipv4', 'ipv6']) {
    const own: Counters = {};
    for (const name of ['fragments', 'reassembled', 'timeouts']) {
      const v = defrag[`${family}_${name}`];
      if (v !== undefined) own[name] = v;
    }
    if (Object.keys(own).length > 0) out[family] = own;
  }
  for (const [key, value] of Object.entries(defrag)) if (!/^ipv[46]_/.test(key)) out[key] = value;
  return out;
}

/**
 * Suricata's decoder section: the protocol counters, ICMPv4 under its name, and the decoder
 * events nested as Suricata nests them (`decoder.ipv4.trunc_pkt` counted at
 * `decoder.event.ipv4.trunc_pkt`; an event with no layer, `decoder.too_many_layers`, at
 * `decoder.too_many_layers`).
 */
function decoderSection(decoder: Counters): Nested {
  const out: Nested = {};
  let events: Nested | null = null;
  for (const [key, value] of Object.entries(decoder)) {
    if (!key.startsWith('decoder.')) {
      out[key] = value;
      if (key === 'icmp') out.icmpv4 = value;
      continue;
    }
    const parts = key.slice('decoder.'.length).split('.');
    if (parts.length === 1) {
      out[parts[0]] = value;
      continue;
    }
    if (events === null) events = out.event = {};
    let at: Nested = events;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = at[parts[i]];
      at = typeof next === 'object' ? next : (at[parts[i]] = {});
    }
    at[parts[parts.length - 1]] = value;
  }
  return out;
}
