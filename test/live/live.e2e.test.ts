/**
 * End to end, as root, in network namespaces this test creates and removes: an attacker, a
 * benign client and a victim running `rampart live` on its veth. Real nmap and hping3 (bounded
 * counts) get the attacker blocked in nftables; its connections then fail while the client's
 * succeed; the block expires and it connects again; blocks survive a restart. Inline mode
 * (NFQUEUE) drops the first offending packet itself.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { addonStatus } from '../../src/capture/live.js';
import { canUseNetns, hasTool, TestLan, waitFor } from './netns.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const skip = !canUseNetns()
  ? 'needs root and iproute2 (network namespaces)'
  : !addonStatus().ok
    ? `live capture addon not built: ${(addonStatus() as { reason: string }).reason}`
    : !hasTool('nmap') || !hasTool('hping3') || !hasTool('nft')
      ? 'needs nmap, hping3 and nftables'
      : false;

// Clients connect and hang up at once: the server must not die of the resets.
const LISTENER = "require('net').createServer((s) => { s.on('error', () => {}); s.end('hello\\n'); }).listen(8080, () => console.log('listening'))";

/** Starts `rampart live` in the victim namespace and waits until it watches. */
async function startRampart(lan: TestLan, args: readonly string[]): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = lan.start('vic', [process.execPath, MAIN, 'live', ...args]);
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout?.resume();
  const ok = await waitFor(() => err.includes('watching') || child.exitCode !== null, 15_000);
  assert.ok(ok && child.exitCode === null, `rampart live did not start: ${err}`);
  return { child, stderr: () => err };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

function inSet(lan: TestLan, addr: string): boolean {
  const r = lan.run('vic', ['nft', 'list', 'set', 'inet', 'rampart', 'blocked4']);
  return r.code === 0 && r.stdout.includes(addr);
}

