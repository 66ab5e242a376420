/**
 * What a real HTTP/2 client sends: Node's own http2 client (nghttp2) run against an in-memory
 * socket, its bytes collected. The connection preface, SETTINGS, then HEADERS (HPACK with
 * Huffman coding and the dynamic table) and DATA, exactly as on the wire of an h2c connection.
 */
import http2 from 'node:http2';
import { Duplex } from 'node:stream';

export interface H2Request {
  readonly headers: http2.OutgoingHttpHeaders;
  readonly body?: string;
}

/** The client's bytes for `requests`, sent in order on one connection. */
export async function h2ClientBytes(requests: readonly H2Request[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  const session = http2.connect('http://shop.example', { createConnection: () => socket });
  session.on('error', () => {});
  // The server's (empty) SETTINGS, so that the client does not wait for them.
  socket.push(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
  for (const r of requests) {
    const stream = session.request(r.headers, { endStream: r.body === undefined });
    stream.on('error', () => {});
    if (r.body !== undefined) stream.end(r.body);
  }
  // The client writes from the event loop: wait until it has written nothing for a while of turns.
  for (let quiet = 0, turns = 0; quiet < 20 && turns < 10000; turns++) {
    const before = chunks.length;
    await new Promise((resolve) => setImmediate(resolve));
    quiet = chunks.length === before ? quiet + 1 : 0;
  }
  session.destroy();
  return Buffer.concat(chunks);
}
