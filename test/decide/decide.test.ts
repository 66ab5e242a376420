import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ethernet, tcpPacket } from '../../src/tools/craft/frame.js';
import { portScan, Rng } from '../../src/tools/scenario.js';
import type { BlockEvent, UnblockEvent } from '../../src/output/events.js';
import { collector, run, T0 } from '../helpers.js';

const ATT = '192.0.2.66';
const VIC = '10.0.0.10';
const ports = Array.from({ length: 20 }, (_, i) => i + 1);

describe('decide', () => {
  it('blocks the scanner for 60 s of packet time, then lets it through again', () => {
    const c = collector();
    portScan(c.emit, { src: ATT, dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
    // 30 s later, still blocked; 61 s after the alert, free again.
    c.emit(ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 50000, dport: 80, flags: 'S' })), T0 + 30_000_000);
    c.emit(ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 50001, dport: 80, flags: 'S' })), T0 + 75_000_000);
    const out = run(c.frames);
    const n = out.verdicts.length;
    // Probe 15 (index 28: probes and RSTs alternate) triggers the block.
    assert.equal(out.verdicts[26], `[26] ${ATT} -> ${VIC} : ALLOW`);
    assert.equal(out.verdicts[28], `[28] ${ATT} -> ${VIC} : BLOCK: multi-port scan`);
    assert.equal(out.verdicts[29], `[29] ${VIC} -> ${ATT} : ALLOW`);
    assert.equal(out.verdicts[n - 2], `[${n - 2}] ${ATT} -> ${VIC} : BLOCK: multi-port scan`);
    assert.equal(out.verdicts[n - 1], `[${n - 1}] ${ATT} -> ${VIC} : ALLOW`);
    const blocks = out.events.filter((e): e is BlockEvent => e.type === 'block');
    const unblocks = out.events.filter((e): e is UnblockEvent => e.type === 'unblock');
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0].addr, ATT);
    assert.equal(blocks[0].durationS, 60);
    assert.equal(blocks[0].expiresUs, blocks[0].tsUs + 60_000_000);
    assert.deepEqual(unblocks.map((u) => [u.addr, u.tsUs, u.reason]), [[ATT, blocks[0].expiresUs, 'expired']]);
    // The unblock comes in packet-time order: before the last packet's events.
    const order = out.events.map((e) => e.type);
    assert.ok(order.indexOf('unblock') > order.indexOf('block'));
  });

  it('honours a configured block duration', () => {
    const c = collector();
    portScan(c.emit, { src: ATT, dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
    c.emit(ethernet(tcpPacket({ src: ATT, dst: VIC, sport: 50000, dport: 80, flags: 'S' })), T0 + 11_000_000);
    const out = run(c.frames, 'decide:\n  block_duration: 10\n');
    assert.match(out.verdicts[out.verdicts.length - 1], /: ALLOW$/);
  });

  it('never blocks the allowlist, but still logs its alerts as allowed', () => {
    const c = collector();
    portScan(c.emit, { src: ATT, dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
    const out = run(c.frames, 'decide:\n  allowlist: [192.0.2.0/24]\n');
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.action]), [[9100020, 'allowed']]);
    assert.equal(out.events.filter((e) => e.type === 'block').length, 0);
    assert.ok(out.verdicts.every((v) => v.endsWith(': ALLOW')));
    assert.equal(out.engine.decide.stats.allowlisted_alerts, 1);
  });

  it('alerts on a scan from a multicast or reserved source but blocks none of them: such a source is forged', () => {
    const c = collector();
    portScan(c.emit, { src: '239.1.2.3', dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
    portScan(c.emit, { src: '250.9.8.7', dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 + 1_000_000 }, new Rng(2));
    portScan(c.emit, { src: ATT, dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 + 2_000_000 }, new Rng(3));
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.srcIp, a.action]), [[9100020, '239.1.2.3', 'allowed'], [9100020, '250.9.8.7', 'allowed'], [9100020, ATT, 'blocked']]);
    assert.deepEqual(out.events.filter((e): e is BlockEvent => e.type === 'block').map((b) => b.addr), [ATT]);
    assert.equal(out.engine.decide.stats.forged_source_alerts, 2);
  });

  it('keeps detecting a blocked source: later attacks are alerted with action blocked', () => {
    const c = collector();
    portScan(c.emit, { src: ATT, dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
    portScan(c.emit, { src: ATT, dst: VIC, ports: [100, 101, 102], kind: 'xmas', intervalUs: 1000, t0: T0 + 5_000_000 }, new Rng(2));
    const out = run(c.frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.action]), [[9100020, 'blocked'], [9100012, 'blocked']]);
    assert.equal(out.events.filter((e) => e.type === 'block').length, 1);
  });

  it('does not block when blocking is off or the severity is too low', () => {
    const c = collector();
    portScan(c.emit, { src: ATT, dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
    assert.equal(run(c.frames, 'decide:\n  block: false\n').events.filter((e) => e.type === 'block').length, 0);
    assert.equal(run(c.frames, 'decide:\n  block_severity: 1\n').events.filter((e) => e.type === 'block').length, 0);
  });
});

