import { FieldKind, type HttpField, HttpFlag } from './request.js';

/**
 * Normalisation of URIs, arguments and cookies, as inspection buffers. Strings are latin1 (one
 * char per byte) except where `%uXXXX` produced a wider char. Every evasion that is undone is
 * also flagged (HttpFlag): a request that needed it is suspicious in itself.
 */

/** Most decoding passes on one value: once, and twice more for double (triple) encoding. */
const MAX_PASSES = 3;

/** Flags of the last `percentDecode` call (read right after it; saves an object per value). */
let lastFlags = 0;

/** HttpFlag bits found by the last `percentDecode`, `normalizePath` or `parseArgs` call. */
export function decodeFlags(): number {
  return lastFlags;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** True when `s` holds a `%XX` or `%uXXXX` escape. */
function hasEscape(s: string): boolean {
  let i = s.indexOf('%');
  while (i >= 0 && i + 2 < s.length) {
    const a = s.charCodeAt(i + 1);
    if (hexVal(a) >= 0 && hexVal(s.charCodeAt(i + 2)) >= 0) return true;
    if ((a | 0x20) === 117 && i + 5 < s.length && hexVal(s.charCodeAt(i + 2)) >= 0 && hexVal(s.charCodeAt(i + 3)) >= 0 && hexVal(s.charCodeAt(i + 4)) >= 0 && hexVal(s.charCodeAt(i + 5)) >= 0) return true;
    i = s.indexOf('%', i + 1);
  }
  return false;
}

/** A percent sign in IIS's %u form. */
const U_PERCENT = /%u0025/i;

/** One decoding pass: `%XX`, `%uXXXX`, and `+` as space when `plus`. */
function decodeOnce(s: string, plus: boolean): string {
  let out = '';
  let from = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 43 && plus) {
      out += s.slice(from, i) + ' ';
      from = i + 1;
    } else if (c === 37) {
      if (i + 2 < n) {
        const a = s.charCodeAt(i + 1);
        if ((a | 0x20) === 117 && i + 5 < n) {
          const h1 = hexVal(s.charCodeAt(i + 2));
          const h2 = hexVal(s.charCodeAt(i + 3));
          const h3 = hexVal(s.charCodeAt(i + 4));
          const h4 = hexVal(s.charCodeAt(i + 5));
          if (h1 >= 0 && h2 >= 0 && h3 >= 0 && h4 >= 0) {
            let code = (h1 << 12) | (h2 << 8) | (h3 << 4) | h4;
            const fit = bestFit(code);
            if (fit >= 0) {
              code = fit;
              lastFlags |= HttpFlag.BEST_FIT;
            }
            out += s.slice(from, i) + String.fromCharCode(code);
            from = i + 6;
            i += 5;
            lastFlags |= HttpFlag.U_ENCODED;
            continue;
          }
        }
        const h1 = hexVal(a);
        const h2 = hexVal(s.charCodeAt(i + 2));
        if (h1 >= 0 && h2 >= 0) {
          out += s.slice(from, i) + String.fromCharCode((h1 << 4) | h2);
          from = i + 3;
          i += 2;
          continue;
        }
      }
      lastFlags |= HttpFlag.INVALID_ENCODING;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** Fullwidth forms of `!` … `~` (U+FF01-FF5E), and how far they are from the ASCII they stand for. */
const FULLWIDTH_FIRST = 0xff01;
const FULLWIDTH_LAST = 0xff5e;
const FULLWIDTH_OFFSET = 0xfee0;

/**
 * The slashes and dots outside the fullwidth block that Windows' best-fit mapping turns into
 * ASCII ones (`..%u2215..%u2215boot.ini` climbs on IIS): division slash, set minus, fraction
 * slash, one dot leader, small reverse solidus.
 */
const BEST_FIT_PUNCTUATION: ReadonlyMap<number, number> = new Map([
  [0x2215, 47],
  [0x2216, 92],
  [0x2044, 47],
  [0x2024, 46],
  [0xfe68, 92],
]);

/** The ASCII code a best-fit mapping reads `code` as, or -1 when it keeps it. */
function bestFit(code: number): number {
  if (code >= FULLWIDTH_FIRST && code <= FULLWIDTH_LAST) return code - FULLWIDTH_OFFSET;
  return code < 0x2000 ? -1 : (BEST_FIT_PUNCTUATION.get(code) ?? -1);
}

function isContinuation(c: number): boolean {
  return c >= 0x80 && c <= 0xbf;
}

/**
 * Reads UTF-8 tricks in a decoded (latin1) value as the ASCII they stand for: overlong forms
 * (`C0 AF` and `E0 80 AF` for `/`, `C0 A7` for `'`: invalid UTF-8 that IIS and old servers
 * decoded, sqlmap's overlongutf8 tamper) and fullwidth forms (`EF BC 87` for `'`, best-fit).
 */
function undoUtf8Tricks(s: string): string {
  let out = '';
  let from = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0xc0 && c !== 0xc1 && c !== 0xe0 && c !== 0xe2 && c !== 0xef && c !== 0xf0) continue;
    const c1 = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    const c2 = i + 2 < n ? s.charCodeAt(i + 2) : 0;
    let code = -1;
    let len = 0;
    if (c <= 0xc1) {
      if (isContinuation(c1)) {
        code = ((c & 1) << 6) | (c1 & 0x3f);
        len = 2;
      }
    } else if (c === 0xe0) {
      if (c1 >= 0x80 && c1 <= 0x81 && isContinuation(c2)) {
        code = ((c1 & 1) << 6) | (c2 & 0x3f);
        len = 3;
      }
    } else if (c === 0xf0) {
      const c3 = i + 3 < n ? s.charCodeAt(i + 3) : 0;
      if (c1 === 0x80 && c2 >= 0x80 && c2 <= 0x81 && isContinuation(c3)) {
        code = ((c2 & 1) << 6) | (c3 & 0x3f);
        len = 4;
      }
    } else if (isContinuation(c1) && isContinuation(c2)) {
      // A three-byte form (lead E2 or EF): a fullwidth form or other punctuation best-fit reads as ASCII.
      code = bestFit(((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f));
      if (code >= 0) len = 3;
    }
    if (len === 0) continue;
    lastFlags |= c === 0xef || c === 0xe2 ? HttpFlag.BEST_FIT : HttpFlag.OVERLONG_UTF8;
    out += s.slice(from, i) + String.fromCharCode(code);
    from = i + len;
    i += len - 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * Percent-decodes a value (`%XX`, `%uXXXX`, `+` as space when `plus`), again while escapes remain
 * (double encoding, flagged), then reads overlong and fullwidth UTF-8 forms as ASCII. Flags:
 * `decodeFlags()`.
 */
export function percentDecode(s: string, plus: boolean): string {
  lastFlags = 0;
  if (s.indexOf('%') < 0 && (!plus || s.indexOf('+') < 0)) {
    if (s.indexOf('\0') >= 0) lastFlags |= HttpFlag.NUL_BYTE;
    return s;
  }
  let out = decodeOnce(s, plus);
  for (let pass = 1; pass < MAX_PASSES && hasEscape(out); pass++) {
    lastFlags |= HttpFlag.DOUBLE_ENCODED;
    out = decodeOnce(out, false);
  }
  // A `%` sent as `%u0025` that starts no escape once decoded: the percent-before-every-character
  // ASP drops, under IIS's %u (sqlmap's percentage then charunicodeencode: `%u0025%u0031` is `%1`).
  if ((lastFlags & HttpFlag.U_ENCODED) !== 0 && out.indexOf('%') >= 0 && U_PERCENT.test(s)) lastFlags |= HttpFlag.INVALID_ENCODING;
  for (let i = 0; i < out.length; i++) {
    if (out.charCodeAt(i) >= 0xc0) {
      out = undoUtf8Tricks(out);
      break;
    }
  }
  if (out.indexOf('\0') >= 0) lastFlags |= HttpFlag.NUL_BYTE;
  return out;
}

/** True when a raw path encodes a dot segment or a separator next to one (`%2e%2e/`, `..%2f`, `..%5c`). */
function encodesTraversal(raw: string): boolean {
  const l = raw.toLowerCase();
  return l.includes('%2e') ? /(%2e|\.)(%2e|\.)/.test(l) : /\.\.(%2f|%5c|%c0%af|%c1%9c|%u2215|%u2216)|(%2f|%5c)\.\./.test(l);
}

/**
 * Decodes a raw path (no `+` decoding) and folds `\` into `/` and runs of `/` into one, keeping
 * dot segments (what a traversal check wants). Flags: `decodeFlags()`.
 */
export function decodePath(raw: string): string {
  let s = percentDecode(raw, false);
  let flags = lastFlags;
  // A `%` in `raw` was either decoded (a shorter, other string) or flagged invalid.
  if ((s !== raw || (flags & HttpFlag.INVALID_ENCODING) !== 0) && encodesTraversal(raw)) flags |= HttpFlag.ENCODED_TRAVERSAL;
  if (s.indexOf('\\') >= 0) {
    s = s.replace(/\\/g, '/');
    flags |= HttpFlag.BACKSLASH;
  }
  if (s.indexOf('//') >= 0) {
    s = s.replace(/\/{2,}/g, '/');
    flags |= HttpFlag.DOT_SEGMENTS;
  }
  lastFlags = flags;
  return s;
}

/** True when some `/`-separated segment of `path` is `.` or `..` (`first`: index of its first dot). */
function hasDotSegment(path: string, first: number): boolean {
  const n = path.length;
  for (let i = first; i < n; i++) {
    if (path.charCodeAt(i) !== 46 || (i > 0 && path.charCodeAt(i - 1) !== 47)) continue;
    const next = i + 1 < n ? path.charCodeAt(i + 1) : 47;
    if (next === 47) return true;
    if (next === 46 && (i + 2 >= n || path.charCodeAt(i + 2) === 47)) return true;
  }
  return false;
}

/**
 * Resolves `.` and `..` segments of a decoded path (RFC 3986 remove_dot_segments); a `..` with
 * nothing left to remove is flagged PATH_ABOVE_ROOT and dropped, as servers do.
 */
export function removeDotSegments(path: string): string {
  lastFlags = 0;
  const dot = path.indexOf('.');
  // Most paths have dots only in names (`app.js`), if any: nothing to resolve, no split and join.
  if (dot < 0 || !hasDotSegment(path, dot)) return path;
  const parts = path.split('/');
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i];
    if (seg === '.') {
      changed = true;
      if (i === parts.length - 1) out.push('');
    } else if (seg === '..') {
      changed = true;
      if (out.length > 1) out.pop();
      else lastFlags |= HttpFlag.PATH_ABOVE_ROOT;
      if (i === parts.length - 1) out.push('');
    } else {
      out.push(seg);
    }
  }
  if (!changed) return path;
  lastFlags |= HttpFlag.DOT_SEGMENTS;
  const joined = out.join('/');
  return joined.startsWith('/') || !path.startsWith('/') ? joined : `/${joined}`;
}

/** Characters of a plain argument name; anything else makes the name an inspection buffer too. */
function isPlainName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 95 || c === 45 || c === 46 || c === 91 || c === 93;
    if (!ok) return false;
  }
  return true;
}

