/**
 * Incremental decoder of the chunked transfer coding, byte by byte across segment boundaries,
 * holding no data: each `feed` call consumes framing bytes and at most one run of chunk data,
 * which it reports as (`dataOff`, `dataLen`) inside the caller's buffer, and the trailer section
 * (the header lines after the last chunk) as (`trailerOff`, `trailerLen`).
 */

const SIZE = 0;
const EXT = 1;
const DATA = 2;
const DATA_END = 3;
const TRAILER = 4;
const DONE = 5;
const ERROR = 6;

/** Largest chunk size accepted (larger is treated as malformed). */
const MAX_CHUNK = 2 ** 40;

/** The decoder; `reset()` before each body. */
export class ChunkDecoder {
  /** Data run found by the last `feed` (length 0 when none). */
  dataOff = 0;
  dataLen = 0;
  /** Trailer bytes consumed by the last `feed` (length 0 when none). */
  trailerOff = 0;
  trailerLen = 0;
  private state = SIZE;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private lineLen = 0;

  /** True once the last chunk and the trailers were read. */
  get done(): boolean {
    return this.state === DONE;
  }

  /** True when the framing was malformed (the body ends there). */
  get failed(): boolean {
    return this.state === ERROR;
  }

  /** Starts a new body. */
  reset(): void {
    this.state = SIZE;
    this.size = 0;
    this.digits = 0;
    this.remaining = 0;
    this.lineLen = 0;
    this.dataLen = 0;
    this.trailerLen = 0;
  }

  /** Consumes bytes from `buf[off, off+len)`; returns how many. Stops after one data run, at the end, or on an error. */
  feed(buf: Buffer, off: number, len: number): number {
    this.dataLen = 0;
    this.trailerLen = 0;
    let i = off;
    const end = off + len;
    while (i < end) {
      const c = buf[i];
      switch (this.state) {
        case SIZE: {
          const l = c | 0x20;
          const h = c >= 48 && c <= 57 ? c - 48 : l >= 97 && l <= 102 ? l - 87 : -1;
          if (h >= 0) {
            this.size = this.size * 16 + h;
            this.digits++;
            if (this.size > MAX_CHUNK) this.state = ERROR;
          } else if (c === 59 || c === 32 || c === 9) {
            this.state = this.digits > 0 ? EXT : ERROR;
          } else if (c === 13) {
            // CR before the LF that ends the size line.
          } else if (c === 10) {
            this.endSizeLine();
          } else {
            this.state = ERROR;
          }
          i++;
          break;
        }
        case EXT:
          if (c === 10) this.endSizeLine();
          i++;
          break;
        case DATA: {
          const n = Math.min(this.remaining, end - i);
          this.dataOff = i;
          this.dataLen = n;
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.state = DATA_END;
          return i - off;
        }
        case DATA_END:
          if (c === 10) {
            this.state = SIZE;
            this.size = 0;
            this.digits = 0;
          } else if (c !== 13) {
            this.state = ERROR;
          }
          i++;
          break;
        case TRAILER:
          if (this.trailerLen === 0) this.trailerOff = i;
          this.trailerLen++;
          if (c === 10) {
            if (this.lineLen === 0) this.state = DONE;
            this.lineLen = 0;
          } else if (c !== 13) {
            this.lineLen++;
          }
          i++;
          break;
        default:
          return i - off;
      }
      if (this.state === DONE || this.state === ERROR) return i - off;
    }
    return i - off;
  }

  private endSizeLine(): void {
    if (this.digits === 0) {
      this.state = ERROR;
    } else if (this.size === 0) {
      this.state = TRAILER;
      this.lineLen = 0;
    } else {
      this.state = DATA;
      this.remaining = this.size;
    }
  }
}
