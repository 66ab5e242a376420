/** Normalisation as inspection buffers: percent-decoding, paths, arguments, cookies, request lines, bodies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBody } from '../../src/app/http/body.js';
import { base64Text, decodeFlags, decodePath, parseArgs, parseCookies, percentDecode, removeDotSegments, withEntitiesDecoded, withoutStrayPercents, withUnicodeEscapesDecoded } from '../../src/app/http/decode.js';
import { bodyFraming, parseResponseHead, ResponseHeadReader, splitRequestLine } from '../../src/app/http/head.js';
import { FieldKind, flagNames, type HttpField, HttpFlag } from '../../src/app/http/request.js';

function decoded(s: string, plus = true): [string, string[]] {
  const v = percentDecode(s, plus);
  return [v, flagNames(decodeFlags())];
}

describe('percentDecode', () => {
  it('decodes %XX, + as space in arguments only, and leaves plain text alone', () => {
    assert.deepEqual(decoded('%27%20OR%201%3D1'), ["' OR 1=1", []]);
    assert.deepEqual(decoded('a+b%2Bc'), ['a b+c', []]);
    assert.deepEqual(decoded('a+b', false), ['a+b', []]);
    assert.deepEqual(decoded('plain'), ['plain', []]);
  });

  it('decodes IIS %uXXXX escapes and flags them', () => {
    assert.deepEqual(decoded('%u003Cscript%u003E'), ['<script>', ['u_encoded']]);
  });

  it('decodes double and triple encoding, flagging it, without turning a decoded + into a space', () => {
    assert.deepEqual(decoded('%2527%2520OR'), ["' OR", ['double_encoded']]);
    assert.deepEqual(decoded('%25252e%25252e%25252f'), ['../', ['double_encoded']]);
    assert.deepEqual(decoded('%252B1'), ['+1', ['double_encoded']]);
  });

  it('keeps and flags a bad escape, flags NUL and overlong UTF-8 separators', () => {
    assert.deepEqual(decoded('100%zz'), ['100%zz', ['invalid_encoding']]);
    assert.deepEqual(decoded('a%00b'), ['a\0b', ['nul_byte']]);
    assert.deepEqual(decoded('..%c0%af..%c0%afetc'), ['../../etc', ['overlong_utf8']]);
  });

  it('reads every overlong UTF-8 form of ASCII as that character (sqlmap overlongutf8)', () => {
    // Two, three and four bytes for `)`, space, `'` and `=`; a valid two-byte char stays.
    assert.deepEqual(decoded('1%C0%A9%C0%A0AND%E0%80%A06830%C0%BD6830'), ['1) AND 6830=6830', ['overlong_utf8']]);
    assert.deepEqual(decoded('%F0%80%80%A7x'), ["'x", ['overlong_utf8']]);
    assert.deepEqual(decoded('caf%C3%A9'), ['caf\xc3\xa9', []]);
    // An overlong form of a non-ASCII char, or a lead byte without its continuation, stays as it is.
    assert.deepEqual(decoded('%E0%A0%80%C0x'), ['\xe0\xa0\x80\xc0x', []]);
  });

  it('reads fullwidth forms of ASCII as best-fit mapping does, from UTF-8 and %u (sqlmap apostrophemask)', () => {
    assert.deepEqual(decoded('1%EF%BC%87%20AND%20%EF%BC%871%EF%BC%87%3D%EF%BC%871'), ["1' AND '1'='1", ['best_fit']]);
    assert.deepEqual(decoded('%uFF1Cscript%uFF1E'), ['<script>', ['u_encoded', 'best_fit']]);
    // Other CJK punctuation (U+3001, the ideographic comma) stays.
    assert.deepEqual(decoded('%E3%80%81'), ['\xe3\x80\x81', []]);
    // Slashes and dots from other blocks that best-fit reads as ASCII; an en dash (U+2013) stays.
    assert.deepEqual(decoded('..%u2215..%u2216boot%u2024ini'), ['../..\\boot.ini', ['u_encoded', 'best_fit']]);
    assert.deepEqual(decoded('..%E2%88%95etc%E2%81%84passwd%EF%B9%A8'), ['../etc/passwd\\', ['best_fit']]);
    assert.deepEqual(decoded('a%E2%80%93b'), ['a\xe2\x80\x93b', []]);
    // 64 KB of lead bytes with no continuation, and of fullwidth quotes.
    assert.deepEqual(decoded('%C0'.repeat(21845)), ['\xc0'.repeat(21845), []]);
    assert.deepEqual(decoded('%EF%BC%87'.repeat(7281)), ["'".repeat(7281), ['best_fit']]);
  });
});

describe('alternate readings', () => {
  it("drops a % that starts no escape, as IIS's ASP does (sqlmap percentage)", () => {
    assert.equal(withoutStrayPercents('%S%E%L%E%C%T %1'), 'SELECT 1');
    assert.equal(withoutStrayPercents('%41 and %u0041'), null);
    assert.equal(withoutStrayPercents('plain'), null);
  });

  it('decodes numeric and XML character references (sqlmap htmlencode, hexentities)', () => {
    assert.equal(withEntitiesDecoded('1&#39; AND &#x31;&#61;1&#45;&#45; &apos;&quot;&lt;&gt;&amp;'), `1' AND 1=1-- '"<>&`);
    assert.equal(withEntitiesDecoded('Tom & Jerry; &nbsp; &#0;'), 'Tom & Jerry; &nbsp; \ufffd');
    assert.equal(withEntitiesDecoded('Tom & Jerry'), null);
  });

  it('decodes \\uXXXX escapes (sqlmap charunicodeescape)', () => {
    assert.equal(withUnicodeEscapesDecoded('\\u0031\\u0029\\u0020\\u0041\\u004E\\u0044 x'), '1) AND x');
    assert.equal(withUnicodeEscapesDecoded('C:\\users\\ann'), null);
    assert.equal(withUnicodeEscapesDecoded('\\u00zz'), null);
  });

  it('reads base64 as the text it encodes, and nothing from base64 of bytes (sqlmap base64encode)', () => {
    assert.equal(base64Text('MSkgQU5EIDY4MzA9NjgzMC0tIC0='), '1) AND 6830=6830-- -');
    assert.equal(base64Text('MSkgQU5EIDY4MzA9NjgzMC0tIC0'), '1) AND 6830=6830-- -');
    assert.equal(base64Text('J29yIDE9MS0t'), "'or 1=1--");
    // Tokens, hashes and ids: bytes, not text; too short; an impossible length.
    assert.equal(base64Text('d41d8cd98f00b204e9800998ecf8427e'), null);
    assert.equal(base64Text('4k2j3h4k5j3h4abc'), null);
    assert.equal(base64Text('J29yIDE9'), null);
    assert.equal(base64Text('J29yIDE9MS0tA'), null);
  });
});

describe('paths', () => {
  it('folds backslashes and repeated slashes, keeping dot segments for the traversal check', () => {
    const p = decodePath('/a\\b//c/..%2f..%2fetc');
    assert.deepEqual([p, flagNames(decodeFlags())], ['/a/b/c/../../etc', ['backslash', 'dot_segments', 'encoded_traversal']]);
  });

  it('resolves dot segments and flags a climb above the root', () => {
    assert.deepEqual([removeDotSegments('/a/./b/../c'), flagNames(decodeFlags())], ['/a/c', ['dot_segments']]);
    assert.deepEqual([removeDotSegments('/static/../../../etc/passwd'), flagNames(decodeFlags())], ['/etc/passwd', ['path_above_root', 'dot_segments']]);
    assert.deepEqual([removeDotSegments('/a/b/..'), flagNames(decodeFlags())], ['/a/', ['dot_segments']]);
    assert.deepEqual([removeDotSegments('/v1.2/x.html'), decodeFlags()], ['/v1.2/x.html', 0]);
    assert.deepEqual([removeDotSegments('/a/..b/.c/c.'), decodeFlags()], ['/a/..b/.c/c.', 0]);
    assert.deepEqual([removeDotSegments('/a/b/.'), flagNames(decodeFlags())], ['/a/b/', ['dot_segments']]);
  });
});

describe('arguments and cookies', () => {
  it('splits and decodes query arguments; odd names become inspection buffers too', () => {
    const out: HttpField[] = [];
    const flags = parseArgs('a=1&b=x+y&c&%27or%271=2&=v&d=%2541', FieldKind.QUERY_ARG, out, 100);
    assert.deepEqual(
      out.map((f) => [f.kind, f.name, f.value]),
      [
        [FieldKind.QUERY_ARG, 'a', '1'],
        [FieldKind.QUERY_ARG, 'b', 'x y'],
        [FieldKind.QUERY_ARG, 'c', ''],
        [FieldKind.QUERY_ARG, "'or'1", '2'],
        [FieldKind.ARG_NAME, "'or'1", "'or'1"],
        [FieldKind.QUERY_ARG, '', 'v'],
        [FieldKind.QUERY_ARG, 'd', 'A'],
      ],
    );
    assert.equal(flags, HttpFlag.DOUBLE_ENCODED);
  });

  it('adds the values of a repeated name joined by commas, as ASP.NET hands them over', () => {
    const out: HttpField[] = [];
    parseArgs('id=1+UNION/*&x=2&id=*/SELECT+1,2&ID=3&id=%2541', FieldKind.QUERY_ARG, out, 100);
    assert.deepEqual(
      out.map((f) => [f.name, f.value, f.flags]),
      [
        ['id', '1 UNION/*', 0],
        ['x', '2', 0],
        ['id', '*/SELECT 1,2', 0],
        ['ID', '3', 0],
        ['id', 'A', HttpFlag.DOUBLE_ENCODED],
        ['id', '1 UNION/*,*/SELECT 1,2,A', HttpFlag.DOUBLE_ENCODED],
      ],
    );
    const many: HttpField[] = [];
    parseArgs(`${Array.from({ length: 12 }, (_, k) => `a${k}=${k}`).join('&')}&a3=x&a7=y&a3=z`, FieldKind.BODY_ARG, many, 100);
    assert.deepEqual(many.slice(15).map((f) => [f.kind, f.name, f.value]), [[FieldKind.BODY_ARG, 'a3', '3,x,z'], [FieldKind.BODY_ARG, 'a7', '7,y']]);
    const once: HttpField[] = [];
    parseArgs('a=1&b=2&c=3', FieldKind.QUERY_ARG, once, 100);
    assert.equal(once.length, 3);
  });

  it('takes max_args arguments or cookies, and what follows them as one value flagged too_many_args', () => {
    const out: HttpField[] = [];
    assert.equal(parseArgs('a=1&b=2&c=3&d=%27x+y', FieldKind.QUERY_ARG, out, 2), HttpFlag.TOO_MANY_ARGS);
    assert.deepEqual(out.map((f) => [f.kind, f.name, f.value, f.flags]), [
      [FieldKind.QUERY_ARG, 'a', '1', 0],
      [FieldKind.QUERY_ARG, 'b', '2', 0],
      [FieldKind.QUERY_ARG, '', "c=3&d='x y", HttpFlag.TOO_MANY_ARGS],
    ]);
    const cookies: HttpField[] = [];
    assert.equal(parseCookies('a=1; b=2; c=%27', cookies, 2), HttpFlag.TOO_MANY_ARGS);
    assert.deepEqual(cookies.map((f) => [f.kind, f.name, f.value, f.flags]), [
      [FieldKind.COOKIE, 'a', '1', 0],
      [FieldKind.COOKIE, 'b', '2', 0],
      [FieldKind.COOKIE, '', " c='", HttpFlag.TOO_MANY_ARGS],
    ]);
    // Exactly max_args, or only empty ones after them: nothing more.
    const exact: HttpField[] = [];
    assert.equal(parseArgs('a=1&b=2&', FieldKind.QUERY_ARG, exact, 2), 0);
    assert.equal(parseCookies('a=1; b=2', exact, 2), 0);
    assert.equal(exact.length, 4);
  });

  it('splits arguments and cookies of which only some have a value', () => {
    const args: HttpField[] = [];
    parseArgs('a&b&c=1&d&e=2=3', FieldKind.QUERY_ARG, args, 100);
    assert.deepEqual(args.map((f) => [f.name, f.value]), [['a', ''], ['b', ''], ['c', '1'], ['d', ''], ['e', '2=3']]);
    const cookies: HttpField[] = [];
    parseCookies('flag; a=1; other ;b = %41 ;=x', cookies, 10);
    assert.deepEqual(cookies.map((f) => [f.name, f.value]), [['', 'flag'], ['a', '1'], ['', 'other'], ['b', 'A'], ['', 'x']]);
  });

  it('splits cookies, unquotes and percent-decodes values', () => {
    const out: HttpField[] = [];
    parseCookies('sid=abc; pref="x%3Cy"; flag ; empty=', out, 10);
    assert.deepEqual(out.map((f) => [f.name, f.value]), [['sid', 'abc'], ['pref', 'x<y'], ['', 'flag'], ['empty', '']]);
  });
});

