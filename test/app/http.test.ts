/**
 * The HTTP stage on reassembled streams: request heads and bodies (Content-Length, chunked),
 * folded and duplicate headers, cookies, pipelining and keep-alive, responses and their framing,
 * limits, gaps, tunnels, and requests cut short by the end of the flow.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorityPort } from '../../src/app/http/head.js';
import { FieldKind, flagNames, HttpFlag } from '../../src/app/http/request.js';
import { T0 } from '../helpers.js';
import { Conn } from '../stream/segments.js';
import { runHttp } from './pipeline.js';

function conn(): Conn {
  return new Conn({ t0: T0 }).handshake();
}

describe('HTTP requests', () => {
  it('reads the requests after a body larger than stream.depth on the same connection', () => {
    const body = 'a'.repeat(1_100_000);
    const c = conn();
    const upload = `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    for (let off = 0; off < upload.length; off += 1400) c.send(upload.slice(off, off + 1400));
    c.reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok').send("GET /item?id=1'+UNION+SELECT+pw+FROM+users-- HTTP/1.1\r\nHost: x\r\n\r\n");
    const r = runHttp(c.frames);
    assert.deepEqual(r.requests.map((q) => q.uriRaw), ['/upload', "/item?id=1'+UNION+SELECT+pw+FROM+users--"]);
    assert.equal(r.stream.stats.depth_reached, 0);
  });

  it('parses the request line, folded and duplicate headers, cookies, host and user agent', () => {
    const head =
      'GET /shop/./items//../list?q=red+shoes&page=2 HTTP/1.1\r\nHost: Shop.Example:8080\r\nUser-Agent: test/1.0\r\nX-Long: first part\r\n  second part\r\n' +
      'Accept: text/html\r\nAccept: application/json\r\nCookie: sid=abc; pref=%3Cb%3E\r\nCookie: other=1\r\n\r\n';
    const r = runHttp(conn().send(head).frames);
    assert.equal(r.requests.length, 1);
    const req = r.requests[0];
    assert.deepEqual([req.method, req.uriRaw, req.protocol, req.hostname, req.userAgent, req.path, req.query], ['GET', '/shop/./items//../list?q=red+shoes&page=2', 'HTTP/1.1', 'shop.example', 'test/1.0', '/shop/list', 'q=red+shoes&page=2']);
    assert.equal(req.uriNormalized, '/shop/list?q=red shoes&page=2');
    assert.deepEqual(req.headers.map((h) => [h.name, h.value]), [
      ['Host', 'Shop.Example:8080'],
      ['User-Agent', 'test/1.0'],
      ['X-Long', 'first part second part'],
      ['Accept', 'text/html'],
      ['Accept', 'application/json'],
      ['Cookie', 'sid=abc; pref=%3Cb%3E'],
      ['Cookie', 'other=1'],
    ]);
    assert.deepEqual(
      req.fields.map((f) => [f.kind, f.name, f.value]),
      [
        [FieldKind.PATH, '', '/shop/./items/../list'],
        [FieldKind.QUERY_ARG, 'q', 'red shoes'],
        [FieldKind.QUERY_ARG, 'page', '2'],
        [FieldKind.HEADER, 'host', 'Shop.Example:8080'],
        [FieldKind.HEADER, 'user-agent', 'test/1.0'],
        [FieldKind.HEADER, 'x-long', 'first part second part'],
        [FieldKind.HEADER, 'accept', 'text/html'],
        [FieldKind.HEADER, 'accept', 'application/json'],
        [FieldKind.COOKIE, 'sid', 'abc'],
        [FieldKind.COOKIE, 'pref', '<b>'],
        [FieldKind.COOKIE, 'other', '1'],
      ],
    );
    assert.deepEqual(flagNames(req.flags), ['dot_segments', 'folded_header']);
    assert.deepEqual(r.phases, ['HEAD /shop/./items//../list?q=red+shoes&page=2 @4']);
  });

  it('takes header names in any letter case and keeps them as sent', () => {
    const head = 'GET / HTTP/1.1\r\nHOST: Shop.Example.\r\nuser-agent: ua/1\r\nCoOkIe: a=1\r\nX-Custom : v\r\nAccept-Language: en\r\nReferer: /x\r\nreferer: /y\r\n\r\n';
    const req = runHttp(conn().send(head).frames).requests[0];
    assert.deepEqual(req.headers.map((h) => [h.name, h.key]), [
      ['HOST', 'host'],
      ['user-agent', 'user-agent'],
      ['CoOkIe', 'cookie'],
      ['X-Custom', 'x-custom'],
      ['Accept-Language', 'accept-language'],
      ['Referer', 'referer'],
      ['referer', 'referer'],
    ]);
    assert.deepEqual([req.hostname, req.userAgent, req.referer], ['shop.example', 'ua/1', '/x']);
    assert.deepEqual(req.fields.filter((f) => f.kind === FieldKind.COOKIE).map((f) => [f.name, f.value]), [['a', '1']]);
  });

  it('starts a flow on a recycled state from scratch', () => {
    const yaml = 'flow:\n  timeout_closed: 1\n';
    const first = new Conn({ t0: T0, sport: 40001 }).handshake().send('POST /one HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc').reply('HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nxx').close();
    // Two seconds later the first flow has timed out; the second gets its state.
    const second = new Conn({ t0: first.now + 2_000_000, sport: 40002 }, first.frames).handshake().send('GET /two HTTP/1.1\r\n\r\n').reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const r = runHttp(second.frames, yaml);
    assert.deepEqual(r.phases, ['HEAD /one @4', 'BODY /one @end', 'HEAD /two @12']);
    assert.deepEqual(r.requests.map((q) => [q.uriRaw, q.index, q.clientPort, q.flags]), [['/one', 0, 40001, HttpFlag.INCOMPLETE], ['/two', 0, 40002, 0]]);
    assert.deepEqual(r.transactions, ['/one 200 2', '/two 200 2']);
  });

  it('takes the host from an absolute URI, and accepts LF-only lines and blank lines between requests', () => {
    const r = runHttp(conn().send('\r\nGET http://Example.COM:8080/a?x=1 HTTP/1.0\nHost: other\n\n\r\nGET /b HTTP/1.0\n\n').frames);
    assert.deepEqual(r.requests.map((q) => [q.hostname, q.path, q.query, q.index]), [['example.com', '/a', 'x=1', 0], ['', '/b', '', 1]]);
  });

  it('ends a head at its first empty line when a CRLF CRLF follows later in the same segment', () => {
    // "\n\r\n" (an LF-only empty line) and "\r\r\n" (a line of nothing but CRs) end the first
    // head, as when the bytes come one by one; the request after it, CRLF-terminated, must be
    // parsed as a request, not swallowed into the first head.
    for (const [blank, length] of [['\n\r\n', 26], ['\r\n\r\r\n', 28]] as const) {
      const msg = `GET /a HTTP/1.1\nHost: x${blank}GET /b?q=<script>alert(1)</script> HTTP/1.1\r\nHost: y\r\n\r\n`;
      const whole = runHttp(conn().send(msg).frames);
      const c = conn();
      for (const ch of msg) c.send(ch);
      const byByte = runHttp(c.frames);
      for (const r of [whole, byByte]) {
        assert.deepEqual(r.requests.map((q) => [q.uriRaw, q.hostname, q.head.length]), [['/a', 'x', length], ['/b?q=<script>alert(1)</script>', 'y', 56]], JSON.stringify(blank));
        assert.deepEqual(r.requests[1].fields.find((f) => f.kind === FieldKind.QUERY_ARG)?.value, '<script>alert(1)</script>');
      }
    }
  });

  it('hands over the head first and the body when it is complete', () => {
    const body = 'user=ann&note=hello+world';
    const head = `POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`;
    const r = runHttp(conn().send(head + body.slice(0, 10)).send(body.slice(10)).frames);
    assert.deepEqual(r.phases, ['HEAD /form @4', 'BODY /form @5']);
    const req = r.requests[0];
    assert.deepEqual(req.bodyFields.map((f) => [f.kind, f.name, f.value]), [[FieldKind.BODY_ARG, 'user', 'ann'], [FieldKind.BODY_ARG, 'note', 'hello world']]);
    assert.deepEqual([req.bodyLength, req.bodyText], [body.length, body]);
  });

  it('decodes a chunked body with extensions and trailers, split anywhere', () => {
    const msg = 'POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\nGET /next HTTP/1.1\r\n\r\n';
    const c = conn();
    for (let i = 0; i < msg.length; i += 7) c.send(msg.slice(i, i + 7));
    const r = runHttp(c.frames);
    assert.deepEqual(r.requests.map((q) => q.uriRaw), ['/c', '/next']);
    assert.equal(r.requests[0].bodyText, 'hello, world');
    assert.deepEqual(r.requests[0].bodyFields.map((f) => [f.kind, f.value]), [[FieldKind.BODY_RAW, 'hello, world']]);
  });

  it('flags a malformed chunked body and finds the next request', () => {
    const r = runHttp(conn().send('POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\nGET /after HTTP/1.1\r\n\r\n').frames);
    assert.deepEqual(r.requests.map((q) => q.uriRaw), ['/c', '/after']);
    assert.deepEqual(flagNames(r.requests[0].flags), ['invalid_chunk']);
  });

  it('keeps only body_limit bytes of a body for inspection', () => {
    const body = 'a=' + 'x'.repeat(98);
    const r = runHttp(conn().send(`POST /b HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n`).send(body.slice(0, 50)).send(body.slice(50)).frames, 'http:\n  body_limit: 10\n');
    const req = r.requests[0];
    assert.deepEqual([req.bodyLength, req.bodyText, flagNames(req.flags)], [100, 'a=xxxxxxxx', ['body_truncated']]);
    assert.deepEqual(r.phases, ['HEAD /b @4', 'BODY /b @6']);
  });

  it("reads the end of a body past body_limit too: its whole arguments, flagged body_truncated", () => {
    const body = `pad=${'A'.repeat(300)}&id=1&q=last`;
    const r = runHttp(conn().send(`POST /b HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`).send(body.slice(0, 150)).send(body.slice(150)).frames, 'http:\n  body_limit: 20\n');
    const req = r.requests[0];
    // The first 20 bytes, then the last 20 (`AAAAAAAA&id=1&q=last`: a tail is at most body_limit)
    // from its first `&` on.
    assert.deepEqual(req.bodyFields.map((f) => [f.kind, f.name, f.value, flagNames(f.flags)]), [
      [FieldKind.BODY_ARG, 'pad', 'AAAAAAAAAAAAAAAA', []],
      [FieldKind.BODY_ARG, 'id', '1', ['body_truncated']],
      [FieldKind.BODY_ARG, 'q', 'last', ['body_truncated']],
    ]);
    assert.equal(r.http.bufferedBytes, 0);
    // body_limit 0: no body, and no end of one either.
    const none = runHttp(conn().send(`POST /b HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`).frames, 'http:\n  body_limit: 0\n');
    assert.deepEqual(none.requests[0].bodyFields, []);
  });

  it('flags long lines, and reads an over-long head a max_header_bytes window at a time', () => {
    const long = `GET /x HTTP/1.1\r\nX-A: ${'a'.repeat(200)}\r\n\r\n`;
    const r1 = runHttp(conn().send(long).frames, 'http:\n  max_line: 100\n');
    assert.deepEqual(flagNames(r1.requests[0].flags), ['line_too_long']);
    const huge = `GET /big HTTP/1.1\r\n${'X-Pad: 0123456789012345678901234567890123456789\r\n'.repeat(40)}\r\nGET /small HTTP/1.1\r\n\r\n`;
    const c = conn();
    for (let i = 0; i < huge.length; i += 500) c.send(huge.slice(i, i + 500));
    const r2 = runHttp(c.frames, 'http:\n  max_header_bytes: 1024\n');
    assert.deepEqual(r2.requests.map((q) => [q.uriRaw, flagNames(q.flags)]), [['/big', ['headers_too_large']], ['/small', []]]);
    // The first window ends after its last whole line (the request line and 20 of the 40 headers);
    // the other 20 are the second window, which ends the head.
    assert.equal(r2.requests[0].head.length, 19 + 20 * 49);
    assert.deepEqual(r2.phases, ['HEAD /big @6', 'MORE /big @7', 'HEAD /small @8']);
    assert.deepEqual(r2.requests[0].moreFields.map((f) => f.name), Array(20).fill('x-pad'));
  });

  it('keeps max_headers headers, and their followers as one inspection buffer', () => {
    const r = runHttp(conn().send(`GET / HTTP/1.1\r\n${'A: 1\r\n'.repeat(10)}B: 2\r\n\r\n`).frames, 'http:\n  max_headers: 8\n');
    assert.deepEqual([r.requests[0].headers.length, flagNames(r.requests[0].flags)], [8, ['headers_too_large']]);
    assert.deepEqual(r.requests[0].fields.slice(-2).map((f) => [f.name, f.value]), [['a', '1'], ['', '1\n1\n2']]);
    // A Content-Length past the limit still frames the body, as the server reads it.
    const post = runHttp(conn().send(`POST /p HTTP/1.1\r\n${'A: 1\r\n'.repeat(10)}Content-Length: 3\r\n\r\nabcGET /t HTTP/1.1\r\n\r\n`).frames, 'http:\n  max_headers: 8\n');
    assert.deepEqual(post.requests.map((q) => [q.uriRaw, q.bodyText, q.headers.length]), [['/p', 'abc', 8], ['/t', '', 0]]);
  });

  it('flags conflicting Content-Length headers (request smuggling material)', () => {
    const r = runHttp(conn().send('POST /s HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabcGET /t HTTP/1.1\r\n\r\n').frames);
    assert.deepEqual(r.requests.map((q) => [q.uriRaw, flagNames(q.flags)]), [['/s', ['ambiguous_length']], ['/t', []]]);
  });

  it('inspects a request cut short by the end of the flow as far as it came', () => {
    const r = runHttp(conn().send('POST /cut HTTP/1.1\r\nContent-Length: 100\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=').frames);
    assert.deepEqual(r.phases, ['HEAD /cut @4', 'BODY /cut @end']);
    assert.deepEqual(flagNames(r.requests[0].flags), ['incomplete']);
    const r2 = runHttp(conn().send('GET /partial?x=1 HTTP/1.1\r\nHost: a').frames);
    assert.deepEqual(r2.phases, ['HEAD /partial?x=1 @end']);
  });

  it('skips a gap inside a body and resyncs after a gap in a head', () => {
    const c = conn();
    c.send('POST /g HTTP/1.1\r\nContent-Length: 20\r\n\r\n0123', 0);
    const afterHead = 'POST /g HTTP/1.1\r\nContent-Length: 20\r\n\r\n'.length;
    c.send(`89abcdefghijGET /h HTTP/1.1\r\nHost: x`, afterHead + 8);
    c.serverAck(afterHead + 8 + 20);
    c.send('\r\n\r\nGET /i HTTP/1.1\r\n\r\n', afterHead + 8 + 12 + 'GET /h HTTP/1.1\r\nHost: x'.length);
    const r = runHttp(c.frames);
    assert.deepEqual(r.requests.map((q) => q.uriRaw), ['/g', '/h', '/i']);
    assert.deepEqual(flagNames(r.requests[0].flags), ['incomplete']);
    assert.equal(r.http.stats.gaps, 1);
  });

  it('reads the same requests and answers whether they arrive whole, one byte or a few bytes per segment', () => {
    // Seeded random pipelines and their answers, mixing line ends (CRLF, LF, CR CR LF), blank
    // lines, folding, ambiguous framing, junk lines, bodies, HEAD, CONNECT, upgrades, HTTP/0.9
    // and 1xx answers: the whole-head paths and the byte scans must agree on every request, its
    // head, flags, fields and answer.
    let seed = 20261121;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const starts = ['GET /a?id=1&id=2 HTTP/1.1', 'POST /p HTTP/1.1', 'GET /b HTTP/1.0', 'GET /c', 'HEAD /h HTTP/1.1', 'CONNECT x:443 HTTP/1.1'];
    const headers = ['Host: x', 'Content-Length: 5', 'Content-Length: -1', 'Transfer-Encoding: chunked', 'X: y', ' folded', 'Cookie: a=1; a=2', 'Bad line', '', 'Upgrade: websocket'];
    const answers = ['HTTP/1.1 200 OK', 'HTTP/1.1 204 No Content', 'HTTP/1.0 304 Not Modified', 'HTTP/1.1 100 Continue', 'junk'];
    const answerHeaders = ['Content-Length: 3', 'Content-Length: 0', 'Transfer-Encoding: chunked', 'Content-Type: text/html', 'X: y', ''];
    const ends = ['\r\n', '\n', '\r\r\n'];
    const view = (r: ReturnType<typeof runHttp>): string =>
      JSON.stringify([
        r.requests.map((q) => [q.uriRaw, q.head.length, q.flags, q.bodyText, q.status, q.responseLength, q.responseContentType, q.fields.map((f) => `${f.name}=${f.value}`), q.bodyFields.map((f) => f.value)]),
        r.transactions,
      ]);
    let requests = 0;
    for (let it = 0; it < 40; it++) {
      let req = '';
      let res = '';
      for (let r = 0, n = 1 + (it % 3); r < n; r++) {
        req += pick(starts) + pick(ends.slice(0, 2));
        for (let h = 0, k = it % 5; h < k; h++) req += pick(headers) + pick(ends);
        req += pick(ends.slice(0, 2)) + pick(['', '', 'a=1&b=2', '5\r\nhello\r\n0\r\n\r\n']);
        res += pick(answers) + pick(ends.slice(0, 2));
        for (let h = 0, k = it % 4; h < k; h++) res += pick(answerHeaders) + pick(ends);
        res += pick(ends.slice(0, 2)) + pick(['', 'abc', '3\r\nabc\r\n0\r\n\r\n']);
      }
      const frames = (size: () => number): ReturnType<typeof conn>['frames'] => {
        const c = conn();
        for (let i = 0, k = size(); i < req.length; i += k, k = size()) c.send(req.slice(i, i + k));
        c.serverAck();
        for (let i = 0, k = size(); i < res.length; i += k, k = size()) c.reply(res.slice(i, i + k));
        return c.frames;
      };
      const whole = view(runHttp(frames(() => 1 << 20)));
      assert.equal(view(runHttp(frames(() => 1))), whole, `one byte per segment: ${JSON.stringify([req, res])}`);
      assert.equal(view(runHttp(frames(() => 1 + Math.floor(rnd() * 30)))), whole, `a few bytes per segment: ${JSON.stringify([req, res])}`);
      requests += (JSON.parse(whole) as unknown[][])[0].length;
    }
    assert.ok(requests > 40, `${requests} requests`);
  });
});

describe('the port written in a Host header or absolute URI (EVE http_port)', () => {
  it('reads host:port, [v6]:port and user@host:port; none, an empty port, a bare IPv6 or a number past 65535 give -1', () => {
    assert.deepEqual(
      ['shop.example:8080', ' [::1]:3128 ', 'ann@shop.example:81', 'shop.example', 'shop.example:', '::1', '[::1]', 'shop.example:65536', 'shop.example:80x'].map(authorityPort),
      [8080, 3128, 81, -1, -1, -1, -1, -1, -1],
    );
  });
});

describe('HTTP/2 with prior knowledge', () => {
  it('reads a flow that starts with the HTTP/2 preface as HTTP/2, not as a request "PRI *"', () => {
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const r = runHttp(conn().send(Buffer.concat([preface, settings]).toString('latin1')).serverAck().reply(settings.toString('latin1')).close().frames);
    assert.equal(r.requests.length, 0);
    assert.deepEqual([r.http.stats.http2_prior_knowledge, r.http.stats.not_http, r.http.stats.invalid_requests, r.http.stats.flows, r.http.stats.http2_errors], [1, 0, 0, 1, 0]);
  });

  it('still parses a request whose method merely starts with P', () => {
    const r = runHttp(conn().send('PRIVATE / HTTP/1.1\r\nHost: a\r\n\r\n').frames);
    assert.deepEqual([r.requests.length, r.http.stats.http2_prior_knowledge], [1, 0]);
  });
});

describe('HTTP responses and transactions', () => {
  it('matches pipelined responses to their requests in order, with HEAD, 204, 100-continue and chunked answers', () => {
    const c = conn();
    c.send('GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nDELETE /c HTTP/1.1\r\n\r\nPOST /d HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    c.reply('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    c.reply('HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n');
    c.reply('HTTP/1.1 204 No Content\r\n\r\n');
    c.reply('HTTP/1.1 100 Continue\r\n\r\n');
    c.send('hi');
    c.reply('HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    const r = runHttp(c.frames);
    assert.deepEqual(r.transactions, ['/a 200 5', '/b 200 0', '/c 204 0', '/d 201 5']);
    assert.deepEqual([r.http.stats.pipelined, r.http.stats.responses], [3, 4]);
  });

  it('counts a body delimited by the connection close, and logs open transactions at flow end', () => {
    const c = conn().send('GET /stream HTTP/1.0\r\n\r\n').reply('HTTP/1.0 200 OK\r\nContent-Type: video/mp4\r\n\r\n').reply('x'.repeat(3000));
    const r = runHttp(c.frames);
    assert.deepEqual(r.transactions, ['/stream 200 3000']);
    assert.equal(r.requests[0].responseContentType, 'video/mp4');
  });

  it('logs requests that never got an answer, with status 0', () => {
    const r = runHttp(conn().send('GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n').reply('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n').frames);
    assert.deepEqual(r.transactions, ['/1 404 0', '/2 0 0']);
  });

  it('stops parsing after a protocol upgrade (the tunnel is not HTTP; WebSocket has tests of its own)', () => {
    const c = conn().send('GET /tls HTTP/1.1\r\nUpgrade: TLS/1.2\r\nConnection: Upgrade\r\n\r\n').reply('HTTP/1.1 101 Switching Protocols\r\nUpgrade: TLS/1.2\r\n\r\n');
    c.send("GET /not-http?q=' OR 1=1 HTTP/1.1\r\n\r\n").reply('\x16\x03\x03\x00\x02hi');
    const r = runHttp(c.frames);
    assert.deepEqual(r.requests.map((q) => q.uriRaw), ['/tls']);
    assert.deepEqual(r.transactions, ['/tls 101 0']);
    assert.equal(r.http.stats.tunnels, 1);
  });

  it('stops after a CONNECT request', () => {
    const c = conn().send('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n').reply('HTTP/1.1 200 Connection established\r\n\r\n');
    c.send('\x16\x03\x01\x00\x05hello').reply('\x16\x03\x03\x00\x02hi');
    const r = runHttp(c.frames);
    assert.deepEqual(r.requests.map((q) => [q.method, q.hostname]), [['CONNECT', 'example.com']]);
    assert.deepEqual(r.transactions, ['example.com:443 200 0']);
    assert.equal(r.http.stats.tunnels, 1);
  });

  it('picks up a capture that starts inside an answer: the next request and its answer are read', () => {
    // The first bytes seen are the end of a response head from the server ("Encoding: chunked"
    // starts with a capital like a method), then a response body, then the client's next request
    // in one segment, right at the capture's first client bytes.
    const cut = (frames: ReturnType<typeof conn>['frames']): ReturnType<typeof conn>['frames'] => frames.slice(3);
    const c = new Conn({ t0: T0 }).handshake();
    c.reply('Encoding: chunked\r\n\r\n').reply('3\r\nabc\r\n0\r\n\r\n');
    c.send('HEAD /h HTTP/1.1\r\n\r\n').serverAck().reply('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    c.send('GET /a?q=1 HTTP/1.1\r\n\r\n').serverAck().reply('HTTP/1.1 204 No Content\r\n\r\n');
    const r = runHttp(cut(c.frames));
    assert.deepEqual(r.requests.map((q) => [q.method, q.uriRaw]), [['HEAD', '/h'], ['GET', '/a?q=1']]);
    assert.deepEqual(r.transactions, ['/h 200 0', '/a?q=1 204 0']);
    // Starting inside a response body (lower case) works the same way; and the tail of a request
    // line ("HTTP/1.1") from the client is no status line: the client stays the client.
    const body = new Conn({ t0: T0 }).handshake();
    body.reply('llo world').send('GET /b HTTP/1.1\r\n\r\n').serverAck().reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    assert.deepEqual(runHttp(cut(body.frames)).transactions, ['/b 200 2']);
    const tail = new Conn({ t0: T0 }).handshake();
    tail.send('HTTP/1.1\r\n\r\n').send('GET /c HTTP/1.1\r\n\r\n').serverAck().reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 No Content\r\n\r\n');
    assert.deepEqual(runHttp(cut(tail.frames)).requests.map((q) => q.uriRaw), ['/c']);
  });

  it('goes on reading requests when the server refuses the upgrade or the CONNECT', () => {
    // An Upgrade header the server ignores, with a request pipelined behind it: both are HTTP.
    const ignored = conn().send("GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nGET /s?q=' OR 1=1 HTTP/1.1\r\n\r\n");
    ignored.reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const r1 = runHttp(ignored.frames);
    assert.deepEqual(r1.transactions, ['/ 200 2', "/s?q=' OR 1=1 200 0"]);
    assert.equal(r1.http.stats.tunnels, 0);
    // A proxy that wants credentials first: the client asks again, then the tunnel opens.
    const refused = conn().send('CONNECT example.com:443 HTTP/1.1\r\n\r\n').reply('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
    refused.send('CONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: Basic YTpi\r\n\r\n').reply('HTTP/1.1 200 Connection established\r\n\r\n');
    refused.send('\x16\x03\x01\x00\x05hello');
    const r2 = runHttp(refused.frames);
    assert.deepEqual(r2.transactions, ['example.com:443 407 0', 'example.com:443 200 0']);
    assert.deepEqual([r2.http.stats.tunnels, r2.http.stats.invalid_requests], [1, 0]);
  });

  it('counts a response body it does not read, across segments and a gap, and ends it on the packet of its last byte', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n';
    const c = conn().send('GET /big HTTP/1.1\r\n\r\n');
    c.reply(head + 'a'.repeat(1000)).reply('b'.repeat(1000));
    // 1000 body bytes the capture never had: the client acknowledges past them.
    c.reply('d'.repeat(1000), head.length + 3000).send('');
    c.reply('e'.repeat(999)).reply('e');
    c.send('GET /next HTTP/1.1\r\n\r\n').reply('HTTP/1.1 204 No Content\r\n\r\n');
    const r = runHttp(c.frames);
    assert.deepEqual(r.transactionsAt, ['/big 200 4000 @10', '/next 204 0 @12']);
    assert.equal(r.requests[0].responseContentType, 'text/html');
    assert.deepEqual([r.http.stats.gaps, r.stream.stats.bytes], [1, head.length + 4000 + 'GET /big HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'.length]);
  });

  it('logs the response bytes that came when the flow ends inside a body', () => {
    const c = conn().send('GET /cut HTTP/1.1\r\n\r\n').reply('HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n').reply('x'.repeat(1500)).reply('y'.repeat(1500));
    const r = runHttp(c.frames);
    assert.deepEqual(r.transactionsAt, ['/cut 200 3000 @end']);
  });

  it('gives a request body finished during its response the response length so far', () => {
    const c = conn().send('POST /early HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234');
    c.reply('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3000\r\n\r\n').reply('z'.repeat(1000)).reply('z'.repeat(1000));
    c.send('56789').reply('z'.repeat(1000));
    const r = runHttp(c.frames);
    assert.deepEqual(r.bodyResponseLengths, ['/early 2000']);
    assert.deepEqual(r.transactions, ['/early 413 3000']);
  });

  it('reads a response head the same whole in one segment or cut anywhere', () => {
    const head = 'HTTP/1.1  200 OK\r\ncontent-TYPE:  text/plain \r\nX-Pad: a:b\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 7\r\n\r\n';
    const body = '3\r\nabc\r\n0\r\n\r\n';
    const seen = new Set<string>();
    for (let cut = 0; cut <= head.length; cut++) {
      const c = conn().send('GET /r HTTP/1.1\r\n\r\n');
      if (cut > 0) c.reply(head.slice(0, cut));
      c.reply(head.slice(cut) + body).send('GET /s HTTP/1.1\r\n\r\n').reply('HTTP/1.0 304 Not Modified\n\n');
      const r = runHttp(c.frames);
      seen.add(`${r.transactions.join(',')} ${r.requests[0].responseContentType} ${r.http.stats.invalid_responses}`);
    }
    assert.deepEqual([...seen], ['/r 200 3,/s 304 0 text/plain 0']);
  });

  it('ends a response head at a line of CRs, and rejects a status line that is not HTTP', () => {
    const r = runHttp(conn().send('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n').reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\r\nokHTTP/1.1 20x OK\r\n\r\n').frames);
    assert.deepEqual(r.transactions, ['/a 200 2', '/b 0 0']);
    assert.equal(r.http.stats.invalid_responses, 1);
  });

  it('knows the client by content when the capture starts with the server talking', () => {
    const c = new Conn({ t0: T0, sport: 50000, dport: 8080 });
    c.reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGET /x HTTP/1.1\r\n\r\n');
    c.send('GET /y HTTP/1.1\r\nHost: h\r\n\r\n');
    const r = runHttp(c.frames);
    assert.deepEqual(r.requests.map((q) => [q.uriRaw, q.clientPort, q.serverPort]), [['/y', 50000, 8080]]);
  });
});
