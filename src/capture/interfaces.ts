import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { addonStatus, type NativeDevice, requireAddon } from './live.js';

/** One network interface as `rampart interfaces` lists it. */
export interface InterfaceInfo {
  /** Kernel ifindex: the order `ip link` lists interfaces in. */
  readonly index: number;
  readonly name: string;
  /** IPv4 then IPv6 addresses in CIDR text ("10.0.0.1/24", "fe80::1/64"), in the kernel's order within each family. */
  readonly addresses: string[];
  /** Administratively up and able to carry traffic (IFF_UP and IFF_RUNNING: `ip link` shows UP or UNKNOWN). */
  readonly up: boolean;
  readonly loopback: boolean;
}

// PCAP_IF_* (pcap/pcap.h) and IFF_* (linux/if.h).
const PCAP_IF_LOOPBACK = 0x1;
const PCAP_IF_UP = 0x2;
const PCAP_IF_RUNNING = 0x4;
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

const SYS_NET = '/sys/class/net';

/**
 * Interfaces as `rampart interfaces` lists them: from pcap_findalldevs when the addon is present
 * (what live capture can open), else from /sys/class/net and os.networkInterfaces. Both give the
 * same list; pcap's pseudo devices without an ifindex (any, nflog, nfqueue...) are left out.
 * Sorted by ifindex, as `ip link` orders them.
 */
export function listInterfaces(): InterfaceInfo[] {
  return addonStatus().ok ? listInterfacesFromPcap(requireAddon().findAllDevs()) : listInterfacesFromSys();
}

/** The list from pcap_findalldevs results. */
export function listInterfacesFromPcap(devices: readonly NativeDevice[]): InterfaceInfo[] {
  const list: InterfaceInfo[] = [];
  for (const d of devices) {
    if (d.index === 0) continue;
    list.push({
      index: d.index,
      name: d.name,
      addresses: [...d.v4, ...d.v6],
      up: (d.flags & PCAP_IF_UP) !== 0 && (d.flags & PCAP_IF_RUNNING) !== 0,
      loopback: (d.flags & PCAP_IF_LOOPBACK) !== 0,
    });
  }
  return list.sort((a, b) => a.index - b.index);
}

/** The list from /sys/class/net (every interface, with or without addresses) and os.networkInterfaces (addresses). */
export function listInterfacesFromSys(sysNet = SYS_NET): InterfaceInfo[] {
  let names: string[];
  try {
    names = readdirSync(sysNet);
  } catch {
    return [];
  }
  const addrs = networkInterfaces();
  const list: InterfaceInfo[] = [];
  for (const name of names) {
    const dir = join(sysNet, name);
    const index = Number(readSys(dir, 'ifindex'));
    // An entry that vanished between readdir and read (interface deleted meanwhile) is skipped.
    if (!Number.isInteger(index) || index <= 0) continue;
    const flags = Number.parseInt(readSys(dir, 'flags'), 16) || 0;
    const operstate = readSys(dir, 'operstate');
    const own = addrs[name] ?? [];
    const cidrs = (family: string): string[] => own.filter((a) => a.family === family && a.cidr !== null).map((a) => a.cidr as string);
    list.push({
      index,
      name,
      addresses: [...cidrs('IPv4'), ...cidrs('IPv6')],
      // IFF_RUNNING is not in sysfs' flags; operstate up/unknown is what sets it.
      up: (flags & IFF_UP) !== 0 && (operstate === 'up' || operstate === 'unknown'),
      loopback: (flags & IFF_LOOPBACK) !== 0,
    });
  }
  return list.sort((a, b) => a.index - b.index);
}

function readSys(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), 'utf8').trim();
  } catch {
    return '';
  }
}
