/**
 * Golden tests on captures of real web-attack tools (sqlmap, curl, Nmap's scripts, wfuzz, wapiti) and benign clients (curl, a
 * browser-like Python client) made in network namespaces by test/fixtures/web/make-captures.sh:
 * which web signature fires, at which packet, about whom, and nothing at all about the benign
 * client, whether alone or browsing while sqlmap runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCaptureFile } from '../../src/capture/source.js';
import { parseConfig } from '../../src/config/config.js';
import { Engine } from '../../src/engine/engine.js';
import { SECTIONS } from '../../src/engine/sections.js';
import type { AlertEvent, EngineEvent, HttpEvent } from '../../src/output/events.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/web/', import.meta.url));

const ATTACKER = '10.93.0.66';
const CLIENT = '10.93.0.20';
const VICTIM = '10.93.0.10';

const SQLI = 9100100;
const XSS = 9100101;
const TRAVERSAL = 9100102;
const CMDI = 9100103;
const LOG4SHELL = 9100104;
const CRLF = 9100106;
const SSRF = 9100107;
const SCANNER = 9100108;

interface Analysis {
  readonly events: EngineEvent[];
  readonly alerts: AlertEvent[];
  readonly http: HttpEvent[];
}

async function analyse(file: string): Promise<Analysis> {
  const events: EngineEvent[] = [];
  const engine = new Engine(parseConfig(SECTIONS, 'outputs:\n  http_events: true\n', 'web-tools.yaml'), [{ onEvent: (ev) => events.push(ev), close: async () => {} }]);
  await readCaptureFile(DIR + file, engine.processFrame);
  engine.finish();
  return {
    events,
    alerts: events.filter((e): e is AlertEvent => e.type === 'alert'),
    http: events.filter((e): e is HttpEvent => e.type === 'http'),
  };
}

/** sid, pcap_cnt, source, location, field ('' when none). */
type Seen = [number, number, string, string, string];

function seen(alerts: readonly AlertEvent[]): Seen[] {
  return alerts.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, (a.metadata.location ?? [''])[0], (a.metadata.field ?? [''])[0]]);
}

/**
 * The alerts about the tool's User-Agent apart from the attacks, and what they say: sid, packet,
 * source, field, rule, action. Not blocked at the default block_severity: a name is no attack.
 */
function scannerAlerts(alerts: readonly AlertEvent[]): { attacks: AlertEvent[]; scanner: [number, number, string, string, string, string][] } {
  return {
    attacks: alerts.filter((a) => a.signature.sid !== SCANNER),
    scanner: alerts.filter((a) => a.signature.sid === SCANNER).map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, (a.metadata.field ?? [''])[0], (a.metadata.rule ?? [''])[0], a.action]),
  };
}

/** Every alert of each curl capture, one request after another (README.md lists the requests). */
const CURL: Record<string, Seen[]> = {
  'curl_xss.pcap': [
    [XSS, 6, ATTACKER, 'query', 'name'],
    [XSS, 18, ATTACKER, 'query', 'q'],
    [XSS, 30, ATTACKER, 'query', 'next'],
    [XSS, 42, ATTACKER, 'query', 'q'],
    [XSS, 54, ATTACKER, 'json', 'text'],
    [XSS, 66, ATTACKER, 'json', 'tags[0]'],
  ],
  'curl_path_traversal.pcap': [
    [TRAVERSAL, 6, ATTACKER, 'path', ''],
    [TRAVERSAL, 18, ATTACKER, 'path', ''],
    [TRAVERSAL, 30, ATTACKER, 'query', 'file'],
    [TRAVERSAL, 42, ATTACKER, 'path', ''],
    [TRAVERSAL, 54, ATTACKER, 'query', 'file'],
    [TRAVERSAL, 66, ATTACKER, 'path', ''],
    [TRAVERSAL, 78, ATTACKER, 'query', 'file'],
    [TRAVERSAL, 90, ATTACKER, 'query', 'file'],
  ],
  'curl_command_injection.pcap': [
    [CMDI, 6, ATTACKER, 'query', 'host'],
    [CMDI, 18, ATTACKER, 'query', 'host'],
    // `|cat /etc/passwd` is also a local file inclusion target.
    [CMDI, 30, ATTACKER, 'query', 'host'],
    [TRAVERSAL, 30, ATTACKER, 'query', 'host'],
    [CMDI, 42, ATTACKER, 'query', 'host'],
    [CMDI, 54, ATTACKER, 'query', 'host'],
    [CMDI, 66, ATTACKER, 'body', 'host'],
  ],
  'curl_exploits.pcap': [
    [CMDI, 6, ATTACKER, 'header', 'spring.cloud.function.routing-expression'],
    [CMDI, 18, ATTACKER, 'query', 'name'],
    [CMDI, 30, ATTACKER, 'query', 's'],
    [CMDI, 42, ATTACKER, 'body', 'script'],
    [CMDI, 54, ATTACKER, 'body', 'widgetConfig[code]'],
    [CMDI, 66, ATTACKER, 'json', 'b.@type'],
    [CMDI, 78, ATTACKER, 'query', 'q'],
    [CMDI, 90, ATTACKER, 'query', 'name'],
    [SQLI, 102, ATTACKER, 'query', 'id'],
  ],
  // NoSQL operator injection, read as SQL injection: the operator where the application reads it.
  'curl_nosql.pcap': [
    [SQLI, 6, ATTACKER, 'arg_name', 'password[$ne]'],
    [SQLI, 18, ATTACKER, 'arg_name', 'password[$regex]'],
    [SQLI, 30, ATTACKER, 'json', 'username.$ne'],
    [SQLI, 42, ATTACKER, 'json', '$where'],
    [SQLI, 54, ATTACKER, 'query', 'q'],
  ],
  'curl_log4shell.pcap': [
    [LOG4SHELL, 6, ATTACKER, 'header', 'user-agent'],
    [LOG4SHELL, 18, ATTACKER, 'header', 'x-api-version'],
    [LOG4SHELL, 30, ATTACKER, 'query', 'q'],
    [LOG4SHELL, 42, ATTACKER, 'header', 'referer'],
  ],
};

