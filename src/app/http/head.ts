import { decodeFlags, decodePath, parseArgs, parseCookies, percentDecode, removeDotSegments } from './decode.js';
import { FieldKind, type HttpField, HttpFlag, type HttpHeader, type HttpRequest, headerValue } from './request.js';

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

/**
 * Splits `METHOD SP target SP HTTP/x.y` (runs of spaces or tabs allowed; a target with spaces
 * is taken whole up to the version). `GET /path` without a version is HTTP/0.9.
 * Returns null when the method is not an upper-case token or the version is not HTTP/d.d.
 */
export function splitRequestLine(line: string): RequestLine | null {
  let i = 0;
  const n = line.length;
  while (i < n && i < 32 && isMethodChar(line.charCodeAt(i), i === 0)) i++;
  if (i === 0 || i >= n) return null;
  const sp = line.charCodeAt(i);
  if (sp !== 32 && sp !== 9) return null;
  const method = line.slice(0, i);
  const rest = line.slice(i).trim();
  if (rest === '') return null;
  const lastSp = Math.max(rest.lastIndexOf(' '), rest.lastIndexOf('\t'));
  const version = lastSp < 0 ? '' : rest.slice(lastSp + 1);
  if (!/^HTTP\/\d\.\d$/.test(version)) {
    // HTTP/0.9 had only `GET /path`: anything else without a version (SMTP's `EHLO host`,
    // `MAIL FROM:<…>`) is another protocol.
    return method === 'GET' && lastSp < 0 && rest.startsWith('/') ? { method, target: rest, protocol: 'HTTP/0.9' } : null;
  }
  const target = rest.slice(0, lastSp).trim();
  if (target === '') return null;
  return { method, target, protocol: version };
}

/** The line of `head` that starts at `from` (without its CR/LF), and where the next one starts. */
let nextLineStart = 0;
function lineAt(head: string, from: number): string {
  let lf = head.indexOf('\n', from);
  if (lf < 0) lf = head.length;
  nextLineStart = lf + 1;
  const end = lf > from && head.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
  return head.slice(from, end);
}

/** Header lines from `from` up to the empty line into headers; folded lines joined. Returns HttpFlag bits. */
function parseHeaderLines(head: string, from: number, out: HttpHeader[], limits: HeadLimits): number {
  let flags = 0;
  let name = '';
  let value = '';
  let pos = from;
  while (pos < head.length) {
    const line = lineAt(head, pos);
    pos = nextLineStart;
    if (line.length > limits.maxLine) flags |= HttpFlag.LINE_TOO_LONG;
    if (line === '') break;
    const c = line.charCodeAt(0);
    if ((c === 32 || c === 9) && name !== '') {
      value = `${value} ${line.trim()}`;
      flags |= HttpFlag.FOLDED_HEADER;
      continue;
    }
    if (name !== '') flags |= pushHeader(out, name, value, limits);
    const colon = line.indexOf(':');
    if (colon <= 0) {
      name = '';
      continue;
    }
    name = line.slice(0, colon).trim();
    value = line.slice(colon + 1).trim();
  }
  if (name !== '') flags |= pushHeader(out, name, value, limits);
  return flags;
}

function pushHeader(out: HttpHeader[], name: string, value: string, limits: HeadLimits): number {
  if (out.length >= limits.maxHeaders) return HttpFlag.HEADERS_TOO_LARGE;
  out.push({ name, key: name.toLowerCase(), value });
  return 0;
}

/** Host part of an authority (`user@host:port`, `[v6]:port`), lower case, without a trailing dot. */
function hostOf(authority: string): string {
  let a = authority.trim();
  const at = a.lastIndexOf('@');
  if (at >= 0) a = a.slice(at + 1);
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    a = close > 0 ? a.slice(1, close) : a.slice(1);
  } else {
    const colon = a.indexOf(':');
    if (colon >= 0) a = a.slice(0, colon);
  }
  a = a.toLowerCase();
  return a.endsWith('.') ? a.slice(0, -1) : a;
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

/**
 * Builds the request from a complete head (or, with `flags` INCOMPLETE/HEADERS_TOO_LARGE, as much
 * of one as arrived); `known` is its request line when the caller already split it. Returns null
 * when the request line is not HTTP.
 */
