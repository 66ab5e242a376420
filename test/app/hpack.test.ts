/**
 * HPACK decoding against the examples of RFC 7541 Appendix C, and its refusals of malformed
 * blocks (which make the HTTP/2 reader give the connection up rather than guess).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HpackDecoder, huffmanDecode } from '../../src/app/http/hpack.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeAll(blocks: readonly string[]): ([string, string][] | null)[] {
  const d = new HpackDecoder();
  return blocks.map((b) => d.decode(hex(b), 0, hex(b).length));
}

const REQUESTS: [string, string][][] = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];

describe('HPACK', () => {
  it('decodes the request examples without Huffman coding (C.3), through the dynamic table', () => {
    assert.deepEqual(decodeAll(['828684410f7777772e6578616d706c652e636f6d', '828684be58086e6f2d6361636865', '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565']), REQUESTS);
  });

  it('decodes the request examples with Huffman coding (C.4)', () => {
    assert.deepEqual(decodeAll(['828684418cf1e3c2e5f23a6ba0ab90f4ff', '828684be5886a8eb10649cbf', '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf']), REQUESTS);
  });

  it('evicts the oldest entries when a size update shrinks the table', () => {
    // Size update to 64, then a literal with indexing (62 bytes in the table), then another: the first is evicted.
    // An entry of three-letter name and value takes 38 bytes (RFC 7541 §4.1): one fits in 64.
    assert.deepEqual(decodeAll(['3f21 4003616161 03626262 be', '4003636363 03646464 be', 'bf']), [
      [['aaa', 'bbb'], ['aaa', 'bbb']],
      [['ccc', 'ddd'], ['ccc', 'ddd']],
      null,
    ]);
  });

  it("bounds the dynamic table by the receiving side's SETTINGS_HEADER_TABLE_SIZE (4096 until it says more)", () => {
    const d = new HpackDecoder();
    // A size update to 8192: 001 11111, then 8192 - 31 = 8161 as 7-bit groups (0xe1 0x3f).
    const update = hex('3fe13f');
    assert.equal(d.decode(update, 0, update.length), null);
    const e = new HpackDecoder();
    e.setLimit(8192);
    assert.deepEqual(e.decode(update, 0, update.length), []);
    // Never past 64 KB, whatever a side announces.
    const f = new HpackDecoder();
    f.setLimit(2 ** 31);
    const huge = hex('3fe1ff7f');
    assert.equal(f.decode(huge, 0, huge.length), null);
  });

  it('refuses malformed blocks: an unknown index, a cut string, Huffman padding that is not all ones, an overlong integer', () => {
    assert.deepEqual(decodeAll(['c0', '4005616263', '418cf1e3c2e5f23a6ba0ab90f4fe', '3fffffffffff7f']), [null, null, null, null]);
    assert.equal(huffmanDecode(hex('f1e3c2e5f23a6ba0ab90f4ff'), 0, 12), 'www.example.com');
  });
});
