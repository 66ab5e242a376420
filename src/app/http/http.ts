import type { SectionSpec, SectionValues } from '../../config/params.js';
import type { Packet } from '../../decode/packet.js';
import type { StreamConsumer, StreamReassembler } from '../../stream/stream.js';
import { type BodyLimits, jsonStart, parseBody, parseBodyTail } from './body.js';
import { decodeContent, inflateMessage } from './content-coding.js';
import { ChunkDecoder } from './chunked.js';
import { H2Reader, type H2Sink } from './h2.js';
import { canStartRequest, HeadFraming, type HeadLimits, parseRequestHead, parseResponseHead, parseTrailers, readMoreHeaders, type RequestLine, type RequestOrigin, type ResponseHead, ResponseHeadReader, splitRequestLine, splitRequestLineAt, statusLineCode } from './head.js';
import { FieldKind, type HttpField, HttpFlag, type HttpRequest } from './request.js';
import { isWebSocketUpgrade, WsMessageRequest, WsReader, type WsSink } from './websocket.js';

/**
 * The HTTP/1.x stage: parses the reassembled streams of every TCP flow that speaks HTTP (decided
 * from the first bytes, whatever the port), request by request (keep-alive and pipelined), and
 * hands each request to the handler twice: when its head is complete (URI, arguments, headers,
 * cookies can be inspected and the request blocked before its body arrives) and when its body is.
 * Responses are parsed for their status and framing only; their bodies are counted, never held.
 *
 * Memory: per HTTP flow one state object; a partial head (≤ `max_header_bytes`) and the kept part
 * of a body (≤ `body_limit`) are buffered, all of it under `memcap` across flows. A flow that does
 * not speak HTTP is handed back to the stream stage at its first bytes (no more work for it).
 */

/** Configuration of the HTTP stage. */
export const httpParams: SectionSpec = {
  path: 'http',
  help: 'HTTP/1.x parsing of reassembled TCP streams (recognised by content, on any port).',
  params: [
    { name: 'enabled', type: 'bool', default: true, help: 'Parse HTTP requests and responses (needs stream.enabled).' },
    { name: 'max_line', type: 'int', default: 8192, min: 64, max: 1048576, help: 'Request line or header line length past which the request is flagged line_too_long (it is still inspected).' },
    { name: 'max_header_bytes', type: 'int', default: 65536, min: 1024, max: 16777216, help: 'Bytes of a request or response head held at once; a longer request head is read and inspected a window of this size at a time, to its end (headers_too_large).' },
    { name: 'max_headers', type: 'int', default: 2048, min: 8, max: 65536, help: 'Headers kept and inspected one by one per request; the values of later ones are inspected as one (headers_too_large), and they still frame the body.' },
    { name: 'max_args', type: 'int', default: 1024, min: 1, max: 1048576, help: 'Arguments, cookies or body fields decoded one by one per request; what follows them is inspected as one value (too_many_args).' },
    { name: 'body_limit', type: 'int', default: 65536, min: 0, max: 67108864, help: 'Request body bytes decoded and inspected; of the rest only its last 8 KB (at most body_limit) is read, for what padding pushed there (body_truncated).' },
    { name: 'max_pipelined', type: 'int', default: 64, min: 1, max: 65536, help: 'Requests of one flow waiting for their response; older ones are logged without a status.' },
    { name: 'memcap', type: 'int', default: 67108864, min: 65536, max: 68719476736, help: 'Bytes of partial requests and responses buffered across all flows; past it a request is inspected as far as it arrived (memcap_hits).' },
  ],
};

/** When the handler sees a request. */
export const HttpPhase = {
  /** Request line and headers are complete (the body, if any, follows). */
  HEAD: 0,
  /** The body is complete (or ended early): `bodyFields` are filled. */
  BODY: 1,
  /**
   * A window of the rest of a head longer than `max_header_bytes` (after HEAD, before BODY; one
   * per window, the last at the head's empty line), or an HTTP/2 request's trailers (after its
   * body): `moreFields` hold their headers.
   */
  MORE_HEADERS: 2,
  /** A WebSocket message of the client's (a request of its own, see `WsMessageRequest`): `moreFields` hold it. */
  MESSAGE: 3,
} as const;

/** Receives parsed requests (the detect stage) and finished transactions (the http event log). */
export interface HttpHandler {
  /** `p` is the packet that completed the phase, or null when the flow ended first. */
  onRequest(req: HttpRequest, flow: number, phase: number, p: Packet | null): void;
  /** The response was complete (or will never be): `req.status` is set when it was seen. */
  onTransaction(req: HttpRequest, flow: number, p: Packet | null): void;
}

const REQ_HEAD = 0;
const REQ_BODY = 1;
const REQ_CHUNKED = 2;
const REQ_RESYNC = 3;
const REQ_DONE = 4;
/** Reading the rest of a head longer than `max_header_bytes`, a window at a time. */
const REQ_HEAD_MORE = 5;

const RES_HEAD = 0;
const RES_BODY = 1;
const RES_CHUNKED = 2;
const RES_CLOSE = 3;
const RES_RESYNC = 4;
const RES_DONE = 5;

/** The start of HTTP/2's connection preface (RFC 9113 §3.4). */
const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** Bytes searched for a request start in a flow that never had one before giving up on it. */
const RESYNC_LIMIT = 65536;

/** Flow modes (per slot). */
const UNKNOWN = 0;
const HTTP = 1;
const NOT_HTTP = 2;

/** One growing byte buffer (a partial head), accounted against the memcap. */
class HeadBuffer {
  buf: Buffer | null = null;
  len = 0;
  /** Lines completed so far and bytes in the current line (CR not counted). */
  lines = 0;
  lineLen = 0;
  /** Bytes of the first line, and whether its method token ended, for early rejection. */
  firstPos = 0;
  methodDone = false;

  reset(): void {
    this.len = 0;
    this.lines = 0;
    this.lineLen = 0;
    this.firstPos = 0;
    this.methodDone = false;
  }
}

/**
 * Parsing state of one HTTP flow. Reused: a flow's state lives as long as the flow (closed flows
 * linger `flow.timeout_closed`), long enough to survive a young-generation GC, so fresh objects per
 * flow were promoted and collected by the old generation; recycled ones stay put (`HttpApp.spare`).
 */
class HttpFlowState {
  /** The flow-table direction (`toServer` value) in which the client sends. */
  clientDir = true;
  reqState = REQ_HEAD;
  /** The next head may be garbage (midstream or after a gap): a bad request line means resync, not "not HTTP". */
  resyncing = false;
  readonly head = new HeadBuffer();
  current: HttpRequest | null = null;
  bodyRemaining = 0;
  bodyKept = 0;
  readonly bodyParts: Buffer[] = [];
  bodyDirect = '';
  /** The last bytes of a body past `body_limit` (`tailLen` of them), or null: see `keepTail`. */
  tail: Buffer | null = null;
  tailLen = 0;
  readonly reqChunks = new ChunkDecoder();
  requests = 0;
  resyncBytes = 0;
  /** Requests waiting for their response, oldest first. */
  readonly pending: HttpRequest[] = [];

  resState = RES_HEAD;
  /** The next response head may be garbage (midstream or after a gap). */
  resResyncing = false;
  readonly resHead = new HeadBuffer();
  resTx: HttpRequest | null = null;
  resRemaining = 0;
  /** The stream stage was asked to skip (count, not hand over) the rest of a response body. */
  resSkipping = false;
  readonly resChunks = new ChunkDecoder();
  /** The client's HTTP/2 connection (h2c), once the flow speaks it; null for HTTP/1. */
  h2: H2Flow | null = null;
  /** The client's WebSocket messages, once the server accepted an upgrade to it (or frames followed the request); null for HTTP. */
  ws: WsFlow | null = null;
  /** The last request read, when it asks to upgrade to WebSocket and its answer has not come yet. */
  wsOffer: HttpRequest | null = null;

  /** Starts a flow (a new or a recycled state: buffers were released and `pending` emptied at the last flow's end). */
  init(clientDir: boolean, resyncing: boolean): this {
    this.clientDir = clientDir;
    this.reqState = REQ_HEAD;
    this.resyncing = resyncing;
    this.head.reset();
    this.current = null;
    this.bodyRemaining = 0;
    this.bodyKept = 0;
    this.bodyDirect = '';
    this.requests = 0;
    this.resyncBytes = 0;
    this.resState = RES_HEAD;
    this.resResyncing = resyncing;
    this.resHead.reset();
    this.resTx = null;
    this.resRemaining = 0;
    this.resSkipping = false;
    this.h2 = null;
    this.ws = null;
    this.wsOffer = null;
    return this;
  }
}

/** The DEFLATE window: back-references of a compressed message reach at most this far back. */
const DEFLATE_WINDOW = 32768;

const NO_BYTES = Buffer.alloc(0);

/**
 * Bytes of a compressed WebSocket message's decompressed form read (a passing allocation, not
 * held): the next message decompresses against the end of this one, so it is read whole up to
 * this much; past it the connection's later compressed messages are read as sent
 * (INVALID_COMPRESSION).
 */
const WS_COMPRESSED_HOLD = 1 << 20;