/**
 * Splits `a=1&b=2` (a query string or a urlencoded body) into decoded fields of `kind`, at most
 * `maxArgs`; unusual argument names become ARG_NAME fields too, and a name sent more than once
 * one more field of its values joined (see `joinRepeated`). Returns the union of their flags.
 * Native searches find the separators (on a 64-char string `indexOf` takes 22 ns, a `charCodeAt`
 * loop 190 ns: bench/http-parse.bench.ts); the `=` found is reused by the arguments before it, so
 * arguments without one cost no search to the end of the string each.
 */
export function parseArgs(raw: string, kind: number, out: HttpField[], maxArgs: number): number {
  let flags = 0;
  let from = 0;
  let count = 0;
  let nextEq = -1;
  const first = out.length;
  while (from <= raw.length && count < maxArgs) {
    let amp = raw.indexOf('&', from);
    if (amp < 0) amp = raw.length;
    if (amp > from) {
      if (nextEq !== -2 && nextEq < from) {
        nextEq = raw.indexOf('=', from);
        if (nextEq < 0) nextEq = -2;
      }
      const eq = nextEq;
      const hasValue = eq >= 0 && eq < amp;
      const name = percentDecode(raw.slice(from, hasValue ? eq : amp), true);
      const nameFlags = lastFlags;
      const value = hasValue ? percentDecode(raw.slice(eq + 1, amp), true) : '';
      const valueFlags = hasValue ? lastFlags : 0;
      out.push({ kind, name, value, flags: valueFlags });
      if (!isPlainName(name)) out.push({ kind: FieldKind.ARG_NAME, name, value: name, flags: nameFlags });
      flags |= nameFlags | valueFlags;
      count++;
    }
    from = amp + 1;
  }
  if (count > 1) joinRepeated(out, first, kind);
  if (from < raw.length) flags |= pushRest(raw.slice(from), kind, out, true);
  lastFlags = flags;
  return flags;
}

