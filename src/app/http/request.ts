import type { HttpInfo } from '../../output/events.js';

/**
 * The parsed, normalised HTTP request as the detectors see it: the inspection buffers (raw and
 * normalised URI, decoded query arguments, header values, cookie values, decoded body fields)
 * and the anomaly flags found while decoding them. Built once per request by the app stage.
 */

/** Where an inspected value came from. */
export const FieldKind = {
  /** The decoded request path (percent-decoded, backslashes and `//` folded, dot segments kept). */
  PATH: 0,
  /** A decoded query-string argument value. */
  QUERY_ARG: 1,
  /** A query or form argument name that holds more than a plain identifier. */
  ARG_NAME: 2,
  /** A request header value, as sent (folded lines joined); `name` is the lower-case header name. */
  HEADER: 3,
  /** A cookie value, percent-decoded. */
  COOKIE: 4,
  /** A decoded application/x-www-form-urlencoded body argument. */
  BODY_ARG: 5,
  /** A string leaf (or unusual key) of a JSON body; `name` is its path, e.g. `user.tags[0]`. */
  JSON: 6,
  /** A multipart/form-data field value (not a file's). */
  MULTIPART: 7,
  /** A multipart file name. */
  FILENAME: 8,
  /** A text body of another type (XML, GraphQL, plain text), or one that failed to parse. */
  BODY_RAW: 9,
  /** The content of a file uploaded in a multipart/form-data body (`name` is the field's) or by a PUT. */
  UPLOAD: 10,
} as const;

/** Names of the field kinds, for alert metadata (`location`). */
export const FIELD_KIND_NAMES: readonly string[] = ['path', 'query', 'arg_name', 'header', 'cookie', 'body', 'json', 'multipart', 'filename', 'body', 'file'];

/** Anomalies found while parsing and decoding, as bits of `HttpRequest.flags` and `HttpField.flags`. */
export const HttpFlag = {
  /** A value still held percent-escapes after one decoding pass (decoded again). */
  DOUBLE_ENCODED: 1,
  /** IIS-style `%uXXXX` escapes. */
  U_ENCODED: 2,
  /** A `%` not followed by two hex digits. */
  INVALID_ENCODING: 4,
  /** Overlong UTF-8 forms of ASCII characters (e.g. `%c0%af` for `/`), read as those characters. */
  OVERLONG_UTF8: 8,
  /** A NUL byte after decoding. */
  NUL_BYTE: 16,
  /** `..` segments that climb above the root of the path. */
  PATH_ABOVE_ROOT: 32,
  /** Backslashes used as path separators. */
  BACKSLASH: 64,
  /** `.` or `..` segments, or empty segments, removed by normalisation. */
  DOT_SEGMENTS: 128,
  /** `..` or a separator next to it was percent-encoded (`%2e%2e`, `..%2f`, `%5c`). */
  ENCODED_TRAVERSAL: 256,
  /** A line longer than `http.max_line`. */
  LINE_TOO_LONG: 512,
  /** The head (request line and headers) was longer than `http.max_header_bytes`, or had more than `http.max_headers` headers. */
  HEADERS_TOO_LARGE: 1024,
  /** Obsolete line folding in a header. */
  FOLDED_HEADER: 2048,
  /** Content-Length repeated with different values, or not a number, or together with a Transfer-Encoding. */
  AMBIGUOUS_LENGTH: 4096,
  /** The body was longer than `http.body_limit`: only its start was inspected. */
  BODY_TRUNCATED: 8192,
  /** A malformed chunked body. */
  INVALID_CHUNK: 16384,
  /** A JSON or multipart body that did not parse (inspected raw). */
  INVALID_BODY: 32768,
  /** The flow ended before the request was complete. */
  INCOMPLETE: 65536,
  /**
   * Fullwidth forms of ASCII (U+FF01-FF5E, in UTF-8 or `%u`), read as the ASCII they stand for, as
   * IIS's best-fit mapping and some database collations do (`%EF%BC%87` for `'`).
   */
  BEST_FIT: 131072,
  /** A body whose Content-Encoding (gzip, deflate, br) did not decompress: inspected as sent. */
  INVALID_COMPRESSION: 262144,
  /**
   * More arguments, cookies or body fields than `http.max_args`: what came after the last one
   * taken is inspected as one value (padding with arguments hides nothing).
   */
  TOO_MANY_ARGS: 524288,
  /**
   * A body in a charset whose bytes hide ASCII (UTF-16, UTF-32, an EBCDIC code page such as
   * IBM037), named by its Content-Type or shown by its first bytes: read in it, as the application does.
   */
  BODY_CHARSET: 1048576,
} as const;

/** Names of the flag bits, in bit order (for metadata and the http event). */
export const HTTP_FLAG_NAMES: readonly string[] = [
  'double_encoded',
  'u_encoded',
  'invalid_encoding',
  'overlong_utf8',
  'nul_byte',
  'path_above_root',
  'backslash',
  'dot_segments',
  'encoded_traversal',
  'line_too_long',
  'headers_too_large',
  'folded_header',
  'ambiguous_length',
  'body_truncated',
  'invalid_chunk',
  'invalid_body',
  'incomplete',
  'best_fit',
  'invalid_compression',
  'too_many_args',
  'body_charset',
];

