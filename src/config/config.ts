/**
 * One YAML file, validated against the parameter tables every stage declares (params.ts).
 * Validation, defaults, `--print-config` and the reference docs all come from the same
 * `SectionSpec` rows, so they cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import type { Document, Node as YamlNode, YAMLMap } from 'yaml';
import type { ParamSpec, SectionSpec, SectionValues } from './params.js';
import { cidrProblem } from './cidr.js';

type ParamValue = SectionValues[string];

/** A config problem; message names the file, line, dotted key and what was expected. CLI maps it to exit code 2. */
export class ConfigError extends Error {
  /** Dotted key the problem is about (e.g. `detectors.syn_flood.rate`); empty for file-level problems. */
  readonly key: string;
  /** 1-based line in the file, when the problem has a place. */
  readonly line?: number;
  readonly file?: string;

  /** `problem` is the text after the location prefix ("file:line: "), which this adds. */
  constructor(problem: string, key: string, line?: number, file?: string) {
    const where = file !== undefined ? `${file}${line !== undefined ? `:${line}` : ''}: ` : line !== undefined ? `line ${line}: ` : '';
    super(where + problem);
    this.name = 'ConfigError';
    this.key = key;
    this.line = line;
    this.file = file;
  }
}

/** Effective configuration: defaults overlaid with the file. */
export interface Config {
  readonly file?: string;
  /** Values of one section (every param present, defaults filled in). Throws if the path is not a declared section. */
  section(path: string): SectionValues;
}

class EffectiveConfig implements Config {
  constructor(
    private readonly values: ReadonlyMap<string, SectionValues>,
    readonly file?: string,
  ) {}

  section(path: string): SectionValues {
    const values = this.values.get(path);
    // Asking for an undeclared section is a wiring bug, not a user mistake: plain Error, not ConfigError.
    if (values === undefined) throw new Error(`config section "${path}" is not declared`);
    return values;
  }
}

/** What a parameter accepts, in words, for error messages and docs ("an integer between 1 and 65535"). */
function expected(param: ParamSpec): string {
  const range = (): string => {
    if (param.min !== undefined && param.max !== undefined) return ` between ${param.min} and ${param.max}`;
    if (param.min !== undefined) return ` >= ${param.min}`;
    if (param.max !== undefined) return ` <= ${param.max}`;
    return '';
  };
  switch (param.type) {
    case 'int':
      return `an integer${range()}`;
    case 'number':
      return `a number${range()}`;
    case 'bool':
      return 'true or false';
    case 'string':
      return param.choices !== undefined ? `one of ${param.choices.map((c) => `"${c}"`).join(', ')}` : 'a string';
    case 'cidr-list':
      return 'a list of IPv4/IPv6 addresses or CIDRs (e.g. [10.0.0.0/8, "2001:db8::/32"])';
    case 'string-list':
      return 'a list of strings';
  }
}

/** A value as the user wrote it, for "got ..." in messages. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

type Checked = { readonly ok: true; readonly value: ParamValue } | { readonly ok: false; readonly problem: string; readonly item?: number };

/** Validates one value (plain JS, as parsed) against its parameter row. */
function checkValue(param: ParamSpec, value: unknown): Checked {
  const bad = (extra = ''): Checked => ({ ok: false, problem: `expected ${expected(param)}, got ${describe(value)}${extra}` });
  switch (param.type) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad();
      if (param.type === 'int' && !Number.isSafeInteger(value)) return bad();
      if ((param.min !== undefined && value < param.min) || (param.max !== undefined && value > param.max)) return bad();
      return { ok: true, value };
    }
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value } : bad();
    case 'string':
      if (typeof value !== 'string') return bad();
      if (param.choices !== undefined && !param.choices.includes(value)) return bad();
      return { ok: true, value };
    case 'cidr-list':
    case 'string-list': {
      // An empty key (`allowlist:`) reads as "none", the natural way to clear a list.
      if (value === null) return { ok: true, value: Object.freeze([]) };
      if (!Array.isArray(value)) return bad();
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item !== 'string') {
          return { ok: false, problem: `expected ${expected(param)}, item ${i + 1} is ${describe(item)}`, item: i };
        }
        const problem = param.type === 'cidr-list' ? cidrProblem(item) : undefined;
        if (problem !== undefined) {
          return { ok: false, problem: `item ${i + 1} "${item}": ${problem}; expected ${expected(param)}`, item: i };
        }
      }
      return { ok: true, value: Object.freeze([...(value as string[])]) };
    }
  }
}

