/**
 * The generated network: who lives on the captured LAN, which outside servers they talk to, and
 * who attacks them. Addresses are fixed (documentation ranges only), so a truth file reads the
 * same for every seed; MAC addresses, TTLs and IP id starts come from the seed.
 */
import { Rng } from '../scenario.js';

/** One machine as it appears on the wire. */
export interface Host {
  /** Role, for people reading a truth file ("web", "ws-03", "scanner-syn"). */
  readonly name: string;
  /** IPv4 address. */
  readonly v4: string;
  /** IPv6 address of a dual-stack host, else null. */
  readonly v6: string | null;
  /** Its MAC (local hosts) or null for outside hosts, whose frames carry the router's MAC. */
  readonly mac: string | null;
  /** TTL / hop limit as the capture sees it: the initial value on the LAN, minus the hops from outside. */
  readonly ttl: number;
  /** First IP id the host sends (then +1 per datagram). */
  readonly ipIdStart: number;
}

/** The LAN the capture sits on (a switch mirror port), and its IPv6 prefix. */
export const LAN_PREFIX_V4 = '10.1.0.';
/** IPv6 prefix of the LAN's dual-stack hosts. */
export const LAN_PREFIX_V6 = '2001:db8:10::';
/** Source range of spoofed SYN floods (RFC 2544 benchmark range: never a real host). */
export const SPOOFED_RANGE = '198.18.0.0/15';

/** Vendor prefixes a real office shows (Intel, Dell, Apple, HP, Lenovo, VMware). */
const OUIS = ['00:1b:21', 'f4:8e:38', '3c:22:fb', '9c:b6:54', '54:ee:75', '00:50:56'] as const;

/** The benign side: servers, workstations, the router and the outside services they use. */
export interface Network {
  readonly router: Host;
  readonly monitor: Host;
  readonly web: Host;
  readonly api: Host;
  readonly db: Host;
  readonly dns: Host;
  readonly workstations: readonly Host[];
  readonly upstreamDns: Host;
  readonly ntpPool: Host;
  readonly cdn: Host;
  /** Outside web sites the workstations visit. */
  readonly sites: readonly Host[];
  /** Every benign host, LAN first. */
  readonly all: readonly Host[];
}

/** Builds host records; one Rng draws every MAC, TTL and IP id so the plan follows the seed. */
export class HostFactory {
  private readonly rng: Rng;
  private macIndex = 0;

  constructor(seed: number) {
    this.rng = new Rng((seed ^ 0x5eed1357) >>> 0);
  }

  /** A host on the LAN: its own MAC, TTL 64 (Linux, macOS) or 128 (Windows). */
  local(name: string, lastOctet: number, opts: { windows?: boolean; v6?: boolean } = {}): Host {
    const oui = OUIS[this.rng.int(0, OUIS.length - 1)];
    // The low bytes carry a running index so two hosts never share a MAC, whatever the draw.
    const n = ++this.macIndex;
    const mac = `${oui}:${hex(this.rng.int(0, 255))}:${hex(n >>> 8)}:${hex(n & 0xff)}`;
    return {
      name,
      v4: `${LAN_PREFIX_V4}${lastOctet}`,
      v6: opts.v6 === true ? `${LAN_PREFIX_V6}${lastOctet.toString(16)}` : null,
      mac,
      ttl: opts.windows === true ? 128 : 64,
      ipIdStart: this.rng.int(0, 0xffff),
    };
  }

  /** A host outside: reached through the router, TTL worn down by 6-20 hops. */
  remote(name: string, v4: string, opts: { windows?: boolean } = {}): Host {
    const initial = opts.windows === true ? 128 : 64;
    return { name, v4, v6: null, mac: null, ttl: initial - this.rng.int(6, 20), ipIdStart: this.rng.int(0, 0xffff) };
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The benign network for a seed. */
export function buildNetwork(factory: HostFactory): Network {
  const router = factory.local('router', 1);
  const monitor = factory.local('monitor', 5);
  const web = factory.local('web', 10, { v6: true });
  const api = factory.local('api', 11);
  const db = factory.local('db', 12);
  const dns = factory.local('dns', 53);
  const workstations = Array.from({ length: 16 }, (_, i) =>
    factory.local(`ws-${String(i + 1).padStart(2, '0')}`, 101 + i, { windows: i % 3 === 1, v6: i === 1 || i === 2 }),
  );
  const upstreamDns = factory.remote('upstream-dns', '203.0.113.53');
  const ntpPool = factory.remote('ntp-pool', '203.0.113.123');
  const cdn = factory.remote('cdn', '203.0.113.80');
  const sites = Array.from({ length: 40 }, (_, i) => factory.remote(`site-${i + 1}`, `203.0.113.${10 + i}`, { windows: i % 5 === 0 }));
  return {
    router,
    monitor,
    web,
    api,
    db,
    dns,
    workstations,
    upstreamDns,
    ntpPool,
    cdn,
    sites,
    all: [router, monitor, web, api, db, dns, ...workstations, upstreamDns, ntpPool, cdn, ...sites],
  };
}

/** Every address of the hosts (IPv4 and IPv6), in order. */
export function addressesOf(hosts: readonly Host[]): string[] {
  const out: string[] = [];
  for (const h of hosts) {
    out.push(h.v4);
    if (h.v6 !== null) out.push(h.v6);
  }
  return out;
}
