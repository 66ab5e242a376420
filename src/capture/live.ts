import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapFormat } from './pcap-format.js';
import { pcapBytes } from './pcap-writer.js';
import { MAX_FRAME_BYTES } from './record-format.js';
import type { FrameHandler } from './source.js';

/** What goes wrong opening or running a live source; `code` tells the CLI how to word it. */
export type LiveErrorCode = 'ENODEV' | 'EPERM' | 'EADDON' | 'EFILTER' | 'EIO';

/** A live capture or inline queue that cannot be opened or stopped working; the message is for users as is. */
export class LiveError extends Error {
  /** ENODEV no such interface, EPERM not root, EADDON addon not built, EFILTER bad BPF filter, EIO the rest. */
  readonly code: LiveErrorCode;

  constructor(code: LiveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LiveError';
    this.code = code;
  }
}

declare const nativeBrand: unique symbol;
/** An opaque handle to a native capture object. */
export type NativeHandle = { readonly [nativeBrand]: true };

/** One interface as pcap_findalldevs reports it (native/src/interfaces.cc). */
export interface NativeDevice {
  readonly name: string;
  /** Kernel ifindex; 0 for pcap's pseudo devices (any, nflog, nfqueue, dbus...). */
  readonly index: number;
  /** PCAP_IF_* bits. */
  readonly flags: number;
  readonly v4: readonly string[];
  readonly v6: readonly string[];
}

/** The addon's functions, as native/src/*.cc define them; used by live.ts, nfqueue.ts and interfaces.ts only. */
export interface Addon {
  readonly pcapLibVersion: string;
  pcapOpen(
    iface: string,
    snaplen: number,
    promisc: boolean,
    bufferBytes: number,
    timeoutMs: number,
    filter: string | null,
  ): { handle: NativeHandle; linkType: number; snaplen: number };
  pcapStart(handle: NativeHandle, slots: Buffer[], onBatch: BatchCallback, onError: ErrorCallback): void;
  /** received, dropped, ifDropped. */
  pcapStats(handle: NativeHandle): [number, number, number];
  pcapClose(handle: NativeHandle): Promise<void>;
  nfqOpen(queueNum: number, maxLen: number, copyBytes: number, failOpen: boolean): NativeHandle;
  nfqStart(handle: NativeHandle, slots: Buffer[], onBatch: BatchCallback, onError: ErrorCallback): void;
  /** batch: accept every held packet with an id up to `id` (NFQNL_MSG_VERDICT_BATCH). */
  nfqVerdict(handle: NativeHandle, id: number, accept: boolean, batch: boolean): void;
  /** packets, accepted, dropped, latency avg µs, latency max µs, enobufs, verdict errors. */
  nfqStats(handle: NativeHandle): [number, number, number, number, number, number, number];
  nfqClose(handle: NativeHandle): Promise<void>;
  findAllDevs(): NativeDevice[];
}

/** Called on the main thread with a filled batch slot and how many bytes of it hold records. */
export type BatchCallback = (slot: number, bytes: number) => void;
/** Called once when the capture thread stops on an error. */
export type ErrorCallback = (code: string, message: string) => void;

/** Where `npm run build:addon` (node-gyp rebuild -C native) puts the addon, from the package root. */
const ADDON_PATH = join('native', 'build', 'Release', 'rampart.node');
const INSTALL_HINT =
  'live capture and inline mode need the native addon: apt-get install libpcap-dev g++ make python3, then npm run build:addon ' +
  '(offline analysis of capture files works without it)';

let loaded: { addon: Addon } | { error: string } | null = null;

/**
 * The package root: the first directory above this module holding native/ (the module runs from
 * dist/src/capture/ when built, src/capture/ under a TypeScript loader).
 */
function addonPath(): string {
  if (process.env.RAMPART_ADDON) return process.env.RAMPART_ADDON;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) return join(dir, ADDON_PATH);
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', ADDON_PATH);
}