/** Edit distance, for "did you mean" hints on misspelt keys. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance < name.length ? best : undefined;
}

/** The declared sections, indexed by path, plus the intermediate group paths ("detectors"). */
class Schema {
  readonly sections = new Map<string, SectionSpec>();
  /** Every path that may hold a mapping (sections and their ancestors), to its child segment names. */
  readonly children = new Map<string, string[]>();

  constructor(specs: readonly SectionSpec[]) {
    this.children.set('', []);
    for (const spec of specs) {
      if (this.sections.has(spec.path)) throw new Error(`config section "${spec.path}" is declared twice`);
      this.sections.set(spec.path, spec);
      const segments = spec.path.split('.');
      for (let depth = 0; depth < segments.length; depth++) {
        const parent = segments.slice(0, depth).join('.');
        const path = segments.slice(0, depth + 1).join('.');
        const siblings = this.children.get(parent) ?? [];
        if (!siblings.includes(segments[depth])) siblings.push(segments[depth]);
        this.children.set(parent, siblings);
        if (!this.children.has(path)) this.children.set(path, []);
      }
      for (const param of spec.params) {
        const checked = checkValue(param, param.default);
        if (!checked.ok) throw new Error(`default of ${spec.path}.${param.name}: ${checked.problem}`);
      }
    }
  }

  /** Fresh values filled with the defaults. */
  defaults(): Map<string, Record<string, ParamValue>> {
    const values = new Map<string, Record<string, ParamValue>>();
    for (const [path, spec] of this.sections) {
      const section: Record<string, ParamValue> = {};
      for (const param of spec.params) section[param.name] = param.default;
      values.set(path, section);
    }
    return values;
  }

  /** Keys allowed directly under `path`: its params, then its child sections. */
  keysAt(path: string): string[] {
    const params = this.sections.get(path)?.params.map((p) => p.name) ?? [];
    return [...params, ...(this.children.get(path) ?? [])];
  }
}

function freeze(values: Map<string, Record<string, ParamValue>>): Map<string, SectionValues> {
  const frozen = new Map<string, SectionValues>();
  for (const [path, section] of values) frozen.set(path, Object.freeze(section));
  return frozen;
}

/** Reads the YAML tree with line numbers and overlays it on the defaults. */
class ConfigReader {
  private readonly lines = new LineCounter();
  private doc!: Document.Parsed;
  readonly values: Map<string, Record<string, ParamValue>>;

  constructor(
    private readonly schema: Schema,
    private readonly file: string | undefined,
  ) {
    this.values = schema.defaults();
  }