/**
 * The WebSocket side of one flow: the client's frames (`WsReader`), each message handed to the
 * detectors as a request of its own (see `HttpApp.wsMessage`), and what decompresses the next
 * permessage-deflate message (the uncompressed end of the earlier ones).
 */
class WsFlow implements WsSink {
  readonly reader: WsReader;
  /** Messages read so far. */
  messages = 0;
  /** The packet being read (what completes a message). */
  packet: Packet | null = null;
  /** The last uncompressed bytes of the compressed messages so far (their DEFLATE window), counted in the memcap. */
  window: Buffer = NO_BYTES;
  /** A compressed message did not decompress whole: later ones cannot be read against it. */
  windowLost = false;

  constructor(
    private readonly app: HttpApp,
    readonly upgrade: HttpRequest,
    readonly flow: number,
    maxHold: number,
  ) {
    this.reader = new WsReader(this, maxHold);
  }

  onWsMessage(payload: Buffer, compressed: boolean, truncated: boolean): void {
    this.app.wsMessage(this, payload, compressed, truncated);
  }

  onWsEnd(reason: string): void {
    this.app.wsEnd(this, reason);
  }

  hold(n: number): boolean {
    return this.app.holdBytes(n);
  }

  release(n: number): void {
    this.app.holdBytes(-n);
  }
}

/** The last bytes of a body past `body_limit` (`tailLen` of them), or null: see `keepTail`. */
interface BodyTail {
  tail: Buffer | null;
  tailLen: number;
}

/** One request stream of an HTTP/2 connection, until the client ends it. */
interface H2Stream extends BodyTail {
  readonly req: HttpRequest;
  readonly parts: Buffer[];
  kept: number;
}

/** The server's side of an HTTP/2 connection: each response's status, type and length go to its request. */
class H2ResponseSink implements H2Sink {
  constructor(private readonly h2: H2Flow) {}

  onH2Headers(stream: number, fields: [string, string][], endStream: boolean): void {
    const req = this.h2.unanswered.get(stream);
    if (req === undefined) return;
    // Interim responses (1xx) come before the answer; a second block after it is trailers.
    const status = Number(fields.find((f) => f[0] === ':status')?.[1] ?? '0');
    if (req.status === 0 && status >= 200) {
      req.status = status;
      req.responseContentType = fields.find((f) => f[0] === 'content-type')?.[1] ?? '';
      req.responseLocation = fields.find((f) => f[0] === 'location')?.[1] ?? '';
    }
    if (endStream && req.status !== 0) this.h2.answered(stream, req);
  }

  onH2Data(stream: number, _buf: Buffer, _off: number, len: number): void {
    const req = this.h2.unanswered.get(stream);
    if (req !== undefined) req.responseLength += len;
  }

  onH2End(stream: number): void {
    const req = this.h2.unanswered.get(stream);
    if (req !== undefined) this.h2.answered(stream, req);
  }

  onH2TableSize(size: number): void {
    this.h2.reader.setTableLimit(size);
  }

  onH2Error(): void {
    this.h2.serverFailed();
  }
}

/**
 * The HTTP/2 side of one flow: both sides' frames (`H2Reader`), the request of each open stream,
 * and the transactions waiting for their answer. Each header block becomes a request as an HTTP/1
 * head would (see `HttpApp.h2Head`), so every normalisation and check applies unchanged; DATA is
 * its body.
 */
class H2Flow implements H2Sink {
  readonly reader: H2Reader;
  readonly server: H2Reader;
  /** Open streams, oldest first (at most `max_pipelined`). */
  readonly streams = new Map<number, H2Stream>();
  /** Requests whose response has not ended yet, by stream. */
  readonly unanswered = new Map<number, HttpRequest>();
  /** Requests sent whole and waiting for their response's end, oldest first (at most `max_pipelined`). */
  readonly awaiting = new Map<number, HttpRequest>();
  /** Streams whose response ended before their request did. */
  private readonly ended = new Set<number>();
  /** The packet being read (what completes a phase). */
  packet: Packet | null = null;

  constructor(
    private readonly app: HttpApp,
    private readonly st: HttpFlowState,
    readonly flow: number,
    maxHeaderBlock: number,
  ) {
    this.reader = new H2Reader(this, maxHeaderBlock, true);
    this.server = new H2Reader(new H2ResponseSink(this), maxHeaderBlock, false);
  }

  /** A request is whole: logged now if answered, else when its answer ends (or the flow does). */
  requestDone(stream: number, req: HttpRequest): void {
    if (this.ended.delete(stream) || this.server.failed) {
      this.unanswered.delete(stream);
      this.app.h2Log(req, this.flow, this.packet);
      return;
    }
    if (this.awaiting.size >= this.app.maxWaiting) {
      const [oldest, r] = this.awaiting.entries().next().value as [number, HttpRequest];
      this.awaiting.delete(oldest);
      this.unanswered.delete(oldest);
      this.app.h2Log(r, this.flow, this.packet);
    }
    this.awaiting.set(stream, req);
  }

  /** The response on `stream` ended: logged with its request if that is whole, else when it is. */
  answered(stream: number, req: HttpRequest): void {
    this.unanswered.delete(stream);
    if (this.awaiting.delete(stream)) this.app.h2Log(req, this.flow, this.packet);
    else if (this.streams.has(stream) && this.ended.size < this.app.maxWaiting) this.ended.add(stream);
  }

  /** The server's side cannot be read: requests are logged without their answers from now on. */
  serverFailed(): void {
    this.app.stats.http2_errors++;
    this.unanswered.clear();
    this.ended.clear();
    for (const req of this.awaiting.values()) this.app.h2Log(req, this.flow, this.packet);
    this.awaiting.clear();
  }

  /** Logs every request still waiting (the flow ends). */
  flush(): void {
    for (const req of this.awaiting.values()) this.app.h2Log(req, this.flow, null);
    this.awaiting.clear();
    this.unanswered.clear();
    this.ended.clear();
  }

  onH2Headers(stream: number, fields: [string, string][], endStream: boolean): void {
    // A second block on an open stream is its trailers: inspected as more headers of its request.
    const open = this.streams.get(stream);
    if (open === undefined) this.app.h2Head(this.st, this, this.flow, stream, fields, endStream);
    else {
      this.app.h2Trailers(open.req, this.flow, fields, this.packet);
      if (endStream) this.onH2End(stream, false);
    }
  }

  onH2Data(stream: number, buf: Buffer, off: number, len: number): void {
    const s = this.streams.get(stream);
    if (s !== undefined) this.app.h2Data(s, buf, off, len);
  }

  onH2TableSize(size: number): void {
    this.server.setTableLimit(size);
  }

  onH2End(stream: number, reset: boolean): void {
    const s = this.streams.get(stream);
    if (s === undefined) return;
    this.streams.delete(stream);
    this.app.h2End(this, stream, s, this.packet, reset ? HttpFlag.INCOMPLETE : 0);
  }

  onH2Error(): void {
    this.app.h2Failed(this.st, this, this.flow);
  }
}

/** Most bytes kept of the end of a body past `body_limit` (at most `body_limit` of them too). */
const TAIL_BYTES = 8192;

/** Most flow states kept for reuse (a flood of flows ending at once is left to the GC beyond it). */
const SPARE_STATES = 16384;

/** Result of scanning for the end of a head. */
const NEED_MORE = -1;
const INVALID = -2;

/** Index of `byte` in `buf[from, end)`, or -1 (Buffer.indexOf would search the whole shared read buffer). */
function indexOfByte(buf: Buffer, byte: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === byte) return i;
  return -1;
}

/** True when the `len` bytes at `buf[off]` are `text`'s start, or `text` is theirs (latin1). */
/**
 * True when `buf[off, off + len)` starts as a client's first WebSocket frame: RSV2 and RSV3
 * clear, a text or binary opcode, and the mask bit a client sets. No request starts so: a
 * method's letters never have the mask bit (0x80) in their second byte.
 */
function startsLikeClientFrame(buf: Buffer, off: number, len: number): boolean {
  const b0 = buf[off];
  const op = b0 & 0x0f;
  if ((b0 & 0x30) !== 0 || (op !== 1 && op !== 2)) return false;
  return len < 2 || (buf[off + 1] & 0x80) !== 0;
}

function startsLike(buf: Buffer, off: number, len: number, text: string): boolean {
  for (let k = 0; k < text.length && k < len; k++) if (buf[off + k] !== text.charCodeAt(k)) return false;
  return true;
}

function isMethodByte(c: number, first: boolean): boolean {
  return (c >= 65 && c <= 90) || (!first && (c === 45 || c === 95 || (c >= 48 && c <= 57)));
}

/** The HTTP stage. */
export class HttpApp implements StreamConsumer {
  readonly stats = {
    flows: 0,
    not_http: 0,
    requests: 0,
    request_bodies: 0,
    responses: 0,
    transactions: 0,
    invalid_requests: 0,
    invalid_responses: 0,
    responses_without_request: 0,
    resyncs: 0,
    gaps: 0,
    pipelined: 0,
    pending_overflow: 0,
    tunnels: 0,
    http2_prior_knowledge: 0,
    http2_upgrades: 0,
    /** Requests read from HTTP/2 streams (counted in `requests` too). */
    http2_requests: 0,
    http2_errors: 0,
    websocket_upgrades: 0,
    websocket_messages: 0,
    websocket_errors: 0,
    websocket_undecompressed: 0,
    memcap_hits: 0,
    buffered_bytes: 0,
    request_bytes: 0,
  };