describe('web tools: curl attacks', () => {
  for (const [file, expected] of Object.entries(CURL)) {
    it(`${file}: every request alerted, where the attack is`, async () => {
      const { alerts, http, events } = await analyse(file);
      assert.deepEqual(seen(alerts), expected);
      assert.ok(alerts.every((a) => a.destIp === VICTIM && a.destPort === 80));
      // One connection per curl request, each one alerted.
      assert.equal(new Set(alerts.map((a) => a.flowId)).size, http.length);
      const blocks = events.filter((e) => e.type === 'block');
      assert.deepEqual(blocks.map((b) => (b.type === 'block' ? [b.addr, b.pcapCnt] : [])), [[ATTACKER, 6]]);
    });
  }
});

describe('web tools: requests sent in the SYN (TCP Fast Open)', () => {
  it('curl_fastopen.pcap: each attack inside a SYN alerted at the SYN-ACK that took it', async () => {
    const { alerts, http, events } = await analyse('curl_fastopen.pcap');
    // Connection 1 (GET /, packets 3-14) fetches the cookie; connections 2-4 carry their request
    // in the SYN (packets 15, 25, 35), which the server's SYN-ACK (16, 26, 36) acknowledges.
    assert.deepEqual(seen(alerts), [
      [SQLI, 16, ATTACKER, 'query', 'id'],
      [TRAVERSAL, 26, ATTACKER, 'query', 'file'],
      [XSS, 36, ATTACKER, 'query', 'name'],
    ]);
    assert.ok(alerts.every((a) => a.destIp === VICTIM && a.destPort === 80 && a.srcPort !== 80));
    assert.deepEqual(
      http.map((h) => [h.http.url, h.http.status]),
      [
        ['/', 200],
        ["/item?id=1%27%20UNION%20SELECT%20name,password,3%20FROM%20users--%20-", 500],
        ['/download?file=../../../../etc/passwd', 404],
        ['/echo?name=%3cscript%3ealert%28document.cookie%29%3c%2fscript%3e', 200],
      ],
    );
    const stats = events.find((e) => e.type === 'stats' && e.final);
    assert.ok(stats !== undefined && stats.type === 'stats');
    assert.deepEqual([stats.stats.stream.syn_data, stats.stats.stream.syn_data_refused, stats.stats.stream.gaps], [3, 0, 0]);
  });
});

describe('web tools: one source port for four connections in a row (TCP port reuse)', () => {
  it('curl_port_reuse.pcap: each connection its own flow, each attack alerted', async () => {
    const { alerts, http, events } = await analyse('curl_port_reuse.pcap');
    // Four connections from port 45000 (SYNs at packets 3, 15, 27, 39), each closed by both
    // sides before the next: GET /, then the three attacks (requests at 18, 30, 42).
    assert.deepEqual(seen(alerts), [
      [SQLI, 18, ATTACKER, 'query', 'id'],
      [TRAVERSAL, 30, ATTACKER, 'query', 'file'],
      [XSS, 42, ATTACKER, 'query', 'name'],
    ]);
    assert.ok(alerts.every((a) => a.srcPort === 45000 && a.destPort === 80));
    assert.deepEqual(
      http.map((h) => [h.http.url, h.http.status]),
      [
        ['/', 200],
        ['/item?id=1%20UNION%20SELECT%20name,password,3%20FROM%20users--%20-', 200],
        ['/download?file=../../../../etc/passwd', 404],
        ['/echo?name=%3csvg+onload%3dalert%281%29%3e', 200],
      ],
    );
    assert.equal(new Set(http.map((h) => h.flowId)).size, 4);
    const stats = events.find((e) => e.type === 'stats' && e.final);
    assert.ok(stats !== undefined && stats.type === 'stats');
    assert.deepEqual([stats.stats.flow.flows_created, stats.stats.flow.tcp_reuse, stats.stats.stream.gaps], [4, 3, 0]);
  });
});

