import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** One persisted block. Times are wall-clock ms since the epoch. */
export interface StoredBlock {
  readonly addr: string;
  readonly reason: string;
  readonly blockedAtMs: number;
  readonly expiresAtMs: number;
}

/** File name of the blocklist inside the data directory. */
export const BLOCKLIST_FILE = 'blocklist.json';

/**
 * Blocks that survive a restart: a small JSON document in the data directory, rewritten
 * atomically (temp file + rename) so a crash never leaves half a file. Expired entries are
 * dropped on load and on save. A corrupt file is reported, not silently emptied.
 */
export class BlocklistStore {
  readonly path: string;
  private readonly blocks = new Map<string, StoredBlock>();

  constructor(readonly dataDir: string) {
    this.path = join(dataDir, BLOCKLIST_FILE);
  }

  /** Reads the file (missing = empty); throws with the file name on a corrupt one. */
  load(nowMs: number = Date.now()): StoredBlock[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`${this.path}: cannot read the blocklist: ${(err as Error).message}`);
    }
    let doc: { version?: number; blocks?: unknown[] };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch (err) {
      throw new Error(`${this.path}: not a Rampart blocklist (${(err as Error).message})`);
    }
    this.blocks.clear();
    for (const b of doc.blocks ?? []) {
      const e = b as Partial<StoredBlock>;
      if (typeof e.addr !== 'string' || isIP(e.addr) === 0 || typeof e.expiresAtMs !== 'number') continue;
      if (e.expiresAtMs <= nowMs) continue;
      this.blocks.set(e.addr, { addr: e.addr, reason: String(e.reason ?? ''), blockedAtMs: Number(e.blockedAtMs ?? nowMs), expiresAtMs: e.expiresAtMs });
    }
    return this.list(nowMs);
  }

  /** Blocks in force at `nowMs`, soonest expiry first. */
  list(nowMs: number = Date.now()): StoredBlock[] {
    return [...this.blocks.values()].filter((b) => b.expiresAtMs > nowMs).sort((a, b) => a.expiresAtMs - b.expiresAtMs || (a.addr < b.addr ? -1 : 1));
  }

  /** Records a block (replacing an earlier one of the same address). */
  put(b: StoredBlock): void {
    this.blocks.set(b.addr, b);
  }

  /** Forgets a block; false when absent. */
  remove(addr: string): boolean {
    return this.blocks.delete(addr);
  }

  /** Writes the file atomically. */
  save(nowMs: number = Date.now()): void {
    mkdirSync(this.dataDir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, blocks: this.list(nowMs) }, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}

/** The default data directory: /var/lib/rampart for root, else $XDG_STATE_HOME/rampart or ~/.local/state/rampart. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.getuid?.() === 0) return '/var/lib/rampart';
  const base = env.XDG_STATE_HOME ?? join(env.HOME ?? '/tmp', '.local', 'state');
  return join(base, 'rampart');
}
