import { isIP } from 'node:net';
import { CidrSet, ipv4ToInt, ipv6ToWords } from '../config/cidr.js';
import type { SectionSpec, SectionValues } from '../config/params.js';
import { addrKey6, L3, type Packet } from '../decode/packet.js';
import type { Offender } from '../detect/detector.js';
import type { AlertEvent, EngineEvent } from '../output/events.js';

/** Parameters of the decide stage. */
export const decideParams: SectionSpec = {
  path: 'decide',
  help: 'Turning alerts into blocks: which alerts block, for how long, and who is never blocked.',
  params: [
    { name: 'block', type: 'bool', default: true, help: 'Block the offending source of alerts at or above block_severity.' },
    { name: 'block_severity', type: 'int', default: 2, min: 1, max: 3, help: 'Alerts of this severity or more severe (1 is highest) block their source.' },
    { name: 'block_duration', type: 'number', default: 60, min: 1, max: 31536000, help: 'Seconds of packet time a source stays blocked.' },
    { name: 'allowlist', type: 'cidr-list', default: [], help: 'Addresses and networks (CIDR) that are never blocked; their alerts are still logged.' },
    { name: 'max_blocked', type: 'int', default: 65536, min: 1, max: 16777216, help: 'Sources blocked at once; when full, new blocks are refused and counted.' },
    { name: 'repeat_factor', type: 'number', default: 10, min: 1, max: 1000, help: 'Each new block of a repeat offender (within offence_memory) lasts this many times longer than the last.' },
    { name: 'max_block_duration', type: 'number', default: 3600, min: 1, max: 31536000, help: 'Longest block a repeat offender gets, seconds.' },
    { name: 'offence_memory', type: 'number', default: 86400, min: 0, max: 31536000, help: 'Seconds after its last block that an offender is forgotten (its next block is a first one again).' },
  ],
};

/**
 * Source addresses no host sends from: "this network" (0/8), multicast (224/4, ff00::/8), the
 * reserved block and broadcast (240/4), IPv6's unspecified address. A packet from one is forged
 * (`hping3 --rand-source` draws them too): blocking it protects nothing and fills the block list.
 */
const NEVER_A_SENDER = new CidrSet(['0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', '::/128', 'ff00::/8']);

interface Block {
  readonly addr: string;
  readonly reason: string;
  readonly expiresUs: number;
}

/** Past blocks of one address, for escalation. */
interface Offences {
  count: number;
  lastUs: number;
}

/** The per-host key of an address given as text (Packet.srcKey convention), or null if it is not one. */
export function addrKeyOf(addr: string): { key: number; family: number; v4: number; v6: Uint32Array | null } | null {
  const family = isIP(addr);
  if (family === 4) {
    const v4 = ipv4ToInt(addr);
    return { key: v4, family, v4, v6: null };
  }
  if (family === 6) {
    const v6 = new Uint32Array(4);
    ipv6ToWords(addr, v6);
    return { key: addrKey6(v6), family, v4: 0, v6 };
  }
  return null;
}

/**
 * The decide stage: turns alerts into block decisions and each packet into a verdict. Blocks run
 * on packet time; a repeat offender's block grows by `repeat_factor` up to `max_block_duration`.
 * The allowlist always wins. Knows nothing of outputs: decisions leave as events.
 */
export class Decider {
  readonly stats = { blocks: 0, unblocks: 0, blocked_active: 0, blocked_pkts: 0, allowlisted_alerts: 0, forged_source_alerts: 0, blocklist_full: 0 };
  /** Reason and address of the block behind the last true `isBlocked` answer. */
  reason = '';
  blockedAddr = '';
  private readonly blocked = new Map<number, Block>();
  private readonly offences = new Map<number, Offences>();
  private enabled!: boolean;
  private severity!: number;
  private durationUs!: number;
  private durationS!: number;
  private allow!: CidrSet;
  private max!: number;
  private repeatFactor!: number;
  private maxDurationS!: number;
  private memoryUs!: number;
  private nextExpiryUs = Infinity;

  constructor(values: SectionValues, private readonly emit: (ev: EngineEvent) => void) {
    this.reconfigure(values);
  }

  /** Applies new parameters (SIGHUP) to later decisions; blocks in force and offences are kept. */
  reconfigure(values: SectionValues): void {
    this.enabled = values.block as boolean;
    this.severity = values.block_severity as number;
    this.durationS = values.block_duration as number;
    this.durationUs = this.durationS * 1e6;
    this.allow = new CidrSet(values.allowlist as readonly string[]);
    this.max = values.max_blocked as number;
    this.repeatFactor = values.repeat_factor as number;
    this.maxDurationS = values.max_block_duration as number;
    this.memoryUs = (values.offence_memory as number) * 1e6;
  }

  /** Ends the blocks whose time is up at packet time `nowUs`, emitting unblock events in expiry order. */
  expire(nowUs: number): void {
    if (nowUs < this.nextExpiryUs) return;
    const ended: [number, Block][] = [];
    let next = Infinity;
    for (const entry of this.blocked) {
      const e = entry[1].expiresUs;
      if (e <= nowUs) ended.push(entry);
      else if (e < next) next = e;
    }
    this.nextExpiryUs = next;
    ended.sort((a, b) => a[1].expiresUs - b[1].expiresUs || (a[1].addr < b[1].addr ? -1 : 1));
    for (const [key, b] of ended) {
      this.blocked.delete(key);
      this.stats.unblocks++;
      this.stats.blocked_active--;
      this.emit({ type: 'unblock', tsUs: b.expiresUs, addr: b.addr, reason: 'expired' });
    }
  }