describe('decide: repeat offenders and operators', () => {
  it('blocks a repeat offender ten times longer, up to the maximum', () => {
    const c = collector();
    for (let round = 0; round < 4; round++) {
      // Each round starts after the previous block (60 s, 600 s, 3600 s) has expired.
      const t0 = T0 + [0, 100, 800, 4500][round] * 1_000_000;
      portScan(c.emit, { src: ATT, dst: VIC, ports: ports.map((p) => p + round * 100), kind: 'syn', intervalUs: 1000, t0 }, new Rng(round));
    }
    const out = run(c.frames);
    const blocks = out.events.filter((e): e is BlockEvent => e.type === 'block');
    assert.deepEqual(blocks.map((b) => b.durationS), [60, 600, 3600, 3600]);
  });

  it('forgets offences after offence_memory', () => {
    const c = collector();
    portScan(c.emit, { src: ATT, dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 }, new Rng(1));
    portScan(c.emit, { src: ATT, dst: VIC, ports, kind: 'syn', intervalUs: 1000, t0: T0 + 500_000_000 }, new Rng(2));
    const out = run(c.frames, 'decide:\n  offence_memory: 300\n');
    assert.deepEqual(out.events.filter((e): e is BlockEvent => e.type === 'block').map((b) => b.durationS), [60, 60]);
  });

  it('lets an operator block and unblock an address, never an allowlisted one', () => {
    const out = run([], 'decide:\n  allowlist: [10.0.0.0/8, "fd00::/8"]\n');
    const d = out.engine.decide;
    assert.equal(d.blockAddr('192.0.2.7', 'manual', T0, T0 + 60e6), true);
    assert.equal(d.blockAddr('2001:db8::7', 'manual', T0, T0 + 60e6), true);
    assert.equal(d.blockAddr('10.1.2.3', 'manual', T0, T0 + 60e6), false);
    assert.equal(d.blockAddr('fd00::1', 'manual', T0, T0 + 60e6), false);
    assert.equal(d.blockAddr('not-an-address', 'manual', T0, T0 + 60e6), false);
    // Nor an address no host sends from.
    assert.deepEqual(['224.0.0.251', '255.255.255.255', '0.0.0.0', 'ff02::1', '::'].map((a) => d.blockAddr(a, 'manual', T0, T0 + 60e6)), [false, false, false, false, false]);
    assert.deepEqual(d.list().map((b) => b.addr), ['192.0.2.7', '2001:db8::7']);
    assert.equal(d.unblockAddr('192.0.2.7', T0 + 1), true);
    assert.equal(d.unblockAddr('192.0.2.7', T0 + 2), false);
    assert.deepEqual(d.list().map((b) => b.addr), ['2001:db8::7']);
  });
});
