/**
 * Body charsets that hide ASCII from a byte-level reading: the readers of the charsets a
 * Content-Type may name (EBCDIC code pages by their aliases, UTF-16 and UTF-32 with and without
 * byte order marks), and the charset a JSON text's first bytes show (RFC 4627 §3).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charsetDecoder, jsonCharset } from '../../src/app/http/charset.js';

const latin1 = (b: Buffer | number[]): string => Buffer.from(b).toString('latin1');

describe('body charsets', () => {
  it('reads the EBCDIC code pages ASP.NET and Django take, by any of their names', () => {
    // "1' or 1=1" in IBM037 (Python's cp037).
    const bytes = latin1(Buffer.from('f17d409699f17ef1', 'hex'));
    for (const name of ['ibm037', 'IBM037', 'ibm-037', 'cp037', 'CP37', 'x-ibm037', 'ebcdic-cp-us', '"ibm037"']) {
      const d = charsetDecoder(name);
      assert.ok(d !== null, name);
      assert.equal(d(bytes), "1' or1=1", name);
    }
    // Where the code pages differ: 0x4F is | in IBM037, ! in IBM500; 0x9F is ¤ in IBM037, € in IBM1140.
    assert.equal(charsetDecoder('ibm037')?.(latin1([0x4f, 0x9f])), '|\u00a4');
    assert.equal(charsetDecoder('ibm500')?.(latin1([0x4f, 0xc1])), '!A');
    assert.equal(charsetDecoder('ibm01140')?.(latin1([0x9f])), '\u20ac');
    assert.equal(charsetDecoder('cp1026')?.(latin1([0xc1, 0xc2])), 'AB');
  });

  it('reads UTF-16 and UTF-32, a byte order mark deciding, and .NET\'s names for them', () => {
    const text = '{"q":"<b>"}';
    assert.equal(charsetDecoder('utf-16')?.(latin1(Buffer.from(text, 'utf16le'))), text);
    assert.equal(charsetDecoder('unicode')?.(latin1(Buffer.from(text, 'utf16le'))), text);
    assert.equal(charsetDecoder('utf-16be')?.(latin1(Buffer.from(text, 'utf16le').swap16())), text);
    assert.equal(charsetDecoder('utf-16')?.(latin1(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]))), text);
    const u32 = Buffer.alloc(text.length * 4);
    for (let i = 0; i < text.length; i++) u32.writeUInt32BE(text.charCodeAt(i), i * 4);
    assert.equal(charsetDecoder('utf-32be')?.(latin1(u32)), text);
    assert.equal(charsetDecoder('utf-32')?.(latin1(u32)), text);
  });

  it('leaves charsets that keep ASCII as ASCII, and unknown ones, to be read as they are', () => {
    for (const name of ['', 'utf-8', 'UTF-8', 'iso-8859-1', 'windows-1252', 'us-ascii', 'shift_jis', 'ibm9999', 'no-such-charset']) assert.equal(charsetDecoder(name), null, name);
  });

  it('tells the charset of a JSON text by its first bytes', () => {
    const t = '{"a":1}';
    assert.equal(jsonCharset(t), '');
    assert.equal(jsonCharset(latin1(Buffer.from(t, 'utf16le'))), 'utf-16le');
    assert.equal(jsonCharset(latin1(Buffer.from(t, 'utf16le').swap16())), 'utf-16be');
    assert.equal(jsonCharset(latin1([0xff, 0xfe, 0x7b, 0x00])), 'utf-16le');
    assert.equal(jsonCharset(latin1([0x7b, 0, 0, 0, 0x22, 0, 0, 0])), 'utf-32le');
    assert.equal(jsonCharset(latin1([0, 0, 0, 0x7b, 0, 0, 0, 0x22])), 'utf-32be');
    assert.equal(jsonCharset('{"'), '');
  });
});
