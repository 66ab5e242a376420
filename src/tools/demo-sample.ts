import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pcapBytes } from '../capture/pcap-writer.js';
import {
  arpSweep,
  dnsLookup,
  httpGet,
  icmpFlood,
  ping,
  pingSweep,
  portScan,
  Rng,
  synFlood,
  tcpExchange,
  Timeline,
  udpFlood,
} from './scenario.js';

/** Start of the sample's packet time: 2026-01-15T10:00:00Z. */
export const DEMO_T0_US = Date.UTC(2026, 0, 15, 10, 0, 0) * 1000;

/** Who does what in the sample capture (documentation address ranges only). */
export const DEMO_HOSTS = {
  webServer: '10.0.0.10',
  dnsServer: '10.0.0.53',
  clients: ['10.0.0.21', '10.0.0.22', '10.0.0.23'],
  scanner: '192.0.2.66',
  synFlooder: '198.51.100.7',
  icmpFlooder: '192.0.2.77',
  udpFlooder: '192.0.2.88',
  stealthScanner: '192.0.2.99',
  sweeper: '192.0.2.111',
  arpSweeper: '10.0.0.250',
} as const;

const SQL_PAGE =
  '<html><body><h1>Learning SQL</h1><p>Please select your union representative from the list. ' +
  'This tutorial explains SELECT, UNION and DROP TABLE statements; never write \' OR 1=1 in production.</p></body></html>';

/**
 * The built-in sample: a small office network's ordinary traffic (web pages, a page about SQL,
 * DNS, a normal ping, a browser's burst of parallel connections, a client fetching from many
 * servers) with floods, scans and sweeps from outside mixed in. Deterministic: same bytes always.
 */
export function buildDemoFrames(): { data: Buffer; tsUs: number }[] {
  const rng = new Rng(20260115);
  const tl = new Timeline();
  const emit = tl.emit;
  const h = DEMO_HOSTS;
  const s = (sec: number): number => DEMO_T0_US + Math.round(sec * 1e6);

  // Benign background over the whole 100 s.
  for (let i = 0; i < 50; i++) {
    const client = h.clients[i % 3];
    const page = i % 7 === 0 ? SQL_PAGE : `<html><body>page ${i}</body></html>`;
    const g = httpGet('intranet.example', i % 7 === 0 ? '/docs/sql-tutorial' : `/page/${i}`, page);
    tcpExchange(emit, { client, server: h.webServer, sport: 40000 + i, dport: 80, ...g, t0: s(i * 2 + 0.3) }, rng);
    dnsLookup(emit, { client, server: h.dnsServer, sport: 50000 + i, name: `host${i % 9}.example`, t0: s(i * 2 + 0.1), id: 0x1000 + i });
  }
  ping(emit, { src: h.clients[0], dst: h.webServer, count: 10, intervalUs: 1_000_000, t0: s(1), id: 77 });
  // A browser opening 40 connections to one server within two seconds.
  for (let i = 0; i < 40; i++) {
    const g = httpGet('intranet.example', `/assets/${i}.js`, `console.log(${i});`);
    tcpExchange(emit, { client: h.clients[1], server: h.webServer, sport: 45000 + i, dport: 80, ...g, t0: s(3 + i * 0.05) }, rng);
  }
  // A client fetching from 30 different servers.
  for (let i = 0; i < 30; i++) {
    const g = httpGet(`site${i}.example`, '/', `<html>site ${i}</html>`);
    tcpExchange(emit, { client: h.clients[2], server: `203.0.113.${10 + i}`, sport: 46000 + i, dport: 80, ...g, t0: s(6 + i * 0.2), rttUs: 20000 }, rng);
  }

  // Attacks.
  const ports = Array.from({ length: 100 }, (_, i) => i + 1);
  portScan(emit, { src: h.scanner, dst: h.webServer, ports, kind: 'syn', open: [22, 80], intervalUs: 2000, t0: s(5) }, rng);
  synFlood(emit, { src: h.synFlooder, dst: h.webServer, dport: 80, count: 600, intervalUs: 500, t0: s(10) }, rng);
  synFlood(emit, { src: null, dst: h.webServer, dport: 443, count: 800, intervalUs: 250, t0: s(14) }, rng);
  icmpFlood(emit, { src: h.icmpFlooder, dst: h.webServer, count: 500, intervalUs: 1000, t0: s(18) });
  udpFlood(emit, { src: h.udpFlooder, dst: h.dnsServer, dport: 53, count: 1000, intervalUs: 500, t0: s(20) });
  const stealth = Array.from({ length: 30 }, (_, i) => 1000 + i);
  portScan(emit, { src: h.stealthScanner, dst: h.webServer, ports: stealth, kind: 'null', intervalUs: 3000, t0: s(25) }, rng);
  portScan(emit, { src: h.stealthScanner, dst: h.webServer, ports: stealth, kind: 'fin', intervalUs: 3000, t0: s(26) }, rng);
  portScan(emit, { src: h.stealthScanner, dst: h.webServer, ports: stealth, kind: 'xmas', intervalUs: 3000, t0: s(27) }, rng);
  pingSweep(emit, { src: h.sweeper, prefix: '10.0.0', from: 1, to: 40, live: [10, 21, 22, 23, 53], intervalUs: 5000, t0: s(30) });
  arpSweep(emit, { src: h.arpSweeper, prefix: '10.0.0', from: 1, to: 40, intervalUs: 2000, t0: s(32) });
  // The first scanner comes back while blocked (UDP scan), and again after its block expired.
  portScan(emit, { src: h.scanner, dst: h.dnsServer, ports: ports.slice(0, 30), kind: 'udp', intervalUs: 2000, t0: s(40) }, rng);
  portScan(emit, { src: h.scanner, dst: h.webServer, ports: ports.map((p) => p + 1000), kind: 'syn', intervalUs: 2000, t0: s(80) }, rng);

  return tl.sorted().map((f) => ({ data: f.frame, tsUs: f.tsUs }));
}

/** The sample as pcap bytes. */
export function buildDemoCapture(): Buffer {
  return pcapBytes(buildDemoFrames());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2] ?? 'samples/demo.pcap';
  writeFileSync(out, buildDemoCapture());
  process.stdout.write(`wrote ${out}\n`);
}
