/** Compressed request bodies: decompressed for inspection, bounded, read as far as they go. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeContent } from '../../src/app/http/content-coding.js';
import { flagNames } from '../../src/app/http/request.js';

const FORM = 'user=admin%27--&pass=x';
const LIMIT = 65536;

/** Bytes as the HTTP stage holds a body: latin1 text. */
function latin1(b: Buffer): string {
  return b.toString('latin1');
}

function decoded(body: string, coding: string): [string, string[]] | null {
  const d = decodeContent(body, coding, LIMIT);
  return d === null ? null : [d.text, flagNames(d.flags)];
}

describe('decodeContent', () => {
  it('undoes gzip, x-gzip, deflate (zlib or raw) and br, in any letter case', () => {
    assert.deepEqual(decoded(latin1(gzipSync(FORM)), 'gzip'), [FORM, []]);
    assert.deepEqual(decoded(latin1(gzipSync(FORM)), ' X-GZIP '), [FORM, []]);
    assert.deepEqual(decoded(latin1(deflateSync(FORM)), 'deflate'), [FORM, []]);
    assert.deepEqual(decoded(latin1(deflateRawSync(FORM)), 'deflate'), [FORM, []]);
    assert.deepEqual(decoded(latin1(brotliCompressSync(FORM)), 'br'), [FORM, []]);
  });

  it('undoes layered codings last applied first, and leaves identity and unknown codings alone', () => {
    assert.deepEqual(decoded(latin1(brotliCompressSync(gzipSync(FORM))), 'gzip, br'), [FORM, []]);
    assert.deepEqual(decoded(latin1(gzipSync(FORM)), 'identity, gzip'), [FORM, []]);
    assert.deepEqual(decoded(latin1(gzipSync(gzipSync(FORM))), 'gzip, gzip'), [FORM, []]);
    assert.equal(decoded(FORM, 'identity'), null);
    assert.equal(decoded(FORM, 'compress'), null);
    assert.equal(decoded(latin1(gzipSync(FORM)), 'gzip, zstd'), null);
  });

  it('keeps a body that does not decompress whole as sent, flagged: a server that ignores the header reads it so', () => {
    assert.deepEqual(decoded(FORM, 'gzip'), [FORM, ['invalid_compression']]);
    assert.deepEqual(decoded(FORM, 'deflate'), [FORM, ['invalid_compression']]);
    const garbage = latin1(Buffer.concat([gzipSync(FORM), Buffer.from('trailing garbage')]));
    assert.deepEqual(decoded(garbage, 'gzip'), [garbage, ['invalid_compression']]);
    const gz = gzipSync(`${FORM}&note=${'x'.repeat(3000)}`);
    const short = latin1(gz.subarray(0, gz.length - 20));
    assert.deepEqual(decoded(short, 'gzip'), [short, ['invalid_compression']]);
  });

  it('reads a body known to be cut short (over the body limit, or its flow ended) as far as it goes', () => {
    const gz = gzipSync(`${FORM}&note=${'x'.repeat(3000)}`);
    const d = decodeContent(latin1(gz.subarray(0, gz.length - 20)), 'gzip', LIMIT, true);
    assert.ok(d !== null && d.text.startsWith(FORM) && d.text.length < 3000 + FORM.length + 6);
    assert.equal(d.flags, 0);
  });

  it('stops a decompression bomb at the body limit', () => {
    // 100 MB of zeros in about 100 KB; what follows the limit is counted as truncated, not read.
    const bomb = latin1(gzipSync(Buffer.concat([Buffer.from(`${FORM}&pad=`), Buffer.alloc(100_000_000, 48)])));
    const d = decodeContent(bomb, 'gzip', LIMIT);
    assert.ok(d !== null);
    assert.ok(d.text.startsWith(FORM) && d.text.length <= LIMIT && d.text.length > LIMIT / 2);
    assert.deepEqual(flagNames(d.flags), ['body_truncated']);
  });
});
