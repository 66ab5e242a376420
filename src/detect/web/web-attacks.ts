import { isJavaSerialized, isXmlDocument } from '../../app/http/body.js';
import { BASE64_MIN, base64Text, withEntitiesDecoded, withoutStrayPercents, withUnicodeEscapesDecoded } from '../../app/http/decode.js';
import { HttpPhase } from '../../app/http/http.js';
import { FIELD_KIND_NAMES, FieldKind, flagNames, type HttpField, HttpFlag, type HttpRequest, httpInfo } from '../../app/http/request.js';
import { ConfigError } from '../../config/config.js';
import type { SectionValues } from '../../config/params.js';
import type { Packet } from '../../decode/packet.js';
import type { Signature } from '../../output/events.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { BOUND_NAME_MIN, COMMAND_PARAMETERS, detectBoundName, detectCommandInjection, detectCommandLine, detectCommandParameter, detectJavaGadget, detectServerCode, detectTemplateProbe, detectWebShellCode, detectYamlGadget, JAVA_SERIAL_BASE64 } from './command-injection.js';
import { detectCrlfInjection, hasWideLineBreak } from './crlf.js';
import { detectLog4shell } from './log4shell.js';
import { detectIncludeUrl, detectTraversal, isIncludeParameter, passedForOwnHost } from './path-traversal.js';
import { loadPatternFile, PatternMatcher, type PayloadPattern } from './patterns.js';
import { pairKey } from '../windows.js';
import { SCANNER_TOOLS, scannerToolId } from './scanner.js';
import { detectNoSqlName, detectNoSqlValue, detectWhereScript } from './nosql.js';
import { detectSqli } from './sqli.js';
import { detectProxyTarget, detectSsrf } from './ssrf.js';
import { detectScriptCall, detectXss } from './xss.js';

/**
 * Web-attack detection on parsed, normalised HTTP requests: every inspection buffer of a request
 * (path, query arguments, cookies, headers, body fields) goes through the structural checks of
 * each attack type (one file each) and the user's payload pattern list. One alert per request and
 * attack type, naming where it was found; no re-alert suppression, since every malicious request
 * is its own attempt (a source stays blocked meanwhile, so its later alerts say "blocked").
 */

/** Signature of each attack type. */
export const WebSig = {
  SQLI: builtin(9100100, 'RAMPART WEB SQL injection', 'SQL injection', 'sqli', Category.WEB_ATTACK, 1),
  XSS: builtin(9100101, 'RAMPART WEB cross-site scripting', 'XSS', 'xss', Category.WEB_ATTACK, 2),
  PATH_TRAVERSAL: builtin(9100102, 'RAMPART WEB path traversal or local file inclusion', 'path traversal', 'path_traversal', Category.WEB_ATTACK, 2),
  COMMAND_INJECTION: builtin(9100103, 'RAMPART WEB OS command injection', 'command injection', 'command_injection', Category.WEB_ATTACK, 1),
  LOG4SHELL: builtin(9100104, 'RAMPART WEB Log4Shell JNDI lookup', 'log4shell', 'log4shell', Category.WEB_ATTACK, 1),
  SMUGGLING: builtin(9100105, 'RAMPART WEB HTTP request smuggling', 'request smuggling', 'request_smuggling', Category.WEB_ATTACK, 2),
  CRLF_INJECTION: builtin(9100106, 'RAMPART WEB CRLF injection (HTTP response splitting)', 'CRLF injection', 'crlf_injection', Category.WEB_ATTACK, 2),
  SSRF: builtin(9100107, 'RAMPART WEB server-side request forgery', 'SSRF', 'ssrf', Category.WEB_ATTACK, 1),
  SCANNER: builtin(9100108, 'RAMPART WEB scanner User-Agent', 'web scanner', 'web_scanner', Category.RECON, 3),
  PATTERN: builtin(9100190, 'RAMPART WEB payload pattern', 'payload pattern', 'payload_pattern', Category.WEB_ATTACK, 2),
} as const;

/** Most bytes of `payload_printable`. */
export const PAYLOAD_PRINTABLE_MAX = 1024;
/** Most chars of a matched value quoted in alert metadata. */
const EVIDENCE_MAX = 120;

/**
 * Headers whose values are protocol data (no free text a web application reads): only the checks
 * that attack the server or a logger whatever the header (Log4Shell, Shellshock, OGNL, patterns) run on them.
 * Host is not one: applications look tenants and sites up by it (sqlmap injects there at level 5).
 */
const PROTOCOL_HEADERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'accept-charset', 'connection', 'content-length', 'content-type', 'cache-control', 'pragma',
  'upgrade-insecure-requests', 'if-modified-since', 'if-none-match', 'if-match', 'if-unmodified-since', 'if-range', 'range', 'te', 'transfer-encoding',
  'authorization', 'proxy-authorization', 'proxy-connection', 'origin', 'dnt', 'priority', 'keep-alive', 'expect', 'upgrade', 'date', 'content-encoding',
  'content-language', 'via', 'max-forwards', 'purpose', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-user', 'sec-ch-ua', 'sec-ch-ua-mobile',
  'sec-ch-ua-platform', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'x-requested-with', 'content-md5',
]);

/** Character classes of a value, one bit each (see `charMask`). */
const C_QUOTE = 1;
const C_SEP = 2;
const C_ANGLE = 4;
const C_DOLLAR = 8;
const C_DOT = 16;
const C_SLASH = 32;
const C_COLON = 64;
const C_PAREN = 128;
const C_SPACE = 256;
const C_UNDERSCORE = 512;
const C_HIGH = 1024;
const C_BACKSLASH = 2048;
const C_BRACE = 4096;
/** Any ASCII character outside the base64 alphabets (A-Z a-z 0-9 + / = - _). */
const C_NOT_BASE64 = 8192;
/** CR and LF. */
const C_NEWLINE = 16384;
/** `+`: a blank where the value is decoded once more as a form (see `detectSqli`). */
const C_PLUS = 32768;

