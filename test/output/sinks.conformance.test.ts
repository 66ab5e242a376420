/**
 * One suite, every output: each EventSink takes every event kind and verdicts of IP and
 * non-IP frames without throwing, and closes once the run ends, even after no events at all.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { EventSink } from '../../src/output/events.js';
import { Verdict } from '../../src/output/events.js';
import { EveWriter } from '../../src/output/eve.js';
import { SummaryCollector } from '../../src/output/summary.js';
import { VerdictWriter } from '../../src/output/verdicts.js';
import { alertEvent, anomalyEvent, blockEvent, statsEvent, unblockEvent, verdictView } from './sample-events.js';

function discard(): Writable {
  return new Writable({ write: (_chunk, _enc, done) => done() });
}

const dir = mkdtempSync(join(tmpdir(), 'rampart-sinks-'));
let files = 0;

const SINKS: readonly { readonly name: string; readonly make: () => EventSink }[] = [
  { name: 'EveWriter', make: () => new EveWriter(join(dir, `eve-${files++}.json`)) },
  { name: 'VerdictWriter', make: () => new VerdictWriter(discard()) },
  { name: 'SummaryCollector', make: () => new SummaryCollector() },
];

describe('EventSink conformance', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const { name, make } of SINKS) {
    describe(name, () => {
      it('takes every event kind and verdicts, then closes', async () => {
        const sink = make();
        const v = verdictView();
        for (const ev of [anomalyEvent(), alertEvent(), blockEvent(), unblockEvent(), statsEvent()]) {
          sink.onEvent(ev);
          if (sink.onPacket !== undefined) {
            v.index++;
            v.isIp = v.index % 2 === 0;
            v.src = '10.0.0.1';
            v.dest = '10.0.0.2';
            v.verdict = v.index % 3 === 0 ? Verdict.BLOCK : Verdict.ALLOW;
            v.reason = 'SYN flood';
            sink.onPacket(v);
          }
        }
        await sink.close();
      });

      it('closes after no events', async () => {
        await assert.doesNotReject(make().close());
      });
    });
  }
});
