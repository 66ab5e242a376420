import { HpackDecoder } from './hpack.js';

/**
 * One side of an HTTP/2 connection in cleartext (h2c: with prior knowledge, or after an
 * `Upgrade: h2c` answered 101), read from the reassembled stream: the client's connection
 * preface (the server's is a SETTINGS frame like any), then frames (RFC 9113 §4). Header blocks (HEADERS and CONTINUATION, padding and priority fields
 * stripped) are decoded with HPACK; DATA is handed on as it arrives, padding stripped. The
 * other frames carry nothing a request is made of and are skipped. What is held at once is
 * bounded: one header block (`maxHeaderBlock` bytes; a longer one is an error) and nine bytes
 * of frame header; DATA is never held here.
 */

/** Receives what one side sends, stream by stream. */
export interface H2Sink {
  /** A decoded header block (a request's or a response's head, or trailers); `endStream`: no DATA follows. */
  onH2Headers(stream: number, fields: [string, string][], endStream: boolean): void;
  /** Body bytes of a stream. */
  onH2Data(stream: number, buf: Buffer, off: number, len: number): void;
  /** This side announced SETTINGS_HEADER_TABLE_SIZE: the most the other side's encoder may use. */
  onH2TableSize?(size: number): void;
  /** The side ended the stream after DATA (END_STREAM on a DATA frame), or reset it (RST_STREAM). */
  onH2End(stream: number, reset: boolean): void;
  /** The connection can no longer be read (a malformed frame or header block). */
  onH2Error(reason: string): void;
}

/** The client connection preface (RFC 9113 §3.4). */
export const H2_CLIENT_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

const FRAME_DATA = 0;
const FRAME_HEADERS = 1;
const FRAME_RST_STREAM = 3;
const FRAME_SETTINGS = 4;
const FRAME_CONTINUATION = 9;

const FLAG_END_STREAM = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;

const S_PREFACE = 0;
const S_HEAD = 1;
const S_PAYLOAD = 2;
const S_FAILED = 3;

export class H2Reader {
  private state: number;
  private prefaceSeen = 0;
  private readonly head = Buffer.alloc(9);
  private headLen = 0;
  private type = 0;
  private flags = 0;
  private stream = 0;
  /** Payload bytes of the current frame not read yet. */
  private left = 0;
  /** DATA: the pad length byte is still to come; then bytes of data before the padding. */
  private padByte = false;
  private dataLeft = 0;
  /** HEADERS: the frame's payload (padding and priority are stripped once it is whole). */
  private frame: Buffer | null = null;
  private frameLen = 0;
  /** The header block being gathered (HEADERS then CONTINUATIONs), its stream and END_STREAM. */
  private block: Buffer[] = [];
  private blockLen = 0;
  private blockStream = 0;
  private blockEnd = false;
  private readonly hpack = new HpackDecoder();

  constructor(
    private readonly sink: H2Sink,
    private readonly maxHeaderBlock: number,
    /** The client's side, which starts with the connection preface. */
    client: boolean,
  ) {
    this.state = client ? S_PREFACE : S_HEAD;
  }

  get failed(): boolean {
    return this.state === S_FAILED;
  }

  /** The other side announced SETTINGS_HEADER_TABLE_SIZE `size`: what this side's encoder may use. */
  setTableLimit(size: number): void {
    this.hpack.setLimit(size);
  }

  feed(buf: Buffer, off: number, len: number): void {
    const end = off + len;
    while (off < end && this.state !== S_FAILED) {
      switch (this.state) {
        case S_PREFACE: {
          while (off < end && this.prefaceSeen < H2_CLIENT_PREFACE.length) {
            if (buf[off] !== H2_CLIENT_PREFACE.charCodeAt(this.prefaceSeen)) return this.fail('no connection preface');
            off++;
            this.prefaceSeen++;
          }
          if (this.prefaceSeen === H2_CLIENT_PREFACE.length) this.state = S_HEAD;
          break;
        }
        case S_HEAD: {
          const n = Math.min(9 - this.headLen, end - off);
          buf.copy(this.head, this.headLen, off, off + n);
          this.headLen += n;
          off += n;
          if (this.headLen === 9) this.startFrame();
          break;
        }
        case S_PAYLOAD: {
          const n = Math.min(this.left, end - off);
          this.payload(buf, off, n);
          off += n;
          this.left -= n;
          if (this.left === 0 && this.state === S_PAYLOAD) this.endFrame();
          break;
        }
        default:
          return;
      }
    }
  }