/**
 * Class bits of every UTF-16 code unit (C_HIGH above ASCII): a table of them all, 128 KB, spares
 * `charMask` a branch per character, which measured a fifth of its time.
 */
const CHAR_CLASS = (() => {
  const t = new Uint16Array(65536).fill(C_HIGH, 128);
  const set = (chars: string, bit: number): void => {
    for (const ch of chars) t[ch.charCodeAt(0)] |= bit;
  };
  set('\'"`', C_QUOTE);
  set(';&|\n', C_SEP);
  set('<>', C_ANGLE);
  set('$', C_DOLLAR);
  set('.', C_DOT);
  set('/', C_SLASH);
  set('\\', C_BACKSLASH);
  set('{}', C_BRACE);
  set(':', C_COLON);
  set('()', C_PAREN);
  // Every control character: SQL Server reads 0x01-0x1F as blanks.
  for (let c = 0; c <= 32; c++) t[c] |= C_SPACE;
  set('_', C_UNDERSCORE);
  set('\r\n', C_NEWLINE);
  set('+', C_PLUS);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (!/[A-Za-z0-9+/=_-]/.test(ch)) t[c] |= C_NOT_BASE64;
  }
  return t;
})();

/**
 * The classes of characters in `value`, in one pass: each check runs only when the value has a
 * character it cannot do without (a quote or separator for SQL, `<` or a quote for XSS …), so
 * most values (ids, words, dates, tokens) cost one scan. Measured against one regular expression
 * holding every check's triggers: that one cost more than all the checks together.
 */
function charMask(value: string): number {
  let m = 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    m |= CHAR_CLASS[c];
    h = Math.imul(h ^ c, 0x01000193);
  }
  maskHash = h;
  return m;
}

/** FNV-1a hash of the value the last `charMask` call scanned (the clean cache's key). */
let maskHash = 0;

/** What each check needs (any one of the bits). */
const NEEDS_SQLI = C_QUOTE | C_SEP | C_SPACE | C_PAREN | C_UNDERSCORE | C_SLASH | C_BACKSLASH | C_HIGH | C_PLUS;
const NEEDS_XSS = C_ANGLE | C_QUOTE | C_COLON;
const NEEDS_TRAVERSAL = C_DOT | C_SLASH | C_BACKSLASH | C_COLON;
/** Braces and backslashes: template expressions (`{{…}}`) and ThinkPHP's `\think\` routes. */
const NEEDS_CMDI = C_SEP | C_QUOTE | C_DOLLAR | C_PAREN | C_BRACE | C_BACKSLASH;
const NEEDS_LOG4SHELL = C_DOLLAR;
const NEEDS_CRLF = C_NEWLINE;
/** A URL or a dotted address. */
const NEEDS_SSRF = C_SLASH | C_COLON | C_DOT;
const NEEDS_ANY = NEEDS_SQLI | NEEDS_XSS | NEEDS_TRAVERSAL | NEEDS_CMDI | NEEDS_LOG4SHELL | NEEDS_CRLF;

/**
 * The value as some servers and applications read it, when that differs from the decoding every
 * check sees: character references decoded (an XML parser, an app that unescapes HTML: `&#39;`
 * for `'`), `\uXXXX` escapes decoded (an app that unescapes JavaScript strings), and a `%` that
 * starts no escape dropped (IIS's ASP). Null when no such reading differs. (Base64 is read apart:
 * see `structural`.)
 */
function alternateReading(value: string, flags: number, mask: number): string | null {
  let other = mask & C_SEP ? withEntitiesDecoded(value) : null;
  if (mask & C_BACKSLASH) other = withUnicodeEscapesDecoded(other ?? value) ?? other;
  if (flags & HttpFlag.INVALID_ENCODING) other = withoutStrayPercents(other ?? value) ?? other;
  return other;
}

/** True when `value` (its class mask `mask`) is long enough and in a base64 alphabet only. */
function isBase64Like(value: string, mask: number): boolean {
  return !(mask & (C_NOT_BASE64 | C_HIGH)) && value.length >= BASE64_MIN;
}

/**
 * What decides which checks a value gets, beyond its characters, as bits of a check profile: the
 * path's own traversal reading; a field named Referer (no traversal check); a header (SQL is also
 * looked for as a payload appended to the value, sqlmap's way with headers); a field named
 * User-Agent (a `;` between parentheses is a product comment). Values are remembered clean per
 * profile: one clean as an argument may be an appended payload in a header, and one clean as a
 * User-Agent a command after a separator in an argument.
 */
const PROFILE_PATH = 1;
const PROFILE_REFERER = 2;
const PROFILE_HEADER = 4;
const PROFILE_AGENT = 8;
const PROFILES = 16;

/** Entries of the clean-value cache, and the longest value it keeps. */
const CLEAN_CACHE_SIZE = 8192;
const CLEAN_CACHE_VALUE_MAX = 512;

/** Values this long or longer are first compared with the few such values met lately (see CleanCache). */
const RECENT_MIN = 48;
const RECENT_SIZE = 8;

/** Hash slots remembering values offered to the clean cache once (a power of two). */
const DOORKEEPER_SIZE = 16384;

/**
 * The values every check found clean: a set of strings keyed by the hash `charMask` computes in
 * its pass anyway. A `Set<string>` hashed each (fresh) value again in a runtime call, the largest
 * single cost of this detector on browsing traffic. Same contents as that set: up to
 * CLEAN_CACHE_SIZE values, emptied when full; open addressing at most half full.
 */
