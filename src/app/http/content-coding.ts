import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { HttpFlag } from './request.js';

/**
 * Request bodies sent compressed (`Content-Encoding: gzip`, `deflate`, `br`): servers that
 * decompress them (Apache's DEFLATE input filter, application frameworks) hand the application
 * what an inspection of the compressed bytes never sees, so the body is inspected decompressed.
 * Output is bounded by the body limit (a small body can hold gigabytes of zeros). A body that
 * does not decompress whole is inspected as sent: a server that ignores the header hands the
 * application those bytes, and reading a plain body as compressed could turn it into noise.
 */

/** Most codings applied one over the other that are undone (`gzip, gzip`). */
const MAX_LAYERS = 3;

/** One decompressor: `partial` reads a stream cut short as far as it goes. */
type Inflate = (buf: Buffer, limit: number, partial: boolean) => Buffer;

type ZlibCall = (buf: Buffer, options: { finishFlush: number; maxOutputLength: number }) => Buffer;

/** A zlib decompressor, stopped at `limit` bytes of output. */
function zlibInflate(call: ZlibCall): Inflate {
  return (b, limit, partial) => call(b, { finishFlush: partial ? constants.Z_SYNC_FLUSH : constants.Z_FINISH, maxOutputLength: limit });
}

/** The decompressors of a coding name (lower case), or null for one this reader does not undo. */
function inflatersOf(coding: string): Inflate[] | null {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return [zlibInflate(gunzipSync)];
    case 'deflate':
      // RFC 9110's deflate is zlib-wrapped; some clients send the raw stream, which servers take too.
      return [zlibInflate(inflateSync), zlibInflate(inflateRawSync)];
    case 'br':
      return [(b, limit, partial) => brotliDecompressSync(b, { finishFlush: partial ? constants.BROTLI_OPERATION_FLUSH : constants.BROTLI_OPERATION_FINISH, maxOutputLength: limit })];
    default:
      return null;
  }
}

/** `inflate` of `data`: its output, or why there is none ('large': over `limit` bytes; 'bad': not that format, corrupt or cut short). */
function tryInflate(inflate: Inflate, data: Buffer, limit: number, partial: boolean): Buffer | 'large' | 'bad' {
  try {
    return inflate(data, limit, partial);
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'large' : 'bad';
  }
}

/**
 * The longest output within `limit` bytes that a prefix of `data` gives (binary search over the
 * prefix length: at most 17 attempts, each stopped at `limit` bytes of output).
 */
function boundedPrefix(inflate: Inflate, data: Buffer, limit: number): Buffer {
  let lo = 0;
  let hi = data.length - 1;
  let best: Buffer = Buffer.alloc(0);
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const out = tryInflate(inflate, data.subarray(0, mid), limit, true);
    if (out === 'large' || out === 'bad') {
      hi = mid - 1;
    } else {
      best = out;
      lo = mid + 1;
    }
  }
  return best;
}

/**
 * `data` decompressed by the first of `inflaters` that takes it: whole; or, over `limit`, as much
 * as fits (`truncated`); or, when `cut` (the body was not all received), as far as it goes. Null
 * when none takes it.
 */
function inflateOne(inflaters: readonly Inflate[], data: Buffer, limit: number, cut: boolean): { out: Buffer; truncated: boolean } | null {
  for (const partial of cut ? [false, true] : [false]) {
    for (const inflate of inflaters) {
      const out = tryInflate(inflate, data, limit, partial);
      if (out === 'large') return { out: boundedPrefix(inflate, data, limit), truncated: true };
      if (out !== 'bad' && (!partial || out.length > 0)) return { out, truncated: false };
    }
  }
  return null;
}

/** The end of a DEFLATE block that permessage-deflate strips from each message (RFC 7692 §7.2.1). */
const MESSAGE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * A WebSocket message compressed with permessage-deflate (RFC 7692): its raw DEFLATE data, the
 * message's tail put back. `window`: the uncompressed bytes of the connection's earlier compressed
 * messages (their last 32 KB), which its back-references may reach when the client keeps its
 * context (the default); a message compressed without that context never reaches them. Its output,
 * whole or (`truncated`) its first `limit` bytes; null when it does not decompress.
 */
export function inflateMessage(data: Buffer, window: Buffer, limit: number): { out: Buffer; truncated: boolean } | null {
  const withTail = Buffer.concat([data, MESSAGE_TAIL]);
  const inflate: Inflate = (b, max) => inflateRawSync(b, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: max, ...(window.length > 0 ? { dictionary: window } : {}) });
  return inflateOne([inflate], withTail, limit, false);
}

/** A body decompressed, and the anomalies of doing it. */
export interface DecodedBody {
  /** The body as the application reads it (latin1), at most `limit` bytes. */
  readonly text: string;
  /** BODY_TRUNCATED (more than `limit` bytes, or cut short), INVALID_COMPRESSION (not all of it decompressed). */
  readonly flags: number;
}

/**
 * The body (latin1 text) with the codings of `contentEncoding` undone, last applied first; null
 * when it names none this reader undoes (`identity`, or an unknown coding: the body is inspected
 * as sent). `cutShort`: the body was not all received (over the body limit, or the flow ended), so its
 * stream ends early. A body that does not decompress is returned as sent, flagged INVALID_COMPRESSION.
 */
export function decodeContent(body: string, contentEncoding: string, limit: number, cutShort = false): DecodedBody | null {
  let cut = cutShort;
  const codings = contentEncoding
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0 || codings.length > MAX_LAYERS) return null;
  const steps = codings.map(inflatersOf);
  if (steps.some((s) => s === null)) return null;
  let data: Buffer = Buffer.from(body, 'latin1');
  let flags = 0;
  for (let k = steps.length - 1; k >= 0; k--) {
    const r = inflateOne(steps[k] as Inflate[], data, limit, cut);
    if (r === null) return { text: body, flags: HttpFlag.INVALID_COMPRESSION };
    if (r.truncated) {
      flags |= HttpFlag.BODY_TRUNCATED;
      // The layer under it is then cut short too.
      cut = true;
    }
    data = r.out;
  }
  return { text: data.toString('latin1'), flags };
}
