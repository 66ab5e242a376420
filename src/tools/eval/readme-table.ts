/**
 * Regenerates the evaluation table of the README (`npm run eval-table`): generates the default
 * pair in a temporary directory, evaluates both captures, and replaces what lies between the
 * `<!-- eval-table:start -->` and `<!-- eval-table:end -->` markers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SEED, generateCaptures } from '../generate/generate.js';
import { evaluateFiles } from './eval.js';
import { markdownTable } from './format.js';

/** The markers around the generated table. */
export const TABLE_START = '<!-- eval-table:start -->';
/** End marker. */
export const TABLE_END = '<!-- eval-table:end -->';

/** The table for the default seed, as Markdown. */
export async function evalTable(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-eval-table-'));
  try {
    const g = await generateCaptures({ outDir: dir, seed: DEFAULT_SEED, scale: 1 });
    const malicious = await evaluateFiles(g.malicious.path, g.malicious.truthPath);
    const normal = await evaluateFiles(g.normal.path, g.normal.truthPath);
    return markdownTable(malicious, normal, DEFAULT_SEED);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces the text between the markers of `doc` with `table`; throws when a marker is missing. */
export function replaceTable(doc: string, table: string, file: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${file}: needs ${TABLE_START} followed by ${TABLE_END}`);
  return `${doc.slice(0, start + TABLE_START.length)}\n${table}\n${doc.slice(end)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2] ?? 'README.md';
  try {
    writeFileSync(file, replaceTable(readFileSync(file, 'utf8'), await evalTable(), file));
    process.stdout.write(`updated the evaluation table in ${file}\n`);
  } catch (err) {
    process.stderr.write(`eval-table: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
