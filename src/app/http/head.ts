import { decodeFlags, decodePath, isTrimSpace, parseArgs, parseCookies, percentDecode, removeDotSegments } from './decode.js';
import { FieldKind, type HttpField, HttpFlag, type HttpHeader, type HttpRequest } from './request.js';

/**
 * Parsing of a complete request or response head (the start line and headers, up to the empty
 * line) given as one latin1 string. Lenient where servers are (LF-only line ends, extra spaces,
 * obsolete folding), strict where it decides whether a flow speaks HTTP at all (the request line).
 */

/** Bounds applied while parsing one head. */
export interface HeadLimits {
  /** Longer lines are flagged LINE_TOO_LONG (and still inspected). */
  readonly maxLine: number;
  /** Headers past this count are ignored (flagged HEADERS_TOO_LARGE). */
  readonly maxHeaders: number;
  /** Most arguments or cookies taken from one request. */
  readonly maxArgs: number;
}

/** The parts of a request line; null from `splitRequestLine` when the line is not HTTP. */
export interface RequestLine {
  readonly method: string;
  readonly target: string;
  readonly protocol: string;
}

function isMethodChar(c: number, first: boolean): boolean {
  if (c >= 65 && c <= 90) return true;
  return !first && (c === 45 || c === 95 || (c >= 48 && c <= 57));
}

