import { closeSync, createReadStream, mkdirSync, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Server } from 'node:net';
import { createInterface } from 'node:readline/promises';
import { CaptureParser } from '../capture/capture-parser.js';
import { addonStatus, LiveCapture } from '../capture/live.js';
import { listInterfaces } from '../capture/interfaces.js';
import { NfQueue } from '../capture/nfqueue.js';
import { readCaptureFile } from '../capture/source.js';
import { type Config, ConfigError, defaultConfig, loadConfigFile } from '../config/config.js';
import { overlayConfig } from '../config/overlay.js';
import { LinkType } from '../decode/packet.js';
import { Engine } from '../engine/engine.js';
import { SECTIONS } from '../engine/sections.js';
import { EveWriter } from '../output/eve.js';
import { type EventSink, Verdict } from '../output/events.js';
import { formatSummary, SummaryCollector } from '../output/summary.js';
import { VerdictWriter } from '../output/verdicts.js';
import { type EnforcementBackend, EnforcementError } from '../prevent/backend.js';
import { Enforcer } from '../prevent/enforcer.js';
import { IptablesQueueRule } from '../prevent/iptables-queue.js';
import { NftablesBackend } from '../prevent/nftables.js';
import { DryRunBackend } from '../prevent/none.js';
import { BlocklistStore, defaultDataDir } from '../store/blocklist-store.js';
import { UsageError } from '../cli/errors.js';
import { type ControlRequest, type ControlResponse, serveControl } from './control.js';
import { localAllowlist } from './local-addresses.js';

/** Options of `rampart live`, from the command line (undefined: take the config's value). */
export interface LiveRunOptions {
  readonly interfaces: readonly string[];
  readonly replay?: string;
  readonly realtime?: boolean;
  readonly enforce?: string;
  readonly queueNum?: number;
  readonly failOpen?: boolean;
  readonly filter?: string;
  readonly config?: string;
  readonly eve?: string;
  readonly verdicts?: boolean;
  readonly dataDir?: string;
  readonly removeTable?: boolean;
  readonly statsInterval?: number;
  /** Stop by itself after this many seconds (demos, tests). */
  readonly durationS?: number;
}

