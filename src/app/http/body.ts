import { asUtf8Bytes, type CharsetDecoder, charsetDecoder, jsonCharset } from './charset.js';
import { isTrimSpace, parseArgs, percentDecode } from './decode.js';
import { FieldKind, type HttpField, HttpFlag } from './request.js';

/**
 * Request bodies as inspection buffers, by Content-Type: urlencoded forms (decoded arguments),
 * JSON (every string leaf, by path), multipart (field values, file names, text file contents),
 * other text (one raw buffer). A body of any other type is read by what it holds, as applications
 * that ignore the header read it: JSON when it parses as JSON, else text as one raw buffer.
 * Binary bodies are not inspected. A body that does not parse as its type says is flagged
 * INVALID_BODY and inspected raw.
 */

/** Bounds on what one body turns into. */
export interface BodyLimits {
  /** Most fields taken from one body. */
  readonly maxFields: number;
}

/** Deepest JSON nesting walked. */
const MAX_JSON_DEPTH = 32;

/** Share of printable bytes above which an untyped or text body is inspected. */
function isMostlyText(s: string): boolean {
  const n = Math.min(s.length, 512);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 9 || (c > 13 && c < 32) || c === 127) bad++;
  }
  return bad * 20 <= n;
}

/** True when `s` holds the opening tag of a PHP, JSP or ASP page. */
function hasServerTag(s: string): boolean {
  return (s.indexOf('<?') >= 0 && /<\?(?:php|=)/i.test(s)) || s.indexOf('<%') >= 0;
}

/** The media type of a Content-Type value, lower case, without parameters. */
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi >= 0 ? contentType.slice(0, semi) : contentType).trim().toLowerCase();
}

/** A parameter of a Content-Type value (`boundary`, `charset`), unquoted; '' when absent. */
export function typeParam(contentType: string, name: string): string {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]*)`, 'i');
  const m = re.exec(contentType);
  if (m === null) return '';
  return m[2] !== undefined ? m[2] : m[1];
}

/**
 * True when a raw body is an XML document other than XHTML: by its type (`text/xml`,
 * `application/soap+xml` …) or by its start whatever its type (see `startsAsXml`).
 */
export function isXmlDocument(contentType: string, body: string): boolean {
  const type = mediaType(contentType);
  const xmlType = type === 'application/xml' || type === 'text/xml' || (type.endsWith('+xml') && type !== 'application/xhtml+xml');
  return (xmlType || startsAsXml(body)) && body.indexOf('http://www.w3.org/1999/xhtml') < 0;
}

/**
 * Turns a body (latin1 text of at most `body_limit` bytes) into fields; returns HttpFlag bits.
 * `truncated` says the body went on past what is given (a JSON body then cannot parse whole).
 * `file`: the body is a file put on the server (a PUT, as WebDAV and file sync clients send): one
 * not a form, JSON or multipart is an uploaded file's content (read as a multipart file's is).
 */
export function parseBody(raw: string, contentType: string, truncated: boolean, out: HttpField[], limits: BodyLimits, file = false): number {
  if (raw.length === 0) return 0;
  const type = mediaType(contentType);
  const charset = charsetDecoder(typeParam(contentType, 'charset'));
  if (type === 'application/x-www-form-urlencoded') {
    const from = out.length;
    const flags = parseArgs(raw, FieldKind.BODY_ARG, out, limits.maxFields);
    return charset === null ? flags : flags | readInCharset(out, from, charset);
  }
  // A document is read whole in its charset (a file's bytes and multipart parts as they are).
  const { body, flags: charsetFlags } = file || type.startsWith('multipart/') ? { body: raw, flags: 0 } : inCharset(raw, charset);
  return parseDocument(body, type, contentType, truncated, out, limits, file) | charsetFlags;
}

/**
 * `raw` read in the charset its Content-Type names, or (none named) in UTF-16 or UTF-32 when its
 * first bytes show JSON in them (RFC 4627 §3, as Jackson and Python's json read it).
 */
function inCharset(raw: string, named: CharsetDecoder | null): { body: string; flags: number } {
  if (named !== null) return { body: asUtf8Bytes(named(raw)), flags: HttpFlag.BODY_CHARSET };
  const shown = jsonCharset(raw);
  const reader = shown === '' ? null : charsetDecoder(shown);
  if (reader === null) return { body: raw, flags: 0 };
  const body = asUtf8Bytes(reader(raw));
  return startsAsJson(body) ? { body, flags: HttpFlag.BODY_CHARSET } : { body: raw, flags: 0 };
}

/**
 * A form's arguments from `from` on read again in its charset, as extra fields: ASP.NET decodes
 * each name and value's bytes in it (`%F1%7D` is `1'` in IBM037); the bytes as sent stay
 * inspected too (Django decodes only the escaped bytes in it). Returns BODY_CHARSET.
 */
