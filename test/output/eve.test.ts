import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EveWriter, eveRecord, eveTimestamp } from '../../src/output/eve.js';
import { runAndHangUp } from './hang-up.js';
import { TS_US, alertEvent, anomalyEvent, blockEvent, statsEvent, unblockEvent } from './sample-events.js';

function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-eve-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('eveTimestamp', () => {
  it('formats µs since the epoch in UTC with six fraction digits', () => {
    assert.equal(eveTimestamp(TS_US), '2026-11-21T06:38:11.123456+0000');
    assert.equal(eveTimestamp(0), '1970-01-01T00:00:00.000000+0000');
    assert.equal(eveTimestamp(1_795_243_091_000_042), '2026-11-21T06:38:11.000042+0000');
    assert.equal(eveTimestamp(1_795_243_091_100_000), '2026-11-21T06:38:11.100000+0000');
    assert.equal(eveTimestamp(1_795_243_091_999_999), '2026-11-21T06:38:11.999999+0000');
  });

  it('gets calendar edges right', () => {
    assert.equal(eveTimestamp(Date.UTC(2024, 1, 29, 23, 59, 59) * 1000 + 999_999), '2024-02-29T23:59:59.999999+0000');
    assert.equal(eveTimestamp(Date.UTC(2024, 2, 1) * 1000), '2024-03-01T00:00:00.000000+0000');
    assert.equal(eveTimestamp(Date.UTC(1999, 11, 31, 23, 59, 59) * 1000 + 1), '1999-12-31T23:59:59.000001+0000');
    assert.equal(eveTimestamp(Date.UTC(2100, 1, 28, 12) * 1000), '2100-02-28T12:00:00.000000+0000');
    assert.equal(eveTimestamp(-1), '1969-12-31T23:59:59.999999+0000');
  });

  it('agrees with Date for a spread of instants', () => {
    for (let ms = 0; ms < 4_102_444_800_000; ms += 9_876_543_210) {
      assert.equal(eveTimestamp(ms * 1000 + 7), new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1007+0000'));
    }
  });
});

describe('eveRecord', () => {
  it('writes an alert in Suricata key order', () => {
    assert.equal(
      JSON.stringify(eveRecord(alertEvent())),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","flow_id":1234567890123,"pcap_cnt":33,"event_type":"alert",' +
        '"src_ip":"192.168.100.101","src_port":40000,"dest_ip":"192.168.100.103","dest_port":80,"proto":"TCP",' +
        '"alert":{"action":"blocked","gid":1,"signature_id":9000001,"rev":2,"signature":"RAMPART SYN flood",' +
        '"category":"Attempted Denial of Service","severity":2,"metadata":{"attack_type":["syn_flood"],"window":["1s"]}},' +
        '"rampart":{"detail":"120 SYN/s over 1s (threshold 100)"}}',
    );
  });

  it('leaves ports out for ICMP, like Suricata', () => {
    const ev = alertEvent({ proto: 'ICMP', srcPort: 0, destPort: 0, action: 'allowed', metadata: {} });
    assert.equal(
      JSON.stringify(eveRecord(ev)),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","flow_id":1234567890123,"pcap_cnt":33,"event_type":"alert",' +
        '"src_ip":"192.168.100.101","dest_ip":"192.168.100.103","proto":"ICMP",' +
        '"alert":{"action":"allowed","gid":1,"signature_id":9000001,"rev":2,"signature":"RAMPART SYN flood",' +
        '"category":"Attempted Denial of Service","severity":2,"metadata":{"attack_type":["syn_flood"]}},' +
        '"rampart":{"detail":"120 SYN/s over 1s (threshold 100)"}}',
    );
  });

  it('writes a block as a drop record with the block details', () => {
    assert.equal(
      JSON.stringify(eveRecord(blockEvent())),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","flow_id":1234567890123,"pcap_cnt":33,"event_type":"drop",' +
        '"src_ip":"192.168.100.101","src_port":40000,"dest_ip":"192.168.100.103","dest_port":80,"proto":"TCP",' +
        '"drop":{"reason":"blocked"},"block":{"action":"add","addr":"192.168.100.101","duration":60,' +
        '"expires":"2026-11-21T06:39:11.123456+0000","reason":"SYN flood","signature_id":9000001}}',
    );
  });

  it('writes an unblock as a block removal', () => {
    assert.equal(
      JSON.stringify(eveRecord(unblockEvent())),
      '{"timestamp":"2026-11-21T06:39:11.123456+0000","event_type":"block","block":{"action":"remove","addr":"192.168.100.101","reason":"expired"}}',
    );
  });

  it('writes an anomaly, without flow_id when there is no flow', () => {
    assert.equal(
      JSON.stringify(eveRecord(anomalyEvent())),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","pcap_cnt":7,"event_type":"anomaly","src_ip":"10.0.0.1",' +
        '"dest_ip":"10.0.0.2","proto":"ICMP","anomaly":{"type":"decode","event":"decoder.icmpv4.trunc_pkt"}}',
    );
    const udp = anomalyEvent({ flowId: 5, proto: 'UDP', srcPort: 53, destPort: 5353, event: 'decoder.udp.hlen_invalid' });
    assert.equal(
      JSON.stringify(eveRecord(udp)),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","flow_id":5,"pcap_cnt":7,"event_type":"anomaly","src_ip":"10.0.0.1",' +
        '"src_port":53,"dest_ip":"10.0.0.2","dest_port":5353,"proto":"UDP","anomaly":{"type":"decode","event":"decoder.udp.hlen_invalid"}}',
    );
  });

  it('leaves addresses out of an anomaly on a frame without IP', () => {
    const ev = anomalyEvent({ srcIp: '', destIp: '', proto: '', event: 'decoder.ethernet.pkt_too_small' });
    assert.equal(
      JSON.stringify(eveRecord(ev)),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","pcap_cnt":7,"event_type":"anomaly","anomaly":{"type":"decode","event":"decoder.ethernet.pkt_too_small"}}',
    );
  });

  it('writes stats with whole-second uptime first', () => {
    assert.equal(
      JSON.stringify(eveRecord(statsEvent())),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","event_type":"stats","stats":{"uptime":8,"decoder":{"pkts":42,"ipv4":38},"flow":{"memcap_hits":0}}}',
    );
  });

  it("writes stats in Suricata's layout, then Rampart's own sections", () => {
    const stats = {
      decoder: { pkts: 9, icmp: 2, icmpv6: 1, 'decoder.ipv4.trunc_pkt': 3, 'decoder.ipv4.hlen_too_small': 0, 'decoder.ltnull.pkt_too_small': 1, 'decoder.too_many_layers': 4 },
      defrag: { fragments: 2, reassembled: 1, ipv4_fragments: 2, ipv4_reassembled: 1, ipv4_timeouts: 0, ipv6_fragments: 0, ipv6_reassembled: 0, ipv6_timeouts: 0 },
      flow: { flows_created: 5, flows_active: 1, tcp: 4 },
      stream: { syn: 5, synack: 4, rst: 1, midstream: 1, gaps: 2, overlaps: 3, overlap_different_data: 1, memcap_hits: 0, depth_reached: 6, invalid_checksum: 7, segments: 11 },
      http: { flows: 4, requests: 8, not_http: 1, http2_prior_knowledge: 1, http2_upgrades: 1, http2_requests: 3 },
      detect: { alerts: 2, suppressed: 5, web_alerts: 1 },
      decide: { blocks: 1 },
    };
    const record = eveRecord({ ...statsEvent(), stats }) as { stats: unknown };
    assert.deepEqual(record.stats, {
      uptime: 8,
      decoder: { pkts: 9, icmp: 2, icmpv4: 2, icmpv6: 1, event: { ipv4: { trunc_pkt: 3, hlen_too_small: 0 }, ltnull: { pkt_too_small: 1 } }, too_many_layers: 4 },
      flow: { total: 5, active: 1, flows_created: 5, flows_active: 1, tcp: 4 },
      defrag: { ipv4: { fragments: 2, reassembled: 1, timeouts: 0 }, ipv6: { fragments: 0, reassembled: 0, timeouts: 0 }, fragments: 2, reassembled: 1 },
      tcp: { sessions: 4, syn: 5, synack: 4, rst: 1, midstream_pickups: 1, invalid_checksum: 7, segment_memcap_drop: 0, stream_depth_reached: 6, reassembly_gap: 2, overlap: 3, overlap_diff_data: 1 },
      detect: { alert: 2, alerts_suppressed: 5, alerts: 2, suppressed: 5, web_alerts: 1 },
      // One flow of prior-knowledge HTTP/2 and one upgraded from HTTP/1.1 (counted as http too).
      app_layer: { flow: { http: 3, http2: 2, failed_tcp: 1 }, tx: { http: 5, http2: 3 } },
      stream: { syn: 5, synack: 4, rst: 1, midstream: 1, gaps: 2, overlaps: 3, overlap_different_data: 1, memcap_hits: 0, depth_reached: 6, invalid_checksum: 7, segments: 11 },
      http: { flows: 4, requests: 8, not_http: 1, http2_prior_knowledge: 1, http2_upgrades: 1, http2_requests: 3 },
      decide: { blocks: 1 },
    });
    assert.deepEqual(Object.keys(record.stats as object), ['uptime', 'decoder', 'flow', 'defrag', 'tcp', 'detect', 'app_layer', 'stream', 'http', 'decide']);
  });
});

describe('EveWriter', () => {
  it('writes one record per line to a file', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'eve.json');
      const events = [alertEvent(), blockEvent(), anomalyEvent(), unblockEvent(), statsEvent()];
      const writer = new EveWriter(file);
      for (const ev of events) writer.onEvent(ev);
      await writer.close();
      const lines = readFileSync(file, 'utf8').split('\n');
      assert.equal(lines.pop(), '');
      assert.deepEqual(lines, events.map((ev) => JSON.stringify(eveRecord(ev))));
      assert.equal(writer.stats.records, 5);
    }));

  it('logs only the selected types; block covers drop and unblock records', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'eve.json');
      const writer = new EveWriter(file, { types: ['block'] });
      for (const ev of [alertEvent(), blockEvent(), anomalyEvent(), unblockEvent(), statsEvent()]) writer.onEvent(ev);
      await writer.close();
      const types = readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { event_type: string }).event_type);
      assert.deepEqual(types, ['drop', 'block']);
    }));

  it('keeps lines whole across chunk boundaries and keeps UTF-8 intact', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'eve.json');
      const writer = new EveWriter(file, { types: ['alert'] });
      for (let i = 0; i < 3000; i++) writer.onEvent(alertEvent({ pcapCnt: i + 1, detail: `détail ${i} ✓` }));
      await writer.close();
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 3000);
      assert.ok(writer.stats.chunks > 1, 'more than one 64 KiB chunk');
      lines.forEach((line, i) => {
        const record = JSON.parse(line) as { pcap_cnt: number; rampart: { detail: string } };
        assert.equal(record.pcap_cnt, i + 1);
        assert.equal(record.rampart.detail, `détail ${i} ✓`);
      });
    }));

  it('truncates an existing file unless appending', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'eve.json');
      writeFileSync(file, 'old\n');
      const fresh = new EveWriter(file, { types: ['stats'] });
      fresh.onEvent(statsEvent());
      await fresh.close();
      assert.equal(readFileSync(file, 'utf8').split('\n').length, 2);
      const appended = new EveWriter(file, { types: ['stats'], append: true });
      appended.onEvent(statsEvent());
      await appended.close();
      assert.equal(readFileSync(file, 'utf8').split('\n').length, 3);
    }));

  it('names the file it cannot open', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'no-such-dir', 'eve.json');
      assert.throws(() => new EveWriter(file), { message: new RegExp(`^cannot open output file ${file}: ENOENT`) });
    }));

  it('stops quietly on stdout EPIPE when the reader goes away', () =>
    withTempDir(async (dir) => {
      const script = join(dir, 'eve-epipe.mjs');
      const eveUrl = new URL('../../src/output/eve.js', import.meta.url).href;
      const sample = new URL('./sample-events.js', import.meta.url).href;
      writeFileSync(
        script,
        `import { EveWriter } from '${eveUrl}';
import { alertEvent } from '${sample}';
const writer = new EveWriter('-');
for (let i = 0; i < 200000; i++) {
  writer.onEvent(alertEvent({ pcapCnt: i + 1 }));
  if (i % 1000 === 0) await writer.drain();
}
await writer.close();
process.stderr.write('closed\\n');
`,
      );
      const result = await runAndHangUp(script);
      assert.equal(result.stderr, 'closed\n');
      assert.equal(result.code, 0);
      assert.ok(result.firstChunk.startsWith('{"timestamp":"2026-11-21T06:38:11.123456+0000"'));
    }));
});

