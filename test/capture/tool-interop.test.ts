/**
 * Agreement with the real tools: captures converted by editcap / tcpdump read back the same, and
 * tshark sees our fixtures as we do. Each part is skipped when its tool is not installed. No
 * live capture: the tools only convert files.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { pcapBytes, pcapngBytes } from '../../src/capture/pcap-writer.js';
import { frameBytes, readAll, type SeenFrame, TempDir } from './capture-fixtures.js';

const tmp = new TempDir();
after(() => tmp.remove());

function hasTool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).error === undefined;
}

const T0 = 1_700_000_000_000_000;
const frames = Array.from({ length: 50 }, (_, i) => ({
  data: frameBytes(i, 14 + ((i * 97) % 1500)),
  tsUs: T0 + i * 1_234_567,
  tsNsRem: (i * 37) % 1000,
  wireLen: 14 + ((i * 97) % 1500) + (i % 3),
}));

/** What a reader should see of `frames` in a file that keeps (or drops) nanoseconds. */
function expected(keepNs: boolean): SeenFrame[] {
  return frames.map((f) => ({ data: f.data, wireLen: f.wireLen, tsUs: f.tsUs, tsNsRem: keepNs ? f.tsNsRem : 0, linkType: 1 }));
}

describe('editcap conversions', { skip: hasTool('editcap') ? false : 'editcap not installed' }, () => {
  it('big-endian ns pcap -> pcapng (if_tsresol 9): same frames, nanoseconds kept', async () => {
    const src = tmp.write('src-be-ns.pcap', pcapBytes(frames, { bigEndian: true, nanosecond: true }));
    const out = tmp.path('conv.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', src, out]);
    const { frames: got, result } = await readAll(out);
    assert.equal(result.format, 'pcapng');
    assert.deepEqual(got, expected(true));
  });

  it('µs pcap -> nsecpcap: same frames', async () => {
    const src = tmp.write('src-le-us.pcap', pcapBytes(frames));
    const out = tmp.path('conv-ns.pcap');
    execFileSync('editcap', ['-F', 'nsecpcap', src, out]);
    const { frames: got } = await readAll(out);
    assert.deepEqual(got, expected(false));
  });
});

describe('tcpdump rewrite', { skip: hasTool('tcpdump') ? false : 'tcpdump not installed' }, () => {
  it('big-endian ns pcap rewritten by libpcap (native µs): same frames, nanoseconds dropped', async () => {
    const src = tmp.write('src-tcpdump.pcap', pcapBytes(frames, { bigEndian: true, nanosecond: true }));
    const out = tmp.path('tcpdump-out.pcap');
    execFileSync('tcpdump', ['-r', src, '-w', out], { stdio: 'ignore' });
    const { frames: got } = await readAll(out);
    assert.deepEqual(got, expected(false));
  });
});

describe('tshark reads our fixtures as we do', { skip: hasTool('tshark') ? false : 'tshark not installed' }, () => {
  /** tshark's epoch time, length, captured length and interface per frame. */
  function tshark(path: string): string[] {
    const out = execFileSync(
      'tshark',
      ['-r', path, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return out.trim().split('\n');
  }

  /** Our view in tshark's format: seconds with 9 decimals (empty for an SPB, which has no time); no interface in a pcap. */
  function ours(f: SeenFrame, iface: number | '', spb = false): string {
    const sec = Math.floor(f.tsUs / 1e6);
    const ns = (f.tsUs - sec * 1e6) * 1000 + f.tsNsRem;
    const time = spb ? '' : `${sec}.${String(ns).padStart(9, '0')}`;
    return `${time},${f.wireLen},${f.data.length},${iface}`;
  }

  for (const bigEndian of [false, true]) {
    it(`pcapng (${bigEndian ? 'BE' : 'LE'}) with 10^-9 and 2^-10 interfaces and an SPB`, async () => {
      const packets = frames.slice(0, 12).map((f, i) => ({ iface: i % 2, data: f.data, tsUs: f.tsUs, tsNsRem: f.tsNsRem, wireLen: f.wireLen, spb: i === 4 }));
      const path = tmp.write(
        `tshark-${bigEndian}.pcapng`,
        pcapngBytes(
          [
            { linkType: 1, tsresol: 9 },
            { linkType: 1, tsresol: 0x80 | 10 },
          ],
          packets,
          { bigEndian },
        ),
      );
      const { frames: got } = await readAll(path);
      assert.equal(got.length, 12);
      assert.deepEqual(
        got.map((f, i) => ours(f, packets[i].iface, packets[i].spb)),
        tshark(path),
      );
    });
  }

  it('ns pcap', async () => {
    const path = tmp.write('tshark-ns.pcap', pcapBytes(frames, { nanosecond: true, bigEndian: true }));
    const { frames: got } = await readAll(path);
    assert.deepEqual(
      got.map((f) => ours(f, '')),
      tshark(path),
    );
  });
});