describe('rampart live with nftables', { skip }, () => {
  let lan: TestLan;
  let dir: string;
  before(async () => {
    lan = new TestLan(`e2e${process.pid % 10000}`, '10.96.0');
    lan.addHost('vic', 10);
    lan.addHost('att', 66);
    lan.addHost('cli', 20);
    dir = mkdtempSync(join(tmpdir(), 'rampart-live-'));
    writeFileSync(join(dir, 'rampart.yaml'), 'decide:\n  block_duration: 6\n  repeat_factor: 1\nlive:\n  stats_interval: 0\n');
    const listener = lan.start('vic', [process.execPath, '-e', LISTENER]);
    listener.stdout?.setEncoding('utf8');
    let out = '';
    listener.stdout?.on('data', (d: string) => (out += d));
    assert.ok(await waitFor(() => out.includes('listening'), 10_000));
  });
  after(async () => {
    await lan?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('blocks a scanner and a flooder in the kernel, spares the client, and lets the block expire', async () => {
    const vic = lan.host('vic');
    const att = lan.host('att');
    const eve = join(dir, 'eve.json');
    const r = await startRampart(lan, ['-i', vic.ifname, '--enforce', 'nftables', '--data-dir', dir, '-c', join(dir, 'rampart.yaml'), '--eve', eve]);
    assert.equal(lan.canConnect('att', vic.addr, 8080), true, 'attacker reaches the victim before attacking');

    const scan = lan.run('att', ['timeout', '60', 'nmap', '-n', '-Pn', '-sS', '-p', '1-200', '--max-retries', '0', '-T4', vic.addr]);
    assert.equal(scan.code, 0, scan.stderr);
    assert.ok(await waitFor(() => inSet(lan, att.addr), 10_000), 'attacker in the nftables set after the scan');
    assert.equal(lan.canConnect('att', vic.addr, 8080), false, 'blocked attacker cannot connect');
    assert.equal(lan.canConnect('cli', vic.addr, 8080), true, 'benign client still connects');

    assert.ok(await waitFor(() => !inSet(lan, att.addr), 20_000), 'block expires in the kernel');
    assert.equal(lan.canConnect('att', vic.addr, 8080), true, 'attacker connects again after expiry');

    const flood = lan.run('att', ['timeout', '60', 'hping3', '-q', '-S', '-p', '8080', '-c', '400', '-i', 'u1000', vic.addr]);
    assert.ok(flood.code === 0 || flood.code === 1, flood.stderr);
    assert.ok(await waitFor(() => inSet(lan, att.addr), 10_000), 'attacker in the set again after the SYN flood');

    assert.equal(await stop(r.child), 0, r.stderr());
    const lines = readFileSync(eve, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const alerts = lines.filter((l) => l.event_type === 'alert').map((l) => [l.alert.signature_id, l.src_ip]);
    assert.deepEqual(alerts.filter(([sid]) => sid === 9100020)[0], [9100020, att.addr]);
    assert.deepEqual(alerts.filter(([sid]) => sid === 9100002)[0], [9100002, att.addr]);
    assert.ok(!alerts.some(([, src]) => src === lan.host('cli').addr), 'no alert about the benign client');
  });

  it('keeps blocks across a restart and lets an operator lift one', async () => {
    const vic = lan.host('vic');
    const att = lan.host('att');
    const add = lan.run('vic', [process.execPath, MAIN, 'blocklist', 'add', '192.0.2.99', '--duration', '300', '--data-dir', dir]);
    assert.equal(add.code, 0, add.stderr);
    assert.ok(inSet(lan, '192.0.2.99'), 'offline add reaches the kernel set');
    const r = await startRampart(lan, ['-i', vic.ifname, '--enforce', 'nftables', '--data-dir', dir, '-c', join(dir, 'rampart.yaml')]);
    assert.match(r.stderr(), /block\(s\) restored/);
    const list = lan.run('vic', [process.execPath, MAIN, 'blocklist', 'list', '--json', '--data-dir', dir]);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(JSON.parse(list.stdout).some((b: { addr: string }) => b.addr === '192.0.2.99'), list.stdout);
    const rm = lan.run('vic', [process.execPath, MAIN, 'blocklist', 'remove', '192.0.2.99', '--data-dir', dir]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stderr, /unblocked by the running instance/);
    assert.ok(await waitFor(() => !inSet(lan, '192.0.2.99'), 5000), 'removed from the kernel set');
    assert.equal(await stop(r.child), 0, r.stderr());
    assert.equal(lan.canConnect('cli', vic.addr, 8080), true);
    void att;
  });

  it('fails cleanly on a missing interface, leaving no table behind', async () => {
    lan.run('vic', ['nft', 'delete', 'table', 'inet', 'rampart']);
    const r = lan.run('vic', [process.execPath, MAIN, 'live', '-i', 'nosuchif0', '--enforce', 'nftables', '--data-dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nosuchif0/);
    assert.doesNotMatch(lan.run('vic', ['nft', 'list', 'tables']).stdout, /rampart/);
  });

  it('fails cleanly when nft is missing', async () => {
    const vic = lan.host('vic');
    const r = lan.run('vic', ['env', 'PATH=/usr/bin:/bin', process.execPath, MAIN, 'live', '-i', vic.ifname, '--enforce', 'nftables', '--data-dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /apt-get install nftables/);
  });
});

describe('rampart live inline (NFQUEUE)', { skip: skip || (!hasTool('iptables') ? 'needs iptables' : false) }, () => {
  let lan: TestLan;
  let dir: string;
  before(async () => {
    lan = new TestLan(`nfq${process.pid % 10000}`, '10.95.0');
    lan.addHost('vic', 10);
    lan.addHost('att', 66);
    lan.addHost('cli', 20);
    dir = mkdtempSync(join(tmpdir(), 'rampart-nfq-'));
    const listener = lan.start('vic', [process.execPath, '-e', LISTENER]);
    let out = '';
    listener.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    assert.ok(await waitFor(() => out.includes('listening'), 10_000));
  });
  after(async () => {
    await lan?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('drops the first offending packet inline and keeps the client working', async () => {
    const vic = lan.host('vic');
    const att = lan.host('att');
    const eve = join(dir, 'eve.json');
    const r = await startRampart(lan, ['--enforce', 'nfqueue', '--queue-num', '7', '--data-dir', dir, '--eve', eve]);
    assert.equal(lan.canConnect('cli', vic.addr, 8080), true);
    // One Xmas probe to a closed port: the kernel would answer RST; inline, it never sees it.
    const probe = lan.run('att', ['timeout', '20', 'hping3', '-c', '1', '-F', '-P', '-U', '-p', '8081', vic.addr]);
    assert.match(probe.stdout + probe.stderr, /1 packets transmitted, 0 packets received/);
    assert.equal(lan.canConnect('att', vic.addr, 8080), false, 'the blocked attacker cannot connect');
    assert.equal(lan.canConnect('cli', vic.addr, 8080), true, 'the client still connects');
    assert.equal(await stop(r.child), 0, r.stderr());
    const lines = readFileSync(eve, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const xmas = lines.find((l) => l.event_type === 'alert' && l.alert.signature_id === 9100012);
    assert.equal(xmas?.src_ip, att.addr);
    assert.equal(xmas?.alert.action, 'blocked');
    assert.match(r.stderr() + lan.run('vic', ['iptables', '-S', 'INPUT']).stdout, /./);
    assert.doesNotMatch(lan.run('vic', ['iptables', '-S', 'INPUT']).stdout, /NFQUEUE/, 'queue rule removed on exit');
  });
});