describe('web tools: insertion (decoys, RSTs and overlapping fragments the victim drops, an urgent byte it takes out)', () => {
  it('tcp_insertion.pcap: the real request read, whatever decoy came first or whatever RST came between', async () => {
    const { alerts, http, events } = await analyse('tcp_insertion.pcap');
    assert.deepEqual(seen(alerts), [
      // Per connection: the decoy (packets 6, 15, 25) the victim's TCP dropped (wrong checksum,
      // no ACK flag, a stale timestamp), then the real request (7, 16, 27) at the same sequence number.
      [SQLI, 7, ATTACKER, 'query', 'id'],
      [XSS, 16, ATTACKER, 'query', 'name'],
      [TRAVERSAL, 27, ATTACKER, 'query', 'file'],
      // The request cut in the middle of its attack (36, 55) by a RST the victim ignored (38: its
      // sequence number out of the window; 57: a wrong checksum), the rest 11 s later (46, 63).
      [SQLI, 46, ATTACKER, 'query', 'id'],
      [XSS, 63, ATTACKER, 'query', 'name'],
      // `UN`, an urgent `X`, `ION` (71): the victim's TCP took the X out; the app read UNION.
      [SQLI, 71, ATTACKER, 'query', 'id'],
      // A decoy in two IP fragments overlapping by 8 bytes (80, 81), which Linux discards whole;
      // the real request (82) at the same sequence number.
      [TRAVERSAL, 82, ATTACKER, 'query', 'file'],
      // Decoys with a loose source route (92) and with a TCP-MD5 option (104), each before its
      // real request (93, 106).
      [XSS, 93, ATTACKER, 'query', 'name'],
      [CMDI, 106, ATTACKER, 'query', 'host'],
      [TRAVERSAL, 106, ATTACKER, 'query', 'host'],
      // A decoy SYN with a wrong checksum and another ISN (114) before the real handshake (115).
      [XSS, 118, ATTACKER, 'query', 'name'],
    ]);
    assert.deepEqual(
      http.map((h) => [h.http.url, h.http.status]),
      [
        ['/item?id=2%20UNION%20SELECT%20name,password,3%20FROM%20users--%20-', 200],
        ['/item?id=1%20UNION%20SELECT%20name,password,3%20FROM%20users--%20-', 200],
        ['/echo?name=%3Cscript%3Ealert(document.domain)%3C/script%3E', 200],
        ['/echo?name=%3Cscript%3Ealert(document.cookie)%3C/script%3E', 200],
        ['/item?id=3%20UNION%20SELECT%20name,password,3%20FROM%20users--%20-', 200],
        ['/download?file=../../../../etc/passwd', 404],
        ['/download?file=..%2f..%2f..%2f..%2fetc%2fshadow', 404],
        ['/ping?host=127.0.0.1%3Bcat%20/etc/passwd', 200],
        ['/echo?name=%3Cbody%20onload=alert(document.cookie)%3E', 200],
        ['/echo?name=%3Cimg%20src=x%20onerror=alert(1)%3E', 200],
      ],
    );
    const stats = events.find((e) => e.type === 'stats' && e.final);
    assert.ok(stats !== undefined && stats.type === 'stats');
    const st = stats.stats.stream;
    assert.deepEqual([st.invalid_checksum, st.no_ack_data, st.invalid_timestamp, st.urgent_bytes, st.midstream], [1, 1, 1, 1, 0]);
    assert.deepEqual([st.invalid_ip_checksum, st.ip_source_route, st.tcp_md5_unexpected], [0, 1, 1]);
    assert.deepEqual([stats.stats.flow.rst_ignored, stats.stats.flow.flows_created, st.gaps], [2, 10, 0]);
    assert.deepEqual([stats.stats.defrag.overlap_discards, stats.stats.defrag.reassembled], [1, 0]);
    // Suricata's anomaly types: reassembly's events are "stream", defragmentation's "decode".
    const anomalies = events.filter((e) => e.type === 'anomaly').map((e) => (e.type === 'anomaly' ? [e.event, e.layer, e.pcapCnt] : []));
    assert.deepEqual(anomalies, [
      ['stream.pkt_invalid_timestamp', 'stream', 25],
      ['decoder.ipv4.frag_overlap', 'decode', 81],
    ]);
  });
});

/** What sqlmap's run shows: per sid [alerts, first pcap_cnt]; attacker requests; those with no alert. */
interface SqlmapExpect {
  /** The packet of sqlmap's first request: its User-Agent names it (logged once, the run being under a minute). */
  readonly named: number;
  readonly bySid: Record<number, [number, number]>;
  readonly requests: number;
  readonly unalerted: number;
  readonly clientRequests: number;
}

const SQLMAP: Record<string, SqlmapExpect> = {
  // The 25 requests without an alert: those with the original `id=1` (sqlmap's baseline and its
  // time-based statistical model). Its two heuristic probes are alerted: ten of `"'(),.` that break
  // SQL syntax (`1(.)('.,,."`, a syntax-breaking probe) and `1'hDcSxY<'">TMBWBn` (a markup-breaking
  // probe, XSS). Packet 46 is sqlmap's WAF/IPS probe
  // (`&gAvw=… UNION ALL SELECT …'<script>alert("XSS")</script>'… EXEC xp_cmdshell('cat ../../../etc/passwd')#`),
  // built to trip every signature at once.
  'sqlmap_get.pcap': { named: 29, bySid: { [SQLI]: [26, 46], [XSS]: [2, 46], [TRAVERSAL]: [1, 46], [CMDI]: [1, 46] }, requests: 52, unalerted: 25, clientRequests: 40 },
  // The 2 without an alert: the original `username=ann` twice (the heuristic probes alerted). Twenty
  // of the 139 alerted are stacked queries behind sqlmap's other boundaries (`') AS x WHERE
  // 1=1;SELECT …`, `"="ann";…`, `' IN BOOLEAN MODE);…`, backticks), which the checks missed
  // before (see test/detect/web-checks.test.ts, "payloads of real tools").
  'sqlmap_post.pcap': { named: 27, bySid: { [SQLI]: [140, 43], [XSS]: [2, 43], [TRAVERSAL]: [1, 43], [CMDI]: [1, 43] }, requests: 143, unalerted: 2, clientRequests: 40 },
  // Over keep-alive connections: the 29 requests without an alert are the original `q=shoes`
  // (baseline and timing model). Every one of the 236 heavy queries is alerted, the 80 the between
  // tamper mangled too (`AND 9951 BETWEEN (SELECT AND (SELECTCOUNT(*) FROM …`, `CHAR(116)||CHAR(110)
  // BETWEEN REGEXP_SUBSTRING(REPEAT(…`), which the checks missed before.
  'sqlmap_tamper_between.pcap': { named: 24, bySid: { [SQLI]: [235, 38], [XSS]: [2, 38], [TRAVERSAL]: [1, 38], [CMDI]: [1, 38] }, requests: 265, unalerted: 29, clientRequests: 40 },
};

