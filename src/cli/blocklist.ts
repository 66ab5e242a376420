import { isIP } from 'node:net';
import type { Command } from 'commander';
import { askInstance, type ControlBlock } from '../live/control.js';
import { NftablesBackend } from '../prevent/nftables.js';
import { BlocklistStore, defaultDataDir } from '../store/blocklist-store.js';
import { UsageError } from './errors.js';

interface BlocklistOptions {
  readonly dataDir?: string;
  readonly table?: string;
  readonly json?: boolean;
}

function print(blocks: readonly ControlBlock[], json: boolean, source: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(blocks.map((b) => ({ addr: b.addr, reason: b.reason, expires: new Date(b.expiresAtMs).toISOString() })), null, 2)}\n`);
    return;
  }
  process.stderr.write(`${blocks.length} blocked (${source})\n`);
  const now = Date.now();
  for (const b of blocks) process.stdout.write(`${b.addr.padEnd(40)} ${`${Math.max(0, Math.round((b.expiresAtMs - now) / 1000))}s left`.padEnd(12)} ${b.reason}\n`);
}

/** True when this process may change the kernel's nftables (root, nft present). */
function canUseKernel(): boolean {
  return process.getuid?.() === 0;
}

/**
 * `rampart blocklist list|add|remove`: through the running instance's control socket when one
 * runs, else directly on the stored blocklist and (as root) the kernel's nftables set.
 */
export function registerBlocklist(program: Command): void {
  const cmd = program.command('blocklist').description('List, add or remove blocks: on the running instance, or offline on the stored blocklist and the kernel set.');
  const common = (c: Command): Command =>
    c
      .option('--data-dir <dir>', 'data directory of the instance (default /var/lib/rampart as root)')
      .option('--table <name>', 'nftables table used offline', 'rampart');

  common(cmd.command('list').description('Show the blocked addresses and the time they have left.').option('--json', 'as JSON')).action(async (o: BlocklistOptions) => {
    const dataDir = o.dataDir ?? defaultDataDir();
    const res = await askInstance(dataDir, { cmd: 'list' });
    if (res !== null) {
      print(res.blocks ?? [], o.json === true, 'running instance');
      return;
    }
    const store = new BlocklistStore(dataDir);
    const blocks = new Map<string, ControlBlock>();
    for (const b of store.load()) blocks.set(b.addr, { addr: b.addr, reason: b.reason, expiresAtMs: b.expiresAtMs });
    if (canUseKernel()) {
      const kernel = await new NftablesBackend({ table: o.table }).list().catch(() => []);
      for (const b of kernel) if (!blocks.has(b.addr)) blocks.set(b.addr, { addr: b.addr, reason: '(kernel)', expiresAtMs: b.expiresAtMs });
    }
    print([...blocks.values()], o.json === true, 'no running instance: stored blocklist and kernel');
  });

  common(cmd.command('add').description('Block an address now.').argument('<addr>', 'IPv4 or IPv6 address').option('-d, --duration <s>', 'seconds', (v) => Number(v), 3600).option('-r, --reason <text>', 'why', 'manual')).action(
    async (addr: string, o: BlocklistOptions & { duration: number; reason: string }) => {
      if (isIP(addr) === 0) throw new UsageError(`not an IPv4 or IPv6 address: ${addr}`);
      if (!Number.isFinite(o.duration) || o.duration <= 0) throw new UsageError(`--duration must be a positive number of seconds`);
      const dataDir = o.dataDir ?? defaultDataDir();
      const res = await askInstance(dataDir, { cmd: 'add', addr, durationS: o.duration, reason: o.reason });
      if (res !== null) {
        if (!res.ok) throw new UsageError(res.error ?? 'refused');
        process.stderr.write(`${addr} blocked for ${o.duration}s by the running instance\n`);
        return;
      }
      const store = new BlocklistStore(dataDir);
      store.load();
      const now = Date.now();
      store.put({ addr, reason: o.reason, blockedAtMs: now, expiresAtMs: now + o.duration * 1000 });
      store.save(now);
      if (canUseKernel()) {
        const backend = new NftablesBackend({ table: o.table });
        await backend.start();
        backend.block(addr, o.duration);
        await backend.flush();
      }
      process.stderr.write(`${addr} blocked for ${o.duration}s (${canUseKernel() ? 'kernel and ' : ''}stored blocklist ${store.path})\n`);
    },
  );

  common(cmd.command('remove').description('Lift the block of an address now.').argument('<addr>', 'IPv4 or IPv6 address')).action(async (addr: string, o: BlocklistOptions) => {
    if (isIP(addr) === 0) throw new UsageError(`not an IPv4 or IPv6 address: ${addr}`);
    const dataDir = o.dataDir ?? defaultDataDir();
    const res = await askInstance(dataDir, { cmd: 'remove', addr });
    if (res !== null) {
      if (!res.ok) throw new UsageError(res.error ?? 'refused');
      process.stderr.write(`${addr} unblocked by the running instance\n`);
      return;
    }
    const store = new BlocklistStore(dataDir);
    store.load();
    const stored = store.remove(addr);
    store.save();
    if (canUseKernel()) {
      const backend = new NftablesBackend({ table: o.table });
      backend.unblock(addr);
      await backend.flush().catch(() => undefined);
    }
    process.stderr.write(`${addr} ${stored ? 'unblocked' : 'was not in the stored blocklist'}\n`);
  });
}
