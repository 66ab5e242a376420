/**
 * Network namespaces for the live-capture and NFQUEUE tests and the live-capture bench. Every
 * namespace, veth and rule is created by the test and removed with its namespace; traffic only
 * flows between namespaces made here (10.97.n.0/24 addresses, nothing routed out), in bounded
 * counts.
 *
 * This file is also the program run inside a namespace (`ip netns exec NS node live-netns.js`)
 * when RAMPART_NETNS_ROLE names a role: capture, send-udp, nfqueue, open, list, interfaces. Run without it
 * (as the test runner does with every file under test/), it does nothing.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { listInterfaces, listInterfacesFromPcap, listInterfacesFromSys } from '../../src/capture/interfaces.js';
import { addonStatus, LiveCapture, type LiveStats, requireAddon } from '../../src/capture/live.js';
import { NfQueue } from '../../src/capture/nfqueue.js';

const SELF = fileURLToPath(import.meta.url);

/** Why the namespace tests cannot run here (not root, no addon, no iproute2), or null. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root: network namespaces and live capture';
  const status = addonStatus();
  if (!status.ok) return status.reason;
  if (spawnSync('ip', ['-V']).status !== 0) return 'needs iproute2 (ip)';
  return null;
}

function check(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** A network namespace of our own: loopback up, IPv6 off (no router solicitations or DAD in the captures). */
export class Netns {
  constructor(readonly name: string) {
    // A leftover of a killed run with the same name goes first.
    spawnSync('ip', ['netns', 'del', name]);
    check('ip', ['netns', 'add', name]);
    this.exec('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    this.ip('link', 'set', 'lo', 'up');
  }

  /** `ip -n NS ...`. */
  ip(...args: string[]): string {
    return check('ip', ['-n', this.name, ...args]);
  }

  /** Runs a command inside the namespace and waits for it; throws on a non-zero exit. */
  exec(cmd: string, ...args: string[]): string {
    return check('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  /** Starts this file (or another script with roles, such as the bench) inside the namespace in one of its roles. */
  child(role: string, args: object, script = SELF): Child {
    return startChild(['ip', 'netns', 'exec', this.name], role, args, script);
  }

  /** Deletes the namespace with every interface and rule in it. */
  remove(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

/**
 * Starts this file (or `script`) in one of its roles under a wrapper command (ip netns exec NS,
 * setpriv ...); the role and its arguments go in RAMPART_NETNS_ROLE / RAMPART_NETNS_ARGS.
 */
export function startChild(wrapper: readonly string[], role: string, args: object, script = SELF): Child {
  return new Child(
    spawn(wrapper[0], [...wrapper.slice(1), process.execPath, script], {
      env: { ...childEnv(), RAMPART_NETNS_ROLE: role, RAMPART_NETNS_ARGS: JSON.stringify(args) },
    }),
  );
}

/** The environment minus the test runner's own variables, so a child is a plain program. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** One end of a veth pair. */
export interface VethEnd {
  readonly ns: Netns;
  readonly iface: string;
  readonly mac: string;
  /** Address with prefix, e.g. 10.97.1.1/24. */
  readonly cidr: string;
}

/**
 * A veth pair between two namespaces, up, addressed, with permanent neighbour entries on both
 * sides so no ARP appears in the captures.
 */
export function vethPair(a: VethEnd, b: VethEnd): void {
  a.ns.ip('link', 'add', a.iface, 'address', a.mac, 'type', 'veth', 'peer', 'name', b.iface, 'address', b.mac, 'netns', b.ns.name);
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    self.ns.ip('addr', 'add', self.cidr, 'dev', self.iface);
    self.ns.ip('link', 'set', self.iface, 'up');
    self.ns.ip('neigh', 'replace', other.cidr.split('/')[0], 'lladdr', other.mac, 'dev', self.iface, 'nud', 'permanent');
  }
}

/** A child process speaking JSON lines on stdout, commands on stdin. */
export class Child {
  /** Every JSON line received so far, in order. */
  readonly messages: Record<string, unknown>[] = [];
  private stderr = '';
  private readonly exited: Promise<number | null>;
  private wake: (() => void) | null = null;

  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      try {
        this.messages.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.stderr += `stdout: ${line}\n`;
      }
      this.wake?.();
    });
    proc.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) =>
      proc.on('close', (code) => {
        resolve(code);
        this.wake?.();
      }),
    );
  }

  /** Messages with the given key, their values in order. */
  values<T>(key: string): T[] {
    return this.messages.filter((m) => key in m).map((m) => m[key] as T);
  }

  /** Waits until `done()` holds (checked at every message), or fails after `timeoutMs` with what was seen. */
  async waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.proc.exitCode !== null) throw new Error(`child exited (${this.proc.exitCode}) waiting for ${what}: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages).slice(0, 2000)}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Waits for a message with `key` and returns its value. */
  async next<T>(key: string, timeoutMs?: number): Promise<T> {
    const seen = this.values(key).length;
    await this.waitFor(key, () => this.values(key).length > seen, timeoutMs);
    return this.values<T>(key)[seen];
  }

  /** Sends one command line. */
  send(command: string): void {
    this.proc.stdin.write(`${command}\n`);
  }

  /** Waits for the exit; rejects on a non-zero code with the child's stderr. */
  async finished(): Promise<void> {
    const code = await this.exited;
    if (code !== 0) throw new Error(`child exited with ${code}: ${this.stderr}`);
  }

  /** Kills the child if still running (only this process, which the test started). */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

/** What the capture role reports of each frame (Ethernet, IPv4, UDP or ICMP). */
export interface FrameSummary {
  readonly iface: string;
  readonly capLen: number;
  readonly wireLen: number;
  readonly tsUs: number;
  readonly tsNsRem: number;
  readonly linkType: number;
  readonly srcMac: string;
  readonly dstMac: string;
  readonly etherType: number;
  readonly src?: string;
  readonly dst?: string;
  readonly proto?: number;
  readonly srcPort?: number;
  readonly dstPort?: number;
  readonly icmpType?: number;
  readonly payload?: string;
}

function mac(buf: Buffer, off: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(buf[off + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}

function ipv4(buf: Buffer, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

function summarize(iface: string, buf: Buffer, off: number, capLen: number, wireLen: number, tsUs: number, tsNsRem: number, linkType: number): FrameSummary {
  const base = { iface, capLen, wireLen, tsUs, tsNsRem, linkType, dstMac: mac(buf, off), srcMac: mac(buf, off + 6), etherType: buf.readUInt16BE(off + 12) };
  if (base.etherType !== 0x0800) return base;
  const ip = off + 14;
  const ihl = (buf[ip] & 0x0f) * 4;
  const proto = buf[ip + 9];
  const l4 = ip + ihl;
  const ipPart = { ...base, src: ipv4(buf, ip + 12), dst: ipv4(buf, ip + 16), proto };
  if (proto === 17) {
    return { ...ipPart, srcPort: buf.readUInt16BE(l4), dstPort: buf.readUInt16BE(l4 + 2), payload: buf.toString('utf8', l4 + 8, off + capLen) };
  }
  if (proto === 1) return { ...ipPart, icmpType: buf[l4] };
  return ipPart;
}

/** The number at the end of a test datagram's payload ("rp-nfq 7" -> 7), from a raw IPv4 packet. */
function datagramNumber(buf: Buffer, off: number, capLen: number): number {
  const ihl = (buf[off] & 0x0f) * 4;
  const text = buf.toString('utf8', off + ihl + 8, off + capLen);
  return Number(text.slice(text.lastIndexOf(' ') + 1));
}

/** Writes one JSON line to the parent. */
export function emit(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Commands from the parent, one per line. */
export function commands(handle: (line: string) => Promise<void> | void): void {
  createInterface({ input: process.stdin }).on('line', (line) => {
    Promise.resolve(handle(line.trim())).catch((err: unknown) => {
      process.stderr.write(`${(err as Error).stack}\n`);
      process.exit(3);
    });
  });
}

/**
 * Captures on every interface named; reports each frame, and every capture's stats on `stop`.
 * Binds UDP sockets on `sinkPorts` so datagrams sent to them draw no port-unreachable replies.
 */
function captureRole(args: { ifaces: string[]; filter?: string; snaplen?: number; sinkPorts?: number[] }): void {
  for (const port of args.sinkPorts ?? []) dgram.createSocket('udp4').bind(port);
  const captures = args.ifaces.map((iface) => LiveCapture.open({ iface, filter: args.filter, snaplen: args.snaplen }));
  for (const c of captures) {
    c.start(
      (buf, off, capLen, wireLen, tsUs, tsNsRem, linkType) => {
        emit({ frame: summarize(c.iface, buf, off, capLen, wireLen, tsUs, tsNsRem, linkType) });
      },
      (err) => emit({ captureError: { iface: c.iface, name: err.name, code: err.code, message: err.message } }),
    );
  }
  emit({ ready: captures.map((c) => ({ iface: c.iface, linkType: c.linkType })) });
  commands(async (line) => {
    if (line !== 'stop') return;
    await Promise.all(captures.map((c) => c.close()));
    // close() twice resolves the same way: idempotent.
    await captures[0].close();
    const stats: Record<string, LiveStats> = {};
    for (const c of captures) stats[c.iface] = c.stats();
    emit({ stats });
    process.exit(0);
  });
}

/** Sends `count` UDP datagrams "<prefix> <i>" one after the other, from a fixed source port. */
async function sendUdpRole(args: { dst: string; port: number; count: number; prefix: string; srcPort: number; ports?: number[] }): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(args.srcPort, resolve));
  for (let i = 0; i < args.count; i++) {
    const port = args.ports === undefined ? args.port : args.ports[i % args.ports.length];
    await new Promise<void>((resolve, reject) => socket.send(`${args.prefix} ${i}`, port, args.dst, (err) => (err ? reject(err) : resolve())));
  }
  socket.close();
}

/**
 * Binds an NFQUEUE and a UDP receiver on `port`. mode "odd": accept the odd-numbered datagrams,
 * drop the even ones, in the callback. mode "hold": give no verdict until the "release" command
 * (which accepts everything held), to fill the queue. Commands: stats, release, close (unbinds,
 * reports the final stats; the receiver stays), exit.
 */
function nfqueueRole(args: { queueNum: number; port: number; failOpen: boolean; maxLen?: number; mode: 'odd' | 'hold' }): void {
  const queue = NfQueue.open({ queueNum: args.queueNum, failOpen: args.failOpen, maxLen: args.maxLen });
  // A queue has one reader: a second bind must fail.
  try {
    NfQueue.open({ queueNum: args.queueNum });
    emit({ secondOpen: 'opened' });
  } catch (err) {
    emit({ secondOpen: (err as { code?: string }).code });
  }
  const held: number[] = [];
  queue.start((id, buf, off, capLen, wireLen, tsUs) => {
    const n = datagramNumber(buf, off, capLen);
    if (args.mode === 'odd') {
      const accept = n % 2 === 1;
      queue.verdict(id, accept);
      emit({ packet: { id, n, accept, capLen, wireLen, tsUs, version: buf[off] >> 4 } });
    } else {
      held.push(id);
      emit({ held: { id, n } });
    }
  });
  const receiver = dgram.createSocket('udp4');
  receiver.on('message', (msg) => emit({ received: Number(msg.toString().split(' ')[1]) }));
  receiver.bind(args.port, () => emit({ ready: true }));
  commands(async (line) => {
    if (line === 'stats') emit({ stats: queue.stats() });
    if (line === 'release') {
      for (const id of held.splice(0)) queue.verdict(id, true);
      emit({ released: true });
    }
    if (line === 'close') {
      await queue.close();
      // close() twice resolves the same way: idempotent.
      await queue.close();
      emit({ final: queue.stats() });
    }
    if (line === 'exit') {
      receiver.close();
      process.exit(0);
    }
  });
}

/** Opens a capture or a queue and reports the LiveError, if any (the EPERM test runs it unprivileged). */
function openRole(args: { iface?: string; queueNum?: number }): void {
  if (args.iface !== undefined) {
    const c = LiveCapture.open({ iface: args.iface });
    void c.close();
  } else {
    const q = NfQueue.open({ queueNum: args.queueNum ?? 0 });
    void q.close();
  }
  emit({ opened: true });
}

// Only as the program itself: the bench imports this file and has roles of its own.
const role = process.argv[1] === SELF ? process.env.RAMPART_NETNS_ROLE : undefined;
if (role !== undefined) {
  const args = JSON.parse(process.env.RAMPART_NETNS_ARGS ?? '{}');
  try {
    if (role === 'capture') captureRole(args);
    else if (role === 'send-udp') await sendUdpRole(args);
    else if (role === 'nfqueue') nfqueueRole(args);
    else if (role === 'open') openRole(args);
    else if (role === 'list') emit({ status: { ok: addonStatus().ok, list: listInterfaces() } });
    else if (role === 'interfaces') emit({ pcap: listInterfacesFromPcap(requireAddon().findAllDevs()), sys: listInterfacesFromSys() });
    else throw new Error(`unknown role ${role}`);
  } catch (err) {
    emit({ error: { name: (err as Error).name, code: (err as { code?: string }).code, message: (err as Error).message } });
    process.exitCode = 2;
  }
}
