/**
 * Test hosts in network namespaces: a bridge namespace joining one veth per host, addresses from
 * a private test range that exists only inside these namespaces. Everything is removed by
 * `destroy()` (and namespaces are named by PID, so a crashed run never collides with the next).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';

/** True when this process can create namespaces (root with iproute2). */
export function canUseNetns(): boolean {
  return process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
}

/** True when `cmd` is on the PATH. */
export function hasTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** A small LAN of namespaces on one bridge. */
export class TestLan {
  readonly bridgeNs: string;
  private readonly hosts = new Map<string, { ns: string; ifname: string; addr: string }>();
  private readonly children: ChildProcess[] = [];

  constructor(
    readonly tag: string,
    private readonly prefix: string,
  ) {
    this.bridgeNs = `rp-${tag}-br`;
    this.sh(['ip', 'netns', 'add', this.bridgeNs]);
    this.inNs(this.bridgeNs, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    this.inNs(this.bridgeNs, ['ip', 'link', 'set', 'br0', 'up']);
  }

  /** Adds a host `name` with address `<prefix>.<octet>/24`; returns its namespace. */
  addHost(name: string, octet: number): string {
    const ns = `rp-${this.tag}-${name}`;
    const ifname = `eth-${name}`.slice(0, 15);
    const peer = `p-${this.tag}-${name}`.slice(0, 15);
    this.sh(['ip', 'netns', 'add', ns]);
    this.inNs(this.bridgeNs, ['ip', 'link', 'add', peer, 'type', 'veth', 'peer', 'name', ifname, 'netns', ns]);
    this.inNs(this.bridgeNs, ['ip', 'link', 'set', peer, 'master', 'br0']);
    this.inNs(this.bridgeNs, ['ip', 'link', 'set', peer, 'up']);
    const addr = `${this.prefix}.${octet}`;
    this.inNs(ns, ['ip', 'addr', 'add', `${addr}/24`, 'dev', ifname]);
    this.inNs(ns, ['ip', 'link', 'set', ifname, 'up']);
    this.inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
    this.hosts.set(name, { ns, ifname, addr });
    return ns;
  }

  /** Namespace, interface and address of a host. */
  host(name: string): { ns: string; ifname: string; addr: string } {
    const h = this.hosts.get(name);
    if (h === undefined) throw new Error(`no test host ${name}`);
    return h;
  }

  /** Runs a command in a host's namespace to completion. */
  run(name: string, cmd: readonly string[], timeoutMs = 60_000): { code: number; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.host(name).ns, ...cmd], { encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Starts a long-running command in a host's namespace; stopped by destroy(). */
  start(name: string, cmd: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.host(name).ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    this.children.push(child);
    return child;
  }

  /** True when a TCP connection from host `from` to addr:port succeeds within two seconds. */
  canConnect(from: string, addr: string, port: number): boolean {
    return this.run(from, ['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${addr}/${port}`]).code === 0;
  }

  /** Stops what it started (by PID) and deletes every namespace. */
  async destroy(): Promise<void> {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            c.kill('SIGKILL');
            r(undefined);
          }, 5000);
          c.once('exit', () => {
            clearTimeout(t);
            r(undefined);
          });
        });
      }
    }
    for (const h of this.hosts.values()) spawnSync('ip', ['netns', 'del', h.ns]);
    spawnSync('ip', ['netns', 'del', this.bridgeNs]);
  }

  private inNs(ns: string, cmd: readonly string[]): void {
    execFileSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'pipe' });
  }

  private sh(cmd: readonly string[]): void {
    execFileSync(cmd[0], cmd.slice(1), { stdio: 'pipe' });
  }
}

/** Polls `check` every 200 ms until it is true or `timeoutMs` passes; returns its last answer. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
