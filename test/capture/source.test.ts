import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pcapBytes, pcapngBytes } from '../../src/capture/pcap-writer.js';
import { CaptureError, CaptureFileSource, readCaptureFile } from '../../src/capture/source.js';
import { block, frameBytes, readAll, TempDir } from './capture-fixtures.js';

const tmp = new TempDir();
after(() => tmp.remove());

const T0 = 1_700_000_000_000_000; // 2023-11-14T22:13:20Z in µs

/** Three small frames with distinct sizes, contents, wire lengths and timestamps. */
const three = [
  { data: frameBytes(0, 60), tsUs: T0 + 1, wireLen: 60, tsNsRem: 123 },
  { data: frameBytes(1, 61), tsUs: T0 + 999_999, wireLen: 1514, tsNsRem: 0 },
  { data: frameBytes(2, 77), tsUs: T0 + 2_000_000, wireLen: 77, tsNsRem: 999 },
];

/** Offset of record i in a classic pcap of `frames`. */
function recordOffset(frames: readonly { data: Uint8Array }[], i: number): number {
  let at = 24;
  for (let k = 0; k < i; k++) at += 16 + frames[k].data.length;
  return at;
}

describe('classic pcap', () => {
  for (const bigEndian of [false, true]) {
    for (const nanosecond of [false, true]) {
      const name = `${bigEndian ? 'BE' : 'LE'} ${nanosecond ? 'ns' : 'µs'}`;
      it(`reads ${name}: frame bytes, wire length, exact timestamps, link type`, async () => {
        const path = tmp.write(`three-${name.replace(/\W/g, '')}.pcap`, pcapBytes(three, { bigEndian, nanosecond, linkType: 101 }));
        const { frames, result, warnings } = await readAll(path);
        assert.deepEqual(result, { format: 'pcap', compressed: false, frames: 3, bytes: 60 + 61 + 77, linkTypes: [101] });
        assert.deepEqual(warnings, []);
        assert.equal(frames.length, 3);
        for (let i = 0; i < 3; i++) {
          assert.deepEqual(frames[i].data, three[i].data, `frame ${i} bytes`);
          assert.equal(frames[i].wireLen, three[i].wireLen);
          assert.equal(frames[i].tsUs, three[i].tsUs);
          // µs files cannot carry the nanoseconds; ns files keep them exactly.
          assert.equal(frames[i].tsNsRem, nanosecond ? three[i].tsNsRem : 0);
          assert.equal(frames[i].linkType, 101);
        }
      });
    }
  }

  it('takes the link type from the low 28 bits, ignoring the FCS bits', async () => {
    const fcs = 1 | (1 << 28) | (4 << 29); // Ethernet, FCS present, 4 x 16 bits
    const path = tmp.write('fcs.pcap', pcapBytes([three[0]], { linkType: fcs }));
    const { frames, result } = await readAll(path);
    assert.equal(frames[0].linkType, 1);
    assert.deepEqual(result.linkTypes, [1]);
  });

  it('reads a capture with a header and no records', async () => {
    const path = tmp.write('header-only.pcap', pcapBytes([]));
    const { frames, result, warnings } = await readAll(path);
    assert.equal(frames.length, 0);
    assert.deepEqual(result, { format: 'pcap', compressed: false, frames: 0, bytes: 0, linkTypes: [] });
    assert.deepEqual(warnings, []);
  });

  it('delivers zero-length records', async () => {
    const frames = [{ data: new Uint8Array(0), tsUs: T0 }, three[0]];
    const path = tmp.write('zero-len.pcap', pcapBytes(frames));
    const got = await readAll(path);
    assert.equal(got.frames.length, 2);
    assert.equal(got.frames[0].data.length, 0);
    assert.deepEqual(got.frames[1].data, three[0].data);
  });

  it('rejects an unsupported version with its offset', async () => {
    const bytes = pcapBytes([three[0]]);
    bytes.writeUInt16LE(3, 4);
    const path = tmp.write('v3.pcap', bytes);
    await assert.rejects(readAll(path), (err: unknown) => {
      assert.ok(err instanceof CaptureError);
      assert.equal(err.offset, 4);
      assert.equal(err.message, `${path}: unsupported pcap version 3.4 at byte 4 (expected 2.x)`);
      return true;
    });
  });
});