describe('web tools: sqlmap, with a benign client browsing meanwhile', () => {
  for (const [file, expected] of Object.entries(SQLMAP)) {
    it(`${file}: SQL injection from the attacker, nothing about the client`, async () => {
      const { alerts: all, http, events } = await analyse(file);
      const { attacks: alerts, scanner } = scannerAlerts(all);
      assert.deepEqual(scanner, [[SCANNER, expected.named, ATTACKER, 'user-agent', "sqlmap's User-Agent", 'allowed']]);
      const bySid: Record<number, [number, number]> = {};
      for (const a of alerts) {
        const entry = (bySid[a.signature.sid] ??= [0, a.pcapCnt]);
        entry[0]++;
      }
      assert.deepEqual(bySid, expected.bySid);
      assert.ok(alerts.every((a) => a.srcIp === ATTACKER && a.destIp === VICTIM));
      assert.ok(alerts.filter((a) => a.signature.sid === SQLI).every((a) => a.metadata.sqli_fingerprint !== undefined));

      const attacker = http.filter((h) => h.srcIp === ATTACKER);
      const alerted = new Set(alerts.map((a) => `${a.flowId}/${a.txId}`));
      assert.equal(attacker.length, expected.requests);
      const unalerted = attacker.filter((h) => !alerted.has(`${h.flowId}/${h.txId}`));
      assert.equal(unalerted.length, expected.unalerted);
      // Each of them is sqlmap's original request.
      assert.deepEqual(new Set(unalerted.map((h) => h.http.url)).size, 1);

      const client = http.filter((h) => h.srcIp === CLIENT);
      assert.equal(client.length, expected.clientRequests);
      assert.ok(client.every((h) => h.http.status > 0 && h.anomalies.length === 0));
      assert.deepEqual(alerts.filter((a) => a.srcIp === CLIENT || a.destIp === CLIENT), []);
      const blocked = events.filter((e) => e.type === 'block').map((e) => (e.type === 'block' ? e.addr : ''));
      assert.deepEqual(blocked, [ATTACKER]);
    });
  }
});

describe("web tools: wfuzz's injection lists", () => {
  it('wfuzz_injections.pcap: each attack type where the list has it; bare probes, LDAP and XPath quiet', async () => {
    const { alerts: all, http, events } = await analyse('wfuzz_injections.pcap');
    const { attacks: alerts, scanner } = scannerAlerts(all);
    assert.deepEqual(scanner, [[SCANNER, 15, ATTACKER, 'user-agent', "wfuzz's User-Agent", 'allowed']]);
    const bySid: Record<number, [number, number]> = {};
    for (const a of alerts) (bySid[a.signature.sid] ??= [0, a.pcapCnt])[0]++;
    assert.deepEqual(bySid, { [SQLI]: [53, 41], [XSS]: [37, 668], [TRAVERSAL]: [68, 926], [CMDI]: [7, 410] });
    assert.ok(alerts.every((a) => a.srcIp === ATTACKER && a.destIp === VICTIM && a.destPort === 80));
    assert.equal(http.length, 247);
    // The 87 requests without an alert hold no attack a server would run: bare keywords and
    // characters (`select`, `'`, `|`, `--`), `\x27`-style escapes no server decodes in a query,
    // LDAP filters and XPath (no attack type of these checks), lines wfuzz cut at the list's `#`
    // (`<IMG SRC="jav`), `&lt` without its `;` (text, never a tag), and `%25%5c..` (a `%` and a
    // `\` once decoded: no dot segment).
    const alerted = new Set(alerts.map((a) => `${a.flowId}/${a.txId}`));
    assert.equal(http.filter((h) => !alerted.has(`${h.flowId}/${h.txId}`)).length, 87);
    const rule = (a: AlertEvent): string => (a.metadata.rule ?? [''])[0];
    const found = (url: string): string[] => alerts.filter((a) => a.http?.url === url).map((a) => `${a.signature.sid} ${rule(a)}`);
    // A tautology with its left side already in the query, the rest of it after.
    assert.deepEqual(found('/search?q=or%201=1'), [`${SQLI} tautology`]);
    assert.deepEqual(found('/search?q=or%200=0%20'), [`${SQLI} tautology`]);
    // XML's payloads: script split by CDATA sections, an HTML component, PHP code closing a call.
    assert.deepEqual(found("/search?q=<![CDATA[<]]>SCRIPT<![CDATA[>]]>alert('XSS');<![CDATA[<]]>/SCRIPT<![CDATA[>]]>"), [`${XSS} <script> element (split by CDATA sections)`]);
    assert.deepEqual(found('/search?q=<HTML%20xmlns:xss><?import%20namespace="xss"%20implementation="http://ha.ckers.org/xss.htc"><xss:xss>XSS</xss:xss></HTML>'), [`${XSS} HTML component import`]);
    assert.deepEqual(found("/search?q=<name>',''));%20phpinfo();%20exit;/*</name>"), [`${CMDI} PHP code injection (phpinfo)`]);
    // SQL Server's shell procedure, named with its database, run by EXEC.
    assert.deepEqual(found("/search?q=';%20exec%20master..xp_cmdshell"), [`${CMDI} ; then exec`, `${SQLI} stacked query after string break`]);
    const blocks = events.filter((e) => e.type === 'block');
    assert.deepEqual(blocks.map((b) => (b.type === 'block' ? [b.addr, b.pcapCnt] : [])), [[ATTACKER, 41]]);
  });
});

