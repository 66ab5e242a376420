import type { Command } from 'commander';
import { listInterfaces } from '../capture/interfaces.js';

/** Registers `rampart interfaces`. */
export function registerInterfaces(program: Command): void {
  program
    .command('interfaces')
    .description('List the network interfaces rampart live can watch, numbered as its menu numbers them.')
    .option('--json', 'as JSON')
    .action((opts: { json?: boolean }) => {
      const list = listInterfaces();
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      list.forEach((i, n) => {
        const state = `${i.up ? 'up' : 'down'}${i.loopback ? ', loopback' : ''}`;
        process.stdout.write(`${n}: ${i.name.padEnd(16)} ${state.padEnd(14)} ${i.addresses.join(' ')}\n`);
      });
    });
}
