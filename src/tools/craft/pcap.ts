/**
 * Minimal classic pcap writer for tests and tools: a 24-byte global header (microsecond
 * timestamps, little-endian magic) and one 16-byte record header per frame.
 */

/** One frame to write: its bytes, packet time in µs, and optionally its length on the wire. */
export interface PcapRecord {
  readonly data: Uint8Array;
  readonly tsUs: number;
  /** Original length on the wire; defaults to data.length. */
  readonly wireLen?: number;
}

/** Bytes of a classic pcap file holding `records` with link type `linkType` (LinkType.*). */
export function pcapFile(records: readonly PcapRecord[], linkType: number, snapLen = 262144): Buffer {
  const size = 24 + records.reduce((n, r) => n + 16 + r.data.length, 0);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(snapLen, 16);
  out.writeUInt32LE(linkType, 20);
  let at = 24;
  for (const r of records) {
    out.writeUInt32LE(Math.floor(r.tsUs / 1e6), at);
    out.writeUInt32LE(r.tsUs % 1e6, at + 4);
    out.writeUInt32LE(r.data.length, at + 8);
    out.writeUInt32LE(r.wireLen ?? r.data.length, at + 12);
    out.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return out;
}