  readonly enabled: boolean;
  private readonly limits: HeadLimits & BodyLimits;
  private readonly maxHeaderBytes: number;
  private readonly bodyLimit: number;
  /** Bytes kept of the end of a body past `bodyLimit` (none when bodies are not inspected). */
  private readonly tailBytes: number;
  private readonly maxPipelined: number;
  private readonly memcap: number;
  private readonly states: (HttpFlowState | null)[];
  private readonly mode: Uint8Array;
  /** Request origin and head framing, filled per request (parse results are read right away). */
  private readonly origin = { index: 0, clientPort: 0, serverPort: 0, clientIsInitiator: true };
  private readonly framing = new HeadFraming();
  private readonly resReader = new ResponseHeadReader();
  /**
   * The text `wholeHead` made of the segment being fed (from buffer offset `segStart`), '' when
   * none: a body that follows its head in the same segment is sliced from it, not converted again.
   */
  private segText = '';
  private segBuf: Buffer | null = null;
  private segStart = 0;
  /** States of ended flows, ready for new ones. */
  private readonly spare: HttpFlowState[] = [];
  private buffered = 0;

  constructor(
    values: SectionValues,
    capacity: number,
    private readonly stream: StreamReassembler,
    private readonly handler: HttpHandler,
    /** Ports of a flow slot: initiator (A) and responder (B). */
    private readonly ports: { readonly portA: Uint16Array; readonly portB: Uint16Array },
  ) {
    this.enabled = (values.enabled as boolean) && stream.enabled;
    const maxArgs = values.max_args as number;
    this.limits = { maxLine: values.max_line as number, maxHeaders: values.max_headers as number, maxArgs, maxFields: maxArgs };
    this.maxHeaderBytes = values.max_header_bytes as number;
    this.bodyLimit = values.body_limit as number;
    this.tailBytes = Math.min(TAIL_BYTES, this.bodyLimit);
    this.maxPipelined = values.max_pipelined as number;
    this.memcap = values.memcap as number;
    this.states = new Array<HttpFlowState | null>(this.enabled ? capacity : 0).fill(null);
    this.mode = new Uint8Array(this.enabled ? capacity : 0);
    if (this.enabled) stream.consumer = this;
  }

  /** Bytes of partial heads and bodies buffered right now (never above `memcap`). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  onData(p: Packet, flow: number, toServer: boolean, buf: Buffer, off: number, len: number): void {
    let st = this.states[flow];
    if (st === null) {
      if (this.mode[flow] !== UNKNOWN) return;
      st = this.recognise(flow, toServer, buf, off, len);
      if (st === null) return;
    }
    // Skipped response bytes are counted before anything can report on the transaction (an
    // alert on the request's body carries the response length so far).
    if (st.resSkipping) this.countSkipped(st, flow);
    if (st.h2 !== null) {
      st.h2.packet = p;
      if (toServer === st.clientDir) {
        this.stats.request_bytes += len;
        st.h2.reader.feed(buf, off, len);
      } else if (!st.h2.server.failed) {
        st.h2.server.feed(buf, off, len);
      }
      return;
    }
    if (st.ws !== null) {
      if (toServer === st.clientDir) {
        this.stats.request_bytes += len;
        st.ws.packet = p;
        st.ws.reader.feed(buf, off, len);
      } else if (st.resState !== RES_DONE) {
        // Frames came before the server's answer: that answer is still read (see wsEarly).
        this.feedResponse(st, p, flow, buf, off, len);
      }
      return;
    }
    if (toServer === st.clientDir) {
      this.stats.request_bytes += len;
      this.feedRequest(st, p, flow, buf, off, len);
    } else {
      this.feedResponse(st, p, flow, buf, off, len);
    }
  }

  onGap(p: Packet, flow: number, toServer: boolean, bytes: number): void {
    const st = this.states[flow];
    if (st === null) return;
    this.stats.gaps++;
    if (st.resSkipping) this.countSkipped(st, flow);
    if (st.h2 !== null) {
      // Header blocks are compressed against what came before: a gap loses that side.
      if (toServer === st.clientDir) this.h2Failed(st, st.h2, flow);
      else if (!st.h2.server.failed) st.h2.serverFailed();
      return;
    }
    if (st.ws !== null) {
      // Frame boundaries are lost with the bytes.
      if (toServer === st.clientDir && !st.ws.reader.ended) st.ws.reader.fail('gap');
      return;
    }
    if (toServer === st.clientDir) {
      if (st.reqState === REQ_BODY && bytes < st.bodyRemaining) {
        st.bodyRemaining -= bytes;
        if (st.current !== null) {
          st.current.bodyLength += bytes;
          st.current.flags |= HttpFlag.INCOMPLETE;
        }
        return;
      }
      if (st.reqState === REQ_BODY || st.reqState === REQ_CHUNKED) this.finishBody(st, flow, p, HttpFlag.INCOMPLETE);
      else if (st.reqState === REQ_HEAD_MORE) this.cutLongHead(st, flow, p);
      this.releaseHead(st.head);
      this.resync(st);
    } else {
      if (st.resState === RES_BODY && bytes < st.resRemaining) {
        st.resRemaining -= bytes;
        this.skipBody(st, flow);
        return;
      }
      if (st.resState === RES_CLOSE) return;
      if (st.resTx !== null) this.finishTx(st, flow, p);
      this.releaseHead(st.resHead);
      if (st.resState !== RES_DONE) {
        st.resState = RES_RESYNC;
        st.resResyncing = true;
      }
      this.skipBody(st, flow);
    }
  }

  /**
   * The application protocol this stage found on `flow`, as Suricata names it in a flow record:
   * 'http', 'http2' (h2c, prior knowledge or upgraded), 'websocket' (after an upgrade), 'failed'
   * (bytes that were no HTTP), '' when it read nothing of the flow. Read before `onFlowEnd`.
   */
  appProto(flow: number): string {
    if (!this.enabled) return '';
    const mode = this.mode[flow];
    if (mode === NOT_HTTP) return 'failed';
    if (mode !== HTTP) return '';
    const st = this.states[flow];
    return st !== null && st.h2 !== null ? 'http2' : st !== null && st.ws !== null ? 'websocket' : 'http';
  }

  /** Ends a flow: requests cut short are inspected as far as they arrived, open transactions logged. */
  onFlowEnd(flow: number): void {
    if (!this.enabled) return;
    const st = this.states[flow];
    this.mode[flow] = UNKNOWN;
    if (st === null) return;
    if (st.resSkipping) this.countSkipped(st, flow);
    if (st.h2 !== null) this.h2Close(st.h2);
    if (st.ws !== null) {
      st.ws.reader.drop();
      this.dropWindow(st.ws);
      st.ws = null;
    }
    if (st.reqState === REQ_HEAD && st.head.len > 0 && st.head.buf !== null) {
      this.completeHead(st, flow, null, st.head.buf.toString('latin1', 0, st.head.len), HttpFlag.INCOMPLETE);
    } else if (st.reqState === REQ_BODY || st.reqState === REQ_CHUNKED) {
      this.finishBody(st, flow, null, HttpFlag.INCOMPLETE);
    } else if (st.reqState === REQ_HEAD_MORE) {
      this.cutLongHead(st, flow, null);
    }
    this.releaseHead(st.head);
    this.releaseHead(st.resHead);
    this.releaseBody(st);
    if (st.resTx !== null) this.finishTx(st, flow, null);
    while (st.pending.length > 0) this.emitTx(st.pending.shift() as HttpRequest, flow, null);
    this.states[flow] = null;
    this.mode[flow] = UNKNOWN;
    st.current = null;
    st.bodyDirect = '';
    if (this.spare.length < SPARE_STATES) this.spare.push(st);
  }

