/**
 * WebSocket client frames (RFC 6455 §5) and permessage-deflate messages (RFC 7692), for the
 * traffic generator and tests: masked frames of any length, fragments and control frames, and a
 * message compressed as a client keeping its context compresses it.
 */
import { constants, deflateRawSync } from 'node:zlib';

export const WS_CONTINUATION = 0;
export const WS_TEXT = 1;
export const WS_BINARY = 2;
export const WS_CLOSE = 8;
export const WS_PING = 9;

/** The mask a frame gets when none is given. */
const DEFAULT_MASK: readonly number[] = [0x37, 0xfa, 0x21, 0x3d];

/**
 * One client frame: masked with `mask` (null: unmasked, as servers send), FIN unless `fin` is
 * false, RSV1 for a compressed message's first frame.
 */
export function wsFrame(opcode: number, payload: Buffer | string, o: { fin?: boolean; rsv1?: boolean; mask?: readonly number[] | null } = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const mask = o.mask === undefined ? DEFAULT_MASK : o.mask;
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

/**
 * A permessage-deflate message's payload: `text` compressed against `window` (the client's earlier
 * messages, its kept context), flushed, its 00 00 FF FF tail cut (RFC 7692 §7.2.1).
 */
export function wsDeflate(text: string, window = ''): Buffer {
  const out = deflateRawSync(Buffer.from(text), { finishFlush: constants.Z_SYNC_FLUSH, ...(window !== '' ? { dictionary: Buffer.from(window) } : {}) });
  if (out.readUInt32BE(out.length - 4) !== 0x0000ffff) throw new Error('wsDeflate: the flushed stream does not end in 00 00 FF FF');
  return out.subarray(0, out.length - 4);
}