/** Streams the run writes to. */
export interface LiveIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/** A frame source of a live run: started once, closed once. */
interface RunningSource {
  readonly label: string;
  close(): Promise<void>;
  stats(): Record<string, number>;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Asks on the terminal which interface to watch (the seeds' menu), or fails without a terminal. */
async function chooseInterface(io: LiveIo): Promise<string> {
  const list = listInterfaces();
  if (io.stdin.isTTY !== true) {
    throw new UsageError(`no interface given: use -i IFACE (one of: ${list.map((i) => i.name).join(', ')}; 'rampart interfaces' lists them)`);
  }
  io.stderr.write('Available interfaces:\n');
  list.forEach((i, n) => io.stderr.write(`${n}: ${i.name}${i.addresses.length ? ` (${i.addresses.join(', ')})` : ''}${i.up ? '' : ' [down]'}\n`));
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = (await rl.question('Select interface number: ')).trim();
    const n = Number(answer);
    if (!Number.isInteger(n) || n < 0 || n >= list.length) throw new UsageError(`not an interface number: ${answer}`);
    return list[n].name;
  } finally {
    rl.close();
  }
}

/**
 * `rampart live`: watch interfaces (or an inline queue, or a replayed capture), detect, decide,
 * and enforce, until SIGINT/SIGTERM (or --duration). Everything that can fail is checked before
 * anything is installed, so a bad interface or a missing tool leaves nothing half-applied.
 */
export async function runLive(opts: LiveRunOptions, io: LiveIo): Promise<number> {
  const fileConfig = opts.config !== undefined ? loadConfigFile(SECTIONS, opts.config) : defaultConfig(SECTIONS);
  const live = fileConfig.section('live');
  const root = isRoot();
  let enforce = opts.enforce ?? (live.enforce as string);
  if (enforce === 'auto') enforce = root ? 'nftables' : 'none';
  if (!['nftables', 'nfqueue', 'none'].includes(enforce)) throw new UsageError(`--enforce must be nftables, nfqueue or none, not ${enforce}`);
  if (opts.realtime === true && opts.replay === undefined) throw new UsageError('--realtime needs --replay FILE');
  if (opts.replay !== undefined && opts.interfaces.length > 0) throw new UsageError('use either -i IFACE or --replay FILE, not both');
  if (enforce === 'nfqueue' && opts.replay !== undefined) throw new UsageError('--enforce nfqueue reads packets from the kernel queue: it cannot replay a file');
  if (enforce !== 'none' && !root) {
    throw new EnforcementError(`--enforce ${enforce} changes the kernel's packet filter and needs root: run it with sudo, or use --enforce none for a dry run`);
  }
  const needAddon = opts.replay === undefined;
  if (needAddon) {
    const status = addonStatus();
    if (!status.ok) throw new EnforcementError(status.reason);
  }

  const dataDir = opts.dataDir ?? ((live.data_dir as string) || defaultDataDir());
  const local = live.allow_local === true && opts.replay === undefined ? localAllowlist() : [];
  /** The file's config with the machine's own addresses added to the allowlist. */
  const withLocal = (c: Config): Config => overlayConfig(c, { decide: { allowlist: [...(c.section('decide').allowlist as readonly string[]), ...local] } });
  const config = withLocal(fileConfig);

  // Sources first: a wrong interface name must fail before the packet filter is touched.
  const interfaces = [...opts.interfaces];
  if (interfaces.length === 0 && opts.replay === undefined && enforce !== 'nfqueue') interfaces.push(await chooseInterface(io));
  const captures: LiveCapture[] = [];
  try {
    for (const iface of interfaces) {
      captures.push(LiveCapture.open({ iface, snaplen: live.snaplen as number, filter: opts.filter ?? ((live.filter as string) || undefined) }));
    }
  } catch (err) {
    for (const c of captures) await c.close();
    throw err;
  }
  let queue: NfQueue | undefined;
  let queueRule: IptablesQueueRule | undefined;
  const queueNum = opts.queueNum ?? (live.queue_num as number);
  const failOpen = opts.failOpen ?? (live.fail_open as boolean);
  if (enforce === 'nfqueue') queue = NfQueue.open({ queueNum, failOpen });

  const backend: EnforcementBackend = enforce === 'nftables' ? new NftablesBackend({ table: live.nft_table as string }) : new DryRunBackend();
  let kernelBlocks;
  try {
    kernelBlocks = await backend.start();
    if (queue !== undefined) {
      queueRule = new IptablesQueueRule(queueNum, failOpen);
      await queueRule.install();
    }
  } catch (err) {
    for (const c of captures) await c.close();
    await queue?.close();
    throw err;
  }

  mkdirSync(dataDir, { recursive: true });
  const store = opts.replay === undefined ? new BlocklistStore(dataDir) : null;
  const summary = new SummaryCollector();
  const sinks: EventSink[] = [summary, new Enforcer(backend, store)];
  const evePath = opts.eve ?? ((config.section('outputs').eve as string) || undefined);
  if (evePath !== undefined) sinks.push(new EveWriter(evePath, { append: true }));
  if (opts.verdicts === true || config.section('outputs').verdicts === true) sinks.push(new VerdictWriter(io.stdout));
  const engine = new Engine(config, sinks);

  // Blocks that outlived the last run (the kernel's and the store's) are in force again.
  if (store !== null) {
    const nowMs = Date.now();
    const restored = new Map<string, { reason: string; expiresAtMs: number }>();
    for (const b of store.load(nowMs)) restored.set(b.addr, { reason: b.reason, expiresAtMs: b.expiresAtMs });
    for (const b of kernelBlocks) if (!restored.has(b.addr)) restored.set(b.addr, { reason: 'restored', expiresAtMs: b.expiresAtMs });
    for (const [addr, b] of restored) engine.decide.blockAddr(addr, b.reason, nowMs * 1000, b.expiresAtMs * 1000);
    if (restored.size > 0) io.stderr.write(`rampart: ${restored.size} block(s) restored from ${store.path} and the kernel\n`);
  }

  // Packet time follows the packets; when none come, it follows the wall clock from the last one.
  let lastPacketUs = 0;
  let lastPacketWallMs = Date.now();
  const onFrame = (buf: Buffer, off: number, capLen: number, wireLen: number, tsUs: number, tsNsRem: number, linkType: number): void => {
    engine.processFrame(buf, off, capLen, wireLen, tsUs, tsNsRem, linkType);
    lastPacketUs = tsUs;
    lastPacketWallMs = Date.now();
  };

  const sources: RunningSource[] = [];
  for (const c of captures) {
    c.start(onFrame);
    sources.push({ label: `capture:${c.iface}`, close: () => c.close(), stats: () => c.stats() });
  }
  if (queue !== undefined) {
    const q = queue;
    q.start((id, buf, off, capLen, wireLen, tsUs) => {
      onFrame(buf, off, capLen, wireLen, tsUs, 0, LinkType.RAW);
      q.verdict(id, engine.lastVerdict !== Verdict.BLOCK);
    });
    sources.push({ label: `nfqueue:${queueNum}`, close: () => q.close(), stats: () => q.stats() });
  }

  let control: Server | undefined;
  if (store !== null) {
    control = await serveControl(dataDir, async (req: ControlRequest): Promise<ControlResponse> => {
      const nowUs = Math.max(engine.lastTsUs, Date.now() * 1000);
      if (req.cmd === 'add') {
        const ok = engine.decide.blockAddr(req.addr, req.reason ?? 'manual', nowUs, nowUs + req.durationS * 1e6);
        await backend.flush();
        return ok ? { ok } : { ok, error: `${req.addr}: not blocked (invalid address, or on the allowlist)` };
      }
      if (req.cmd === 'remove') {
        const ok = engine.decide.unblockAddr(req.addr, nowUs);
        await backend.flush();
        return ok ? { ok } : { ok, error: `${req.addr}: not blocked` };
      }
      const offsetMs = Date.now() - nowUs / 1000;
      return { ok: true, blocks: engine.decide.list().map((b) => ({ addr: b.addr, reason: b.reason, expiresAtMs: Math.round(b.expiresUs / 1000 + offsetMs) })) };
    });
  }

  const wallStart = Date.now();
  let stopping: Promise<void> | undefined;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const timers: NodeJS.Timeout[] = [];
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sources) await s.close();
      control?.close();
      await queueRule?.remove();
      const final = engine.finish();
      for (const s of sinks) await s.close();
      const remove = opts.removeTable ?? (live.remove_table_on_exit as boolean);
      await backend.stop({ remove });
      const report = summary.report({
        files: [],
        packets: engine.packets,
        bytes: engine.bytes,
        firstTsUs: engine.firstTsUs,
        lastTsUs: engine.lastTsUs,
        wallMs: Date.now() - wallStart,
        stats: { ...final.stats, ...Object.fromEntries(sources.map((s) => [s.label, s.stats()])) },
      });
      const out = opts.verdicts === true ? io.stderr : io.stdout;
      out.write(`${formatSummary(report)}\n`);
      resolveDone();
    })();
    return stopping;
  };

  timers.push(
    setInterval(() => {
      if (lastPacketUs > 0) engine.advanceTime(lastPacketUs + (Date.now() - lastPacketWallMs) * 1000);
      for (const s of sinks) if (s instanceof EveWriter) s.flush();
    }, 1000),
  );
  const statsInterval = opts.statsInterval ?? (live.stats_interval as number);
  if (statsInterval > 0) timers.push(setInterval(() => engine.emitStats(), statsInterval * 1000));
  const onSignal = (): void => {
    void stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // SIGHUP: reload the config (thresholds, patterns, allowlist, durations) keeping flows and
  // blocks, and reopen the EVE file for log rotation. A bad file is reported and ignored.
  const onHangup = (): void => {
    try {
      if (opts.config !== undefined) engine.reconfigure(withLocal(loadConfigFile(SECTIONS, opts.config)));
      io.stderr.write(`rampart: SIGHUP: ${opts.config !== undefined ? `reloaded ${opts.config}, ` : ''}reopened outputs\n`);
    } catch (err) {
      io.stderr.write(`rampart: SIGHUP: config not reloaded, keeping the running one: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    }
    for (const s of sinks) if (s instanceof EveWriter) void s.reopen();
  };
  process.on('SIGHUP', onHangup);
  if (opts.durationS !== undefined) timers.push(setTimeout(onSignal, opts.durationS * 1000));

  const what = opts.replay !== undefined ? `replaying ${opts.replay}` : [...interfaces.map((i) => `interface ${i}`), ...(queue ? [`queue ${queueNum}`] : [])].join(', ');
  io.stderr.write(`rampart: watching ${what}; enforcement: ${enforce}${enforce === 'none' ? ' (dry run)' : ''}; Ctrl-C to stop\n`);

  if (opts.replay !== undefined) {
    await replay(opts.replay, opts.realtime === true, onFrame, () => stopping !== undefined);
    await stop();
  }
  await done;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGHUP', onHangup);
  return 0;
}

/**
 * Feeds a capture file through the live path. With `realtime`, frames are held until their
 * offset from the first frame has passed on the wall clock; frames are copied into batches of a
 * bounded size, so memory stays bounded whatever the file's length.
 */
async function replay(file: string, realtime: boolean, onFrame: Parameters<LiveCapture['start']>[0], stopped: () => boolean): Promise<void> {
  if (!realtime) {
    await readCaptureFile(file, onFrame);
    return;
  }
  type Held = { data: Buffer; wireLen: number; tsUs: number; tsNsRem: number; linkType: number };
  const held: Held[] = [];
  let firstTsUs = -1;
  const wallStart = Date.now();
  const drain = async (): Promise<void> => {
    for (const f of held) {
      if (stopped()) return;
      const due = wallStart + (f.tsUs - firstTsUs) / 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      onFrame(f.data, 0, f.data.length, f.wireLen, f.tsUs, f.tsNsRem, f.linkType);
    }
    held.length = 0;
  };
  const parser = new CaptureParser(file, (buf, off, capLen, wireLen, tsUs, tsNsRem, linkType) => {
    if (firstTsUs < 0) firstTsUs = tsUs;
    held.push({ data: Buffer.from(buf.subarray(off, off + capLen)), wireLen, tsUs, tsNsRem, linkType });
  });
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  readSync(fd, head, 0, 2, 0);
  closeSync(fd);
  const raw = createReadStream(file, { highWaterMark: 1 << 16 });
  const stream: AsyncIterable<Buffer> = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  try {
    for await (const chunk of stream) {
      parser.feed(chunk, chunk.length);
      await drain();
      if (stopped()) return;
    }
    parser.finish();
    await drain();
  } finally {
    raw.destroy();
  }
}