export function parseRequestHead(head: string, origin: RequestOrigin, limits: HeadLimits, flags: number, known?: RequestLine): HttpRequest | null {
  const first = lineAt(head, 0);
  const line = known ?? splitRequestLine(first);
  if (line === null) return null;
  if (first.length > limits.maxLine) flags |= HttpFlag.LINE_TOO_LONG;
  const headers: HttpHeader[] = [];
  flags |= parseHeaderLines(head, nextLineStart, headers, limits);

  let target = line.target;
  let hostname = '';
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  if (/^https?:\/\//i.test(target)) {
    const rest = target.slice(target.indexOf('//') + 2);
    const cut = rest.search(/[/?]/);
    hostname = hostOf(cut < 0 ? rest : rest.slice(0, cut));
    target = cut < 0 ? '/' : rest.charCodeAt(cut) === 63 ? `/${rest.slice(cut)}` : rest.slice(cut);
  } else if (line.method === 'CONNECT') {
    hostname = hostOf(target);
    target = '';
  }
  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  const query = q >= 0 ? target.slice(q + 1) : '';
  if (hostname === '') hostname = hostOf(headerValue(headers, 'host'));

  const fields: HttpField[] = [];
  const decodedPath = decodePath(rawPath);
  const pathFlags = decodeFlags();
  const path = removeDotSegments(decodedPath);
  const dotFlags = decodeFlags();
  fields.push({ kind: FieldKind.PATH, name: '', value: decodedPath, flags: pathFlags | dotFlags });
  flags |= pathFlags | dotFlags;
  let uriNormalized = path;
  if (query !== '') {
    flags |= parseArgs(query, FieldKind.QUERY_ARG, fields, limits.maxArgs);
    uriNormalized = `${path}?${percentDecode(query, true)}`;
  }
  for (const h of headers) {
    if (h.key === 'cookie') flags |= parseCookies(h.value, fields, limits.maxArgs);
    else fields.push({ kind: FieldKind.HEADER, name: h.key, value: h.value, flags: 0 });
  }
  return {
    index: origin.index,
    method: line.method,
    uriRaw: line.target,
    uriNormalized,
    path,
    query,
    protocol: line.protocol,
    headers,
    hostname,
    userAgent: headerValue(headers, 'user-agent'),
    referer: headerValue(headers, 'referer'),
    contentType: headerValue(headers, 'content-type'),
    fields,
    bodyFields: [],
    bodyLength: 0,
    head,
    bodyText: '',
    flags,
    status: 0,
    responseLength: 0,
    responseContentType: '',
    clientPort: origin.clientPort,
    serverPort: origin.serverPort,
    clientIsInitiator: origin.clientIsInitiator,
    alerted: 0,
  };
}

/**
 * The body framing of a head's headers: chunked when the last transfer coding is chunked, else
 * Content-Length. Repeated Content-Length with different values, a non-numeric one, or one beside
 * chunked coding is request-smuggling material: flagged AMBIGUOUS_LENGTH (the first value is used).
 */
export function bodyFraming(headers: readonly HttpHeader[]): { framing: BodyFraming; flags: number } {
  let flags = 0;
  let length = -1;
  let chunked = false;
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
    }
  }
  if (chunked && length >= 0) flags |= HttpFlag.AMBIGUOUS_LENGTH;
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
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Parses `HTTP/x.y NNN reason` and the three headers the response side needs (framing and type),
 * reading the head in place: only those three lines are cut out of it (responses are as many as
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
  let pos = head.indexOf('\n', i) + 1;
  while (pos > 0 && pos < head.length) {
    let lf = head.indexOf('\n', pos);
    if (lf < 0) lf = head.length;
    const end = lf > pos && head.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
    if (end === pos) break;
    const colon = head.indexOf(':', pos);
    const keyLen = colon - pos;
    // Only the three names matter: their lengths tell most lines apart without cutting them out.
    if (colon > 0 && colon < end && (keyLen === 14 || keyLen === 17 || keyLen === 12)) {
      const key = head.slice(pos, colon).toLowerCase();
      const value = head.slice(colon + 1, end).trim();
      if (key === 'content-length' && length < 0 && /^\d{1,15}$/.test(value)) length = Number(value);
      else if (key === 'transfer-encoding') chunked = value.toLowerCase().split(',').pop()?.trim() === 'chunked';
      else if (key === 'content-type') contentType = value;
    }
    pos = lf + 1;
  }
  return { status, framing: { chunked, length: chunked || length < 0 ? 0 : length }, hasLength: length >= 0, contentType };
}