class CleanCache {
  private readonly hashes = new Int32Array(CLEAN_CACHE_SIZE * 2);
  private readonly values: (string | null)[] = new Array<string | null>(CLEAN_CACHE_SIZE * 2).fill(null);
  private count = 0;
  /**
   * The long values (RECENT_MIN chars or more) found in the cache or added to it lately, always a
   * subset of it: a browser sends the same User-Agent on every request, and comparing it with a
   * few strings (a length test rejects most, equal ones compare natively) costs a fraction of the
   * `charMask` pass that makes its hash (about 250 ns on an 83-char value here).
   */
  private readonly recent: string[] = [];
  /** Hashes of values offered once (direct-mapped: a collision only delays or hastens keeping one). */
  private readonly seen = new Int32Array(DOORKEEPER_SIZE);
  private next = 0;

  /** True when `value` (RECENT_MIN chars or more) is among the recent long clean values. */
  hasRecent(value: string): boolean {
    const recent = this.recent;
    for (let k = 0; k < recent.length; k++) if (recent[k] === value) return true;
    return false;
  }

  has(value: string, hash: number): boolean {
    const mask = this.hashes.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const v = this.values[slot];
      if (v === null) return false;
      if (this.hashes[slot] === hash && v === value) {
        if (value.length >= RECENT_MIN) this.remember(v);
        return true;
      }
    }
  }

  /**
   * Offers a value `has` just missed and every check found clean: kept from its second sighting
   * on. The first only notes its hash (TinyLFU's doorkeeper): a value met once (a one-off token, a
   * user name) is never kept, so such values neither cost a copy each nor fill the cache and push
   * out the values that recur.
   */
  offer(value: string, hash: number): void {
    const slot = hash & (DOORKEEPER_SIZE - 1);
    if (this.seen[slot] !== hash) {
      this.seen[slot] = hash;
      return;
    }
    this.add(value, hash);
  }

  private add(value: string, hash: number): void {
    if (this.count >= CLEAN_CACHE_SIZE) {
      this.values.fill(null);
      this.count = 0;
      this.recent.length = 0;
    }
    const mask = this.hashes.length - 1;
    let slot = hash & mask;
    while (this.values[slot] !== null) slot = (slot + 1) & mask;
    // A copy: the value is a slice of its request's head, which it would keep in memory whole.
    const kept = detachedCopy(value);
    this.hashes[slot] = hash;
    this.values[slot] = kept;
    this.count++;
    if (kept.length >= RECENT_MIN) this.remember(kept);
  }

  private remember(value: string): void {
    if (this.recent.length < RECENT_SIZE) this.recent.push(value);
    else this.recent[this.next++ % RECENT_SIZE] = value;
  }
}

/**
 * A copy of `s` that shares no memory with it. A slice of a longer string (as the parser cuts
 * values out of a head) keeps that whole string alive while it lives; its copy does not.
 * Latin1 when every code unit fits (one byte each, compared natively with the parser's strings),
 * else UTF-16, which carries any code unit as it is.
 */
function detachedCopy(s: string): string {
  let wide = false;
  for (let i = 0; i < s.length && !wide; i++) wide = s.charCodeAt(i) > 0xff;
  const encoding = wide ? 'utf16le' : 'latin1';
  return Buffer.from(s, encoding).toString(encoding);
}

/** An SVG document: its root element, after any XML declaration, doctype and comments. */
const SVG_IMAGE = /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>/]/i;

/** Field kinds a server may write into a response header (a redirect target, a cookie): 1 by kind. */
const HEADER_BOUND_KINDS: readonly number[] = (() => {
  const t: number[] = [];
  for (const k of [FieldKind.PATH, FieldKind.QUERY_ARG, FieldKind.ARG_NAME, FieldKind.COOKIE]) t[k] = 1;
  return t;
})();

/** Field kinds whose name is an argument's (query, form, multipart): 1 by kind. */
const ARGUMENT_KINDS: readonly number[] = (() => {
  const t: number[] = [];
  for (const k of [FieldKind.QUERY_ARG, FieldKind.ARG_NAME, FieldKind.BODY_ARG, FieldKind.MULTIPART]) t[k] = 1;
  return t;
})();

/** Field kinds whose name may be an include parameter's (`?page=`, a form's, a JSON member's, a cookie's): 1 by kind. */
const INCLUDE_KINDS: readonly number[] = (() => {
  const t: number[] = [];
  for (const k of [FieldKind.QUERY_ARG, FieldKind.BODY_ARG, FieldKind.MULTIPART, FieldKind.JSON, FieldKind.COOKIE]) t[k] = 1;
  return t;
})();

/**
 * Field kinds whose name may carry a NoSQL query operator: an unusual argument name (query, form),
 * a JSON member's path, a multipart field's or a cookie's name (PHP reads `a[$ne]` in each): 1 by kind.
 */
const OPERATOR_NAME_KINDS: readonly number[] = (() => {
  const t: number[] = [];
  for (const k of [FieldKind.ARG_NAME, FieldKind.JSON, FieldKind.MULTIPART, FieldKind.COOKIE]) t[k] = 1;
  return t;
})();

/** Whether an argument (a JSON member by its last name) is named as a command's (COMMAND_PARAMETERS). */
function isCommandParameter(name: string): boolean {
  if (name.length < 3) return false;
  const dot = name.lastIndexOf('.');
  const last = dot >= 0 ? name.slice(dot + 1) : name;
  return last.length >= 3 && last.length <= 8 && COMMAND_PARAMETERS.has(last.toLowerCase());
}

