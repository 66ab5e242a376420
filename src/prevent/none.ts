import { isIP } from 'node:net';
import type { BlockRecord, EnforcementBackend } from './backend.js';

/**
 * Dry run: remembers what would be blocked, enforces nothing. The default when not root, and the
 * reference the conformance suite checks the real backends against.
 */
export class DryRunBackend implements EnforcementBackend {
  readonly name = 'none';
  readonly stats = { blocks: 0, unblocks: 0, invalid: 0 };
  private readonly blocks = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async start(): Promise<BlockRecord[]> {
    return [];
  }

  block(addr: string, durationS: number): void {
    if (isIP(addr) === 0) {
      this.stats.invalid++;
      return;
    }
    this.blocks.set(addr, this.now() + durationS * 1000);
    this.stats.blocks++;
  }

  unblock(addr: string): void {
    if (this.blocks.delete(addr)) this.stats.unblocks++;
  }

  async flush(): Promise<void> {}

  async list(): Promise<BlockRecord[]> {
    const now = this.now();
    return [...this.blocks].filter(([, t]) => t > now).map(([addr, expiresAtMs]) => ({ addr, expiresAtMs }));
  }

  async stop(): Promise<void> {
    this.blocks.clear();
  }
}