  read(text: string): void {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: true });
    const syntax = this.doc.errors[0];
    if (syntax !== undefined) {
      // yaml appends " at line L, column C:" and a code excerpt; the location goes in front instead.
      const message = syntax.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      const line = syntax.linePos?.[0].line ?? this.lineOf(syntax.pos[0]);
      throw new ConfigError(`YAML syntax error: ${message}`, '', line, this.file);
    }
    const root = this.resolve(this.doc.contents);
    if (root === null || (isScalar(root) && root.value === null)) return;
    if (!isMap(root)) {
      throw this.error(`the top level must be a mapping of sections (${this.schema.keysAt('').join(', ')}), got ${this.kind(root)}`, '', root);
    }
    this.readMap(root, '');
  }

  private readMap(map: YAMLMap, path: string): void {
    const section = this.schema.sections.get(path);
    for (const pair of map.items) {
      const keyNode = pair.key as YamlNode | null;
      if (!isScalar(keyNode)) throw this.error('keys must be plain names', path, keyNode);
      const name = String(keyNode.value);
      const dotted = path === '' ? name : `${path}.${name}`;
      const valueNode = this.resolve(pair.value as YamlNode | null);
      const param = section?.params.find((p) => p.name === name);
      if (param !== undefined) {
        this.readParam(param, dotted, valueNode ?? keyNode, path);
      } else if (this.schema.children.has(dotted)) {
        if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) continue;
        if (!isMap(valueNode)) {
          const keys = this.schema.keysAt(dotted).join(', ');
          throw this.error(`\`${dotted}\` must be a mapping (keys: ${keys}), got ${this.kind(valueNode)}`, dotted, valueNode);
        }
        this.readMap(valueNode, dotted);
      } else {
        throw this.error(this.unknownKey(name, dotted, path), dotted, keyNode);
      }
    }
  }

  private unknownKey(name: string, dotted: string, path: string): string {
    const known = this.schema.keysAt(path);
    const hint = closest(name, known);
    const where = path === '' ? 'at the top level' : `in \`${path}\``;
    const list = known.length <= 12 ? `; known keys ${where}: ${known.join(', ')}` : '';
    return `unknown key \`${dotted}\`${hint !== undefined ? ` (did you mean \`${hint}\`?)` : ''}${list}`;
  }

  private readParam(param: ParamSpec, dotted: string, node: YamlNode, path: string): void {
    const checked = checkValue(param, this.plain(node));
    if (!checked.ok) {
      const itemNode = checked.item !== undefined && isSeq(node) ? (node.items[checked.item] as YamlNode) : node;
      throw this.error(`\`${dotted}\`: ${checked.problem}`, dotted, itemNode);
    }
    (this.values.get(path) as Record<string, ParamValue>)[param.name] = checked.value;
  }

  /** The node as plain JS for `checkValue`; mappings become `{}` since no parameter takes one. */
  private plain(node: YamlNode | null): unknown {
    const resolved = this.resolve(node);
    if (resolved === null) return null;
    if (isScalar(resolved)) return resolved.value;
    if (isSeq(resolved)) return resolved.items.map((item) => this.plain(item as YamlNode | null));
    return {};
  }

  /** Follows `*alias` references; an alias to nothing is reported at its own line. */
  private resolve(node: YamlNode | null | undefined): YamlNode | null {
    if (node === null || node === undefined) return null;
    if (!isAlias(node)) return node;
    const target = node.resolve(this.doc);
    if (target === undefined) throw this.error(`unresolved alias *${node.source}`, '', node);
    return target as YamlNode;
  }

  private kind(node: YamlNode): string {
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    return isScalar(node) ? describe(node.value) : 'a value';
  }

  private lineOf(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  private error(problem: string, key: string, node: YamlNode | null | undefined): ConfigError {
    const offset = node?.range?.[0];
    return new ConfigError(problem, key, offset !== undefined ? this.lineOf(offset) : undefined, this.file);
  }
}

/** Parses and validates YAML text against the sections. Unknown section or key -> ConfigError naming the dotted key
 *  (e.g. `detectors.syn_flood.rat`) and its line, with a "did you mean `rate`?" hint when close; wrong type, out of
 *  range, bad choice, bad CIDR -> ConfigError with expected type/range. Empty/whitespace text = all defaults. */
export function parseConfig(sections: readonly SectionSpec[], text: string, file?: string): Config {
  const reader = new ConfigReader(new Schema(sections), file);
  reader.read(text);
  return new EffectiveConfig(freeze(reader.values), file);
}

/** Reads the file (missing/unreadable -> ConfigError naming it) and parses it. */
export function loadConfigFile(sections: readonly SectionSpec[], file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigError(`cannot read config file: ${why}`, '', undefined, file);
  }
  return parseConfig(sections, text, file);
}

