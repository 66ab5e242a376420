import type { Command } from 'commander';
import { runLive } from '../live/runner.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Registers `rampart live`. */
export function registerLive(program: Command): void {
  program
    .command('live')
    .description('Watch interfaces (or an inline NFQUEUE, or a replayed capture) and block attackers in the kernel until stopped (Ctrl-C, SIGTERM).')
    .option('-i, --interface <name>', 'interface to capture on (repeat for several); without it, asks on a terminal', collect, [])
    .option('--enforce <backend>', 'nftables (default as root), nfqueue (inline: packets held until judged), or none (dry run)')
    .option('--queue-num <n>', 'NFQUEUE number for --enforce nfqueue', (v) => Number(v))
    .option('--fail-closed', 'inline mode: drop packets when Rampart cannot keep up or is gone (default: accept them)')
    .option('--replay <file>', 'feed a capture file through the live path instead of an interface')
    .option('--realtime', "with --replay: at the capture's own pace")
    .option('-f, --filter <bpf>', 'BPF capture filter (tcpdump syntax)')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('--eve <file>', "append EVE JSON lines to FILE ('-' for stdout)")
    .option('--verdicts', 'print one verdict line per packet')
    .option('--data-dir <dir>', 'where the blocklist and the control socket live')
    .option('--remove-table', 'remove the nftables table on exit (by default blocks stay and expire in the kernel)')
    .option('--stats-interval <s>', 'seconds between stats events', (v) => Number(v))
    .option('--duration <s>', 'stop after this many seconds', (v) => Number(v))
    .action(async (opts: Record<string, unknown>) => {
      process.exitCode = await runLive(
        {
          interfaces: opts.interface as string[],
          replay: opts.replay as string | undefined,
          realtime: opts.realtime === true,
          enforce: opts.enforce as string | undefined,
          queueNum: opts.queueNum as number | undefined,
          failOpen: opts.failClosed === true ? false : undefined,
          filter: opts.filter as string | undefined,
          config: opts.config as string | undefined,
          eve: opts.eve as string | undefined,
          verdicts: opts.verdicts === true,
          dataDir: opts.dataDir as string | undefined,
          removeTable: opts.removeTable === true ? true : undefined,
          statsInterval: opts.statsInterval as number | undefined,
          durationS: opts.duration as number | undefined,
        },
        { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
      );
    });
}
