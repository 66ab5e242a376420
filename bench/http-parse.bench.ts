/**
 * Micro-benchmarks of the HTTP stage's hot helpers, each against the alternative it replaced or
 * was chosen over (the choices in src/app/http and src/detect/web/web-attacks.ts cite these):
 *
 * - finding a character in a value: `indexOf` against a `charCodeAt` loop, by value length;
 * - a response head: read in place from the bytes (`ResponseHeadReader`) against a byte scan for
 *   its end, a string of it and `parseResponseHead`;
 * - looking up a long value: a `Set` lookup (native hash) against the character-class scan the
 *   web detector's clean cache keys on (its recent list of long values spares that scan);
 * - a known header name: one native `startsWith` against a `charCodeAt` comparison;
 * - a whole browser request head through `parseRequestHead`, for scale.
 *
 * Every value is a fresh slice of a larger string, as the parser makes them (a string's hash is
 * cached once computed, so reusing one string would flatter the lookups).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/http-parse.bench.js [iterations]
 */
import { HeadFraming, parseRequestHead, parseResponseHead, ResponseHeadReader } from '../src/app/http/head.js';

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = 5;

let sink = 0;

/** Best of ROUNDS runs of `n` calls of `f`, in ns per call. */
function time(n: number, f: (i: number) => number): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += f(i);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (ns < best) best = ns;
  }
  return best;
}

function row(name: string, ...cols: [string, number][]): void {
  process.stdout.write(`${name.padEnd(46)} ${cols.map(([k, ns]) => `${k} ${ns.toFixed(1).padStart(7)} ns`).join('   ')}\n`);
}

// ---- a character in a value ----

/** Values of several lengths, each a fresh slice per call of a longer text without the character. */
const TEXT = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 text/html,application/xhtml+xml;q=0.9 en-GB,en;q=0.8 gzip, deflate, br'.replace(/[$]/g, '');

function charLoop(s: string, c: number): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === c) return i;
  return -1;
}

process.stdout.write(`http parse micro-benchmarks: ${N} calls per case, best of ${ROUNDS}\n\n`);
for (const len of [8, 24, 64, 128]) {
  const native = time(N, (i) => TEXT.slice(i & 7, (i & 7) + len).indexOf('$'));
  const loop = time(N, (i) => charLoop(TEXT.slice(i & 7, (i & 7) + len), 36));
  row(`find '$' in a ${len}-char value (absent)`, ['indexOf', native], ['charCodeAt loop', loop]);
}

// ---- anything to decode in a value ----

const CODED = /[%+\0]/;
for (const len of [8, 32]) {
  const searches = time(N, (i) => {
    const v = TEXT.slice(i & 7, (i & 7) + len);
    return v.indexOf('%') < 0 && v.indexOf('+') < 0 ? v.indexOf('\0') : 1;
  });
  const regex = time(N, (i) => (CODED.test(TEXT.slice(i & 7, (i & 7) + len)) ? 1 : 0));
  row(`'%', '+' or NUL in a ${len}-char value (none)`, ['3 indexOf', searches], ['one regex test', regex]);
}

// ---- a response head ----

const RESPONSE = Buffer.concat([
  Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 19876\r\nCache-Control: no-cache\r\n\r\n', 'latin1'),
  Buffer.alloc(1300, 120),
]);

/** The byte scan the stage used to find a head's end before making a string of it. */
function scanHeadEnd(buf: Buffer, off: number, end: number): number {
  let lines = 0;
  let lineLen = 0;
  for (let i = off; i < end; i++) {
    const c = buf[i];
    if (c === 10) {
      if (lineLen === 0 && lines > 0) return i + 1;
      lines++;
      lineLen = 0;
    } else if (c !== 13) {
      lineLen++;
    }
  }
  return -1;
}

const reader = new ResponseHeadReader();
const inPlace = time(N, () => {
  reader.read(RESPONSE, 0, RESPONSE.length);
  return reader.framing.length;
});
const viaString = time(N, () => {
  const end = scanHeadEnd(RESPONSE, 0, RESPONSE.length);
  const res = parseResponseHead(RESPONSE.toString('latin1', 0, end));
  return res === null ? 0 : res.framing.length;
});
row('response head (4 headers)', ['read in place', inPlace], ['scan + string + parse', viaString]);

// ---- clean cache on a long value ----

const CLASS = new Uint16Array(128);
for (const ch of '\'"`;&|\n<>$./\\:() \t_') CLASS[ch.charCodeAt(0)] = 1 << (ch.charCodeAt(0) % 11);

function classScan(v: string): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    m |= c < 128 ? CLASS[c] : 2048;
  }
  return m;
}

const UA = 'x Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const clean = new Set<string>([UA.slice(2)]);
for (const len of [16, 32, 118]) {
  const lookup = time(N, (i) => (clean.has(UA.slice(2 + (i & 1), 2 + (i & 1) + len)) ? 1 : 0));
  const scan = time(N, (i) => classScan(UA.slice(2 + (i & 1), 2 + (i & 1) + len)));
  row(`clean cache, ${len}-char value`, ['Set lookup', lookup], ['class scan', scan]);
}

// ---- a known header name ----

/** Heads as the parser has them: one fresh string per request, read at several places. */
const HEADS = Array.from({ length: 64 }, (_, k) => Buffer.from(`GET /${k} HTTP/1.1\r\nAccept-Language: en-GB\r\n`, 'latin1').toString('latin1'));
const USUAL = 'Accept-Language';

function sameChars(s: string, from: number, name: string): boolean {
  for (let j = 0; j < name.length; j++) if (s.charCodeAt(from + j) !== name.charCodeAt(j)) return false;
  return true;
}

const nameAt = (k: number): number => HEADS[k].indexOf('\n') + 1;
const startsWith = time(N, (i) => (HEADS[i & 63].startsWith(USUAL, nameAt(i & 63)) ? 1 : 0));
const compare = time(N, (i) => (sameChars(HEADS[i & 63], nameAt(i & 63), USUAL) ? 1 : 0));
row('known header name (15 chars)', ['startsWith', startsWith], ['charCodeAt compare', compare]);

// ---- a whole request head ----

const HEAD = Buffer.from(
  'GET /products?category=shoes&q=red+union&sort=price_asc&page=12 HTTP/1.1\r\nHost: shop.example\r\n' +
    'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n' +
    'Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Language: en-GB,en;q=0.9\r\nAccept-Encoding: gzip, deflate\r\n' +
    'Cookie: sid=4fzyo82mvbx.2a; _ga=GA1.2.123456789.1234567890; cart=%7B%22n%22%3A3%7D\r\nReferer: https://shop.example/products?page=3\r\n\r\n',
  'latin1',
);
const origin = { index: 0, clientPort: 40000, serverPort: 80, clientIsInitiator: true };
const limits = { maxLine: 8192, maxHeaders: 256, maxArgs: 1024 };
const framing = new HeadFraming();
const head = time(Math.max(1, N >> 3), () => parseRequestHead(HEAD.toString('latin1'), origin, limits, 0, undefined, framing)?.fields.length ?? 0);
row(`request head (${HEAD.length} B, 8 headers, 16 fields)`, ['string + parseRequestHead', head]);

if (sink === 42) process.stdout.write('\n');
