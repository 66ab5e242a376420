import type { BlocklistStore } from '../store/blocklist-store.js';
import type { EngineEvent, EventSink } from '../output/events.js';
import type { EnforcementBackend } from './backend.js';

/**
 * The output that enforces: forwards block and unblock events to a backend and records them in
 * the persistent blocklist. Blocks are given to the kernel with their full duration, so the
 * kernel ends them on time even if Rampart stops.
 */
export class Enforcer implements EventSink {
  readonly stats = { enforced: 0, lifted: 0 };

  constructor(
    private readonly backend: EnforcementBackend,
    private readonly store: BlocklistStore | null,
    private readonly nowMs: () => number = Date.now,
  ) {}

  onEvent(ev: EngineEvent): void {
    if (ev.type === 'block') {
      this.backend.block(ev.addr, ev.durationS);
      this.stats.enforced++;
      const now = this.nowMs();
      this.store?.put({ addr: ev.addr, reason: ev.reason, blockedAtMs: now, expiresAtMs: now + ev.durationS * 1000 });
      this.store?.save(now);
    } else if (ev.type === 'unblock') {
      // Expired blocks end in the kernel by themselves; lift only the ones removed early.
      if (ev.reason !== 'expired') {
        this.backend.unblock(ev.addr);
        this.stats.lifted++;
      }
      if (this.store?.remove(ev.addr)) this.store.save(this.nowMs());
    }
  }

  async close(): Promise<void> {
    await this.backend.flush();
  }
}
