import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pcapBytes } from '../../src/capture/pcap-writer.js';
import { ethernet, tcpPacket } from '../../src/tools/craft/frame.js';
import { buildDemoCapture } from '../../src/tools/demo-sample.js';
import { T0 } from '../helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../../samples/demo.pcap', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rampart-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rampart(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('rampart analyze', () => {
  it('ships a sample identical to what the sample builder makes', () => {
    assert.ok(readFileSync(SAMPLE).equals(buildDemoCapture()), 'samples/demo.pcap is stale: run npm run sample');
  });

  it('analyses the built-in sample when given no file, and finds every attack in it', () => {
    const r = rampart('analyze', '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const types = new Set<string>(report.alerts_by_type.map((a: { attack_type: string }) => a.attack_type));
    for (const t of ['port_scan', 'syn_flood', 'icmp_flood', 'udp_flood', 'null_scan', 'fin_scan', 'xmas_scan', 'host_sweep']) {
      assert.ok(types.has(t), `missing ${t} in ${[...types].join(',')}`);
    }
    const blocked = report.blocked.map((b: { addr: string }) => b.addr).sort();
    assert.deepEqual(blocked, ['10.0.0.250', '192.0.2.111', '192.0.2.66', '192.0.2.77', '192.0.2.88', '192.0.2.99', '198.51.100.7']);
  });

  it('writes the same EVE output for the same file, byte for byte', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    assert.equal(rampart('analyze', SAMPLE, '--eve', a).code, 0);
    assert.equal(rampart('analyze', SAMPLE, '--eve', b).code, 0);
    const text = readFileSync(a, 'utf8');
    assert.equal(text, readFileSync(b, 'utf8'));
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[lines.length - 1].event_type, 'stats');
    const alert = lines.find((l) => l.event_type === 'alert' && l.alert.signature_id === 9100020);
    assert.deepEqual(Object.keys(alert), ['timestamp', 'flow_id', 'pcap_cnt', 'event_type', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'alert', 'rampart']);
    assert.match(alert.timestamp, /^2026-01-15T10:00:05\.\d{6}\+0000$/);
    assert.equal(typeof alert.flow_id, 'number');
    assert.equal(typeof alert.pcap_cnt, 'number');
    assert.equal(typeof alert.src_port, 'number');
    assert.equal(alert.src_ip, '192.0.2.66');
    assert.equal(alert.proto, 'TCP');
    assert.deepEqual(Object.keys(alert.alert), ['action', 'gid', 'signature_id', 'rev', 'signature', 'category', 'severity', 'metadata']);
    assert.equal(alert.alert.action, 'blocked');
    assert.deepEqual(alert.alert.metadata, { attack_type: ['port_scan'], scan_kind: ['syn'] });
  });

  it("prints the seed's verdict lines", () => {
    const frames = [
      { data: Buffer.from('ffffffffffff020000000001' + '88cc' + '00'.repeat(20), 'hex'), tsUs: T0 },
      { data: ethernet(tcpPacket({ src: '192.168.100.101', dst: '192.168.100.103', sport: 40000, dport: 80, flags: 'S' })), tsUs: T0 + 1 },
      { data: ethernet(tcpPacket({ src: '192.168.100.101', dst: '192.168.100.103', sport: 40000, dport: 81, flags: 'FPU' })), tsUs: T0 + 2 },
    ];
    const f = join(dir, 'v.pcap');
    writeFileSync(f, pcapBytes(frames));
    const r = rampart('analyze', f, '--verdicts');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      '[0] Non-IP packet : ALLOW',
      '[1] 192.168.100.101 -> 192.168.100.103 : ALLOW',
      '[2] 192.168.100.101 -> 192.168.100.103 : BLOCK: Xmas scan',
    ]);
    assert.match(r.stderr, /Xmas scan|xmas_scan/);
  });

  it('stops with exit 1 and names the file on a file that is not a capture', () => {
    const f = join(dir, 'notes.txt');
    writeFileSync(f, 'hello, this is not a capture\n');
    const r = rampart('analyze', f);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /notes\.txt/);
    assert.match(r.stderr, /byte 0/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  });

  it('exits 1 on a missing file', () => {
    const r = rampart('analyze', join(dir, 'nope.pcap'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope\.pcap/);
  });

  it('analyses a capture cut mid-record up to the cut, with a warning', () => {
    const full = buildDemoCapture();
    const f = join(dir, 'cut.pcap');
    writeFileSync(f, full.subarray(0, 5000));
    const r = rampart('analyze', f, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /truncated at byte \d+/);
    assert.ok(JSON.parse(r.stdout).packets > 10);
  });

  it('rejects an unknown config key with exit 2, naming the key and line', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'detectors:\n  syn_flood:\n    rat: 5\n');
    const r = rampart('analyze', SAMPLE, '--config', f);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /detectors\.syn_flood\.rat/);
    assert.match(r.stderr, /bad\.yaml:3:/);
  });

  it('rejects a wrong type with exit 2', () => {
    const f = join(dir, 'type.yaml');
    writeFileSync(f, 'decide:\n  block_duration: soon\n');
    const r = rampart('analyze', SAMPLE, '--config', f);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /decide\.block_duration/);
  });

  it('exits 2 on an unknown option', () => {
    assert.equal(rampart('analyze', '--frobnicate').code, 2);
  });

  it('prints the effective config, which reads back as the same config', () => {
    const f = join(dir, 'c.yaml');
    writeFileSync(f, 'decide:\n  block_duration: 90\n');
    const r = rampart('analyze', '--config', f, '--print-config');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /block_duration: 90/);
    const again = join(dir, 'again.yaml');
    writeFileSync(again, r.stdout);
    const r2 = rampart('analyze', '--config', again, '--print-config');
    assert.equal(r2.stdout, r.stdout);
  });
});

describe('docs/configuration.md', () => {
  it('is what the parameter tables generate', async () => {
    const { configurationDoc } = await import('../../src/tools/config-docs.js');
    const doc = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
    assert.equal(readFileSync(doc, 'utf8'), configurationDoc(), 'docs/configuration.md is stale: run npm run docs');
  });
});
