/**
 * The evaluator: on the default generated pair every attack type the engine supports is
 * detected and no benign host is alerted about or blocked; and on small crafted captures, the
 * exact accounting of missed, unsupported, false-positive and unattributed alerts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pcapBytes } from '../../../src/capture/pcap-writer.js';
import { evaluate, evaluateFiles, type EvalReport, supportedAttackTypes } from '../../../src/tools/eval/eval.js';
import { formatEvalReport, markdownTable } from '../../../src/tools/eval/format.js';
import { replaceTable, TABLE_END, TABLE_START } from '../../../src/tools/eval/readme-table.js';
import { DEFAULT_SEED, generateCaptures } from '../../../src/tools/generate/generate.js';
import { parseTruth, type Truth, TruthError } from '../../../src/tools/generate/truth.js';
import { portScan, Rng } from '../../../src/tools/scenario.js';
import { collector, T0 } from '../../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rampart eval on the default generated pair', () => {
  let malicious: EvalReport;
  let normal: EvalReport;
  before(async () => {
    const g = await generateCaptures({ outDir: dir, seed: DEFAULT_SEED, scale: 1 });
    malicious = await evaluateFiles(g.malicious.path, g.malicious.truthPath);
    normal = await evaluateFiles(g.normal.path, g.normal.truthPath);
  });

  it('detects every attack whose type a detector declares; the others are "not supported", never "missed"', () => {
    const supported = supportedAttackTypes();
    assert.ok(supported.has('port_scan') && supported.has('syn_flood'));
    assert.equal(malicious.attacks.length, 45);
    for (const a of malicious.attacks) {
      assert.equal(a.status, supported.has(a.type) ? 'detected' : 'not_supported', `${a.id}: ${a.status}`);
      if (a.status === 'detected') assert.ok(a.packets_to_first_alert !== null && a.packets_to_first_alert >= 0, a.id);
    }
    assert.deepEqual(malicious.warnings, []);
  });

  it('counts packets until the first alert: a NULL scan is alerted on its first probe, a port scan after 15 ports', () => {
    const byId = new Map(malicious.attacks.map((a) => [a.id, a]));
    assert.equal(byId.get('null_scan/null')?.packets_to_first_alert, 0);
    assert.equal(byId.get('null_scan/null')?.sids.join(), '9100010');
    const syn = byId.get('port_scan/syn');
    // 15 probes and the 14 answers between them, and any background packets in between.
    assert.ok(syn !== undefined && syn.packets_to_first_alert !== null && syn.packets_to_first_alert >= 28, JSON.stringify(syn));
    assert.equal(syn?.blocked_at, syn?.first_alert);
    // Forged sources are alerted about, never blocked.
    const spoofed = byId.get('syn_flood/spoofed');
    assert.equal(spoofed?.status, 'detected');
    assert.equal(spoofed?.sids.join(), '9100003');
    assert.equal(spoofed?.blocked_at, null);
    for (const [id, sid] of [['icmp_flood/spoofed', '9100017'], ['udp_flood/spoofed', '9100016']]) {
      const a = byId.get(id);
      assert.deepEqual([a?.status, a?.sids.join(), a?.blocked_at], ['detected', sid, null], id);
    }
  });

  it('finds no false positive: no alert about and no block of a benign host, in either capture', () => {
    for (const r of [normal, malicious]) {
      assert.deepEqual(r.false_positives, { alerts: 0, blocks: 0, hosts: [], events: [] }, r.capture);
      assert.deepEqual(r.unattributed_alerts, [], r.capture);
    }
    assert.equal(normal.alerts_total, 0);
  });

  it('prints a table per attack and per type, and the README table', () => {
    const text = formatEvalReport(malicious);
    assert.match(text, /^port_scan\/syn +192\.0\.2\.10 +10\.1\.0\.10 +detected +\d+ +\d+ +1 +#\d+$/m);
    assert.match(text, /^false positives on benign hosts: none$/m);
    const md = markdownTable(malicious, normal, DEFAULT_SEED);
    assert.match(md, /^\| `syn_flood` \| spoofed \| detected \| \d+ \| 1 \|$/m);
    assert.match(md, /`normal\.pcap` \(\d+ packets\) 0 alerts, 0 blocks/);
  });
});

/** A SYN scan of 20 ports from 192.0.2.66 to 10.0.0.10, written as a pcap. */
function scanCapture(name: string): string {
  const c = collector();
  const ports = Array.from({ length: 20 }, (_, i) => 1000 + i);
  portScan(c.emit, { src: '192.0.2.66', dst: '10.0.0.10', ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
  const path = join(dir, name);
  writeFileSync(path, pcapBytes(c.frames.map((f) => ({ data: f.frame, tsUs: f.tsUs }))));
  return path;
}

function truthOf(attacks: Truth['attacks'], benign: string[]): Truth {
  return { capture: 'scan.pcap', generator: 'test', seed: 0, scale: 1, packets: 40, index_base: 1, notes: '', attacks, benign_hosts: benign };
}

const scanAttack = {
  id: 'port_scan/syn',
  type: 'port_scan',
  variant: 'syn',
  protocol: 'tcp',
  attacker: '192.0.2.66',
  victim: '10.0.0.10',
  description: '',
  first_packet: 1,
  last_packet: 39,
  packet_count: 20,
  packets: [],
  related: [],
} as const;

describe('rampart eval accounting', () => {
  it('detected with exact numbers: the 15th probe (packet 29) alerts and blocks', async () => {
    const path = scanCapture('scan.pcap');
    const r = await evaluate(path, truthOf([scanAttack], ['10.0.0.10']), 'scan.truth.json');
    assert.deepEqual(r.attacks[0], {
      id: 'port_scan/syn',
      type: 'port_scan',
      variant: 'syn',
      attacker: '192.0.2.66',
      victim: '10.0.0.10',
      first_packet: 1,
      status: 'detected',
      first_alert: 29,
      packets_to_first_alert: 28,
      alerts: 1,
      sids: [9100020],
      blocked_at: 29,
      also_alerted_as: [],
    });
    assert.deepEqual(r.types, [{ type: 'port_scan', status: 'detected', attacks: 1, detected: 1, fastest: 28 }]);
  });

  it('missed when the alert names someone else; not supported for a type no detector declares', async () => {
    const path = scanCapture('scan2.pcap');
    const truth = truthOf(
      [
        { ...scanAttack, attacker: '192.0.2.1' },
        { ...scanAttack, id: 'teardrop/x', type: 'teardrop', attacker: '192.0.2.2' },
      ],
      ['10.0.0.10'],
    );
    const r = await evaluate(path, truth, 'scan2.truth.json');
    assert.deepEqual(
      r.attacks.map((a) => [a.id, a.status, a.first_alert]),
      [
        ['port_scan/syn', 'missed', null],
        ['teardrop/x', 'not_supported', null],
      ],
    );
    assert.deepEqual(r.unattributed_alerts, [{ pcap_cnt: 29, sid: 9100020, attack_type: 'port_scan', src_ip: '192.0.2.66', dest_ip: '10.0.0.10' }]);
  });

  it('counts an alert about, and a block of, a benign host as false positives', async () => {
    const path = scanCapture('scan3.pcap');
    const r = await evaluate(path, truthOf([], ['10.0.0.10', '192.0.2.66']), 'scan3.truth.json');
    assert.equal(r.false_positives.alerts, 1);
    assert.equal(r.false_positives.blocks, 1);
    assert.deepEqual(r.false_positives.hosts, ['192.0.2.66']);
    assert.deepEqual(
      r.false_positives.events.map((e) => [e.kind, e.pcap_cnt, e.addr, e.sid]),
      [
        ['alert', 29, '192.0.2.66', 9100020],
        ['block', 29, '192.0.2.66', 9100020],
      ],
    );
    assert.match(formatEvalReport(r), /^false positives on benign hosts: 1 alerts, 1 blocks \(192\.0\.2\.66\)$/m);
  });

  it('warns when the truth file describes another number of packets', async () => {
    const path = scanCapture('scan4.pcap');
    const r = await evaluate(path, { ...truthOf([scanAttack], []), packets: 41 }, 'scan4.truth.json');
    assert.deepEqual(r.warnings, [`scan4.truth.json describes 41 packets, ${path} holds 40: packet numbers may not line up`, `scan4.truth.json describes scan.pcap, not scan4.pcap`]);
  });
});

describe('truth files', () => {
  it('names the file and the field that is wrong', () => {
    assert.throws(() => parseTruth('{', 't.json'), (e: unknown) => e instanceof TruthError && /^t\.json: not JSON/.test(e.message));
    assert.throws(() => parseTruth('{"index_base": 0, "attacks": [], "benign_hosts": []}', 't.json'), /t\.json: index_base: expected 1/);
    assert.throws(() => parseTruth('{"index_base": 1, "attacks": [{"id": "a", "type": "x", "victim": "v", "attacker": 3}], "benign_hosts": []}', 't.json'), /t\.json: attacks\[0\]\.attacker: expected an address or null/);
    const dup = { id: 'a', type: 'x', victim: 'v', attacker: null, first_packet: 1, last_packet: 1 };
    assert.throws(() => parseTruth(JSON.stringify({ index_base: 1, attacks: [dup, dup], benign_hosts: [] }), 't.json'), /attacks\[1\]\.id: expected a unique id/);
    assert.throws(() => parseTruth(JSON.stringify({ index_base: 1, attacks: [{ ...dup, packets: [[3, 2]] }], benign_hosts: [] }), 't.json'), /attacks\[0\]\.packets: expected a list of \[first, last\] packet ranges/);
  });
});

describe('README table', () => {
  it('replaces only what lies between the markers', () => {
    const doc = `# Title\n\n${TABLE_START}\nold\n${TABLE_END}\n\nafter\n`;
    assert.equal(replaceTable(doc, '| new |', 'README.md'), `# Title\n\n${TABLE_START}\n| new |\n${TABLE_END}\n\nafter\n`);
    assert.throws(() => replaceTable('# no markers', 'x', 'README.md'), /README\.md: needs <!-- eval-table:start -->/);
  });
});
