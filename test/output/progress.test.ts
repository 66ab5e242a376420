import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Progress } from '../../src/output/progress.js';

/** A stand-in for stderr that records what is drawn; `isTTY` as the terminal would report it. */
function fakeStderr(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      written.push(chunk.toString('utf8'));
      done();
    },
  });
  Object.assign(stream, { isTTY });
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

const BIG = 20_000_000;

describe('Progress', () => {
  it('is off when CI is set', () => {
    const { stream, written } = fakeStderr(true);
    const progress = new Progress(BIG, { stream, env: { CI: 'true' } });
    assert.equal(progress.enabled, false);
    progress.update(5_000_000, 1000);
    progress.done();
    assert.deepEqual(written, []);
  });

  it('is off when the stream is not a TTY', () => {
    const { stream, written } = fakeStderr(false);
    const progress = new Progress(BIG, { stream, env: {} });
    assert.equal(progress.enabled, false);
    progress.update(5_000_000, 1000);
    progress.done();
    assert.deepEqual(written, []);
  });

  it('is off for inputs of 8 MiB or less', () => {
    const { stream } = fakeStderr(true);
    assert.equal(new Progress(8 * 1024 * 1024, { stream, env: {} }).enabled, false);
    assert.equal(new Progress(8 * 1024 * 1024 + 1, { stream, env: {} }).enabled, true);
  });

  it('treats CI=false as unset', () => {
    const { stream } = fakeStderr(true);
    assert.equal(new Progress(BIG, { stream, env: { CI: 'false' } }).enabled, true);
  });

  it('draws one line on a TTY and clears it when done', () => {
    const { stream, written } = fakeStderr(true);
    const progress = new Progress(BIG, { stream, env: {} });
    assert.equal(progress.enabled, true);
    progress.update(100, 1);
    assert.deepEqual(written, [], 'the clock is not read on every call');
    progress.update(5_000_000, 1000);
    assert.equal(written.length, 1);
    assert.match(written[0], /^\r\[=====> {14}\] {2}25% 5 MB\/20 MB \S+ pkt\/s\x1b\[K$/);
    progress.done();
    assert.equal(written[written.length - 1], '\r\x1b[K');
    const count = written.length;
    progress.update(BIG, 5000);
    progress.done();
    assert.equal(written.length, count, 'nothing after done()');
  });
});
