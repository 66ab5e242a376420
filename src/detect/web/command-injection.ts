/**
 * OS command injection: a shell separator (`;`, `|`, `||`, `&`, `&&`, a newline) or a command
 * substitution (`` `…` ``, `$(…)`) followed by a command a shell would run, and Shellshock's
 * `() {` function prefix. Commands that are also English words (cat, id, more, sleep, find …)
 * count only with shell-like arguments after them (a path, an option, a number, nothing), so
 * "Tom & Jerry", "dogs; cat lovers" and a User-Agent's `(X11; Linux x86_64)` pass; interpreters
 * (python, perl, java …) only with an argument or at the end of a pipe, so "C; Python; Java" passes.
 * Also OGNL expressions that Apache Struts evaluates (S2-045's Content-Type, S2-057's path):
 * injected code whose purpose is the same, running commands on the server.
 */

/** Something a command could follow. */
const SEPARATOR = /[;|&\n`]|\$\(/;

/** Commands never written after a separator in prose. */
const COMMANDS = new Set([
  'wget', 'curl', 'nc', 'ncat', 'netcat', 'bash', 'sh', 'zsh', 'ksh', 'csh', 'tcsh', 'dash', 'ash',
  'whoami', 'uname', 'ifconfig', 'ipconfig', 'nslookup', 'powershell', 'pwsh', 'cmd', 'cmd.exe', 'busybox', 'chmod', 'chown', 'socat', 'telnet', 'tftp', 'xterm',
  'mkfifo', 'base64', 'systeminfo', 'netstat', 'crontab', 'useradd', 'certutil', 'bitsadmin', 'wmic', 'pwd', 'hostname', 'passwd', 'sudo', 'su',
  'tasklist', 'taskkill', 'reg', 'regsvr32', 'rundll32', 'mshta', 'cscript', 'wscript', 'xxd', 'uuencode', 'openssl', 'nmap', 'ssh', 'scp',
  'rsync', 'gcc', 'grep', 'printenv', 'nohup', 'xargs', 'ps', 'killall', 'getent', 'lsb_release', 'lsof', 'dmesg', 'lscpu', 'lsmod',
  'iptables', 'tcpdump', 'pkill', 'pgrep', 'setsid', 'mknod', 'netsh',
  // SQL Server's procedure that runs a shell command (`EXEC xp_cmdshell 'whoami'`).
  'xp_cmdshell',
]);

/**
 * Commands that are also words: they need shell-like arguments (or nothing) after them. Some are
 * English (cat, more, sleep), some are what prose and code comments say of a command ("eval is
 * evil", "export to CSV", "awk & sed tutorial", "; ls is a command", "; cc me").
 */
const WORD_COMMANDS = new Set([
  'cat', 'id', 'more', 'less', 'head', 'tail', 'type', 'dir', 'echo', 'sleep', 'ping', 'find', 'sort', 'touch', 'time', 'date', 'who', 'w', 'net', 'set', 'print', 'printf', 'copy', 'del', 'start', 'call', 'ver',
  'eval', 'exec', 'export', 'env', 'timeout', 'kill', 'host', 'dig', 'cc', 'od', 'ls', 'rm', 'awk', 'sed',
]);

/**
 * Interpreters, also the names of languages, which profiles and course pages list ("skills: C;
 * Python; Java", "Perl & Ruby"): one runs something only with an argument (`; python -c …`,
 * `;perl -e …`, `&& node /tmp/x.js`), or with its script piped in (`| python` at the end: in a
 * title, "Home | Python | Blog" is a list).
 */
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'php', 'ruby', 'lua', 'java', 'node']);

/**
 * Commands that are words and are followed by words and numbers in prose ("; free 5 items",
 * "; route 66"): they count only with an option or an absolute path after them (`; df -h`,
 * `; nl /etc/passwd`), see OPTION_OR_PATH.
 */
const OPTION_COMMANDS = new Set(['tac', 'nl', 'df', 'ss', 'arp', 'route', 'free', 'ip']);

/** Blanks, then an option (`-h`, `--all`) or an absolute path. */
const OPTION_OR_PATH = /[ \t]+(?:--?[A-Za-z]|\/)/y;

function isCmdChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === 45 || c === 92;
}

/** Skips spaces, tabs and `${IFS}`-style separators; returns the next index. */
function skipBlank(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) i++;
    else if (s.startsWith('${IFS}', i) || s.startsWith('$IFS', i)) i += s.startsWith('${IFS}', i) ? 6 : 4;
    else return i;
  }
}

/** A URL scheme a downloader takes, at the start of an argument. */
const URL_ARG = /(?:https?|ftps?|tftp):\/\//iy;

/**
 * True when what follows a word command looks like its shell arguments. `numbers`: a number counts
 * as one (see `argumentAt`).
 */
function shellArgs(s: string, i: number, numbers: boolean): boolean {
  if (i >= s.length) return true;
  const c = s.charCodeAt(i);
  if (c === 59 || c === 124 || c === 38 || c === 96 || c === 62 || c === 60 || c === 10 || c === 13 || c === 41 || c === 35) return true;
  // `${IFS}` as the blank is the shell's own field separator: nobody writes it in prose.
  if (s.startsWith('${IFS}', i) || s.startsWith('$IFS', i)) return true;
  if (c !== 32 && c !== 9) return false;
  const j = skipBlank(s, i);
  return lineEndAt(s, j) || argumentAt(s, j, numbers);
}

/** True when nothing but blanks is left of the line at `i`. */
function lineEndAt(s: string, i: number): boolean {
  const j = skipBlank(s, i);
  return j >= s.length || s.charCodeAt(j) === 10 || s.charCodeAt(j) === 13;
}

/**
 * Whether a word command alone on its line (`\nid\n`) counts, after a newline separator. Text of
 * several lines has lines of one word ("Date", "Time", "cat" in a list); an injected line follows
 * the one value the field was meant to hold (`127.0.0.1\nid`, `\nid\n`), ends the value, and runs
 * only as typed in lower case.
 */
const enum Alone {
  /** Not after a newline: the command's usual rules. */
  ANY,
  /** After a first line of one token (no blanks) or none: counts when typed in lower case and last in the value. */
  IF_LOWER,
  /** After any other line: never. */
  NEVER,
}

/** True when an interpreter at `i` gets an argument: after blanks (or `${IFS}`), or an input redirection. */
function interpreterArgs(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c === 60) return true;
  const j = skipBlank(s, i);
  if (j === i || j >= s.length) return false;
  // A separator or a comment after the blanks ends the command there: "Python ; Java" is a list.
  const d = s.charCodeAt(j);
  return d !== 59 && d !== 124 && d !== 35 && argumentAt(s, j, false);
}

/**
 * True when an argument a shell command takes starts at `j`. A number is one when `numbers` is set
 * (a command whose argument is a count: `; sleep 5`, or one never written in prose), or when it is
 * a redirection (`2>&1`) or an IPv4 address (`; host 10.0.0.1`): after a word command, prose has
 * counts ("Buy 2; more 20% off", "; type 2 diabetes", "C; Python 3; Java").
 */
function argumentAt(s: string, j: number, numbers: boolean): boolean {
  const d = s.charCodeAt(j);
  // A URL (what a downloader fetches: `wget http://…`, `curl https://…`).
  URL_ARG.lastIndex = j;
  if (URL_ARG.test(s)) return true;
  // A path, an option, a variable, a quoted word, a home dir, a redirection, a comment.
  if (d === 47 || d === 45 || d === 36 || d === 39 || d === 34 || d === 126 || d === 46 || d === 92 || d === 62 || d === 60 || d === 124 || d === 59 || d === 35) return true;
  if (d >= 48 && d <= 57) {
    if (numbers) return true;
    NUMBER_ARG.lastIndex = j;
    return NUMBER_ARG.test(s);
  }
  // A Windows drive path: `dir c:\`, `type C:\Windows\win.ini`.
  const e = s.charCodeAt(j + 1);
  const f = s.charCodeAt(j + 2);
  if ((d | 0x20) >= 97 && (d | 0x20) <= 122 && e === 58 && (f === 92 || f === 47)) return true;
  // A Windows environment variable, which cmd.exe expands: `type %SYSTEMROOT%\repair\SAM`, `echo %USERNAME%`.
  if (d === 37) {
    WINDOWS_VARIABLE.lastIndex = j;
    if (WINDOWS_VARIABLE.test(s)) return true;
  }
  WORD_ARG.lastIndex = j;
  return WORD_ARG.test(s);
}