/** True when `c` (a byte) can start a request: an upper-case letter. */
export function canStartRequest(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** `s.slice(from, to).trim()` with one slice (none when the range is empty). */
function trimmedSlice(s: string, from: number, to: number): string {
  while (from < to && isTrimSpace(s.charCodeAt(from))) from++;
  while (to > from && isTrimSpace(s.charCodeAt(to - 1))) to--;
  return from === to ? '' : s.slice(from, to);
}

/** Methods and versions nearly every request uses: shared strings instead of a copy per request. */
const METHODS: readonly string[] = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT'];
const HTTP_11 = 'HTTP/1.1';
const HTTP_10 = 'HTTP/1.0';

function sliceInterned(s: string, from: number, to: number, common: readonly string[]): string {
  for (let k = 0; k < common.length; k++) {
    const c = common[k];
    if (c.length === to - from && s.startsWith(c, from)) return c;
  }
  return s.slice(from, to);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `HTTP/d.d` exactly in `s[from, to)`. */
function isVersion(s: string, from: number, to: number): boolean {
  return to - from === 8 && s.startsWith('HTTP/', from) && isDigitCode(s.charCodeAt(from + 5)) && s.charCodeAt(from + 6) === 46 && isDigitCode(s.charCodeAt(from + 7));
}

/**
 * `splitRequestLine` on `s[start, end)` (a line without its CR/LF), read in place: only the three
 * parts are cut out, and the usual methods and versions are shared strings.
 */
export function splitRequestLineAt(s: string, start: number, end: number): RequestLine | null {
  let i = start;
  while (i < end && i - start < 32 && isMethodChar(s.charCodeAt(i), i === start)) i++;
  if (i === start || i >= end) return null;
  const sp = s.charCodeAt(i);
  if (sp !== 32 && sp !== 9) return null;
  // The rest of the line, trimmed, must be `target SP version`.
  let a = i;
  let b = end;
  while (a < b && isTrimSpace(s.charCodeAt(a))) a++;
  while (b > a && isTrimSpace(s.charCodeAt(b - 1))) b--;
  if (a === b) return null;
  let lastSp = b - 1;
  while (lastSp >= a && s.charCodeAt(lastSp) !== 32 && s.charCodeAt(lastSp) !== 9) lastSp--;
  const method = sliceInterned(s, start, i, METHODS);
  if (lastSp < a || !isVersion(s, lastSp + 1, b)) {
    // HTTP/0.9 had only `GET /path`: anything else without a version (SMTP's `EHLO host`,
    // `MAIL FROM:<…>`) is another protocol.
    return method === 'GET' && lastSp < a && s.charCodeAt(a) === 47 ? { method, target: s.slice(a, b), protocol: 'HTTP/0.9' } : null;
  }
  const target = trimmedSlice(s, a, lastSp);
  if (target === '') return null;
  return { method, target, protocol: s.startsWith(HTTP_11, lastSp + 1) ? HTTP_11 : s.startsWith(HTTP_10, lastSp + 1) ? HTTP_10 : s.slice(lastSp + 1, b) };
}

/**
 * Splits `METHOD SP target SP HTTP/x.y` (runs of spaces or tabs allowed; a target with spaces
 * is taken whole up to the version). `GET /path` without a version is HTTP/0.9.
 * Returns null when the method is not an upper-case token or the version is not HTTP/d.d.
 */
export function splitRequestLine(line: string): RequestLine | null {
  return splitRequestLineAt(line, 0, line.length);
}

/**
 * Header names known by heart, lower case, each with its usual spelling: a known name costs no
 * `toLowerCase()` copy (and none at all when sent as usual), and the detectors' lookups by name
 * hit strings whose hash is already computed.
 */
const KNOWN_HEADERS: readonly (readonly [key: string, usual: string])[] = [
  ['host', 'Host'],
  ['user-agent', 'User-Agent'],
  ['referer', 'Referer'],
  ['cookie', 'Cookie'],
  ['content-type', 'Content-Type'],
  ['content-length', 'Content-Length'],
  ['transfer-encoding', 'Transfer-Encoding'],
  ['content-encoding', 'Content-Encoding'],
  ['upgrade', 'Upgrade'],
  ['accept', 'Accept'],
  ['accept-language', 'Accept-Language'],
  ['accept-encoding', 'Accept-Encoding'],
  ['accept-charset', 'Accept-Charset'],
  ['connection', 'Connection'],
  ['cache-control', 'Cache-Control'],
  ['pragma', 'Pragma'],
  ['origin', 'Origin'],
  ['authorization', 'Authorization'],
  ['x-forwarded-for', 'X-Forwarded-For'],
  ['x-requested-with', 'X-Requested-With'],
  ['x-real-ip', 'X-Real-IP'],
  ['if-modified-since', 'If-Modified-Since'],
  ['if-none-match', 'If-None-Match'],
  ['dnt', 'DNT'],
  ['te', 'TE'],
  ['upgrade-insecure-requests', 'Upgrade-Insecure-Requests'],
  ['sec-fetch-site', 'Sec-Fetch-Site'],
  ['sec-fetch-mode', 'Sec-Fetch-Mode'],
  ['sec-fetch-dest', 'Sec-Fetch-Dest'],
  ['sec-fetch-user', 'Sec-Fetch-User'],
  ['sec-ch-ua', 'sec-ch-ua'],
  ['sec-ch-ua-mobile', 'sec-ch-ua-mobile'],
  ['sec-ch-ua-platform', 'sec-ch-ua-platform'],
  ['keep-alive', 'Keep-Alive'],
  ['range', 'Range'],
  ['priority', 'Priority'],
  ['expect', 'Expect'],
];
/** Indexes in KNOWN_HEADERS of the headers the parser reads. */
const H_HOST = 0;
const H_USER_AGENT = 1;
const H_REFERER = 2;
const H_COOKIE = 3;
const H_CONTENT_TYPE = 4;
const H_CONTENT_LENGTH = 5;
const H_TRANSFER_ENCODING = 6;
const H_CONTENT_ENCODING = 7;
const H_UPGRADE = 8;

/** Lower-case names and usual spellings of KNOWN_HEADERS, as flat arrays for the hot lookup. */
const KNOWN_KEYS: readonly string[] = KNOWN_HEADERS.map(([key]) => key);
const KNOWN_USUAL: readonly string[] = KNOWN_HEADERS.map(([, usual]) => usual);

/** Longest known name, and KNOWN_HEADERS indexes by name length and lower-case first letter. */
const KNOWN_MAX = Math.max(...KNOWN_KEYS.map((k) => k.length));
const KNOWN_BY_SHAPE: readonly (readonly number[] | undefined)[] = (() => {
  const t: number[][] = [];
  KNOWN_KEYS.forEach((key, k) => {
    const slot = key.length * 26 + (key.charCodeAt(0) - 97);
    (t[slot] ??= []).push(k);
  });
  return t;
})();

/** Whether the name the last `knownHeader` call found was spelled exactly as usual. */
let knownAsUsual = false;

/**
 * Index in KNOWN_HEADERS of the name `s[from, to)` (any letter case), or -1. Length and first
 * letter leave one candidate or a few; the usual spelling is then checked by one `startsWith`
 * (no slower than a `charCodeAt` comparison at these lengths: bench/http-parse.bench.ts), letter
 * case folded by hand only when that fails.
 */
function knownHeader(s: string, from: number, to: number): number {
  const len = to - from;
  if (len > KNOWN_MAX) return -1;
  const first = s.charCodeAt(from) | 0x20;
  if (first < 97 || first > 122) return -1;
  const candidates = KNOWN_BY_SHAPE[len * 26 + (first - 97)];
  if (candidates === undefined) return -1;
  for (let k = 0; k < candidates.length; k++) {
    const id = candidates[k];
    if (s.startsWith(KNOWN_USUAL[id], from)) {
      knownAsUsual = true;
      return id;
    }
    const key = KNOWN_KEYS[id];
    let j = 0;
    for (; j < len; j++) {
      const raw = s.charCodeAt(from + j);
      // Only A-Z fold: toLowerCase() maps no other latin1 character to ASCII.
      if ((raw >= 65 && raw <= 90 ? raw | 32 : raw) !== key.charCodeAt(j)) break;
    }
    if (j === len) {
      knownAsUsual = false;
      return id;
    }
  }
  return -1;
}

/** True when `s[from, to)` holds nothing but CRs. */
function onlyCRs(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) !== 13) return false;
  return true;
}

/** True when `s[from, to)` trimmed, in any letter case, is `chunked` (latin1 text). */
function isChunkedCoding(s: string, from: number, to: number): boolean {
  while (from < to && isTrimSpace(s.charCodeAt(from))) from++;
  while (to > from && isTrimSpace(s.charCodeAt(to - 1))) to--;
  if (to - from !== 7) return false;
  for (let j = 0; j < 7; j++) {
    let c = s.charCodeAt(from + j);
    if (c >= 65 && c <= 90) c |= 32;
    if (c !== 'chunked'.charCodeAt(j)) return false;
  }
  return true;
}

