/**
 * Enforcement backends: how a block decision reaches the kernel. One interface, several
 * implementations (nftables sets, inline NFQUEUE verdicts, dry run), one conformance suite.
 */

/** A block in force, as a backend reports it. */
export interface BlockRecord {
  /** Address text (validated IPv4 or IPv6). */
  readonly addr: string;
  /** Wall-clock time the block ends, ms since the epoch. */
  readonly expiresAtMs: number;
}

/** Where blocks are enforced. */
export interface EnforcementBackend {
  /** "nftables", "nfqueue" or "none". */
  readonly name: string;
  /** Prepares enforcement (tables, sets, rules) and returns the blocks already in force. */
  start(): Promise<BlockRecord[]>;
  /** Blocks `addr` for `durationS` seconds; queued and applied in batches. Invalid addresses are refused and counted. */
  block(addr: string, durationS: number): void;
  /** Lifts the block of `addr` now (no-op when absent). */
  unblock(addr: string): void;
  /** Applies everything queued. */
  flush(): Promise<void>;
  /** Blocks in force now (read from the kernel where there is one). */
  list(): Promise<BlockRecord[]>;
  /** Stops; `remove` also removes what start() installed (blocks in force end with it). */
  stop(opts: { readonly remove: boolean }): Promise<void>;
  readonly stats: Record<string, number>;
}

/** An enforcement failure the user must see (missing tool, no permission); the CLI exits 1 with its message. */
export class EnforcementError extends Error {
  override readonly name = 'EnforcementError';
}