/**
 * What follows the last of `max_args` arguments or cookies, decoded as one value of `kind`
 * (flagged TOO_MANY_ARGS): a thousand dummy arguments in front of an attack do not hide it.
 * Returns the value's flags.
 */
function pushRest(rest: string, kind: number, out: HttpField[], plus: boolean): number {
  const value = percentDecode(rest, plus);
  const flags = lastFlags | HttpFlag.TOO_MANY_ARGS;
  out.push({ kind, name: '', value, flags });
  return flags;
}

/** Below this many arguments, repeated names are looked for pairwise rather than with a map. */
const FEW_ARGS = 8;

/**
 * Arguments sent more than once under one name: ASP.NET hands the application their values
 * joined by commas, a whole that no single value shows (HTTP parameter pollution: `id=1 UNION/*`
 * and `id=*` + `/SELECT 1` arrive as one comment-spliced UNION SELECT). Each such name gets one
 * more field of `kind`, its values joined by `,`, after the fields of `out` from `first` on.
 */
function joinRepeated(out: HttpField[], first: number, kind: number): void {
  const end = out.length;
  if (end - first <= FEW_ARGS) {
    let repeated = false;
    for (let i = first; i < end && !repeated; i++) {
      if (out[i].kind !== kind) continue;
      for (let j = i + 1; j < end && !repeated; j++) repeated = out[j].kind === kind && out[j].name === out[i].name;
    }
    if (!repeated) return;
  }
  const byName = new Map<string, HttpField[]>();
  for (let i = first; i < end; i++) {
    const f = out[i];
    if (f.kind !== kind) continue;
    const same = byName.get(f.name);
    if (same === undefined) byName.set(f.name, [f]);
    else same.push(f);
  }
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    let flags = 0;
    for (const f of same) flags |= f.flags;
    out.push({ kind, name, value: same.map((f) => f.value).join(','), flags });
  }
}