describe('web tools: wapiti, a web vulnerability scanner', () => {
  it('wapiti_item.pcap: each of its modules under its own attack type, one per request; its plain probes quiet', async () => {
    const { alerts, http, events } = await analyse('wapiti_item.pcap');
    // It poses as Firefox: no User-Agent alert. Its modules run one after another: CRLF, execution, XSS, SQL.
    const bySid: Record<number, [number, number]> = {};
    for (const a of alerts) (bySid[a.signature.sid] ??= [0, a.pcapCnt])[0]++;
    assert.deepEqual(bySid, { [CRLF]: [1, 21], [CMDI]: [26, 27], [TRAVERSAL]: [1, 47], [XSS]: [39, 187], [SQLI]: [216, 383] });
    assert.ok(alerts.every((a) => a.srcIp === ATTACKER && a.destIp === VICTIM && a.destPort === 80));
    const perRequest = new Map<string, number>();
    for (const a of alerts) perRequest.set(`${a.flowId}/${a.txId}`, (perRequest.get(`${a.flowId}/${a.txId}`) ?? 0) + 1);
    assert.ok([...perRequest.values()].every((n) => n === 1), 'one attack type per request');
    assert.equal(http.length, 292);
    // The 9 without an alert: the page itself and a missing one, its taint word, `env` and `set`
    // (command names alone), `/e` and `item` with a NUL byte, `a`)``, and the SQL error probe `1¿'"(`.
    const quiet = http.filter((h) => !perRequest.has(`${h.flowId}/${h.txId}`)).map((h) => h.http.url);
    assert.equal(quiet.length, 9);
    assert.ok(quiet.includes('/item?id=1%C2%BF%27%22%28') && quiet.includes('/item?id=env'));
    // The command module's `../../…/usr/bin/env|` (Perl's open of a pipe) climbs out of the root first.
    assert.deepEqual(alerts.filter((a) => a.signature.sid === TRAVERSAL).map((a) => decodeURIComponent(a.http?.url ?? '').slice(-13)), ['/usr/bin/env|']);
    assert.deepEqual(events.filter((e) => e.type === 'block').map((e) => (e.type === 'block' ? e.addr : '')), [ATTACKER]);
  });
});

describe('web tools: content discovery (gobuster, dirb)', () => {
  // 120 words and the tools' own first requests; the 40th distinct path answered 404 alerts.
  for (const [file, scannerAlert, cnt, txId] of [
    ['gobuster_dirs.pcap', [[SCANNER, 6, ATTACKER, 'user-agent', "gobuster's User-Agent", 'allowed']], 225, 9],
    ['dirb_dirs.pcap', [], 205, 39],
  ] as const) {
    it(`${file}: one content discovery alert at the 40th path not found, the source blocked`, async () => {
      const { alerts, http, events } = await analyse(file);
      const { attacks, scanner } = scannerAlerts(alerts);
      assert.deepEqual(scanner, scannerAlert);
      assert.deepEqual(
        attacks.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, a.destIp, a.http?.url, a.http?.status, a.txId, a.signature.attackType]),
        [[9100040, cnt, ATTACKER, VICTIM, '/W3SVC', 404, txId, 'web_scan']],
      );
      assert.equal(http.length, 122);
      assert.deepEqual(events.filter((e) => e.type === 'block').map((b) => (b.type === 'block' ? [b.addr, b.pcapCnt] : [])), [[ATTACKER, cnt]]);
    });
  }
});

/** Benign captures: file, HTTP requests parsed (all answered). */
const BENIGN: readonly [string, number][] = [
  ['benign_curl.pcap', 13],
  ['benign_browser.pcap', 20],
  ['chromium_browser.pcap', 57],
];

describe('web tools: benign clients stay quiet', () => {
  for (const [file, requests] of BENIGN) {
    it(`${file}: ${requests} requests, no event but http and stats`, async () => {
      const { events, http } = await analyse(file);
      assert.deepEqual(events.filter((e) => e.type !== 'stats' && e.type !== 'http'), []);
      assert.equal(http.length, requests);
      assert.ok(http.every((h) => h.srcIp === CLIENT && h.http.status > 0));
    });
  }
});

/** Nmap's User-Agent, on every request of its scripting engine. */
const NMAP_UA = 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)';

