import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpGet, Rng, tcpExchange } from '../../src/tools/scenario.js';
import { brief, collector, run, T0 } from '../helpers.js';

const CLI = '10.0.0.21';
const SRV = '10.0.0.10';

/** One connection per path, each GET answered with `status(i)`, 100 ms apart. */
function browse(paths: readonly string[], status: (i: number) => number, rngSeed = 1): ReturnType<typeof collector> {
  const c = collector();
  const rng = new Rng(rngSeed);
  paths.forEach((path, i) => {
    const g = httpGet('shop.example', path, 'x');
    const code = status(i);
    const response = code === 200 ? g.response : `HTTP/1.1 ${code} Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
    tcpExchange(c.emit, { client: CLI, server: SRV, sport: 30000 + i, dport: 80, request: g.request, response, t0: T0 + i * 100_000 }, rng);
  });
  return c;
}

describe('http_scan', () => {
  it('alerts at the 40th distinct path answered 404 to one client (a word list walked with a browser User-Agent), and blocks it', () => {
    const words = Array.from({ length: 80 }, (_, i) => `/word${i}/`);
    const out = run(browse(words, () => 404).frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.srcIp, a.destIp, a.destPort, a.action, a.http?.url, a.http?.status]), [[9100040, CLI, SRV, 80, 'blocked', '/word39/', 404]]);
    assert.equal(out.alerts[0].signature.attackType, 'web_scan');
    assert.equal(brief(out.alerts)[0].startsWith('9100040 #'), true);
  });

  it('counts 410 Gone too, and only misses: found paths between them do not add up', () => {
    const words = Array.from({ length: 120 }, (_, i) => `/f${i}`);
    // Two in three found, every third gone: 40 misses only at the 120th request.
    const out = run(browse(words, (i) => (i % 3 === 2 ? 410 : 200)).frames);
    assert.deepEqual(out.alerts.map((a) => [a.signature.sid, a.http?.url]), [[9100040, '/f119']]);
  });

  it('stays silent on a browser meeting 30 missing images among 100 pages, and on one broken URL fetched 100 times', () => {
    const pages = Array.from({ length: 130 }, (_, i) => (i % 13 < 3 ? `/img/missing${i}.png` : `/page${i}.html`));
    assert.deepEqual(run(browse(pages, (i) => (pages[i].startsWith('/img/') ? 404 : 200)).frames).alerts, []);
    const same = Array.from({ length: 100 }, () => '/favicon.ico');
    assert.deepEqual(run(browse(same, () => 404).frames).alerts, []);
  });
});
