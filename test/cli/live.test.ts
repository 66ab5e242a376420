import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../../samples/demo.pcap', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rampart-live-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rampart(args: readonly string[], env: NodeJS.ProcessEnv = {}, prefix: readonly string[] = []): { code: number; stdout: string; stderr: string } {
  const cmd = [...prefix, process.execPath, MAIN, ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...process.env, CI: 'true', ...env }, input: '', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('sh', ['-c', 'command -v setpriv'], { stdio: 'ignore' }).status === 0;

describe('rampart live: bad input', () => {
  it('says exactly what to install when the addon is missing (exit 1)', () => {
    const r = rampart(['live', '-i', 'lo', '--enforce', 'none', '--data-dir', dir], { RAMPART_ADDON: join(dir, 'no-such-addon.node') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /apt-get install libpcap-dev/);
    assert.match(r.stderr, /npm run build:addon/);
  });

  it('refuses nftables enforcement without root (exit 1), touching nothing', { skip: !isRoot || !hasSetpriv ? 'needs root to drop to nobody' : false }, () => {
    const r = rampart(['live', '-i', 'lo', '--enforce', 'nftables', '--data-dir', dir], {}, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /needs root/);
    assert.match(r.stderr, /--enforce none/);
  });

  it('asks for an interface only on a terminal (exit 2 without one)', () => {
    const r = rampart(['live', '--enforce', 'none', '--data-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no interface given: use -i IFACE/);
    assert.match(r.stderr, /\blo\b/);
  });

  it('rejects --realtime without --replay and an unknown backend (exit 2)', () => {
    assert.equal(rampart(['live', '--realtime', '--data-dir', dir]).code, 2);
    const r = rampart(['live', '--replay', SAMPLE, '--enforce', 'iptables', '--data-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nftables, nfqueue or none/);
  });
});

describe('rampart live --replay', () => {
  it('runs a capture through the live path and finds the same attacks as analyze', () => {
    const live = rampart(['live', '--replay', SAMPLE, '--enforce', 'none', '--data-dir', dir, '--eve', join(dir, 'live.json')]);
    assert.equal(live.code, 0, live.stderr);
    const analyze = rampart(['analyze', SAMPLE, '--eve', join(dir, 'analyze.json')]);
    assert.equal(analyze.code, 0, analyze.stderr);
    const alerts = (f: string): string[] =>
      spawnSync('grep', ['-o', '"signature_id":[0-9]*', join(dir, f)], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.deepEqual(alerts('live.json'), alerts('analyze.json'));
    assert.match(live.stdout, /Blocked sources: 7/);
  });
});

describe('rampart interfaces', () => {
  it('numbers the interfaces like the menu, loopback included', () => {
    const r = rampart(['interfaces']);
    assert.equal(r.code, 0, r.stderr);
    const lo = r.stdout.split('\n').find((l) => /^\d+: lo\b/.test(l));
    assert.ok(lo, r.stdout);
    assert.match(lo, /loopback/);
    assert.match(lo, /127\.0\.0\.1\/8/);
    const json = JSON.parse(rampart(['interfaces', '--json']).stdout);
    assert.ok(json.some((i: { name: string; loopback: boolean }) => i.name === 'lo' && i.loopback));
  });
});