describe("web tools: Nmap's scripts", () => {
  it('nmap_scripts_default.pcap: the default scripts are reconnaissance, logged once by their User-Agent and not blocked', async () => {
    const { events, alerts, http } = await analyse('nmap_scripts_default.pcap');
    // `; Nmap Scripting Engine;` once read as a command after a separator: an alert and a block per request.
    assert.deepEqual(scannerAlerts(alerts).scanner, [[SCANNER, 36, ATTACKER, 'user-agent', "Nmap Scripting Engine's User-Agent", 'allowed']]);
    assert.deepEqual(events.filter((e) => e.type !== 'stats' && e.type !== 'http' && e.type !== 'alert'), []);
    assert.equal(alerts.length, 1);
    assert.equal(http.length, 27);
    assert.ok(http.every((h) => h.srcIp === ATTACKER && h.http.httpUserAgent === NMAP_UA));
  });

  it('nmap_scripts_attacks.pcap: traversal, SQL injection, Shellshock and Struts OGNL, each where the script put it', async () => {
    const { alerts: all, http, events } = await analyse('nmap_scripts_attacks.pcap');
    const { attacks: alerts, scanner } = scannerAlerts(all);
    // Its first request is already an attack (a traversal in the path, read first): blocked by then.
    assert.deepEqual(scanner, [[SCANNER, 24, ATTACKER, 'user-agent', "Nmap Scripting Engine's User-Agent", 'blocked']]);
    const bySid: Record<number, [number, number]> = {};
    for (const a of alerts) (bySid[a.signature.sid] ??= [0, a.pcapCnt])[0]++;
    // http-passwd: 72 traversal requests (its 36 paths, in the path and as a `file` argument).
    assert.deepEqual(bySid, { [TRAVERSAL]: [72, 24], [CMDI]: [2, 29], [SQLI]: [3, 240] });
    assert.ok(alerts.every((a) => a.srcIp === ATTACKER && a.destIp === VICTIM && a.destPort === 80));
    assert.deepEqual(
      alerts.filter((a) => a.signature.sid !== TRAVERSAL).map((a) => [...seen([a])[0], (a.metadata.rule ?? [''])[0]]),
      [
        [CMDI, 29, ATTACKER, 'header', 'content-type', 'OGNL expression injection (#context[)'],
        [CMDI, 43, ATTACKER, 'header', 'referer', 'shellshock function definition'],
        // http-sql-injection's `' OR sqlspider` in each argument of the links its spider found (two pipelined in one segment).
        [SQLI, 240, ATTACKER, 'query', 'file', 'boolean after string break'],
        [SQLI, 260, ATTACKER, 'query', 'id', 'boolean after string break'],
        [SQLI, 260, ATTACKER, 'query', 'id', 'boolean after string break'],
      ],
    );
    // The spider's own requests (the site's pages and links, as they are) raise nothing.
    const alertedFlows = new Set(alerts.map((a) => a.flowId));
    assert.equal(http.length, 84);
    assert.equal(http.filter((h) => !alertedFlows.has(h.flowId)).length, 7);
    const blocked = events.filter((e) => e.type === 'block').map((e) => (e.type === 'block' ? [e.addr, e.pcapCnt] : []));
    assert.deepEqual(blocked, [[ATTACKER, 24]]);
  });
});

describe("web tools: Nmap's CVE scripts", () => {
  it('nmap_scripts_cves.pcap: each exploit probe alerted as what it is, the crawl quiet', async () => {
    const { alerts: all, http, events } = await analyse('nmap_scripts_cves.pcap');
    const { attacks: alerts, scanner } = scannerAlerts(all);
    assert.deepEqual(scanner, [[SCANNER, 25, ATTACKER, 'user-agent', "Nmap Scripting Engine's User-Agent", 'blocked']]);
    assert.ok(alerts.every((a) => a.srcIp === ATTACKER && a.destIp === VICTIM && a.destPort === 80));
    const bySid: Record<number, number> = {};
    for (const a of alerts) bySid[a.signature.sid] = (bySid[a.signature.sid] ?? 0) + 1;
    assert.deepEqual(bySid, { [TRAVERSAL]: 29, [CMDI]: 4, [SQLI]: 2, [SSRF]: 3 });
    const rule = (a: AlertEvent): [number, number, string, string, string] => [a.signature.sid, a.pcapCnt, (a.metadata.location ?? [''])[0], (a.metadata.field ?? [''])[0], (a.metadata.rule ?? [''])[0]];
    assert.deepEqual(
      alerts.filter((a) => a.signature.sid !== TRAVERSAL).map(rule),
      [
        // http-vuln-cve2013-0156: `type="string"` first (its CDATA a lone `nmap` line), then `type="yaml"`.
        [CMDI, 54, 'body', '', 'newline then nmap'],
        [SQLI, 78, 'query', 'list[fullordering]', 'error or file function'],
        [SQLI, 102, 'arg_name', "name[0;insert into users (uid,name,pass,mail,status) select max(uid)+1,'epngjisutu','$P$DfipxiylhlJ7bxVNxMa58xPuxj0r1S1','solxdzdm@iwhbq.zty',1 from users;insert into users_roles (uid, rid) VALUES ((select uid from users where name='epngjisutu'), (select rid from role where name = 'administrator'));#  ]", 'stacked query'],
        [CMDI, 155, 'body', '', 'PHP code injection (system)'],
        [SSRF, 190, 'path', '', 'request target that is a host, not a path (a reverse proxy joins it to its backend URL)'],
        [CMDI, 211, 'body', '', 'YAML deserialization tag !ruby/object'],
        [CMDI, 280, 'body', '', 'PHP code injection (system)'],
        [SSRF, 342, 'path', '', 'request target that is a host, not a path (a reverse proxy joins it to its backend URL)'],
        [SSRF, 342, 'path', '', 'request target that is a host, not a path (a reverse proxy joins it to its backend URL)'],
      ],
    );
    // The remote-file-inclusion spider's `http://tools.ietf.org/html/rfc13?` in the arguments it found.
    assert.deepEqual(
      alerts.filter((a) => (a.metadata.rule ?? [''])[0].startsWith('remote file inclusion')).map((a) => [a.pcapCnt, (a.metadata.field ?? [''])[0]]),
      [[321, 'id'], [352, 'id'], [352, 'file']],
    );
    // The scripts' own page fetches and the spider's crawl of the site raise nothing.
    const alertedTx = new Set(alerts.map((a) => `${a.flowId}:${a.txId}`));
    assert.deepEqual(
      http.filter((h) => !alertedTx.has(`${h.flowId}:${h.txId}`)).map((h) => h.http.url),
      ['/yojsxhknekpbrzioztce.htm', '/index.php', '/', '/login', '/search', '/item?id=2', '/item?id=1', '/download?file=terms.txt', '/docs/guide.html'],
    );
    assert.deepEqual(events.filter((e) => e.type === 'block').map((e) => (e.type === 'block' ? [e.addr, e.pcapCnt] : [])), [[ATTACKER, 25]]);
  });
});

