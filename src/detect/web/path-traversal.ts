import { FieldKind, type HttpField, HttpFlag } from '../../app/http/request.js';

/**
 * Path traversal and local file inclusion: `..` segments that climb out of the web root (in the
 * path, or two or more in a parameter), traversal hidden by encoding (`%2e%2e/`, `..%2f`,
 * `%c0%af`), and the files and wrappers LFI goes for (`/etc/passwd`, `win.ini`,
 * `php://filter`), remote file inclusion (a URL ending in `?` or a NUL byte), and XML external
 * entities read from a URL. A single `../` in a parameter (a relative link) is not enough, and
 * the Referer header (a URL the browser built) is not inspected by the caller.
 */

/**
 * Files and wrappers local file inclusion reads (system and server configuration, process
 * details, the web server's logs that an attacker writes code into, a pod's service account
 * token; and `::$DATA`, the NTFS stream name that makes IIS hand out a script's source), each a
 * case-insensitive regular expression source. They are matched as one alternation (one scan per
 * value instead of one substring search per target), on the value with `\` as `/`, then with
 * `/./` and repeated slashes folded (`/etc/./passwd`, `/etc//passwd`) when it has them.
 */
const LFI_TARGET_SOURCES = [
  'etc\\/(?:passwd|shadow|group|hosts|hostname|issue|services|crontab|fstab|sudoers|my\\.cnf|mysql\\/my\\.cnf|php\\.ini|ssh\\/sshd_config)',
  'proc\\/self\\/',
  'proc\\/\\d+\\/(?:environ|cmdline|maps|status|mounts|fd\\/)',
  'var\\/log\\/(?:apache2?|httpd|nginx)\\/(?:access|error)[._]log',
  'serviceaccount\\/token',
  'windows\\/win\\.ini',
  'win\\.ini',
  'boot\\.ini',
  '(?:windows|winnt)\\/system32\\/',
  // The registry hives' backups (the password hashes of SAM) and whatever a path through Windows'
  // own environment variables names: `%SYSTEMROOT%\repair\SAM` (no URL or form path holds one).
  '(?:windows|winnt)\\/repair\\/(?:sam|system|software|security)\\b',
  '%(?:systemroot|windir)%\\/',
  'system32\\/drivers\\/etc\\/',
  'web-inf\\/web\\.xml',
  'tomcat-users\\.xml',
  '\\.ssh\\/(?:id_rsa|authorized_keys)',
  '\\.bash_history',
  '\\.htpasswd',
  // Apache's per-directory configuration, as the file asked for (prose says "your .htaccess file").
  '^\\.htaccess(?![\\w.-])',
  '(?<=\\/)\\.htaccess(?![\\w.-])',
  'global\\.asa\\b',
  'inetpub\\/wwwroot\\/',
  'php:\\/\\/(?:filter|input)',
  'expect:\\/\\/',
  'file:\\/\\/\\/',
  'zip:\\/\\/',
  'phar:\\/\\/',
  '::\\$data\\b',
];
const LFI_TARGETS = new RegExp(LFI_TARGET_SOURCES.join('|'), 'i');

/**
 * The targets that can be named without a `/` or a `:` (`win.ini`, `.htpasswd` …): all a value
 * without either can hold. Most values with a dot and neither (versions, host names, analytics
 * cookies such as `GA1.2.…`) are then scanned for 6 names rather than 23, five times faster.
 */
const LFI_NAME_SOURCES = LFI_TARGET_SOURCES.filter((t) => !t.includes('\\/') && !t.includes(':'));
const LFI_NAMES = new RegExp(LFI_NAME_SOURCES.join('|'), 'i');

/**
 * Each of those names has a dot and then a letter (`win.ini`, `.htpasswd`): a value without that
 * pair (a version, an analytics cookie such as `GA1.2.…`, a decimal number) skips the scan.
 */
if (!LFI_NAME_SOURCES.every((t) => /\\\.[a-z]/.test(t))) throw new Error('every LFI name must hold a dot and then a letter');

