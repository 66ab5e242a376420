import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { addonStatus, LiveCapture, LiveError, type LiveStats } from '../../src/capture/live.js';
import { type Child, type FrameSummary, Netns, netnsUnavailable, startChild, vethPair } from './live-netns.js';

const unavailable = netnsUnavailable();
const MAC_C1 = '02:97:01:00:00:01';
const MAC_P1 = '02:97:01:00:00:02';
const MAC_C2 = '02:97:02:00:00:01';
const MAC_P2 = '02:97:02:00:00:02';

/** Ethernet + IPv4 + UDP headers. */
const UDP_OVERHEAD = 14 + 20 + 8;

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

describe('LiveCapture options', () => {
  it('rejects a snaplen, buffer or timeout out of range before touching the addon', () => {
    assert.throws(() => LiveCapture.open({ iface: 'lo', snaplen: 0 }), /snaplen must be an integer from 64 to 262144, got 0/);
    assert.throws(() => LiveCapture.open({ iface: 'lo', snaplen: 262145 }), /snaplen must be an integer from 64 to 262144/);
    assert.throws(() => LiveCapture.open({ iface: 'lo', bufferBytes: 1000 }), /bufferBytes must be an integer from 1048576/);
    assert.throws(() => LiveCapture.open({ iface: 'lo', timeoutMs: 0 }), /timeoutMs must be an integer from 1 to 10000, got 0/);
    assert.throws(() => LiveCapture.open({ iface: '' }), /iface must be a non-empty interface name/);
  });
});

describe('addon missing', () => {
  it('says what to install, and live capture fails with EADDON', async () => {
    const child = startChild(['env', 'RAMPART_ADDON=/nonexistent/rampart.node'], 'open', { iface: 'lo' });
    await child.finished().catch(() => undefined);
    const [error] = child.values<{ name: string; code: string; message: string }>('error');
    assert.equal(error.name, 'LiveError');
    assert.equal(error.code, 'EADDON');
    assert.match(error.message, /^\/nonexistent\/rampart\.node not found: /);
    assert.match(error.message, /apt-get install libpcap-dev g\+\+ make python3, then npm run build:addon/);
    assert.match(error.message, /offline analysis of capture files works without it/);
  });
});

