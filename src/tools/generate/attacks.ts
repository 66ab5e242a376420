/**
 * The attacks of `malicious.pcap`, on a fixed schedule over the background: scans, sweeps,
 * floods, then web attacks. Each has its own attacker address (so an alert names one attack),
 * the engine's attack_type, a variant, and a rule telling which of its frames carry it (the
 * probes, the flood, the malicious request) and which only belong to its conversations (the
 * victim's answers, the handshake around a request).
 */
import { ethernet, tcpPacket } from '../craft/frame.js';
import { type Emit, icmpFlood, pingSweep, portScan, rawIpFlood, type Rng, synFlood, tcpConversation, udpFlood, arpSweep } from '../scenario.js';
import { httpResponse } from './content.js';
import { type FrameFacts, fragmentDatagrams, greTunnel, insertDecoys, splitSegments } from './evasion.js';
import { type Host, type HostFactory, LAN_PREFIX_V4, type Network } from './hosts.js';
import { webAttacks } from './web-attacks.js';

/** One attack of the plan. */
export interface AttackPlan {
  /** Unique and stable: "<type>/<variant>". */
  readonly id: string;
  /** The engine's attack_type. */
  readonly type: string;
  readonly variant: string;
  /** 'ip': bare IP headers, no transport. */
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'arp' | 'ip';
  /** Null when the sources are forged. */
  readonly attacker: Host | null;
  /** An address, or a CIDR for sweeps. */
  readonly victim: string;
  readonly description: string;
  /** Start, µs after the capture's start. */
  readonly atUs: number;
  /** Emits every frame of the attack (and of the victims' answers) from t0. */
  run(emit: Emit, t0: number, rng: Rng): void;
  /** True for a frame that carries the attack; false for one that only belongs to it. */
  carries(f: FrameFacts): boolean;
}

/** Everything the attacks need: their hosts, and the plan. */
export interface AttackSet {
  readonly attackers: readonly Host[];
  readonly plans: readonly AttackPlan[];
}

/** nmap's most popular TCP ports first, then the rest of 1-1024, `count` in all, shuffled by the seed past the top ones. */
function nmapPorts(rng: Rng, count: number): number[] {
  const top = [80, 23, 443, 21, 22, 25, 3389, 110, 445, 139, 143, 53, 135, 3306, 8080, 1723, 111, 995, 993, 5900];
  const rest = Array.from({ length: 1024 }, (_, i) => i + 1).filter((p) => !top.includes(p));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  return [...top, ...rest].slice(0, count);
}

const s = (sec: number): number => Math.round(sec * 1e6);
const lanCidr = `${LAN_PREFIX_V4}0/24`;

/** Last octets of the LAN hosts that answer probes. */
function liveOctets(net: Network): number[] {
  return net.all.filter((h) => h.mac !== null).map((h) => Number(h.v4.split('.')[3]));
}