describe('web tools: a WebSocket chat', () => {
  it('websocket_chat.pcap: each attack message alerted as a request of its own, decompressed; the benign chat quiet', async () => {
    const { alerts, http, events } = await analyse('websocket_chat.pcap');
    // Every message is compressed against the ones before it (permessage-deflate, context kept):
    // the later ones read only with the earlier ones' bytes as their window.
    assert.deepEqual(
      alerts.map((a) => [...seen([a])[0], a.txId, (a.metadata.websocket_message ?? [''])[0]]),
      [
        [SQLI, 34, ATTACKER, 'json', 'q', 1, '1'],
        [XSS, 36, ATTACKER, 'body', '', 2, '2'],
        // A Socket.IO event, `42["search","x' OR '1'='1"]`: its JSON read after the packet type.
        [SQLI, 38, ATTACKER, 'json', '[1]', 3, '3'],
        [LOG4SHELL, 40, ATTACKER, 'json', 'text', 4, '4'],
        [CMDI, 42, ATTACKER, 'json', 'host', 5, '5'],
        [TRAVERSAL, 42, ATTACKER, 'json', 'host', 5, '5'],
        [TRAVERSAL, 44, ATTACKER, 'json', 'file', 6, '6'],
      ],
    );
    assert.ok(alerts.every((a) => a.destIp === VICTIM && a.destPort === 8080 && a.http?.url === '/chat?room=lobby' && a.http.status === 101));
    assert.equal(alerts[0].detail, 'SQL injection in WebSocket message 1, json "q": union after string break');
    assert.equal(alerts[0].payloadPrintable, '{"type": "search", "q": "1\' UNION SELECT username, password FROM users--"}');
    // The two upgrade requests; the messages are no HTTP transactions.
    assert.deepEqual(
      http.map((h) => [h.srcIp, h.http.status]),
      [
        [CLIENT, 101],
        [ATTACKER, 101],
      ],
    );
    const stats = events.find((e) => e.type === 'stats' && e.final);
    assert.ok(stats !== undefined && stats.type === 'stats');
    assert.deepEqual([stats.stats.http.websocket_upgrades, stats.stats.http.websocket_messages, stats.stats.http.websocket_errors, stats.stats.http.buffered_bytes], [2, 11, 0, 0]);
    const blocked = events.filter((e) => e.type === 'block').map((e) => (e.type === 'block' ? [e.addr, e.pcapCnt] : []));
    assert.deepEqual(blocked, [[ATTACKER, 34]]);
  });
});

describe('web tools: sqlmap through WebSocket messages', () => {
  it('sqlmap_websocket.pcap: its payloads found in the messages, each connection an upgrade and one message', async () => {
    const { alerts, http, events } = await analyse('sqlmap_websocket.pcap');
    const bySid: Record<number, [number, number]> = {};
    for (const a of alerts) (bySid[a.signature.sid] ??= [0, a.pcapCnt])[0]++;
    // Packet 22 is sqlmap's WAF/IPS probe, sent in the handshake's URL (tx 0, the query); every
    // other alert is on a message (tx 1).
    assert.deepEqual(bySid, { [CMDI]: [1, 22], [SQLI]: [70, 22], [XSS]: [2, 22], [TRAVERSAL]: [1, 22] });
    assert.ok(alerts.every((a) => a.srcIp === ATTACKER && a.destIp === VICTIM && a.destPort === 8080));
    const onMessages = alerts.filter((a) => a.txId === 1);
    assert.equal(onMessages.length, 70);
    assert.ok(onMessages.every((a) => a.metadata.location[0] === 'json' && a.metadata.field[0] === 'id' && a.metadata.websocket_message[0] === '1'));
    // The two heuristic probes: `1,'),,".,,)` (SQL syntax broken) and `1'hiKNAC<'">Juqodg` (markup broken).
    assert.deepEqual(
      onMessages.filter((a) => a.signature.sid !== SQLI || a.metadata.rule[0] === 'syntax-breaking probe').map((a) => [a.signature.sid, a.metadata.rule[0]]),
      [[SQLI, 'syntax-breaking probe'], [XSS, 'markup-breaking probe']],
    );
    // 75 connections; the 4 without an alert sent `{"id": "1"}` (3) and a random number.
    assert.equal(http.length, 75);
    const alertedFlows = new Set(alerts.map((a) => a.flowId));
    assert.equal(http.filter((h) => !alertedFlows.has(h.flowId)).length, 4);
    const stats = events.find((e) => e.type === 'stats' && e.final);
    assert.ok(stats !== undefined && stats.type === 'stats');
    assert.deepEqual([stats.stats.http.websocket_upgrades, stats.stats.http.websocket_messages], [75, 75]);
  });
});

