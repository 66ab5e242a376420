import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { configReference } from '../config/config.js';
import { SECTIONS } from '../engine/sections.js';

/** docs/configuration.md, generated from the parameter tables (never edited by hand). */
export function configurationDoc(): string {
  return (
    configReference(SECTIONS).replace(
      /\n/,
      '\n\n<!-- Generated from the parameter tables by `npm run docs`; do not edit. -->\n\n' +
        'Example `rampart.yaml`, with only the keys it changes:\n\n' +
        '```yaml\ndetectors:\n  syn_flood:\n    rate: 200\ndecide:\n  block_duration: 300\n  allowlist: [10.0.0.0/8]\n```\n',
    )
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(process.argv[2] ?? 'docs/configuration.md', configurationDoc());
}