/** Defaults only. */
export function defaultConfig(sections: readonly SectionSpec[]): Config {
  return new EffectiveConfig(freeze(new Schema(sections).defaults()));
}

/** A scalar as YAML text that reads back as the same value. */
function yamlScalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  const text = stringify(value, { lineWidth: 0 }).trimEnd();
  // Block scalars (|, >) would need their own indentation: a JSON string is valid YAML too.
  return text.includes('\n') ? JSON.stringify(value) : text;
}

/** Help text plus type/range, on one comment line. */
function paramComment(param: ParamSpec): string {
  const bounds = param.type === 'int' || param.type === 'number' ? expected(param).replace(/^an? /, '') : param.type;
  return `${oneLine(param.help).replace(/\.$/, '')} (${param.choices !== undefined ? expected(param) : bounds})`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** The effective config as YAML text with each param's help as a comment (for `--print-config`); parsing the
 *  output again gives the same config. */
export function formatConfig(sections: readonly SectionSpec[], config: Config): string {
  const schema = new Schema(sections);
  const out: string[] = ['# Rampart configuration: effective values (defaults overlaid with the file).'];
  const emit = (path: string, depth: number): void => {
    const indent = '  '.repeat(depth);
    const spec = schema.sections.get(path);
    if (spec !== undefined) {
      const values = config.section(path);
      for (const param of spec.params) {
        const value = values[param.name];
        out.push(`${indent}# ${paramComment(param)}`);
        if (typeof value === 'object') {
          if (value.length === 0) out.push(`${indent}${param.name}: []`);
          else out.push(`${indent}${param.name}:`, ...value.map((item) => `${indent}  - ${yamlScalar(item)}`));
        } else {
          out.push(`${indent}${param.name}: ${yamlScalar(value)}`);
        }
      }
    }
    for (const child of schema.children.get(path) ?? []) {
      const childPath = path === '' ? child : `${path}.${child}`;
      const childSpec = schema.sections.get(childPath);
      if (depth === 0) out.push('');
      if (childSpec !== undefined) out.push(`${indent}# ${oneLine(childSpec.help)}`);
      const empty = (childSpec?.params.length ?? 0) === 0 && (schema.children.get(childPath) ?? []).length === 0;
      out.push(`${indent}${child}:${empty ? ' {}' : ''}`);
      emit(childPath, depth + 1);
    }
  };
  emit('', 0);
  return out.join('\n') + '\n';
}

/** A default as docs show it. */
function docDefault(value: ParamValue): string {
  if (typeof value === 'object') return value.length === 0 ? '`[]`' : value.map((v) => `\`${v}\``).join(', ');
  return `\`${typeof value === 'string' ? yamlScalar(value) : String(value)}\``;
}

function docRange(param: ParamSpec): string {
  if (param.choices !== undefined) return param.choices.map((c) => `\`${c}\``).join(', ');
  if (param.min === undefined && param.max === undefined) return '';
  return `${param.min ?? ''} … ${param.max ?? ''}`.trim();
}

function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}

/** Markdown reference table of all sections/params (name, type, default, range, help) for the docs. */
export function configReference(sections: readonly SectionSpec[]): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    'Every key is optional; a missing key takes its default. Sections nest by their dotted path:',
    '`detectors.syn_flood` is `detectors: { syn_flood: { ... } }` in the YAML file.',
  ];
  for (const spec of new Schema(sections).sections.values()) {
    out.push('', `## \`${spec.path}\``, '', oneLine(spec.help), '');
    if (spec.params.length === 0) {
      out.push('No parameters.');
      continue;
    }
    out.push('| Key | Type | Default | Range | Description |', '|---|---|---|---|---|');
    for (const p of spec.params) {
      out.push(`| \`${p.name}\` | ${p.type} | ${cell(docDefault(p.default))} | ${cell(docRange(p))} | ${cell(p.help)} |`);
    }
  }
  return out.join('\n') + '\n';
}
