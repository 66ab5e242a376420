/**
 * Golden tests of the payload path on captures of real clients (curl against python servers,
 * made by test/fixtures/real/make-captures.sh): every request is parsed and matched to its
 * response, non-HTTP flows are recognised as such, and benign traffic raises no web alert.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCaptureFile } from '../../src/capture/source.js';
import { parseConfig } from '../../src/config/config.js';
import { Engine } from '../../src/engine/engine.js';
import { SECTIONS } from '../../src/engine/sections.js';
import type { EngineEvent, HttpEvent } from '../../src/output/events.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/real/', import.meta.url));

async function analyse(file: string): Promise<{ events: EngineEvent[]; http: HttpEvent[]; engine: Engine }> {
  const events: EngineEvent[] = [];
  const engine = new Engine(parseConfig(SECTIONS, 'outputs:\n  http_events: true\n', 'golden.yaml'), [{ onEvent: (ev) => events.push(ev), close: async () => {} }]);
  await readCaptureFile(DIR + file, engine.processFrame);
  engine.finish();
  return { events, http: events.filter((e): e is HttpEvent => e.type === 'http'), engine };
}

/** file, requests, flows found not to be HTTP, first http event [pcap_cnt, method, url, user agent, status, client]. */
const CASES: readonly [string, number, number, [number, string, string, string, number, string]][] = [
  ['web_client_busy.pcap', 150, 0, [62, 'GET', '/news.html', 'curl/7.88.1', 200, '10.99.0.20']],
  ['web_client_many_servers.pcap', 9, 0, [10, 'GET', '/', 'curl/7.88.1', 200, '10.99.0.20']],
  ['mixed_benign_ipv6.pcap', 2, 2, [10, 'GET', '/', 'curl/7.88.1', 200, 'fd99::20']],
  ['capture.pcapng', 1, 0, [16, 'GET', '/', 'curl/7.88.1', 200, '10.99.0.20']],
  ['linktype_sll.pcap', 1, 0, [16, 'GET', '/', 'curl/7.88.1', 200, '10.99.0.20']],
];

describe('HTTP on real client captures', () => {
  for (const [file, requests, notHttp, first] of CASES) {
    it(`${file}: ${requests} request(s) parsed and answered, no web alert`, async () => {
      const { events, http, engine } = await analyse(file);
      assert.equal(engine.http.stats.requests, requests);
      assert.equal(engine.http.stats.not_http, notHttp);
      assert.equal(http.length, requests);
      assert.ok(http.every((h) => h.http.status === 200 && h.anomalies.length === 0));
      const h = http[0];
      assert.deepEqual([h.pcapCnt, h.http.httpMethod, h.http.url, h.http.httpUserAgent, h.http.status, h.srcIp], first);
      assert.deepEqual(events.filter((e) => e.type === 'alert' && e.signature.sid >= 9100100 && e.signature.sid <= 9100199), []);
    });
  }
});
