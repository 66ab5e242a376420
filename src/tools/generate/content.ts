/**
 * What the generated benign sessions carry: HTTP/1.1 requests and answers (pages, assets, JSON
 * APIs, searches whose words look like SQL and HTML), and PostgreSQL wire messages between the
 * API server and its database. Benign on purpose, but full of the words a naive payload
 * detector trips on ("select", "union", "drop table", "<script>" in pages served).
 */
import type { Rng } from '../scenario.js';

/** Browsers by operating system, as their User-Agent headers read. */
export const USER_AGENTS = {
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87',
  linux: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
} as const;

/** One HTTP/1.1 request. Header names and order as browsers send them; `body` adds Content-Length. */
export function httpRequest(o: {
  method: string;
  host: string;
  target: string;
  userAgent: string;
  accept?: string;
  headers?: readonly (readonly [string, string])[];
  body?: string;
  contentType?: string;
  keepAlive?: boolean;
}): string {
  const lines = [
    `${o.method} ${o.target} HTTP/1.1`,
    `Host: ${o.host}`,
    `User-Agent: ${o.userAgent}`,
    `Accept: ${o.accept ?? 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'}`,
    'Accept-Language: en-GB,en;q=0.7',
    'Accept-Encoding: gzip, deflate',
  ];
  for (const [k, v] of o.headers ?? []) lines.push(`${k}: ${v}`);
  if (o.body !== undefined) {
    lines.push(`Content-Type: ${o.contentType ?? 'application/x-www-form-urlencoded'}`);
    lines.push(`Content-Length: ${Buffer.byteLength(o.body, 'latin1')}`);
  }
  lines.push(`Connection: ${o.keepAlive === true ? 'keep-alive' : 'close'}`);
  return `${lines.join('\r\n')}\r\n\r\n${o.body ?? ''}`;
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  204: 'No Content',
  301: 'Moved Permanently',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** One HTTP/1.1 response (nginx-like headers). */
export function httpResponse(status: number, contentType: string, body: string, keepAlive = false): string {
  const head = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'OK'}`,
    'Server: nginx/1.24.0',
    'Date: Mon, 02 Feb 2026 09:00:00 GMT',
    `Content-Type: ${contentType}`,
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
    `Connection: ${keepAlive ? 'keep-alive' : 'close'}`,
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/** Picks one element. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)];
}

const PAGE_TOPICS = [
  ['Learning SQL', 'This tutorial explains SELECT, UNION and DROP TABLE statements, and why you never paste user input into a query.'],
  ['Union meeting', 'Please select your union representative from the list before Friday; the drop-in session is in room 4.'],
  ['Incident drill', 'The alert script for the fire drill runs at 10:00. Do not panic when the alarm sounds.'],
  ['Web security training', 'Cross-site scripting happens when a page echoes <script> tags it received; we encode every value.'],
  ['Canteen menu', 'Soup of the day, a choice of two mains, and the dessert table by the window.'],
  ['IT notices', 'Printers on floor 2 are back. Password changes are due every 90 days: use the self-service page.'],
] as const;

/** An intranet page: a layout with scripts and styles, and one topic's text. */
export function intranetPage(rng: Rng, assets: readonly string[]): string {
  const [title, text] = pick(rng, PAGE_TOPICS);
  const links = assets.map((a) => (a.endsWith('.css') ? `<link rel="stylesheet" href="${a}">` : `<script src="${a}" defer></script>`)).join('\n');
  const paras = Array.from({ length: rng.int(2, 8) }, () => `<p>${text}</p>`).join('\n');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title>\n${links}\n</head>\n<body><nav><a href="../index.html">Home</a> | <a href="/news">News</a></nav>\n<h1>${title}</h1>\n${paras}\n<script>window.intranet = { user: "staff", theme: "light" };</script>\n</body></html>\n`;
}

/** Body of a static asset of roughly `size` bytes. */
export function assetBody(path: string, size: number): string {
  const line = path.endsWith('.css') ? 'body { margin: 0; font-family: sans-serif; }\n' : 'document.querySelectorAll("a").forEach((a) => a.classList.add("link"));\n';
  return line.repeat(Math.max(1, Math.floor(size / line.length)));
}

/** Search phrases people type, some of them full of SQL and HTML words. */
export const SEARCHES = [
  'how to select a union representative',
  'drop table tennis schedule',
  'script for the alert drill',
  'select all from the canteen menu',
  'order by date expenses policy',
  'html email signature template',
  'where is the printer on floor 2',
  'insert into calendar holiday',
  'delete old files from shared drive',
  'update password self service',
] as const;