describe('request lines and framing', () => {
  it('splits method, target and version, tolerating extra spaces and spaces in the target', () => {
    assert.deepEqual(splitRequestLine('GET /a?b=c HTTP/1.1'), { method: 'GET', target: '/a?b=c', protocol: 'HTTP/1.1' });
    assert.deepEqual(splitRequestLine('POST  /a b  HTTP/1.0'), { method: 'POST', target: '/a b', protocol: 'HTTP/1.0' });
    assert.deepEqual(splitRequestLine('GET /index.html'), { method: 'GET', target: '/index.html', protocol: 'HTTP/0.9' });
    assert.deepEqual(splitRequestLine('M-SEARCH * HTTP/1.1'), { method: 'M-SEARCH', target: '*', protocol: 'HTTP/1.1' });
    assert.deepEqual(splitRequestLine('GET\t/a\tHTTP/1.0 \v'), { method: 'GET', target: '/a', protocol: 'HTTP/1.0' });
    assert.deepEqual(splitRequestLine('PROPFIND /dav/ HTTP/2.0'), { method: 'PROPFIND', target: '/dav/', protocol: 'HTTP/2.0' });
  });

  it('rejects what is not a request line', () => {
    for (const line of ['get / HTTP/1.1', 'EHLO client.example', 'MAIL FROM:<a@b>', 'SSH-2.0-OpenSSH_9.2', 'GET / HTTP/x', 'GET', '\x16\x03\x01']) {
      assert.equal(splitRequestLine(line), null, line);
    }
  });

  it('reads body framing and flags ambiguous lengths', () => {
    const h = (pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, key: name.toLowerCase(), value }));
    assert.deepEqual(bodyFraming(h([['Content-Length', '12']])), { framing: { chunked: false, length: 12 }, flags: 0 });
    assert.deepEqual(bodyFraming(h([['Transfer-Encoding', 'gzip, chunked']])), { framing: { chunked: true, length: 0 }, flags: 0 });
    assert.deepEqual(bodyFraming(h([['Content-Length', '5'], ['Content-Length', '7']])), { framing: { chunked: false, length: 5 }, flags: HttpFlag.AMBIGUOUS_LENGTH });
    assert.deepEqual(bodyFraming(h([['Content-Length', '5'], ['Transfer-Encoding', 'chunked']])), { framing: { chunked: true, length: 0 }, flags: HttpFlag.AMBIGUOUS_LENGTH });
    assert.deepEqual(bodyFraming(h([['Content-Length', '-1']])), { framing: { chunked: false, length: 0 }, flags: HttpFlag.AMBIGUOUS_LENGTH });
    assert.deepEqual(bodyFraming(h([['Transfer-Encoding', 'xchunked'], ['Content-Length', '4']])), { framing: { chunked: false, length: 4 }, flags: HttpFlag.AMBIGUOUS_LENGTH });
  });
});

