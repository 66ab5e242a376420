import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/config.js';

/**
 * The user-editable payload pattern list (the seeds' `payload_patterns.json`): literal strings,
 * matched case-insensitively on the decoded inspection buffers, all at once with one
 * Aho–Corasick automaton. Literals only, so a rule file can never make matching super-linear.
 *
 * File format (JSON): the seeds' plain list `[" OR 1=1", "<script>", "DROP TABLE"]`, or objects
 * `{"pattern": "…", "attack_type": "sqli", "msg": "…", "severity": 2, "where": ["query", "body"]}`
 * (every key but `pattern` optional), or `{"patterns": [ … ]}` holding either.
 */

/** Where a pattern may match (HTTP field locations). */
export const PATTERN_LOCATIONS = ['path', 'query', 'arg_name', 'header', 'cookie', 'body', 'json', 'multipart', 'filename', 'file'] as const;

/** One validated pattern. */
export interface PayloadPattern {
  readonly pattern: string;
  readonly attackType: string;
  readonly msg: string;
  readonly severity: number;
  /** Field locations it applies to (all when the file says nothing). */
  readonly where: ReadonlySet<string>;
}

function fail(file: string, what: string): never {
  throw new ConfigError(`payload pattern file: ${what}`, 'detectors.web_attacks.patterns_file', undefined, file);
}

/** Reads and validates a pattern file; a mistake is a ConfigError naming the file and the entry. */
export function loadPatternFile(file: string): PayloadPattern[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(file, `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    fail(file, `not valid JSON (${(err as Error).message}); expected a list like [" OR 1=1", "<script>"]`);
  }
  return parsePatterns(doc, file);
}

/** Validates an already parsed pattern document (see the file format above). */
export function parsePatterns(doc: unknown, file: string): PayloadPattern[] {
  const list = Array.isArray(doc) ? doc : doc !== null && typeof doc === 'object' && Array.isArray((doc as { patterns?: unknown }).patterns) ? (doc as { patterns: unknown[] }).patterns : null;
  if (list === null) fail(file, 'expected a JSON list of patterns, or {"patterns": [...]}');
  return list.map((entry, i): PayloadPattern => {
    const at = `entry ${i}`;
    if (typeof entry === 'string') {
      if (entry === '') fail(file, `${at}: empty pattern`);
      return { pattern: entry, attackType: 'payload_pattern', msg: `RAMPART WEB payload pattern "${entry}"`, severity: 2, where: new Set(PATTERN_LOCATIONS) };
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(file, `${at}: expected a string or an object with "pattern"`);
    const o = entry as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!['pattern', 'attack_type', 'msg', 'severity', 'where'].includes(key)) fail(file, `${at}: unknown key "${key}" (expected pattern, attack_type, msg, severity, where)`);
    }
    if (typeof o.pattern !== 'string' || o.pattern === '') fail(file, `${at}: "pattern" must be a non-empty string`);
    const pattern = o.pattern;
    if (o.attack_type !== undefined && (typeof o.attack_type !== 'string' || !/^[a-z][a-z0-9_]*$/.test(o.attack_type))) fail(file, `${at}: "attack_type" must be a snake_case name`);
    if (o.msg !== undefined && typeof o.msg !== 'string') fail(file, `${at}: "msg" must be a string`);
    if (o.severity !== undefined && (o.severity !== 1 && o.severity !== 2 && o.severity !== 3)) fail(file, `${at}: "severity" must be 1, 2 or 3`);
    let where: Set<string> = new Set(PATTERN_LOCATIONS);
    if (o.where !== undefined) {
      if (!Array.isArray(o.where) || o.where.length === 0) fail(file, `${at}: "where" must be a non-empty list of ${PATTERN_LOCATIONS.join(', ')}`);
      where = new Set();
      for (const w of o.where) {
        if (typeof w !== 'string' || !(PATTERN_LOCATIONS as readonly string[]).includes(w)) fail(file, `${at}: "where" has ${JSON.stringify(w)}; expected one of ${PATTERN_LOCATIONS.join(', ')}`);
        where.add(w);
      }
    }
    return {
      pattern,
      attackType: (o.attack_type as string | undefined) ?? 'payload_pattern',
      msg: (o.msg as string | undefined) ?? `RAMPART WEB payload pattern "${pattern}"`,
      severity: (o.severity as number | undefined) ?? 2,
      where,
    };
  });
}

function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

/** Aho–Corasick over char codes, ASCII case folded: every pattern found in one pass over a value. */
export class PatternMatcher {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Index of the pattern ending at a node (the first one added), or -1; `outLink` chains shorter ones. */
  private readonly out: number[] = [-1];
  private readonly outLink: number[] = [-1];

  constructor(patterns: readonly string[]) {
    patterns.forEach((p, idx) => {
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const c = lowerCode(p.charCodeAt(i));
        let child = this.next[node].get(c);
        if (child === undefined) {
          child = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push(-1);
          this.outLink.push(-1);
          this.next[node].set(c, child);
        }
        node = child;
      }
      if (this.out[node] < 0) this.out[node] = idx;
    });
    const queue: number[] = [];
    for (const child of this.next[0].values()) queue.push(child);
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q];
      for (const [c, child] of this.next[node]) {
        let f = this.fail[node];
        while (f !== 0 && !this.next[f].has(c)) f = this.fail[f];
        const target = this.next[f].get(c);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        const fc = this.fail[child];
        this.outLink[child] = this.out[fc] >= 0 ? fc : this.outLink[fc];
        queue.push(child);
      }
    }
  }

  /** Calls `accept(index)` for each pattern found in `value` until it returns true; returns that index, or -1. */
  find(value: string, accept: (index: number) => boolean): number {
    let node = 0;
    for (let i = 0; i < value.length; i++) {
      const c = lowerCode(value.charCodeAt(i));
      let child = this.next[node].get(c);
      while (child === undefined && node !== 0) {
        node = this.fail[node];
        child = this.next[node].get(c);
      }
      node = child ?? 0;
      for (let k = this.out[node] >= 0 ? node : this.outLink[node]; k > 0; k = this.outLink[k]) {
        if (accept(this.out[k])) return this.out[k];
      }
    }
    return -1;
  }
}