/** A search phrase as a form puts it in a query string (spaces as '+', others percent-encoded). */
export function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

/** The JSON answer of an API listing. */
export function apiOrders(rng: Rng): string {
  const items = Array.from({ length: rng.int(1, 6) }, (_, i) => ({
    id: rng.int(1000, 99999),
    status: pick(rng, ['open', 'shipped', 'on hold']),
    note: pick(rng, ['select the union option at checkout', 'drop at the back door', 'customer asked for a script of the call', 'none']),
    line: i + 1,
  }));
  return JSON.stringify({ orders: items, next: null });
}

/** A note posted to the API: words only, no markup. */
export function apiNote(rng: Rng): string {
  return JSON.stringify({ text: pick(rng, ['Remember to drop the table reservation and select a union rep', 'Alert: script review moved to Tuesday', 'Order by Friday or the union select committee decides']), pinned: rng.int(0, 1) === 1 });
}

/** A PostgreSQL frontend/backend message: type byte, 32-bit length (itself included), body. */
function pgMessage(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'latin1');
}

/** The client's StartupMessage (protocol 3.0). */
export function pgStartup(user: string, database: string): Buffer {
  const params = Buffer.concat([cstr('user'), cstr(user), cstr('database'), cstr(database), cstr('application_name'), cstr('orders-api'), Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(params.length + 8, 0);
  head.writeUInt32BE(196608, 4);
  return Buffer.concat([head, params]);
}

/** The server's answer to a startup under trust authentication: AuthenticationOk, parameters, key, ready. */
export function pgReady(rng: Rng): Buffer {
  const key = Buffer.alloc(8);
  key.writeUInt32BE(rng.int(1000, 60000), 0);
  key.writeUInt32BE(rng.int(0, 0x7fffffff), 4);
  return Buffer.concat([
    pgMessage('R', Buffer.from([0, 0, 0, 0])),
    pgMessage('S', Buffer.concat([cstr('server_version'), cstr('16.3')])),
    pgMessage('S', Buffer.concat([cstr('client_encoding'), cstr('UTF8')])),
    pgMessage('K', key),
    pgMessage('Z', Buffer.from('I', 'latin1')),
  ]);
}

/** A simple Query message. */
export function pgQuery(sql: string): Buffer {
  return pgMessage('Q', cstr(sql));
}

/** Terminate. */
export function pgTerminate(): Buffer {
  return pgMessage('X', Buffer.alloc(0));
}

/** The queries the orders API sends its database. */
export const SQL_QUERIES = [
  "SELECT id, status, note FROM orders WHERE status = 'open' ORDER BY id DESC LIMIT 20",
  "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = 4242",
  "SELECT name FROM products WHERE category = 'garden' UNION SELECT name FROM archived_products WHERE category = 'garden'",
  "UPDATE orders SET status = 'shipped' WHERE id = 1337",
] as const;

/** The rows of a query's answer: RowDescription (text columns), DataRows, CommandComplete, ReadyForQuery. */
export function pgResult(rng: Rng, sql: string): Buffer {
  if (sql.startsWith('UPDATE')) return Buffer.concat([pgMessage('C', cstr('UPDATE 1')), pgMessage('Z', Buffer.from('I', 'latin1'))]);
  const columns = ['id', 'value'];
  const fields = columns.map((name, i) => {
    const f = Buffer.alloc(18);
    f.writeUInt32BE(16384 + i, 0); // table oid
    f.writeUInt16BE(i + 1, 4); // column number
    f.writeUInt32BE(25, 6); // type oid: text
    f.writeInt16BE(-1, 10); // variable length
    f.writeInt32BE(-1, 12); // no type modifier
    f.writeUInt16BE(0, 16); // text format
    return Buffer.concat([cstr(name), f]);
  });
  const desc = pgMessage('T', Buffer.concat([Buffer.from([0, columns.length]), ...fields]));
  const n = rng.int(1, 5);
  const rows = Array.from({ length: n }, () => {
    const cols = [String(rng.int(1000, 99999)), pick(rng, ['open', 'garden hose', 'union jack flag', 'shipped'])].map((v) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(Buffer.byteLength(v), 0);
      return Buffer.concat([len, Buffer.from(v, 'latin1')]);
    });
    return pgMessage('D', Buffer.concat([Buffer.from([0, cols.length]), ...cols]));
  });
  return Buffer.concat([desc, ...rows, pgMessage('C', cstr(`SELECT ${n}`)), pgMessage('Z', Buffer.from('I', 'latin1'))]);
}
