import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pcapBytes } from '../../src/capture/pcap-writer.js';
import { portScan, Rng } from '../../src/tools/scenario.js';
import { collector, T0 } from '../helpers.js';
import { waitFor } from '../live/netns.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rampart-reload-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rampart live: SIGHUP', () => {
  it('reloads the config keeping its blocks, and reopens the EVE file after rotation', async () => {
    const c = collector();
    const ports = Array.from({ length: 20 }, (_, i) => i + 1);
    portScan(c.emit, { src: '192.0.2.66', dst: '10.0.0.10', ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
    portScan(c.emit, { src: '192.0.2.77', dst: '10.0.0.10', ports, kind: 'syn', intervalUs: 1000, t0: T0 + 5_000_000 }, new Rng(2));
    const capture = join(dir, 'two-scans.pcap');
    writeFileSync(capture, pcapBytes(c.frames.sort((a, b) => a.tsUs - b.tsUs).map((f) => ({ data: f.frame, tsUs: f.tsUs }))));
    const config = join(dir, 'rampart.yaml');
    writeFileSync(config, 'decide:\n  block_duration: 60\n');
    const eve = join(dir, 'eve.json');
    const child = spawn(process.execPath, [MAIN, 'live', '--replay', capture, '--realtime', '--enforce', 'none', '-c', config, '--eve', eve, '--data-dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

    const firstAlert = (): boolean => existsSync(eve) && readFileSync(eve, 'utf8').includes('"src_ip":"192.0.2.66"');
    assert.ok(await waitFor(firstAlert, 4000), `first scan not logged: ${stderr}`);
    renameSync(eve, join(dir, 'eve.1.json'));
    writeFileSync(config, 'decide:\n  block_duration: 60\n  allowlist: [192.0.2.77/32]\n');
    child.kill('SIGHUP');
    assert.equal(await exited, 0, stderr);

    assert.match(stderr, /SIGHUP: reloaded .*rampart\.yaml, reopened outputs/);
    const events = (f: string): { event_type: string; src_ip?: string; alert?: { action: string } }[] =>
      readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const before = events('eve.1.json');
    const later = events('eve.json');
    assert.deepEqual(before.filter((e) => e.event_type === 'alert').map((e) => [e.src_ip, e.alert?.action]), [['192.0.2.66', 'blocked']]);
    assert.deepEqual(later.filter((e) => e.event_type === 'alert').map((e) => [e.src_ip, e.alert?.action]), [['192.0.2.77', 'allowed']]);
    assert.equal(later.filter((e) => e.event_type === 'drop').length, 0, 'the newly allowlisted scanner is not blocked');
  });
});
