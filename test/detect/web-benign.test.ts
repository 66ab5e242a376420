/**
 * The benign corpus: pages and API calls whose text holds SQL words, HTML in JSON strings, `../`
 * in a Referer, a GraphQL query, base64 blobs, template placeholders, a binary upload and a large
 * binary download, and non-HTTP bytes on port 80. Not one alert.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/tools/scenario.js';
import { run, T0, type TestFrame } from '../helpers.js';
import { Conn } from '../stream/segments.js';

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const BROWSER =
  `User-Agent: ${UA}\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n` +
  'Accept-Language: en-GB,en;q=0.9,de;q=0.7\r\nAccept-Encoding: gzip, deflate, br\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate\r\n' +
  'Cookie: _ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; cart=%7B%22items%22%3A%5B3%2C7%5D%7D; theme=dark\r\n';

function get(target: string, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: shop.example\r\n${BROWSER}${extra}\r\n`;
}

function post(target: string, type: string, body: string | Buffer, extra = ''): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `POST ${target} HTTP/1.1\r\nHost: shop.example\r\n${BROWSER}${extra}Content-Type: ${type}\r\nContent-Length: ${bytes.length}\r\n\r\n${bytes.toString('latin1')}`;
}

function json(target: string, doc: unknown): string {
  return post(target, 'application/json', JSON.stringify(doc));
}

function randomBytes(n: number, seed: number): Buffer {
  const rng = new Rng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(0, 255);
  return b;
}

const BASE64_BLOB = randomBytes(3000, 7).toString('base64');
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

/** Requests a browser, an app or an API client sends every day. */
const REQUESTS: readonly [string, string][] = [
  ['a search full of SQL words', get('/search?q=select+the+best+union+jobs+from+our+list&sort=desc')],
  ['a form message with SQL words', post('/contact', 'application/x-www-form-urlencoded', 'message=Please+select+your+union+representative+from+the+list+below%2C+or+drop+us+a+line.&topic=where+to+insert+coins')],
  ['names and prose with apostrophes', post('/profile', 'application/x-www-form-urlencoded', "name=O%27Brien&comment=It%27s+1+or+2+items%2C+don%27t+worry%3B+we%27ll+update+the+table+set+later&nick=rock+%27n%27+roll")],
  ['a blog post about SQL in JSON', json('/api/posts', { title: 'How to DROP TABLE safely in PostgreSQL', body: 'Use <b>transactions</b> and <a href="https://www.postgresql.org/docs/">the docs</a>. SELECT * FROM users WHERE id = 1; is fine in psql, and DELETE FROM sessions needs a WHERE clause.', tags: ['sql', 'union', 'select'] })],
  ['notes exported as newline-delimited JSON under a type of its own (read raw): SQL and HTML words', post('/import', 'application/x-ndjson', '{"note":"select the union rep, then drop by"}\n{"note":"<b>bold</b> and 5 > 3"}\n')],
  ['a JSON document under a vendor type (read as JSON): prose with SQL words and markup', post('/api/v2/notes', 'application/vnd.shop.note.v2', '{"title":"Where to insert coins","body":"Please select your union representative; <i>see</i> the FAQ."}')],
  ['JSON inside a JSON string (an editor saving a document): SQL and HTML words', json('/api/save', { event: 'save', payload: JSON.stringify({ title: 'select the union rep', body: '<b>hi</b> and 5 > 3', tags: ['drop', 'table'] }) })],
  ['a form in IBM037 whose words are SQL words', post('/search', 'application/x-www-form-urlencoded; charset=ibm037', '%98=%A2%85%93%85%83%A3%40%A3%88%85%40%A4%95%89%96%95%40%99%85%97')],
  ['a JSON document in UTF-16 with SQL words and markup', post('/api/notes', 'application/json', Buffer.from('{"title":"select the union rep","body":"<b>hi</b>; 5 > 3"}', 'utf16le'))],
  ['an upload named in both forms, the extended one UTF-8 (filename*=)', post('/upload', 'multipart/form-data; boundary=b3', '--b3\r\nContent-Disposition: form-data; name="photo"; filename="naive photo.png"; filename*=UTF-8\'\'na%C3%AFve%20photo%20(1).png\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--b3--\r\n')],
  ['an anchor a client left in the request target', get('/docs/guide.html?lang=en#install-step-2')],
  ['a binary body under application/octet-stream', post('/blob', 'application/octet-stream', Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37 + 11) & 0xff)))],
  ['HTML tags in JSON strings', json('/api/pages/12', { html: '<p class="lead">Hello <em>world</em></p><img src="/img/a.png" alt="A photo"><a href="/about" title="About us">About</a>', note: 'use the onload event, or onclick="..." in docs', math: 'a<b and c>d' })],
  ["a crawler's User-Agent: separators inside its product comment (Nmap's scripts, which name a tool, are logged apart)", get('/', '').replace(/User-Agent: [^\r]*/, 'User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)')],
  ['Host headers with a port, an IPv6 address and an IDN', get('/').replace('Host: shop.example', 'Host: Shop.Example:8443\r\nX-Forwarded-Host: [2001:db8::1]:8080\r\nX-Original-Host: xn--bcher-kva.example')],
  ['../ in a Referer', get('/guide/install.html', 'Referer: https://shop.example/docs/../guide/../../index.html\r\n')],
  ['URLs in arguments: a return address, a search on another site, a PHP page, an empty search of the site', get('/login?next=https%3A%2F%2Fshop.example%2Fcheckout.php&ref=https://www.google.com/search?q=shoes&back=http://shop.example/cart.php&from=https%3A%2F%2FShop.Example%2Fsearch%3F')],
  ['a relative return link', get('/login?return=../checkout&next=%2Faccount%2Fsettings')],
  ['an OAuth redirect to a local development server, and a webhook to a public host', get('/oauth/authorize?client_id=dev&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&webhook=https%3A%2F%2Fhooks.example.org%2Fci&id=2852039166')],
  ['a post on cloud security naming the metadata address', json('/api/posts', { title: 'SSRF and IMDSv2', body: 'An SSRF lets an attacker call http://169.254.169.254/latest/meta-data/ from the server; require session tokens.' })],
  ['an instance asking its own metadata service', `GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: aws-sdk-go/1.44\r\nX-aws-ec2-metadata-token: AQAEAKx\r\n\r\n`],
  ['a GraphQL query', json('/graphql', { query: 'query GetUser($id: ID!) { user(id: $id) { name email posts(first: 10, orderBy: {field: CREATED_AT, direction: DESC}) { title body } } }', variables: { id: '42' }, operationName: 'GetUser' })],
  ['MongoDB extended JSON and a JSON Schema: keys with a $ that are data, not query operators', json('/api/docs', { _id: { $oid: '5f1d7f8e9a1b2c3d4e5f6a7b' }, at: { $date: '2024-01-01T00:00:00Z' }, n: { $numberLong: '5' }, schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'item', $ref: '#/$defs/a', type: 'object' } })],
  ['a post quoting a MongoDB query, and prices with $ and braces', post('/forum/reply', 'application/x-www-form-urlencoded', `body=${encodeURIComponent('Use db.users.find({ age: { $gt: 18 } }) and {"$ne": null} works too')}&price=%7B%24gt+100%7D&q=it%27s+this.name`)],
  ['a GraphQL mutation', json('/graphql', { query: 'mutation { deletePost(id: "17") { id } updateUser(input: {name: "Ann", role: "admin"}) { id } }' })],
  ['a base64 blob in a form', post('/upload', 'application/x-www-form-urlencoded', `name=scan.bin&data=${encodeURIComponent(BASE64_BLOB)}`)],
  ['a raw base64 blob (+ as space)', post('/upload', 'application/x-www-form-urlencoded', `data=${BASE64_BLOB}`)],
  ['a JWT in Authorization and a cookie', get('/api/me', `Authorization: Bearer ${JWT}\r\n`).replace('theme=dark', `token=${JWT}`)],
  ['template placeholders', json('/api/templates', { template: 'Hello ${name}, your order ${order.id} shipped', price: '$5 {approx}' })],
  ['shell-like text that runs nothing', post('/notes', 'application/x-www-form-urlencoded', 'note=meeting+at+5%3B+bring+notes+%7C+agenda&who=Tom+%26+Jerry&q=cats+%7C+dogs%3B+cat+lovers+welcome&path=C%3A%5CUsers%5CPublic%5Creport.docx')],
  ['a profile listing languages and a comment naming commands', post('/profile', 'application/x-www-form-urlencoded', "skills=C%3B+Python%3B+Java%3B+Perl+%26+Ruby&title=Home+%7C+Python+%7C+Blog&comment=see+%27docs%27%3B+eval+is+evil%3B+awk+%26+sed+tutorial")],
  ['a search for a sleep call, and a Referer holding it', get('/search?q=sleep(5)+in+python', 'Referer: https://shop.example/search?q=sleep(5)+in+python\r\n')],
  ['homework uploads: a shell script, SQL, a page with script, notes on attacks, a PHP page', (() => {
    const b = 'HwBoUnDaRy';
    const files: [string, string, string][] = [
      ['lab1.sh', 'text/x-sh', '#!/bin/bash\nfor f in *.txt; do\n  cat "$f" | grep -i error | sort | uniq -c\ndone\nls -la /tmp; whoami\n'],
      ['lab2.sql', 'application/sql', "SELECT name FROM users WHERE id = 1 OR 1=1;\nDROP TABLE IF EXISTS tmp;\nSELECT a FROM t UNION SELECT password FROM accounts--\n"],
      ['lab3.html', 'text/html', '<html><head><script src="app.js"></script><script>alert("hi")</script></head><body onload="init()"><a href="javascript:void(0)">x</a></body></html>'],
      ['notes.txt', 'text/plain', "Read ../../etc/passwd for the lab; run `id` and $(whoami); ' OR '1'='1 is the classic."],
      ['lab4.py', 'text/x-python', "import os\nos.system('ls -la; cat /etc/passwd')\nprint(eval('1+1'))\n"],
      ['index.php', 'application/x-php', "<?php echo 'Hello'; include 'header.php'; ?>"],
      ['logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><a href="/home"><circle r="5"/></a></svg>'],
    ];
    const parts = files.map(([file, type, content]) => `--${b}\r\nContent-Disposition: form-data; name="work"; filename="${file}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n`);
    return post('/courses/cs101/submit', `multipart/form-data; boundary=${b}`, `${parts.join('')}--${b}--\r\n`);
  })()],
  ['a shell script put on a WebDAV share', (() => {
    const script = '#!/bin/bash\nset -e\ncd ../../build; make clean && make\ncat /etc/os-release | grep VERSION\nmysql -e "SELECT * FROM users WHERE id = 1 OR 1=1"\n';
    // As `curl -T build.sh` sends it: no Content-Type.
    return `PUT /remote.php/dav/files/ann/lab5/build.sh HTTP/1.1\r\nHost: cloud.example\r\nUser-Agent: curl/7.88.1\r\nContent-Length: ${script.length}\r\n\r\n${script}`;
  })()],
  ["a Jupyter notebook's save: code that runs shell commands and queries, notes quoting attacks", (() => {
    const cells = [
      { cell_type: 'code', source: "import os, subprocess\nprint(os.listdir('../data'))\nsubprocess.run('ls -la; cat /etc/hostname', shell=True)", metadata: {}, outputs: [], execution_count: 1 },
      { cell_type: 'code', source: '!pip install pandas && ls -la\n!cat ../data/users.csv | head', metadata: {}, outputs: [], execution_count: 2 },
      { cell_type: 'code', source: 'cur.execute("SELECT name FROM users WHERE id = \'" + uid + "\' OR 1=1")\ncur.execute(\'DROP TABLE IF EXISTS tmp; CREATE TABLE tmp (id int)\')', metadata: {}, outputs: [], execution_count: 3 },
      { cell_type: 'markdown', source: "# SQL injection lab\nTry `' OR '1'='1`, `<script>alert(1)</script>` and `../../etc/passwd`.", metadata: {} },
    ];
    const doc = { type: 'notebook', format: 'json', content: { cells, metadata: {}, nbformat: 4, nbformat_minor: 5 } };
    const body = JSON.stringify(doc);
    return `PUT /api/contents/lab3.ipynb HTTP/1.1\r\nHost: lab.example:8888\r\n${BROWSER}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  })()],
  ["a shell script saved through a Git host's contents API (base64 of a document)", json('/api/v1/repos/ann/lab/contents/run.sh', { content: Buffer.from('#!/bin/sh\nls -la | grep x; rm -rf build\ncat /etc/passwd | wc -l\n').toString('base64'), message: 'update run.sh', sha: 'd41d8cd98f00b204e9800998ecf8427e' })],
  ["a serialized Java map posted by Spring's HTTP invoker, its strings quoting attacks", post('/remoting/AccountService', 'application/x-java-serialized-object', Buffer.concat([Buffer.from([0xac, 0xed, 0, 5]), Buffer.from("sr\x00\x11java.util.HashMap\x05\x07\xda\xc1\xc3\x16`\xd1\x03\x00\x02F\x00\nloadFactorxpt\x00\x04namet\x00\x1aO'Brien; cat /etc/passwd x", 'latin1')]))],
  ['base64 ids and tokens in arguments and cookies', get('/api/items?cursor=eyJpZCI6NDJ9&next=aHR0cHM6Ly9zaG9wLmV4YW1wbGUvcGFnZS8y', 'Cookie: sid=dGhpcyBpcyBhIHNlc3Npb24\r\n')],
  ['an API call with SQL-ish parameters', get('/api/v1/orders?status=shipped&fields=id,total,created_at&order=created_at+desc&limit=50&filter=total%3E100')],
  ['links in include-style JSON members: a page, a stylesheet', post('/api/share', 'application/json', '{"share":{"page":"https://news.example/2026/story.html","theme":"https://cdn.example/dark.css"}}')],
  ['links in include-style arguments: a document, a page, an image, the site itself', get('/share?file=https%3A%2F%2Fcdn.example%2Freport.pdf&page=https%3A%2F%2Fnews.example%2F2026%2Fstory.html&theme=https%3A%2F%2Fcdn.example%2Fdark.css&view=http%3A%2F%2Fshop.example%2Ftools%2Fcalc.php&doc=https%3A%2F%2Fdocs.example%2Fguide')],
  ['a survey answer of numbers with "or"', get('/survey?rooms=1+or+2&q=0+or+0&pets=1+or+false')],
  ['a date, an email and a phone number', get('/book?date=2026-03-01&email=ann.lee%40example.org&phone=%2B44+20+7946+0958&time=10%3A30')],
  ['an XML body', post('/soap', 'text/xml; charset=utf-8', '<?xml version="1.0"?><Envelope><Body><GetPrice><Item>Apples &amp; Pears</Item><Select>union</Select></GetPrice></Body></Envelope>')],
  ['a markdown comment with code spans and SQL words', json('/api/issues/7/comments', { body: 'Run `npm ci --force`, then `git log --oneline`; use `#` for comments and `a` or `b` for names. In case when it fails (select 2 retries), see (select(), poll()).' })],
  ['meta refresh markup and a stay-alert note', json('/api/pages/3', { head: '<meta http-equiv="refresh" content="5;url=/home">', note: "he said 'stay alert' - always; it's fine" })],
  ['a binary upload in multipart', (() => {
    const b = 'XyZzY';
    const png = randomBytes(4000, 11);
    png.write('\x89PNG\r\n\x1a\n', 0, 'latin1');
    const body = Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nOur trip: select photos from the union station\r\n--${b}\r\nContent-Disposition: form-data; name="photo"; filename="holiday photo.png"\r\nContent-Type: image/png\r\n\r\n`, 'latin1'), png, Buffer.from(`\r\n--${b}--\r\n`, 'latin1')]);
    return post('/photos', `multipart/form-data; boundary=${b}`, body);
  })()],
];

describe('benign web traffic', () => {
  for (const [name, request] of REQUESTS) {
    it(`no alert: ${name}`, () => {
      const c = new Conn({ t0: T0 }).handshake().send(request).serverAck().reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok').close();
      const out = run(c.frames);
      assert.deepEqual(out.alerts, []);
      assert.equal(out.engine.http.stats.requests, 1);
    });
  }

  it('no alert on a large binary download, and its body is counted, not inspected', () => {
    const body = randomBytes(300_000, 3);
    const head = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
    const c = new Conn({ t0: T0 }).handshake().send(get('/files/archive.bin'));
    c.reply(head);
    for (let off = 0; off < body.length; off += 1448) c.reply(body.subarray(off, off + 1448));
    c.close();
    const out = run(c.frames, 'outputs:\n  http_events: true\n');
    assert.deepEqual(out.alerts, []);
    const http = out.events.filter((e) => e.type === 'http');
    assert.equal(http.length, 1);
    assert.deepEqual(http[0].type === 'http' ? [http[0].http.status, http[0].http.length, http[0].http.httpContentType] : [], [200, 300_000, 'application/octet-stream']);
    assert.equal(out.engine.stream.stats.bytes, get('/files/archive.bin').length + head.length + 300_000);
    assert.equal(out.engine.http.stats.request_bytes, get('/files/archive.bin').length);
  });

  it('no alert on a page whose text says "please select your union" or shows <script>', () => {
    const page = '<html><body><p>Please select your union from the list. Our union select committee meets on Friday.</p><script>var x = 1;</script></body></html>';
    const c = new Conn({ t0: T0 }).handshake().send(get('/unions')).reply(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\n\r\n${page}`).close();
    assert.deepEqual(run(c.frames).alerts, []);
  });

  it('no alert and no parsing on non-HTTP bytes to port 80, and HTTP found on another port', () => {
    const frames: TestFrame[] = [];
    const tls = new Conn({ t0: T0, sport: 40001 }, frames).handshake();
    tls.send(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), randomBytes(500, 5)])).serverAck().reply(randomBytes(900, 6)).close();
    const ssh = new Conn({ t0: tls.now, sport: 40002 }, frames).handshake();
    ssh.reply('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n').send('SSH-2.0-OpenSSH_9.2p1\r\n').close();
    const smtpish = new Conn({ t0: ssh.now, sport: 40003 }, frames).handshake();
    smtpish.send("EHLO client.example\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n' OR 1=1 -- <script>\r\n.\r\n").close();
    const web = new Conn({ t0: smtpish.now, sport: 40004, dport: 8888 }, frames).handshake();
    web.send(get('/status')).reply('HTTP/1.1 204 No Content\r\n\r\n').close();
    const out = run(frames);
    assert.deepEqual(out.alerts, []);
    assert.equal(out.engine.http.stats.not_http, 3);
    assert.equal(out.engine.http.stats.requests, 1);
    assert.equal(out.engine.http.stats.responses, 1);
  });
});