describe('opening errors', { skip: process.getuid?.() !== 0 || !addonStatus().ok ? 'needs root and the built addon' : false }, () => {
  it('no such interface: ENODEV naming it and the interfaces there are', () => {
    assert.throws(
      () => LiveCapture.open({ iface: 'rp-nosuch0' }),
      (err: unknown) => {
        assert.ok(err instanceof LiveError);
        assert.equal(err.code, 'ENODEV');
        assert.match(err.message, /^rp-nosuch0: no such interface \(.*\); interfaces here: .*lo.* \(rampart interfaces lists them\)$/);
        return true;
      },
    );
  });

  it('a filter that does not compile: EFILTER quoting it and libpcap\'s reason', () => {
    assert.throws(
      () => LiveCapture.open({ iface: 'lo', filter: 'udp port banana' }),
      (err: unknown) => {
        assert.ok(err instanceof LiveError);
        assert.equal(err.code, 'EFILTER');
        assert.equal(err.message, 'bad capture filter "udp port banana": unknown port \'banana\'');
        return true;
      },
    );
  });

  it('without privileges: EPERM saying what is needed', { skip: hasCommand('setpriv') ? false : 'needs setpriv (util-linux)' }, async () => {
    const child = startChild(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'], 'open', { iface: 'lo' });
    await child.finished().catch(() => undefined);
    const [error] = child.values<{ name: string; code: string; message: string }>('error');
    assert.equal(error?.code, 'EPERM', JSON.stringify(child.messages));
    assert.match(error.message, /^lo: permission denied: live capture needs root or CAP_NET_RAW/);
  });
});

describe('live capture in network namespaces', { skip: unavailable ?? false }, () => {
  const pid = process.pid;
  let cap: Netns | undefined;
  let peer: Netns | undefined;
  const children: Child[] = [];

  before(() => {
    cap = new Netns(`rp-live-${pid}-c`);
    peer = new Netns(`rp-live-${pid}-p`);
    vethPair({ ns: cap, iface: 'rpa0', mac: MAC_C1, cidr: '10.97.1.1/24' }, { ns: peer, iface: 'rpa1', mac: MAC_P1, cidr: '10.97.1.2/24' });
    vethPair({ ns: cap, iface: 'rpb0', mac: MAC_C2, cidr: '10.97.2.1/24' }, { ns: peer, iface: 'rpb1', mac: MAC_P2, cidr: '10.97.2.2/24' });
  });

  after(() => {
    for (const c of children) c.kill();
    peer?.remove();
    cap?.remove();
  });

  /** Starts a capture in the capture namespace, with UDP sinks so no port-unreachable replies appear. */
  async function startCapture(args: { ifaces: string[]; filter?: string; snaplen?: number }): Promise<Child> {
    const child = cap!.child('capture', { ...args, sinkPorts: [7000, 7001] });
    children.push(child);
    await child.next('ready');
    return child;
  }

  async function send(args: { dst: string; count: number; prefix?: string; port?: number; ports?: number[]; srcPort?: number }): Promise<void> {
    const sender = peer!.child('send-udp', { port: 7000, prefix: 'rp-live', srcPort: 40001, ...args });
    children.push(sender);
    await sender.finished();
  }

  /** Waits for `count` frames, stops the capture, returns every frame and the stats. */
  async function stopAfter(child: Child, count: number): Promise<{ frames: FrameSummary[]; stats: Record<string, LiveStats> }> {
    await child.waitFor(`${count} frames`, () => child.values('frame').length >= count);
    child.send('stop');
    const stats = await child.next<Record<string, LiveStats>>('stats');
    await child.finished();
    return { frames: child.values<FrameSummary>('frame'), stats };
  }

  it('delivers every datagram sent across the veth: addresses, ports, payload, lengths, packet time', async () => {
    const child = await startCapture({ ifaces: ['rpa0'] });
    const t0 = Date.now() * 1000;
    await send({ dst: '10.97.1.1', count: 20 });
    const t1 = Date.now() * 1000;
    const { frames, stats } = await stopAfter(child, 20);
    assert.equal(frames.length, 20);
    for (let i = 0; i < 20; i++) {
      const f = frames[i];
      const payload = `rp-live ${i}`;
      assert.deepEqual(
        { ...f, tsUs: 0, tsNsRem: 0 },
        {
          iface: 'rpa0',
          capLen: UDP_OVERHEAD + payload.length,
          wireLen: UDP_OVERHEAD + payload.length,
          tsUs: 0,
          tsNsRem: 0,
          linkType: 1,
          dstMac: MAC_C1,
          srcMac: MAC_P1,
          etherType: 0x0800,
          src: '10.97.1.2',
          dst: '10.97.1.1',
          proto: 17,
          srcPort: 40001,
          dstPort: 7000,
          payload,
        },
        `frame ${i}`,
      );
      // Kernel capture times: within the sending window (a second of slack for clock steps), in order.
      assert.ok(f.tsUs >= t0 - 1e6 && f.tsUs <= t1 + 1e6, `frame ${i} time ${f.tsUs} outside ${t0}..${t1}`);
      if (i > 0) assert.ok(f.tsUs * 1000 + f.tsNsRem >= frames[i - 1].tsUs * 1000 + frames[i - 1].tsNsRem, `frame ${i} before frame ${i - 1}`);
      assert.ok(f.tsNsRem >= 0 && f.tsNsRem < 1000);
    }
    const s = stats.rpa0;
    assert.equal(s.received, 20);
    assert.equal(s.dropped, 0);
    assert.equal(s.frames, 20);
    assert.ok(s.batches >= 1 && s.batches <= 20, `batches ${s.batches}`);
  });

  it('runs the BPF filter in the kernel: only the filtered port is received and delivered', async () => {
    const child = await startCapture({ ifaces: ['rpa0'], filter: 'udp dst port 7001' });
    await send({ dst: '10.97.1.1', count: 20, ports: [7000, 7001] });
    const { frames, stats } = await stopAfter(child, 10);
    assert.deepEqual(
      frames.map((f) => `${f.dstPort} ${f.payload}`),
      [1, 3, 5, 7, 9, 11, 13, 15, 17, 19].map((i) => `7001 rp-live ${i}`),
    );
    assert.equal(stats.rpa0.received, 10);
    assert.equal(stats.rpa0.frames, 10);
  });

  it('cuts frames to the snaplen and keeps the length on the wire', async () => {
    const prefix = 'x'.repeat(200);
    const child = await startCapture({ ifaces: ['rpa0'], snaplen: 64 });
    await send({ dst: '10.97.1.1', count: 3, prefix });
    const { frames } = await stopAfter(child, 3);
    assert.deepEqual(
      frames.map((f) => [f.capLen, f.wireLen, f.dstPort]),
      [0, 1, 2].map((i) => [64, UDP_OVERHEAD + `${prefix} ${i}`.length, 7000]),
    );
  });

  it('captures two interfaces at once, each frame tagged with its own interface', async () => {
    const child = await startCapture({ ifaces: ['rpa0', 'rpb0'] });
    await send({ dst: '10.97.1.1', count: 5, prefix: 'to-a' });
    await send({ dst: '10.97.2.1', count: 7, prefix: 'to-b' });
    const { frames, stats } = await stopAfter(child, 12);
    const on = (iface: string): string[] => frames.filter((f) => f.iface === iface).map((f) => `${f.src} -> ${f.dst} ${f.srcMac} ${f.payload}`);
    assert.deepEqual(
      on('rpa0'),
      [0, 1, 2, 3, 4].map((i) => `10.97.1.2 -> 10.97.1.1 ${MAC_P1} to-a ${i}`),
    );
    assert.deepEqual(
      on('rpb0'),
      [0, 1, 2, 3, 4, 5, 6].map((i) => `10.97.2.2 -> 10.97.2.1 ${MAC_P2} to-b ${i}`),
    );
    assert.equal(frames.length, 12);
    assert.deepEqual([stats.rpa0.frames, stats.rpb0.frames, stats.rpa0.received, stats.rpb0.received], [5, 7, 5, 7]);
  });

  it('reports an interface that disappears mid-capture through onError (EIO), and still closes', async () => {
    cap!.ip('link', 'add', 'rpz0', 'type', 'veth', 'peer', 'name', 'rpz1');
    cap!.ip('link', 'set', 'rpz0', 'up');
    const child = await startCapture({ ifaces: ['rpz0'] });
    cap!.ip('link', 'del', 'rpz0');
    const error = await child.next<{ iface: string; name: string; code: string; message: string }>('captureError');
    assert.deepEqual([error.iface, error.name, error.code], ['rpz0', 'LiveError', 'EIO']);
    assert.match(error.message, /^rpz0: capture failed: /);
    child.send('stop');
    const stats = await child.next<Record<string, LiveStats>>('stats');
    await child.finished();
    assert.equal(stats.rpz0.frames, 0);
  });

  it('sees both directions: ping requests in, replies out', { skip: hasCommand('ping') ? false : 'needs ping' }, async () => {
    const child = await startCapture({ ifaces: ['rpa0'], filter: 'icmp' });
    peer!.exec('ping', '-c', '3', '-i', '0.2', '-W', '2', '-q', '10.97.1.1');
    const { frames, stats } = await stopAfter(child, 6);
    assert.deepEqual(
      frames.map((f) => `${f.icmpType} ${f.src} -> ${f.dst}`),
      ['8 10.97.1.2 -> 10.97.1.1', '0 10.97.1.1 -> 10.97.1.2', '8 10.97.1.2 -> 10.97.1.1', '0 10.97.1.1 -> 10.97.1.2', '8 10.97.1.2 -> 10.97.1.1', '0 10.97.1.1 -> 10.97.1.2'],
    );
    assert.equal(stats.rpa0.received, 6);
  });
});
