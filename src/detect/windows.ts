/**
 * Sliding windows on packet time, per key, bounded. Two shapes cover the built-in detectors:
 * an event rate (`RateWindow`) and a count of distinct values (`DistinctWindow`).
 */

/**
 * Event rate over a sliding window, estimated from two fixed buckets (the previous one weighted by
 * how much of it still overlaps the window): O(1) memory and time, no per-event allocation.
 */
export class RateWindow {
  private start = 0;
  private cur = 0;
  private prev = 0;

  /** Counts one event at `tsUs` and returns the estimated number of events in the last `windowUs`. */
  add(tsUs: number, windowUs: number): number {
    this.roll(tsUs, windowUs);
    this.cur++;
    return this.estimate(tsUs, windowUs);
  }

  /** Estimated events in the window ending at `tsUs`, without counting one. */
  peek(tsUs: number, windowUs: number): number {
    this.roll(tsUs, windowUs);
    return this.estimate(tsUs, windowUs);
  }

  private roll(tsUs: number, windowUs: number): void {
    const elapsed = tsUs - this.start;
    if (elapsed >= windowUs) {
      if (elapsed < 2 * windowUs) {
        this.prev = this.cur;
        this.start += windowUs;
      } else {
        this.prev = 0;
        this.start = tsUs;
      }
      this.cur = 0;
    } else if (elapsed < 0) {
      // Out-of-order timestamp (merged captures): count it in the current bucket.
      return;
    }
  }

  private estimate(tsUs: number, windowUs: number): number {
    const into = (tsUs - this.start) / windowUs;
    return this.cur + this.prev * (into >= 1 ? 0 : into <= 0 ? 1 : 1 - into);
  }
}

/**
 * Distinct values seen in a sliding window (e.g. destination ports of one source). Keeps each
 * value's last-seen time; prunes expired values only when the count reaches the threshold, and
 * never holds more than `maxValues` (oldest dropped), so a hostile source cannot grow it.
 */
export class DistinctWindow {
  private readonly seen = new Map<number, number>();

  constructor(private readonly maxValues: number) {}

  /** Records `value` at `tsUs`; returns the number of distinct values seen in the last `windowUs`. */
  add(value: number, tsUs: number, windowUs: number, threshold: number): number {
    const seen = this.seen;
    if (seen.has(value)) seen.delete(value);
    seen.set(value, tsUs);
    if (seen.size >= threshold) {
      const limit = tsUs - windowUs;
      // Insertion order is last-seen order, so expired values are at the front.
      for (const [v, t] of seen) {
        if (t >= limit && seen.size <= this.maxValues) break;
        seen.delete(v);
      }
    }
    return seen.size;
  }

  /** Number of values currently held. */
  get size(): number {
    return this.seen.size;
  }
}

/**
 * Per-key state with a bound: when full, the least recently inserted key is dropped and counted,
 * so memory stays flat under a flood of spoofed sources.
 */
export class KeyedState<T> {
  private readonly map = new Map<number, T>();
  /** Keys dropped because the table was full. */
  evictions = 0;

  constructor(private readonly maxKeys: number, private readonly make: () => T) {}

  /** The state of `key`, created when absent. */
  get(key: number): T {
    let s = this.map.get(key);
    if (s === undefined) {
      if (this.map.size >= this.maxKeys) {
        const oldest = this.map.keys().next().value as number;
        this.map.delete(oldest);
        this.evictions++;
      }
      s = this.make();
      this.map.set(key, s);
    }
    return s;
  }

  /** Number of keys held. */
  get size(): number {
    return this.map.size;
  }
}

/**
 * One number for an ordered pair of address keys (or an address key and a port), for per-pair
 * tables. 52-bit mix of both halves of each input: collisions need ~2^26 pairs in one table.
 */
export function pairKey(a: number, b: number): number {
  const aHi = (a / 4294967296) | 0;
  const bHi = (b / 4294967296) | 0;
  let h = Math.imul((a | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(aHi, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ (b | 0), 0x27d4eb2f) ^ Math.imul(bHi, 0x165667b1);
  let l = Math.imul((b | 0) ^ 0x7f4a7c15, 0xcc9e2d51) ^ (a | 0);
  l = Math.imul(l ^ (l >>> 15), 0x1b873593) ^ bHi ^ aHi;
  return (h >>> 0) * 1048576 + ((l >>> 0) & 0xfffff);
}