/** `/^\d{1,15}$/.test(s.trim()) ? Number(s.trim()) : -1`, without the copies. */
function decimalValue(s: string, from: number, to: number): number {
  while (from < to && isTrimSpace(s.charCodeAt(from))) from++;
  while (to > from && isTrimSpace(s.charCodeAt(to - 1))) to--;
  if (to === from || to - from > 15) return -1;
  let n = 0;
  for (let j = from; j < to; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/**
 * What a request head says about the body and the connection, filled by `parseRequestHead`
 * (one per HTTP stage, reused). The same reading as `bodyFraming` over the kept headers.
 */
export class HeadFraming implements BodyFraming {
  chunked = false;
  length = 0;
  /**
   * Where the head ended in the text given to `parseRequestHead`: just past its empty line (the
   * first line with nothing but CRs), or the text's length when it had none.
   */
  end = 0;
}

/**
 * The header lines of `head` from `pos` up to the empty line, as headers and inspection buffers
 * (cookies split), in one pass with the header's bounds: the per-request values the parser needs
 * (host, user agent, referer, content type and coding, the protocol an Upgrade asks for, framing)
 * are picked up on the way.
 */
class HeaderReader {
  flags = 0;
  host = '';
  userAgent = '';
  referer = '';
  contentType = '';
  contentEncoding = '';
  upgrade = '';
  /** Bits (1 << index) of the known headers seen so far. */
  private seen = 0;
  private length = -1;

  // One per head, not one reused: a long-lived reader would take a write barrier on every store of
  // this request's strings and arrays into it (old object, young values), which costs more than
  // the allocation.
  /** Headers read (kept or not). */
  private count = 0;
  /** Values of the headers past `max_headers` in the text being read, joined by '\n'. */
  private rest = '';

  constructor(
    /** Where header records go; null: only counted (the request builds them on first use). */
    private readonly headers: HttpHeader[] | null,
    /** Where inspection buffers go (replaced for each window of an over-long head). */
    public fields: HttpField[],
    private readonly limits: HeadLimits,
    private readonly framing: HeadFraming,
  ) {
    framing.chunked = false;
    framing.length = 0;
  }

  /** Reads the header lines from `pos`; returns where the head ended (see `HeadFraming.end`). */
  read(head: string, pos: number): number {
    const n = head.length;
    const maxLine = this.limits.maxLine;
    let flags = 0;
    // The header being read (its value may go on in folded lines): pending when `name` is set.
    let name = '';
    let key = '';
    let known = -1;
    let value = '';
    // The next colon at or after `pos`, found by one native search and reused by the lines before
    // it (a search per line could otherwise run to the end of the head for each colon-less line).
    let nextColon = -1;
    while (pos < n) {
      const start = pos;
      let lf = head.indexOf('\n', start);
      if (lf < 0) lf = n;
      if (nextColon < start && nextColon !== -2) {
        nextColon = head.indexOf(':', start);
        if (nextColon < 0) nextColon = -2;
      }
      const colon = nextColon >= 0 && nextColon < lf ? nextColon : -1;
      const end = lf > start && head.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
      pos = lf + 1;
      if (end - start > maxLine) flags |= HttpFlag.LINE_TOO_LONG;
      // The empty line, as the stage's byte scan finds it: nothing but CRs before the LF.
      if (end === start || (head.charCodeAt(start) === 13 && onlyCRs(head, start, end))) break;
      const c = head.charCodeAt(start);
      if ((c === 32 || c === 9) && name !== '') {
        value = `${value} ${trimmedSlice(head, start, end)}`;
        flags |= HttpFlag.FOLDED_HEADER;
        continue;
      }
      if (name !== '') this.push(name, key, known, value);
      if (colon < 0 || colon >= end || colon === start) {
        name = '';
        continue;
      }
      let a = start;
      let b = colon;
      while (a < b && isTrimSpace(head.charCodeAt(a))) a++;
      while (b > a && isTrimSpace(head.charCodeAt(b - 1))) b--;
      if (a === b) {
        name = '';
        continue;
      }
      known = knownHeader(head, a, b);
      if (known >= 0) {
        key = KNOWN_KEYS[known];
        name = knownAsUsual ? KNOWN_USUAL[known] : head.slice(a, b);
      } else {
        name = head.slice(a, b);
        key = name.toLowerCase();
      }
      value = trimmedSlice(head, colon + 1, end);
    }
    if (name !== '') this.push(name, key, known, value);
    if (this.rest !== '') {
      // Past max_headers the headers are still inspected, as one value: padding hides nothing.
      this.fields.push({ kind: FieldKind.HEADER, name: '', value: this.rest, flags: HttpFlag.HEADERS_TOO_LARGE });
      this.rest = '';
    }
    this.flags |= flags;
    // Any Transfer-Encoding beside a Content-Length (RFC 9112 forbids sending both): with an
    // obfuscated coding (`xchunked`, `chunked, identity`) one server reads chunks, another the length.
    if (this.seen & (1 << H_TRANSFER_ENCODING) && this.length >= 0) this.flags |= HttpFlag.AMBIGUOUS_LENGTH;
    this.framing.length = this.framing.chunked || this.length < 0 ? 0 : this.length;
    return Math.min(pos, n);
  }

  private push(name: string, key: string, known: number, value: string): void {
    // Past max_headers a header is not kept, and its value is inspected with the others past it
    // as one (see `read`); it still frames the body as the server will (a Content-Length there
    // ignored would put the body where the next request goes).
    if (this.count++ < this.limits.maxHeaders) {
      if (this.headers !== null) this.headers.push({ name, key, value });
      if (known === H_COOKIE) this.flags |= parseCookies(value, this.fields, this.limits.maxArgs);
      else this.fields.push({ kind: FieldKind.HEADER, name: key, value, flags: 0 });
    } else {
      this.flags |= HttpFlag.HEADERS_TOO_LARGE;
      if (value !== '') this.rest = this.rest === '' ? value : `${this.rest}\n${value}`;
    }
    if (known < 0 || known > H_UPGRADE) return;
    // The first of each (what `headerValue` returns); framing as `bodyFraming` reads it.
    const bit = 1 << known;
    const first = (this.seen & bit) === 0;
    this.seen |= bit;
    switch (known) {
      case H_HOST:
        if (first) this.host = value;
        break;
      case H_USER_AGENT:
        if (first) this.userAgent = value;
        break;
      case H_REFERER:
        if (first) this.referer = value;
        break;
      case H_CONTENT_TYPE:
        if (first) this.contentType = value;
        break;
      case H_CONTENT_ENCODING:
        if (first) this.contentEncoding = value;
        break;
      case H_UPGRADE:
        if (first) this.upgrade = value;
        break;
      case H_CONTENT_LENGTH: {
        const n = decimalValue(value, 0, value.length);
        if (n < 0) this.flags |= HttpFlag.AMBIGUOUS_LENGTH;
        else if (this.length === -1) this.length = n;
        else if (this.length !== n) this.flags |= HttpFlag.AMBIGUOUS_LENGTH;
        break;
      }
      case H_TRANSFER_ENCODING: {
        let lastComma = value.length;
        while (lastComma > 0 && value.charCodeAt(lastComma - 1) !== 44) lastComma--;
        this.framing.chunked = isChunkedCoding(value, lastComma, value.length);
        break;
      }
    }
  }
}

/**
 * The port written in an authority (`host:8080`, `[::1]:8080`, `user@host:8080`), -1 when there
 * is none or it is not a port number (as libhtp leaves its port number unset).
 */
export function authorityPort(authority: string): number {
  let a = authority.trim();
  a = a.slice(a.lastIndexOf('@') + 1);
  let rest: string;
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    if (close < 0 || a.charCodeAt(close + 1) !== 58) return -1;
    rest = a.slice(close + 2);
  } else {
    const colon = a.indexOf(':');
    if (colon < 0 || a.indexOf(':', colon + 1) >= 0) return -1;
    rest = a.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(rest)) return -1;
  const port = Number(rest);
  return port <= 65535 ? port : -1;
}

/**
 * Host part of an authority (`user@host:port`, `[v6]:port`), lower case, without a trailing dot:
 * its bounds found in one pass, then one slice (and `toLowerCase` only when a letter needs it).
 */
function hostOf(authority: string): string {
  let a = 0;
  let b = authority.length;
  while (a < b && isTrimSpace(authority.charCodeAt(a))) a++;
  while (b > a && isTrimSpace(authority.charCodeAt(b - 1))) b--;
  for (let k = b - 1; k >= a; k--) {
    if (authority.charCodeAt(k) === 64) {
      a = k + 1;
      break;
    }
  }
  if (a < b && authority.charCodeAt(a) === 91) {
    let close = a + 1;
    while (close < b && authority.charCodeAt(close) !== 93) close++;
    a++;
    b = close;
  } else {
    for (let k = a; k < b; k++) {
      if (authority.charCodeAt(k) === 58) {
        b = k;
        break;
      }
    }
  }
  let upper = false;
  for (let k = a; k < b && !upper; k++) {
    const c = authority.charCodeAt(k);
    upper = (c >= 65 && c <= 90) || c >= 128;
  }
  if (b > a && authority.charCodeAt(b - 1) === 46) b--;
  if (a === b) return '';
  const host = authority.slice(a, b);
  return upper ? host.toLowerCase() : host;
}

/** Who the request belongs to on its flow. */
export interface RequestOrigin {
  readonly index: number;
  readonly clientPort: number;
  readonly serverPort: number;
  readonly clientIsInitiator: boolean;
}

/** The body framing a request head announces. */
export interface BodyFraming {
  /** Chunked transfer coding. */
  readonly chunked: boolean;
  /** Content-Length (0 when absent or unusable). */
  readonly length: number;
}

/** True when `t` starts with `http://` or `https://` in any letter case. */
function isHttpUrl(t: string): boolean {
  if ((t.charCodeAt(0) | 32) !== 104 || (t.charCodeAt(1) | 32) !== 116 || (t.charCodeAt(2) | 32) !== 116 || (t.charCodeAt(3) | 32) !== 112) return false;
  const k = (t.charCodeAt(4) | 32) === 115 ? 5 : 4;
  return t.charCodeAt(k) === 58 && t.charCodeAt(k + 1) === 47 && t.charCodeAt(k + 2) === 47;
}

/** The body fields of a request whose body has not arrived (shared: it is replaced, never filled). */
const NO_FIELDS: readonly HttpField[] = Object.freeze([]);

/** Framing of the last head when the caller does not ask for it. */
const unusedFraming = new HeadFraming();

/**
 * A parsed request. What only outputs and tests read is built on first use: the host name (from
 * the absolute URI or the Host header) and the normalised URI; the detectors never need them,
 * and most requests never raise an alert.
 */
class ParsedRequest implements HttpRequest {
  index = 0;
  method = '';
  uriRaw = '';
  path = '';
  query = '';
  protocol = '';
  /** Where the header lines start in `head`, and the limits they were read with (for `headers`). */
  headerStart = 0;
  limits: HeadLimits | null = null;
  private headerList: HttpHeader[] | null = null;
  userAgent = '';
  referer = '';
  contentType = '';
  contentEncoding = '';
  upgrade = '';
  fields: HttpField[] = [];
  moreFields: readonly HttpField[] = NO_FIELDS;
  bodyFields: readonly HttpField[] = NO_FIELDS;
  /** The reader of a head cut at `max_header_bytes`, and its framing, until `readMoreHeaders` reads its end. */
  more: HeaderReader | null = null;
  moreFraming: HeadFraming | null = null;
  bodyLength = 0;
  head = '';
  bodyText = '';
  flags = 0;
  status = 0;
  responseLength = 0;
  responseContentType = '';
  responseLocation = '';
  clientPort = 0;
  serverPort = 0;
  clientIsInitiator = true;
  alerted = 0;
  readonly message = 0;
  /** The authority of an absolute URI or a CONNECT target (null: none), and the first Host header value. */
  uriAuthority: string | null = null;
  hostHeader = '';
  private host: string | null = null;
  private normalized: string | null = null;

  /** The per-request header values a reader found (the first of each, wherever in the head). */
  takeHeadValues(reader: HeaderReader): void {
    if (this.hostHeader !== reader.host) {
      this.hostHeader = reader.host;
      this.host = null;
    }
    this.userAgent = reader.userAgent;
    this.referer = reader.referer;
    this.contentType = reader.contentType;
    this.contentEncoding = reader.contentEncoding;
    this.upgrade = reader.upgrade;
  }

  get hostname(): string {
    if (this.host === null) {
      const fromUri = this.uriAuthority !== null ? hostOf(this.uriAuthority) : '';
      this.host = fromUri !== '' ? fromUri : hostOf(this.hostHeader);
    }
    return this.host;
  }

  /** The port written with the host `hostname` came from (read when an event is logged). */
  get hostPort(): number {
    return authorityPort(this.uriAuthority !== null && hostOf(this.uriAuthority) !== '' ? this.uriAuthority : this.hostHeader);
  }

  /** Read again from the head on first use: nothing on the inspection path needs the records. */
  get headers(): readonly HttpHeader[] {
    if (this.headerList === null) {
      const list: HttpHeader[] = [];
      if (this.limits !== null) new HeaderReader(list, [], this.limits, new HeadFraming()).read(this.head, this.headerStart);
      this.headerList = list;
    }
    return this.headerList;
  }

  get uriNormalized(): string {
    this.normalized ??= this.query !== '' ? `${this.path}?${percentDecode(this.query, true)}` : this.path;
    return this.normalized;
  }
}

/**
 * Builds the request from a complete head (or, with `flags` INCOMPLETE/HEADERS_TOO_LARGE, as much
 * of one as arrived; with `continues`, the first window of whole lines of a head that goes on, see
 * `readMoreHeaders`); `known` is its request line when the caller already split it. Returns null
 * when the request line is not HTTP. The head's body framing and its end go to `framing` (framing
 * as `bodyFraming` reads it; text after the head's empty line is not read), and its anomalies
 * (AMBIGUOUS_LENGTH) into the request's flags.
 */
export function parseRequestHead(head: string, origin: RequestOrigin, limits: HeadLimits, flags: number, known?: RequestLine, framing?: HeadFraming, continues = false): HttpRequest | null {
  let lf = head.indexOf('\n');
  if (lf < 0) lf = head.length;
  const firstEnd = lf > 0 && head.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
  const line = known ?? splitRequestLineAt(head, 0, firstEnd);
  if (line === null) return null;
  if (firstEnd > limits.maxLine) flags |= HttpFlag.LINE_TOO_LONG;
  const req = new ParsedRequest();

  let target = line.target;
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  if (isHttpUrl(target)) {
    const rest = target.slice(target.indexOf('//') + 2);
    let cut = 0;
    while (cut < rest.length && rest.charCodeAt(cut) !== 47 && rest.charCodeAt(cut) !== 63) cut++;
    if (cut === rest.length) cut = -1;
    req.uriAuthority = cut < 0 ? rest : rest.slice(0, cut);
    target = cut < 0 ? '/' : rest.charCodeAt(cut) === 63 ? `/${rest.slice(cut)}` : rest.slice(cut);
  } else if (line.method === 'CONNECT') {
    req.uriAuthority = target;
    target = '';
  }
  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  const query = q >= 0 ? target.slice(q + 1) : '';

  // Inspection buffers in request order: path, query arguments, then each header as it is read.
  const fields = req.fields;
  const decodedPath = decodePath(rawPath);
  const pathFlags = decodeFlags();
  const path = removeDotSegments(decodedPath);
  const dotFlags = decodeFlags();
  fields.push({ kind: FieldKind.PATH, name: '', value: decodedPath, flags: pathFlags | dotFlags });
  flags |= pathFlags | dotFlags;
  if (query !== '') flags |= parseArgs(query, FieldKind.QUERY_ARG, fields, limits.maxArgs);
  // A `#` in a request target (browsers never send one) ends it for most servers, but Go's
  // net/http keeps what follows in the path or the query (`?q=safe#<script>` is q's value): that
  // reading is inspected too, as the last argument (or the fragment alone) with it appended.
  if (hash >= 0 && hash + 1 < line.target.length) {
    const fragment = line.target.slice(hash + 1);
    const last = query.slice(query.lastIndexOf('&') + 1);
    flags |= parseArgs(`${last}#${fragment}`, FieldKind.QUERY_ARG, fields, limits.maxArgs);
  }
  // A head cut at max_header_bytes goes on in windows (`readMoreHeaders`), read by this reader
  // with a framing of its own, so that framing and the max_headers count run across them; the
  // caller's framing says "no body" until the last window.
  const headFraming = continues ? new HeadFraming() : (framing ?? unusedFraming);
  const reader = new HeaderReader(null, fields, limits, headFraming);
  const end = reader.read(head, lf + 1);
  headFraming.end = end;
  if (continues) {
    req.more = reader;
    req.moreFraming = headFraming;
    if (framing !== undefined) {
      framing.chunked = false;
      framing.length = 0;
      framing.end = end;
    }
  }
  req.headerStart = lf + 1;
  req.limits = limits;
  req.index = origin.index;
  req.method = line.method;
  req.uriRaw = line.target;
  req.path = path;
  req.query = query;
  req.protocol = line.protocol;
  req.takeHeadValues(reader);
  req.head = end < head.length ? head.slice(0, end) : head;
  req.flags = flags | reader.flags;
  req.clientPort = origin.clientPort;
  req.serverPort = origin.serverPort;
  req.clientIsInitiator = origin.clientIsInitiator;
  return req;
}

/**
 * The body framing of a head's headers: chunked when the last transfer coding is chunked, else
 * Content-Length. Repeated Content-Length with different values, a non-numeric one, or one beside
 * a Transfer-Encoding (chunked or not) is request-smuggling material: flagged AMBIGUOUS_LENGTH (the
 * first value is used).
 */
export function bodyFraming(headers: readonly HttpHeader[]): { framing: BodyFraming; flags: number } {
  let flags = 0;
  let length = -1;
  let chunked = false;
  let coded = false;
  for (const h of headers) {
    if (h.key === 'content-length') {
      const v = h.value.trim();
      const n = /^\d{1,15}$/.test(v) ? Number(v) : -2;
      if (n === -2) flags |= HttpFlag.AMBIGUOUS_LENGTH;
      else if (length === -1) length = n;
      else if (length !== n) flags |= HttpFlag.AMBIGUOUS_LENGTH;
    } else if (h.key === 'transfer-encoding') {
      const codings = h.value.toLowerCase().split(',');
      chunked = codings[codings.length - 1].trim() === 'chunked';
      coded = true;
    }
  }
  if (coded && length >= 0) flags |= HttpFlag.AMBIGUOUS_LENGTH;
  return { framing: { chunked, length: chunked || length < 0 ? 0 : length }, flags };
}

/** What the response side needs from a response head. */
export interface ResponseHead {
  readonly status: number;
  /** Body framing (Content-Length, chunked). */
  readonly framing: BodyFraming;
  /** True when a Content-Length header was present (even 0). */
  readonly hasLength: boolean;
  readonly contentType: string;
  /** The Location header (a redirect's target), '' when absent. */
  readonly location: string;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Parses `HTTP/x.y NNN reason` and the four headers the response side needs (framing, type, Location),
 * reading the head in place: only those four lines are cut out of it (responses are as many as
 * requests, and most of their headers matter to nobody here). Null when the status line is not HTTP.
 */
export function parseResponseHead(head: string): ResponseHead | null {
  if (!head.startsWith('HTTP/') || !isDigit(head.charCodeAt(5)) || head.charCodeAt(6) !== 46 || !isDigit(head.charCodeAt(7))) return null;
  let i = 8;
  if (head.charCodeAt(i) !== 32 && head.charCodeAt(i) !== 9) return null;
  while (head.charCodeAt(i) === 32 || head.charCodeAt(i) === 9) i++;
  if (!isDigit(head.charCodeAt(i)) || !isDigit(head.charCodeAt(i + 1)) || !isDigit(head.charCodeAt(i + 2))) return null;
  const after = i + 3 < head.length ? head.charCodeAt(i + 3) : 10;
  if (after !== 32 && after !== 9 && after !== 13 && after !== 10) return null;
  const status = (head.charCodeAt(i) - 48) * 100 + (head.charCodeAt(i + 1) - 48) * 10 + (head.charCodeAt(i + 2) - 48);
  let length = -1;
  let chunked = false;
  let contentType = '';
  let location = '';
  let pos = head.indexOf('\n', i) + 1;
  let nextColon = -1;
  while (pos > 0 && pos < head.length) {
    let lf = head.indexOf('\n', pos);
    if (lf < 0) lf = head.length;
    const end = lf > pos && head.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
    if (end === pos) break;
    // The first colon at or after this line, reused by the lines before it (a search per line
    // could otherwise run to the end of the head for each colon-less line).
    if (nextColon !== -2 && nextColon < pos) {
      nextColon = head.indexOf(':', pos);
      if (nextColon < 0) nextColon = -2;
    }
    const colon = nextColon;
    const keyLen = colon - pos;
    // Only four names matter: their lengths tell most lines apart without cutting them out.
    if (colon > 0 && colon < end && (keyLen === 14 || keyLen === 17 || keyLen === 12 || keyLen === 8)) {
      const key = head.slice(pos, colon).toLowerCase();
      const value = head.slice(colon + 1, end).trim();
      if (key === 'content-length' && length < 0 && /^\d{1,15}$/.test(value)) length = Number(value);
      else if (key === 'transfer-encoding') chunked = value.toLowerCase().split(',').pop()?.trim() === 'chunked';
      else if (key === 'content-type') contentType = value;
      else if (key === 'location' && location === '') location = value;
    }
    pos = lf + 1;
  }
  return { status, framing: { chunked, length: chunked || length < 0 ? 0 : length }, hasLength: length >= 0, contentType, location };
}

/**
 * The status of `HTTP/x.y NNN …` on the line `buf[from, lf]` (`lf` its LF), as `parseResponseHead`
 * checks it, or -1 when the line is no status line.
 */
export function statusLineCode(buf: Buffer, from: number, lf: number): number {
  // Nothing past the line's LF is read: every check below fails on the LF first.
  if (lf - from < 12) return -1;
  if (buf[from] !== 72 || buf[from + 1] !== 84 || buf[from + 2] !== 84 || buf[from + 3] !== 80 || buf[from + 4] !== 47) return -1;
  if (!isDigit(buf[from + 5]) || buf[from + 6] !== 46 || !isDigit(buf[from + 7])) return -1;
  let i = from + 8;
  if (buf[i] !== 32 && buf[i] !== 9) return -1;
  while (buf[i] === 32 || buf[i] === 9) i++;
  if (!isDigit(buf[i]) || !isDigit(buf[i + 1]) || !isDigit(buf[i + 2])) return -1;
  const after = buf[i + 3];
  if (after !== 32 && after !== 9 && after !== 13 && after !== 10) return -1;
  return (buf[i] - 48) * 100 + (buf[i + 1] - 48) * 10 + (buf[i + 2] - 48);
}

/** The three response header names, lower case (`parseResponseHead` reads no other). */
const RES_CONTENT_LENGTH = 'content-length';
const RES_TRANSFER_ENCODING = 'transfer-encoding';
const RES_CONTENT_TYPE = 'content-type';
const RES_LOCATION = 'location';

/** Content-Type strings a response head reader keeps for reuse. */
const RECENT_TYPES = 8;

/** True when bytes `buf[from, from + name.length)` are `name` (lower case) in any letter case. */
function bytesAreName(buf: Buffer, from: number, name: string): boolean {
  for (let j = 0; j < name.length; j++) {
    const raw = buf[from + j];
    if ((raw >= 65 && raw <= 90 ? raw | 32 : raw) !== name.charCodeAt(j)) return false;
  }
  return true;
}

/** Offset of the first LF in `buf[from, end)`, or `end` when there is none. */
function lfFrom(buf: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && buf[i] !== 10) i++;
  return i;
}

/** Latin1 bytes `trim()` removes. */
function isTrimByte(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 160;
}

/**
 * A response head read in place from the reassembled bytes: what `parseResponseHead` returns,
 * without a string for the head (only a new Content-Type value is copied out). Most response
 * heads arrive whole at the start of a segment; they are read here in the one pass that finds
 * their end: 430 ns for a four-header head against 670 ns for that pass plus a string and its
 * parse (bench/http-parse.bench.ts).
 * One per HTTP stage, reused.
 */
export class ResponseHeadReader implements ResponseHead {
  /** False when the head was not an HTTP response head (`parseResponseHead` would return null). */
  valid = false;
  status = 0;
  readonly framing = { chunked: false, length: 0 };
  hasLength = false;
  contentType = '';
  location = '';
  private readonly recentTypes: string[] = [];
  private nextType = 0;

  /**
   * Reads the head that starts at `buf[from]` if it ends before `end`, where the stage's head scan
   * would end it (the first line, then up to a line with nothing but CRs): returns the offset just
   * past it, or -1 when it does not end there (the caller buffers it and parses the text).
   */
  read(buf: Buffer, from: number, end: number): number {
    const firstLf = lfFrom(buf, from, end);
    if (firstLf === end) return -1;
    let length = -1;
    let chunked = false;
    let typeFrom = -1;
    let typeTo = -1;
    let locationFrom = -1;
    let locationTo = -1;
    let headEnd = -1;
    for (let lineStart = firstLf + 1; lineStart < end; ) {
      // The names read here start with c, t or l: other lines are only passed over to their LF.
      const first = buf[lineStart] | 0x20;
      if (first !== 99 && first !== 116 && first !== 108) {
        const lf = lfFrom(buf, lineStart, end);
        if (lf === end) break;
        // A line of nothing but CRs ends the head.
        let k = lineStart;
        while (k < lf && buf[k] === 13) k++;
        if (k === lf) {
          headEnd = lf + 1;
          break;
        }
        lineStart = lf + 1;
        continue;
      }
      let colon = lineStart;
      while (colon < end && buf[colon] !== 58 && buf[colon] !== 10) colon++;
      const lf = lfFrom(buf, colon, end);
      if (lf === end) break;
      const lineEnd = buf[lf - 1] === 13 ? lf - 1 : lf;
      const keyLen = colon - lineStart;
      if (colon < lineEnd && (keyLen === 14 || keyLen === 17 || keyLen === 12 || keyLen === 8)) {
        let a = colon + 1;
        let b = lineEnd;
        while (a < b && isTrimByte(buf[a])) a++;
        while (b > a && isTrimByte(buf[b - 1])) b--;
        if (keyLen === 14 && bytesAreName(buf, lineStart, RES_CONTENT_LENGTH)) {
          if (length < 0 && b > a && b - a <= 15) {
            let n = 0;
            let k = a;
            for (; k < b && buf[k] >= 48 && buf[k] <= 57; k++) n = n * 10 + (buf[k] - 48);
            if (k === b) length = n;
          }
        } else if (keyLen === 17 && bytesAreName(buf, lineStart, RES_TRANSFER_ENCODING)) {
          // The last coding of the list decides.
          let c0 = b;
          while (c0 > a && buf[c0 - 1] !== 44) c0--;
          while (c0 < b && isTrimByte(buf[c0])) c0++;
          chunked = b - c0 === 7 && bytesAreName(buf, c0, 'chunked');
        } else if (keyLen === 12 && bytesAreName(buf, lineStart, RES_CONTENT_TYPE)) {
          typeFrom = a;
          typeTo = b;
        } else if (keyLen === 8 && locationFrom < 0 && bytesAreName(buf, lineStart, RES_LOCATION)) {
          locationFrom = a;
          locationTo = b;
        }
      }
      lineStart = lf + 1;
    }
    if (headEnd < 0) return -1;
    const status = statusLineCode(buf, from, firstLf);
    this.valid = status >= 0;
    if (status >= 0) this.status = status;
    this.framing.chunked = chunked;
    this.framing.length = chunked || length < 0 ? 0 : length;
    this.hasLength = length >= 0;
    this.contentType = typeFrom < typeTo ? this.typeText(buf, typeFrom, typeTo) : '';
    this.location = locationFrom < locationTo ? buf.toString('latin1', locationFrom, locationTo) : '';
    return headEnd;
  }

  /**
   * The Content-Type value `buf[from, to)` as a string: one of the few recent ones when the bytes
   * are the same (a server sends a handful of types, and a string from bytes is a native call).
   */
  private typeText(buf: Buffer, from: number, to: number): string {
    const recent = this.recentTypes;
    for (let k = 0; k < recent.length; k++) {
      const t = recent[k];
      if (t.length !== to - from) continue;
      let j = 0;
      while (j < t.length && buf[from + j] === t.charCodeAt(j)) j++;
      if (j === t.length) return t;
    }
    const text = buf.toString('latin1', from, to);
    if (recent.length < RECENT_TYPES) recent.push(text);
    else recent[this.nextType++ % RECENT_TYPES] = text;
    return text;
  }
}

/**
 * The next window of a head that `parseRequestHead` was given the start of (`continues`): whole
 * header lines, or with `last` the rest of the head up to its empty line. Its inspection buffers
 * replace `req.moreFields` (each window is inspected, then let go: memory stays bounded by the
 * window however long the head), and its anomalies join the request's flags. With `last`,
 * `framing` gets the body framing of the whole head.
 */
export function readMoreHeaders(req: HttpRequest, text: string, last: boolean, framing: HeadFraming): void {
  if (!(req instanceof ParsedRequest) || req.more === null || req.moreFraming === null) throw new Error('readMoreHeaders: not the request of a cut head');
  const reader = req.more;
  const fields: HttpField[] = [];
  reader.fields = fields;
  const end = reader.read(text, 0);
  req.moreFields = fields;
  req.flags |= reader.flags;
  // Host, User-Agent, Content-Type … may first appear in this window (the body's parsing needs its type).
  req.takeHeadValues(reader);
  if (!last) return;
  framing.chunked = req.moreFraming.chunked;
  framing.length = req.moreFraming.length;
  framing.end = end;
  req.more = null;
  req.moreFraming = null;
}

/**
 * The header lines of a chunked body's trailer section (after its last chunk) as inspection
 * buffers, read as a head's header lines are.
 */
export function parseTrailers(text: string, limits: HeadLimits): HttpField[] {
  const fields: HttpField[] = [];
  new HeaderReader(null, fields, limits, new HeadFraming()).read(text, 0);
  return fields;
}