  /** Duration of a new block of `key` at `nowUs`, counting it as an offence. */
  private nextDurationS(key: number, nowUs: number): number {
    let o = this.offences.get(key);
    if (o === undefined || nowUs - o.lastUs > this.memoryUs) {
      if (o === undefined && this.offences.size >= this.max * 4) {
        this.offences.delete(this.offences.keys().next().value as number);
      }
      o = { count: 0, lastUs: nowUs };
      this.offences.set(key, o);
    }
    const d = Math.min(this.maxDurationS, this.durationS * this.repeatFactor ** o.count);
    o.count++;
    o.lastUs = nowUs;
    return Math.max(this.durationS, d);
  }

  /** Puts a block in force (from an alert, an operator, or restored state); false when refused. */
  private place(key: number, addr: string, reason: string, expiresUs: number): Block | undefined {
    if (this.blocked.size >= this.max) {
      this.stats.blocklist_full++;
      return undefined;
    }
    const block = { addr, reason, expiresUs };
    this.blocked.set(key, block);
    if (expiresUs < this.nextExpiryUs) this.nextExpiryUs = expiresUs;
    this.stats.blocks++;
    this.stats.blocked_active++;
    return block;
  }

  /**
   * Blocks an address on an operator's request (or restores a block that survived a restart) until
   * packet time `expiresUs`. Refused (false) for invalid or allowlisted addresses, and for those no
   * host sends from (multicast, broadcast …).
   */
  blockAddr(addr: string, reason: string, nowUs: number, expiresUs: number): boolean {
    const k = addrKeyOf(addr);
    if (k === null || this.isAllowed(k.family, k.v4, k.v6) || isNeverASender(k.family, k.v4, k.v6)) return false;
    if (expiresUs <= nowUs) return false;
    const old = this.blocked.get(k.key);
    if (old !== undefined) {
      this.blocked.delete(k.key);
      this.stats.blocked_active--;
    }
    const block = this.place(k.key, addr, reason, expiresUs);
    if (block === undefined) return false;
    this.emit({
      type: 'block', tsUs: nowUs, pcapCnt: 0, flowId: 0, srcIp: addr, srcPort: 0, destIp: '', destPort: 0, proto: '',
      addr, reason, sid: 0, durationS: Math.round((expiresUs - nowUs) / 1e6), expiresUs,
    });
    return true;
  }

  /** Lifts a block now (operator's request); false when the address was not blocked. */
  unblockAddr(addr: string, nowUs: number): boolean {
    const k = addrKeyOf(addr);
    if (k === null) return false;
    const b = this.blocked.get(k.key);
    if (b === undefined) return false;
    this.blocked.delete(k.key);
    this.stats.unblocks++;
    this.stats.blocked_active--;
    this.emit({ type: 'unblock', tsUs: nowUs, addr: b.addr, reason: 'removed' });
    return true;
  }

  private isAllowed(family: number, v4: number, v6: Uint32Array | null): boolean {
    return family === 6 ? this.allow.has6(v6 as Uint32Array) : this.allow.has4(v4);
  }

  /** Decides on an alert: may block its offender; sets the alert's action; emits alert then block. */
  onAlert(alert: AlertEvent, offender: Offender | null): void {
    let block: Block | undefined;
    if (offender !== null) {
      const existing = this.blocked.get(offender.key);
      if (existing !== undefined) {
        alert.action = 'blocked';
      } else if (this.enabled && alert.signature.severity <= this.severity) {
        if (this.isAllowed(offender.family, offender.v4, offender.v6)) {
          this.stats.allowlisted_alerts++;
        } else if (isNeverASender(offender.family, offender.v4, offender.v6)) {
          this.stats.forged_source_alerts++;
        } else {
          const durationS = this.nextDurationS(offender.key, alert.tsUs);
          block = this.place(offender.key, offender.addr, alert.signature.reason, alert.tsUs + durationS * 1e6);
          if (block !== undefined) alert.action = 'blocked';
        }
      }
    }
    this.emit(alert);
    if (block !== undefined) {
      this.emit({
        type: 'block',
        tsUs: alert.tsUs,
        pcapCnt: alert.pcapCnt,
        flowId: alert.flowId,
        srcIp: alert.srcIp,
        srcPort: alert.srcPort,
        destIp: alert.destIp,
        destPort: alert.destPort,
        proto: alert.proto,
        addr: block.addr,
        reason: block.reason,
        sid: alert.signature.sid,
        durationS: (block.expiresUs - alert.tsUs) / 1e6,
        expiresUs: block.expiresUs,
      });
    }
  }

  /** True when the packet's source (ARP: sender) is blocked; `reason` then says why. */
  isBlocked(p: Packet): boolean {
    if (this.blocked.size === 0) return false;
    const key = p.l3 === L3.ARP ? p.arpSender4 : p.srcKey;
    if (p.l3 === L3.NONE) return false;
    const b = this.blocked.get(key);
    if (b === undefined) return false;
    this.reason = b.reason;
    this.blockedAddr = b.addr;
    this.stats.blocked_pkts++;
    return true;
  }

  /** Addresses blocked now, with reason and expiry (µs). */
  list(): { addr: string; reason: string; expiresUs: number }[] {
    return [...this.blocked.values()].map((b) => ({ ...b }));
  }
}

function isNeverASender(family: number, v4: number, v6: Uint32Array | null): boolean {
  return family === 6 ? NEVER_A_SENDER.has6(v6 as Uint32Array) : NEVER_A_SENDER.has4(v4);
}