describe('EVE HTTP records', () => {
  const http = {
    hostname: 'shop.example',
    httpPort: -1,
    url: '/search?q=%27%20OR%201%3D1--',
    httpUserAgent: 'curl/8.0',
    xff: '',
    httpContentType: '',
    httpRefer: '',
    httpMethod: 'GET',
    protocol: 'HTTP/1.1',
    status: 0,
    redirect: '',
    length: 0,
  };

  it('adds tx_id, http, app_proto and payload_printable to an alert on an HTTP request', () => {
    const ev = alertEvent({ metadata: { location: ['query'] }, http, txId: 2, payloadPrintable: 'GET /search?q=%27%20OR%201%3D1-- HTTP/1.1\r\nHost: shop.example\r\n\r\n' });
    assert.equal(
      JSON.stringify(eveRecord(ev)),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","flow_id":1234567890123,"pcap_cnt":33,"event_type":"alert",' +
        '"src_ip":"192.168.100.101","src_port":40000,"dest_ip":"192.168.100.103","dest_port":80,"proto":"TCP","tx_id":2,' +
        '"alert":{"action":"blocked","gid":1,"signature_id":9000001,"rev":2,"signature":"RAMPART SYN flood",' +
        '"category":"Attempted Denial of Service","severity":2,"metadata":{"attack_type":["syn_flood"],"location":["query"]}},' +
        '"http":{"hostname":"shop.example","url":"/search?q=%27%20OR%201%3D1--","http_user_agent":"curl/8.0","http_method":"GET","protocol":"HTTP/1.1","length":0},' +
        '"app_proto":"http","payload_printable":"GET /search?q=%27%20OR%201%3D1-- HTTP/1.1\\r\\nHost: shop.example\\r\\n\\r\\n",' +
        '"rampart":{"detail":"120 SYN/s over 1s (threshold 100)"}}',
    );
  });

  /** An http event of transaction 0 on flow 77, from a client on port 40000 to `destPort`. */
  const httpEvent = (fields: Partial<typeof http>, destPort: number, anomalies: string[]) => ({
    type: 'http' as const,
    tsUs: TS_US,
    pcapCnt: 9,
    flowId: 77,
    srcIp: '10.0.0.21',
    srcPort: 40000,
    destIp: '10.0.0.10',
    destPort,
    proto: 'TCP',
    http: { ...http, ...fields },
    txId: 0,
    anomalies,
  });

  it('writes an http event with its tx_id, and the response status and length once seen', () => {
    const ev = httpEvent({ httpContentType: 'text/html', httpRefer: 'http://shop.example/', status: 200, length: 512 }, 80, ['double_encoded']);
    assert.equal(
      JSON.stringify(eveRecord(ev)),
      '{"timestamp":"2026-11-21T06:38:11.123456+0000","flow_id":77,"pcap_cnt":9,"event_type":"http",' +
        '"src_ip":"10.0.0.21","src_port":40000,"dest_ip":"10.0.0.10","dest_port":80,"proto":"TCP","tx_id":0,' +
        '"http":{"hostname":"shop.example","url":"/search?q=%27%20OR%201%3D1--","http_user_agent":"curl/8.0","http_content_type":"text/html",' +
        '"http_refer":"http://shop.example/","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":512},' +
        '"app_proto":"http","rampart":{"anomalies":["double_encoded"]}}',
    );
    assert.equal(JSON.stringify((eveRecord({ ...ev, anomalies: [] }) as Record<string, unknown>).rampart), undefined);
  });

  it("writes Suricata's port, X-Forwarded-For and redirect in its order, and the Content-Type without parameters", () => {
    const ev = httpEvent({ httpPort: 8080, xff: '203.0.113.9', httpContentType: 'text/html; charset=utf-8', status: 301, redirect: '/docs/', length: 0 }, 8080, []);
    assert.equal(
      JSON.stringify((eveRecord(ev) as Record<string, unknown>).http),
      '{"hostname":"shop.example","http_port":8080,"url":"/search?q=%27%20OR%201%3D1--","http_user_agent":"curl/8.0","xff":"203.0.113.9",' +
        '"http_content_type":"text/html","http_method":"GET","protocol":"HTTP/1.1","status":301,"redirect":"/docs/","length":0}',
    );
  });

  it('logs http events only when the writer takes them', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'eve.json');
      const ev = { type: 'http' as const, tsUs: TS_US, pcapCnt: 1, flowId: 1, srcIp: 'a', srcPort: 1, destIp: 'b', destPort: 2, proto: 'TCP', http, txId: 0, anomalies: [] };
      const w = new EveWriter(file, { types: ['alert'] });
      w.onEvent(ev);
      await w.close();
      assert.equal(readFileSync(file, 'utf8'), '');
      const all = new EveWriter(file);
      all.onEvent(ev);
      await all.close();
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).event_type, 'http');
    }));
});
