import { readFileSync } from 'node:fs';
import { type Addon, LiveError, type NativeHandle, requireAddon, SLOT_BYTES, SLOT_COUNT, toLiveError } from './live.js';

/** LINKTYPE_RAW: NFQUEUE hands out IP packets without a link header. */
export const LINKTYPE_RAW = 101;

/** Options of the inline queue. */
export interface NfQueueOptions {
  /** The --queue-num of the iptables rule (0..65535). */
  queueNum: number;
  /**
   * Default true: when the queue is full the kernel accepts instead of dropping
   * (NFQA_CFG_F_FAIL_OPEN), and close() accepts what is still held. The rule's own
   * `--queue-bypass` decides what happens while no Rampart is bound (see queueTargetArgs).
   */
  failOpen?: boolean;
  /** Packets the kernel may hold waiting for a verdict (default 4096). */
  maxLen?: number;
  /** Bytes of each packet copied to us (default 65535, whole packets). */
  copyBytes?: number;
}

/** Called for every held packet, in order; `buf` is a reused batch buffer, valid during the call only. */
export type PacketHandler = (id: number, buf: Buffer, offset: number, capLen: number, wireLen: number, tsUs: number) => void;

/** Counters of the inline queue (a type alias, so it is a Record<string, number> for the stats output). */
export type NfQueueStats = {
  /** Packets handed to the handler. */
  readonly packets: number;
  readonly accepted: number;
  readonly dropped: number;
  /** From the packet's arrival on the capture thread to its verdict reaching the kernel. */
  readonly verdictLatencyUsAvg: number;
  readonly verdictLatencyUsMax: number;
  /** Kernel drops: queue full in fail-closed mode, or not deliverable to us (queue_dropped + user_dropped). */
  readonly queueDrops?: number;
  /** Receive buffer overruns seen by the capture thread (the kernel then counts user_dropped). */
  readonly enobufs: number;
  /** Verdicts the kernel refused (an unknown or already judged id). */
  readonly verdictErrors: number;
};

const RECORD_HEADER_BYTES = 20;
const PROC_QUEUES = '/proc/net/netfilter/nfnetlink_queue';

/**
 * The iptables arguments of a rule that holds packets for queue `queueNum`: with fail-open,
 * `--queue-bypass` lets packets through while no Rampart is bound (stopped or crashed);
 * fail-closed leaves it out, so they are dropped then. (This kernel has no nftables `queue`
 * statement, hence iptables.)
 */
export function queueTargetArgs(queueNum: number, failOpen: boolean): string[] {
  return ['-j', 'NFQUEUE', '--queue-num', String(queueNum), ...(failOpen ? ['--queue-bypass'] : [])];
}

/** queue_dropped + user_dropped of a bound queue, from the kernel's table; undefined when not listed. */
export function readQueueDrops(queueNum: number, text?: string): number | undefined {
  let table = text;
  if (table === undefined) {
    try {
      table = readFileSync(PROC_QUEUES, 'utf8');
    } catch {
      return undefined;
    }
  }
  // Columns: queue_number peer_portid queue_total copy_mode copy_range queue_dropped user_dropped id_sequence 1
  for (const line of table.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 7 && Number(f[0]) === queueNum) return Number(f[5]) + Number(f[6]);
  }
  return undefined;
}

/**
 * Inline mode: packets held by the kernel (iptables -j NFQUEUE --queue-num N --queue-bypass) are
 * handed to onPacket as raw IP frames (link type RAW = 101) with a packet id; the caller must
 * call verdict(id, accept) for each, during the callback or soon after, in order. Runs of accepts
 * given in order go to the kernel as one batch verdict at the end of each batch of packets.
 */
export class NfQueue {
  /** The queue number bound. */
  readonly queueNum: number;
  /** Whether the kernel accepts rather than drops when the queue is full (and close() accepts what is held). */
  readonly failOpen: boolean;
  /** Every packet is raw IP. */
  readonly linkType = LINKTYPE_RAW;
  private readonly addon: Addon;
  private readonly handle: NativeHandle;
  private readonly copyBytes: number;
  private started = false;
  private closing: Promise<void> | null = null;
  private lastQueueDrops: number | undefined;
  // Batch-verdict bookkeeping: every id <= `top` has been ruled on; `unsent` when some of those
  // accepts still have to go to the kernel (as one NFQNL_MSG_VERDICT_BATCH up to `top`).
  private haveTop = false;
  private top = 0;
  private unsent = false;
  private inBatch = false;
  private outstanding = 0;
  private lastDelivered = 0;

  private constructor(addon: Addon, handle: NativeHandle, queueNum: number, failOpen: boolean, copyBytes: number) {
    this.addon = addon;
    this.handle = handle;
    this.queueNum = queueNum;
    this.failOpen = failOpen;
    this.copyBytes = copyBytes;
  }