describe('bodies', () => {
  const limits = { maxFields: 100 };
  function fields(body: string, type: string, truncated = false): [unknown[], string[]] {
    const out: HttpField[] = [];
    const flags = parseBody(body, type, truncated, out, limits);
    return [out.map((f) => [f.kind, f.name, f.value]), flagNames(flags)];
  }

  it('decodes urlencoded forms', () => {
    assert.deepEqual(fields('a=1+2&b=%3C', 'application/x-www-form-urlencoded; charset=UTF-8'), [[[FieldKind.BODY_ARG, 'a', '1 2'], [FieldKind.BODY_ARG, 'b', '<']], []]);
  });

  it('walks JSON string leaves by path, and odd keys', () => {
    assert.deepEqual(fields('{"a":{"b":["x",1,{"c":"y"}]},"<k>":true,"n":null}', 'application/json'), [
      [
        [FieldKind.JSON, 'a.b[0]', 'x'],
        [FieldKind.JSON, 'a.b[2].c', 'y'],
        [FieldKind.JSON, '<k>', '<k>'],
      ],
      [],
    ]);
    assert.deepEqual(fields(Buffer.from('{"t":"café"}', 'utf8').toString('latin1'), 'application/vnd.api+json'), [[[FieldKind.JSON, 't', 'café']], []]);
  });

  it('inspects a JSON body that does not parse (or was cut) as raw text, flagged', () => {
    assert.deepEqual(fields('{"a": "x\' or 1=1', 'application/json'), [[[FieldKind.BODY_RAW, '', '{"a": "x\' or 1=1']], ['invalid_body']]);
    assert.deepEqual(fields('{"a":"b"}', 'application/json', true), [[[FieldKind.BODY_RAW, '', '{"a":"b"}']], ['invalid_body']]);
  });

  it('reads multipart fields, file names and text files, not binary files', () => {
    const b = 'BoUnD';
    const body =
      `--${b}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHello\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="notes"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nline1\nline2\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="img"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\x00\x01\r\n` +
      // Text whatever type it claims, and a binary file holding a PHP page: a web shell sent as an image.
      `--${b}\r\nContent-Disposition: form-data; name="pic"; filename="a.gif"\r\nContent-Type: image/gif\r\n\r\nGIF89a;<?php echo 1; ?>\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="pic2"; filename="b.gif"\r\nContent-Type: image/gif\r\n\r\nGIF89a\x00\x01\x02\x03<?php echo 1; ?>\r\n--${b}--\r\n`;
    assert.deepEqual(fields(body, `multipart/form-data; boundary="${b}"`), [
      [
        [FieldKind.MULTIPART, 'title', 'Hello'],
        [FieldKind.FILENAME, 'notes', 'a.txt'],
        [FieldKind.UPLOAD, 'notes', 'line1\nline2'],
        [FieldKind.FILENAME, 'img', 'p.png'],
        [FieldKind.FILENAME, 'pic', 'a.gif'],
        [FieldKind.UPLOAD, 'pic', 'GIF89a;<?php echo 1; ?>'],
        [FieldKind.FILENAME, 'pic2', 'b.gif'],
        [FieldKind.UPLOAD, 'pic2', 'GIF89a\x00\x01\x02\x03<?php echo 1; ?>'],
      ],
      [],
    ]);
  });

  it('inspects text bodies raw and skips binary ones', () => {
    assert.deepEqual(fields('<a>b</a>', 'application/xml'), [[[FieldKind.BODY_RAW, '', '<a>b</a>']], []]);
    assert.deepEqual(fields('\x00\x01\x02\x03binary\x04\x05', 'application/octet-stream'), [[], []]);
    assert.deepEqual(fields('\x00\x01\x02\x03\x04\x05\x06\x07', ''), [[], []]);
  });
});

