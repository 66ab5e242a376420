/**
 * TLS 1.3-looking records for generated HTTPS sessions: a ClientHello and ServerHello with the
 * extensions browsers and servers send (tshark dissects them without complaint), then
 * "encrypted" records of random bytes. Nothing here is real cryptography: only the framing is.
 */
import type { Rng } from '../scenario.js';

/** Record content types (RFC 8446 section 5.1). */
const CHANGE_CIPHER_SPEC = 20;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(0, 255);
  return b;
}

/** A TLS record; the legacy version is 0x0301 on a ClientHello, 0x0303 everywhere else. */
function record(type: number, body: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), u16(body.length), body]);
}

/** One extension: type, length, data. */
function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(data.length), data]);
}

/** A vector with a 16-bit length. */
function vec16(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([u16(body.length), body]);
}

/** The first flight of a browser: a ClientHello for `serverName` offering TLS 1.3 and 1.2. */
export function clientHello(rng: Rng, serverName: string, sessionId: Buffer): Buffer {
  const name = Buffer.from(serverName, 'ascii');
  const suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8];
  const extensions = Buffer.concat([
    extension(0x0000, vec16(Buffer.from([0]), vec16(name))),
    extension(0x0017, Buffer.alloc(0)), // extended_master_secret
    extension(0xff01, Buffer.from([0])), // renegotiation_info
    extension(0x000a, vec16(u16(0x001d), u16(0x0017), u16(0x0018))), // supported_groups
    extension(0x000b, Buffer.from([1, 0])), // ec_point_formats
    extension(0x0023, Buffer.alloc(0)), // session_ticket
    extension(0x0010, vec16(Buffer.from([2]), Buffer.from('h2'), Buffer.from([8]), Buffer.from('http/1.1'))), // ALPN
    extension(0x000d, vec16(...[0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601].map(u16))), // signature_algorithms
    extension(0x0033, vec16(u16(0x001d), vec16(randomBytes(rng, 32)))), // key_share x25519
    extension(0x002d, Buffer.from([1, 1])), // psk_key_exchange_modes
    extension(0x002b, Buffer.from([4, 0x03, 0x04, 0x03, 0x03])), // supported_versions
  ]);
  const hello = Buffer.concat([
    u16(0x0303),
    randomBytes(rng, 32),
    Buffer.from([sessionId.length]),
    sessionId,
    vec16(...suites.map(u16)),
    Buffer.from([1, 0]),
    vec16(extensions),
  ]);
  return record(HANDSHAKE, Buffer.concat([Buffer.from([1]), u24(hello.length), hello]), 0x0301);
}

/** The server's flight: ServerHello (TLS 1.3), ChangeCipherSpec, then encrypted handshake records of `encryptedBytes`. */
export function serverHello(rng: Rng, sessionId: Buffer, encryptedBytes: number): Buffer {
  const extensions = Buffer.concat([
    extension(0x0033, Buffer.concat([u16(0x001d), vec16(randomBytes(rng, 32))])),
    extension(0x002b, u16(0x0304)),
  ]);
  const hello = Buffer.concat([u16(0x0303), randomBytes(rng, 32), Buffer.from([sessionId.length]), sessionId, u16(0x1301), Buffer.from([0]), vec16(extensions)]);
  return Buffer.concat([
    record(HANDSHAKE, Buffer.concat([Buffer.from([2]), u24(hello.length), hello])),
    changeCipherSpec(),
    encrypted(rng, encryptedBytes),
  ]);
}

/** The middlebox-compatibility ChangeCipherSpec record. */
export function changeCipherSpec(): Buffer {
  return record(CHANGE_CIPHER_SPEC, Buffer.from([1]));
}

/** Application-data records carrying `bytes` of ciphertext in all (at most 16 KiB + 256 each). */
export function encrypted(rng: Rng, bytes: number): Buffer {
  const parts: Buffer[] = [];
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, 16384 + 256);
    parts.push(record(APPLICATION_DATA, randomBytes(rng, n)));
    left -= n;
  }
  return Buffer.concat(parts);
}

/** A 32-byte legacy session id, echoed by the server. */
export function sessionId(rng: Rng): Buffer {
  return randomBytes(rng, 32);
}