/** Splits Cookie header values (`a=1; b=2`) into percent-decoded COOKIE fields. Returns their flags. */
export function parseCookies(header: string, out: HttpField[], maxArgs: number): number {
  let flags = 0;
  let count = 0;
  let from = 0;
  let nextEq = -1;
  const n = header.length;
  while (from < n && count < maxArgs) {
    let semi = header.indexOf(';', from);
    if (semi < 0) semi = n;
    let a = from;
    let b = semi;
    while (a < b && (header.charCodeAt(a) === 32 || header.charCodeAt(a) === 9)) a++;
    while (b > a && (header.charCodeAt(b - 1) === 32 || header.charCodeAt(b - 1) === 9)) b--;
    from = semi + 1;
    if (a === b) continue;
    // The first `=` at or after `a`, reused by the cookies before it (one search, not one per cookie to the end).
    if (nextEq !== -2 && nextEq < a) {
      nextEq = header.indexOf('=', a);
      if (nextEq < 0) nextEq = -2;
    }
    const eq = nextEq;
    const hasName = eq >= 0 && eq < b;
    const name = hasName ? header.slice(a, eq).trim() : '';
    let value = hasName ? header.slice(eq + 1, b).trim() : header.slice(a, b);
    if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) value = value.slice(1, -1);
    const decoded = percentDecode(value, false);
    out.push({ kind: FieldKind.COOKIE, name, value: decoded, flags: lastFlags });
    flags |= lastFlags;
    count++;
  }
  if (from < n && count === maxArgs) flags |= pushRest(header.slice(from), FieldKind.COOKIE, out, false);
  lastFlags = flags;
  return flags;
}