/** One `exempt` entry: a path prefix and the field names it skips. */
interface Exemption {
  readonly prefix: string;
  /** A field name, a name prefix (`starts`), or every field (`all`). */
  readonly name: string;
  readonly starts: boolean;
  readonly all: boolean;
}

/** The `exempt` entries, validated: `/path/prefix field`. A mistake is a ConfigError. */
function parseExemptions(entries: readonly string[]): Exemption[] {
  return entries.map((entry, i) => {
    const parts = entry.trim().split(/\s+/);
    if (parts.length !== 2 || !parts[0].startsWith('/')) {
      throw new ConfigError(`exempt entry ${i + 1} ${JSON.stringify(entry)}: expected "PATH_PREFIX FIELD", a path starting with / and a field name (or *)`, 'detectors.web_attacks.exempt');
    }
    const [prefix, field] = parts;
    const starts = field.length > 1 && field.endsWith('*');
    return { prefix, name: starts ? field.slice(0, -1) : field, starts, all: field === '*' };
  });
}

/** The entries whose prefix the path starts with, or null when none does. */
function exemptionsFor(all: readonly Exemption[], path: string): Exemption[] | null {
  let found: Exemption[] | null = null;
  for (const e of all) if (path.startsWith(e.prefix)) (found ??= []).push(e);
  return found;
}

function isExempt(skip: readonly Exemption[], name: string): boolean {
  for (const e of skip) if (e.all || (e.starts ? name.startsWith(e.name) : name === e.name)) return true;
  return false;
}

/** Attack-type bits in `HttpRequest.alerted`. */
const BIT_SQLI = 1;
const BIT_XSS = 2;
const BIT_TRAVERSAL = 4;
const BIT_CMDI = 8;
const BIT_LOG4SHELL = 16;
const BIT_PATTERN = 32;
const BIT_SMUGGLING = 64;
const BIT_CRLF = 128;
const BIT_SSRF = 256;
const BIT_SCANNER = 512;

/** What a check found: its reason and, for SQL injection, the token fingerprint. */
interface Finding {
  readonly reason: string;
  readonly fingerprint?: string;
}

/** Non-printable bytes as '.', the way Suricata writes `payload_printable` (CR and LF kept). */
export function printable(text: string, max: number): string {
  const s = text.length > max ? text.slice(0, max) : text;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 10 || c === 13) continue;
    out += `${s.slice(from, i)}.`;
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/** The web-attack detector record. */
export const webAttacks: DetectorSpec = {
  name: 'web_attacks',
  help: 'Web attacks in reassembled, decoded HTTP requests (needs stream and http enabled): SQL injection, XSS, path traversal/LFI, command injection, Log4Shell, SSRF, CRLF injection, request smuggling, and the payload pattern list.',
  params: [
    { name: 'sqli', type: 'bool', default: true, help: 'Detect SQL injection (tokenised, by query structure).' },
    { name: 'xss', type: 'bool', default: true, help: 'Detect cross-site scripting (script elements, event handlers, script URLs, and alert/confirm/prompt calls after a string break or where a page writes the value into script unquoted).' },
    { name: 'path_traversal', type: 'bool', default: true, help: 'Detect path traversal and local file inclusion.' },
    { name: 'command_injection', type: 'bool', default: true, help: 'Detect OS command injection (after a separator, or with none: reverse shells, netcat -e, PowerShell -enc, python -c and cmd /c one-liners, and a web shell\'s cmd= argument holding a command), Shellshock, OGNL expression injection (Apache Struts), PHP code injection, expression and template code that reaches commands (SpEL, EL, FreeMarker, Jinja2, Twig, Groovy, ThinkPHP routes) and template injection probes ({{7*7}}), Java deserialization gadgets (Fastjson, Jackson, XStream, ysoserial), YAML tags that build objects (Ruby, PyYAML, SnakeYAML), web shells (PHP, JSP, ASP) in uploaded files, and arguments a framework binds to code (Spring4Shell, Drupalgeddon2, ThinkPHP _method).' },
    { name: 'log4shell', type: 'bool', default: true, help: 'Detect Log4Shell JNDI lookups, nested-lookup obfuscations included.' },
    { name: 'ssrf', type: 'bool', default: true, help: 'Detect server-side request forgery: a value that is a URL to a cloud metadata service (169.254.169.254 and its numeric disguises, metadata.google.internal …) or a gopher:// or dict:// URL (not in headers), and a request target a reverse proxy joins to its backend URL (`@host`, mod_proxy\'s `unix:…|http://`).' },
    { name: 'crlf_injection', type: 'bool', default: true, help: 'Detect CRLF injection (HTTP response splitting): a line break then a header line or a status line in the path, a query argument or a cookie.' },
    {
      name: 'scanners',
      type: 'bool',
      default: true,
      help: 'Log web scanners and attack tools that name themselves in their User-Agent (sqlmap, Nikto, Nmap\'s scripts, masscan, wfuzz, gobuster …), as Suricata\'s ET SCAN rules do: severity 3 (reconnaissance: logged, not blocked at the default block_severity), once per source and tool per detect.realert.',
    },
    { name: 'request_smuggling', type: 'bool', default: true, help: 'Detect request smuggling: a body length that servers and proxies may read differently (Content-Length beside a Transfer-Encoding, conflicting or invalid Content-Length).' },
    { name: 'patterns_file', type: 'string', default: '', help: 'JSON list of literal payload patterns matched case-insensitively on decoded fields (the seeds\' payload_patterns.json format; empty: none).' },
    { name: 'max_value_bytes', type: 'int', default: 65536, min: 256, max: 16777216, help: 'Longest part of one decoded value inspected.' },
    {
      name: 'exempt',
      type: 'string-list',
      default: [],
      help: 'Fields not inspected, as "PATH_PREFIX FIELD": requests whose normalised path starts with PATH_PREFIX skip the field FIELD (its name as alerts give it; a trailing * matches names that start with the rest, a lone * every field). For applications whose fields carry code or attack text by design, e.g. "/submit code" (a code submission form) or "/wiki/edit *". Request smuggling is still checked.',
    },
  ],
  signatures: Object.values(WebSig),
  create(values: SectionValues, ctx: DetectContext): Detector {
    return new WebAttackDetector(values, ctx);
  },
};

