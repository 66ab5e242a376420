import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { PcapWriter, pcapBytes, pcapngBytes } from '../../src/capture/pcap-writer.js';
import { frameBytes, readAll, TempDir } from './capture-fixtures.js';

const tmp = new TempDir();
after(() => tmp.remove());

const T0 = 1_700_000_000_000_000;

describe('pcapBytes', () => {
  it('writes tcpdump\'s little-endian µs header by default', () => {
    const bytes = pcapBytes([{ data: Uint8Array.from([1, 2, 3]), tsUs: T0 + 5 }]);
    assert.equal(
      bytes.toString('hex'),
      'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000' +
        // ts_sec 1700000000 = 0x6553f100, ts_usec 5, incl_len 3, orig_len 3, data
        '00f15365' + '05000000' + '03000000' + '03000000' + '010203',
    );
  });

  it('writes big-endian nanosecond files with the link type and snaplen asked for', () => {
    const bytes = pcapBytes([{ data: Uint8Array.from([9]), tsUs: T0 + 5, tsNsRem: 7, wireLen: 60 }], {
      bigEndian: true,
      nanosecond: true,
      linkType: 101,
      snaplen: 65535,
    });
    assert.equal(
      bytes.toString('hex'),
      'a1b23c4d' + '0002' + '0004' + '00000000' + '00000000' + '0000ffff' + '00000065' +
        // ts_nsec 5007
        '6553f100' + '0000138f' + '00000001' + '0000003c' + '09',
    );
  });

  it('cuts frames to the snaplen and keeps their wire length', async () => {
    const data = frameBytes(0, 100);
    const path = tmp.write('snap.pcap', pcapBytes([{ data, tsUs: T0 }], { snaplen: 64 }));
    const { frames } = await readAll(path);
    assert.deepEqual(frames[0].data, data.subarray(0, 64));
    assert.equal(frames[0].wireLen, 100);
  });
});

describe('pcapngBytes', () => {
  it('starts with an SHB in the byte order asked for', () => {
    const le = pcapngBytes([{ linkType: 1 }], []);
    const be = pcapngBytes([{ linkType: 1 }], [], { bigEndian: true });
    assert.equal(le.subarray(0, 12).toString('hex'), '0a0d0d0a' + '1c000000' + '4d3c2b1a');
    assert.equal(be.subarray(0, 12).toString('hex'), '0a0d0d0a' + '0000001c' + '1a2b3c4d');
    // IDB: type 1, length 20, link type 1, reserved, snaplen 0
    assert.equal(le.subarray(28).toString('hex'), '01000000' + '14000000' + '0100' + '0000' + '00000000' + '14000000');
  });

  it('refuses an SPB on another interface than 0, and unknown interfaces', () => {
    assert.throws(() => pcapngBytes([{ linkType: 1 }, { linkType: 1 }], [{ iface: 1, data: new Uint8Array(1), tsUs: 0, spb: true }]), RangeError);
    assert.throws(() => pcapngBytes([{ linkType: 1 }], [{ iface: 1, data: new Uint8Array(1), tsUs: 0 }]), RangeError);
  });
});

describe('PcapWriter', () => {
  // Many frames of odd sizes: several 1 MiB buffers, so both buffers and the wait path are used.
  const frames = Array.from({ length: 9000 }, (_, i) => ({ data: frameBytes(i, 1 + ((i * 613) % 900)), tsUs: T0 + i * 7, wireLen: 1000 + i }));

  it('writes the same bytes as pcapBytes, across several buffer hand-offs', async () => {
    for (const opts of [{}, { bigEndian: true, nanosecond: true, linkType: 113, snaplen: 512 }]) {
      const path = tmp.path(`writer-${Object.keys(opts).length}.pcap`);
      const writer = await PcapWriter.open(path, opts);
      let waits = 0;
      for (const f of frames) {
        const pending = writer.write(f.data, f.tsUs, f.wireLen);
        if (pending !== undefined) {
          waits++;
          await pending;
        }
      }
      await writer.close();
      const expected = pcapBytes(frames, opts);
      assert.ok(expected.length > 3 * 1024 * 1024);
      assert.ok(waits > 0, 'write() asked the caller to wait at least once');
      assert.ok(readFileSync(path).equals(expected), `file written with ${JSON.stringify(opts)} equals pcapBytes`);
    }
  });

  it('copies the frame at once, even when it returns a promise', async () => {
    const path = tmp.path('reuse.pcap');
    const writer = await PcapWriter.open(path);
    const scratch = Buffer.alloc(1000);
    let waited = false;
    for (let i = 0; i < 3000; i++) {
      scratch.fill(i & 0xff);
      const pending = writer.write(scratch, T0 + i);
      scratch.fill(0xee); // the caller reuses its buffer before the promise settles
      if (pending !== undefined) {
        waited = true;
        await pending;
      }
    }
    await writer.close();
    assert.ok(waited);
    const { frames: got } = await readAll(path);
    assert.equal(got.length, 3000);
    for (let i = 0; i < 3000; i++) {
      if (!got[i].data.equals(Buffer.alloc(1000, i & 0xff))) assert.fail(`frame ${i} was not copied at write()`);
    }
  });

  it('throws on write() before the returned promise settles, and after close()', async () => {
    const writer = await PcapWriter.open(tmp.path('misuse.pcap'));
    const frame = Buffer.alloc(1500);
    let pending: void | Promise<void>;
    do pending = writer.write(frame, T0);
    while (pending === undefined);
    assert.throws(() => writer.write(frame, T0), /before the promise of the previous write\(\) settled/);
    await pending;
    await writer.close();
    await writer.close();
    assert.throws(() => writer.write(frame, T0), /after close\(\)/);
  });

  it('writes a header-only file when closed with no frames', async () => {
    const path = tmp.path('none.pcap');
    const writer = await PcapWriter.open(path, { linkType: 101 });
    await writer.close();
    assert.ok(readFileSync(path).equals(pcapBytes([], { linkType: 101 })));
  });

  it('fails open() for an unwritable path', async () => {
    await assert.rejects(PcapWriter.open(tmp.path('no-such-dir/x.pcap')), { code: 'ENOENT' });
  });
});
