import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Verdict } from '../../src/output/events.js';
import { SummaryCollector, formatSummary } from '../../src/output/summary.js';
import type { RunTotals, SummaryReport } from '../../src/output/summary.js';
import { PORT_SCAN, TS_US, alertEvent, anomalyEvent, blockEvent, statsEvent, unblockEvent, verdictView } from './sample-events.js';

const TOTALS: RunTotals = {
  files: [
    { path: 'scan.pcap', format: 'pcap', compressed: false, frames: 42, bytes: 4_321 },
    { path: 'cut.pcapng.gz', format: 'pcapng', compressed: true, frames: 3, bytes: 2_500_000, truncatedAt: 2_499_990 },
  ],
  packets: 45,
  bytes: 2_000_000,
  firstTsUs: TS_US,
  lastTsUs: TS_US + 2_500_000,
  wallMs: 500,
  stats: { decoder: { pkts: 45, ipv4: 40, trunc: 0 }, flow: { memcap_hits: 0 } },
};

/** Two sources: .101 floods and scans (blocked), .102 scans once (allowed); plus decoder events. */
function collect(): SummaryCollector {
  const summary = new SummaryCollector({ top: 10 });
  summary.onEvent(anomalyEvent());
  summary.onEvent(alertEvent());
  summary.onEvent(blockEvent());
  summary.onEvent(alertEvent({ tsUs: TS_US + 1000 }));
  summary.onEvent(alertEvent({ signature: PORT_SCAN, tsUs: TS_US + 2000 }));
  summary.onEvent(alertEvent({ srcIp: '192.168.100.102', signature: PORT_SCAN, action: 'allowed', tsUs: TS_US + 3000 }));
  summary.onEvent(anomalyEvent({ event: 'decoder.ipv4.trunc_pkt' }));
  summary.onEvent(anomalyEvent());
  summary.onEvent(blockEvent({ addr: '192.168.100.9', reason: 'multi-port scan', sid: PORT_SCAN.sid, tsUs: TS_US + 5000 }));
  summary.onEvent(unblockEvent());
  summary.onEvent(blockEvent({ reason: 'multi-port scan', tsUs: TS_US + 70_000_000 }));
  summary.onEvent(statsEvent());

  const v = verdictView();
  const packet = (src: string, dest: string, verdict: number, blockedAddr = ''): void => {
    v.index++;
    v.src = src;
    v.dest = dest;
    v.verdict = verdict;
    v.reason = verdict === Verdict.BLOCK ? 'blocked' : '';
    v.blockedAddr = blockedAddr;
    summary.onPacket(v);
  };
  packet('192.168.100.101', '192.168.100.103', Verdict.BLOCK, '192.168.100.101');
  packet('192.168.100.101', '192.168.100.103', Verdict.BLOCK, '192.168.100.101');
  packet('192.168.100.103', '192.168.100.101', Verdict.ALLOW);
  packet('192.168.100.9', '192.168.100.103', Verdict.BLOCK, '192.168.100.9');
  packet('172.16.0.1', '172.16.0.2', Verdict.BLOCK, '172.16.0.1'); // never blocked by an event
  packet('192.168.100.102', '192.168.100.103', Verdict.ALLOW);
  return summary;
}

