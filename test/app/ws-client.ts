/**
 * A WebSocket client's frames for tests (RFC 6455 §5, RFC 7692): masked frames of any length,
 * fragments and control frames, and permessage-deflate messages compressed as a client keeping
 * its context compresses them.
 */
import assert from 'node:assert/strict';
import { constants, deflateRawSync } from 'node:zlib';

export const OP_CONT = 0;
export const OP_TEXT = 1;
export const OP_BINARY = 2;
export const OP_CLOSE = 8;
export const OP_PING = 9;

/** One client frame: masked (RFC 6455 §5.3) unless `mask` is null, FIN unless `fin` is false, RSV1 for a compressed message's first frame. */
export function frame(opcode: number, payload: Buffer | string, o: { fin?: boolean; rsv1?: boolean; mask?: number[] | null } = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const mask = o.mask === undefined ? [0x37, 0xfa, 0x21, 0x3d] : o.mask;
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | (o.rsv1 ? 0x40 : 0) | opcode;
  const m = mask !== null ? 0x80 : 0;
  let head: Buffer;
  if (data.length < 126) head = Buffer.from([b0, m | data.length]);
  else if (data.length < 65536) {
    head = Buffer.from([b0, m | 126, 0, 0]);
    head.writeUInt16BE(data.length, 2);
  } else {
    head = Buffer.from([b0, m | 127, 0, 0, 0, 0, 0, 0, 0, 0]);
    head.writeUInt32BE(data.length, 6);
  }
  if (mask === null) return Buffer.concat([head, data]);
  const body = Buffer.from(data.map((c, i) => c ^ mask[i & 3]));
  return Buffer.concat([head, Buffer.from(mask), body]);
}

/** A client's permessage-deflate message: compressed against `window` (the earlier messages), flushed, its 00 00 FF FF tail cut. */
export function deflated(text: string, window = ''): Buffer {
  const out = deflateRawSync(Buffer.from(text), { finishFlush: constants.Z_SYNC_FLUSH, ...(window !== '' ? { dictionary: Buffer.from(window) } : {}) });
  assert.deepEqual([...out.subarray(out.length - 4)], [0, 0, 0xff, 0xff]);
  return out.subarray(0, out.length - 4);
}