function readInCharset(out: HttpField[], from: number, charset: CharsetDecoder): number {
  const end = out.length;
  for (let i = from; i < end; i++) {
    const f = out[i];
    if (isBytes(f.value) && isBytes(f.name)) out.push({ kind: f.kind, name: asUtf8Bytes(charset(f.name)), value: asUtf8Bytes(charset(f.value)), flags: f.flags | HttpFlag.BODY_CHARSET });
  }
  return HttpFlag.BODY_CHARSET;
}

/** True when every char of `s` is a byte (no `%uXXXX` decoded above 0xFF). */
function isBytes(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** The fields of a body that is no form, by its type (see parseBody). */
function parseDocument(body: string, type: string, contentType: string, truncated: boolean, out: HttpField[], limits: BodyLimits, file: boolean): number {
  if (type === 'application/json' || type.endsWith('+json')) {
    const flags = truncated ? -1 : parseJson(body, out, limits);
    if (flags >= 0) return flags;
    out.push({ kind: FieldKind.BODY_RAW, name: '', value: body, flags: HttpFlag.INVALID_BODY });
    return HttpFlag.INVALID_BODY;
  }
  // Any multipart type: Java's Commons FileUpload (Struts, older Spring) takes every multipart/*
  // body as a form, so form-data parts sent as multipart/mixed reach the application too.
  if (type.startsWith('multipart/')) {
    const boundary = typeParam(contentType, 'boundary');
    const flags = boundary === '' ? -1 : parseMultipart(body, boundary, out, limits);
    if (flags >= 0) return flags;
    out.push({ kind: FieldKind.BODY_RAW, name: '', value: body, flags: HttpFlag.INVALID_BODY });
    return HttpFlag.INVALID_BODY;
  }
  // JSON under another type (or none): applications that read the raw body as JSON whatever the
  // header says (Go's json.Decoder on r.Body, PHP's json_decode of php://input, Django's
  // json.loads(request.body)) read its fields, so they are read here too.
  if (!file && !truncated && startsAsJson(body)) {
    const flags = parseJson(body, out, limits);
    if (flags >= 0) return flags;
  }
  pushRawBody(body, out, file);
  return 0;
}

/**
 * Where the JSON of `text` starts (its `{` or `[`): after a byte order mark, white space and, with
 * `packetType`, the digits of a Socket.IO packet type (`42["chat","hi"]`); -1 when it does not
 * start so.
 */
export function jsonStart(text: string, packetType = false): number {
  let i = text.startsWith('\xef\xbb\xbf') ? 3 : 0;
  if (packetType) while (i < text.length && i < 8 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const ws = i;
  while (i < text.length && i - ws < 64 && isTrimSpace(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  return c === 123 || c === 91 ? i : -1;
}

function startsAsJson(body: string): boolean {
  return jsonStart(body) >= 0;
}

/**
 * True when `body` starts (after white space and a byte order mark) as an XML document does: XML
 * parsers read it as one whatever the Content-Type says (BlazeDS takes AMFX, XML, as
 * `application/x-amf`), so an entity declared there is read too.
 */
function startsAsXml(body: string): boolean {
  let i = body.startsWith('\xef\xbb\xbf') ? 3 : 0;
  while (i < body.length && i < 64 && isTrimSpace(body.charCodeAt(i))) i++;
  return body.startsWith('<?xml', i) || body.startsWith('<!DOCTYPE', i) || body.startsWith('<!doctype', i);
}

/**
 * A body that is no form, JSON or multipart, as one field: a file's content (`file`: text, or
 * binary holding a server page's opening tag), or text whatever its type says (an application
 * reading the raw body does not ask: `application/x-anything` carries what `text/plain` would),
 * or a serialized Java object.
 */
function pushRawBody(body: string, out: HttpField[], file: boolean): void {
  if (file) {
    if (isMostlyText(body) || hasServerTag(body)) out.push({ kind: FieldKind.UPLOAD, name: '', value: body, flags: 0 });
  } else if (isMostlyText(body) || isJavaSerialized(body)) {
    out.push({ kind: FieldKind.BODY_RAW, name: '', value: body, flags: 0 });
  }
}

/**
 * True when `body` is a serialized Java object (its stream magic `AC ED 00 05`), which Java
 * remoting over HTTP posts (JBoss' invoker servlet, Spring's HTTP invoker) and deserialization
 * exploits too: binary, but kept as the raw body for the gadget check.
 */
export function isJavaSerialized(body: string): boolean {
  return body.length > 4 && body.charCodeAt(0) === 0xac && body.charCodeAt(1) === 0xed && body.charCodeAt(2) === 0 && body.charCodeAt(3) === 5;
}

/**
 * Fields of the end of a body that `body_limit` cut (its first part went through `parseBody`):
 * the form arguments after its first `&`, the multipart parts after its first boundary, the
 * `"key": "string"` members of JSON after its first member start, or the text of another text
 * body; fields flagged BODY_TRUNCATED.
 */
export function parseBodyTail(tail: string, contentType: string, out: HttpField[], limits: BodyLimits, file = false): void {
  const type = mediaType(contentType);
  const from = out.length;
  if (type === 'application/x-www-form-urlencoded') {
    const amp = tail.indexOf('&');
    if (amp >= 0) parseArgs(tail.slice(amp + 1), FieldKind.BODY_ARG, out, limits.maxFields);
  } else if (type.startsWith('multipart/')) {
    const boundary = typeParam(contentType, 'boundary');
    const at = boundary === '' ? -1 : tail.indexOf(`--${boundary}`);
    if (at >= 0) parseMultipart(tail.slice(at), boundary, out, limits);
  } else if (type === 'application/json' || type.endsWith('+json')) {
    jsonTailFields(tail, out, limits.maxFields);
  } else {
    pushRawBody(tail, out, file);
  }
  for (let i = from; i < out.length; i++) out[i] = { ...out[i], flags: out[i].flags | HttpFlag.BODY_TRUNCATED };
}

/** A JSON member with a string value: `"key": "value"` (escapes kept; each literal read by JSON.parse). */
const JSON_MEMBER = /"((?:[^"\\\n]|\\.){0,256})"\s*:\s*("(?:[^"\\]|\\.)*")/g;

/**
 * The string members of the end of a JSON document, which does not parse: read from its first
 * member start (`{"` or `,"`), since the cut may fall inside a string.
 */
function jsonTailFields(tail: string, out: HttpField[], max: number): void {
  const brace = tail.indexOf('{"');
  const comma = tail.indexOf(',"');
  const start = brace < 0 ? comma : comma < 0 ? brace : Math.min(brace, comma);
  if (start < 0) return;
  JSON_MEMBER.lastIndex = start + 1;
  let count = 0;
  for (let m = JSON_MEMBER.exec(tail); m !== null && count < max; m = JSON_MEMBER.exec(tail)) {
    let key: string;
    let value: string;
    try {
      key = JSON.parse(`"${m[1]}"`) as string;
      value = JSON.parse(m[2]) as string;
    } catch {
      continue;
    }
    out.push({ kind: FieldKind.JSON, name: key, value, flags: 0 });
    count++;
  }
}

/** A string followed by a colon: a member's key (or, inside a string, text that looks like one). */
const MEMBER_KEY = /"\s*:/g;

/** How many member keys `text` seems to hold (at least as many as it has: see MEMBER_KEY). */
function memberCount(text: string): number {
  MEMBER_KEY.lastIndex = 0;
  let n = 0;
  while (MEMBER_KEY.exec(text) !== null) n++;
  return n;
}

/**
 * A key sent twice in one object: JSON.parse keeps the last value, and so does most software,
 * but not all (Go's gjson and jsonparser, C's cJSON take the first), so an attack in the first
 * and a harmless value in the last reaches those unseen. When the text holds more member keys
 * than the parsed document, its string members are read again from the text and those not
 * already among the body's fields (from `first` on) are added.
 */
function duplicateMembers(text: string, out: HttpField[], first: number, max: number): void {
  const seen = new Set<string>();
  for (let i = first; i < out.length; i++) seen.add(`${out[i].name.slice(out[i].name.lastIndexOf('.') + 1)}\0${out[i].value}`);
  const members: HttpField[] = [];
  jsonTailFields(text, members, max);
  for (const m of members) if (!seen.has(`${m.name}\0${m.value}`)) out.push(m);
}

/** A character past ASCII (a native search: a `charCodeAt` loop over the body costs more). */
const NON_ASCII = /[\u0080-\uffff]/;

/** JSON text from latin1 bytes: UTF-8 decoded, as JSON is. */
function utf8(latin1: string): string {
  return NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

/**
 * Key characters that make a JSON key worth inspecting as well: anything but these. A key with a
 * `$` is one (`$ne`, a query operator: see detect/web/nosql.ts), even with a number or null under it.
 */
const PLAIN_KEY = /^[\w.\- ]*$/;

/** Fields taken so far from the JSON body being walked. */
let jsonFields = 0;
/** Members (object keys) of the JSON body being walked, as parsed: a key sent twice counts once. */
let jsonKeys = 0;
/**
 * String leaves (and odd keys) of the JSON body being walked past its `max_args` fields, those of
 * a saved file's content (read as an upload) apart.
 */
const jsonRest: string[] = [];
const uploadRest: string[] = [];

/** True for a value that yields no field and has no children: a number, boolean or null. */
function isBareScalar(v: unknown): boolean {
  return v === null || (typeof v !== 'string' && typeof v !== 'object');
}

/**
 * Every string leaf (and odd key) of a parsed JSON value, by path. Paths are built only for what
 * can yield a field: numbers, booleans and nulls are passed over without one.
 */
function walkJson(v: unknown, path: string, depth: number, out: HttpField[], max: number, kind: number = FieldKind.JSON): void {
  if (typeof v === 'string') {
    takeJson(out, max, kind, path, v);
    return;
  }
  if (depth >= MAX_JSON_DEPTH || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isBareScalar(v[i])) walkJson(v[i], jsonFields < max ? `${path}[${i}]` : '', depth + 1, out, max, kind);
    return;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  jsonKeys += keys.length;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const child = o[k];
    const plain = PLAIN_KEY.test(k);
    if (plain && isBareScalar(child)) continue;
    // Past `max` no path is built: what is left is read as one value (see `parseJson`).
    const childPath = jsonFields >= max ? '' : path === '' ? k : `${path}.${k}`;
    if (!plain) takeJson(out, max, kind, childPath, k);
    walkJson(child, childPath, depth + 1, out, max, depth === 0 && k === 'content' && carriesFile(o) ? FieldKind.UPLOAD : kind);
  }
}

/** One value of the JSON walk: a field while fewer than `max` were taken, else part of the rest. */
function takeJson(out: HttpField[], max: number, kind: number, name: string, value: string): void {
  if (jsonFields++ < max) out.push({ kind, name, value, flags: 0 });
  else (kind === FieldKind.UPLOAD ? uploadRest : jsonRest).push(value);
}

/**
 * A JSON document that saves a file: Jupyter's contents model (`{"type": "notebook", "format":
 * "json", "content": …}`, also `"type": "file"`), which a notebook's every save and autosave
 * sends. Its `content` is the notebook or the file, code and notes on attacks included, and is
 * read as an uploaded file's content.
 */
function carriesFile(o: Record<string, unknown>): boolean {
  return (o.type === 'notebook' || o.type === 'file') && 'format' in o;
}

/** Fields of a JSON body; returns their HttpFlag bits, or -1 when the body is no JSON. */
function parseJson(body: string, out: HttpField[], limits: BodyLimits): number {
  let doc: unknown;
  try {
    doc = JSON.parse(utf8(body));
  } catch {
    return -1;
  }
  jsonFields = 0;
  jsonKeys = 0;
  const first = out.length;
  walkJson(doc, '', 0, out, limits.maxFields);
  if (memberCount(body) > jsonKeys) duplicateMembers(body, out, first, limits.maxFields);
  // Past `max_args` fields the rest is one value, its strings a line each (TOO_MANY_ARGS).
  if (jsonRest.length === 0 && uploadRest.length === 0) return 0;
  if (jsonRest.length > 0) out.push({ kind: FieldKind.JSON, name: '', value: jsonRest.join('\n'), flags: HttpFlag.TOO_MANY_ARGS });
  if (uploadRest.length > 0) out.push({ kind: FieldKind.UPLOAD, name: 'content', value: uploadRest.join('\n'), flags: HttpFlag.TOO_MANY_ARGS });
  jsonRest.length = 0;
  uploadRest.length = 0;
  return HttpFlag.TOO_MANY_ARGS;
}

/** A Content-Disposition parameter (name, filename) of a part header. */
function dispositionParam(header: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*("((?:[^"\\\\]|\\\\.)*)"|[^;\\s]*)`, 'i');
  const m = re.exec(header);
  if (m === null) return undefined;
  return m[2] !== undefined ? m[2] : m[1];
}