/** Names of the bits set in `flags`. */
export function flagNames(flags: number): string[] {
  const out: string[] = [];
  for (let b = 0; b < HTTP_FLAG_NAMES.length; b++) if (flags & (1 << b)) out.push(HTTP_FLAG_NAMES[b]);
  return out;
}

/** One inspection buffer. */
export interface HttpField {
  readonly kind: number;
  /** Argument, header (lower case), cookie or JSON path name; '' for the path and raw bodies. */
  readonly name: string;
  readonly value: string;
  /** HttpFlag bits found while decoding this value. */
  readonly flags: number;
}

/** A request header as sent (name case kept, folded continuation lines joined by one space). */
export interface HttpHeader {
  readonly name: string;
  /** Lower-case name, for lookups. */
  readonly key: string;
  readonly value: string;
}

/** A parsed HTTP/1.x request. */
export interface HttpRequest {
  /** 0-based number of the request on its flow (pipelined and keep-alive requests count up). */
  readonly index: number;
  readonly method: string;
  /** The request target exactly as sent. */
  readonly uriRaw: string;
  /** Normalised path plus decoded query: what the request asks for once evasions are undone. */
  readonly uriNormalized: string;
  /** The normalised path (decoded, `\` as `/`, `//`, `/./` and `/../` resolved). */
  readonly path: string;
  /** The raw query string (after `?`, without `#fragment`), '' when absent. */
  readonly query: string;
  /** "HTTP/1.1", "HTTP/1.0", or "HTTP/0.9" for a request line without version. */
  readonly protocol: string;
  readonly headers: readonly HttpHeader[];
  /** Host without port, lower case (from an absolute URI, else the Host header); '' when absent. */
  readonly hostname: string;
  /** The port written with that host (`shop.example:8080`), -1 when none or not a port number. */
  readonly hostPort: number;
  readonly userAgent: string;
  readonly referer: string;
  readonly contentType: string;
  /** The request's Content-Encoding (its body's compression), '' when absent. */
  readonly contentEncoding: string;
  /** The request's Upgrade header (the protocol it asks to switch to), '' when absent. */
  readonly upgrade: string;
  /** Inspection buffers of the request line and head: path, query arguments, headers, cookies. */
  readonly fields: readonly HttpField[];
  /**
   * Inspection buffers of the latest window of a head longer than `http.max_header_bytes`, or of
   * an HTTP/2 request's trailers (see HttpPhase.MORE_HEADERS), or of a WebSocket message (see
   * HttpPhase.MESSAGE); empty for any other request.
   */
  moreFields: readonly HttpField[];
  /** Inspection buffers of the body (filled when the body is complete). */
  bodyFields: readonly HttpField[];
  /** Body bytes received (beyond `body_limit` they are counted, not kept). */
  bodyLength: number;
  /** The request head as received (latin1), for `payload_printable`. */
  readonly head: string;
  /** The start of the body (latin1, at most `body_limit` bytes), '' until the body is complete. */
  bodyText: string;
  /** HttpFlag bits of the whole request (the union of its fields' flags and the parser's). */
  flags: number;
  /** Response status once the response head was parsed, 0 until then. */
  status: number;
  /** Response body bytes seen. */
  responseLength: number;
  /** Response Content-Type, '' when absent or not seen. */
  responseContentType: string;
  /** Response Location (a redirect's target), '' when absent or not seen. */
  responseLocation: string;
  /** Client and server ports of the flow (which side is the client was decided from the data). */
  readonly clientPort: number;
  readonly serverPort: number;
  /** True when the client is the flow's initiator (flow table side A). */
  readonly clientIsInitiator: boolean;
  /** Attack types already alerted for this request (bits owned by the web detector). */
  alerted: number;
  /**
   * For a WebSocket message read as a request of its own (see `WsMessageRequest`), its number on
   * the connection from 1; 0 for an HTTP request.
   */
  readonly message: number;
}

/** First value of a header by lower-case name, '' when absent. */
export function headerValue(headers: readonly HttpHeader[], key: string): string {
  for (let i = 0; i < headers.length; i++) if (headers[i].key === key) return headers[i].value;
  return '';
}

/**
 * The EVE `http` fields of a request (and of its response, once seen). X-Forwarded-For is read
 * from the headers here, when an event is logged, not while inspecting.
 */
export function httpInfo(req: HttpRequest): HttpInfo {
  return {
    hostname: req.hostname,
    httpPort: req.hostPort,
    url: req.uriRaw,
    httpUserAgent: req.userAgent,
    xff: headerValue(req.headers, 'x-forwarded-for'),
    httpContentType: req.responseContentType,
    httpRefer: req.referer,
    httpMethod: req.method,
    protocol: req.protocol,
    status: req.status,
    redirect: req.responseLocation,
    length: req.responseLength,
  };
}
