import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { addonStatus } from '../../src/capture/live.js';
import { type NfQueueStats, NfQueue, queueTargetArgs, readQueueDrops } from '../../src/capture/nfqueue.js';
import { type Child, Netns, netnsUnavailable, startChild, vethPair } from './live-netns.js';

const iptablesMissing = spawnSync('sh', ['-c', 'command -v iptables']).status !== 0;
const unavailable = netnsUnavailable() ?? (iptablesMissing ? 'needs iptables' : null);

/** IPv4 + UDP headers. */
const IP_UDP = 20 + 8;

describe('NFQUEUE helpers', () => {
  it('builds the iptables target: --queue-bypass only when failing open', () => {
    assert.deepEqual(queueTargetArgs(3, true), ['-j', 'NFQUEUE', '--queue-num', '3', '--queue-bypass']);
    assert.deepEqual(queueTargetArgs(3, false), ['-j', 'NFQUEUE', '--queue-num', '3']);
  });

  it('reads queue_dropped + user_dropped of one queue from the kernel table', () => {
    const table = ['    0  12345     0 2 65535     0     0        0  1', '    7  23456     2 2 65535     8     3       42  1', ''].join('\n');
    assert.equal(readQueueDrops(7, table), 11);
    assert.equal(readQueueDrops(0, table), 0);
    assert.equal(readQueueDrops(9, table), undefined);
  });

  it('rejects a queue number, length or copy size out of range before touching the addon', () => {
    assert.throws(() => NfQueue.open({ queueNum: 65536 }), /queueNum must be 0\.\.65535, got 65536/);
    assert.throws(() => NfQueue.open({ queueNum: 1, maxLen: 0 }), /maxLen must be 1\.\.65536, got 0/);
    assert.throws(() => NfQueue.open({ queueNum: 1, copyBytes: 70000 }), /copyBytes must be 64\.\.65535, got 70000/);
  });

  it(
    'without privileges: EPERM saying what binding a queue needs',
    { skip: process.getuid?.() !== 0 || !addonStatus().ok || spawnSync('sh', ['-c', 'command -v setpriv']).status !== 0 ? 'needs root, setpriv and the addon' : false },
    async () => {
      const child = startChild(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'], 'open', { queueNum: 5 });
      await child.finished().catch(() => undefined);
      const [error] = child.values<{ name: string; code: string; message: string }>('error');
      assert.equal(error?.code, 'EPERM', JSON.stringify(child.messages));
      assert.match(error.message, /^NFQUEUE queue 5: operation not permitted \(binding a queue needs root or CAP_NET_ADMIN/);
    },
  );
});

describe('NFQUEUE inline verdicts in network namespaces', { skip: unavailable ?? false }, () => {
  const pid = process.pid;
  let sender: Netns | undefined;
  let inline: Netns | undefined;
  const children: Child[] = [];

  before(() => {
    sender = new Netns(`rp-nfq-${pid}-a`);
    inline = new Netns(`rp-nfq-${pid}-b`);
    vethPair({ ns: sender, iface: 'nqa0', mac: '02:97:03:00:00:01', cidr: '10.97.3.1/24' }, { ns: inline, iface: 'nqb0', mac: '02:97:03:00:00:02', cidr: '10.97.3.2/24' });
  });

  after(() => {
    for (const c of children) c.kill();
    // The rules live in the namespace and go with it.
    sender?.remove();
    inline?.remove();
  });

  /** Holds UDP to `port` for queue `queueNum` (fail-open rule: --queue-bypass) and starts the Rampart side. */
  async function startQueue(args: { queueNum: number; port: number; failOpen: boolean; maxLen?: number; mode: 'odd' | 'hold' }): Promise<Child> {
    inline!.exec('iptables', '-A', 'INPUT', '-p', 'udp', '--dport', String(args.port), ...queueTargetArgs(args.queueNum, true));
    const child = inline!.child('nfqueue', args);
    children.push(child);
    await child.next('ready');
    return child;
  }

  async function send(port: number, count: number): Promise<void> {
    const child = sender!.child('send-udp', { dst: '10.97.3.2', port, count, prefix: 'rp-nfq', srcPort: 40010 });
    children.push(child);
    await child.finished();
  }

  async function close(child: Child): Promise<NfQueueStats> {
    child.send('close');
    const final = await child.next<NfQueueStats>('final');
    child.send('exit');
    await child.finished();
    return final;
  }

  const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

  it('drops the packets judged bad and releases the rest: odd accepted, even dropped, the first one included', async () => {
    const child = await startQueue({ queueNum: 7, port: 9999, failOpen: true, mode: 'odd' });
    const t0 = Date.now() * 1000;
    await send(9999, 10);
    const t1 = Date.now() * 1000;
    await child.waitFor('10 verdicts and 5 datagrams', () => child.values('packet').length >= 10 && child.values('received').length >= 5);
    const final = await close(child);
    assert.deepEqual(child.values('secondOpen'), ['EPERM']);
    const packets = child.values<{ id: number; n: number; accept: boolean; capLen: number; wireLen: number; tsUs: number; version: number }>('packet');
    assert.deepEqual(
      packets.map((p) => [p.n, p.accept, p.capLen, p.wireLen, p.version]),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [n, n % 2 === 1, IP_UDP + `rp-nfq ${n}`.length, IP_UDP + `rp-nfq ${n}`.length, 4]),
    );
    // Kernel packet ids are consecutive per queue; times are arrival times (a second of slack for clock steps).
    for (let i = 1; i < packets.length; i++) assert.equal(packets[i].id, packets[i - 1].id + 1);
    for (const p of packets) assert.ok(p.tsUs >= t0 - 1e6 && p.tsUs <= t1 + 1e6, `packet ${p.n} time ${p.tsUs} outside ${t0}..${t1}`);
    assert.deepEqual(sorted(child.values<number>('received')), [1, 3, 5, 7, 9]);
    assert.deepEqual([final.packets, final.accepted, final.dropped, final.queueDrops, final.enobufs, final.verdictErrors], [10, 5, 5, 0, 0, 0]);
    assert.ok(final.verdictLatencyUsMax >= final.verdictLatencyUsAvg && final.verdictLatencyUsAvg >= 0);
  });

  it('fail-open: when the queue is full the kernel lets packets through, and held ones go when released', async () => {
    const child = await startQueue({ queueNum: 8, port: 9998, failOpen: true, maxLen: 2, mode: 'hold' });
    await send(9998, 10);
    await child.waitFor('2 held and 8 let through', () => child.values('held').length >= 2 && child.values('received').length >= 8);
    assert.deepEqual(child.values<{ n: number }>('held').map((h) => h.n), [0, 1]);
    assert.deepEqual(sorted(child.values<number>('received')), [2, 3, 4, 5, 6, 7, 8, 9]);
    child.send('release');
    await child.waitFor('the 2 released', () => child.values('received').length >= 10);
    const final = await close(child);
    assert.deepEqual(sorted(child.values<number>('received')), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([final.packets, final.accepted, final.dropped, final.queueDrops], [2, 2, 0, 0]);
  });

  it('fail-closed: when the queue is full the kernel drops, and counts it', async () => {
    const child = await startQueue({ queueNum: 9, port: 9997, failOpen: false, maxLen: 2, mode: 'hold' });
    await send(9997, 10);
    await child.waitFor('2 held', () => child.values('held').length >= 2);
    let drops: number | undefined;
    await child.waitFor('8 queue drops', () => {
      const stats = child.values<NfQueueStats>('stats');
      drops = stats.length > 0 ? stats[stats.length - 1].queueDrops : undefined;
      if (drops !== 8) child.send('stats');
      return drops === 8;
    });
    assert.deepEqual(child.values('received'), []);
    child.send('release');
    await child.waitFor('the 2 released', () => child.values('received').length >= 2);
    const final = await close(child);
    assert.deepEqual(sorted(child.values<number>('received')), [0, 1]);
    assert.deepEqual([final.packets, final.accepted, final.dropped, final.queueDrops], [2, 2, 0, 8]);
  });

  it('close() with failOpen accepts what is still held', async () => {
    const child = await startQueue({ queueNum: 10, port: 9996, failOpen: true, mode: 'hold' });
    await send(9996, 3);
    await child.waitFor('3 held', () => child.values('held').length >= 3);
    child.send('close');
    await child.waitFor('the 3 accepted at close', () => child.values('received').length >= 3 && child.values('final').length === 1);
    const [final] = child.values<NfQueueStats>('final');
    child.send('exit');
    await child.finished();
    assert.deepEqual(sorted(child.values<number>('received')), [0, 1, 2]);
    assert.deepEqual([final.packets, final.accepted, final.dropped], [3, 3, 0]);
  });
});
