import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';

/** File name of a running instance's control socket in the data directory. */
export const CONTROL_SOCKET = 'rampart.sock';

/** A request to a running instance. */
export type ControlRequest =
  | { readonly cmd: 'list' }
  | { readonly cmd: 'add'; readonly addr: string; readonly durationS: number; readonly reason?: string }
  | { readonly cmd: 'remove'; readonly addr: string };

/** A block as the control API reports it (wall clock). */
export interface ControlBlock {
  readonly addr: string;
  readonly reason: string;
  readonly expiresAtMs: number;
}

/** The answer to a request. */
export interface ControlResponse {
  readonly ok: boolean;
  readonly error?: string;
  readonly blocks?: readonly ControlBlock[];
}

/** What a running instance does for each request. */
export type ControlHandler = (req: ControlRequest) => Promise<ControlResponse>;

/**
 * The control socket of a running instance: one JSON request per line, one JSON response per
 * line, on a Unix socket in the data directory (mode 0600 by the umask of root), so
 * `rampart blocklist` can act on the instance that enforces.
 */
export function serveControl(dataDir: string, handler: ControlHandler): Promise<Server> {
  const path = join(dataDir, CONTROL_SOCKET);
  if (existsSync(path)) unlinkSync(path);
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    sock.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let req: ControlRequest;
        try {
          req = JSON.parse(line) as ControlRequest;
        } catch {
          sock.write(`${JSON.stringify({ ok: false, error: 'bad request: not JSON' })}\n`);
          continue;
        }
        handler(req).then(
          (res) => sock.write(`${JSON.stringify(res)}\n`),
          (err: unknown) => sock.write(`${JSON.stringify({ ok: false, error: String((err as Error).message ?? err) })}\n`),
        );
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

/** Sends one request to the instance running with `dataDir`; null when none is running. */
export function askInstance(dataDir: string, req: ControlRequest, timeoutMs = 5000): Promise<ControlResponse | null> {
  const path = join(dataDir, CONTROL_SOCKET);
  if (!existsSync(path)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${path}: the running instance did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      resolve(JSON.parse(buf.slice(0, nl)) as ControlResponse);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A socket file without a listener is left over from an instance that died.
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(null);
      else reject(err);
    });
  });
}
