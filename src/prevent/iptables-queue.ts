import { spawn } from 'node:child_process';
import { queueTargetArgs } from '../capture/nfqueue.js';
import { EnforcementError } from './backend.js';

/**
 * The kernel side of inline mode: rules sending incoming IPv4 and IPv6 packets to an NFQUEUE
 * (`-j NFQUEUE --queue-num N`, through iptables because this kernel's nftables has no `queue`
 * statement). Fail-open adds `--queue-bypass`: the kernel accepts packets while no program reads
 * the queue, so a crash of Rampart lets traffic through; fail-closed drops them instead.
 * Installed first in INPUT, removed on exit.
 */
export class IptablesQueueRule {
  private installed: string[] = [];

  constructor(
    private readonly queueNum: number,
    private readonly failOpen: boolean,
    private readonly chain = 'INPUT',
    private readonly prefix: readonly string[] = [],
  ) {}

  private spec(): string[] {
    return [this.chain, '-m', 'comment', '--comment', 'rampart', ...queueTargetArgs(this.queueNum, this.failOpen)];
  }

  /** Inserts the rules (iptables and ip6tables); on failure removes what it added. */
  async install(): Promise<void> {
    for (const tool of ['iptables', 'ip6tables']) {
      try {
        await run([...this.prefix, tool], ['-w', '-I', ...this.spec()]);
        this.installed.push(tool);
      } catch (err) {
        if (tool === 'ip6tables' && this.installed.length > 0 && /not found|can't initialize|Table does not exist/i.test((err as Error).message)) continue;
        await this.remove();
        throw err;
      }
    }
  }

  /** Deletes the rules it installed. */
  async remove(): Promise<void> {
    for (const tool of this.installed.splice(0)) {
      await run([...this.prefix, tool], ['-w', '-D', ...this.spec()]).catch(() => undefined);
    }
  }
}

function run(command: readonly string[], args: readonly string[]): Promise<void> {
  const [cmd, ...pre] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...pre, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new EnforcementError(e.code === 'ENOENT' ? `inline mode needs '${cmd}': install it with apt-get install iptables` : `${cmd}: ${e.message}`)),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new EnforcementError(`${cmd} ${args.join(' ')} failed: ${err.trim()}`))));
  });
}
