/**
 * End-to-end benchmark: builds a capture with a realistic mix (web sessions with payloads, DNS,
 * pings, a few floods and scans), then in the same run times `rampart analyze`, `tcpdump -nr` on
 * the same file and the seed-style Scapy baseline on a slice, and prints packets/s, MB/s, peak RSS
 * and the ratios. Also checks that peak RSS stays flat when the file grows 10×.
 *
 * Then the cost of payload inspection (bench/http.bench.ts): the same mix, and an HTTP-heavy
 * capture of keep-alive browsing and API sessions, each analysed header-only (stream off) and with
 * reassembly, HTTP parsing and the web detectors, in packets/s and MB/s of payload inspected.
 *
 *   npm run bench                     # 3M-packet capture (and a 300k one for the RSS check)
 *   BENCH_PACKETS=5000000 npm run bench
 *   BENCH_HTTP_PACKETS=300000 npm run bench   # a smaller HTTP-heavy capture (default 1M)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapWriter } from '../src/capture/pcap-writer.js';
import { dnsLookup, httpGet, icmpFlood, ping, portScan, Rng, synFlood, tcpExchange, udpFlood } from '../src/tools/scenario.js';
import { buildHttpCapture, comparePayloadCost } from './http.bench.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const BASELINE = join(ROOT, '..', 'shared', 'baselines', 'seed_ips.py');
const T0 = Date.UTC(2026, 0, 1) * 1000;

/** Writes a capture of about `target` packets; returns its path (cached by size). */
async function buildCapture(target: number): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `mix-${target}.pcap`);
  if (existsSync(path)) return path;
  const tmp = `${path}.tmp`;
  const w = await PcapWriter.open(tmp);
  let n = 0;
  let pending: Promise<void> | void;
  // Frames of one "second" of traffic are collected, sorted, written; time advances per batch.
  let batch: { frame: Buffer; tsUs: number }[] = [];
  const emit = (frame: Buffer, tsUs: number): void => {
    batch.push({ frame, tsUs });
  };
  const rng = new Rng(42);
  let sec = 0;
  const body = '<html><head><title>Shop</title></head><body>' + 'Product list and prices. '.repeat(120) + '</body></html>';
  while (n < target) {
    const t = T0 + sec * 1_000_000;
    // ~400 web sessions a second from 2,000 clients to 50 servers, DNS for a third of them.
    for (let i = 0; i < 400; i++) {
      const client = `10.${1 + (sec % 50)}.${rng.int(0, 39)}.${rng.int(1, 254)}`;
      const server = `172.16.0.${rng.int(1, 50)}`;
      const g = httpGet('shop.example', `/item/${rng.int(1, 99999)}`, body.slice(0, rng.int(200, body.length)));
      tcpExchange(emit, { client, server, sport: rng.int(32768, 60999), dport: 80, ...g, t0: t + rng.int(0, 900_000) }, rng);
      if (i % 3 === 0) dnsLookup(emit, { client, server: '172.16.1.53', sport: rng.int(32768, 60999), name: 'shop.example', t0: t + rng.int(0, 900_000), id: rng.int(0, 65535) });
    }
    ping(emit, { src: '10.0.0.5', dst: '172.16.0.1', count: 1, intervalUs: 1_000_000, t0: t, id: 7 });
    // Every 20 s some attack: the engine's detectors must work, not just idle.
    switch (sec % 20) {
      case 3:
        synFlood(emit, { src: `198.51.100.${sec % 250}`, dst: '172.16.0.1', dport: 80, count: 3000, intervalUs: 250, t0: t }, rng);
        break;
      case 7:
        portScan(emit, { src: `192.0.2.${sec % 250}`, dst: '172.16.0.2', ports: Array.from({ length: 1000 }, (_, i) => i + 1), kind: 'syn', intervalUs: 500, t0: t }, rng);
        break;
      case 11:
        icmpFlood(emit, { src: `192.0.2.${(sec + 1) % 250}`, dst: '172.16.0.3', count: 2000, intervalUs: 400, t0: t });
        break;
      case 15:
        udpFlood(emit, { src: `192.0.2.${(sec + 2) % 250}`, dst: '172.16.1.53', dport: 53, count: 2000, intervalUs: 400, t0: t });
        break;
    }
    batch.sort((a, b) => a.tsUs - b.tsUs);
    for (const f of batch) {
      if (n >= target) break;
      pending = w.write(f.frame, f.tsUs);
      if (pending) await pending;
      n++;
    }
    batch = [];
    sec++;
  }
  await w.close();
  rmSync(path, { force: true });
  spawnSync('mv', [tmp, path]);
  return path;
}

interface Measure {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly ok: boolean;
  readonly note: string;
}

