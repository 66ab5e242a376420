/** `rampart eval` through the command line, on the default generated pair: --json, text, exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { supportedAttackTypes } from '../../src/tools/eval/eval.js';
import { DEFAULT_SEED, generateCaptures, type GenerateResult } from '../../src/tools/generate/generate.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rampart-cli-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rampart(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let pair: GenerateResult;
before(async () => {
  pair = await generateCaptures({ outDir: dir, seed: DEFAULT_SEED, scale: 1 });
});

describe('rampart eval', () => {
  it('--json on malicious.pcap: every supported attack type detected, no false positive', () => {
    const r = rampart('eval', pair.malicious.path, '--truth', pair.malicious.truthPath, '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const supported = supportedAttackTypes();
    assert.deepEqual(report.supported_types, [...supported].sort());
    assert.equal(report.packets, pair.malicious.packets);
    for (const t of report.types) assert.equal(t.status, supported.has(t.type) ? 'detected' : 'not_supported', t.type);
    for (const a of report.attacks) assert.notEqual(a.status, 'missed', a.id);
    assert.deepEqual(report.false_positives, { alerts: 0, blocks: 0, hosts: [], events: [] });
    assert.deepEqual(report.unattributed_alerts, []);
  });

  it('--json on normal.pcap: no alert at all', () => {
    const r = rampart('eval', pair.normal.path, '--truth', pair.normal.truthPath, '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.alerts_total, 0);
    assert.deepEqual(report.attacks, []);
    assert.equal(report.false_positives.alerts + report.false_positives.blocks, 0);
  });

  it('prints the text report by default', () => {
    const r = rampart('eval', pair.malicious.path, '--truth', pair.malicious.truthPath);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${pair.malicious.packets} packets, \\d+ alerts; 45 attacks: \\d+ detected, 0 missed, \\d+ not supported by this engine$`, 'm'));
    assert.match(r.stdout, /^icmp_flood\/echo +198\.51\.100\.20 +10\.1\.0\.10 +detected /m);
    assert.match(r.stdout, /^false positives on benign hosts: none$/m);
  });

  it('exit 2 without --truth; exit 1 for an unreadable capture or truth file', () => {
    const noTruth = rampart('eval', pair.malicious.path);
    assert.equal(noTruth.code, 2);
    assert.match(noTruth.stderr, /required option '--truth <file>' not specified/);
    const noCapture = rampart('eval', join(dir, 'missing.pcap'), '--truth', pair.malicious.truthPath);
    assert.equal(noCapture.code, 1);
    assert.match(noCapture.stderr, /^rampart: .*missing\.pcap: cannot open capture/m);
    const noFile = rampart('eval', pair.malicious.path, '--truth', join(dir, 'missing.json'));
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /^rampart: cannot read truth file .*missing\.json: ENOENT/m);
    const bad = join(dir, 'bad.truth.json');
    writeFileSync(bad, '{"index_base": 1, "attacks": {}, "benign_hosts": []}');
    const badTruth = rampart('eval', pair.malicious.path, '--truth', bad);
    assert.equal(badTruth.code, 1);
    assert.equal(badTruth.stderr, `rampart: ${bad}: attacks: expected a list\n`);
  });
});
