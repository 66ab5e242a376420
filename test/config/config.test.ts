import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configReference, defaultConfig, formatConfig, loadConfigFile, parseConfig } from '../../src/config/config.js';
import type { SectionSpec } from '../../src/config/params.js';

const SECTIONS: readonly SectionSpec[] = [
  {
    path: 'detectors.syn_flood',
    help: 'SYN flood: too many SYNs per second from one source.',
    params: [
      { name: 'enabled', type: 'bool', default: true, help: 'Run this detector.' },
      { name: 'rate', type: 'int', default: 100, min: 1, max: 1_000_000, help: 'SYN/s from one source that raise an alert.' },
      { name: 'window_s', type: 'number', default: 1, min: 0.1, max: 60, help: 'Sliding window length.' },
    ],
  },
  {
    path: 'detectors.port_scan',
    help: 'Port scan: many destination ports from one source.',
    params: [{ name: 'ports', type: 'int', default: 20, min: 2, help: 'Distinct ports that make a scan.' }],
  },
  {
    path: 'decide',
    help: 'Turns alerts into verdicts.',
    params: [
      { name: 'mode', type: 'string', default: 'block', choices: ['alert', 'block'], help: 'Alert only, or block sources.' },
      { name: 'allowlist', type: 'cidr-list', default: ['127.0.0.0/8', '::1'], help: 'Never blocked.' },
      { name: 'note', type: 'string', default: 'a: b # not a comment', help: 'Free text.' },
    ],
  },
  {
    path: 'output.eve',
    help: 'EVE JSON log.',
    params: [{ name: 'types', type: 'string-list', default: ['alert', 'drop'], help: 'Record types | logged.' }],
  },
];