/** The running detector. */
class WebAttackDetector implements Detector {
  readonly stats = { http_requests_inspected: 0, http_fields_inspected: 0, http_fields_exempt: 0, http_clean_cache_hits: 0, web_alerts: 0 };
  /** Values found clean, by check profile (see `PROFILE_PATH`), each made on first use. */
  private readonly clean: (CleanCache | null)[] = new Array<CleanCache | null>(PROFILES).fill(null);
  /** The value being checked (or another reading of it) passed only because a URL in it named the request's own host. */
  private hostBound = false;
  private readonly sqli: boolean;
  private readonly xss: boolean;
  private readonly traversal: boolean;
  private readonly cmdi: boolean;
  private readonly log4shell: boolean;
  private readonly smuggling: boolean;
  private readonly crlf: boolean;
  private readonly ssrf: boolean;
  private readonly scanners: boolean;
  private readonly maxValue: number;
  /** Fields not inspected, by path prefix (see the `exempt` parameter). */
  private readonly exempt: readonly Exemption[];
  private readonly patterns: readonly PayloadPattern[];
  private readonly patternSigs: readonly Signature[];
  private readonly matcher: PatternMatcher | null;
  /** By field kind: whether pattern k is matched in that location. */
  private readonly patternApplies: readonly ((k: number) => boolean)[];

  constructor(
    values: SectionValues,
    private readonly ctx: DetectContext,
  ) {
    this.sqli = values.sqli as boolean;
    this.xss = values.xss as boolean;
    this.traversal = values.path_traversal as boolean;
    this.cmdi = values.command_injection as boolean;
    this.log4shell = values.log4shell as boolean;
    this.smuggling = values.request_smuggling as boolean;
    this.crlf = values.crlf_injection as boolean;
    this.ssrf = values.ssrf as boolean;
    this.scanners = values.scanners as boolean;
    this.maxValue = values.max_value_bytes as number;
    this.exempt = parseExemptions(values.exempt as readonly string[]);
    const file = values.patterns_file as string;
    this.patterns = file !== '' ? loadPatternFile(file) : [];
    this.patternSigs = this.patterns.map((p) => ({ ...WebSig.PATTERN, msg: p.msg, attackType: p.attackType, severity: p.severity }));
    this.matcher = this.patterns.length > 0 ? new PatternMatcher(this.patterns.map((p) => p.pattern)) : null;
    // One "does pattern k apply here" test per field kind, made once rather than a closure per field.
    const patterns = this.patterns;
    this.patternApplies = FIELD_KIND_NAMES.map((where) => (k: number) => patterns[k].where.has(where));
  }

  onHttpRequest(req: HttpRequest, flow: number, phase: number, p: Packet | null): void {
    const fields = phase === HttpPhase.HEAD ? req.fields : phase === HttpPhase.BODY ? req.bodyFields : req.moreFields;
    if (phase === HttpPhase.HEAD) this.stats.http_requests_inspected++;
    const skip = this.exempt.length > 0 ? exemptionsFor(this.exempt, req.path) : null;
    if (skip === null) {
      this.stats.http_fields_inspected += fields.length;
      for (let i = 0; i < fields.length; i++) this.inspect(req, fields[i], flow, p);
    } else {
      for (let i = 0; i < fields.length; i++) {
        if (isExempt(skip, fields[i].name)) {
          this.stats.http_fields_exempt++;
          continue;
        }
        this.stats.http_fields_inspected++;
        this.inspect(req, fields[i], flow, p);
      }
    }
    if (phase !== HttpPhase.BODY && this.smuggling && req.flags & HttpFlag.AMBIGUOUS_LENGTH && !(req.alerted & BIT_SMUGGLING)) this.smuggled(req, flow, p);
    if (phase !== HttpPhase.BODY && this.ssrf && !(req.alerted & BIT_SSRF)) {
      const r = detectProxyTarget(req.uriRaw);
      if (r !== null) {
        const field = req.fields.find((f) => f.kind === FieldKind.PATH) ?? { kind: FieldKind.PATH, name: '', value: req.path, flags: 0 };
        this.raise(WebSig.SSRF, BIT_SSRF, req, field, req.uriRaw, { reason: r }, flow, p);
      }
    }
  }

  /**
   * A head whose body length a server and a proxy in front of it may read differently: the bytes
   * one takes for this request's body the other takes for the next request, which then reaches
   * the application unseen by whatever checked requests in front (request smuggling).
   */
  private smuggled(req: HttpRequest, flow: number, p: Packet | null): void {
    // The head's records, and the headers of the latest window of a head too long to keep whole.
    const more = req.moreFields.filter((f) => f.kind === FieldKind.HEADER).map((f) => ({ key: f.name, value: f.value }));
    const lengths = [...req.headers, ...more].filter((h) => h.key === 'content-length');
    const codings = [...req.headers, ...more].filter((h) => h.key === 'transfer-encoding');
    const reason = codings.length > 0 && lengths.length > 0 ? `Content-Length beside Transfer-Encoding: ${codings.map((h) => h.value).join(', ')}` : lengths.some((h) => !/^\s*\d{1,15}\s*$/.test(h.value)) ? 'invalid Content-Length' : 'conflicting Content-Length values';
    const field = req.fields.find((f) => f.kind === FieldKind.HEADER && f.name === 'content-length') ?? { kind: FieldKind.HEADER, name: 'content-length', value: '', flags: 0 };
    this.raise(WebSig.SMUGGLING, BIT_SMUGGLING, req, field, lengths.map((h) => h.value).join(', '), { reason }, flow, p);
  }