  /** Decides from a flow's first bytes whether it speaks HTTP; returns its new state, or null. */
  private recognise(flow: number, toServer: boolean, buf: Buffer, off: number, len: number): HttpFlowState | null {
    // Blank lines before a first request are allowed; decide on the first byte after them.
    let k = off;
    const end = off + len;
    while (k < end && (buf[k] === 13 || buf[k] === 10)) k++;
    if (k === end) return null;
    len -= k - off;
    off = k;
    const c = buf[off];
    // HTTP/2 from the first byte (h2c with prior knowledge, cleartext gRPC): binary frames and
    // compressed headers, not HTTP/1 (whose parser would read its preface as a request "PRI *").
    if (c === 80 && this.isHttp2Preface(buf, off, len)) {
      this.stats.http2_prior_knowledge++;
      const h2 = this.newState(toServer, false);
      this.states[flow] = h2;
      this.mode[flow] = HTTP;
      this.stats.flows++;
      this.startH2(h2, flow);
      return h2;
    }
    const midstream = this.stream.isMidstream(flow, toServer);
    let st: HttpFlowState | null = null;
    // The side that opened the connection (its SYN seen) is the client: what it sends first is a
    // request, even a first segment of just "H" or "HT" (a HEAD cut short, which read as the
    // start of "HTTP/" turned the flow around and left every request on it uninspected), and
    // what the other side sends is never one. Without the handshake the flow table's guess from
    // the ports stands unless the data say otherwise: a status line from the guessed client, a
    // whole request line from the guessed server (a capture that starts inside a response header,
    // "Encoding: chunked", made the server the client).
    // A whole first line of these bytes, when they hold one: a status line, or a request line.
    const lf = midstream ? indexOfByte(buf, 10, off, off + len) : -1;
    const responseSide = !toServer || (lf >= 0 && statusLineCode(buf, off, lf) >= 0);
    if (c === 72 && responseSide && this.isResponseStart(buf, off, len)) st = this.newState(!toServer, midstream);
    else if (canStartRequest(c) && (toServer || (lf >= 0 && this.isRequestLine(buf, off, lf)))) st = this.newState(toServer, midstream);
    else if (midstream) {
      // A capture that starts inside a request body or a response: the client is the side the
      // flow table guessed from the ports. The side these bytes came from looks for its next
      // message start; the other has sent nothing yet, so its next bytes are read as a message
      // (a request after the end of a download, say), and resync only if they are not one.
      st = this.newState(true, true);
      if (toServer) st.reqState = REQ_RESYNC;
      else st.resState = RES_RESYNC;
    }
    if (st === null) {
      this.notHttp(flow);
      return null;
    }
    this.states[flow] = st;
    this.mode[flow] = HTTP;
    this.stats.flows++;
    return st;
  }

  private newState(clientDir: boolean, resyncing: boolean): HttpFlowState {
    const st = this.spare.pop() ?? new HttpFlowState();
    return st.init(clientDir, resyncing);
  }

  /** True when `buf[off, lf)` (a line, its LF at `lf`) is a request line. */
  private isRequestLine(buf: Buffer, off: number, lf: number): boolean {
    if (!canStartRequest(buf[off])) return false;
    const end = lf > off && buf[lf - 1] === 13 ? lf - 1 : lf;
    return splitRequestLine(buf.toString('latin1', off, end)) !== null;
  }

  /** True when `buf[off, off + len)` starts with HTTP/2's connection preface (or is its start, 4 bytes or more). */
  private isHttp2Preface(buf: Buffer, off: number, len: number): boolean {
    return len >= 4 && startsLike(buf, off, len, H2_PREFACE);
  }

  private isResponseStart(buf: Buffer, off: number, len: number): boolean {
    return startsLike(buf, off, len, 'HTTP/');
  }

  private notHttp(flow: number): void {
    this.mode[flow] = NOT_HTTP;
    this.states[flow] = null;
    this.stats.not_http++;
    this.stream.stop(flow, true);
    this.stream.stop(flow, false);
  }

  // ---- requests ----

  private feedRequest(st: HttpFlowState, p: Packet, flow: number, buf: Buffer, off: number, len: number): void {
    this.segText = '';
    while (len > 0) {
      switch (st.reqState) {
        case REQ_HEAD: {
          const h = st.head;
          if (h.len === 0 && h.lines === 0 && h.firstPos === 0) {
            // Blank lines between requests are allowed (and some clients send them).
            while (len > 0 && (buf[off] === 13 || buf[off] === 10)) {
              off++;
              len--;
            }
            if (len === 0) return;
          }
          if (h.len === 0 && h.lines === 0 && h.firstPos === 0 && st.wsOffer !== null && startsLikeClientFrame(buf, off, len)) {
            this.wsEarly(st, flow, p, buf, off, len);
            return;
          }
          if (h.len === 0 && h.lines === 0 && h.firstPos === 0) {
            const used = this.wholeHead(st, flow, p, buf, off, len);
            if (used > 0) {
              off += used;
              len -= used;
              break;
            }
            if (this.states[flow] === null) return;
            if (st.reqState !== REQ_HEAD) continue;
          }
          const end = this.scanRequestHead(h, buf, off, len);
          if (end === INVALID) {
            this.badRequestLine(st, flow);
            if (this.states[flow] === null) return;
            continue;
          }
          const n = end === NEED_MORE ? len : end - off;
          if (h.len + n > this.maxHeaderBytes) {
            // Longer than a head may be kept: its first window becomes the request, and the
            // rest is read a window at a time (REQ_HEAD_MORE), from the line the window cut.
            const room = this.maxHeaderBytes - h.len;
            this.longHead(st, flow, p, this.heldText(h, buf, off, off + room));
            if (this.states[flow] === null) return;
            off += room;
            len -= room;
            continue;
          }
          if (end === NEED_MORE) {
            // The memcap cannot hold it: inspected as far as it came.
            if (!this.appendHead(h, buf, off, len)) this.truncatedHead(st, flow, p, this.heldText(h, buf, off, off + len));
            return;
          }
          const text = this.endedHeadText(h, buf, off, end);
          if (text === null) {
            this.truncatedHead(st, flow, p);
            return;
          }
          off = end;
          len -= n;
          this.releaseHead(h);
          this.completeHead(st, flow, p, text, 0);
          break;
        }
        case REQ_BODY: {
          const n = Math.min(len, st.bodyRemaining);
          this.collectBody(st, buf, off, n);
          st.bodyRemaining -= n;
          off += n;
          len -= n;
          if (st.bodyRemaining === 0) this.finishBody(st, flow, p, 0);
          break;
        }
        case REQ_CHUNKED: {
          const dec = st.reqChunks;
          const used = dec.feed(buf, off, len);
          if (dec.dataLen > 0) this.collectBody(st, buf, dec.dataOff, dec.dataLen);
          // Trailer lines (held in the head buffer, unused during a body) are kept as far as a head would be.
          if (dec.trailerLen > 0) this.appendHead(st.head, buf, dec.trailerOff, Math.min(dec.trailerLen, this.maxHeaderBytes - st.head.len));
          off += used;
          len -= used;
          if (dec.failed) {
            this.releaseHead(st.head);
            this.finishBody(st, flow, p, HttpFlag.INVALID_CHUNK);
            this.resync(st);
          } else if (dec.done) {
            this.trailers(st, flow, p);
            this.finishBody(st, flow, p, 0);
          }
          break;
        }
        case REQ_HEAD_MORE: {
          // Only the empty line is looked for (`h.lines` is past the request line).
          const h = st.head;
          const end = this.scanRequestHead(h, buf, off, len);
          const n = end === NEED_MORE ? len : end - off;
          if (h.len + n > this.maxHeaderBytes) {
            const room = this.maxHeaderBytes - h.len;
            const text = this.heldText(h, buf, off, off + room);
            off += room;
            len -= room;
            this.moreHeaders(st, flow, p, text, false);
            continue;
          }
          if (end === NEED_MORE) {
            if (!this.appendHead(h, buf, off, len)) this.cutLongHead(st, flow, p, buf.toString('latin1', off, off + len));
            return;
          }
          const text = this.endedHeadText(h, buf, off, end);
          if (text === null) {
            this.cutLongHead(st, flow, p, buf.toString('latin1', off, end));
            return;
          }
          off = end;
          len -= n;
          this.moreHeaders(st, flow, p, text, true);
          break;
        }
        case REQ_RESYNC: {
          const nl = indexOfByte(buf, 10, off, off + len);
          const skipped = nl < 0 ? len : nl + 1 - off;
          st.resyncBytes += skipped;
          if (st.requests === 0 && st.resyncBytes > RESYNC_LIMIT) {
            this.notHttp(flow);
            return;
          }
          off += skipped;
          len -= skipped;
          if (nl >= 0) {
            st.reqState = REQ_HEAD;
            st.head.reset();
          }
          break;
        }
        default:
          this.stream.stop(flow, st.clientDir);
          return;
      }
    }
  }

  /**
   * The common case: a whole head at the start of this segment. Searched as one latin1 string
   * (native search, and the string is the head text anyway): measured several times faster than
   * the byte loop on 500-byte heads. Returns the bytes used, or 0 when the head does not end here
   * (or its first line is not HTTP: then the flow was dropped or put to resync).
   */
  private wholeHead(st: HttpFlowState, flow: number, p: Packet, buf: Buffer, off: number, len: number): number {
    const seg = buf.toString('latin1', off, off + Math.min(len, this.maxHeaderBytes));
    this.segText = seg;
    this.segBuf = buf;
    this.segStart = off;
    const lf = seg.indexOf('\n');
    if (lf < 0) return 0;
    const rl = splitRequestLineAt(seg, 0, lf > 0 && seg.charCodeAt(lf - 1) === 13 ? lf - 1 : lf);
    if (rl === null) {
      this.badRequestLine(st, flow);
      return 0;
    }
    let stop: number;
    if (rl.protocol === 'HTTP/0.9') {
      stop = lf + 1;
    } else {
      // Where a CRLF head ends, or (no CRLF CRLF here) an LF-only one; a head mixing the two
      // ("\n\r\n" with no CRLF CRLF after it) is left to the byte loop. An empty line before the
      // CRLF CRLF (an LF-only one) ends the head there: the header reader stops at it and says so,
      // which spares a search for "\n\n" through the rest of the segment (a body, often).
      stop = seg.indexOf('\r\n\r\n', lf - 1) + 4;
      if (stop < 4) {
        stop = seg.indexOf('\n\n', lf) + 2;
        if (stop < 2) return 0;
      }
    }
    this.completeHead(st, flow, p, stop === seg.length ? seg : seg.slice(0, stop), 0, rl);
    return this.framing.end;
  }