  /** Binds the queue (throws LiveError: EPERM when not root or the queue is taken, EADDON, EIO). */
  static open(opts: NfQueueOptions): NfQueue {
    const queueNum = opts.queueNum;
    if (!Number.isInteger(queueNum) || queueNum < 0 || queueNum > 65535) throw new RangeError(`queueNum must be 0..65535, got ${queueNum}`);
    const maxLen = opts.maxLen ?? 4096;
    if (!Number.isInteger(maxLen) || maxLen < 1 || maxLen > 65536) throw new RangeError(`maxLen must be 1..65536, got ${maxLen}`);
    const copyBytes = opts.copyBytes ?? 65535;
    if (!Number.isInteger(copyBytes) || copyBytes < 64 || copyBytes > 65535) throw new RangeError(`copyBytes must be 64..65535, got ${copyBytes}`);
    const failOpen = opts.failOpen ?? true;
    const addon = requireAddon();
    let handle: NativeHandle;
    try {
      handle = addon.nfqOpen(queueNum, maxLen, copyBytes, failOpen);
    } catch (err) {
      throw toLiveError(err);
    }
    return new NfQueue(addon, handle, queueNum, failOpen, copyBytes);
  }

  /**
   * Starts delivering held packets to onPacket, on the main thread. onError is called once if
   * the queue dies; without it the LiveError is thrown as an uncaught exception.
   */
  start(onPacket: PacketHandler, onError?: (err: LiveError) => void): void {
    if (this.started) throw new Error(`NFQUEUE ${this.queueNum}: already started`);
    this.started = true;
    const slotBytes = Math.max(SLOT_BYTES, RECORD_HEADER_BYTES + this.copyBytes);
    const slots: Buffer[] = [];
    for (let i = 0; i < SLOT_COUNT; i++) slots.push(Buffer.allocUnsafeSlow(slotBytes));
    const fail =
      onError ??
      ((err: LiveError): void => {
        throw err;
      });
    this.addon.nfqStart(
      this.handle,
      slots,
      (slot, bytes) => this.deliver(slots[slot], bytes, onPacket),
      (code, message) => fail(toLiveError(Object.assign(new Error(message), { code }))),
    );
  }

  /** Releases (accept) or discards (drop) held packet `id`. */
  verdict(id: number, accept: boolean): void {
    if (this.outstanding > 0) this.outstanding--;
    if (this.haveTop && ((id - this.top) >>> 0) === 1) {
      this.top = id;
      if (accept) this.unsent = true;
      else this.addon.nfqVerdict(this.handle, id, false, false);
    } else {
      // Out of order (or after a gap in the ids): this one alone, so a later batch cannot
      // release a packet that has not been judged.
      this.addon.nfqVerdict(this.handle, id, accept, false);
    }
    if (!this.inBatch) this.flush();
  }

  /** Packets, verdicts and their latency, and the kernel's drop counters for this queue. */
  stats(): NfQueueStats {
    const [packets, accepted, dropped, avg, max, enobufs, verdictErrors] = this.addon.nfqStats(this.handle);
    if (this.closing === null) this.lastQueueDrops = readQueueDrops(this.queueNum) ?? this.lastQueueDrops;
    return {
      packets,
      accepted,
      dropped,
      verdictLatencyUsAvg: avg,
      verdictLatencyUsMax: max,
      ...(this.lastQueueDrops === undefined ? {} : { queueDrops: this.lastQueueDrops }),
      enobufs,
      verdictErrors,
    };
  }

  /**
   * Stops reading and unbinds the queue once packets already queued to us have been delivered
   * and judged; with failOpen what is still held is accepted, otherwise the kernel drops it.
   * Idempotent.
   */
  close(): Promise<void> {
    if (this.closing === null) {
      // The queue's row leaves the kernel's table with the binding: keep its last counters.
      this.lastQueueDrops = readQueueDrops(this.queueNum) ?? this.lastQueueDrops;
      this.closing = this.addon.nfqClose(this.handle);
    }
    return this.closing;
  }

  private deliver(buf: Buffer, bytes: number, onPacket: PacketHandler): void {
    this.inBatch = true;
    try {
      let off = 0;
      while (off + RECORD_HEADER_BYTES <= bytes) {
        const id = (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
        const sec = (buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24)) >>> 0;
        const usec = (buf[off + 8] | (buf[off + 9] << 8) | (buf[off + 10] << 16) | (buf[off + 11] << 24)) >>> 0;
        const capLen = (buf[off + 12] | (buf[off + 13] << 8) | (buf[off + 14] << 16) | (buf[off + 15] << 24)) >>> 0;
        const wireLen = (buf[off + 16] | (buf[off + 17] << 8) | (buf[off + 18] << 16) | (buf[off + 19] << 24)) >>> 0;
        if (!this.haveTop) {
          this.top = (id - 1) >>> 0;
          this.haveTop = true;
        }
        this.outstanding++;
        this.lastDelivered = id;
        onPacket(id, buf, off + RECORD_HEADER_BYTES, capLen, wireLen, sec * 1e6 + usec);
        off += RECORD_HEADER_BYTES + capLen;
      }
    } finally {
      this.inBatch = false;
    }
    // Everything delivered has been judged: skip over any id the kernel never delivered.
    if (this.outstanding === 0) this.top = this.lastDelivered;
    this.flush();
  }

  private flush(): void {
    if (!this.unsent) return;
    this.unsent = false;
    this.addon.nfqVerdict(this.handle, this.top, true, true);
  }
}