  private inspect(req: HttpRequest, field: HttpField, flow: number, p: Packet | null): void {
    const value = field.value.length > this.maxValue ? field.value.slice(0, this.maxValue) : field.value;
    // An argument's name can be the attack: frameworks bind it to objects (Spring4Shell, Drupal, ThinkPHP).
    if (field.name.length >= BOUND_NAME_MIN && this.cmdi && !(req.alerted & BIT_CMDI) && ARGUMENT_KINDS[field.kind] === 1) {
      const r = detectBoundName(field.name, value);
      if (r !== null) this.raise(WebSig.COMMAND_INJECTION, BIT_CMDI, req, field, value, { reason: r }, flow, p);
    }
    // A query operator as a member of the name (`password[$ne]=`, `{"password": {"$ne": null}}`).
    if (this.sqli && !(req.alerted & BIT_SQLI) && OPERATOR_NAME_KINDS[field.kind] === 1 && field.name.indexOf('$') >= 0) {
      const r = detectNoSqlName(field.name);
      if (r !== null) this.raise(WebSig.SQLI, BIT_SQLI, req, field, field.name, { reason: r }, flow, p);
    }
    if (value.length === 0) return;
    // A web shell's (or a debug page's) command argument holding a command line: `?cmd=whoami`.
    if (this.cmdi && !(req.alerted & BIT_CMDI) && (ARGUMENT_KINDS[field.kind] === 1 || field.kind === FieldKind.JSON) && isCommandParameter(field.name)) {
      const r = detectCommandParameter(value);
      if (r !== null) this.raise(WebSig.COMMAND_INJECTION, BIT_CMDI, req, field, value, { reason: r }, flow, p);
    }
    // An include parameter given a URL of code on another host (`?page=http://evil/shell.txt`).
    if (this.traversal && !(req.alerted & BIT_TRAVERSAL) && INCLUDE_KINDS[field.kind] === 1 && isIncludeParameter(field.name)) {
      const r = detectIncludeUrl(field.name, value, req.hostname);
      if (r !== null) this.raise(WebSig.PATH_TRAVERSAL, BIT_TRAVERSAL, req, field, value, { reason: r }, flow, p);
    }
    // A document naming a deserialization gadget (Fastjson's `@type`, Jackson's typed arrays,
    // XStream's XML), or a serialized Java object holding one (posted raw, or base64 anywhere).
    const gadgetHome = field.kind === FieldKind.JSON || field.kind === FieldKind.BODY_RAW || value.startsWith(JAVA_SERIAL_BASE64);
    if (gadgetHome && this.cmdi && !(req.alerted & BIT_CMDI)) {
      const r = detectJavaGadget(value);
      if (r !== null) this.raise(WebSig.COMMAND_INJECTION, BIT_CMDI, req, field, value, { reason: r }, flow, p);
    }
    if (this.cmdi && !(req.alerted & BIT_CMDI) && value.indexOf('!') >= 0) {
      const r = detectYamlGadget(value);
      if (r !== null) this.raise(WebSig.COMMAND_INJECTION, BIT_CMDI, req, field, value, { reason: r }, flow, p);
    }
    // A serialized object is bytes: the text checks have nothing to read there.
    if (field.kind !== FieldKind.BODY_RAW || !isJavaSerialized(value)) this.structural(req, field, value, flow, p);
    if (this.matcher !== null && !(req.alerted & BIT_PATTERN)) {
      const hit = this.matcher.find(value, this.patternApplies[field.kind]);
      if (hit >= 0) this.raise(this.patternSigs[hit], BIT_PATTERN, req, field, value, { reason: `pattern "${this.patterns[hit].pattern}"` }, flow, p);
    }
  }