/** Digits that are a redirection's file descriptor (`2>&1`, `1>/tmp/x`) or an IPv4 address (sticky). */
const NUMBER_ARG = /\d[<>]|\d{1,3}(?:\.\d{1,3}){3}(?![\w.])/y;

/** Word commands whose argument is a number: a count of seconds or a process id. */
const NUMBER_COMMANDS = new Set(['sleep', 'kill', 'timeout']);

/** `%NAME%`, a Windows environment variable as cmd.exe writes it (sticky). */
const WINDOWS_VARIABLE = /%[A-Za-z_][\w()]{0,31}%/y;

/**
 * Arguments that start with a letter but are no prose word: an assignment (`export PATH=/tmp`), a
 * server (`dig @192.0.2.1`, `@ns1.example`; SQL's `SET @x=` is a variable), a file or host name
 * (`cat config.php`, `ping evil.example`; both parts two characters or more, so "i.e." and "e.g."
 * stay words).
 */
const WORD_ARG = /[A-Za-z_]\w*=|@(?:\d|[\w-]+\.)|[\w-]{2,}(?:\.[\w-]+)*\.[A-Za-z0-9-]{2,}/y;

/** A command the shell finds by a glob (`/???/??t /etc/passwd`, `/bin/c?t`): no prose has one after a separator. */
const GLOB_COMMAND = /[ \t]*\/[\w?*[\]]*\/[\w?*[\]]*[?*[][\w?*[\]]*(?=[\s;|&]|$)/y;

/** The command of a brace expansion at `i` (`{cat,/etc/passwd}` runs cat), or null. */
function braceCommand(s: string, i: number): string | null {
  i = skipBlank(s, i);
  if (s.charCodeAt(i) !== 123) return null;
  const comma = s.indexOf(',', i + 1);
  if (comma < 0 || comma - i > 24) return null;
  const word = s.slice(i + 1, comma).toLowerCase();
  const base = word.slice(word.lastIndexOf('/') + 1);
  return COMMANDS.has(base) || WORD_COMMANDS.has(base) || INTERPRETERS.has(base) ? base : null;
}

/**
 * Length of a shell expansion at `i` that is empty in a command line, or 0: `$@` and `$*` (no
 * arguments), `$()` and an empty backtick pair, and a one-letter variable nobody sets (`$u`,
 * `${u}`), which obfuscators put inside a command name.
 */
function emptyExpansion(s: string, i: number): number {
  if (s.charCodeAt(i) === 96) return s.charCodeAt(i + 1) === 96 ? 2 : 0;
  if (s.charCodeAt(i) !== 36) return 0;
  const c = s.charCodeAt(i + 1);
  if (c === 64 || c === 42) return 2;
  if (c === 40) return s.charCodeAt(i + 2) === 41 ? 3 : 0;
  if (c === 123) return isLetter(s.charCodeAt(i + 2)) && s.charCodeAt(i + 3) === 125 ? 4 : 0;
  return isLetter(c) && !isCmdChar(s.charCodeAt(i + 2)) ? 2 : 0;
}

function isLetter(c: number): boolean {
  return (c | 0x20) >= 97 && (c | 0x20) <= 122;
}

function isBlankAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c === 32 || c === 9;
}

/**
 * The command word at `i` (after blanks), with a path prefix removed (`/bin/cat` → cat). `strict`:
 * any command needs shell-like arguments; `piped`: the separator was a pipe, into which an
 * interpreter reads its script; `inner`: the word is the argument of a command that runs another
 * (`exec`, `eval`…), where only a command never written in prose counts.
 */