/** True when `s` has a `.` followed by an ASCII letter. */
function hasDotLetter(s: string): boolean {
  for (let i = s.indexOf('.'); i >= 0; i = s.indexOf('.', i + 1)) {
    const c = s.charCodeAt(i + 1) | 0x20;
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}

/**
 * An XML entity declared to be read from a URL (XXE: the parser fetches it, out of band with a
 * parameter entity and a DTD elsewhere), the remote sibling of a `file://` entity (an LFI target
 * above). A document's own DOCTYPE naming a DTD (XHTML's) declares no entity and passes.
 */
const XXE_ENTITY = /<!ENTITY\s+(?:%\s*)?[\w.:-]+\s+(?:SYSTEM|PUBLIC\s+(?:"[^"]{0,256}"|'[^']{0,256}'))\s*["']\s*(?:https?|ftps?|jar|netdoc|gopher):/i;

/** A `..` segment with path parameters (`..;`, `..;jsessionid=x`). */
const DOT_DOT_PARAMETER = /(?:^|\/)\.\.;[^/]*(?:\/|$)/;

/**
 * Remote file inclusion: a whole value that is a URL ending in `?` or cut by a NUL byte, the two
 * ways an include of `$page . '.php'` is made to fetch the URL as given (the `.php` becomes its
 * query, or is cut off): wapiti's `https://…/e.php%00`, ModSecurity CRS 931120.
 */
const REMOTE_INCLUSION = /^\s*(?:https?|ftps?):\/\/(?:[^\s\0?/@]*@)?(\[[^\]\s]*\]|[^\s\0?/:]*)(?:[/:][^\s\0?]*)?(?:(\?+)\s*$|\0)/i;

/**
 * Argument names that PHP applications pass to `include` (the names remote file inclusion
 * scanners and exploit lists try: `?page=`, `?file=`, `?inc=` …).
 */
const INCLUDE_PARAMETER = /^(?:page|file|filename|include|inc|incl|path|template|tpl|doc|document|module|mod|folder|dir|lang|language|layout|pg|conf|config|view|content|load|show|site|style|theme)$/i;

/**
 * A URL whose file is code or text to run (`http://evil/shell.txt`, `ftp://x/c99.php`): what an
 * include fetches and runs when the application adds no extension of its own. A page, an image
 * or a document there is a link the application stores or shows.
 */
const REMOTE_CODE_FILE = /^\s*(?:https?|ftps?):\/\/(?:[^\s\0?/@]*@)?(\[[^\]\s]*\]|[^\s\0?/:#]*)(?::\d*)?\/[^\s\0?#]*\.(?:txt|php\d?|phtml|inc|pl|py|sh|jsp|aspx?|cgi)\s*$/i;

/**
 * Whether `name` is an argument name PHP applications pass to `include` (a cheap test, made before
 * `detectIncludeUrl`); a JSON member by its last name (`options.page`).
 */
export function isIncludeParameter(name: string): boolean {
  const dot = name.lastIndexOf('.');
  const length = name.length - dot - 1;
  return length >= 2 && length <= 10 && INCLUDE_PARAMETER.test(dot < 0 ? name : name.slice(dot + 1));
}

/**
 * A reason when an include parameter's value (see `isIncludeParameter`) is a URL of code or text
 * on another host than `ownHost` (the request's, lower case): `?page=http://evil/shell.txt`, the
 * inclusion without the `?` or NUL byte that `detectTraversal` looks for. Its verdict depends on
 * the argument's name, so it is made apart from the checks whose clean values are remembered.
 */
export function detectIncludeUrl(name: string, value: string, ownHost: string): string | null {
  if (value.indexOf('://') < 0) return null;
  const code = REMOTE_CODE_FILE.exec(value);
  return code !== null && code[1].toLowerCase() !== ownHost ? `remote file inclusion (code or text file URL in ${name})` : null;
}

/** Backslashes as slashes: the view path checks use (they ignore case). */
function pathView(value: string): string {
  return value.indexOf('\\') >= 0 ? value.replace(/\\/g, '/') : value;
}

function lfiTarget(view: string): string | null {
  if (view.indexOf('/') < 0 && view.indexOf(':') < 0) {
    if (!hasDotLetter(view)) return null;
    const name = LFI_NAMES.exec(view);
    return name === null ? null : name[0].toLowerCase();
  }
  let m = LFI_TARGETS.exec(view);
  if (m === null && (view.indexOf('/./') >= 0 || view.indexOf('//') >= 0)) m = LFI_TARGETS.exec(view.replace(FOLDED_SEGMENTS, '/'));
  return m === null ? null : m[0].toLowerCase();
}

/**
 * A whole value that is an absolute path into the system's configuration, logs, process details or
 * the administrator's home (after any `../` climbs, a drive letter, a trailing NUL):
 * `/etc/apache2/apache2.conf`, `/var/log/auth.log`, `/proc/version`, `/root/.bash_history`, as
 * ModSecurity CRS 930120's OS-file list knows them (of /root and /boot only what no route is
 * named: dot files, the boot loader's). A parameter holds such a path only to have the server read it. Not
 * the request's own path, where a site may have pages under `/etc/`, and not prose, where a path
 * sits among words.
 */
const SYSTEM_PATH =
  /^(?:[a-z]:)?(?:\.\.\/+)*\/+(etc|proc|root(?=\/\.)|boot\/(?:grub|loader)|private\/etc|var\/(?:log|adm|run|spool|mail|cpanel|lib\/mysql|www\/logs?)|usr\/local\/(?:etc|apache2?|cpanel|lib\/php)|opt\/(?:lampp|xampp))(?:\/[^\s\0]*)?\0*$/i;

/** IIS's configuration file, as the file asked for: the whole value, or its last segment. */
const IIS_CONFIG = /(?:^|\/)web\.config\0*$/i;

/** `/./` and runs of slashes, which a file system reads as one `/`. */
const FOLDED_SEGMENTS = /\/(?:\.?\/)+/g;

/**
 * Count of segments of nothing but two or more dots (`../`, or a trailing `..`) in a
 * slash-normalised value: old Windows read `.../` as two levels up.
 */
function dotDotSegments(view: string): number {
  let count = 0;
  for (let i = view.indexOf('..'); i >= 0; i = view.indexOf('..', i)) {
    let end = i + 2;
    while (end < view.length && view.charCodeAt(end) === 46) end++;
    if ((i === 0 || view.charCodeAt(i - 1) === 47) && (end === view.length || view.charCodeAt(end) === 47)) count++;
    i = end;
  }
  return count;
}

/** Whether the last `detectTraversal` call let a URL through only because it named the request's own host. */
let ownHostPassed = false;

/**
 * True when the last `detectTraversal` call found nothing only because a URL named `ownHost`: the
 * same value asked of another host is a remote inclusion, so that verdict holds for this host alone.
 */
export function passedForOwnHost(): boolean {
  return ownHostPassed;
}

/**
 * A reason when the field shows path traversal or a local file inclusion target, or null.
 * `value`: the field's value, or another reading of it (see the web detector); `ownHost`: the
 * request's host name (lower case), whose own URLs are no remote inclusion.
 */
export function detectTraversal(field: HttpField, normalizedPath: string, value = field.value, ownHost = ''): string | null {
  ownHostPassed = false;
  if (field.kind === FieldKind.PATH) {
    if (field.flags & HttpFlag.PATH_ABOVE_ROOT) return 'path climbs above the web root';
    if (field.flags & HttpFlag.ENCODED_TRAVERSAL && value.indexOf('..') >= 0) return 'encoded dot-dot segment';
    // Tomcat, Jetty and Spring drop a segment's path parameters before resolving dot segments, so
    // `/app/..;/manager/html` is `/manager/html` to them and `/app/...` to a proxy's rules. No
    // page links a `..;` segment: it is there to get past those rules.
    if (value.indexOf('..;') >= 0 && DOT_DOT_PARAMETER.test(pathView(value))) return 'dot-dot segment with a path parameter (..;)';
    const target = lfiTarget(pathView(normalizedPath));
    return target !== null ? `file inclusion target ${target}` : null;
  }
  if (value.indexOf('.') < 0 && value.indexOf(':') < 0 && value.indexOf('/') < 0 && value.indexOf('\\') < 0) return null;
  const view = pathView(value);
  const target = lfiTarget(view);
  if (target !== null) return `file inclusion target ${target}`;
  if (view.indexOf('/') >= 0) {
    const system = SYSTEM_PATH.exec(view);
    if (system !== null) return `system file path /${system[1].toLowerCase()}/`;
  }
  if (view.indexOf('.') >= 0 && IIS_CONFIG.test(view)) return 'file inclusion target web.config';
  if (value.indexOf('<!') >= 0 && XXE_ENTITY.test(value)) return 'XML external entity';
  if (value.indexOf('://') > 0) {
    const remote = REMOTE_INCLUSION.exec(value);
    // A link back to the site itself (`return=https://shop.example/search?`, an empty query) is
    // no inclusion: that needs a server the attacker controls.
    if (remote !== null && (ownHost === '' || remote[1].toLowerCase() !== ownHost)) return `remote file inclusion (URL ending in ${remote[2] !== undefined ? '?' : 'a NUL byte'})`;
    ownHostPassed = remote !== null;
  }
  const ups = view.indexOf('..') >= 0 ? dotDotSegments(view) : 0;
  if (ups >= 2) return `${ups} dot-dot segments`;
  if (ups === 1 && field.flags & (HttpFlag.DOUBLE_ENCODED | HttpFlag.OVERLONG_UTF8 | HttpFlag.U_ENCODED)) return 'encoded dot-dot segment';
  return null;
}