  /**
   * The attack-type checks a field's kind calls for, each only when the value has what it needs.
   * `alternate`: the value is another server's or application's reading of the field's (see
   * `alternateReading`); XSS is not checked there, since escaped markup is what a safe page holds.
   */
  private structural(req: HttpRequest, field: HttpField, value: string, flow: number, p: Packet | null, alternate = false): void {
    if (field.kind === FieldKind.UPLOAD) {
      this.upload(req, field, value, flow, p);
      return;
    }
    const path = field.kind === FieldKind.PATH;
    const freeText = field.kind !== FieldKind.HEADER || !PROTOCOL_HEADERS.has(field.name);
    // Protocol headers only get Log4Shell, Shellshock and OGNL: two native searches say whether to look.
    if (!freeText && value.indexOf('$') < 0 && value.indexOf('(') < 0) return;
    const referer = field.name === 'referer';
    const header = field.kind === FieldKind.HEADER;
    const agent = field.name === 'user-agent';
    // A raw body's XSS verdict also depends on its request's Content-Type (an XML document's
    // element names are its own): one is never remembered as clean. A value remembered clean is
    // clean in a request that already raised an alert too (it passed every check, which is more
    // than that request runs); one is remembered only when every check read it (see below).
    const cacheable = freeText && field.flags === 0 && value.length <= CLEAN_CACHE_VALUE_MAX && field.kind !== FieldKind.BODY_RAW;
    const profile = (path ? PROFILE_PATH : 0) | (referer ? PROFILE_REFERER : 0) | (header ? PROFILE_HEADER : 0) | (agent ? PROFILE_AGENT : 0);
    const cache = this.clean[profile] ?? (this.clean[profile] = new CleanCache());
    // Hits of the path's and the Referer's own caches are not counted (see below).
    const counted = (profile & (PROFILE_PATH | PROFILE_REFERER)) === 0;
    if (cacheable && value.length >= RECENT_MIN && cache.hasRecent(value)) {
      if (counted) this.stats.http_clean_cache_hits++;
      return;
    }
    // The path's traversal check also reads the normalised path (a target behind resolved dot
    // segments): it always runs (C_DOT is a class only that check needs); the other checks need
    // their characters, as in any value.
    const mask = path ? charMask(value) | C_DOT : charMask(value);
    // A value of letters and digits alone needs no check, unless it may be base64 of one (an
    // argument, a cookie, a header: a path is no base64 an application decodes).
    const base64 = freeText && !path && !alternate && isBase64Like(value, mask);
    if (!(mask & (freeText ? NEEDS_ANY : NEEDS_LOG4SHELL | C_PAREN)) && !base64) {
      // No check reads such a value (`ZmEu`), nor is it remembered: only a tool's name is looked for.
      if (agent && header && !alternate) this.scanner(req, field, value, flow, p);
      return;
    }
    const done = req.alerted;
    // Values recur: a browser's User-Agent and cookies on every request, a site's search terms
    // and form values across users. One found clean by every check (with the same check set and
    // no decoding flags) is remembered; later copies cost one lookup.
    // What is clean is remembered per check profile: a value clean under one set of checks says
    // nothing under another. A Referer (any field of that name) skips the traversal check and the
    // path has one of its own (a path is the same value every time a site's page is asked for:
    // without decoding flags, its normalised form, which that check also reads, follows from it);
    // their hits are not counted as http_clean_cache_hits, which keeps the meaning that counter
    // always had (values clean for every check).
    const hash = maskHash;
    if (cacheable && cache.has(value, hash)) {
      if (counted) this.stats.http_clean_cache_hits++;
      return;
    }
    const alertsBefore = this.stats.web_alerts;
    if (!alternate) this.hostBound = false;
    // A tool's User-Agent is never remembered as clean: its next request, or another source's, is looked at again.
    const tool = agent && header && !alternate && this.scanner(req, field, value, flow, p);
    const lineBreak = (mask & C_NEWLINE) !== 0 || ((mask & C_HIGH) !== 0 && hasWideLineBreak(value));
    if (this.log4shell && !(done & BIT_LOG4SHELL) && mask & NEEDS_LOG4SHELL) {
      const r = detectLog4shell(value);
      if (r !== null) this.raise(WebSig.LOG4SHELL, BIT_LOG4SHELL, req, field, value, { reason: r }, flow, p);
    }
    if (this.cmdi && !(done & BIT_CMDI) && mask & NEEDS_CMDI) {
      const r = freeText ? detectCommandInjection(value, agent) : detectServerCode(value);
      if (r !== null) this.raise(WebSig.COMMAND_INJECTION, BIT_CMDI, req, field, value, { reason: r }, flow, p);
    } else if (this.cmdi && !(done & BIT_CMDI) && freeText && mask & (C_SPACE | C_ANGLE)) {
      // No separator or quote: only a command line that is an attack by itself (`nc -e /bin/sh …`),
      // or an ERB or ASP template probe (`<%= 7*7 %>`).
      const r = (mask & C_SPACE ? detectCommandLine(value) : null) ?? (mask & C_ANGLE ? detectTemplateProbe(value) : null);
      if (r !== null) this.raise(WebSig.COMMAND_INJECTION, BIT_CMDI, req, field, value, { reason: r }, flow, p);
    }
    if (freeText) {
      if (this.sqli && !(done & BIT_SQLI) && mask & NEEDS_SQLI) {
        const m = detectSqli(value, header);
        if (m !== null) this.raise(WebSig.SQLI, BIT_SQLI, req, field, value, { reason: m.rule, fingerprint: m.fingerprint }, flow, p);
      }
      // NoSQL: a document with a query operator (`{"$ne": null}`), a `$where` clause's string broken into script.
      if (this.sqli && !(req.alerted & BIT_SQLI) && mask & (C_QUOTE | C_BRACE)) {
        const r = ((mask & (C_DOLLAR | C_BRACE)) === (C_DOLLAR | C_BRACE) ? detectNoSqlValue(value) : null) ?? (mask & C_QUOTE ? detectWhereScript(value) : null);
        if (r !== null) this.raise(WebSig.SQLI, BIT_SQLI, req, field, value, { reason: r }, flow, p);
      }
      if (this.xss && !alternate && !(done & BIT_XSS) && mask & NEEDS_XSS) {
        const r = detectXss(value, field.kind === FieldKind.BODY_RAW && isXmlDocument(req.contentType, value));
        if (r !== null) this.raise(WebSig.XSS, BIT_XSS, req, field, value, { reason: r }, flow, p);
      } else if (this.xss && !alternate && !(done & BIT_XSS) && mask & C_PAREN) {
        // No markup, quote or colon: only script a page would run where it writes the value unquoted (`1;alert(1)//`).
        const r = detectScriptCall(value);
        if (r !== null) this.raise(WebSig.XSS, BIT_XSS, req, field, value, { reason: r }, flow, p);
      }
      // A header names the server it is sent to (Host), or where the client came from: no fetch target.
      if (this.ssrf && !(done & BIT_SSRF) && mask & NEEDS_SSRF && !header) {
        const r = detectSsrf(value);
        if (r !== null) this.raise(WebSig.SSRF, BIT_SSRF, req, field, value, { reason: r }, flow, p);
      }
      if (this.crlf && !(done & BIT_CRLF) && lineBreak && HEADER_BOUND_KINDS[field.kind] === 1) {
        const r = detectCrlfInjection(value);
        if (r !== null) this.raise(WebSig.CRLF_INJECTION, BIT_CRLF, req, field, value, { reason: r }, flow, p);
      }
      // The Referer is a URL the browser resolved from a page: `../` there is no attack.
      if (this.traversal && !(done & BIT_TRAVERSAL) && mask & NEEDS_TRAVERSAL && !referer) {
        const r = detectTraversal(field, req.path, value, value.indexOf('://') > 0 ? req.hostname : '');
        if (r !== null) this.raise(WebSig.PATH_TRAVERSAL, BIT_TRAVERSAL, req, field, value, { reason: r }, flow, p);
        else if (passedForOwnHost()) this.hostBound = true;
      }
    }
    if (base64) {
      // What an application that base64-decodes the field reads. Text of several lines is a
      // document sent that way (a Git host's contents API, an attachment): read as an upload.
      // (Bytes, such as a serialized Java object, were read for gadgets in `inspect`.)
      const text = base64Text(value);
      if (text !== null && text.indexOf('\n') >= 0) this.upload(req, field, text, flow, p);
      else if (text !== null) this.structural(req, field, text, flow, p, true);
    } else if (!alternate) {
      const other = alternateReading(value, field.flags, mask);
      if (other !== null) this.structural(req, field, other, flow, p, true);
    }
    // Kept: a value (not another reading of one, which skipped the XSS check) that every check
    // read (none skipped for an alert the request had raised) and found clean whatever the request's host.
    // A value with a line break is not kept either: that check depends on the field's kind, which the profile does not hold.
    if (cacheable && done === 0 && !alternate && !tool && !this.hostBound && !lineBreak && this.stats.web_alerts === alertsBefore) cache.offer(value, hash);
  }