function commandAt(s: string, i: number, strict: boolean, piped: boolean, inner = false, alone = Alone.ANY): string | null {
  i = skipBlank(s, i);
  // Windows' shell named by its environment variable (`& %COMSPEC% /c whoami`).
  COMSPEC.lastIndex = i;
  if (COMSPEC.test(s)) return 'cmd';
  // An expansion that is empty before the command (`;$u whoami`) leaves the command first.
  for (let e = emptyExpansion(s, i); e > 0 && isBlankAt(s, i + e); e = emptyExpansion(s, i)) i = skipBlank(s, i + e);
  // Quotes inside a command name are removed by the shell (c'a't, w"h"oami), and so are
  // expansions that are empty (who$@ami, w$()hoami, cat$u).
  let j = i;
  let word = '';
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 39 || c === 34) {
      if (word === '') break;
      j++;
      continue;
    }
    if ((c === 36 || c === 96) && word !== '') {
      const e = emptyExpansion(s, j);
      if (e === 0) break;
      j += e;
      continue;
    }
    if (!isCmdChar(c)) break;
    word += s[j];
    j++;
  }
  if (word === '') return null;
  const lower = word.toLowerCase();
  // A backslash is a Windows path separator (`C:\Windows\System32\cmd.exe`), or to a POSIX
  // shell an escape it drops (`w\hoami` runs whoami): the word is read both ways.
  // A command named by its path (`\n/usr/bin/id`) is no word of a list: its usual rules apply.
  const lineAlone = lower.indexOf('/') >= 0 ? Alone.ANY : alone;
  const typedLower = lower === word;
  const found = knownCommand(s, j, strict, piped, inner, lower.replace(/\\/g, '/'), lineAlone, typedLower);
  return found !== null || lower.indexOf('\\') < 0 ? found : knownCommand(s, j, strict, piped, inner, lower.replace(/\\/g, ''), lineAlone, typedLower);
}

/** The command `path` (lower case, `/`-separated) names, when what follows at `j` fits it; or null. */
function knownCommand(s: string, j: number, strict: boolean, piped: boolean, inner: boolean, path: string, alone: Alone, typedLower: boolean): string | null {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  // What is in /etc is a file, not a command (`..;/etc/passwd` names the password file).
  if (slash >= 3 && path.startsWith('etc', slash - 3) && (slash === 3 || path.charCodeAt(slash - 4) === 47)) return null;
  // A procedure may be named with its database and schema (`master..xp_cmdshell`, `master.dbo.xp_cmdshell`).
  if (inner) return COMMANDS.has(base) || COMMANDS.has(base.slice(base.lastIndexOf('.') + 1)) ? base : null;
  if (INTERPRETERS.has(base)) return interpreterArgs(s, j) || (piped && !strict && skipBlank(s, j) >= s.length) ? base : null;
  if (OPTION_COMMANDS.has(base)) {
    OPTION_OR_PATH.lastIndex = j;
    return OPTION_OR_PATH.test(s) ? base : null;
  }
  if (COMMANDS.has(base)) {
    if (!strict) return base;
    return shellArgs(s, j, true) ? base : null;
  }
  if (!WORD_COMMANDS.has(base)) return null;
  // Windows' `net` takes its subcommand as a word (`& net user x P@ss /ADD`, `| net view`).
  if (base === 'net') {
    NET_SUBCOMMAND.lastIndex = j;
    if (NET_SUBCOMMAND.test(s)) return base;
  }
  if (alone !== Alone.ANY && lineEndAt(s, j)) return alone === Alone.IF_LOWER && typedLower && blankToEnd(s, j) ? base : null;
  if (shellArgs(s, j, NUMBER_COMMANDS.has(base))) return base;
  // A command that runs the next word as a command: `; exec bash`, `; EXEC xp_cmdshell 'dir'`.
  return RUNNERS.has(base) && commandAt(s, j, strict, false, true) !== null ? base : null;
}

/** The subcommands of Windows' `net` that read or change accounts, shares and services, after blanks. */
const NET_SUBCOMMAND = /[ \t]+(?:user|localgroup|group|view|share|use|session|accounts|start|stop|config)\b/iy;

/** `%COMSPEC%`, which cmd.exe expands to its own path. */
const COMSPEC = /%comspec%/iy;

/** Word commands whose argument is another command. */
const RUNNERS = new Set(['eval', 'exec', 'env', 'timeout', 'time', 'start', 'call']);

/**
 * A command word built from a substring expansion (`${PATH:0:1}bin${PATH:0:1}id` is /bin/id):
 * shell syntax no prose or template has, written to hide a path or a name from filters.
 */
const SUBSTRING_EXPANSION = /[ \t]*[\w/]*\$\{[A-Za-z_]\w*:[ -]?-?\d+(?::-?\d+)?\}/y;

/**
 * What only an OGNL expression written to escape Struts' sandbox or reach the runtime holds: its
 * member-access switch, the OGNL context and Struts' (xwork2) classes, static calls of
 * `java.lang.Runtime` and `ProcessBuilder`.
 */