describe('SummaryCollector', () => {
  it('counts alerts, sources, blocks, drops and decoder events', () => {
    const report = collect().report(TOTALS);
    const expected: SummaryReport = {
      files: [
        { path: 'scan.pcap', format: 'pcap', compressed: false, frames: 42, bytes: 4_321 },
        { path: 'cut.pcapng.gz', format: 'pcapng', compressed: true, frames: 3, bytes: 2_500_000, truncated_at: 2_499_990 },
      ],
      packets: 45,
      bytes: 2_000_000,
      duration_s: 2.5,
      first_ts: '2026-11-21T06:38:11.123456+0000',
      last_ts: '2026-11-21T06:38:13.623456+0000',
      wall_s: 0.5,
      pps: 90,
      mbps: 32,
      verdicts: { allow: 2, block: 4 },
      alerts_total: 4,
      alerts_by_type: [
        { sid: 9000001, msg: 'RAMPART SYN flood', attack_type: 'syn_flood', count: 2 },
        { sid: 9000010, msg: 'RAMPART multi-port scan', attack_type: 'port_scan', count: 2 },
      ],
      top_sources: [
        { addr: '192.168.100.101', alerts: 3, attack_types: ['port_scan', 'syn_flood'] },
        { addr: '192.168.100.102', alerts: 1, attack_types: ['port_scan'] },
      ],
      blocked: [
        {
          addr: '192.168.100.101',
          first_block: '2026-11-21T06:38:11.123456+0000',
          blocks: 2,
          reasons: ['SYN flood', 'multi-port scan'],
          packets_dropped: 2,
        },
        { addr: '192.168.100.9', first_block: '2026-11-21T06:38:11.128456+0000', blocks: 1, reasons: ['multi-port scan'], packets_dropped: 1 },
      ],
      dropped_unattributed: 1,
      decoder_events: { 'decoder.icmpv4.trunc_pkt': 2, 'decoder.ipv4.trunc_pkt': 1 },
      untracked: { alert_sources: 0, blocked: 0 },
      stats: TOTALS.stats,
    };
    assert.deepEqual(report, expected);
    assert.deepEqual(JSON.parse(JSON.stringify(report)), expected, 'plain JSON-able data');
  });

  it('bounds the per-source tables and counts what it could not track', () => {
    const summary = new SummaryCollector({ maxSources: 2, top: 1 });
    for (const src of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.2']) summary.onEvent(alertEvent({ srcIp: src }));
    for (const addr of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) summary.onEvent(blockEvent({ addr }));
    const report = summary.report({ ...TOTALS, packets: 0, wallMs: 0 });
    assert.equal(report.alerts_total, 4);
    assert.deepEqual(report.top_sources, [{ addr: '10.0.0.2', alerts: 2, attack_types: ['syn_flood'] }]);
    assert.deepEqual(
      report.blocked.map((b) => b.addr),
      ['10.0.0.1', '10.0.0.2'],
    );
    assert.deepEqual(report.untracked, { alert_sources: 1, blocked: 1 });
    assert.deepEqual(summary.stats, { untracked_alert_sources: 1, untracked_blocked: 1 });
    assert.equal(report.first_ts, null);
    assert.equal(report.duration_s, 0);
    assert.equal(report.pps, 0, 'no Infinity for a zero wall time');
  });
});

describe('formatSummary', () => {
  const text = formatSummary(collect().report(TOTALS));
  const lines = text.split('\n');

  it('lists the inputs and traffic', () => {
    assert.ok(lines.includes('  FILE           FORMAT                 SIZE     FRAMES'), text);
    assert.ok(lines.includes('  scan.pcap      pcap                 4.3 kB  42 frames'), text);
    assert.ok(lines.includes('  cut.pcapng.gz  pcapng (compressed)  2.5 MB   3 frames  truncated at byte 2499990'), text);
    assert.ok(
      lines.includes('  packets     45 (2.0 MB) over 2.500 s of capture (2026-11-21T06:38:11.123456+0000 .. 2026-11-21T06:38:13.623456+0000)'),
      text,
    );
    assert.ok(lines.includes('  analysis    0.500 s, 90 pkt/s, 32.0 Mbit/s'), text);
    assert.ok(lines.includes('  verdicts    2 allowed, 4 blocked'), text);
  });

  it('has a row per signature, source, blocked address and decoder event', () => {
    assert.ok(lines.includes('Alerts: 4'), text);
    assert.ok(lines.includes('      SID  COUNT  ATTACK TYPE  SIGNATURE'), text);
    assert.ok(lines.includes('  9000001      2  syn_flood    RAMPART SYN flood'), text);
    assert.ok(lines.includes('  9000010      2  port_scan    RAMPART multi-port scan'), text);
    assert.ok(lines.includes('  192.168.100.101       3  port_scan, syn_flood'), text);
    assert.ok(lines.includes('  192.168.100.102       1  port_scan'), text);
    assert.ok(lines.includes('Blocked sources: 2'), text);
    assert.ok(lines.includes('  192.168.100.101  2026-11-21T06:38:11.123456+0000       2        2  SYN flood, multi-port scan'), text);
    assert.ok(lines.includes('  192.168.100.9    2026-11-21T06:38:11.128456+0000       1        1  multi-port scan'), text);
    assert.ok(lines.includes('  decoder.icmpv4.trunc_pkt      2'), text);
    assert.ok(lines.includes('  decoder.ipv4.trunc_pkt        1'), text);
    assert.ok(lines.includes('  decoder  pkts=45 ipv4=40'), `zero counters left out: ${text}`);
    assert.ok(!text.includes('flow '), 'a stage with only zero counters is left out');
  });

  it('uses colour only when asked', () => {
    assert.ok(!text.includes('\x1b['));
    const coloured = formatSummary(collect().report(TOTALS), { color: true });
    assert.ok(coloured.includes('\x1b[1mAlerts: 4\x1b[0m'));
  });
});