describe('web tools: attacks inside tunnels', () => {
  const INSIDE_ATTACKER = '10.94.0.66';
  const INSIDE_VICTIM = '10.94.0.10';
  /** The 13 transactions the attacker sent through the tunnel, attacks between benign requests. */
  const TRANSACTIONS = [
    ['/', 200],
    ['/item?id=1%20UNION%20SELECT%20name,password%20FROM%20users--%20-', 500],
    ['/search?q=select+union+station', 200],
    ['/echo?name=%3cscript%3ealert%28document.cookie%29%3c%2fscript%3e', 200],
    ['/docs/guide.html', 200],
    ['/download?file=../../../../etc/passwd', 404],
    ['/api/items?fields=id,name,price&order=price+desc&limit=10', 200],
    ['/ping?host=127.0.0.1%7ccat+%2fetc%2fpasswd', 200],
    ['/', 200],
    ['/search?q=drop-in+union+meeting%3b+select+a+table', 200],
    ['/login', 200],
    ['/download?file=terms.txt', 200],
    ['/echo?q=%22%3e%3cimg+src%3dx+onerror%3dalert%281%29%3e', 200],
  ];
  /** sid, location, field of each alert, in order: the same whatever the tunnel. */
  const ALERTS = [
    [SQLI, 'query', 'id'],
    [XSS, 'query', 'name'],
    [TRAVERSAL, 'query', 'file'],
    [CMDI, 'query', 'host'],
    [TRAVERSAL, 'query', 'host'],
    [LOG4SHELL, 'header', 'user-agent'],
    [SQLI, 'body', 'username'],
    [XSS, 'query', 'q'],
  ];

  /**
   * Analyses a capture of the tunnelled conversations: the web alerts (at the given packets) and
   * the IPv6 scan's (at `scanAt`) name the inside addresses, every transaction is read; the
   * decoder's counters are returned.
   */
  async function insideTunnels(file: string, webAt: readonly number[], scanAt: number): Promise<Record<string, number>> {
    const { alerts, http, events } = await analyse(file);
    const web = alerts.filter((a) => a.signature.sid !== 9100020);
    assert.deepEqual(
      web.map((a) => [a.signature.sid, a.metadata.location[0], a.metadata.field[0]]),
      ALERTS,
    );
    assert.deepEqual(web.map((a) => a.pcapCnt), webAt);
    assert.ok(web.every((a) => a.srcIp === INSIDE_ATTACKER && a.destIp === INSIDE_VICTIM && a.destPort === 80));
    const scans = alerts.filter((a) => a.signature.sid === 9100020);
    assert.deepEqual(scans.map((a) => [a.pcapCnt, a.srcIp, a.destIp]), [[scanAt, 'fd94::66', 'fd94::10']]);
    assert.deepEqual(http.map((h) => [h.http.url, h.http.status]), TRANSACTIONS);
    const stats = events.find((e) => e.type === 'stats' && e.final);
    assert.ok(stats !== undefined && stats.type === 'stats');
    return stats.stats.decoder;
  }

  it('vxlan_attacks.pcap: the kernel VXLAN tunnel opened, the attacks and the IPv6 scan inside alerted about the inside addresses', async () => {
    const decoder = await insideTunnels('vxlan_attacks.pcap', [20, 47, 72, 98, 98, 110, 137, 162], 203);
    assert.deepEqual([decoder.pkts, decoder.vxlan, decoder.events], [254, 252, 0]);
  });

  it('tunnel_encapsulations.pcap: the same conversations through GRE, ERSPAN, IP in IP, MPLS, PPPoE, PPTP, Geneve, Teredo: the same alerts', async () => {
    // One connection per tunnel kind, each request read and answered.
    const decoder = await insideTunnels('tunnel_encapsulations.pcap', [16, 40, 64, 88, 88, 100, 124, 148], 185);
    assert.deepEqual(
      Object.fromEntries(['gre', 'erspan', 'mpls', 'pppoe', 'ppp', 'geneve', 'teredo', 'ipv4_in_ipv4', 'ipv6_in_ipv4', 'ipv4_in_ipv6', 'ipv6_in_ipv6', 'events'].map((k) => [k, decoder[k]])),
      { gre: 84, erspan: 36, mpls: 24, pppoe: 12, ppp: 24, geneve: 12, teredo: 27, ipv4_in_ipv4: 12, ipv6_in_ipv4: 27, ipv4_in_ipv6: 12, ipv6_in_ipv6: 26, events: 0 },
    );
  });
});
