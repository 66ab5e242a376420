import type { HttpField, HttpHeader, HttpRequest } from './request.js';

/**
 * WebSocket (RFC 6455) after an `Upgrade: websocket` request the server answered 101: the client's
 * frames, read from the reassembled stream, unmasked and joined into messages (continuation frames,
 * control frames between them). What a client sends there reaches the application like a request
 * body does (a chat line, a search, a GraphQL subscription), so each message is inspected as one.
 * Held at once: one frame header, and one message up to `maxHold` bytes (the rest is counted, not kept).
 */

/** Receives the client's messages. */
export interface WsSink {
  /**
   * A whole message, text or binary: its payload unmasked (`truncated`: more than the reader holds
   * was sent), and `compressed` when its first frame had RSV1 set (permessage-deflate).
   */
  onWsMessage(payload: Buffer, compressed: boolean, truncated: boolean): void;
  /** The frames can no longer be read (a malformed frame), or the client closed the connection. */
  onWsEnd(reason: string): void;
  /** Asks to hold `n` more bytes of a message (a memory budget shared with other flows); false: refused. */
  hold(n: number): boolean;
  /** Gives back `n` bytes held. */
  release(n: number): void;
}

const OP_CONTINUATION = 0;
const OP_TEXT = 1;
const OP_BINARY = 2;
const OP_CLOSE = 8;

const S_HEAD = 0;
const S_PAYLOAD = 1;
const S_DONE = 2;

/** Longest frame length taken (2^53: what a double holds exactly); longer is a malformed frame. */
const MAX_FRAME = Number.MAX_SAFE_INTEGER;

export class WsReader {
  private state = S_HEAD;
  /** The frame header being read: 2 bytes, then the extended length and the masking key. */
  private readonly head = Buffer.alloc(14);
  private headLen = 0;
  private headNeed = 2;
  private fin = false;
  private opcode = 0;
  private readonly mask = Buffer.alloc(4);
  private masked = false;
  /** Payload bytes of the current frame still to come, and how many of it were read. */
  private left = 0;
  private at = 0;
  /** The message being gathered: its opcode (-1: none), whether compressed, its chunks. */
  private msgOp = -1;
  private msgCompressed = false;
  private chunks: Buffer[] = [];
  private held = 0;
  private truncated = false;

  constructor(
    private readonly sink: WsSink,
    /** Most bytes of one message held. */
    private readonly maxHold: number,
  ) {}

  /** True once the reader stopped (a malformed frame, or a close frame). */
  get ended(): boolean {
    return this.state === S_DONE;
  }

  feed(buf: Buffer, off: number, len: number): void {
    const end = off + len;
    while (off < end && this.state !== S_DONE) {
      if (this.state === S_HEAD) {
        const take = Math.min(this.headNeed - this.headLen, end - off);
        buf.copy(this.head, this.headLen, off, off + take);
        this.headLen += take;
        off += take;
        if (this.headLen === this.headNeed) this.headRead();
      } else {
        const take = Math.min(this.left, end - off);
        this.payload(buf, off, take);
        off += take;
        this.left -= take;
        if (this.left === 0) this.frameDone();
      }
    }
  }

  /** Stops reading (a gap in the stream, a malformed frame): the message held is dropped. */
  fail(reason: string): void {
    this.drop();
    this.state = S_DONE;
    this.sink.onWsEnd(reason);
  }

  /** Lets go of the message held (the flow ended inside it: no server acts on half a message). */
  drop(): void {
    this.sink.release(this.held);
    this.chunks = [];
    this.held = 0;
    this.msgOp = -1;
    this.truncated = false;
  }