const OGNL_MARKER = /#_memberAccess|@ognl\.OgnlContext@|#context\[|#context\.get\(|com\.opensymphony\.xwork2\.|xwork\.MethodAccessor|@java\.lang\.Runtime@|new java\.lang\.ProcessBuilder\(/;
/** How an OGNL expression reaches Struts' evaluator: `%{…}`, `${…}`, `(#…)`, or a static call `@Class@`. */
const OGNL_SYNTAX = /[%$]\{|\(#|#_memberAccess|@[\w.]+@\w/;

/**
 * A reason when `value` is an OGNL expression injection (Apache Struts remote code execution:
 * CVE-2017-5638 in a Content-Type, CVE-2018-11776 in a path, `redirect:${…}`, `method:#_memberAccess…`), or null.
 */
export function detectOgnl(value: string): string | null {
  if (value.indexOf('#') < 0 && value.indexOf('@') < 0) return null;
  const m = OGNL_MARKER.exec(value);
  return m !== null && OGNL_SYNTAX.test(value) ? `OGNL expression injection (${m[0]})` : null;
}

/** Shellshock: a bash function definition, which a vulnerable bash runs the rest of. */
const SHELLSHOCK = /^\s*\(\s*\)\s*\{/;

/**
 * A reason when `value` is code a server runs whatever field carries it, protocol headers too
 * (Shellshock's function prefix, an OGNL expression in a Content-Type), or null.
 */
export function detectServerCode(value: string): string | null {
  return SHELLSHOCK.test(value) ? 'shellshock function definition' : detectOgnl(value);
}

/**
 * A JSP, ASP or ASP.NET page that runs commands (a web shell): inside `<%`, a Java process start,
 * VBScript's eval or Execute of a request value, the Windows shell object, a .NET process start.
 */
const SERVER_PAGE_CALL = /Runtime\.getRuntime\(\)\.exec|new\s+(?:java\.lang\.)?ProcessBuilder|\beval\s*\(?\s*request\b|\bexecute(?:global)?\s*\(?\s*request\b|WScript\.Shell|Process\.Start/gi;

/** How far before such a call its page's `<%` may be. */
const SERVER_PAGE_REACH = 512;

/**
 * A reason when `value` holds a server page that runs commands, or null. The calls are searched
 * for, then a `<%` behind each: one pass, where a search from every `<%` read 64 KB of them in
 * quadratic time.
 */
export function detectServerPage(value: string): string | null {
  if (value.indexOf('<%') < 0) return null;
  SERVER_PAGE_CALL.lastIndex = 0;
  for (let m = SERVER_PAGE_CALL.exec(value); m !== null; m = SERVER_PAGE_CALL.exec(value)) {
    const open = value.lastIndexOf('<%', m.index);
    if (open >= 0 && m.index - open <= SERVER_PAGE_REACH) return `server page code (${m[0].replace(/\s+/g, ' ')})`;
  }
  return null;
}

/**
 * Argument names that frameworks bind to objects, written to reach code: Spring's class loader
 * (`class.module.classLoader.resources.context.parent.pipeline.first.pattern`, Spring4Shell,
 * CVE-2022-22965, which writes a JSP web shell) and Drupal's render array callbacks
 * (`mail[#post_render][]=exec`, Drupalgeddon2, CVE-2018-7600).
 */
const BOUND_NAME = /(?:^|[.[])class[.[\]]{1,2}module[.[\]]{1,2}classloader\b|\[#(?:post_render|pre_render|lazy_builder|access_callback)\]/i;

/** Shortest name `detectBoundName` can match (`_method`). */
export const BOUND_NAME_MIN = 7;

/** ThinkPHP's method override pointed at its own constructor (see `detectBoundName`). */
const THINKPHP_CONSTRUCT = /^\s*__construct\s*$/i;

/**
 * A reason when an argument reaches code through a framework's binding of its name, or null:
 * see BOUND_NAME, and ThinkPHP 5's `_method=__construct` (CVE-2018-20062's sibling in 5.0.23),
 * which lets the arguments after it set the request's filter to a PHP function (`filter[]=system`).
 */
export function detectBoundName(name: string, value: string): string | null {
  if (name === '_method') return THINKPHP_CONSTRUCT.test(value) ? 'ThinkPHP method override (_method=__construct)' : null;
  const m = BOUND_NAME.exec(name);
  if (m === null) return null;
  return m[0].indexOf('#') >= 0 ? `Drupal render array callback (${m[0].slice(1, -1)})` : 'Spring class loader binding (class.module.classLoader)';
}

/**
 * PHP functions that run commands or code, and the `exit(md5(…))` or `echo md5('…')` scanners
 * prove a run with (of a constant: `echo md5($password)` is what PHP pages do).
 */
const PHP_CALLS =
  'system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|phpinfo|eval|assert|create_function|base64_decode|call_user_func|file_put_contents|(?:exit|die|print)\\s*\\(\\s*md5|echo\\s+md5(?=\\s*\\(\\s*[\'"])';

/** What a call's argument starts with in code, not prose: a string, a variable, a call, or nothing. */
const PHP_ARG = `\\s*(?:['"\`$)]|\\w+\\s*\\()`;

/**
 * What may close a call around the string broken out of before the `;` (`',''));`): further
 * arguments (a short string or a word) and closing parentheses, a few (a bound on each try).
 */
const PHP_CLOSE = `(?:\\s*(?:,\\s*(?:'[^']{0,64}'|"[^"]{0,64}"|\\w{1,64})|\\))){0,8}`;

/**
 * PHP code where an application evaluates a string: one of PHP_CALLS after a closed string (and
 * the call around it closed: `',''));phpinfo();`) and
 * `.` or `;` (`'.exit(md5(…));//`, `";system('id');`), stacked at the start (`;phpinfo();`), or in
 * complex string syntax (`${@phpinfo()}`); a scanner's `exit(md5(` after any `;` or `.`; an
 * opening tag with such a call in a body (a web shell); or a whole statement of such a call that
 * starts the value, where an application evaluates a field as PHP (`echo shell_exec('id');`,
 * vBulletin's widget code, CVE-2019-16759). Each call with an argument that starts as code does
 * (`'System(s) go'` is prose).
 */
const PHP_CODE = new RegExp(
  `(?:^\\s*;|['"]${PHP_CLOSE}\\s*[.;]|\\$\\{@?|\\{\\$\\{)\\s*@?(${PHP_CALLS})\\s*\\(${PHP_ARG}|[;.]\\s*((?:exit|die|print)\\s*\\(\\s*md5)\\s*\\(|<\\?(?:php\\b|=)[\\s\\S]{0,256}?\\b(${PHP_CALLS})\\s*\\(${PHP_ARG}|` +
    `^\\s*(?:(?:echo|print)\\s+|@)?(${PHP_CALLS})\\s*\\(${PHP_ARG}[^;\\n]{0,256}\\)\\s*;`,
  'i',
);

/**
 * A whole value that is one call of a PHP function that runs commands or code, with a string
 * argument or none (`system('id')`, `phpinfo()`), where an application evaluates a field as PHP;
 * and PHP's complex string syntax calling a function (`{${sleep(5)}}`, `${@print(md5(x))}`), which
 * runs where a string built from a field is evaluated. JavaScript's `${fn(x)}` has neither the
 * `{` before it nor the `@`.
 */
const PHP_WHOLE_CALL = /^\s*@?(system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|eval|assert|phpinfo)\s*\(\s*(?:(?:'[^'\n]{0,256}'|"[^"\n]{0,256}")\s*(?:,[^()\n]{0,64})?)?\)\s*;?\s*$/i;
const PHP_COMPLEX_CALL = /\{\$\{\s*@?\s*(\w+)\s*\(|\$\{\s*@\s*(\w+)\s*\(/;

/** A reason when `value` injects PHP code that runs commands or code, or null. */
export function detectPhpCode(value: string): string | null {
  if (value.indexOf('`') >= 0 && value.indexOf('<?') >= 0 && PHP_BACKTICK.test(value)) return 'PHP code injection (backtick shell)';
  if (value.indexOf('(') < 0) return null;
  const m = PHP_CODE.exec(value);
  if (m !== null) return `PHP code injection (${(m[1] ?? m[2] ?? m[3] ?? m[4]).replace(/\s*\(\s*md5$/i, '').toLowerCase()})`;
  const w = PHP_WHOLE_CALL.exec(value) ?? (value.indexOf('${') >= 0 ? PHP_COMPLEX_CALL.exec(value) : null);
  return w === null ? null : `PHP code injection (${(w[1] ?? w[2]).toLowerCase()})`;
}

/**
 * Server-side JavaScript injection (Node's eval of a string built from a request value): a string
 * broken with `;` and followed by JavaScript statements and a line comment that cuts the rest
 * off (wapiti's `';d=new Date();do{cd=new Date();}while(cd-d<10000);//`), or Node's
 * child_process module required anywhere.
 */
const SERVER_JS =
  /['"]\s*;\s*(?:(?:var|let|const)\s+)?(?:[\w$]+\s*=\s*)?(?:new\s+Date\s*\(|require\s*\(|process\s*\.|(?:setTimeout|setInterval|eval|Function)\s*\(|while\s*\(|do\s*\{|for\s*\()[^\n]{0,256}?;\s*\/\/[^\n]*$|\brequire\s*\(\s*['"`](?:node:)?child_process['"`]\s*\)/;

/** A reason when `value` injects JavaScript that a Node server evaluates, or null. */
export function detectServerJs(value: string): string | null {
  if (value.indexOf(';') < 0 && value.indexOf('child_process') < 0) return null;
  return SERVER_JS.test(value) ? 'server-side JavaScript injection' : null;
}

/**
 * Code in the expression languages Java servers evaluate, reaching the runtime: SpEL's type
 * reference (`T(java.lang.Runtime)`, Spring Cloud Function's routing expression), reflection to
 * the runtime or a script engine (`.forName('java.lang.Runtime')`: EL, Velocity, Confluence's
 * OGNL with `\u0022` quotes), FreeMarker's Execute class, Commons Text's script lookup
 * (Text4Shell), and the runtime's exec called (`Runtime.getRuntime().exec(`: MVEL, Druid's
 * JavaScript, WebLogic's ShellSession).
 */
const JAVA_RUNTIME =
  /\bT\s*\(\s*java\.lang\.(?:Runtime|ProcessBuilder)\s*\)|\bforName\s*\(\s*(?:['"]|\\u002[27])(?:java\.lang\.(?:Runtime|ProcessBuilder)|javax\.script\.ScriptEngineManager)\b|freemarker\.template\.utility\.(?:Execute|ObjectConstructor|JythonRuntime)\b|\$\{script:\w+:|\bRuntime\.getRuntime\s*\(\s*\)[^\n]{0,64}?\.exec\s*\(/;

/**
 * What a server-side template injection writes to run code, searched for first (see
 * `detectTemplateCode`): Python's object graph (`__globals__`, `__subclasses__` …, Jinja2),
 * Twig's filter callback and a PHP function handed to a filter (`|filter('system')`), Perl
 * Template Toolkit's `template.new(` and `readpipe(` (Citrix CVE-2019-19781).
 */
const TEMPLATE_CALL =
  /__(?:class|globals|builtins|subclasses|mro|bases?|import|init)__|registerUndefinedFilterCallback|\|\s*(?:filter|map|reduce|sort)\s*\(\s*['"](?:system|exec|passthru|shell_exec|popen|proc_open)['"]|\b(?:readpipe|template\.new)\s*\(/g;

/** Template delimiters that open an expression or a statement: `{{`, `{%` (Jinja2, Twig), `[%` (Template Toolkit). */
const TEMPLATE_OPEN = /\{\{|\{%|\[%/g;

/** How far before such a call its template's opening delimiter may be. */
const TEMPLATE_REACH = 256;

/**
 * A reason when `value` is a template expression that reaches code, or null. The calls and the
 * opening delimiters are searched for side by side, each once, the last delimiter before each call
 * kept: linear, where a pattern from every `{{` (or a search back from every call) read a value
 * full of them in quadratic time.
 */
export function detectTemplateCode(value: string): string | null {
  if (value.indexOf('{{') < 0 && value.indexOf('{%') < 0 && value.indexOf('[%') < 0) return null;
  TEMPLATE_CALL.lastIndex = 0;
  TEMPLATE_OPEN.lastIndex = 0;
  let open = TEMPLATE_OPEN.exec(value);
  let last = -1;
  for (let m = TEMPLATE_CALL.exec(value); m !== null; m = TEMPLATE_CALL.exec(value)) {
    while (open !== null && open.index < m.index) {
      last = open.index;
      open = TEMPLATE_OPEN.exec(value);
    }
    if (last >= 0 && m.index - last <= TEMPLATE_REACH) return `template injection (${m[0].replace(/\s+/g, '')})`;
  }
  return null;
}

/**
 * Arithmetic of two numbers inside a template language's expression delimiters, the probe that
 * finds server-side template injection (`{{7*7}}` shows 49 where Jinja2 or Twig evaluates the
 * field, `{{7*'7'}}` tells them apart; `${7*7}` FreeMarker and EL, `#{7*7}` Thymeleaf and Ruby,
 * `*{7*7}` Thymeleaf, `[[${7*7}]]`, `${{7*7}}`, `<%= 7*7 %>` ERB, EJS and ASP): Burp's, tplmap's
 * and nuclei's first request. No page text or template writes a constant sum inside the delimiters.
 */
const TEMPLATE_PROBE =
  /(?:\{\{|[$#*]\{)\s*\d{1,10}\s*[*+\-/%]\s*(?:\d{1,10}|'\d{1,10}'|"\d{1,10}")\s*\}|<%=\s*\d{1,10}\s*[*+\-/%]\s*(?:\d{1,10}|'\d{1,10}'|"\d{1,10}")\s*-?%>/;

/**
 * Ruby run from an ERB tag (Rails and Sinatra pages rendered from a request value): a shell by
 * `system`, `exec`, `spawn`, `IO.popen`, `Open3`, backticks or `%x`, `eval`, or a file read.
 * `<%= @user.name %>` is a template's own code, not this.
 */
const ERB_CODE = /<%[=-]?\s*(?:(?:system|exec|spawn|eval|IO\.popen|Open3\.\w+|Kernel\.(?:system|exec|spawn|open)|File\.(?:open|read|readlines))\s*[('"]|`|%x[({[])/;

/** A reason when `value` holds a template injection probe (see TEMPLATE_PROBE) or Ruby code in an ERB tag (ERB_CODE), or null. */
export function detectTemplateProbe(value: string): string | null {
  if (value.indexOf('<%') >= 0) {
    const erb = ERB_CODE.exec(value);
    if (erb !== null) return `template injection (ERB ${erb[0].replace(/^<%[=-]?\s*/, '').replace(/\s*[('"{[]$/, '').replace('`', 'backticks')})`;
  } else if (value.indexOf('{') < 0) return null;
  const m = TEMPLATE_PROBE.exec(value);
  return m === null ? null : `template injection probe (${m[0].replace(/\s+/g, '')})`;
}

/**
 * Groovy's string and list `execute()` (a command run: `"id".execute().text`, what Jenkins' script
 * console is sent), Python's `__import__` of the modules that run commands, and ThinkPHP's routing
 * to a framework class (`s=/index/\think\app/invokefunction` or `s=index/think\app/…`, CVE-2018-20062;
 * its class path is bounded, so a value of `\think\` repeated is read in linear time).
 */
const SCRIPT_EXEC = /['"](?:\s*\])?\s*\.execute\s*\(\s*\)|__import__\s*\(\s*['"](?:os|subprocess|pty|commands)['"]|(?:^|[\\/])think\\[\w\\]{0,64}\/\w+/i;

/**
 * Java classes that deserialization exploits instantiate to reach code or a JNDI lookup: Fastjson's
 * and Jackson's `JdbcRowSetImpl` with an LDAP `dataSourceName`, the Commons Collections
 * transformers and `TemplatesImpl` of ysoserial's chains, XStream's `java.beans.EventHandler` and
 * `NativeString` (Struts' REST plugin, CVE-2017-9805), and the other JNDI sinks of Jackson's
 * gadget lists. No request names them but one written to run them.
 */
const JAVA_GADGET =
  /com\.sun\.rowset\.JdbcRowSetImpl|org\.apache\.commons\.collections4?\.functors\.(?:InvokerTransformer|ChainedTransformer|InstantiateTransformer)|com\.sun\.org\.apache\.xalan\.internal\.xsltc\.trax\.TemplatesImpl|org\.apache\.xbean\.propertyeditor\.JndiConverter|org\.apache\.commons\.configuration2?\.JNDIConfiguration|org\.apache\.ibatis\.datasource\.jndi\.JndiDataSourceFactory|org\.springframework\.beans\.factory\.config\.PropertyPathFactoryBean|sun\.reflect\.annotation\.AnnotationInvocationHandler|org\.codehaus\.groovy\.runtime\.ConvertedClosure|java\.beans\.EventHandler|jdk\.nashorn\.internal\.objects\.NativeString|ysoserial\./;

/** The start of a serialized Java object (`AC ED 00 05`) in base64. */
export const JAVA_SERIAL_BASE64 = 'rO0AB';

/**
 * A reason when `value` carries a Java deserialization gadget, by name (a JSON document for
 * Fastjson or Jackson, an XML one for XStream) or inside a serialized object, posted raw or sent
 * base64-encoded (a cookie, a ViewState), or null.
 */
export function detectJavaGadget(value: string): string | null {
  let text = value;
  if (value.startsWith(JAVA_SERIAL_BASE64)) text = Buffer.from(value, 'base64').toString('latin1');
  else if (value.indexOf('.') < 0) return null;
  // A serialized object (raw or decoded) names its classes with dots, as the source does.
  const m = JAVA_GADGET.exec(text);
  return m === null ? null : `Java deserialization gadget (${m[0].slice(m[0].lastIndexOf('.', m[0].length - 2) + 1)})`;
}

/**
 * YAML tags that make a loader build an object of the named type and run its code: Ruby's
 * `!ruby/object:` and kin (Rails' XML parameters with `type="yaml"`, CVE-2013-0156, whose probe
 * Nmap's http-vuln-cve2013-0156 sends), PyYAML's `!!python/object/apply:` and kin, and SnakeYAML's
 * class loaders (CVE-2022-1471). A document that carries them is a serialized object: no form,
 * API call or page sends one to a server but to have it built.
 */
const YAML_GADGET = /!ruby\/(?:object|hash|struct|marshal|sym|class|module):|!!python\/(?:object(?:\/apply|\/new)?|name|module):|!!javax\.script\.ScriptEngineManager|!!java\.net\.URLClassLoader/;

/** A reason when `value` holds a YAML tag that builds an object of a named type (see YAML_GADGET), or null. */
export function detectYamlGadget(value: string): string | null {
  const m = YAML_GADGET.exec(value);
  return m === null ? null : `YAML deserialization tag ${m[0].replace(/:$/, '')}`;
}

/** A server-side include that runs a command or a CGI program (Apache's mod_include, IIS): `<!--#exec cmd="id" -->`. */
const SSI_EXEC = /<!--\s*#\s*exec\s+(?:cmd|cgi)\s*=/i;

/**
 * A reason when `value` is code an expression, template or script language on a server runs
 * (see JAVA_RUNTIME, TEMPLATE_CALL, SCRIPT_EXEC, SSI_EXEC), or null.
 */
export function detectExpressionCode(value: string): string | null {
  if (value.indexOf('<!--') >= 0 && SSI_EXEC.test(value)) return 'server-side include exec';
  if (value.indexOf('(') >= 0 || value.indexOf('{') >= 0) {
    const m = JAVA_RUNTIME.exec(value);
    if (m !== null) return `expression injection (${m[0].replace(/\s+/g, ' ').slice(0, 48)})`;
  }
  const t = detectTemplateCode(value) ?? detectTemplateProbe(value);
  if (t !== null) return t;
  if (value.indexOf('(') < 0 && value.indexOf('\\') < 0) return null;
  const s = SCRIPT_EXEC.exec(value);
  if (s === null) return null;
  if (s[0].indexOf('execute') >= 0) return 'Groovy command execution (.execute())';
  return s[0].startsWith('__import__') ? `Python code injection (${s[0].replace(/\s+/g, '')})` : `ThinkPHP class routing (${s[0].replace(/^[\\/]/, '')})`;
}

/** PHP's backtick operator (a shell) run on a request value in a page: ``<?=`$_GET[0]`?>``, the smallest web shell. */
const PHP_BACKTICK = /<\?(?:php\b|=)[^`]{0,128}`[^`]{0,64}\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\b/i;

/**
 * A reason when `value` holds code a server runs whatever field carries it, uploaded files too:
 * Shellshock, OGNL, PHP code, a JSP or ASP page that runs commands; or null.
 */
export function detectWebShellCode(value: string): string | null {
  return detectServerCode(value) ?? detectPhpCode(value) ?? detectServerPage(value);
}

/**
 * Command lines whose purpose shows whatever comes before them, so that no separator is needed: a
 * whole value a vulnerable page hands to a shell as it is (`exec($_GET['host'])`), or text a
 * template or a log line carries. Each is syntax only an attacker's one-liner has: a reverse shell
 * (bash's `/dev/tcp/host/port` redirection, netcat or socat running a shell, Python's `pty.spawn`
 * and `os.dup2`), PowerShell's encoded command and download cradle, an interpreter or a shell
 * given its code inline as the whole value (`python -c '…'`, `sh -c id`, `cmd /c whoami`), and a
 * download saved to a world-writable directory. Each with the reason it gives, from its match in
 * lower case.
 */
const COMMAND_LINE_IDIOMS: readonly [string, (match: string) => string][] = [
  [String.raw`\/dev\/(?:tcp|udp)\/[\w.-]+\/\d+`, (m) => `reverse shell (${m.slice(0, 9)})`],
  [String.raw`\b(?:nc|ncat|netcat)(?:\.exe)?[ \t](?:[^\n;|&]{0,80}?[ \t])?(?:-[A-Za-z]*[ec]|--(?:sh-)?exec)[ \t=]*['"]?(?:[\w.:\\/-]*[\\/])?(?:(?:ba|da|k|z)?sh|cmd|powershell)(?:\.exe)?\b`, () => 'netcat running a shell'],
  [String.raw`\bsocat[ \t][^\n]{0,128}?\b(?:exec|system):`, () => 'socat running a shell'],
  [String.raw`\b(?:powershell|pwsh)(?:\.exe)?[ \t](?:[^\n]{0,128}?[ \t])?[-/](?:e|ec|enc|encodedcommand)[ \t]+[A-Za-z0-9+/]{8,}`, () => 'PowerShell encoded command'],
  [String.raw`\biex[ \t]*\(|\binvoke-expression\b|\.downloadstring[ \t]*\(|\bnew-object[ \t]+(?:system\.)?net\.webclient\b`, () => 'PowerShell download cradle'],
  [String.raw`\bpty\.spawn[ \t]*\(|\bos\.dup2[ \t]*\(`, (m) => `reverse shell (${m.replace(/[ \t]*\($/, '')})`],
  [String.raw`^[ \t]*(?:[\w.-]*\/)*(?:python[23]?|perl|ruby|php|lua|node)(?:\.exe)?[ \t]+(?:-\w+[ \t]+)*-[cer][ \t]+['"]`, oneLiner],
  [String.raw`^[ \t]*(?:[\w.:-]*[\\/])*(?:(?:ba|da|k|z)?sh[ \t]+-c|cmd(?:\.exe)?[ \t]+\/[ck])[ \t]+\S`, oneLiner],
  [String.raw`\b(?:wget|curl)[ \t][^\n]{0,256}?[ \t]-[OoP][ \t]*['"]?\/(?:tmp|dev\/shm|var\/tmp)\/`, (m) => `download to ${/\/(?:tmp|dev\/shm|var\/tmp)\/$/.exec(m)![0]}`],
];

/** The program of a one-liner match, without its directory (`/bin/sh -c id` → sh one-liner). */
function oneLiner(m: string): string {
  return `${m.trim().split(/[ \t]/)[0].replace(/^.*[\\/]/, '')} one-liner`;
}

/** COMMAND_LINE_IDIOMS as one alternation, each alternative a capture group (its index + 1 names it). */
const COMMAND_LINE_IDIOM = new RegExp(COMMAND_LINE_IDIOMS.map(([source]) => `(${source})`).join('|'), 'i');
if (new RegExp(`${COMMAND_LINE_IDIOM.source}|`).exec('')!.length !== COMMAND_LINE_IDIOMS.length + 1) throw new Error('a command line idiom must hold no capture group of its own');

/**
 * A reason when `value` holds a command line that is an attack without a separator before it
 * (see COMMAND_LINE_IDIOM), or null.
 */
export function detectCommandLine(value: string): string | null {
  const m = COMMAND_LINE_IDIOM.exec(value);
  if (m === null) return null;
  const k = m.findIndex((g, i) => i > 0 && g !== undefined) - 1;
  return COMMAND_LINE_IDIOMS[k][1](m[0].toLowerCase());
}

/**
 * Names of arguments that web shells and debug pages take a command in (`shell.php?cmd=id`,
 * `?exec=uname -a`); JSON members by their last name. Applications use some of them for actions
 * too (PayPal's `cmd=_s-xclick`, elFinder's `cmd=ls` and `cmd=chmod`): see `detectCommandParameter`.
 */
export const COMMAND_PARAMETERS = new Set(['cmd', 'command', 'cmdline', 'exec', 'execute', 'shell', 'run', 'system', 'syscmd', 'shellcmd', 'cmnd']);

/** Commands that only reconnaissance runs alone: no application names an action so. */
const RECON_COMMANDS = new Set(['whoami', 'id', 'uname', 'ifconfig', 'ipconfig', 'systeminfo', 'netstat', 'hostname', 'pwd', 'tasklist', 'printenv', 'getent', 'lsb_release']);

/**
 * A reason when `value`, the value of one of COMMAND_PARAMETERS, is a command line, or null: a
 * command with arguments (`ls -la`, `cat /etc/passwd`, `dir C:\`, `wget http://…`, `net user`),
 * or one of RECON_COMMANDS alone (`whoami`, `/usr/bin/id`). Any other command alone is an action's
 * name (elFinder's `cmd=ls`, `cmd=rm`, `cmd=chmod`) or a setting (a user's login shell,
 * `shell=/bin/bash`, in an admin page).
 */
export function detectCommandParameter(value: string): string | null {
  const i = skipBlank(value, 0);
  let j = i;
  while (j < value.length && isCmdChar(value.charCodeAt(j))) j++;
  if (j === i) return null;
  const word = value.slice(i, j).toLowerCase().replace(/\\/g, '/');
  const base = word.slice(word.lastIndexOf('/') + 1).replace(/\.exe$/, '');
  const known = COMMANDS.has(base) || WORD_COMMANDS.has(base) || OPTION_COMMANDS.has(base) || INTERPRETERS.has(base) || RECON_COMMANDS.has(base);
  if (!known) return null;
  const reason = `${base} as the command parameter's value`;
  if (blankToEnd(value, j)) return RECON_COMMANDS.has(base) ? reason : null;
  if (base === 'net') {
    NET_SUBCOMMAND.lastIndex = j;
    if (NET_SUBCOMMAND.test(value)) return reason;
  }
  // After the word: blanks and an argument (a separator after it is the separator rule's).
  const k = skipBlank(value, j);
  return k > j && argumentAt(value, k, true) ? reason : null;
}

/**
 * A reason when `value` injects a shell command, an OGNL expression, PHP code, or code of another
 * language a server evaluates (`detectExpressionCode`), or null.
 * `productComments`: the value is a User-Agent, whose parenthesised comments list items split by
 * `;` (`(compatible; Nmap Scripting Engine; …)`, `(X11; Linux x86_64)`): a command named there
 * counts only with shell-like arguments after it, as after a newline.
 */
export function detectCommandInjection(value: string, productComments = false): string | null {
  const code = detectWebShellCode(value) ?? detectServerJs(value) ?? detectExpressionCode(value);
  if (code !== null) return code;
  return (SEPARATOR.test(value) ? separatedOrQuoted(value, productComments) : null) ?? detectCommandLine(value);
}

/** `separatedCommand`, on the value as given and, when it has bash's ANSI-C quoting, as bash reads it. */
function separatedOrQuoted(value: string, productComments: boolean): string | null {
  const found = separatedCommand(value, productComments);
  if (found !== null || value.indexOf("$'") < 0) return found;
  // Bash's ANSI-C quoting spells a word in escapes (`;$'\x69\x64'` runs id): read it as bash does.
  const plain = value.replace(ANSI_C_QUOTED, (_, body: string) => ansiCDecode(body));
  return plain !== value ? separatedCommand(plain, productComments) : null;
}

/** `$'…'`, bash's ANSI-C quoting (a `\'` inside does not end it). */
const ANSI_C_QUOTED = /\$'((?:[^'\\]|\\[\s\S])*)'/g;

/** The text of an ANSI-C quoted string's body: `\xHH`, `\NNN` octal, `\uHHHH`, `\n` … decoded. */
function ansiCDecode(body: string): string {
  return body.replace(/\\(?:x([0-9a-fA-F]{1,2})|([0-7]{1,3})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|(.))/g, (_, x: string, o: string, u: string, uu: string, c: string) => {
    const code = x !== undefined ? parseInt(x, 16) : o !== undefined ? parseInt(o, 8) : u !== undefined ? parseInt(u, 16) : uu !== undefined ? parseInt(uu, 16) : -1;
    if (code >= 0) return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    return ANSI_C_SIMPLE[c] ?? c;
  });
}

const ANSI_C_SIMPLE: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v' };

/** Blanks and line ends alone, to the end (sticky: tested where the command's word ends). */
const BLANK_TO_END = /[ \t\r\n]*$/y;

function blankToEnd(s: string, i: number): boolean {
  BLANK_TO_END.lastIndex = i;
  return BLANK_TO_END.test(s);
}

/** How a word command alone on the line after the newline at `nl` counts (see Alone): by the text before it. */
function lineBefore(s: string, nl: number): Alone {
  let end = nl;
  if (end > 0 && s.charCodeAt(end - 1) === 13) end--;
  while (end > 0 && isBlankAt(s, end - 1)) end--;
  for (let k = end - 1; k >= 0; k--) {
    const c = s.charCodeAt(k);
    if (c === 10 || c === 32 || c === 9) return Alone.NEVER;
  }
  return Alone.IF_LOWER;
}

/** The first separator of `value` followed by a command, as `detectCommandInjection` words it, or null. */
function separatedCommand(value: string, productComments: boolean): string | null {
  const n = value.length;
  // How deep in parentheses `i` is (counted only for product comments).
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    let from = -1;
    let strict = false;
    let what = '';
    if (productComments && (c === 40 || c === 41)) {
      depth = c === 40 ? depth + 1 : Math.max(0, depth - 1);
      continue;
    }
    if (c === 59) {
      from = i + 1;
      strict = depth > 0;
      what = ';';
    } else if (c === 124) {
      from = value.charCodeAt(i + 1) === 124 ? i + 2 : i + 1;
      what = '|';
    } else if (c === 38) {
      from = value.charCodeAt(i + 1) === 38 ? i + 2 : i + 1;
      what = '&';
    } else if (c === 10) {
      from = i + 1;
      strict = true;
      what = 'newline';
    } else if (c === 96) {
      from = i + 1;
      what = 'backtick';
    } else if (c === 36 && value.charCodeAt(i + 1) === 40) {
      from = i + 2;
      what = '$(';
    }
    if (from < 0) continue;
    const cmd = commandAt(value, from, strict, c === 124, false, c === 10 ? lineBefore(value, i) : Alone.ANY);
    if (cmd !== null) return `${what} then ${cmd}`;
    const braced = braceCommand(value, from);
    if (braced !== null) return `${what} then {${braced},…}`;
    SUBSTRING_EXPANSION.lastIndex = from;
    if (SUBSTRING_EXPANSION.test(value)) return `${what} then a substring expansion`;
    GLOB_COMMAND.lastIndex = from;
    const glob = GLOB_COMMAND.exec(value);
    if (glob !== null) return `${what} then ${glob[0].trim()}`;
  }
  return null;
}
