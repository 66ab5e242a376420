/**
 * CRLF injection (HTTP response splitting, header injection): a decoded value that holds a line
 * break followed by what a server writing it into a response header (a redirect's Location, a
 * cookie) would send as a header line of its own or a new response: `%0d%0aSet-Cookie:x=1`,
 * `%0d%0aLocation:%20…`, `%0d%0aHTTP/1.1 200 OK`. A line break is CR or LF, or a character
 * whose low byte is one (`%E5%98%8A` is U+560A), which servers that write header strings as
 * latin1 by dropping the high byte (Node before 10.15) turn into one. The caller checks only
 * values that end up in headers (the path, query arguments and their names, cookies); a form's
 * text, where line breaks are the user's, is not read.
 */

/** CR, LF, or the UTF-8 (latin1 bytes) of a character U+xx0A or U+xx0D. */
const BREAK = '(?:[\\r\\n]|[\\xc4\\xc8\\xcc\\xd0\\xd4\\xd8\\xdc][\\x8a\\x8d]|[\\xe0-\\xef][\\x80\\x84\\x88\\x8c\\x90\\x94\\x98\\x9c\\xa0\\xa4\\xa8\\xac\\xb0\\xb4\\xb8\\xbc][\\x8a\\x8d])';

/** A line break (global: the next one from lastIndex). */
const LINE_BREAK = new RegExp(BREAK, 'g');

/** More breaks or blanks after a line break (sticky, may be empty). */
const BREAKS_AND_BLANKS = new RegExp(`(?:${BREAK}|[\\t ])*`, 'y');

/** A header name and its colon, or a status line (sticky: tested where the breaks end). */
const INJECTED_LINE = /([A-Za-z][A-Za-z0-9_-]{0,63})[\t ]*:|HTTP\/\d/y;

/** A character whose low byte is CR or LF (see above). */
const WIDE_BREAK = new RegExp(BREAK.replace('[\\r\\n]|', ''));

/** True when `value` (which holds bytes above ASCII) holds a character a latin1 writer turns into CR or LF. */
export function hasWideLineBreak(value: string): boolean {
  return WIDE_BREAK.test(value);
}

/** The reason when `value` (decoded) carries a header line or a response after a line break, or null. */
export function detectCrlfInjection(value: string): string | null {
  // Each run of breaks and blanks is read once, from its first break to what follows it: a value
  // of thousands of line breaks costs one pass (one expression over it would retry from each break).
  LINE_BREAK.lastIndex = 0;
  while (LINE_BREAK.exec(value) !== null) {
    BREAKS_AND_BLANKS.lastIndex = LINE_BREAK.lastIndex;
    BREAKS_AND_BLANKS.exec(value);
    const at = BREAKS_AND_BLANKS.lastIndex;
    INJECTED_LINE.lastIndex = at;
    const m = INJECTED_LINE.exec(value);
    if (m !== null) return m[1] !== undefined ? `header line "${m[1]}:" after a line break` : 'status line after a line break';
    LINE_BREAK.lastIndex = Math.max(at, LINE_BREAK.lastIndex);
  }
  return null;
}
