import { CidrSet } from '../config/cidr.js';
import type { SectionSpec, SectionValues } from '../config/params.js';
import { L3, type Packet } from '../decode/packet.js';
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
  ],
};

interface Block {
  readonly addr: string;
  readonly reason: string;
  readonly expiresUs: number;
}

/**
 * The decide stage: turns alerts into block decisions and each packet into a verdict. Blocks run
 * on packet time and expire in order (one duration for all, so insertion order is expiry order).
 * The allowlist always wins. Knows nothing of outputs: decisions leave as events.
 */
export class Decider {
  readonly stats = { blocks: 0, unblocks: 0, blocked_active: 0, blocked_pkts: 0, allowlisted_alerts: 0, blocklist_full: 0 };
  /** Reason and address of the block behind the last true `isBlocked` answer. */
  reason = '';
  blockedAddr = '';
  private readonly blocked = new Map<number, Block>();
  private readonly enabled: boolean;
  private readonly severity: number;
  private readonly durationUs: number;
  private readonly durationS: number;
  private readonly allow: CidrSet;
  private readonly max: number;
  private nextExpiryUs = Infinity;

  constructor(values: SectionValues, private readonly emit: (ev: EngineEvent) => void) {
    this.enabled = values.block as boolean;
    this.severity = values.block_severity as number;
    this.durationS = values.block_duration as number;
    this.durationUs = this.durationS * 1e6;
    this.allow = new CidrSet(values.allowlist as readonly string[]);
    this.max = values.max_blocked as number;
  }

  /** Ends the blocks whose time is up at packet time `nowUs`, emitting unblock events. */
  expire(nowUs: number): void {
    if (nowUs < this.nextExpiryUs) return;
    for (const [key, b] of this.blocked) {
      if (b.expiresUs > nowUs) {
        this.nextExpiryUs = b.expiresUs;
        return;
      }
      this.blocked.delete(key);
      this.stats.unblocks++;
      this.stats.blocked_active--;
      this.emit({ type: 'unblock', tsUs: b.expiresUs, addr: b.addr, reason: 'expired' });
    }
    this.nextExpiryUs = Infinity;
  }

  /** Decides on an alert: may block its offender; sets the alert's action; emits alert then block. */
  onAlert(alert: AlertEvent, offender: Offender | null): void {
    let block: Block | undefined;
    if (offender !== null) {
      const existing = this.blocked.get(offender.key);
      if (existing !== undefined) {
        alert.action = 'blocked';
      } else if (this.enabled && alert.signature.severity <= this.severity) {
        const allowed = offender.family === 6 ? this.allow.has6(offender.v6 as Uint32Array) : this.allow.has4(offender.v4);
        if (allowed) {
          this.stats.allowlisted_alerts++;
        } else if (this.blocked.size >= this.max) {
          this.stats.blocklist_full++;
        } else {
          block = { addr: offender.addr, reason: alert.signature.reason, expiresUs: alert.tsUs + this.durationUs };
          this.blocked.set(offender.key, block);
          if (block.expiresUs < this.nextExpiryUs) this.nextExpiryUs = block.expiresUs;
          this.stats.blocks++;
          this.stats.blocked_active++;
          alert.action = 'blocked';
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
        durationS: this.durationS,
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