describe('response heads read in place', () => {
  it('reads what parseResponseHead reads from the same head, and ends it at the same byte', () => {
    const lines = [
      'Content-Type: text/html; charset=utf-8',
      'content-length: 1234',
      'CONTENT-LENGTH:\t 77 \t',
      'Content-Length : 5',
      'Content-Length: 12x',
      'Transfer-Encoding: gzip, chunked',
      'transfer-encoding: chunked, identity',
      'Transfer-Encoding:Chunked',
      'Cache-Control: no-cache',
      'Connection: keep-alive',
      'cookie-less line without a colon',
      'Content-Type',
      'te: trailers',
      'T: x',
      'X-Note: Content-Length: 9',
      'Content-Type: caf\u00e9/\u00fe',
      ' folded continuation',
      'Location: /docs/',
      'LOCATION:\thttp://shop.example/a?b=1 ',
      'Last-Modified: Sun, 22 Nov 2026 07:11:52 GMT',
      'Link: </style.css>; rel=preload',
    ];
    const reader = new ResponseHeadReader();
    let heads = 0;
    for (let a = 0; a < lines.length; a++) {
      for (let b = 0; b < lines.length; b++) {
        for (const eol of ['\r\n', '\n']) {
          for (const blank of ['\r\n', '\n', '\r\r\n']) {
            const head = `HTTP/1.1 200 OK${eol}${lines[a]}${eol}${lines[b]}${eol}${blank}`;
            const buf = Buffer.from(`${head}tail: not head\r\n\r\n`, 'latin1');
            const end = reader.read(buf, 0, buf.length);
            assert.equal(end, head.length, JSON.stringify(head));
            const want = parseResponseHead(head);
            assert.ok(want !== null);
            assert.deepEqual({ status: reader.status, framing: { ...reader.framing }, hasLength: reader.hasLength, contentType: reader.contentType, location: reader.location }, want, JSON.stringify(head));
            // Cut anywhere before its blank line, the head does not end in the bytes at hand.
            assert.equal(reader.read(buf, 0, head.length - 1), -1);
            heads++;
          }
        }
      }
    }
    assert.equal(heads, lines.length * lines.length * 6);
  });

  it('reads a status line that is not HTTP as such, and ends its head all the same', () => {
    const reader = new ResponseHeadReader();
    const head = 'SSH-2.0-OpenSSH_9.2\r\nContent-Length: 4\r\n\r\n';
    assert.equal(reader.read(Buffer.from(head, 'latin1'), 0, head.length), head.length);
    assert.equal(reader.valid, false);
    assert.equal(parseResponseHead(head), null);
  });
});