  private startFrame(): void {
    const h = this.head;
    this.left = (h[0] << 16) | (h[1] << 8) | h[2];
    this.type = h[3];
    this.flags = h[4];
    this.stream = h.readUInt32BE(5) & 0x7fffffff;
    this.headLen = 0;
    // A header block must go on in CONTINUATION frames of its stream, and nothing else.
    if (this.blockLen > 0 || this.block.length > 0) {
      if (this.type !== FRAME_CONTINUATION || this.stream !== this.blockStream) return this.fail('header block interrupted');
    } else if (this.type === FRAME_CONTINUATION) {
      return this.fail('CONTINUATION without HEADERS');
    }
    if (this.type === FRAME_DATA) {
      this.padByte = (this.flags & FLAG_PADDED) !== 0;
      this.dataLeft = this.padByte ? -1 : this.left;
    } else if (this.type === FRAME_HEADERS || this.type === FRAME_CONTINUATION) {
      if (this.blockLen + this.left > this.maxHeaderBlock) return this.fail('header block too large');
      this.frame = this.left > 0 ? Buffer.allocUnsafe(this.left) : null;
      this.frameLen = 0;
    } else if (this.type === FRAME_SETTINGS && this.left > 0 && this.left <= 6 * 64) {
      this.frame = Buffer.allocUnsafe(this.left);
      this.frameLen = 0;
    }
    this.state = S_PAYLOAD;
    if (this.left === 0) this.endFrame();
  }

  private payload(buf: Buffer, off: number, n: number): void {
    if (this.type === FRAME_DATA) {
      if (this.padByte && n > 0) {
        const pad = buf[off];
        this.padByte = false;
        this.dataLeft = this.left - 1 - pad;
        if (this.dataLeft < 0) return this.fail('DATA padding longer than the frame');
        off++;
        n--;
      }
      const take = Math.min(n, this.dataLeft);
      if (take > 0) {
        this.sink.onH2Data(this.stream, buf, off, take);
        this.dataLeft -= take;
      }
    } else if (this.frame !== null) {
      buf.copy(this.frame, this.frameLen, off, off + n);
      this.frameLen += n;
    }
  }

  private endFrame(): void {
    this.state = S_HEAD;
    switch (this.type) {
      case FRAME_DATA:
        if (this.flags & FLAG_END_STREAM) this.sink.onH2End(this.stream, false);
        break;
      case FRAME_HEADERS: {
        const f = this.frame ?? Buffer.alloc(0);
        let from = 0;
        let to = f.length;
        if (this.flags & FLAG_PADDED) {
          if (to < 1) return this.fail('HEADERS too short');
          to -= f[0];
          from = 1;
        }
        if (this.flags & FLAG_PRIORITY) from += 5;
        if (from > to) return this.fail('HEADERS padding longer than the frame');
        this.blockStream = this.stream;
        this.blockEnd = (this.flags & FLAG_END_STREAM) !== 0;
        this.addFragment(f.subarray(from, to));
        break;
      }
      case FRAME_CONTINUATION:
        this.addFragment(this.frame ?? Buffer.alloc(0));
        break;
      case FRAME_RST_STREAM:
        this.sink.onH2End(this.stream, true);
        break;
      case FRAME_SETTINGS: {
        // Entries of 6 bytes: identifier, value; 1 is SETTINGS_HEADER_TABLE_SIZE.
        const f = this.frame;
        this.frame = null;
        if (f === null || this.flags & 0x1) break;
        for (let i = 0; i + 6 <= this.frameLen; i += 6) if (f.readUInt16BE(i) === 1) this.sink.onH2TableSize?.(f.readUInt32BE(i + 2));
        break;
      }
      default:
        break;
    }
  }

  private addFragment(fragment: Buffer): void {
    this.frame = null;
    if (fragment.length > 0) this.block.push(fragment);
    this.blockLen += fragment.length;
    if (!(this.flags & FLAG_END_HEADERS)) {
      // Marks a block in progress even when its first fragment is empty.
      if (this.block.length === 0) this.block.push(Buffer.alloc(0));
      return;
    }
    const block = this.block.length === 1 ? this.block[0] : Buffer.concat(this.block);
    this.block = [];
    this.blockLen = 0;
    const fields = this.hpack.decode(block, 0, block.length);
    if (fields === null) return this.fail('malformed header block');
    this.sink.onH2Headers(this.blockStream, fields, this.blockEnd);
  }

  private fail(reason: string): void {
    this.state = S_FAILED;
    this.frame = null;
    this.block = [];
    this.sink.onH2Error(reason);
  }
}