/** Runs a command under GNU time; returns wall seconds and peak RSS. */
function measure(cmd: string, args: readonly string[]): Measure {
  const timeFile = join(OUT, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const [sec, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  const note = (r.stderr ?? '').trim().split('\n').filter((l) => l.startsWith('packets=')).join(' ');
  return { seconds: sec, maxRssMb: kb / 1024, ok: r.status === 0, note };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  const packets = Number(process.env.BENCH_PACKETS ?? 3_000_000);
  const sliceN = Number(process.env.BENCH_SLICE ?? 50_000);
  process.stdout.write(`building captures (${fmt(packets)} and ${fmt(packets / 10)} packets; cached in bench/out/)...\n`);
  const big = await buildCapture(packets);
  const small = await buildCapture(Math.floor(packets / 10));
  const mb = statSync(big).size / 1e6;

  const rows: [string, number, Measure][] = [];
  const ram = measure(process.execPath, [MAIN, 'analyze', big, '--json', '--no-progress']);
  rows.push(['rampart analyze', packets, ram]);
  const hasTcpdump = existsSync('/usr/bin/tcpdump') || existsSync('/usr/sbin/tcpdump');
  const tcpdump = hasTcpdump ? measure(existsSync('/usr/bin/tcpdump') ? '/usr/bin/tcpdump' : '/usr/sbin/tcpdump', ['-nr', big]) : undefined;
  if (tcpdump) rows.push(['tcpdump -nr', packets, tcpdump]);
  const hasScapy = spawnSync('/usr/bin/python3', ['-c', 'import scapy'], { stdio: 'ignore' }).status === 0;
  const seed = hasScapy && existsSync(BASELINE) ? measure('/usr/bin/python3', [BASELINE, big, '--quiet', '--limit', String(sliceN)]) : undefined;
  if (seed) rows.push([`seed baseline (Scapy, first ${fmt(sliceN)})`, sliceN, seed]);
  const ramSmall = measure(process.execPath, [MAIN, 'analyze', small, '--json', '--no-progress']);

  process.stdout.write(`\ncapture: ${big} — ${fmt(packets)} packets, ${fmt(mb, 1)} MB\n\n`);
  process.stdout.write(`${'tool'.padEnd(40)} ${'seconds'.padStart(8)} ${'packets/s'.padStart(12)} ${'MB/s'.padStart(8)} ${'peak RSS MB'.padStart(12)}\n`);
  for (const [name, n, m] of rows) {
    const pps = n / m.seconds;
    const mbps = (mb * (n / packets)) / m.seconds;
    process.stdout.write(`${name.padEnd(40)} ${fmt(m.seconds, 2).padStart(8)} ${fmt(pps).padStart(12)} ${fmt(mbps, 1).padStart(8)} ${fmt(m.maxRssMb, 1).padStart(12)}${m.ok ? '' : '  (failed)'}\n`);
  }
  const ramPps = packets / ram.seconds;
  process.stdout.write('\nratios (packets/s):\n');
  if (tcpdump) process.stdout.write(`  rampart / tcpdump -nr : ${fmt(ramPps / (packets / tcpdump.seconds), 2)}×\n`);
  if (seed) process.stdout.write(`  rampart / seed Scapy  : ${fmt(ramPps / (sliceN / seed.seconds), 0)}×\n`);
  if (!tcpdump) process.stdout.write('  (tcpdump not installed: apt-get install tcpdump)\n');
  if (!seed) process.stdout.write(existsSync(BASELINE) ? '  (seed baseline needs Debian python3-scapy: apt-get install python3-scapy)\n' : `  (seed baseline not found at ${BASELINE})\n`);
  process.stdout.write(`\npeak RSS, rampart: ${fmt(ramSmall.maxRssMb, 1)} MB at ${fmt(packets / 10)} packets, ${fmt(ram.maxRssMb, 1)} MB at ${fmt(packets)} (×${fmt(ram.maxRssMb / ramSmall.maxRssMb, 2)} for 10× the file)\n`);
  // The engine's own target (≥ 1M packets/s) is for the built-in header detectors: the
  // header-only row below. This row is the default run, payload inspection included.
  process.stdout.write(`default run (payload inspection on): ${fmt(ramPps)} packets/s; the ≥ 1,000,000 packets/s target applies to the header-only row below\n`);

  const httpPackets = Number(process.env.BENCH_HTTP_PACKETS ?? 1_000_000);
  process.stdout.write(`\npayload inspection (building the HTTP-heavy capture of ${fmt(httpPackets)} packets; cached)...\n`);
  const http = await buildHttpCapture(httpPackets);
  const write = (s: string): void => {
    process.stdout.write(s);
  };
  comparePayloadCost('mix capture', big, write);
  comparePayloadCost('HTTP-heavy capture', http, write);
}

await main();
