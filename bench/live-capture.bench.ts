/**
 * Live-capture benchmark: a veth pair between two network namespaces made here, a bounded C
 * sender (native/bench/udp-blast.c, sendmmsg) on one side, LiveCapture on the other. Reports,
 * per run: datagrams sent, the sender's rate, frames delivered to JS, pcap's received / kernel
 * drops / interface drops, and the capture process's CPU (user + system) per million frames.
 * With tcpdump installed, one reference run of `tcpdump -w /dev/null` on the same traffic. Then
 * the drain rate (frames queued in the ring, then read as fast as JS takes them) and, with
 * iptables, the inline path: NFQUEUE with every packet accepted, its rate and verdict latency.
 *
 * The datagrams go to a MAC address nobody has: the capture (promiscuous) sees them, the
 * receiving stack discards them before IP, so no replies and no socket work muddy the figures.
 * Traffic stays inside the namespaces, bounded in count; everything is removed at the end.
 *
 * Run (root, addon built): npx tsc -p tsconfig.json && node dist/bench/live-capture.bench.js [scale]
 * `scale` multiplies the packet counts (default 1: 2M + 1.035M + 0.5M packets).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LiveCapture, type LiveStats } from '../src/capture/live.js';
import { NfQueue, type NfQueueStats, queueTargetArgs } from '../src/capture/nfqueue.js';
import { type Child, commands, emit, Netns, netnsUnavailable, vethPair } from '../test/capture/live-netns.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..', '..');
const DST = '10.97.9.1';
const NOBODY_MAC = '02:97:09:00:00:99';
const PORT = 9;

/** What the capture child reports at the end of a run. */
interface CaptureResult {
  readonly frames: number;
  readonly bytes: number;
  readonly stats: LiveStats;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
}

/**
 * The capture side, inside its namespace: counts frames, measures its own CPU from `begin` to
 * `stop`. With `deferStart`, frames pile up in the kernel ring until `start`; the time and CPU
 * from there to the `expect`-th frame is the drain rate: kernel ring to JS, nothing else.
 */
function captureRole(args: { iface: string; bufferBytes?: number; deferStart?: boolean; expect?: number }): void {
  const capture = LiveCapture.open({ iface: args.iface, filter: 'udp', bufferBytes: args.bufferBytes });
  let frames = 0;
  let bytes = 0;
  let startedAt = 0;
  let startCpu = process.cpuUsage();
  const expect = args.expect ?? -1;
  const start = (): void => {
    startedAt = performance.now();
    startCpu = process.cpuUsage();
    capture.start((buf, off, capLen) => {
      // Touch the frame, as a decoder would, so the copy is not measured on cold memory alone.
      bytes += capLen + (buf[off + capLen - 1] & 0);
      if (++frames === expect) {
        const cpu = process.cpuUsage(startCpu);
        emit({ drained: { frames, ms: performance.now() - startedAt, cpuMs: (cpu.user + cpu.system) / 1000 } });
      }
    });
  };
  if (args.deferStart !== true) start();
  let cpu = process.cpuUsage();
  emit({ ready: true });
  commands(async (line) => {
    if (line === 'begin') cpu = process.cpuUsage();
    if (line === 'start') start();
    if (line === 'count') emit({ count: frames });
    if (line === 'stop') {
      await capture.close();
      const used = process.cpuUsage(cpu);
      const result: CaptureResult = { frames, bytes, stats: capture.stats(), cpuUserMs: used.user / 1000, cpuSystemMs: used.system / 1000 };
      emit({ result });
      process.exit(0);
    }
  });
}

/**
 * Drain: `count` frames sent while the capture is opened but not started (a 512 MiB ring holds
 * them), then started: frames per second from the ring to JS.
 */
async function runDrain(capNs: Netns, sender: Netns, bin: string, count: number): Promise<string> {
  const child = capNs.child('capture', { iface: 'rpc0', bufferBytes: 512 * 1024 * 1024, deferStart: true, expect: count }, SELF);
  try {
    await child.next('ready');
    await blast(sender, bin, count, 18, 0);
    child.send('start');
    const drained = await child.next<{ frames: number; ms: number; cpuMs: number }>('drained', 60_000);
    child.send('stop');
    const result = await child.next<CaptureResult>('result', 30_000);
    await child.finished();
    const rate = Math.round(drained.frames / (drained.ms / 1000)).toLocaleString('en-US');
    return (
      `drain: ${drained.frames} frames of 60 B queued in the ring, delivered to JS in ${drained.ms.toFixed(1)} ms ` +
      `(${rate} frames/s, ${Math.round(drained.cpuMs / (drained.frames / 1e6))} ms CPU per Mpkt; ` +
      `pcap received ${result.stats.received}, kernel drops ${result.stats.dropped}, ${result.stats.batches} batches; ` +
      'includes up to one 10 ms timeout for the last block)'
    );
  } finally {
    child.kill();
  }
}