/**
 * True for the characters `String.prototype.trim` removes (WhiteSpace and LineTerminator), so
 * that bounds trimmed by hand, without a string per step, cut exactly what `trim()` would.
 */
export function isTrimSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * A decoded value as IIS's ASP reads it: a `%` that starts no escape is dropped, not kept
 * (`%S%E%L%E%C%T` is SELECT; sqlmap's percentage tamper). Null when the value has none.
 */
export function withoutStrayPercents(s: string): string | null {
  const out = s.replace(STRAY_PERCENT, '');
  return out === s ? null : out;
}

/** A `%` not followed by two hex digits or by `u` and four. */
const STRAY_PERCENT = /%(?![0-9a-fA-F]{2}|[uU][0-9a-fA-F]{4})/g;

/** The five XML entities and numeric character references. */
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g;
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * A value with its character references decoded (`&#39;`, `&#x27;`, `&apos;`), as an XML parser
 * or an application that unescapes HTML reads it (sqlmap's htmlencode, decentities and
 * hexentities tampers). Null when the value has none.
 */
export function withEntitiesDecoded(s: string): string | null {
  if (s.indexOf('&') < 0) return null;
  const out = s.replace(ENTITY, (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name];
    const code = dec !== undefined ? Number(dec) : Number.parseInt(hex as string, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  });
  return out === s ? null : out;
}

/** `\uXXXX` escapes (JavaScript, JSON, Java string syntax). */
const U_ESCAPE = /\\u([0-9a-fA-F]{4})/g;

/**
 * A value with its `\uXXXX` escapes decoded, as an application that unescapes them reads it
 * (sqlmap's charunicodeescape tamper: `\u0031\u0029\u0020\u0041\u004E\u0044`). Null when the value
 * has none.
 */
export function withUnicodeEscapesDecoded(s: string): string | null {
  if (s.indexOf('\\u') < 0) return null;
  const out = s.replace(U_ESCAPE, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return out === s ? null : out;
}

/** Shortest value read as base64 (12 characters, 9 bytes). */
export const BASE64_MIN = 12;

/**
 * The text `s` is the base64 of, as an application that base64-decodes a parameter reads it
 * (sqlmap's base64encode tamper: `MSkgQU5EIDY4MzA9NjgzMC0tIC0=`), or null when it decodes to
 * anything but printable ASCII text (tokens, hashes and ids that look like base64 are bytes, not
 * text). The caller has checked the alphabet (standard or URL-safe, padded or not): Node's decoder
 * skips what is not base64 rather than failing.
 */
export function base64Text(s: string): string | null {
  if (s.length < BASE64_MIN || s.length % 4 === 1) return null;
  const bytes = Buffer.from(s, 'base64');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if ((c < 32 || c > 126) && c !== 9 && c !== 10 && c !== 13) return null;
  }
  return bytes.toString('latin1');
}