/** Builds the attackers and the schedule (about 140 s of attacks starting 8 s into the capture). */
export function planAttacks(net: Network, hosts: HostFactory): AttackSet {
  const attackers: Host[] = [];
  const remote = (name: string, v4: string): Host => {
    const h = hosts.remote(name, v4);
    attackers.push(h);
    return h;
  };
  const from = (a: Host) => (f: FrameFacts): boolean => f.src === a.v4;
  const plans: AttackPlan[] = [];
  const live = liveOctets(net);

  const scan = (kind: 'syn' | 'connect' | 'udp' | 'null' | 'fin' | 'xmas', type: string, addr: string, victim: Host, count: number, open: number[], intervalUs: number, at: number, what: string): void => {
    const a = remote(`scanner-${kind}`, addr);
    plans.push({
      id: `${type}/${kind}`,
      type,
      variant: kind,
      protocol: kind === 'udp' ? 'udp' : 'tcp',
      attacker: a,
      victim: victim.v4,
      description: `${what}: ${count} ports at ${Math.round(1e6 / intervalUs)} probes/s`,
      atUs: s(at),
      run: (emit, t0, rng) => portScan(emit, { src: a.v4, dst: victim.v4, ports: nmapPorts(rng, count), kind, open, intervalUs, t0 }, rng),
      carries: from(a),
    });
  };
  scan('syn', 'port_scan', '192.0.2.10', net.web, 300, [22, 80], 1_500, 8, 'nmap -sS');
  scan('connect', 'port_scan', '192.0.2.11', net.api, 150, [22, 8080], 3_000, 14, 'nmap -sT');
  scan('udp', 'port_scan', '192.0.2.12', net.dns, 100, [], 10_000, 20, 'nmap -sU');
  scan('null', 'null_scan', '192.0.2.13', net.web, 100, [], 2_000, 26, 'nmap -sN');
  scan('fin', 'fin_scan', '192.0.2.14', net.db, 100, [], 2_000, 30, 'nmap -sF');
  scan('xmas', 'xmas_scan', '192.0.2.15', net.api, 100, [], 2_000, 34, 'nmap -sX');

  const pinger = remote('sweeper-icmp', '192.0.2.20');
  plans.push({
    id: 'host_sweep/icmp',
    type: 'host_sweep',
    variant: 'icmp',
    protocol: 'icmp',
    attacker: pinger,
    victim: lanCidr,
    description: 'nmap -sn -PE over the LAN /24: 254 echo requests, live hosts answer',
    atUs: s(40),
    run: (emit, t0) => pingSweep(emit, { src: pinger.v4, prefix: LAN_PREFIX_V4.slice(0, -1), from: 1, to: 254, live, intervalUs: 8_000, t0 }),
    carries: from(pinger),
  });
  // A compromised workstation-like machine on the LAN (not one of the benign hosts).
  const arper = hosts.local('sweeper-arp', 66);
  attackers.push(arper);
  plans.push({
    id: 'host_sweep/arp',
    type: 'host_sweep',
    variant: 'arp',
    protocol: 'arp',
    attacker: arper,
    victim: lanCidr,
    description: 'nmap -sn from inside the LAN: ARP who-has for 254 addresses',
    atUs: s(46),
    run: (emit, t0) => arpSweep(emit, { src: arper.v4, prefix: LAN_PREFIX_V4.slice(0, -1), from: 1, to: 254, intervalUs: 4_000, t0 }),
    carries: from(arper),
  });
  const rdp = remote('sweeper-tcp', '192.0.2.21');
  plans.push({
    id: 'host_sweep/tcp',
    type: 'host_sweep',
    variant: 'tcp',
    protocol: 'tcp',
    attacker: rdp,
    victim: lanCidr,
    description: 'masscan-style sweep of port 3389 over the LAN /24: live hosts refuse, the rest stay silent',
    atUs: s(50),
    run: (emit, t0, rng) => {
      for (let h = 1; h <= 254; h++) {
        const dst = `${LAN_PREFIX_V4}${h}`;
        const sport = rng.int(40000, 60000);
        const seq = rng.int(0, 0x7fffffff);
        const t = t0 + (h - 1) * 5_000;
        emit(ethernet(tcpPacket({ src: rdp.v4, dst, sport, dport: 3389, flags: 'S', seq, window: 1024 })), t);
        if (live.includes(h)) emit(ethernet(tcpPacket({ src: dst, dst: rdp.v4, sport: 3389, dport: sport, flags: 'RA', seq: 0, ack: seq + 1 })), t + 300);
      }
    },
    carries: from(rdp),
  });

  const icmp = remote('flooder-icmp', '198.51.100.20');
  plans.push({
    id: 'icmp_flood/echo',
    type: 'icmp_flood',
    variant: 'echo',
    protocol: 'icmp',
    attacker: icmp,
    victim: net.web.v4,
    description: 'hping3 -1 --faster: 1000 echo requests at 1000/s (threshold 50/s)',
    atUs: s(58),
    run: (emit, t0) => icmpFlood(emit, { src: icmp.v4, dst: net.web.v4, count: 1000, intervalUs: 1_000, t0 }),
    carries: from(icmp),
  });
  const syn = remote('flooder-syn', '198.51.100.21');
  plans.push({
    id: 'syn_flood/source',
    type: 'syn_flood',
    variant: 'source',
    protocol: 'tcp',
    attacker: syn,
    victim: net.web.v4,
    description: 'hping3 -S -p 80 --faster: 1000 SYNs at 1000/s from one source (threshold 100/s)',
    atUs: s(64),
    run: (emit, t0, rng) => synFlood(emit, { src: syn.v4, dst: net.web.v4, dport: 80, count: 1000, intervalUs: 1_000, t0 }, rng),
    carries: from(syn),
  });
  plans.push({
    id: 'syn_flood/spoofed',
    type: 'syn_flood',
    variant: 'spoofed',
    protocol: 'tcp',
    attacker: null,
    victim: net.web.v4,
    description: 'hping3 -S -p 443 --rand-source: 2000 SYNs at 2000/s from forged 198.18.0.0/15 sources (threshold 200/s)',
    atUs: s(70),
    run: (emit, t0, rng) => synFlood(emit, { src: null, dst: net.web.v4, dport: 443, count: 2000, intervalUs: 500, t0 }, rng),
    carries: (f) => f.src !== net.web.v4,
  });
  const udp = remote('flooder-udp', '198.51.100.22');
  plans.push({
    id: 'udp_flood/one_way',
    type: 'udp_flood',
    variant: 'one_way',
    protocol: 'udp',
    attacker: udp,
    victim: net.web.v4,
    description: 'hping3 -2 -p 7 --faster: 2000 datagrams to the echo port at 2000/s, never answered (threshold 500/s)',
    atUs: s(76),
    run: (emit, t0) => udpFlood(emit, { src: udp.v4, dst: net.web.v4, dport: 7, count: 2000, intervalUs: 500, t0 }),
    carries: from(udp),
  });

  plans.push({
    id: 'icmp_flood/spoofed',
    type: 'icmp_flood',
    variant: 'spoofed',
    protocol: 'icmp',
    attacker: null,
    victim: net.api.v4,
    description: 'hping3 -1 --rand-source: 1000 echo requests at 1000/s from forged 198.18.0.0/15 sources (threshold 100/s towards one host)',
    atUs: s(78),
    run: (emit, t0, rng) => icmpFlood(emit, { src: null, dst: net.api.v4, count: 1000, intervalUs: 1_000, t0 }, rng),
    carries: (f) => f.src !== net.api.v4,
  });
  plans.push({
    id: 'udp_flood/spoofed',
    type: 'udp_flood',
    variant: 'spoofed',
    protocol: 'udp',
    attacker: null,
    victim: net.db.v4,
    description: 'hping3 -2 -p 7 --rand-source: 1500 datagrams at 1500/s from forged 198.18.0.0/15 sources, never answered (threshold 500 new flows/s towards one host)',
    atUs: s(80),
    run: (emit, t0, rng) => udpFlood(emit, { src: null, dst: net.db.v4, dport: 7, count: 1500, intervalUs: 667, t0 }, rng),
    carries: (f) => f.src !== net.db.v4,
  });

  const rawIp = remote('flooder-rawip', '198.51.100.23');
  plans.push({
    id: 'ip_flood/raw_ip',
    type: 'ip_flood',
    variant: 'raw_ip',
    protocol: 'ip',
    attacker: rawIp,
    victim: net.db.v4,
    description: 'hping3 -0 -H 255: 500 bare IP headers of a reserved protocol at 1000/s to the database server [100/s]',
    atUs: s(81.2),
    run: (emit, t0) => rawIpFlood(emit, { src: rawIp.v4, dst: net.db.v4, proto: 255, count: 500, intervalUs: 1000, t0 }),
    carries: from(rawIp),
  });

  webAttacks().forEach((w, i) => {
    const a = remote(`web-${w.type}-${w.variant}`, `198.51.100.${100 + i}`);
    plans.push({
      id: `${w.type}/${w.variant}`,
      type: w.type,
      variant: w.variant,
      protocol: 'tcp',
      attacker: a,
      victim: net.web.v4,
      description: w.description,
      atUs: s(82 + i * 3),
      run: (emit, t0, rng) => {
        const d = w.delivery;
        const out =
          d.kind === 'segments' ? splitSegments(emit, { from: a.v4, size: d.size })
          : d.kind === 'fragments' ? fragmentDatagrams(emit, { from: a.v4, fragPayload: d.fragPayload })
          : d.kind === 'decoys' ? insertDecoys(emit, { from: a.v4 })
          : d.kind === 'gre' ? greTunnel(emit, { a: a.v4, b: net.web.v4 })
          : emit;
        const body = `<html><body><h1>${w.status}</h1></body></html>`;
        const ends = { client: a.v4, server: net.web.v4, sport: rng.int(32768, 60999), dport: 80 };
        let start = t0;
        if (d.kind === 'reuse') {
          // A first connection from the same port, asked to close (Connection: close), then the attack's.
          const first = tcpConversation(
            out,
            {
              ...ends,
              turns: [
                { from: 'client', data: d.first },
                { from: 'server', data: httpResponse(200, 'text/html', '<html><body><h1>Welcome</h1></body></html>'), afterUs: 3_000 },
              ],
              t0,
              rttUs: 40_000,
              closeBy: 'server',
            },
            rng,
          );
          start = first + 300_000;
        }
        tcpConversation(
          out,
          {
            ...ends,
            turns: [
              { from: 'client', data: w.request },
              { from: 'server', data: w.response ?? httpResponse(w.status, 'text/html', body), afterUs: 3_000 },
              ...(w.then !== undefined
                ? [
                    { from: 'client' as const, data: w.then.client },
                    { from: 'server' as const, data: w.then.server, afterUs: 1_000 },
                  ]
                : []),
            ],
            t0: start,
            rttUs: rng.int(20_000, 90_000),
          },
          rng,
        );
      },
      carries: (f) => f.src === a.v4 && (f.payloadLen > 0 || f.fragment),
    });
  });
  return { attackers, plans };
}