function load(): { addon: Addon } | { error: string } {
  if (loaded !== null) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    loaded = { error: `${path} not found: ${INSTALL_HINT}` };
    return loaded;
  }
  try {
    loaded = { addon: createRequire(import.meta.url)(path) as Addon };
  } catch (err) {
    // Built for another Node version, or libpcap.so missing: say so, with the same remedy.
    loaded = { error: `${path} does not load (${(err as Error).message}): ${INSTALL_HINT}` };
  }
  return loaded;
}

/**
 * Whether the addon loaded; when not, `reason` says exactly what to install/run (apt-get install
 * libpcap-dev g++ make python3; npm run build:addon).
 */
export function addonStatus(): { ok: true } | { ok: false; reason: string } {
  const l = load();
  return 'addon' in l ? { ok: true } : { ok: false, reason: l.error };
}

/** The loaded addon, or LiveError EADDON naming what to install. */
export function requireAddon(): Addon {
  const l = load();
  if ('error' in l) throw new LiveError('EADDON', l.error);
  return l.addon;
}

const LIVE_ERROR_CODES: ReadonlySet<string> = new Set(['ENODEV', 'EPERM', 'EFILTER', 'EIO']);

/** A native failure as a LiveError (the addon throws Errors whose code is one of LiveError's). */
export function toLiveError(err: unknown): LiveError {
  if (err instanceof LiveError) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return new LiveError(typeof code === 'string' && LIVE_ERROR_CODES.has(code) ? (code as LiveErrorCode) : 'EIO', message, {
    cause: err,
  });
}

/** Batch slots per source: one being filled, one with JS, the rest absorbing a JS pause. */
export const SLOT_COUNT = 4;
/** Bytes per batch slot (at least one record of the snaplen): thousands of small frames per JS call. */
export const SLOT_BYTES = 2 * 1024 * 1024;

/** Options of one interface's capture. */
export interface LiveOptions {
  /** Interface name as `rampart interfaces` lists it ("any" captures all, with link type SLL). */
  iface: string;
  /** Bytes kept per frame (default 262144, tcpdump's; at most 262144). */
  snaplen?: number;
  /** BPF filter, tcpdump syntax, run in the kernel. */
  filter?: string;
  /** Promiscuous mode (default true: an IPS watches traffic not addressed to this host too). */
  promisc?: boolean;
  /** Kernel ring size in bytes (default 32 MiB): what absorbs a burst while JS is busy. */
  bufferBytes?: number;
  /** The kernel hands over a partly filled block after this long (default 10 ms): the latency bound. */
  timeoutMs?: number;
}

/** Counters of one live capture (a type alias, so it is a Record<string, number> for the stats output). */
export type LiveStats = {
  /** Packets the kernel passed to the capture (after the filter), including the dropped ones. */
  readonly received: number;
  /** Dropped by the kernel: the ring was full (JS too slow for the rate). */
  readonly dropped: number;
  /** Dropped by the interface or driver before the kernel saw them (libpcap's ps_ifdrop). */
  readonly ifDropped: number;
  /** Batches handed to JS. */
  readonly batches: number;
  /** Frames delivered to the frame handler. */
  readonly frames: number;
};

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** Interface names of this network namespace, for the ENODEV message. */
function interfaceNames(): string {
  try {
    return readdirSync('/sys/class/net').sort().join(', ');
  } catch {
    return '(cannot read /sys/class/net)';
  }
}

/**
 * One interface's capture. Frames arrive in batches; each batch is a Buffer laid out as classic
 * pcap records (16-byte little-endian record headers: ts_sec, ts_nsec, caplen, wirelen, then
 * data), walked by the offline pcap record parser; the batch buffer is reused after the callback
 * returns. Frames carry the kernel's capture timestamp (packet time), with nanoseconds.
 */