/** The inline side: NFQUEUE `queueNum`, every packet accepted in the callback (the verdict path, no engine). */
function nfqueueRole(args: { queueNum: number }): void {
  const queue = NfQueue.open({ queueNum: args.queueNum });
  queue.start((id) => queue.verdict(id, true));
  let cpu = process.cpuUsage();
  emit({ ready: true });
  commands(async (line) => {
    if (line === 'begin') cpu = process.cpuUsage();
    if (line === 'count') emit({ count: queue.stats().packets });
    if (line === 'stop') {
      const stats = queue.stats();
      await queue.close();
      const used = process.cpuUsage(cpu);
      emit({ inline: { stats, cpuMs: (used.user + used.system) / 1000 } });
      process.exit(0);
    }
  });
}

/**
 * Inline: the same datagrams, addressed to the capture side's own MAC and held by an iptables
 * NFQUEUE rule there; Rampart's side accepts each. Fail-open: what does not fit the queue
 * (4096 held) passes unjudged.
 */
async function runInline(capNs: Netns, sender: Netns, bin: string, run: string, count: number, pps: number): Promise<string> {
  const child = capNs.child('nfqueue', { queueNum: 1 }, SELF);
  try {
    await child.next('ready');
    child.send('begin');
    const sent = await blast(sender, bin, count, 18, pps);
    await settle(child, sent.sent);
    child.send('stop');
    const { stats, cpuMs } = await child.next<{ stats: NfQueueStats; cpuMs: number }>('inline', 30_000);
    await child.finished();
    return (
      `${run}: sent ${sent.sent} at ${Math.round(sent.sent / sent.seconds).toLocaleString('en-US')} pps; judged ${stats.packets} ` +
      `(accepted ${stats.accepted}, not judged ${sent.sent - stats.packets}, queue drops ${stats.queueDrops ?? '-'}, enobufs ${stats.enobufs}); ` +
      `verdict latency avg ${stats.verdictLatencyUsAvg.toFixed(1)} µs, max ${stats.verdictLatencyUsMax} µs; ` +
      `CPU ${stats.packets > 0 ? Math.round(cpuMs / (stats.packets / 1e6)) : '-'} ms per Mpkt`
    );
  } finally {
    child.kill();
  }
}

function compileSender(): string {
  const out = join(tmpdir(), `rampart-udp-blast-${process.pid}`);
  const cc = spawnSync('cc', ['-O2', '-o', out, join(ROOT, 'native', 'bench', 'udp-blast.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cannot compile the sender: ${cc.stderr || cc.error?.message}`);
  return out;
}

/**
 * Sends `count` datagrams from `senders` processes in parallel (one core's worth of veth
 * transmit is ~240k pps here, so a higher rate needs two), each paced to pps / senders.
 */
async function blast(sender: Netns, bin: string, count: number, size: number, pps: number, senders = 1): Promise<{ sent: number; seconds: number }> {
  const each = Math.ceil(count / senders);
  const runs = Array.from({ length: senders }, (_, i) => {
    const mine = Math.min(each, count - i * each);
    const args = [DST, String(PORT), String(mine), String(size), ...(pps > 0 ? [String(pps / senders)] : [])];
    return new Promise<{ sent: number; seconds: number }>((resolve, reject) => {
      const proc = spawn('ip', ['netns', 'exec', sender.name, bin, ...args]);
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { sent: number; seconds: number }) : reject(new Error(`sender exited ${code}`))));
    });
  });
  const done = await Promise.all(runs);
  return { sent: done.reduce((a, r) => a + r.sent, 0), seconds: Math.max(...done.map((r) => r.seconds)) };
}

/** Polls the capture until its frame count stops moving (the last blocks drained). */
async function settle(child: Child, expected: number): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    child.send('count');
    const count = await child.next<number>('count');
    if (count >= expected || count === last) return;
    last = count;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Row {
  readonly run: string;
  readonly sent: number;
  readonly sentPps: number;
  readonly frames: number;
  readonly received: number;
  readonly dropped: number;
  readonly ifDropped: number;
  readonly cpuMs: number;
  readonly wallSeconds: number;
}

async function runLive(capNs: Netns, sender: Netns, bin: string, run: string, count: number, size: number, pps: number, senders = 1): Promise<Row> {
  const child = capNs.child('capture', { iface: 'rpc0' }, SELF);
  try {
    await child.next('ready');
    child.send('begin');
    const start = Date.now();
    const sent = await blast(sender, bin, count, size, pps, senders);
    await settle(child, sent.sent);
    child.send('stop');
    const result = await child.next<CaptureResult>('result', 30_000);
    await child.finished();
    return {
      run,
      sent: sent.sent,
      sentPps: sent.sent / sent.seconds,
      frames: result.frames,
      received: result.stats.received,
      dropped: result.stats.dropped,
      ifDropped: result.stats.ifDropped,
      cpuMs: result.cpuUserMs + result.cpuSystemMs,
      wallSeconds: (Date.now() - start) / 1000,
    };
  } finally {
    child.kill();
  }
}