  /**
   * A User-Agent naming a web scanner or attack tool: logged once per client, tool and re-alert
   * interval (a scan is thousands of requests; the next tool a client runs is news). True when it
   * names one, alerted or not.
   */
  private scanner(req: HttpRequest, field: HttpField, value: string, flow: number, p: Packet | null): boolean {
    if (!this.scanners) return false;
    const tool = scannerToolId(value);
    if (tool < 0) return false;
    const flows = this.ctx.flows;
    const client = req.clientIsInitiator ? flows.keyA[flow] : flows.keyB[flow];
    if (!(req.alerted & BIT_SCANNER) && !this.ctx.suppressed(WebSig.SCANNER, pairKey(client, tool), p !== null ? p.tsUs : flows.lastUs[flow])) {
      this.raise(WebSig.SCANNER, BIT_SCANNER, req, field, value, { reason: `${SCANNER_TOOLS[tool]}'s User-Agent` }, flow, p);
    }
    return true;
  }

  /**
   * An uploaded text file: scripts, pages, SQL and notes that students and developers upload hold
   * shell commands, queries, markup and `../` by nature, and an application stores them rather than
   * passing them to a shell or a database. What makes an upload an attack whatever it is for is
   * checked: code the server would run if it served the file (a PHP, JSP or ASP web shell), a
   * Log4Shell lookup (read by whatever logs the file), and script in an SVG image (shown by the site
   * as an image, run in its origin).
   */
  private upload(req: HttpRequest, field: HttpField, value: string, flow: number, p: Packet | null): void {
    const done = req.alerted;
    if (this.log4shell && !(done & BIT_LOG4SHELL) && value.indexOf('$') >= 0) {
      const r = detectLog4shell(value);
      if (r !== null) this.raise(WebSig.LOG4SHELL, BIT_LOG4SHELL, req, field, value, { reason: r }, flow, p);
    }
    if (this.cmdi && !(done & BIT_CMDI)) {
      const r = detectWebShellCode(value);
      if (r !== null) this.raise(WebSig.COMMAND_INJECTION, BIT_CMDI, req, field, value, { reason: `${r} in an uploaded file` }, flow, p);
    }
    if (this.xss && !(done & BIT_XSS) && SVG_IMAGE.test(value)) {
      const r = detectXss(value);
      if (r !== null) this.raise(WebSig.XSS, BIT_XSS, req, field, value, { reason: `${r} in an SVG image` }, flow, p);
    }
  }

  private raise(sig: Signature, bit: number, req: HttpRequest, field: HttpField, value: string, finding: Finding, flow: number, p: Packet | null): void {
    req.alerted |= bit;
    this.stats.web_alerts++;
    const location = FIELD_KIND_NAMES[field.kind];
    const metadata: Record<string, string[]> = { location: [location] };
    if (field.name !== '') metadata.field = [field.name];
    metadata.rule = [finding.reason];
    if (finding.fingerprint !== undefined) metadata.sqli_fingerprint = [finding.fingerprint];
    metadata.evidence = [printable(value, EVIDENCE_MAX)];
    const encodings = flagNames(field.flags);
    if (encodings.length > 0) metadata.anomalies = encodings;
    if (req.message > 0) metadata.websocket_message = [String(req.message)];
    const named = field.name !== '' ? `${location} ${JSON.stringify(field.name)}` : location;
    const where = req.message > 0 ? `WebSocket message ${req.message}, ${named}` : named;
    const app = { http: httpInfo(req), payloadPrintable: printable(req.head + req.bodyText, PAYLOAD_PRINTABLE_MAX) };
    this.ctx.alertRequest(sig, req, flow, p, `${sig.reason} in ${where}: ${finding.reason}`, metadata, app);
  }
}
