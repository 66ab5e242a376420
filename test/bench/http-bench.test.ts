import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildHttpCapture, timeAnalyze } from '../../bench/http.bench.js';
import { readCaptureFile } from '../../src/capture/source.js';
import { defaultConfig } from '../../src/config/config.js';
import { Engine } from '../../src/engine/engine.js';
import { SECTIONS } from '../../src/engine/sections.js';
import type { AlertEvent, EngineEvent } from '../../src/output/events.js';

/** The HTTP-heavy benchmark capture is the yardstick of payload inspection's cost: it must hold what it says. */
describe('HTTP-heavy benchmark capture', () => {
  let dir = '';
  let file = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-http-bench-'));
    file = await buildHttpCapture(20_000, dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds every kind of attack it lists, not one kind over and over', async () => {
    const events: EngineEvent[] = [];
    const engine = new Engine(defaultConfig(SECTIONS), [{ onEvent: (e) => events.push(e), close: async () => {} }]);
    await readCaptureFile(file, engine.processFrame);
    engine.finish();
    const types = new Set(events.filter((e): e is AlertEvent => e.type === 'alert').map((a) => a.signature.attackType));
    assert.deepEqual([...types].sort(), ['command_injection', 'path_traversal', 'sqli', 'xss']);
  });

  it("sends a visitor's cookies on every request of its connection, as a browser does", () => {
    const text = readFileSync(file).toString('latin1');
    const requests = text.match(/\r\nCookie: sid=/g)?.length ?? 0;
    const sessions = new Set([...text.matchAll(/\r\nCookie: sid=([^;\r]+)/g)].map((m) => m[1])).size;
    assert.ok(requests > 1000, `${requests} requests`);
    // A connection carries 1 to 6 requests (3.5 on average), all with its visitor's session id.
    assert.ok(sessions < requests / 2, `${sessions} session ids for ${requests} requests`);
  });

  it('times the analysis rampart reports apart from the start-up both runs share', () => {
    const run = timeAnalyze(file);
    // The analysis is part of the process, whose start-up (loading modules) it leaves out.
    assert.ok(Number.isFinite(run.analysisSeconds) && run.analysisSeconds > 0, `analysis ${run.analysisSeconds} s`);
    assert.ok(run.analysisSeconds < run.seconds, `analysis ${run.analysisSeconds} s of a ${run.seconds} s process`);
    assert.equal(run.packets, 20_000);
  });
});