export class LiveCapture {
  /** Interface name as opened. */
  readonly iface: string;
  /** LINKTYPE_* of every frame (1 Ethernet; 113 Linux SLL for "any"). */
  readonly linkType: number;
  private readonly addon: Addon;
  private readonly handle: NativeHandle;
  private readonly snaplen: number;
  private format: PcapFormat | null = null;
  private batches = 0;
  private closing: Promise<void> | null = null;

  private constructor(addon: Addon, iface: string, opened: { handle: NativeHandle; linkType: number; snaplen: number }) {
    this.addon = addon;
    this.iface = iface;
    this.handle = opened.handle;
    this.linkType = opened.linkType;
    this.snaplen = opened.snaplen;
  }

  /** Opens the interface (throws LiveError: ENODEV no such interface, EPERM not root, EFILTER bad filter, EADDON). */
  static open(opts: LiveOptions): LiveCapture {
    if (typeof opts.iface !== 'string' || opts.iface === '') throw new RangeError('iface must be a non-empty interface name');
    const snaplen = checkInt('snaplen', opts.snaplen ?? 262144, 64, MAX_FRAME_BYTES);
    const bufferBytes = checkInt('bufferBytes', opts.bufferBytes ?? 32 * 1024 * 1024, 1024 * 1024, 2 ** 31 - 1);
    const timeoutMs = checkInt('timeoutMs', opts.timeoutMs ?? 10, 1, 10_000);
    const addon = requireAddon();
    try {
      const opened = addon.pcapOpen(opts.iface, snaplen, opts.promisc ?? true, bufferBytes, timeoutMs, opts.filter ?? null);
      return new LiveCapture(addon, opts.iface, opened);
    } catch (err) {
      const live = toLiveError(err);
      if (live.code === 'ENODEV') {
        throw new LiveError('ENODEV', `${live.message}; interfaces here: ${interfaceNames()} (rampart interfaces lists them)`, {
          cause: err,
        });
      }
      throw live;
    }
  }

  /**
   * Starts delivering: onFrame (the engine's FrameHandler) is called for every frame in capture
   * order, on the main thread. onError is called once if the capture dies (the interface went
   * away); without it the LiveError is thrown as an uncaught exception.
   */
  start(onFrame: FrameHandler, onError?: (err: LiveError) => void): void {
    if (this.format !== null) throw new Error(`${this.iface}: capture already started`);
    const format = new PcapFormat(this.iface, { littleEndian: true, nanosecond: true }, onFrame);
    // The records the addon writes are those of a little-endian nanosecond pcap of this link
    // type: a file header primes the parser, then batches are fed as record runs.
    format.parse(pcapBytes([], { nanosecond: true, linkType: this.linkType }), 0, 24, 0);
    this.format = format;
    const slotBytes = Math.max(SLOT_BYTES, 16 + this.snaplen);
    const slots: Buffer[] = [];
    for (let i = 0; i < SLOT_COUNT; i++) slots.push(Buffer.allocUnsafeSlow(slotBytes));
    const fail =
      onError ??
      ((err: LiveError): void => {
        throw err;
      });
    this.addon.pcapStart(
      this.handle,
      slots,
      (slot, bytes) => {
        this.batches++;
        format.parse(slots[slot], 0, bytes, 0);
      },
      (code, message) => fail(toLiveError(Object.assign(new Error(message), { code }))),
    );
  }

  /** pcap_stats (as of the last kernel read) plus batches and frames delivered. */
  stats(): LiveStats {
    const [received, dropped, ifDropped] = this.addon.pcapStats(this.handle);
    return { received, dropped, ifDropped, batches: this.batches, frames: this.format === null ? 0 : this.format.frames };
  }

  /**
   * Stops the thread and frees the handle; frames the kernel captured before the call are still
   * delivered (it waits one timeout for the last partial block). Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.addon.pcapClose(this.handle);
    return this.closing;
  }
}