describe('pcapng', () => {
  for (const bigEndian of [false, true]) {
    it(`reads ${bigEndian ? 'big' : 'little'}-endian EPBs with default µs resolution`, async () => {
      const bytes = pcapngBytes(
        [{ linkType: 1 }],
        three.map((f) => ({ iface: 0, data: f.data, tsUs: f.tsUs, wireLen: f.wireLen })),
        { bigEndian },
      );
      const path = tmp.write(`three-${bigEndian ? 'be' : 'le'}.pcapng`, bytes);
      const { frames, result, warnings } = await readAll(path);
      assert.deepEqual(result, { format: 'pcapng', compressed: false, frames: 3, bytes: 198, linkTypes: [1] });
      assert.deepEqual(warnings, []);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(frames[i].data, three[i].data);
        assert.equal(frames[i].wireLen, three[i].wireLen);
        assert.equal(frames[i].tsUs, three[i].tsUs);
        assert.equal(frames[i].tsNsRem, 0);
        assert.equal(frames[i].linkType, 1);
      }
    });
  }

  it('keeps two interfaces apart: link types and resolutions 10^-9 and 2^-10', async () => {
    const ts = 1_700_000_000_123_456;
    const bytes = pcapngBytes(
      [
        { linkType: 1, tsresol: 9 },
        { linkType: 101, tsresol: 0x80 | 10 },
      ],
      [
        { iface: 0, data: frameBytes(10, 64), tsUs: ts, tsNsRem: 789 },
        { iface: 1, data: frameBytes(11, 40), tsUs: ts },
        { iface: 1, data: frameBytes(12, 41), tsUs: 1_700_000_000_500_000 },
        { iface: 0, data: frameBytes(13, 65), tsUs: ts + 1 },
      ],
    );
    const path = tmp.write('two-ifaces.pcapng', bytes);
    const { frames, result } = await readAll(path);
    assert.deepEqual(result.linkTypes, [1, 101]);
    assert.deepEqual(
      frames.map((f) => [f.linkType, f.tsUs, f.tsNsRem, f.data.length]),
      [
        [1, ts, 789, 64],
        // 0.123456 s in 1/1024 s units is 126 (0.123046875 s): 123046 µs + 875 ns.
        [101, 1_700_000_000_123_046, 875, 40],
        // 0.5 s is exactly 512/1024.
        [101, 1_700_000_000_500_000, 0, 41],
        [1, ts + 1, 0, 65],
      ],
    );
    assert.deepEqual(frames[3].data, frameBytes(13, 65));
  });

  it('converts other resolutions exactly (10^-3, 10^-10, 10^-12 with offset, 2^-20, 2^-32)', async () => {
    const ts = 1_700_000_000_123_456;
    const bytes = pcapngBytes(
      [
        { linkType: 1, tsresol: 3 },
        { linkType: 1, tsresol: 10 },
        // Picoseconds since 1970 overflow 64 bits; with if_tsoffset the stored count stays small.
        { linkType: 1, tsresol: 12, tsoffset: 1_700_000_000 },
        { linkType: 1, tsresol: 0x80 | 20 },
        { linkType: 1, tsresol: 0x80 | 32 },
      ],
      [0, 1, 2, 3, 4].map((iface) => ({ iface, data: frameBytes(iface, 20), tsUs: ts, tsNsRem: 321 })),
    );
    const { frames } = await readAll(tmp.write('resolutions.pcapng', bytes));
    assert.deepEqual(
      frames.map((f) => [f.tsUs, f.tsNsRem]),
      [
        [1_700_000_000_123_000, 0],
        [ts, 321],
        [ts, 321],
        // 0.123456321 s * 2^20 = 129453.49.. -> 129453 / 2^20 s = 0.123456001.. s
        [ts, 1],
        // 0.123456321 s * 2^32 = 530240861.6.. -> 530240861 / 2^32 s = 0.123456320.. s
        [ts, 320],
      ],
    );
  });

  it('applies if_tsoffset (seconds) to every timestamp of the interface', async () => {
    const bytes = pcapngBytes([{ linkType: 1, tsresol: 9, tsoffset: 1_600_000_000 }], [{ iface: 0, data: frameBytes(0, 30), tsUs: T0 + 42, tsNsRem: 7 }]);
    // The EPB (last block, 64 bytes) stores the time relative to the offset: 100000000.000042007 s.
    const epb = bytes.length - 64;
    const stored = (BigInt(bytes.readUInt32LE(epb + 12)) << 32n) | BigInt(bytes.readUInt32LE(epb + 16));
    assert.equal(stored, 100_000_000_000_042_007n);
    const { frames } = await readAll(tmp.write('tsoffset.pcapng', bytes));
    assert.deepEqual([frames[0].tsUs, frames[0].tsNsRem], [T0 + 42, 7]);
  });

  it('reads SPBs on interface 0: wire length from the block, caplen cut to the snaplen, time 0', async () => {
    const bytes = pcapngBytes(
      [{ linkType: 1, snaplen: 64 }],
      [
        { iface: 0, data: frameBytes(1, 100), tsUs: 0, spb: true },
        { iface: 0, data: frameBytes(2, 50), tsUs: 0, spb: true },
        { iface: 0, data: frameBytes(3, 64), tsUs: T0, spb: false },
      ],
    );
    const { frames, result } = await readAll(tmp.write('spb.pcapng', bytes));
    assert.equal(result.frames, 3);
    assert.deepEqual(frames[0], { data: frameBytes(1, 100).subarray(0, 64), wireLen: 100, tsUs: 0, tsNsRem: 0, linkType: 1 });
    assert.deepEqual(frames[1], { data: frameBytes(2, 50), wireLen: 50, tsUs: 0, tsNsRem: 0, linkType: 1 });
    assert.equal(frames[2].tsUs, T0);
    assert.equal(result.bytes, 64 + 50 + 64);
  });

  it('cuts an SPB to its wire length when the block carries padding only', async () => {
    // 13 bytes on the wire: the block body is padded to 16, the frame must stay 13.
    const bytes = pcapngBytes([{ linkType: 1 }], [{ iface: 0, data: frameBytes(4, 13), tsUs: 0, spb: true }]);
    const { frames } = await readAll(tmp.write('spb-pad.pcapng', bytes));
    assert.deepEqual(frames[0].data, frameBytes(4, 13));
  });

  it('reads an obsolete packet block (OPB) like an EPB', async () => {
    const head = pcapngBytes([{ linkType: 1 }, { linkType: 113 }], []);
    const data = frameBytes(5, 42);
    const body = Buffer.alloc(20 + data.length);
    body.writeUInt16LE(1, 0); // interface 1
    body.writeUInt16LE(0, 2); // drops count
    const ts = BigInt(T0 + 5);
    body.writeUInt32LE(Number(ts >> 32n), 4);
    body.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    body.writeUInt32LE(data.length, 12);
    body.writeUInt32LE(60, 16);
    data.copy(body, 20);
    const { frames, result } = await readAll(tmp.write('opb.pcapng', Buffer.concat([head, block(2, body)])));
    assert.deepEqual(frames, [{ data, wireLen: 60, tsUs: T0 + 5, tsNsRem: 0, linkType: 113 }]);
    assert.deepEqual(result.linkTypes, [113]);
  });

  it('skips NRB, ISB, DSB and custom blocks by their length', async () => {
    const head = pcapngBytes([{ linkType: 1 }], [{ iface: 0, data: frameBytes(0, 33), tsUs: T0 }]);
    const tail = pcapngBytes([{ linkType: 1 }], [{ iface: 0, data: frameBytes(1, 34), tsUs: T0 + 1 }]);
    const epbOnly = tail.subarray(tail.length - (32 + 36)); // last block: the EPB of 34 bytes (padded to 36)
    const nrb = block(4, Buffer.from([1, 0, 8, 0, 10, 0, 0, 1, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0]));
    const isb = block(5, Buffer.alloc(20));
    const dsb = block(0x0a, Buffer.alloc(7, 0x41));
    const custom = block(0x40000bad, Buffer.from('private enterprise data'));
    const bytes = Buffer.concat([head, nrb, isb, dsb, custom, epbOnly]);
    const { frames, stats } = await readAll(tmp.write('skip.pcapng', bytes));
    assert.deepEqual(
      frames.map((f) => f.data),
      [frameBytes(0, 33), frameBytes(1, 34)],
    );
    assert.equal(stats.skipped_blocks, 4);
  });

  it('reads several sections with different byte orders; interface ids restart per section', async () => {
    const le = pcapngBytes([{ linkType: 1 }], [{ iface: 0, data: frameBytes(0, 50), tsUs: T0 }]);
    const be = pcapngBytes(
      [{ linkType: 113 }, { linkType: 101, tsresol: 9 }],
      [
        { iface: 1, data: frameBytes(1, 51), tsUs: T0 + 1, tsNsRem: 5 },
        { iface: 0, data: frameBytes(2, 52), tsUs: T0 + 2 },
      ],
      { bigEndian: true },
    );
    const { frames, result } = await readAll(tmp.write('sections.pcapng', Buffer.concat([le, be, le])));
    assert.deepEqual(
      frames.map((f) => [f.linkType, f.tsUs, f.tsNsRem, f.data.length]),
      [
        [1, T0, 0, 50],
        [101, T0 + 1, 5, 51],
        [113, T0 + 2, 0, 52],
        [1, T0, 0, 50],
      ],
    );
    assert.deepEqual(frames[1].data, frameBytes(1, 51));
    assert.deepEqual(result.linkTypes, [1, 101, 113]);
  });

  it('rejects a block length that is not a multiple of 4, naming its offset', async () => {
    const bytes = pcapngBytes([{ linkType: 1 }], [{ iface: 0, data: frameBytes(0, 40), tsUs: T0 }]);
    const epbAt = 28 + 20;
    bytes.writeUInt32LE(70, epbAt + 4);
    const path = tmp.write('badlen.pcapng', bytes);
    await assert.rejects(readAll(path), (err: unknown) => {
      assert.ok(err instanceof CaptureError);
      assert.equal(err.file, path);
      assert.equal(err.offset, epbAt);
      assert.equal(err.message, `${path}: bad block total length 70 at byte ${epbAt} (block type 0x6 needs a multiple of 4, at least 32)`);
      return true;
    });
  });

  it('rejects a block whose trailing length differs from its leading one', async () => {
    const bytes = pcapngBytes([{ linkType: 1 }], [{ iface: 0, data: frameBytes(0, 40), tsUs: T0 }]);
    bytes.writeUInt32LE(76, bytes.length - 4);
    const path = tmp.write('trailer.pcapng', bytes);
    await assert.rejects(readAll(path), {
      name: 'CaptureError',
      offset: 48,
      message: `${path}: block at byte 48 has total length 72 at its start but 76 at its end`,
    });
  });

  it('rejects a packet block naming an interface the section does not describe', async () => {
    const bytes = pcapngBytes([{ linkType: 1 }, { linkType: 1 }], [{ iface: 1, data: frameBytes(0, 8), tsUs: T0 }]);
    const epbAt = 28 + 20 + 20;
    bytes.writeUInt32LE(2, epbAt + 8);
    const path = tmp.write('noiface.pcapng', bytes);
    await assert.rejects(readAll(path), {
      offset: epbAt,
      message: `${path}: packet block at byte ${epbAt} names interface 2, but its section describes 2 interface(s)`,
    });
  });

  it('rejects a section header with a bad byte-order magic', async () => {
    const bytes = pcapngBytes([{ linkType: 1 }], []);
    bytes.writeUInt32LE(0x12345678, 8);
    const path = tmp.write('bom.pcapng', bytes);
    await assert.rejects(readAll(path), {
      offset: 8,
      message: `${path}: section header block at byte 0 has bad byte-order magic 0x78563412 at byte 8`,
    });
  });

  it('rejects a packet block whose captured length overruns the block', async () => {
    const bytes = pcapngBytes([{ linkType: 1 }], [{ iface: 0, data: frameBytes(0, 40), tsUs: T0 }]);
    bytes.writeUInt32LE(41, 48 + 20);
    const path = tmp.write('caplen.pcapng', bytes);
    await assert.rejects(readAll(path), {
      offset: 48,
      message: `${path}: packet block at byte 48 claims 41 captured bytes but has room for 40`,
    });
  });
});