/**
 * An extended Content-Disposition parameter (`filename*=UTF-8''..%2F..%2Fshell.php`, RFC 5987):
 * its value percent-decoded (its charset's bytes, latin1), or undefined when absent.
 */
function extendedParam(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\*\\s*=\\s*"?([^;"\\s]*)`, 'i').exec(header);
  if (m === null) return undefined;
  const quote = m[1].indexOf("'");
  const second = quote < 0 ? -1 : m[1].indexOf("'", quote + 1);
  return percentDecode(second < 0 ? m[1] : m[1].slice(second + 1), false);
}

/** Fields of a multipart body; returns their HttpFlag bits, or -1 when it has no part. */
function parseMultipart(body: string, boundary: string, out: HttpField[], limits: BodyLimits): number {
  const delim = `--${boundary}`;
  let pos = body.indexOf(delim);
  if (pos < 0) return -1;
  let count = 0;
  let parts = 0;
  while (pos >= 0 && count < limits.maxFields) {
    let start = pos + delim.length;
    if (body.startsWith('--', start)) break;
    if (body.startsWith('\r\n', start)) start += 2;
    else if (body.charCodeAt(start) === 10) start += 1;
    let headEnd = body.indexOf('\r\n\r\n', start);
    let bodyStart = headEnd + 4;
    const lf = body.indexOf('\n\n', start);
    if (lf >= 0 && (headEnd < 0 || lf < headEnd)) {
      headEnd = lf;
      bodyStart = lf + 2;
    }
    if (headEnd < 0) break;
    const next = body.indexOf(delim, bodyStart);
    let end = next < 0 ? body.length : next;
    if (body.charCodeAt(end - 1) === 10) end--;
    if (body.charCodeAt(end - 1) === 13) end--;
    const head = body.slice(start, headEnd);
    const value = body.slice(bodyStart, Math.max(bodyStart, end));
    parts++;
    let disposition = '';
    for (const line of head.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      if (key === 'content-disposition') disposition = line.slice(colon + 1);
    }
    const name = dispositionParam(disposition, 'name') ?? '';
    const plainName = dispositionParam(disposition, 'filename');
    const extendedName = extendedParam(disposition, 'filename');
    if (plainName !== undefined || extendedName !== undefined) {
      // Servers that know `filename*` (RFC 6266: Spring, busboy, Commons FileUpload) take it over
      // `filename`: both are inspected.
      const names = extendedName === undefined ? [plainName] : plainName === undefined || plainName === extendedName ? [extendedName] : [extendedName, plainName];
      for (const filename of names) {
        out.push({ kind: FieldKind.FILENAME, name, value: filename as string, flags: 0 });
        count++;
      }
      // Text uploads are read whatever type they claim (a web shell is sent as an image), binary
      // ones only when they hold a server page's opening tag (PHP in an image's comment).
      if (isMostlyText(value) || hasServerTag(value)) {
        out.push({ kind: FieldKind.UPLOAD, name, value, flags: 0 });
        count++;
      }
    } else {
      out.push({ kind: FieldKind.MULTIPART, name, value, flags: 0 });
      count++;
    }
    pos = next;
  }
  if (parts === 0) return -1;
  // Parts past `max_args` fields: the rest of the body, as sent, is one value.
  if (pos >= 0 && count >= limits.maxFields && !body.startsWith('--', pos + delim.length)) {
    out.push({ kind: FieldKind.MULTIPART, name: '', value: body.slice(pos), flags: HttpFlag.TOO_MANY_ARGS });
    return HttpFlag.TOO_MANY_ARGS;
  }
  return 0;
}
