/**
 * The seeds' per-packet verdict lines ("[32] 192.168.100.101 -> 192.168.100.103 : BLOCK: multi-port scan"),
 * the format the proof-of-concept's users read and grep. Written straight into 64 KiB chunks.
 */
import type { EngineEvent, EventSink, PacketVerdict } from './events.js';
import { Verdict } from './events.js';
import { ChunkedWriter } from './chunked-writer.js';

const NON_IP = 'Non-IP packet';
const ARROW = ' -> ';
const ALLOW = ' : ALLOW\n';
const BLOCK = ' : BLOCK: ';
/** Longest fixed part of a line: "[" + 16 index digits + "] " + arrow + " : BLOCK: " + "\n". */
const LINE_OVERHEAD = 40;

/** The seeds' per-packet lines, buffered to a writable (default stdout). */
export class VerdictWriter implements EventSink {
  /** Lines written, plus the writer's bytes/chunks. */
  readonly stats: Record<string, number>;
  private readonly out: ChunkedWriter;

  /** Lines go to `out` (default stdout) in ~64 KiB chunks; the stream is not ended by `close()`. */
  constructor(out?: NodeJS.WritableStream) {
    this.out = ChunkedWriter.toStream(out ?? process.stdout);
    this.stats = this.out.stats;
    this.stats.lines = 0;
  }

  /** Verdict lines carry no events. */
  onEvent(_ev: EngineEvent): void {}

  /** One line per frame; the address strings are the only allocation, made by the caller's accessors. */
  onPacket(v: PacketVerdict): void {
    const out = this.out;
    if (out.broken) return;
    const blocked = v.verdict === Verdict.BLOCK;
    const reasonBytes = blocked ? v.reason.length * 3 : 0;
    if (v.isIp) {
      const src = v.srcIp();
      const dest = v.destIp();
      out.reserve(LINE_OVERHEAD + src.length + dest.length + reasonBytes);
      out.putByte(0x5b); // [
      out.putUint(v.index);
      out.putByte(0x5d); // ]
      out.putByte(0x20);
      out.putAscii(src);
      out.putAscii(ARROW);
      out.putAscii(dest);
    } else {
      out.reserve(LINE_OVERHEAD + NON_IP.length + reasonBytes);
      out.putByte(0x5b);
      out.putUint(v.index);
      out.putByte(0x5d);
      out.putByte(0x20);
      out.putAscii(NON_IP);
    }
    if (blocked) {
      out.putAscii(BLOCK);
      out.putUtf8(v.reason);
      out.putByte(0x0a);
    } else {
      out.putAscii(ALLOW);
    }
    this.stats.lines++;
  }

  /** Resolves when the stream can take more: the producer awaits this between batches (backpressure). */
  drain(): Promise<void> {
    return this.out.drain();
  }

  /** Flushes the last chunk and waits until the stream has taken it; EPIPE resolves quietly. */
  close(): Promise<void> {
    return this.out.close();
  }
}
