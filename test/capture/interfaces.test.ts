import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type InterfaceInfo, listInterfacesFromPcap, listInterfacesFromSys } from '../../src/capture/interfaces.js';
import { type Child, Netns, netnsUnavailable, startChild, vethPair } from './live-netns.js';

describe('interface list from pcap_findalldevs', () => {
  it('leaves out pseudo devices, maps PCAP_IF_* flags, lists IPv4 before IPv6, sorts by ifindex', () => {
    const list = listInterfacesFromPcap([
      { name: 'eth0', index: 2, flags: 0x2 | 0x4 | 0x10, v4: ['192.0.2.7/24'], v6: ['2001:db8::7/64', 'fe80::1/64'] },
      { name: 'any', index: 0, flags: 0x2 | 0x4, v4: [], v6: [] },
      { name: 'lo', index: 1, flags: 0x1 | 0x2 | 0x4, v4: ['127.0.0.1/8'], v6: ['::1/128'] },
      { name: 'nflog', index: 0, flags: 0, v4: [], v6: [] },
      { name: 'veth7', index: 9, flags: 0x2, v4: [], v6: [] },
      { name: 'eth1', index: 3, flags: 0, v4: [], v6: [] },
    ]);
    assert.deepEqual(list, [
      { index: 1, name: 'lo', addresses: ['127.0.0.1/8', '::1/128'], up: true, loopback: true },
      { index: 2, name: 'eth0', addresses: ['192.0.2.7/24', '2001:db8::7/64', 'fe80::1/64'], up: true, loopback: false },
      { index: 3, name: 'eth1', addresses: [], up: false, loopback: false },
      // Up but not running (no carrier): not up for traffic.
      { index: 9, name: 'veth7', addresses: [], up: false, loopback: false },
    ]);
  });
});

describe('interface list from /sys/class/net', () => {
  let sys = '';
  before(() => {
    sys = mkdtempSync(join(tmpdir(), 'rampart-sysnet-'));
    const dev = (name: string, files: Record<string, string>): void => {
      mkdirSync(join(sys, name));
      for (const [file, text] of Object.entries(files)) writeFileSync(join(sys, name, file), `${text}\n`);
    };
    dev('lo', { ifindex: '1', flags: '0x9', operstate: 'unknown' });
    dev('rpx-up', { ifindex: '4', flags: '0x1003', operstate: 'up' });
    dev('rpx-admin-down', { ifindex: '2', flags: '0x1002', operstate: 'down' });
    dev('rpx-no-carrier', { ifindex: '3', flags: '0x1003', operstate: 'lowerlayerdown' });
    // Deleted between readdir and read: no ifindex any more.
    dev('rpx-gone', {});
  });
  after(() => rmSync(sys, { recursive: true, force: true }));

  it('reads ifindex, IFF_UP/IFF_LOOPBACK and operstate, skips vanished entries, sorts by ifindex', () => {
    assert.deepEqual(
      listInterfacesFromSys(sys).map(({ addresses: _, ...rest }) => rest),
      [
        { index: 1, name: 'lo', up: true, loopback: true },
        { index: 2, name: 'rpx-admin-down', up: false, loopback: false },
        { index: 3, name: 'rpx-no-carrier', up: false, loopback: false },
        { index: 4, name: 'rpx-up', up: true, loopback: false },
      ],
    );
  });

  it('is empty, not an error, without sysfs', () => {
    assert.deepEqual(listInterfacesFromSys(join(sys, 'nonexistent')), []);
  });
});

describe('interface list in a network namespace', { skip: netnsUnavailable() ?? false }, () => {
  const pid = process.pid;
  let ns: Netns | undefined;
  let other: Netns | undefined;
  const children: Child[] = [];

  before(() => {
    ns = new Netns(`rp-if-${pid}-a`);
    other = new Netns(`rp-if-${pid}-b`);
    vethPair({ ns, iface: 'rpi0', mac: '02:97:05:00:00:01', cidr: '10.97.5.1/24' }, { ns: other, iface: 'rpi1', mac: '02:97:05:00:00:02', cidr: '10.97.5.2/24' });
    ns.ip('addr', 'add', '10.97.6.1/28', 'dev', 'rpi0');
    // A pair left down, without addresses.
    ns.ip('link', 'add', 'rpx0', 'type', 'veth', 'peer', 'name', 'rpx1');
  });

  after(() => {
    for (const c of children) c.kill();
    ns?.remove();
    other?.remove();
  });

  it('pcap_findalldevs and sysfs give the same list: names, addresses, up, loopback, in ifindex order', async () => {
    const child = ns!.child('interfaces', {});
    children.push(child);
    await child.finished();
    const [pcap] = child.values<InterfaceInfo[]>('pcap');
    const [sys] = child.values<InterfaceInfo[]>('sys');
    assert.deepEqual(pcap, sys);
    const byName = (list: InterfaceInfo[]): object[] => list.map(({ index: _, ...rest }) => rest).sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(byName(pcap), [
      { name: 'lo', addresses: ['127.0.0.1/8'], up: true, loopback: true },
      { name: 'rpi0', addresses: ['10.97.5.1/24', '10.97.6.1/28'], up: true, loopback: false },
      { name: 'rpx0', addresses: [], up: false, loopback: false },
      { name: 'rpx1', addresses: [], up: false, loopback: false },
    ]);
    // `ip link` order: by ifindex, loopback first.
    assert.equal(pcap[0].name, 'lo');
    assert.equal(pcap[0].index, 1);
    for (let i = 1; i < pcap.length; i++) assert.ok(pcap[i].index > pcap[i - 1].index, `${pcap[i].name} after ${pcap[i - 1].name}`);
  });

  it('without the addon, falls back to sysfs with the same answer', async () => {
    const withAddon = ns!.child('interfaces', {});
    const without = startChild(['env', 'RAMPART_ADDON=/nonexistent/rampart.node', 'ip', 'netns', 'exec', ns!.name], 'list', {});
    children.push(withAddon, without);
    await withAddon.finished();
    await without.finished();
    const [pcap] = withAddon.values<InterfaceInfo[]>('pcap');
    const [listed] = without.values<{ ok: boolean; list: InterfaceInfo[] }>('status');
    assert.equal(listed.ok, false);
    assert.deepEqual(listed.list, pcap);
  });
});
