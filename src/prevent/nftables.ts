import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { type BlockRecord, type EnforcementBackend, EnforcementError } from './backend.js';

/** Options of the nftables backend. */
export interface NftablesOptions {
  /** Table name in the `inet` family. */
  readonly table?: string;
  /** Command that runs nft; tests prefix it with `ip netns exec NS`. */
  readonly command?: readonly string[];
  /** Elements per set (the kernel refuses more). */
  readonly maxElements?: number;
  /** Queued changes that trigger a flush without waiting for the timer. */
  readonly batch?: number;
  /** How long changes may wait to be batched, ms. */
  readonly flushMs?: number;
}

/**
 * Blocks as elements of two nftables sets (`ipv4_addr`, `ipv6_addr`, `flags timeout`) in the
 * project's own `inet` table, matched by a drop rule in a prerouting chain at raw priority
 * (before conntrack and routing: the cheapest place to drop). The kernel expires elements itself,
 * so blocks end on time even if Rampart dies. Changes go through `nft -f -` in batches;
 * addresses are validated before they reach nft.
 */
export class NftablesBackend implements EnforcementBackend {
  readonly name = 'nftables';
  readonly stats = { blocks: 0, unblocks: 0, invalid: 0, batches: 0, nft_errors: 0 };
  private readonly table: string;
  private readonly command: readonly string[];
  private readonly maxElements: number;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private queue: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> = Promise.resolve();

  constructor(opts: NftablesOptions = {}) {
    this.table = opts.table ?? 'rampart';
    if (!/^[A-Za-z][A-Za-z0-9_]{0,30}$/.test(this.table)) throw new EnforcementError(`bad nftables table name: ${this.table}`);
    this.command = opts.command ?? ['nft'];
    this.maxElements = opts.maxElements ?? 65536;
    this.batchSize = opts.batch ?? 256;
    this.flushMs = opts.flushMs ?? 20;
  }

  /** The ruleset start() installs (idempotent: re-running keeps the sets' elements). */
  ruleset(): string {
    const t = `inet ${this.table}`;
    return [
      `add table ${t}`,
      `add set ${t} blocked4 { type ipv4_addr; flags timeout; size ${this.maxElements}; }`,
      `add set ${t} blocked6 { type ipv6_addr; flags timeout; size ${this.maxElements}; }`,
      `add chain ${t} prerouting { type filter hook prerouting priority raw; policy accept; }`,
      `flush chain ${t} prerouting`,
      `add rule ${t} prerouting ip saddr @blocked4 counter drop`,
      `add rule ${t} prerouting ip6 saddr @blocked6 counter drop`,
      '',
    ].join('\n');
  }

  async start(): Promise<BlockRecord[]> {
    await this.nft(['-f', '-'], this.ruleset());
    return this.list();
  }

  block(addr: string, durationS: number): void {
    const family = isIP(addr);
    if (family === 0) {
      this.stats.invalid++;
      return;
    }
    const secs = Math.max(1, Math.ceil(durationS));
    this.stats.blocks++;
    // Delete first (inside the same transaction) so a re-block refreshes the timeout; the
    // preceding add makes the delete safe when the element is absent.
    const set = family === 4 ? 'blocked4' : 'blocked6';
    this.enqueue(`add element inet ${this.table} ${set} { ${addr} timeout 1s }\ndelete element inet ${this.table} ${set} { ${addr} }\nadd element inet ${this.table} ${set} { ${addr} timeout ${secs}s }`);
  }

  unblock(addr: string): void {
    const family = isIP(addr);
    if (family === 0) {
      this.stats.invalid++;
      return;
    }
    this.stats.unblocks++;
    const set = family === 4 ? 'blocked4' : 'blocked6';
    this.enqueue(`add element inet ${this.table} ${set} { ${addr} timeout 1s }\ndelete element inet ${this.table} ${set} { ${addr} }`);
  }

  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length > 0) {
      const script = `${this.queue.join('\n')}\n`;
      this.queue = [];
      this.stats.batches++;
      // A failed batch must not wedge the ones after it: each starts once the previous settled.
      const run = this.inflight
        .catch(() => undefined)
        .then(async () => {
          await this.nft(['-f', '-'], script);
        });
      run.catch(() => {
        this.stats.nft_errors++;
      });
      this.inflight = run;
    }
    await this.inflight;
  }

  async list(): Promise<BlockRecord[]> {
    const now = Date.now();
    const out: BlockRecord[] = [];
    for (const set of ['blocked4', 'blocked6']) {
      const text = await this.nft(['-j', 'list', 'set', 'inet', this.table, set]);
      const doc = JSON.parse(text) as { nftables?: { set?: { elem?: unknown[] } }[] };
      for (const item of doc.nftables ?? []) {
        for (const e of item.set?.elem ?? []) {
          const elem = (e as { elem?: { val?: unknown; expires?: number; timeout?: number } }).elem;
          const val = elem !== undefined ? elem.val : e;
          if (typeof val !== 'string' || isIP(val) === 0) continue;
          const left = elem?.expires ?? elem?.timeout ?? 0;
          out.push({ addr: val, expiresAtMs: now + left * 1000 });
        }
      }
    }
    return out;
  }

  async stop(opts: { readonly remove: boolean }): Promise<void> {
    await this.flush().catch(() => undefined);
    if (opts.remove) await this.nft(['delete', 'table', 'inet', this.table]).catch(() => undefined);
  }

  private enqueue(cmd: string): void {
    this.queue.push(cmd);
    if (this.queue.length >= this.batchSize) {
      void this.flush().catch(() => undefined);
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush().catch(() => undefined);
      }, this.flushMs);
    }
  }

  private nft(args: readonly string[], stdin?: string): Promise<string> {
    const [cmd, ...pre] = this.command;
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, [...pre, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('error', (e: NodeJS.ErrnoException) => {
        reject(new EnforcementError(e.code === 'ENOENT' ? `nftables: '${cmd}' not found: install it with apt-get install nftables` : `nftables: ${e.message}`));
      });
      child.on('close', (code) => {
        if (code === 0) resolve(out);
        else {
          const msg = err.trim().split('\n').slice(0, 3).join(' / ');
          reject(new EnforcementError(/Operation not permitted/.test(err) ? `nftables: permission denied (run as root): ${msg}` : `nftables: nft ${args.join(' ')} failed: ${msg}`));
        }
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
  }
}
