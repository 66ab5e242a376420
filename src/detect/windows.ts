/**
 * Sliding windows on packet time, per key, bounded. Two shapes cover the built-in detectors:
 * event rates (`RateTable`, typed arrays, no garbage) and counts of distinct values
 * (`DistinctWindow`, per key in a bounded `KeyedState`).
 */

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

  /** The state of `key`, or undefined when absent (nothing created). */
  peek(key: number): T | undefined {
    return this.map.get(key);
  }

  /** Number of keys held. */
  get size(): number {
    return this.map.size;
  }
}

/** Mixes a key (an int32 or a double up to 2^53) into a 32-bit hash. */
function hashKey(key: number): number {
  let h = (key | 0) ^ Math.imul((key / 4294967296) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

/**
 * A fixed-size table mapping numeric keys to slots, for per-key state kept in typed arrays (no
 * object per key, no garbage). Open addressing; when a key's probe window (16 slots) is full, the
 * slot used least recently in it is taken over and counted in `evictions`: an approximate LRU
 * whose memory never grows, deterministic for the same input.
 */
export class SlotTable {
  /** Slots taken over from another key because the table was full around this one. */
  evictions = 0;
  /** True when the last `slot()` call gave a fresh slot (its state must be reset). */
  fresh = false;
  private readonly keys: Float64Array;
  private readonly used: Uint8Array;
  private readonly stamps: Float64Array;
  private readonly mask: number;

  constructor(maxKeys: number) {
    let cap = 16;
    while (cap < maxKeys) cap <<= 1;
    this.mask = cap - 1;
    this.keys = new Float64Array(cap);
    this.used = new Uint8Array(cap);
    this.stamps = new Float64Array(cap);
  }

  /** Number of slots. */
  get capacity(): number {
    return this.mask + 1;
  }

  /** The slot of `key`, claimed if absent; `nowUs` marks it used. Sets `fresh`. */
  slot(key: number, nowUs: number): number {
    const mask = this.mask;
    const home = hashKey(key);
    let victim = -1;
    let oldest = Infinity;
    for (let i = 0; i < 16; i++) {
      const s = (home + i) & mask;
      if (this.used[s] === 0) {
        this.used[s] = 1;
        this.keys[s] = key;
        this.stamps[s] = nowUs;
        this.fresh = true;
        return s;
      }
      if (this.keys[s] === key) {
        this.stamps[s] = nowUs;
        this.fresh = false;
        return s;
      }
      if (this.stamps[s] < oldest) {
        oldest = this.stamps[s];
        victim = s;
      }
    }
    this.evictions++;
    this.keys[victim] = key;
    this.stamps[victim] = nowUs;
    this.fresh = true;
    return victim;
  }
}

/**
 * Sliding-window rates for many keys, in typed arrays: an estimate from two fixed buckets
 * (the previous one weighted by how much of it the window still covers), O(1) per slot and lane. Lanes count different
 * events of one key (e.g. SYNs and completed handshakes).
 */
export class RateTable {
  readonly slots: SlotTable;
  private readonly start: Float64Array;
  private readonly cur: Float64Array;
  private readonly prev: Float64Array;

  constructor(maxKeys: number, private readonly lanes: number, private readonly windowUs: number) {
    this.slots = new SlotTable(maxKeys);
    const n = this.slots.capacity * lanes;
    this.start = new Float64Array(n);
    this.cur = new Float64Array(n);
    this.prev = new Float64Array(n);
  }

  /** The slot of `key` (state reset when fresh). */
  slot(key: number, nowUs: number): number {
    const s = this.slots.slot(key, nowUs);
    if (this.slots.fresh) {
      for (let l = 0; l < this.lanes; l++) {
        const i = s * this.lanes + l;
        this.start[i] = nowUs;
        this.cur[i] = 0;
        this.prev[i] = 0;
      }
    }
    return s;
  }

  /** Counts one event in `lane` of `slot` at `tsUs`; returns the events in the window. */
  add(slot: number, lane: number, tsUs: number): number {
    const i = slot * this.lanes + lane;
    this.roll(i, tsUs);
    this.cur[i]++;
    return this.estimate(i, tsUs);
  }

  /** Events in the window of `lane` of `slot` at `tsUs`, without counting one. */
  peek(slot: number, lane: number, tsUs: number): number {
    const i = slot * this.lanes + lane;
    this.roll(i, tsUs);
    return this.estimate(i, tsUs);
  }

  private roll(i: number, tsUs: number): void {
    const w = this.windowUs;
    const elapsed = tsUs - this.start[i];
    if (elapsed < w) return;
    if (elapsed < 2 * w) {
      this.prev[i] = this.cur[i];
      this.start[i] += w;
    } else {
      this.prev[i] = 0;
      this.start[i] = tsUs;
    }
    this.cur[i] = 0;
  }

  private estimate(i: number, tsUs: number): number {
    const into = (tsUs - this.start[i]) / this.windowUs;
    return this.cur[i] + this.prev[i] * (into >= 1 ? 0 : into <= 0 ? 1 : 1 - into);
  }
}

/**
 * Distinct values per key within a window, for many keys. Most keys only ever see one value (a
 * client and its one server port): that first value lives in typed arrays, and a
 * `DistinctWindow` is made only for keys that reach a second value, so memory per quiet key is
 * a few bytes and the object count stays with the keys that matter.
 */
export class DistinctTable {
  private readonly first: SlotTable;
  private readonly firstValue: Float64Array;
  private readonly firstUs: Float64Array;
  private readonly multi: KeyedState<DistinctWindow>;

  constructor(maxKeys: number, private readonly threshold: number, private readonly windowUs: number) {
    this.first = new SlotTable(maxKeys);
    this.firstValue = new Float64Array(this.first.capacity);
    this.firstUs = new Float64Array(this.first.capacity);
    this.multi = new KeyedState(maxKeys, () => new DistinctWindow(threshold * 4));
  }

  /** Keys dropped for room (either tier). */
  get evictions(): number {
    return this.first.evictions + this.multi.evictions;
  }

  /** Records `value` for `key` at `tsUs`; returns the distinct values of `key` in the window. */
  add(key: number, value: number, tsUs: number): number {
    let win = this.multi.peek(key);
    if (win === undefined) {
      const s = this.first.slot(key, tsUs);
      if (this.first.fresh || this.firstValue[s] === value || tsUs - this.firstUs[s] > this.windowUs) {
        this.firstValue[s] = value;
        this.firstUs[s] = tsUs;
        return 1;
      }
      win = this.multi.get(key);
      win.add(this.firstValue[s], this.firstUs[s], this.windowUs, this.threshold);
    }
    return win.add(value, tsUs, this.windowUs, this.threshold);
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
