/**
 * The Internet checksum (RFC 1071), shared by the stages that rebuild headers (defrag) and the
 * crafting kit. Not on the per-packet path: the decoder does not verify checksums.
 */

/**
 * Adds bytes [start, end) of `bytes` to a running one's-complement sum (not folded, not inverted).
 * An odd trailing byte is padded with zero, as RFC 1071 says; only the last chunk of a sum may be odd.
 */
export function checksumAdd(sum: number, bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  // Fold early so the running sum stays a small integer even over 64 KiB datagrams.
  return (sum & 0xffff) + (sum >>> 16);
}

/** Folds a running sum to 16 bits and inverts it: the value to store in a checksum field. */
export function checksumFinish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Checksum of an IPv4 header of `hdrLen` bytes at `offset`, computed as if its checksum field were zero. */
export function ipv4HeaderChecksum(bytes: Uint8Array, offset: number, hdrLen: number): number {
  let sum = checksumAdd(0, bytes, offset, offset + 10);
  sum = checksumAdd(sum, bytes, offset + 12, offset + hdrLen);
  return checksumFinish(sum);
}
