#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { CaptureError } from '../capture/source.js';
import { LiveError } from '../capture/live.js';
import { ConfigError } from '../config/config.js';
import { EnforcementError } from '../prevent/backend.js';
import { runAnalyze } from './analyze.js';
import { registerBlocklist } from './blocklist.js';
import { registerEval } from './eval.js';
import { registerGenerate } from './generate.js';
import { registerInterfaces } from './interfaces.js';
import { registerLive } from './live.js';
import { UsageError } from './errors.js';

/** Exit codes of every command. */
export const Exit = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** Builds the `rampart` command line. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('rampart')
    .description('Network intrusion prevention: find floods, scans and web attacks in captures and live traffic, and block their sources.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('analyze')
    .description('Analyse capture files (pcap, pcapng, gzip-compressed): alerts, blocks, verdicts and a summary. With no file, analyses the built-in sample.')
    .argument('[files...]', 'capture files, analysed in order as one run')
    .option('-c, --config <file>', 'YAML configuration file (see --print-config)')
    .option('--print-config', 'print the effective configuration with every parameter and its help, then exit')
    .option('--eve <file>', "write EVE JSON lines (Suricata field names) to FILE, '-' for stdout")
    .option('--verdicts', "print one verdict line per packet: '[n] src -> dst : ALLOW' or ': BLOCK: reason'")
    .option('--json', 'print the summary as one JSON document instead of text')
    .option('--http-events', 'with --eve, also log one http event per HTTP request (hostname, url, method, user agent, status)')
    .option('--flow-events', 'with --eve, also log one flow event per flow when it ends (packets, bytes, start, end, state, reason, alerted)')
    .addOption(new Option('--no-progress', 'never show the progress bar'))
    .action(async (files: string[], opts: Record<string, unknown>) => {
      process.exitCode = await runAnalyze(files, {
        config: opts.config as string | undefined,
        printConfig: opts.printConfig === true,
        eve: opts.eve as string | undefined,
        verdicts: opts.verdicts === true,
        json: opts.json === true,
        progress: opts.progress !== false,
        httpEvents: opts.httpEvents === true,
        flowEvents: opts.flowEvents === true,
      });
    });
  registerLive(program);
  registerInterfaces(program);
  registerBlocklist(program);
  registerGenerate(program);
  registerEval(program);
  return program;
}

/** Runs the CLI; maps errors to messages and exit codes (no stack traces for users). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : Exit.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with code 0; every parse problem is a usage error.
      return err.exitCode === 0 ? Exit.OK : Exit.USAGE;
    }
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`rampart: ${err.message}\n`);
      return Exit.USAGE;
    }
    if (err instanceof CaptureError || err instanceof EnforcementError || err instanceof LiveError) {
      process.stderr.write(`rampart: ${err.message}\n`);
      return Exit.FAILURE;
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`rampart: internal error: ${msg}\n`);
    if (process.env.RAMPART_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return Exit.FAILURE;
  }
}

process.exitCode = await main(process.argv);