  /**
   * Scans head bytes: returns the index just past the empty line that ends the head, NEED_MORE, or
   * INVALID when the first line cannot be a request line (checked byte by byte, then whole).
   */
  private scanRequestHead(h: HeadBuffer, buf: Buffer, off: number, len: number): number {
    const end = off + len;
    for (let i = off; i < end; i++) {
      const c = buf[i];
      if (h.lines === 0) {
        if (c === 10) {
          const line = this.firstLine(h, buf, off, i);
          const rl = splitRequestLine(line);
          if (rl === null) return INVALID;
          h.lines = 1;
          h.lineLen = 0;
          if (rl.protocol === 'HTTP/0.9') return i + 1;
          continue;
        }
        if (!h.methodDone) {
          if (c === 32 || c === 9) {
            if (h.firstPos === 0) return INVALID;
            h.methodDone = true;
          } else if (!isMethodByte(c, h.firstPos === 0) || h.firstPos >= 32) {
            return INVALID;
          }
        }
        h.firstPos++;
        continue;
      }
      if (c === 10) {
        if (h.lineLen === 0) return i + 1;
        h.lines++;
        h.lineLen = 0;
      } else if (c !== 13) {
        h.lineLen++;
      }
    }
    return NEED_MORE;
  }

  /** The first line (without CR/LF): the buffered part plus `buf[off, lf)`. */
  private firstLine(h: HeadBuffer, buf: Buffer, off: number, lf: number): string {
    let line = buf.toString('latin1', off, lf);
    if (h.len > 0 && h.buf !== null) line = h.buf.toString('latin1', 0, h.len) + line;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  private badRequestLine(st: HttpFlowState, flow: number): void {
    this.releaseHead(st.head);
    if (st.requests === 0 && !st.resyncing) {
      this.notHttp(flow);
      return;
    }
    this.stats.invalid_requests++;
    this.resync(st);
  }

  /** Looks for the next request line (after garbage, a gap, or a head that could not be kept). */
  private resync(st: HttpFlowState): void {
    if (st.reqState !== REQ_RESYNC) this.stats.resyncs++;
    st.reqState = REQ_RESYNC;
    st.resyncing = true;
  }

  /**
   * A head longer than `max_header_bytes` (`text`: its first max_header_bytes bytes). Like
   * Apache, which takes heads of 800 KB, the whole head is read, a window at a time, so that what
   * padding pushes past the first window is inspected too: the window's whole lines become the
   * request (flagged HEADERS_TOO_LARGE), and what follows them starts the next window.
   */
  private longHead(st: HttpFlowState, flow: number, p: Packet, text: string): void {
    this.releaseHead(st.head);
    const firstLf = text.indexOf('\n');
    // A request line longer than the window: inspected as far as it goes, then the next request is looked for.
    if (firstLf < 0) {
      this.truncatedHead(st, flow, p, text);
      return;
    }
    const cut = text.lastIndexOf('\n') + 1;
    // Only the request line is whole: the window ends inside a header line longer than itself.
    const window = cut > firstLf + 1 ? text.slice(0, cut) : text;
    this.completeHead(st, flow, p, window, HttpFlag.HEADERS_TOO_LARGE, undefined, true);
    if (st.reqState === REQ_HEAD_MORE) this.carryLine(st, flow, p, window === text ? null : text.slice(cut));
  }

  /** A window of the rest of a long head (`last`: up to its empty line); see `longHead`. */
  private moreHeaders(st: HttpFlowState, flow: number, p: Packet, text: string, last: boolean): void {
    const req = st.current as HttpRequest;
    this.releaseHead(st.head);
    const cut = last ? text.length : text.lastIndexOf('\n') + 1;
    const window = cut > 0 ? text.slice(0, cut) : text;
    readMoreHeaders(req, window, last, this.framing);
    this.handler.onRequest(req, flow, HttpPhase.MORE_HEADERS, p);
    if (last) this.frameBody(st, flow, this.framing.chunked, this.framing.length);
    else this.carryLine(st, flow, p, cut > 0 ? text.slice(cut) : null);
  }

  /**
   * Starts the next window of a long head with the line the last one cut (`part`), or (null) in
   * the middle of a line longer than a window, whose rest is read as a line of its own.
   */
  private carryLine(st: HttpFlowState, flow: number, p: Packet, part: string | null): void {
    const h = st.head;
    h.reset();
    h.lines = 1;
    if (part === null) {
      h.lineLen = 1;
      return;
    }
    let lineLen = 0;
    for (let i = 0; i < part.length; i++) if (part.charCodeAt(i) !== 13) lineLen++;
    h.lineLen = lineLen;
    if (part.length > 0 && !this.appendHead(h, Buffer.from(part, 'latin1'), 0, part.length)) this.cutLongHead(st, flow, p);
  }

  /**
   * A long head that ends without its empty line (the flow ended, a gap, or the memcap could not
   * hold the next window): what is held (and `more`, what arrived) is inspected as its last
   * window, then the next request is looked for.
   */
  private cutLongHead(st: HttpFlowState, flow: number, p: Packet | null, more = ''): void {
    const h = st.head;
    const req = st.current as HttpRequest;
    const text = this.heldText(h) + more;
    this.releaseHead(h);
    readMoreHeaders(req, text, true, this.framing);
    req.flags |= HttpFlag.INCOMPLETE;
    this.handler.onRequest(req, flow, HttpPhase.MORE_HEADERS, p);
    st.current = null;
    this.resync(st);
  }

  /** A head that the memcap cannot hold (or a request line longer than `max_header_bytes`): inspect what arrived, then resync. */
  private truncatedHead(st: HttpFlowState, flow: number, p: Packet, text?: string): void {
    const h = st.head;
    const head = text ?? this.heldText(h);
    this.releaseHead(h);
    this.resync(st);
    if (head !== '') this.completeHead(st, flow, p, head, HttpFlag.HEADERS_TOO_LARGE);
    // The body framing of a cut head cannot be trusted: look for the next request instead.
    this.releaseBody(st);
    st.current = null;
    st.reqState = REQ_RESYNC;
    st.resyncing = true;
  }

  /** Where the flow's next request comes from (the shared, reused origin record). */
  private originOf(st: HttpFlowState, flow: number): RequestOrigin {
    const origin = this.origin;
    origin.index = st.requests;
    origin.clientPort = st.clientDir ? this.ports.portA[flow] : this.ports.portB[flow];
    origin.serverPort = st.clientDir ? this.ports.portB[flow] : this.ports.portA[flow];
    origin.clientIsInitiator = st.clientDir;
    return origin;
  }

  /**
   * A complete head: build the request, hand it over, set up the body. `continues`: `text` is the
   * first window of a longer head, whose rest follows (REQ_HEAD_MORE).
   */
  private completeHead(st: HttpFlowState, flow: number, p: Packet | null, text: string, flags: number, line?: RequestLine, continues = false): void {
    const framing = this.framing;
    const req = parseRequestHead(text, this.originOf(st, flow), this.limits, flags, line, framing, continues);
    if (req === null) {
      this.badRequestLine(st, flow);
      return;
    }
    const chunked = framing.chunked;
    const length = framing.length;
    st.requests++;
    // Requests are read one by one under the http limits: the stream's depth must not cut off
    // the ones that follow a large body on the same connection.
    if (st.requests === 1) this.stream.unlimitDepth(flow, st.clientDir);
    st.resyncing = false;
    // The server's answer to this request starts a message: an answer side still looking for one
    // (picked up inside a response, or after a gap) reads the server's next bytes as a response
    // head rather than skipping their first line, which is that answer's status line.
    if (st.resState === RES_RESYNC) {
      st.resState = RES_HEAD;
      st.resHead.reset();
    }
    this.stats.requests++;
    if (st.pending.length > 0) this.stats.pipelined++;
    if (st.pending.length >= this.maxPipelined) {
      this.stats.pending_overflow++;
      this.emitTx(st.pending.shift() as HttpRequest, flow, p);
    }
    st.pending.push(req);
    st.wsOffer = req.upgrade !== '' && isWebSocketUpgrade(req.upgrade) ? req : null;
    this.handler.onRequest(req, flow, HttpPhase.HEAD, p);
    st.current = req;
    if (continues) st.reqState = REQ_HEAD_MORE;
    else this.frameBody(st, flow, chunked, length);
  }

  /** Sets up the body of the current request (or ends it), as its head frames it. */
  private frameBody(st: HttpFlowState, flow: number, chunked: boolean, length: number): void {
    st.bodyKept = 0;
    st.bodyDirect = '';
    if (chunked) {
      st.reqChunks.reset();
      st.reqState = REQ_CHUNKED;
    } else if (length > 0) {
      st.bodyRemaining = length;
      st.reqState = REQ_BODY;
    } else {
      this.endRequest(st, flow);
    }
  }

  private collectBody(st: HttpFlowState, buf: Buffer, off: number, n: number): void {
    const req = st.current;
    if (req === null || n <= 0) return;
    req.bodyLength += n;
    const keep = Math.max(0, Math.min(n, this.bodyLimit - st.bodyKept));
    if (keep < n) {
      req.flags |= HttpFlag.BODY_TRUNCATED;
      this.keepTail(st, buf, off + keep, n - keep);
    }
    if (keep <= 0) return;
    // A body that arrives whole in one piece is read straight from the packet.
    if (st.bodyKept === 0 && st.reqState === REQ_BODY && st.bodyRemaining === n) {
      // Behind a head read whole from this segment, the body is already text: a slice of it.
      const from = off - this.segStart;
      const seg = this.segText;
      st.bodyDirect = seg !== '' && this.segBuf === buf && from >= 0 && from + keep <= seg.length ? seg.slice(from, from + keep) : buf.toString('latin1', off, off + keep);
      st.bodyKept = keep;
      return;
    }
    if (this.buffered + keep > this.memcap) {
      this.stats.memcap_hits++;
      req.flags |= HttpFlag.BODY_TRUNCATED;
      return;
    }
    const copy = Buffer.allocUnsafe(keep);
    buf.copy(copy, 0, off, off + keep);
    st.bodyParts.push(copy);
    st.bodyKept += keep;
    this.addBuffered(keep);
  }

  /**
   * Keeps the last `tailBytes` of what a body sends past `body_limit`: a payload pushed past the
   * limit by padding (`pad=AAAA…&id=1' OR 1=1`) is in the body's end, which is read too.
   */
  private keepTail(st: BodyTail, buf: Buffer, off: number, n: number): void {
    const size = this.tailBytes;
    if (size === 0) return;
    let tail = st.tail;
    if (tail === null) {
      if (this.buffered + size > this.memcap) {
        this.stats.memcap_hits++;
        return;
      }
      tail = st.tail = Buffer.allocUnsafe(size);
      st.tailLen = 0;
      this.addBuffered(size);
    }
    if (n >= size) {
      buf.copy(tail, 0, off + n - size, off + n);
      st.tailLen = size;
      return;
    }
    const stay = Math.min(st.tailLen, size - n);
    tail.copyWithin(0, st.tailLen - stay, st.tailLen);
    buf.copy(tail, stay, off, off + n);
    st.tailLen = stay + n;
  }

  private finishBody(st: HttpFlowState, flow: number, p: Packet | null, flags: number): void {
    const req = st.current;
    if (req !== null) {
      req.flags |= flags;
      const text = st.bodyDirect !== '' ? st.bodyDirect : st.bodyParts.length === 0 ? '' : Buffer.concat(st.bodyParts).toString('latin1');
      // The end of a body cut by body_limit, unless compressed (a stream's end decodes to nothing).
      const tail = st.tail !== null && st.tailLen > 0 && req.contentEncoding === '' ? st.tail.toString('latin1', 0, st.tailLen) : '';
      this.releaseBody(st);
      this.inspectBody(req, text, tail, flow, p);
    }
    this.endRequest(st, flow);
  }

  /** The trailer lines of a chunked request body, inspected as more headers of the request (servers hand them to applications). */
  private trailers(st: HttpFlowState, flow: number, p: Packet): void {
    const h = st.head;
    const req = st.current;
    const text = this.heldText(h);
    this.releaseHead(h);
    if (req === null || text.trim() === '') return;
    req.moreFields = parseTrailers(text, this.limits);
    this.handler.onRequest(req, flow, HttpPhase.MORE_HEADERS, p);
  }

  /** A request's body (`tail`: the end of one cut by body_limit): decoded, parsed into fields, handed over. */
  private inspectBody(req: HttpRequest, body: string, tail: string, flow: number, p: Packet | null): void {
    let text = body;
    if (text !== '' && req.contentEncoding !== '') {
      const decoded = decodeContent(text, req.contentEncoding, this.bodyLimit, (req.flags & (HttpFlag.BODY_TRUNCATED | HttpFlag.INCOMPLETE)) !== 0);
      if (decoded !== null) {
        text = decoded.text;
        req.flags |= decoded.flags;
      }
    }
    if (text === '') return;
    const fields: HttpField[] = [];
    req.flags |= parseBody(text, req.contentType, (req.flags & (HttpFlag.BODY_TRUNCATED | HttpFlag.INCOMPLETE)) !== 0, fields, this.limits, req.method === 'PUT');
    if (tail !== '') parseBodyTail(tail, req.contentType, fields, this.limits, req.method === 'PUT');
    for (let i = 0; i < fields.length; i++) req.flags |= fields[i].flags;
    req.bodyText = text;
    req.bodyFields = fields;
    this.stats.request_bodies++;
    this.handler.onRequest(req, flow, HttpPhase.BODY, p);
  }

  // ---- HTTP/2 (h2c) ----

  /** The flow speaks HTTP/2 from the next bytes on. */
  private startH2(st: HttpFlowState, flow: number): void {
    st.h2 = new H2Flow(this, st, flow, Math.max(this.maxHeaderBytes, 65536));
    // HTTP/2 frames are read one by one under their own limits, as HTTP/1 requests are.
    this.stream.unlimitDepth(flow, st.clientDir);
    st.reqState = REQ_DONE;
    st.resState = RES_DONE;
  }

  /** Requests of one HTTP/2 connection kept waiting for their answer. */
  get maxWaiting(): number {
    return this.maxPipelined;
  }

  /** Logs an HTTP/2 transaction. */
  h2Log(req: HttpRequest, flow: number, p: Packet | null): void {
    this.emitTx(req, flow, p);
  }

  /**
   * A stream's header block: written out as the HTTP/1.1 head a gateway would send for it (the
   * pseudo-headers as its request line and Host, the cookie fields joined, RFC 9113 §8.2.3) and
   * read as one, so the request is normalised and inspected as any other.
   */
  h2Head(st: HttpFlowState, h2: H2Flow, flow: number, stream: number, fields: [string, string][], endStream: boolean): void {
    let method = '';
    let path = '';
    let authority = '';
    let lines = '';
    let cookies = '';
    let host = false;
    for (const [name, raw] of fields) {
      // CR and LF are not allowed in a field (RFC 9113 §8.2.1): here they would end a line of
      // the written head, or the head itself, and hide the fields after them from inspection.
      const value = raw.indexOf('\r') >= 0 || raw.indexOf('\n') >= 0 ? raw.replace(/[\r\n]/g, ' ') : raw;
      if (name === ':method') method = value;
      else if (name === ':path') path = value;
      else if (name === ':authority') authority = value;
      else if (name.startsWith(':')) continue;
      else if (name === 'cookie') cookies = cookies === '' ? value : `${cookies}; ${value}`;
      else {
        if (name === 'host') host = true;
        lines += `${name}: ${value}\r\n`;
      }
    }
    // A method in lower case (which no server routes, but some hand on) is still a request to read.
    method = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(method) ? method.toUpperCase() : '';
    const target = method === 'CONNECT' ? authority : path;
    const head = `${method} ${target === '' ? '/' : target} HTTP/2.0\r\n${authority !== '' && !host ? `host: ${authority}\r\n` : ''}${lines}${cookies !== '' ? `cookie: ${cookies}\r\n` : ''}\r\n`;
    const req = method === '' ? null : parseRequestHead(head, this.originOf(st, flow), this.limits, 0, undefined, this.framing);
    if (req === null) {
      this.stats.invalid_requests++;
      return;
    }
    st.requests++;
    this.stats.requests++;
    this.stats.http2_requests++;
    this.handler.onRequest(req, flow, HttpPhase.HEAD, h2.packet);
    h2.unanswered.set(stream, req);
    if (endStream) {
      h2.requestDone(stream, req);
      return;
    }
    // Streams past max_pipelined: the oldest is inspected as far as it came.
    if (h2.streams.size >= this.maxPipelined) {
      const [oldest, s] = h2.streams.entries().next().value as [number, H2Stream];
      h2.streams.delete(oldest);
      this.stats.pending_overflow++;
      this.h2End(h2, oldest, s, h2.packet, HttpFlag.INCOMPLETE);
    }
    h2.streams.set(stream, { req, parts: [], kept: 0, tail: null, tailLen: 0 });
  }

  /** Trailers of a request (fields after its body), inspected as a window of more headers. */
  h2Trailers(req: HttpRequest, flow: number, fields: [string, string][], p: Packet | null): void {
    const more: HttpField[] = [];
    for (const [name, value] of fields) if (!name.startsWith(':')) more.push({ kind: FieldKind.HEADER, name, value, flags: 0 });
    req.moreFields = more;
    this.handler.onRequest(req, flow, HttpPhase.MORE_HEADERS, p);
  }

  h2Data(s: H2Stream, buf: Buffer, off: number, len: number): void {
    const req = s.req;
    req.bodyLength += len;
    const keep = Math.max(0, Math.min(len, this.bodyLimit - s.kept));
    if (keep < len) {
      req.flags |= HttpFlag.BODY_TRUNCATED;
      this.keepTail(s, buf, off + keep, len - keep);
    }
    if (keep === 0) return;
    if (this.buffered + keep > this.memcap) {
      this.stats.memcap_hits++;
      req.flags |= HttpFlag.BODY_TRUNCATED;
      return;
    }
    s.parts.push(Buffer.from(buf.subarray(off, off + keep)));
    s.kept += keep;
    this.addBuffered(keep);
  }

  /** A stream the client ended (or reset: `flags` INCOMPLETE): its body inspected, its transaction logged once answered. */
  h2End(h2: H2Flow, stream: number, s: H2Stream, p: Packet | null, flags: number): void {
    const req = s.req;
    req.flags |= flags;
    const text = s.parts.length === 0 ? '' : Buffer.concat(s.parts).toString('latin1');
    // The end of a body cut by body_limit, unless compressed (as for HTTP/1).
    const tail = s.tail !== null && s.tailLen > 0 && req.contentEncoding === '' ? s.tail.toString('latin1', 0, s.tailLen) : '';
    this.addBuffered(-s.kept);
    this.releaseTail(s);
    s.parts.length = 0;
    s.kept = 0;
    this.inspectBody(req, text, tail, h2.flow, p);
    h2.requestDone(stream, req);
  }

  /** Streams still open when the flow ends: inspected as far as they came; every waiting transaction logged. */
  private h2Close(h2: H2Flow): void {
    for (const [stream, s] of h2.streams) this.h2End(h2, stream, s, null, HttpFlag.INCOMPLETE);
    h2.streams.clear();
    h2.flush();
  }

  /** The connection can no longer be read (a malformed frame, a gap): open streams are closed, the flow left. */
  h2Failed(st: HttpFlowState, h2: H2Flow, flow: number): void {
    this.stats.http2_errors++;
    this.h2Close(h2);
    st.h2 = null;
    this.notHttpAnyMore(st, flow);
  }

  private endRequest(st: HttpFlowState, flow: number): void {
    st.current = null;
    st.reqState = REQ_HEAD;
    st.head.reset();
    // A CONNECT or an Upgrade request opens a tunnel only when the server agrees (2xx, 101: see
    // responseHead); until then, and when it refuses, what the client sends is read as requests.
    // Stopping here let a request with an Upgrade header the server ignored hide every request
    // pipelined after it.
  }

  // ---- responses ----

  private feedResponse(st: HttpFlowState, p: Packet, flow: number, buf: Buffer, off: number, len: number): void {
    while (len > 0) {
      switch (st.resState) {
        case RES_HEAD: {
          const h = st.resHead;
          if (h.len === 0 && h.lines === 0 && h.lineLen === 0) {
            while (len > 0 && (buf[off] === 13 || buf[off] === 10)) {
              off++;
              len--;
            }
            if (len === 0) return;
            if (buf[off] !== 72) {
              this.badResponse(st, flow);
              continue;
            }
            // The usual case, a whole head at the start of the segment: read in place, no string.
            const reader = this.resReader;
            const headEnd = reader.read(buf, off, off + len);
            if (headEnd >= 0) {
              len -= headEnd - off;
              off = headEnd;
              this.responseHead(st, flow, p, reader.valid ? reader : null);
              if (this.states[flow] === null) return;
              // An Upgrade to h2c: the server's frames may follow the 101 in this segment.
              if (st.h2 !== null) {
                if (len > 0) st.h2.server.feed(buf, off, len);
                return;
              }
              break;
            }
          }
          const end = this.scanHead(h, buf, off, len);
          if (end === NEED_MORE) {
            if (!this.appendHead(h, buf, off, len)) this.stopResponses(st, flow);
            return;
          }
          const text = this.endedHeadText(h, buf, off, end);
          if (text === null) {
            this.stopResponses(st, flow);
            return;
          }
          len -= end - off;
          off = end;
          this.releaseHead(h);
          this.responseHead(st, flow, p, parseResponseHead(text));
          if (this.states[flow] === null) return;
          if (st.h2 !== null) {
            if (len > 0) st.h2.server.feed(buf, off, len);
            return;
          }
          break;
        }
        case RES_BODY: {
          const n = Math.min(len, st.resRemaining);
          if (st.resTx !== null) st.resTx.responseLength += n;
          st.resRemaining -= n;
          off += n;
          len -= n;
          if (st.resRemaining === 0) {
            // The skip (if any) ended a byte before this: nothing left to count.
            st.resSkipping = false;
            this.finishTx(st, flow, p);
          } else {
            this.skipBody(st, flow);
          }
          break;
        }
        case RES_CHUNKED: {
          const dec = st.resChunks;
          const used = dec.feed(buf, off, len);
          if (st.resTx !== null) st.resTx.responseLength += dec.dataLen;
          off += used;
          len -= used;
          if (dec.failed) {
            this.finishTx(st, flow, p);
            st.resState = RES_RESYNC;
          } else if (dec.done) {
            this.finishTx(st, flow, p);
          }
          break;
        }
        case RES_CLOSE:
          if (st.resTx !== null) st.resTx.responseLength += len;
          return;
        case RES_RESYNC: {
          const nl = indexOfByte(buf, 10, off, off + len);
          if (nl < 0) return;
          len -= nl + 1 - off;
          off = nl + 1;
          st.resHead.reset();
          st.resState = RES_HEAD;
          st.resResyncing = true;
          break;
        }
        default:
          this.stream.stop(flow, !st.clientDir);
          return;
      }
    }
  }

  /**
   * A response body of known length is only counted: the stream stage is asked to skip all of it
   * but its last byte, which comes through as data and ends the transaction on the packet that
   * carried it, as if every byte had been handed over. Anything else cancels the skip.
   */
  private skipBody(st: HttpFlowState, flow: number): void {
    const skip = st.resState === RES_BODY ? st.resRemaining - 1 : 0;
    if (skip <= 0 && !st.resSkipping) return;
    st.resSkipping = skip > 0;
    this.stream.skip(flow, !st.clientDir, skip);
  }

  /** Takes the bytes the stream skipped as read: counted in the body and its transaction. */
  private countSkipped(st: HttpFlowState, flow: number): void {
    const n = this.stream.takeSkipped(flow, !st.clientDir);
    if (n === 0) return;
    st.resRemaining -= n;
    if (st.resTx !== null) st.resTx.responseLength += n;
  }

  /** Scans for the empty line that ends a head (no first-line checks). */
  private scanHead(h: HeadBuffer, buf: Buffer, off: number, len: number): number {
    const end = off + len;
    for (let i = off; i < end; i++) {
      const c = buf[i];
      if (c === 10) {
        if (h.lineLen === 0 && h.lines > 0) return i + 1;
        h.lines++;
        h.lineLen = 0;
      } else if (c !== 13) {
        h.lineLen++;
      }
    }
    return NEED_MORE;
  }

  private badResponse(st: HttpFlowState, flow: number): void {
    this.releaseHead(st.resHead);
    if (st.resResyncing) {
      st.resState = RES_RESYNC;
      return;
    }
    // An HTTP/0.9 answer (no head) or something else: statuses on this flow are not followed.
    this.stats.invalid_responses++;
    this.stopResponses(st, flow);
  }

  private stopResponses(st: HttpFlowState, flow: number): void {
    this.releaseHead(st.resHead);
    st.resState = RES_DONE;
    this.stream.stop(flow, !st.clientDir);
  }

  private responseHead(st: HttpFlowState, flow: number, p: Packet, res: ResponseHead | null): void {
    if (res === null) {
      this.badResponse(st, flow);
      return;
    }
    st.resResyncing = false;
    // Interim answers (100 Continue, 103 Early Hints) precede the real response.
    if (res.status >= 100 && res.status < 200 && res.status !== 101) return;
    this.stats.responses++;
    const req = st.pending.shift() ?? null;
    if (req === null) this.stats.responses_without_request++;
    else {
      req.status = res.status;
      req.responseContentType = res.contentType;
      req.responseLocation = res.location;
    }
    st.resTx = req;
    const method = req !== null ? req.method : 'GET';
    if (res.status === 101 && req !== null && /^\s*h2c\s*$/i.test(req.upgrade)) {
      // An upgrade to HTTP/2 in cleartext: the client's preface and frames follow.
      this.finishTx(st, flow, p);
      this.stats.http2_upgrades++;
      this.startH2(st, flow);
      return;
    }
    if (req !== null && req === st.wsOffer) st.wsOffer = null;
    if (st.ws !== null && req === st.ws.upgrade) {
      // The answer to an upgrade whose frames came first (see wsEarly): nothing after it is read.
      this.finishTx(st, flow, p);
      this.stopResponsesAfterUpgrade(st, flow);
      return;
    }
    if (res.status === 101 && req !== null && isWebSocketUpgrade(req.upgrade)) {
      this.finishTx(st, flow, p);
      this.startWs(st, flow, req);
      this.stopResponsesAfterUpgrade(st, flow);
      return;
    }
    if (res.status === 101 || (method === 'CONNECT' && res.status >= 200 && res.status < 300)) {
      this.finishTx(st, flow, p);
      this.stats.tunnels++;
      this.notHttpAnyMore(st, flow);
      return;
    }
    const framing = res.framing;
    const noBody = method === 'HEAD' || res.status === 204 || res.status === 304;
    if (noBody) {
      this.finishTx(st, flow, p);
    } else if (framing.chunked) {
      st.resChunks.reset();
      st.resState = RES_CHUNKED;
    } else if (framing.length > 0) {
      st.resRemaining = framing.length;
      st.resState = RES_BODY;
    } else if (res.hasLength) {
      this.finishTx(st, flow, p);
    } else {
      st.resState = RES_CLOSE;
    }
  }

  // ---- WebSocket ----

  /**
   * The server accepted an upgrade to WebSocket: the client's bytes are frames from now on (its
   * messages inspected), the server's are not read.
   */
  private startWs(st: HttpFlowState, flow: number, upgrade: HttpRequest): WsFlow {
    this.stats.websocket_upgrades++;
    this.releaseHead(st.head);
    st.reqState = REQ_DONE;
    st.wsOffer = null;
    // A message is held up to the body limit (compressed, it is then read as sent: see wsMessage).
    const ws = new WsFlow(this, upgrade, flow, this.bodyLimit);
    st.ws = ws;
    return ws;
  }

  /** The upgrade is answered: the server's side is not read any further. */
  private stopResponsesAfterUpgrade(st: HttpFlowState, flow: number): void {
    st.resState = RES_DONE;
    this.stream.stop(flow, !st.clientDir);
  }

  /**
   * Frames right behind a request to upgrade to WebSocket, before the server's answer: servers
   * that take them read them as messages (Node's HTTP server hands the bytes after the head to its
   * upgrade handler, and WebSocket servers built on it put them back in front of the socket's
   * data), so they are read so here; waiting for the 101 read them as a bad request line and let
   * them through unseen. No request starts with such bytes (see startsLikeClientFrame). The answer
   * is still read, for the upgrade's transaction.
   */
  private wsEarly(st: HttpFlowState, flow: number, p: Packet, buf: Buffer, off: number, len: number): void {
    const ws = this.startWs(st, flow, st.wsOffer as HttpRequest);
    ws.packet = p;
    ws.reader.feed(buf, off, len);
  }

  /**
   * A client message, inspected as a request of its own: decompressed (permessage-deflate), then
   * read as a body is (JSON, a Socket.IO event `42[…]` included, or text; binary only when it is
   * mostly text), up to the body limit.
   */
  wsMessage(ws: WsFlow, payload: Buffer, compressed: boolean, truncated: boolean): void {
    this.stats.websocket_messages++;
    let data = payload;
    let flags = truncated ? HttpFlag.BODY_TRUNCATED : 0;
    if (compressed) {
      const r = truncated || ws.windowLost ? null : inflateMessage(payload, ws.window, WS_COMPRESSED_HOLD);
      if (r === null) {
        // Read as sent (text, if it is any); the connection's later compressed messages cannot be read either.
        this.stats.websocket_undecompressed++;
        flags |= HttpFlag.INVALID_COMPRESSION;
        this.loseWindow(ws);
      } else {
        data = r.out;
        if (r.truncated) {
          flags |= HttpFlag.BODY_TRUNCATED;
          this.stats.websocket_undecompressed++;
          this.loseWindow(ws);
        } else {
          this.keepWindow(ws, data);
        }
      }
    }
    if (data.length > this.bodyLimit) {
      data = data.subarray(0, this.bodyLimit);
      flags |= HttpFlag.BODY_TRUNCATED;
    }
    const text = data.toString('latin1');
    const fields: HttpField[] = [];
    // A Socket.IO event's JSON follows its packet type; otherwise the body reading finds JSON or text
    // itself (and, under no type, takes binary only when it is mostly text).
    const json = jsonStart(text, true);
    let found = json > 0 && !(flags & HttpFlag.BODY_TRUNCATED) ? parseBody(text.slice(json), 'application/json', false, fields, this.limits) : -1;
    if (found < 0 || found & HttpFlag.INVALID_BODY) {
      fields.length = 0;
      found = parseBody(text, '', false, fields, this.limits);
    }
    flags |= found;
    ws.messages++;
    const req = new WsMessageRequest(ws.upgrade, ws.upgrade.index + ws.messages, ws.messages, fields, text, flags);
    if (fields.length > 0) this.handler.onRequest(req, ws.flow, HttpPhase.MESSAGE, ws.packet);
  }

  /**
   * Takes `n` bytes more into the buffered total (negative: gives them back); false, and counted
   * in memcap_hits, when that would pass the memcap (nothing is taken then).
   */
  holdBytes(n: number): boolean {
    if (n > 0 && this.buffered + n > this.memcap) {
      this.stats.memcap_hits++;
      return false;
    }
    this.addBuffered(n);
    return true;
  }

  /** The client's frames end (a close frame) or can no longer be read (a malformed frame, a gap). */
  wsEnd(ws: WsFlow, reason: string): void {
    if (reason !== 'close') this.stats.websocket_errors++;
    this.dropWindow(ws);
    this.stream.stop(ws.flow, this.states[ws.flow]?.clientDir ?? true);
  }

  /**
   * Keeps the last DEFLATE_WINDOW bytes of the compressed messages so far, `data` the latest: a
   * copy of its own (not a view of a larger buffer), counted in the memcap like other held bytes.
   * Past the memcap the window is let go (the connection's later compressed messages are then
   * read as sent).
   */
  private keepWindow(ws: WsFlow, data: Buffer): void {
    const keep = Math.min(DEFLATE_WINDOW, ws.window.length + data.length);
    const grow = keep - ws.window.length;
    if (grow > 0 && !this.holdBytes(grow)) {
      this.loseWindow(ws);
      return;
    }
    const next = Buffer.allocUnsafe(keep);
    const fromData = Math.min(keep, data.length);
    ws.window.copy(next, 0, ws.window.length - (keep - fromData));
    data.copy(next, keep - fromData, data.length - fromData);
    ws.window = next;
  }

  /** The window can no longer be kept right: let go, and later compressed messages read as sent. */
  private loseWindow(ws: WsFlow): void {
    ws.windowLost = true;
    this.dropWindow(ws);
  }

  private dropWindow(ws: WsFlow): void {
    this.holdBytes(-ws.window.length);
    ws.window = NO_BYTES;
  }

  /** A tunnel opened: both directions leave HTTP parsing; open transactions are logged. */
  private notHttpAnyMore(st: HttpFlowState, flow: number): void {
    this.stream.stop(flow, true);
    this.stream.stop(flow, false);
    st.reqState = REQ_DONE;
    st.resState = RES_DONE;
  }

  private finishTx(st: HttpFlowState, flow: number, p: Packet | null): void {
    const req = st.resTx;
    st.resTx = null;
    if (st.resState !== RES_DONE) st.resState = RES_HEAD;
    st.resHead.reset();
    if (req !== null) this.emitTx(req, flow, p);
  }

  private emitTx(req: HttpRequest, flow: number, p: Packet | null): void {
    this.stats.transactions++;
    this.handler.onTransaction(req, flow, p);
  }

  // ---- buffers ----

  /** The bytes held in a head buffer, then `buf[from, to)` when given, as latin1 text. */
  private heldText(h: HeadBuffer, buf?: Buffer, from = 0, to = 0): string {
    const held = h.buf !== null && h.len > 0 ? h.buf.toString('latin1', 0, h.len) : '';
    return buf === undefined ? held : held + buf.toString('latin1', from, to);
  }

  /**
   * A head that ends at `buf[end]`: its held start and `buf[off, end)` as text (read straight from
   * `buf` when nothing is held), or null when the memcap cannot hold the whole of it.
   */
  private endedHeadText(h: HeadBuffer, buf: Buffer, off: number, end: number): string | null {
    if (h.len === 0) return buf.toString('latin1', off, end);
    if (!this.appendHead(h, buf, off, end - off)) return null;
    return (h.buf as Buffer).toString('latin1', 0, h.len);
  }

  /** Appends to a head buffer within `max_header_bytes` and the memcap; false when it does not fit. */
  private appendHead(h: HeadBuffer, buf: Buffer, off: number, n: number): boolean {
    const need = h.len + n;
    if (need > this.maxHeaderBytes) return false;
    const cap = h.buf === null ? 0 : h.buf.length;
    if (need > cap) {
      const size = Math.min(this.maxHeaderBytes, Math.max(need, cap * 2, 1024));
      if (this.buffered - cap + size > this.memcap) {
        this.stats.memcap_hits++;
        return false;
      }
      const grown = Buffer.allocUnsafe(size);
      if (h.buf !== null) h.buf.copy(grown, 0, 0, h.len);
      h.buf = grown;
      this.addBuffered(size - cap);
    }
    buf.copy(h.buf as Buffer, h.len, off, off + n);
    h.len = need;
    return true;
  }

  private releaseHead(h: HeadBuffer): void {
    if (h.buf !== null) {
      this.addBuffered(-h.buf.length);
      h.buf = null;
    }
    h.reset();
  }

  private releaseBody(st: HttpFlowState): void {
    for (const part of st.bodyParts) this.addBuffered(-part.length);
    st.bodyParts.length = 0;
    st.bodyDirect = '';
    this.releaseTail(st);
  }

  private releaseTail(st: BodyTail): void {
    if (st.tail === null) return;
    this.addBuffered(-st.tail.length);
    st.tail = null;
    st.tailLen = 0;
  }

  private addBuffered(n: number): void {
    this.buffered += n;
    this.stats.buffered_bytes = this.buffered;
  }
}
