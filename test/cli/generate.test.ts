/** `rampart generate` through the command line: files, messages, exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rampart-cli-generate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rampart(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('rampart generate', () => {
  it('writes both captures and their truth files into --out, and says what it wrote', () => {
    const out = join(dir, 'pair', 'nested');
    const r = rampart('generate', '--out', out, '--seed', '42');
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['normal.pcap', 'normal.truth.json', 'malicious.pcap', 'malicious.truth.json']) assert.ok(existsSync(join(out, f)), f);
    const truth = JSON.parse(readFileSync(join(out, 'malicious.truth.json'), 'utf8'));
    assert.equal(truth.seed, 42);
    assert.equal(truth.attacks.length, 45);
    assert.match(r.stdout, new RegExp(`^wrote ${join(out, 'malicious.pcap')} \\(${truth.packets} packets, 45 attacks\\) and ${join(out, 'malicious.truth.json')}$`, 'm'));
    assert.equal(r.stderr, '');
  });

  it('rejects a bad --seed or --scale as a usage error (exit 2), naming the option', () => {
    const seed = rampart('generate', '--out', join(dir, 'x'), '--seed', 'abc');
    assert.equal(seed.code, 2);
    assert.equal(seed.stderr, 'rampart: --seed must be a whole number between 0 and 4294967295, got "abc"\n');
    const scale = rampart('generate', '--out', join(dir, 'x'), '--scale', '0');
    assert.equal(scale.code, 2);
    assert.match(scale.stderr, /^rampart: --scale must be a whole number between 1 and 100000, got "0"$/m);
    assert.ok(!existsSync(join(dir, 'x')));
  });

  it('fails with exit 1 and a message when --out cannot be created', () => {
    const r = rampart('generate', '--out', join(dir, 'pair', 'nested', 'normal.pcap', 'sub'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: cannot write to .*normal\.pcap\/sub: ENOTDIR/m);
  });
});