/** Runs `fn`, asserts it throws a ConfigError, returns it. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

describe('parseConfig', () => {
  it('gives every default for empty, whitespace and comment-only text', () => {
    for (const text of ['', '  \n\t\n', '# nothing here\n']) {
      const config = parseConfig(SECTIONS, text);
      assert.deepEqual(config.section('detectors.syn_flood'), { enabled: true, rate: 100, window_s: 1 });
      assert.deepEqual(config.section('decide'), { mode: 'block', allowlist: ['127.0.0.0/8', '::1'], note: 'a: b # not a comment' });
      assert.deepEqual(config.section('output.eve'), { types: ['alert', 'drop'] });
    }
  });

  it('defaultConfig matches parsing nothing and has no file', () => {
    const config = defaultConfig(SECTIONS);
    assert.equal(config.file, undefined);
    assert.deepEqual(config.section('detectors.port_scan'), { ports: 20 });
  });

  it('overlays a nested key and keeps the other defaults', () => {
    const config = parseConfig(SECTIONS, 'detectors:\n  syn_flood:\n    rate: 250\n', 'rampart.yaml');
    assert.equal(config.file, 'rampart.yaml');
    assert.deepEqual(config.section('detectors.syn_flood'), { enabled: true, rate: 250, window_s: 1 });
    assert.deepEqual(config.section('detectors.port_scan'), { ports: 20 });
  });

  it('reads every parameter type', () => {
    const text = [
      'detectors:',
      '  syn_flood: { enabled: false, rate: 5, window_s: 2.5 }',
      'decide:',
      '  mode: alert',
      '  allowlist: [10.0.0.0/8, 192.0.2.7, "2001:db8::/32", "::"]',
      'output:',
      '  eve:',
      '    types:',
      '      - alert',
      '',
    ].join('\n');
    const config = parseConfig(SECTIONS, text);
    assert.deepEqual(config.section('detectors.syn_flood'), { enabled: false, rate: 5, window_s: 2.5 });
    assert.deepEqual(config.section('decide').allowlist, ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '::']);
    assert.equal(config.section('decide').mode, 'alert');
    assert.deepEqual(config.section('output.eve').types, ['alert']);
  });

  it('reads an empty list key as no entries and an empty section as defaults', () => {
    const config = parseConfig(SECTIONS, 'decide:\n  allowlist:\ndetectors:\n  port_scan:\n');
    assert.deepEqual(config.section('decide').allowlist, []);
    assert.deepEqual(config.section('detectors.port_scan'), { ports: 20 });
  });

  it('returns frozen values', () => {
    const values = parseConfig(SECTIONS, '').section('detectors.syn_flood');
    assert.throws(() => {
      (values as Record<string, unknown>).rate = 1;
    }, TypeError);
  });

  it('throws a plain Error for an undeclared section (a wiring bug, not a user error)', () => {
    assert.throws(
      () => defaultConfig(SECTIONS).section('detectors'),
      (err: Error) => !(err instanceof ConfigError) && err.message === 'config section "detectors" is not declared',
    );
  });

  it('names the dotted key and line of an unknown key, with a did-you-mean hint', () => {
    const err = configError(() => parseConfig(SECTIONS, 'detectors:\n  syn_flood:\n    rat: 5\n', 'rampart.yaml'));
    assert.equal(err.key, 'detectors.syn_flood.rat');
    assert.equal(err.line, 3);
    assert.equal(err.file, 'rampart.yaml');
    assert.equal(
      err.message,
      'rampart.yaml:3: unknown key `detectors.syn_flood.rat` (did you mean `rate`?); known keys in `detectors.syn_flood`: enabled, rate, window_s',
    );
  });

  it('hints a misspelt section name', () => {
    const err = configError(() => parseConfig(SECTIONS, '\ndetectors:\n  syn_flod:\n    rate: 5\n'));
    assert.equal(err.key, 'detectors.syn_flod');
    assert.equal(err.line, 3);
    assert.equal(
      err.message,
      'line 3: unknown key `detectors.syn_flod` (did you mean `syn_flood`?); known keys in `detectors`: syn_flood, port_scan',
    );
  });

  it('gives no hint when nothing is close', () => {
    const err = configError(() => parseConfig(SECTIONS, 'dashboard:\n  port: 80\n', 'c.yaml'));
    assert.equal(err.key, 'dashboard');
    assert.equal(err.message, 'c.yaml:1: unknown key `dashboard`; known keys at the top level: detectors, decide, output');
  });

  it('rejects a wrong type with the expected type', () => {
    const err = configError(() => parseConfig(SECTIONS, 'detectors:\n  syn_flood:\n    rate: fast\n', 'c.yaml'));
    assert.equal(err.key, 'detectors.syn_flood.rate');
    assert.equal(err.line, 3);
    assert.equal(err.message, 'c.yaml:3: `detectors.syn_flood.rate`: expected an integer between 1 and 1000000, got "fast"');
    const bool = configError(() => parseConfig(SECTIONS, 'detectors:\n  syn_flood:\n    enabled: yes\n', 'c.yaml'));
    assert.equal(bool.message, 'c.yaml:3: `detectors.syn_flood.enabled`: expected true or false, got "yes"');
    const fraction = configError(() => parseConfig(SECTIONS, 'detectors:\n  syn_flood:\n    rate: 1.5\n', 'c.yaml'));
    assert.equal(fraction.message, 'c.yaml:3: `detectors.syn_flood.rate`: expected an integer between 1 and 1000000, got 1.5');
  });

  it('rejects a value out of range', () => {
    const err = configError(() => parseConfig(SECTIONS, 'detectors:\n  port_scan:\n    ports: 1\n', 'c.yaml'));
    assert.equal(err.key, 'detectors.port_scan.ports');
    assert.equal(err.message, 'c.yaml:3: `detectors.port_scan.ports`: expected an integer >= 2, got 1');
    const window = configError(() => parseConfig(SECTIONS, 'detectors:\n  syn_flood:\n    window_s: 61\n'));
    assert.equal(window.message, 'line 3: `detectors.syn_flood.window_s`: expected a number between 0.1 and 60, got 61');
  });

  it('rejects a choice not in the list', () => {
    const err = configError(() => parseConfig(SECTIONS, 'decide:\n  mode: drop\n', 'c.yaml'));
    assert.equal(err.key, 'decide.mode');
    assert.equal(err.line, 2);
    assert.equal(err.message, 'c.yaml:2: `decide.mode`: expected one of "alert", "block", got "drop"');
  });

  it('rejects a bad CIDR at the line of the bad item', () => {
    const text = 'decide:\n  allowlist:\n    - 10.0.0.0/8\n    - 10.0.0.300/8\n';
    const err = configError(() => parseConfig(SECTIONS, text, 'c.yaml'));
    assert.equal(err.key, 'decide.allowlist');
    assert.equal(err.line, 4);
    assert.equal(
      err.message,
      'c.yaml:4: `decide.allowlist`: item 2 "10.0.0.300/8": "10.0.0.300" is not an IPv4 or IPv6 address; ' +
        'expected a list of IPv4/IPv6 addresses or CIDRs (e.g. [10.0.0.0/8, "2001:db8::/32"])',
    );
    const prefix = configError(() => parseConfig(SECTIONS, 'decide:\n  allowlist: ["2001:db8::/129"]\n'));
    assert.match(prefix.message, /^line 2: `decide.allowlist`: item 1 "2001:db8::\/129": prefix "\/129" is not between \/0 and \/128 for IPv6;/);
    const notList = configError(() => parseConfig(SECTIONS, 'decide:\n  allowlist: 10.0.0.0/8\n'));
    assert.match(notList.message, /^line 2: `decide.allowlist`: expected a list of IPv4\/IPv6 addresses or CIDRs .*, got "10.0.0.0\/8"$/);
  });

  it('rejects a scalar where a section mapping belongs', () => {
    const err = configError(() => parseConfig(SECTIONS, 'detectors: 5\n'));
    assert.equal(err.key, 'detectors');
    assert.equal(err.message, 'line 1: `detectors` must be a mapping (keys: syn_flood, port_scan), got 5');
    const root = configError(() => parseConfig(SECTIONS, '- a\n'));
    assert.equal(root.message, 'line 1: the top level must be a mapping of sections (detectors, decide, output), got a list');
  });

  it('reports YAML syntax errors with their line', () => {
    const err = configError(() => parseConfig(SECTIONS, 'decide:\n  mode: block\n  allowlist: [10.0.0.0/8\n', 'c.yaml'));
    assert.equal(err.line, 4);
    assert.equal(err.key, '');
    assert.match(err.message, /^c\.yaml:4: YAML syntax error: /);
    const dup = configError(() => parseConfig(SECTIONS, 'decide:\n  mode: block\n  mode: alert\n', 'c.yaml'));
    assert.equal(dup.message, 'c.yaml:3: YAML syntax error: Map keys must be unique');
  });

  it('follows aliases', () => {
    const config = parseConfig(SECTIONS, 'decide:\n  allowlist: &nets [10.0.0.0/8]\noutput:\n  eve:\n    types: [alert]\n');
    assert.deepEqual(config.section('decide').allowlist, ['10.0.0.0/8']);
    const err = configError(() => parseConfig(SECTIONS, 'decide:\n  mode: *missing\n'));
    assert.equal(err.line, 2);
  });

  it('rejects a section table whose default breaks its own rule', () => {
    const bad: SectionSpec[] = [{ path: 'x', help: 'x', params: [{ name: 'n', type: 'int', default: 0, min: 1, help: 'n' }] }];
    assert.throws(() => defaultConfig(bad), /default of x\.n: expected an integer >= 1, got 0/);
  });
});

describe('loadConfigFile', () => {
  it('reads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-config-'));
    try {
      const file = join(dir, 'rampart.yaml');
      writeFileSync(file, 'detectors:\n  port_scan:\n    ports: 30\n');
      assert.equal(loadConfigFile(SECTIONS, file).section('detectors.port_scan').ports, 30);
      writeFileSync(file, 'decide:\n  mode: nope\n');
      const err = configError(() => loadConfigFile(SECTIONS, file));
      assert.equal(err.file, file);
      assert.ok(err.message.startsWith(`${file}:2: `));
      const missing = join(dir, 'missing.yaml');
      const gone = configError(() => loadConfigFile(SECTIONS, missing));
      assert.equal(gone.message, `${missing}: cannot read config file: no such file`);
      assert.equal(gone.file, missing);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('formatConfig', () => {
  it('prints the effective values with help comments and parses back to the same config', () => {
    const text = [
      'detectors:',
      '  syn_flood:',
      '    rate: 7',
      'decide:',
      '  allowlist: ["10.0.0.0/8", "fe80::/10"]',
      '  note: "multi\\nline: \'quoted\' # text"',
      'output:',
      '  eve:',
      '    types: []',
      '',
    ].join('\n');
    const config = parseConfig(SECTIONS, text);
    const printed = formatConfig(SECTIONS, config);
    const again = parseConfig(SECTIONS, printed);
    for (const spec of SECTIONS) assert.deepEqual(again.section(spec.path), config.section(spec.path), spec.path);
    assert.equal(again.section('decide').note, "multi\nline: 'quoted' # text");
    assert.ok(printed.includes("  # SYN flood: too many SYNs per second from one source.\n  syn_flood:\n"), printed);
    assert.ok(printed.includes('    # SYN/s from one source that raise an alert (integer between 1 and 1000000)\n    rate: 7\n'), printed);
    assert.ok(printed.includes('  allowlist:\n    - 10.0.0.0/8\n    - fe80::/10\n'), printed);
    assert.ok(printed.includes('  # Alert only, or block sources (one of "alert", "block")\n  mode: block\n'), printed);
    assert.ok(printed.includes('    types: []\n'), printed);
  });

  it('round-trips the defaults', () => {
    const printed = formatConfig(SECTIONS, defaultConfig(SECTIONS));
    const again = parseConfig(SECTIONS, printed);
    for (const spec of SECTIONS) assert.deepEqual(again.section(spec.path), defaultConfig(SECTIONS).section(spec.path));
  });
});

describe('configReference', () => {
  it('has a table row per parameter', () => {
    const doc = configReference(SECTIONS);
    assert.ok(doc.includes('## `detectors.syn_flood`\n\nSYN flood: too many SYNs per second from one source.\n'));
    assert.ok(doc.includes('| `rate` | int | `100` | 1 … 1000000 | SYN/s from one source that raise an alert. |'));
    assert.ok(doc.includes('| `ports` | int | `20` | 2 … | Distinct ports that make a scan. |'));
    assert.ok(doc.includes('| `mode` | string | `block` | `alert`, `block` | Alert only, or block sources. |'));
    assert.ok(doc.includes('| `allowlist` | cidr-list | `127.0.0.0/8`, `::1` |  | Never blocked. |'));
    assert.ok(doc.includes('| `types` | string-list | `alert`, `drop` |  | Record types \\| logged. |'));
  });
});