  /** Called each time `headNeed` bytes are in: the first two tell how many more the header has. */
  private headRead(): void {
    const h = this.head;
    if (this.headNeed === 2) {
      const len7 = h[1] & 0x7f;
      this.headNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h[1] & 0x80 ? 4 : 0);
      if (this.headNeed > 2) return;
    }
    this.fin = (h[0] & 0x80) !== 0;
    this.opcode = h[0] & 0x0f;
    this.masked = (h[1] & 0x80) !== 0;
    const len7 = h[1] & 0x7f;
    let length = len7;
    let k = 2;
    if (len7 === 126) {
      length = h.readUInt16BE(2);
      k = 4;
    } else if (len7 === 127) {
      const hi = h.readUInt32BE(2);
      if (hi > 0x1fffff) {
        this.fail('frame length over 2^53');
        return;
      }
      length = hi * 4294967296 + h.readUInt32BE(6);
      k = 10;
    }
    if (this.masked) h.copy(this.mask, 0, k, k + 4);
    this.headLen = 0;
    this.headNeed = 2;
    const op = this.opcode;
    if (op >= 8) {
      // Control frames: short, never fragmented; a close ends what the client sends.
      if (op > 10 || !this.fin || length > 125) {
        this.fail('malformed control frame');
        return;
      }
      if (op === OP_CLOSE) {
        this.state = S_DONE;
        this.sink.onWsEnd('close');
        return;
      }
    } else if (op === OP_TEXT || op === OP_BINARY) {
      if (this.msgOp >= 0) {
        this.fail('new message inside a fragmented one');
        return;
      }
      this.msgOp = op;
      this.msgCompressed = (h[0] & 0x40) !== 0;
    } else if (op !== OP_CONTINUATION || this.msgOp < 0) {
      this.fail(op === OP_CONTINUATION ? 'continuation without a message' : `reserved opcode ${op}`);
      return;
    }
    if (length > MAX_FRAME) {
      this.fail('frame too long');
      return;
    }
    this.left = length;
    this.at = 0;
    if (length === 0) this.frameDone();
    else this.state = S_PAYLOAD;
  }

  /** Payload bytes of the current frame: a data frame's are unmasked into the message, up to `maxHold`. */
  private payload(buf: Buffer, off: number, len: number): void {
    if (this.opcode >= 8) {
      this.at += len;
      return;
    }
    let keep = Math.min(len, this.maxHold - this.held);
    if (keep > 0 && !this.sink.hold(keep)) keep = 0;
    if (keep < len) this.truncated = true;
    if (keep > 0) {
      const chunk = Buffer.allocUnsafe(keep);
      const m = this.mask;
      if (this.masked) for (let i = 0; i < keep; i++) chunk[i] = buf[off + i] ^ m[(this.at + i) & 3];
      else buf.copy(chunk, 0, off, off + keep);
      this.chunks.push(chunk);
      this.held += keep;
    }
    this.at += len;
  }

  private frameDone(): void {
    this.state = S_HEAD;
    if (this.opcode >= 8 || !this.fin) return;
    const payload = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.held);
    const compressed = this.msgCompressed;
    const truncated = this.truncated;
    this.drop();
    this.sink.onWsMessage(payload, compressed, truncated);
  }
}

/** True when an Upgrade header value names the WebSocket protocol (`websocket`, any case, in a list). */
export function isWebSocketUpgrade(upgrade: string): boolean {
  return upgrade.split(',').some((t) => t.trim().toLowerCase() === 'websocket');
}

/**
 * One client message as the detectors see it: a request of its own (its own alerts, one per
 * attack type), described by the upgrade request that opened the connection (host, URL, User-Agent
 * for the alert's `http`), whose inspection buffers are the message's (HttpPhase.MESSAGE reads
 * `moreFields`) and whose `payload_printable` is the message.
 */
export class WsMessageRequest implements HttpRequest {
  readonly head = '';
  readonly fields: readonly HttpField[] = [];
  bodyFields: readonly HttpField[] = [];
  bodyLength: number;
  alerted = 0;

  constructor(
    private readonly opening: HttpRequest,
    /** Its number on the flow: the upgrade request's, plus the message's (from 1). */
    readonly index: number,
    /** The message's number on its connection, from 1. */
    readonly message: number,
    public moreFields: readonly HttpField[],
    /** The message as the application reads it (latin1 bytes), at most the body limit. */
    public bodyText: string,
    public flags: number,
  ) {
    this.bodyLength = bodyText.length;
  }

  get method(): string {
    return this.opening.method;
  }
  get uriRaw(): string {
    return this.opening.uriRaw;
  }
  get uriNormalized(): string {
    return this.opening.uriNormalized;
  }
  get path(): string {
    return this.opening.path;
  }
  get query(): string {
    return this.opening.query;
  }
  get protocol(): string {
    return this.opening.protocol;
  }
  get headers(): readonly HttpHeader[] {
    return this.opening.headers;
  }
  get hostname(): string {
    return this.opening.hostname;
  }
  get hostPort(): number {
    return this.opening.hostPort;
  }
  get userAgent(): string {
    return this.opening.userAgent;
  }
  get referer(): string {
    return this.opening.referer;
  }
  get contentType(): string {
    return '';
  }
  get contentEncoding(): string {
    return '';
  }
  get upgrade(): string {
    return '';
  }
  get status(): number {
    return this.opening.status;
  }
  get responseLength(): number {
    return 0;
  }
  get responseContentType(): string {
    return '';
  }
  get responseLocation(): string {
    return '';
  }
  get clientPort(): number {
    return this.opening.clientPort;
  }
  get serverPort(): number {
    return this.opening.serverPort;
  }
  get clientIsInitiator(): boolean {
    return this.opening.clientIsInitiator;
  }
}
