import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Verdict } from '../../src/output/events.js';
import { VerdictWriter } from '../../src/output/verdicts.js';
import { runAndHangUp } from './hang-up.js';
import { verdictView } from './sample-events.js';

/** A writable that keeps every chunk; `slow` delays each write's completion to create backpressure. */
class MemoryStream extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly slow = false) {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    if (this.slow) setImmediate(done);
    else done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

describe('VerdictWriter', () => {
  it('writes the seed lines exactly', async () => {
    const out = new MemoryStream();
    const writer = new VerdictWriter(out);
    const v = verdictView();
    v.index = 0;
    v.isIp = false;
    writer.onPacket(v);
    v.index = 4;
    v.isIp = true;
    v.src = '10.0.0.1';
    v.dest = '10.0.0.2';
    writer.onPacket(v);
    v.index = 32;
    v.src = '192.168.100.101';
    v.dest = '192.168.100.103';
    v.verdict = Verdict.BLOCK;
    v.reason = 'multi-port scan';
    writer.onPacket(v);
    v.index = 1234567;
    v.src = '2001:db8::1';
    v.dest = 'fe80::2';
    v.reason = 'règle spéciale';
    writer.onPacket(v);
    await writer.close();
    assert.equal(
      out.text(),
      '[0] Non-IP packet : ALLOW\n' +
        '[4] 10.0.0.1 -> 10.0.0.2 : ALLOW\n' +
        '[32] 192.168.100.101 -> 192.168.100.103 : BLOCK: multi-port scan\n' +
        '[1234567] 2001:db8::1 -> fe80::2 : BLOCK: règle spéciale\n',
    );
    assert.equal(writer.stats.lines, 4);
  });

  it('writes in ~64 KiB chunks, not per line', async () => {
    const out = new MemoryStream();
    const writer = new VerdictWriter(out);
    const v = verdictView();
    v.src = '192.168.100.101';
    v.dest = '192.168.100.103';
    const expected: string[] = [];
    for (let i = 0; i < 20000; i++) {
      v.index = i;
      writer.onPacket(v);
      expected.push(`[${i}] 192.168.100.101 -> 192.168.100.103 : ALLOW\n`);
    }
    await writer.close();
    assert.equal(out.text(), expected.join(''));
    const dataChunks = out.chunks.filter((c) => c.length > 0);
    assert.ok(dataChunks.length >= 13 && dataChunks.length <= 16, `got ${dataChunks.length} chunks`);
    for (const chunk of dataChunks.slice(0, -1)) {
      assert.ok(chunk.length > 60 * 1024 && chunk.length <= 64 * 1024, `chunk of ${chunk.length} bytes`);
      assert.equal(chunk[chunk.length - 1], 0x0a, 'chunks end on a line boundary');
    }
  });

  it('exposes backpressure through drain() and loses nothing', async () => {
    const out = new MemoryStream(true);
    const writer = new VerdictWriter(out);
    const v = verdictView();
    v.src = '10.0.0.1';
    v.dest = '10.0.0.2';
    let lines = 0;
    for (let batch = 0; batch < 5; batch++) {
      for (let i = 0; i < 3000; i++) {
        v.index = lines++;
        writer.onPacket(v);
      }
      await writer.drain();
      assert.ok(out.writableLength < out.writableHighWaterMark, 'drained before the next batch');
    }
    await writer.close();
    const text = out.text();
    assert.equal(text.split('\n').length - 1, 15000);
    assert.ok(text.endsWith('[14999] 10.0.0.1 -> 10.0.0.2 : ALLOW\n'));
  });

  it('stops quietly on EPIPE (`| head`)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-verdicts-'));
    try {
      const script = join(dir, 'verdict-epipe.mjs');
      const url = new URL('../../src/output/verdicts.js', import.meta.url).href;
      writeFileSync(
        script,
        `import { VerdictWriter } from '${url}';
const writer = new VerdictWriter();
const v = { index: 0, isIp: true, srcIp: () => '10.0.0.1', destIp: () => '10.0.0.2', verdict: 0, reason: '', blockedAddr: '' };
for (let i = 0; i < 2000000; i++) {
  v.index = i;
  writer.onPacket(v);
  if (i % 10000 === 0) await writer.drain();
}
await writer.close();
process.stderr.write('closed\\n');
`,
      );
      const result = await runAndHangUp(script);
      assert.equal(result.stderr, 'closed\n');
      assert.equal(result.code, 0);
      assert.ok(result.firstChunk.startsWith('[0] 10.0.0.1 -> 10.0.0.2 : ALLOW\n[1] 10.0.0.1'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
