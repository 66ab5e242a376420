import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/**
 * The machine's own addresses and its default gateways, as CIDRs, for the allowlist: blocking
 * any of them would cut the admin off (or the machine off from its network).
 */
export function localAllowlist(): string[] {
  const out = new Set<string>();
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      const addr = a.address.split('%')[0];
      out.add(a.family === 'IPv4' ? `${addr}/32` : `${addr}/128`);
    }
  }
  for (const gw of defaultGateways()) out.add(gw.includes(':') ? `${gw}/128` : `${gw}/32`);
  return [...out].sort();
}

/** Default gateways from /proc/net/route and /proc/net/ipv6_route (empty where unreadable). */
export function defaultGateways(): string[] {
  const out: string[] = [];
  try {
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 3 || f[1] !== '00000000' || f[2] === '00000000') continue;
      const n = parseInt(f[2], 16);
      out.push(`${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${(n >>> 24) & 255}`);
    }
  } catch {
    // no IPv4 routing table readable: nothing to add
  }
  try {
    for (const line of readFileSync('/proc/net/ipv6_route', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5 || f[0] !== '00000000000000000000000000000000' || f[1] !== '00' || /^0+$/.test(f[4])) continue;
      out.push(f[4].match(/.{4}/g)!.map((g) => g.replace(/^0{1,3}/, '')).join(':'));
    }
  } catch {
    // no IPv6 routing table readable
  }
  return out;
}