describe('gzip', () => {
  it('detects a gzipped pcap by content, not by name', async () => {
    const path = tmp.write('gz-inside.pcap', gzipSync(pcapBytes(three, { nanosecond: true })));
    const { frames, result } = await readAll(path);
    assert.deepEqual(result, { format: 'pcap', compressed: true, frames: 3, bytes: 198, linkTypes: [1] });
    assert.deepEqual(
      frames.map((f) => [f.tsUs, f.tsNsRem]),
      three.map((f) => [f.tsUs, f.tsNsRem]),
    );
    assert.deepEqual(frames[2].data, three[2].data);
  });

  it('reads a gzipped pcapng', async () => {
    const bytes = pcapngBytes([{ linkType: 1, tsresol: 9 }], three.map((f) => ({ iface: 0, data: f.data, tsUs: f.tsUs, tsNsRem: f.tsNsRem })));
    const { frames, result } = await readAll(tmp.write('three.pcapng.gz', gzipSync(bytes)));
    assert.equal(result.format, 'pcapng');
    assert.equal(result.compressed, true);
    assert.deepEqual(
      frames.map((f) => [f.tsUs, f.tsNsRem, f.data.length]),
      three.map((f) => [f.tsUs, f.tsNsRem, f.data.length]),
    );
  });

  it('reads concatenated gzip members as one stream', async () => {
    const whole = pcapBytes(three);
    const cutAt = recordOffset(three, 1) + 5; // mid-record: the parser must not notice the seam
    const path = tmp.write('members.pcap.gz', Buffer.concat([gzipSync(whole.subarray(0, cutAt)), gzipSync(whole.subarray(cutAt))]));
    const { frames, warnings } = await readAll(path);
    assert.equal(frames.length, 3);
    assert.deepEqual(frames[1].data, three[1].data);
    assert.deepEqual(warnings, []);
  });

  it('rejects gzip whose content is not a capture', async () => {
    const path = tmp.write('text.gz', gzipSync('just some text\n'));
    await assert.rejects(readAll(path), {
      offset: 0,
      message: `${path}: not a pcap or pcapng capture (unknown magic 0x6a757374 at byte 0 of the gunzipped data)`,
    });
  });

  it('rejects corrupt deflate data as a CaptureError', async () => {
    const gz = gzipSync(pcapBytes(three));
    gz.fill(0xff, 10, 30);
    const path = tmp.write('corrupt.pcap.gz', gz);
    await assert.rejects(readAll(path), (err: unknown) => {
      assert.ok(err instanceof CaptureError);
      assert.match(err.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: gzip data corrupt after uncompressed byte 0 \\(`));
      return true;
    });
  });
});

describe('truncated captures', () => {
  const frames = [0, 1, 2, 3].map((i) => ({ data: frameBytes(i, 100 + i), tsUs: T0 + i }));
  const whole = pcapBytes(frames);

  it('cut in a record header: earlier frames, a warning and truncatedAt', async () => {
    const at = recordOffset(frames, 2);
    const path = tmp.write('cut-header.pcap', whole.subarray(0, at + 7));
    const { frames: got, result, warnings } = await readAll(path);
    assert.deepEqual(
      got.map((f) => f.data),
      [frames[0].data, frames[1].data],
    );
    assert.equal(result.truncatedAt, at);
    assert.equal(result.frames, 2);
    assert.deepEqual(warnings, [`${path}: capture truncated at byte ${at} (record header of 16 bytes cut short); analysed up to there`]);
  });

  it('cut in record data: earlier frames, a warning and truncatedAt', async () => {
    const at = recordOffset(frames, 3);
    const path = tmp.write('cut-data.pcap', whole.subarray(0, at + 16 + 50));
    const { frames: got, result, warnings } = await readAll(path);
    assert.equal(got.length, 3);
    assert.deepEqual(got[2].data, frames[2].data);
    assert.equal(result.truncatedAt, at);
    assert.deepEqual(warnings, [`${path}: capture truncated at byte ${at} (record of ${16 + 103} bytes cut short); analysed up to there`]);
  });

  it('cut in the file header', async () => {
    const path = tmp.write('cut-filehdr.pcap', whole.subarray(0, 10));
    const { result, warnings } = await readAll(path);
    assert.deepEqual(result, { format: 'pcap', compressed: false, frames: 0, bytes: 0, linkTypes: [], truncatedAt: 0 });
    assert.deepEqual(warnings, [`${path}: capture truncated at byte 0 (record of 24 bytes cut short); analysed up to there`]);
  });

  it('cut in a pcapng block', async () => {
    const bytes = pcapngBytes([{ linkType: 1 }], frames.map((f) => ({ iface: 0, data: f.data, tsUs: f.tsUs })));
    // SHB 28 + IDB 20, then EPBs of 100, 101, 102 bytes padded to 100, 104, 104: 132, 136, 136.
    const third = 28 + 20 + 132 + 136;
    const path = tmp.write('cut.pcapng', bytes.subarray(0, third + 40));
    const { frames: got, result, warnings } = await readAll(path);
    assert.equal(got.length, 2);
    assert.equal(result.truncatedAt, third);
    assert.deepEqual(warnings, [`${path}: capture truncated at byte ${third} (record of 136 bytes cut short); analysed up to there`]);
  });

  it('cut inside the gzip stream: frames up to the cut, then a warning naming the cut record', async () => {
    // Incompressible frames, so the cut falls in the middle of the capture.
    const many = Array.from({ length: 400 }, (_, i) => ({ data: frameBytes(i, 200 + (i % 7)), tsUs: T0 + i }));
    const gz = gzipSync(pcapBytes(many));
    const path = tmp.write('cut.pcap.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const { frames: got, result, warnings } = await readAll(path);
    assert.ok(got.length > 100 && got.length < 300, `${got.length} frames before the cut`);
    for (let i = 0; i < got.length; i++) assert.deepEqual(got[i].data, many[i].data, `frame ${i}`);
    assert.equal(result.frames, got.length);
    assert.equal(result.compressed, true);
    const cutAt = recordOffset(many, got.length);
    assert.equal(result.truncatedAt, cutAt);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^.*: capture truncated at byte \d+ \((record|record header) of \d+ bytes cut short; gzip stream cut\); analysed up to there$/);
    assert.ok(warnings[0].startsWith(`${path}: capture truncated at byte ${cutAt} (`));
  });

  it('gzip stream cut exactly between records still warns', async () => {
    const whole2 = pcapBytes(frames);
    const gz = gzipSync(whole2.subarray(0, recordOffset(frames, 2)));
    // Drop the 8-byte trailer and the final deflate block end: the data is whole, the stream is not.
    const path = tmp.write('cut-boundary.pcap.gz', gz.subarray(0, gz.length - 8));
    const { frames: got, result, warnings } = await readAll(path);
    assert.equal(got.length, 2);
    assert.equal(result.truncatedAt, recordOffset(frames, 2));
    assert.deepEqual(warnings, [`${path}: capture truncated at byte ${recordOffset(frames, 2)} (gzip stream cut between records); analysed up to there`]);
  });

  it('a record with an absurd length at the tail is a truncation, not an error', async () => {
    const bytes = Buffer.from(whole);
    const at = recordOffset(frames, 3);
    bytes.writeUInt32LE(0x7fffffff, at + 8);
    const path = tmp.write('absurd-tail.pcap', bytes);
    const { frames: got, result, warnings } = await readAll(path);
    assert.equal(got.length, 3);
    assert.equal(result.truncatedAt, at);
    assert.deepEqual(warnings, [`${path}: capture truncated at byte ${at} (record claims 2147483647 bytes, past the end of the capture); analysed up to there`]);
  });

  it('a record with an absurd length followed by more data is corruption: CaptureError with offset', async () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ data: frameBytes(i, 1000), tsUs: T0 + i }));
    const bytes = pcapBytes(many);
    const at = recordOffset(many, 10);
    bytes.writeUInt32LE(262145, at + 8);
    const path = tmp.write('absurd-mid.pcap', bytes);
    let delivered = 0;
    await assert.rejects(
      readCaptureFile(path, () => delivered++, { chunkBytes: 4096 }),
      {
        name: 'CaptureError',
        offset: at,
        message: `${path}: corrupt record at byte ${at}: its length field says 262145 bytes (the limit is 262144) and the capture goes on past it`,
      },
    );
    assert.equal(delivered, 10);
  });
});

describe('files that are not captures', () => {
  it('garbage', async () => {
    const path = tmp.write('garbage.pcap', Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8]));
    await assert.rejects(readAll(path), (err: unknown) => {
      assert.ok(err instanceof CaptureError);
      assert.equal(err.file, path);
      assert.equal(err.offset, 0);
      assert.equal(err.message, `${path}: not a pcap or pcapng capture (unknown magic 0xdeadbeef at byte 0)`);
      return true;
    });
  });

  it('an empty file', async () => {
    const path = tmp.write('empty.pcap', '');
    await assert.rejects(readAll(path), { name: 'CaptureError', offset: 0, message: `${path}: not a pcap or pcapng capture (empty file)` });
  });

  it('a text file', async () => {
    const path = tmp.write('notes.pcap', 'GET / HTTP/1.1\r\nHost: example\r\n\r\n');
    await assert.rejects(readAll(path), { message: `${path}: not a pcap or pcapng capture (unknown magic 0x47455420 at byte 0)` });
  });

  it('a file too short for a magic number', async () => {
    const path = tmp.write('short.pcap', Buffer.from([0xd4, 0xc3, 0xb2]));
    await assert.rejects(readAll(path), { message: `${path}: not a pcap or pcapng capture (3 bytes, too short for a capture header)` });
  });

  it('a missing file: CaptureError with the system message', async () => {
    const path = tmp.path('does-not-exist.pcap');
    await assert.rejects(readAll(path), (err: unknown) => {
      assert.ok(err instanceof CaptureError);
      assert.equal(err.file, path);
      assert.equal(err.message, `${path}: cannot open capture (ENOENT: no such file or directory, open '${path}')`);
      return true;
    });
  });

  it('a directory', async () => {
    await assert.rejects(readAll(tmp.dir), (err: unknown) => {
      assert.ok(err instanceof CaptureError);
      assert.match(err.message, /EISDIR/);
      assert.ok(err.message.startsWith(`${tmp.dir}: `));
      return true;
    });
  });
});

describe('chunk boundaries', () => {
  // Odd sizes so that record boundaries fall everywhere relative to the chunks.
  const frames = Array.from({ length: 6000 }, (_, i) => ({ data: frameBytes(i, 1 + ((i * 389) % 1499)), tsUs: T0 + i * 3, tsNsRem: i % 1000 }));
  const totalBytes = frames.reduce((s, f) => s + f.data.length, 0);

  function assertAllIntact(got: { data: Buffer; tsUs: number }[]): void {
    assert.equal(got.length, frames.length);
    for (let i = 0; i < frames.length; i++) {
      if (!got[i].data.equals(frames[i].data) || got[i].tsUs !== frames[i].tsUs) assert.fail(`frame ${i} differs`);
    }
  }

  it('a pcap larger than several default chunks: every frame intact, counts exact', async () => {
    const bytes = pcapBytes(frames, { nanosecond: true });
    assert.ok(bytes.length > 4 * 1024 * 1024, `fixture of ${bytes.length} bytes spans several 1 MiB chunks`);
    const progress: [number, number][] = [];
    const { frames: got, result, stats, warnings } = await readAll(tmp.write('big.pcap', bytes), { onProgress: (r, t) => progress.push([r, t]) });
    assertAllIntact(got);
    assert.equal(got[5999].tsNsRem, 999);
    assert.deepEqual(result, { format: 'pcap', compressed: false, frames: 6000, bytes: totalBytes, linkTypes: [1] });
    assert.deepEqual(warnings, []);
    assert.equal(stats.chunks, Math.ceil(bytes.length / (1024 * 1024)));
    assert.ok(stats.carried_records > 0 && stats.carried_records <= stats.chunks - 1, `${stats.carried_records} carried records`);
    assert.deepEqual(progress[progress.length - 1], [bytes.length, bytes.length]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] > progress[i - 1][0]);
  });

  it('a gzipped multi-chunk pcap: every frame intact', async () => {
    const bytes = gzipSync(pcapBytes(frames));
    const { frames: got, result, stats } = await readAll(tmp.write('big.pcap.gz', bytes), { chunkBytes: 65536 });
    assertAllIntact(got);
    assert.equal(result.bytes, totalBytes);
    assert.ok(stats.carried_records > 0);
  });

  it('tiny chunks put boundaries in every header field: same frames as one big chunk', async () => {
    // Small frames: 1-byte chunks mean one read per byte.
    const few = frames.slice(0, 24).map((f, i) => ({ ...f, data: f.data.subarray(0, 1 + ((i * 37) % 90)) }));
    const pcap = tmp.write('few.pcap', pcapBytes(few, { bigEndian: true }));
    const ng = tmp.write(
      'few.pcapng',
      pcapngBytes(
        [{ linkType: 1, tsresol: 9 }, { linkType: 101, tsresol: 0x80 | 10 }],
        few.map((f, i) => ({ iface: i % 2, data: f.data, tsUs: f.tsUs, tsNsRem: f.tsNsRem })),
        { bigEndian: true },
      ),
    );
    const sections = tmp.write(
      'few-sections.pcapng',
      Buffer.concat([
        pcapngBytes([{ linkType: 113 }], few.slice(0, 12).map((f) => ({ iface: 0, data: f.data, tsUs: f.tsUs }))),
        pcapngBytes([{ linkType: 1, tsresol: 9 }], few.slice(12).map((f) => ({ iface: 0, data: f.data, tsUs: f.tsUs, spb: f.data.length % 2 === 0 })), { bigEndian: true }),
      ]),
    );
    for (const path of [pcap, ng, sections]) {
      const reference = await readAll(path);
      assert.equal(reference.frames.length, 24);
      for (const chunkBytes of [1, 2, 3, 5, 7, 13, 16, 17, 64, 333]) {
        const { frames: got, result } = await readAll(path, { chunkBytes });
        assert.deepEqual(got, reference.frames, `${path} with ${chunkBytes}-byte chunks`);
        assert.deepEqual(result, reference.result);
      }
    }
  });

  it('records larger than a chunk', async () => {
    const big = [200_000, 3, 262_144, 70_000].map((len, i) => ({ data: frameBytes(i, len), tsUs: T0 + i }));
    const path = tmp.write('jumbo.pcap', pcapBytes(big));
    const { frames: got, stats } = await readAll(path, { chunkBytes: 65536 });
    assert.deepEqual(
      got.map((f) => f.data),
      big.map((f) => f.data),
    );
    assert.equal(stats.carried_records, 3); // every record but the 3-byte one straddles chunks
  });

  it('a truncation seen across tiny chunks reports the same offset', async () => {
    const few = frames.slice(0, 5);
    const at = recordOffset(few, 4);
    const path = tmp.write('few-cut.pcap', pcapBytes(few).subarray(0, at + 20));
    for (const chunkBytes of [1, 7, 1 << 20]) {
      const { frames: got, result, warnings } = await readAll(path, { chunkBytes });
      assert.equal(got.length, 4);
      assert.equal(result.truncatedAt, at);
      assert.equal(warnings.length, 1);
    }
  });
});

describe('CaptureFileSource', () => {
  it('adds its counters up over files', async () => {
    const a = tmp.write('a.pcap', pcapBytes(three));
    const b = tmp.write('b.pcap.gz', gzipSync(pcapBytes(three.slice(0, 2)).subarray(0, 24 + 16 + 60 + 5)));
    const source = new CaptureFileSource();
    let n = 0;
    await source.read(a, () => n++);
    await source.read(b, () => n++);
    assert.equal(n, 4);
    assert.deepEqual(source.stats, {
      files: 2,
      frames: 4,
      bytes: 60 + 61 + 77 + 60,
      chunks: 2,
      carried_records: 0,
      skipped_blocks: 0,
      gzip_files: 1,
      truncated_files: 1,
    });
  });

  it('lets an exception from the frame handler through unchanged, plain or gzipped', async () => {
    const plain = tmp.write('throw.pcap', pcapBytes(three));
    const gz = tmp.write('throw.pcap.gz', gzipSync(pcapBytes(three)));
    for (const path of [plain, gz]) {
      const boom = new Error('handler failed');
      await assert.rejects(
        readCaptureFile(path, () => {
          throw boom;
        }),
        (err) => err === boom,
      );
    }
  });

  it('reads a pipe (/dev/stdin), gzipped or not', () => {
    const sourceUrl = new URL('../../src/capture/source.js', import.meta.url).href;
    const script =
      `const { readCaptureFile } = await import(${JSON.stringify(sourceUrl)});` +
      `let sum = 0; const r = await readCaptureFile('/dev/stdin', (b, o, c) => { sum += b[o] + c; }, { chunkBytes: 100 });` +
      `console.log(JSON.stringify({ ...r, sum }));`;
    const expectedSum = three.reduce((s, f) => s + f.data[0] + f.data.length, 0);
    for (const input of [pcapBytes(three), gzipSync(pcapngBytes([{ linkType: 1 }], three.map((f) => ({ iface: 0, data: f.data, tsUs: f.tsUs }))))]) {
      // A real pipe through cat: spawnSync's `input` is a socket, which /dev/stdin cannot reopen.
      const file = tmp.write('piped.bin', input);
      const child = spawnSync('sh', ['-c', 'cat "$1" | "$2" --input-type=module -e "$3"', 'sh', file, process.execPath, script], { encoding: 'utf8' });
      assert.equal(child.stderr, '');
      const got = JSON.parse(child.stdout) as { frames: number; compressed: boolean; sum: number };
      assert.deepEqual([got.frames, got.compressed, got.sum], [3, input[0] === 0x1f, expectedSum]);
    }
  });

  it('rejects a non-positive chunk size', async () => {
    await assert.rejects(readCaptureFile(tmp.write('c.pcap', pcapBytes(three)), () => undefined, { chunkBytes: 0 }), RangeError);
  });
});