/** utime + stime of a process in ms (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function runTcpdump(capNs: Netns, sender: Netns, bin: string, count: number, size: number): Promise<Row | null> {
  if (spawnSync('sh', ['-c', 'command -v tcpdump']).status !== 0) return null;
  const proc = spawn('ip', ['netns', 'exec', capNs.name, 'tcpdump', '-i', 'rpc0', '-n', '-B', '32768', '-w', '/dev/null', 'udp']);
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
  try {
    while (!stderr.includes('listening on')) await new Promise((resolve) => setTimeout(resolve, 50));
    const start = Date.now();
    const sent = await blast(sender, bin, count, size, 0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cpuMs = cpuMsOf(proc.pid!);
    proc.kill('SIGINT');
    await exited;
    const num = (re: RegExp): number => Number(re.exec(stderr)?.[1] ?? Number.NaN);
    return {
      run: 'tcpdump -w /dev/null (reference), blast, 60 B',
      sent: sent.sent,
      sentPps: sent.sent / sent.seconds,
      frames: num(/(\d+) packets? captured/),
      received: num(/(\d+) packets? received by filter/),
      dropped: num(/(\d+) packets? dropped by kernel/),
      ifDropped: 0,
      cpuMs,
      wallSeconds: (Date.now() - start) / 1000,
    };
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

function print(rows: readonly Row[]): void {
  const head = ['run', 'sent', 'sender pps', 'delivered', 'pcap recv', 'kernel drops', 'if drops', 'delivered pps', 'CPU s', 'CPU ms / Mpkt'];
  const lines = rows.map((r) => [
    r.run,
    String(r.sent),
    Math.round(r.sentPps).toLocaleString('en-US'),
    String(r.frames),
    String(r.received),
    String(r.dropped),
    String(r.ifDropped),
    // Delivered over the sender's time: the capture keeps up iff this matches the sender's rate.
    Math.round(r.frames / (r.sent / r.sentPps)).toLocaleString('en-US'),
    (r.cpuMs / 1000).toFixed(2),
    r.frames > 0 ? Math.round(r.cpuMs / (r.frames / 1e6)).toString() : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
}

async function main(): Promise<void> {
  const why = netnsUnavailable();
  if (why !== null) {
    console.log(`live-capture bench skipped: ${why}`);
    return;
  }
  const scale = Number(process.argv[2] ?? 1);
  const bin = compileSender();
  const capNs = new Netns(`rp-bench-${process.pid}-c`);
  const sender = new Netns(`rp-bench-${process.pid}-s`);
  try {
    vethPair({ ns: sender, iface: 'rps0', mac: '02:97:09:00:00:02', cidr: '10.97.9.2/24' }, { ns: capNs, iface: 'rpc0', mac: '02:97:09:00:00:01', cidr: `${DST}/24` });
    // Frames for a MAC nobody has: captured in promiscuous mode, discarded by the stack.
    sender.ip('neigh', 'replace', DST, 'lladdr', NOBODY_MAC, 'dev', 'rps0', 'nud', 'permanent');
    const n = (k: number): number => Math.max(1000, Math.round(k * scale));
    console.log(`live capture bench: veth between namespaces, ${LiveCapture.name} with default options (32 MiB ring, 10 ms timeout), filter "udp"`);
    const rows: Row[] = [];
    // 18-byte payload: 60-byte frames, the worst case per byte.
    rows.push(await runLive(capNs, sender, bin, 'blast, 60 B frames', n(2_000_000), 18, 0));
    rows.push(await runLive(capNs, sender, bin, 'paced 345k pps (2 senders), 60 B', n(1_035_000), 18, 345_000, 2));
    rows.push(await runLive(capNs, sender, bin, 'blast, 1042 B frames', n(500_000), 1000, 0));
    const reference = await runTcpdump(capNs, sender, bin, n(2_000_000), 18);
    if (reference !== null) rows.push(reference);
    print(rows);
    console.log(await runDrain(capNs, sender, bin, n(1_000_000)));
    if (spawnSync('sh', ['-c', 'command -v iptables']).status === 0) {
      sender.ip('neigh', 'replace', DST, 'lladdr', '02:97:09:00:00:01', 'dev', 'rps0', 'nud', 'permanent');
      capNs.exec('iptables', '-A', 'INPUT', '-p', 'udp', '--dport', String(PORT), ...queueTargetArgs(1, true));
      console.log(await runInline(capNs, sender, bin, 'inline, paced 50k pps', n(150_000), 50_000));
      console.log(await runInline(capNs, sender, bin, 'inline, blast', n(300_000), 0));
    }
  } finally {
    sender.remove();
    capNs.remove();
    rmSync(bin, { force: true });
  }
}

const role = process.argv[1] === SELF ? process.env.RAMPART_NETNS_ROLE : undefined;
if (role === 'capture') captureRole(JSON.parse(process.env.RAMPART_NETNS_ARGS ?? '{}'));
else if (role === 'nfqueue') nfqueueRole(JSON.parse(process.env.RAMPART_NETNS_ARGS ?? '{}'));
else await main();
