/**
 * Request bodies in character sets whose bytes hide ASCII from a byte-level reading: UTF-16 and
 * UTF-32 (Jackson and Python's json read a JSON body in them by its first bytes, whatever the
 * header says; ASP.NET and Django decode a form in the charset its Content-Type names) and the
 * EBCDIC code pages (ASP.NET and Django take `charset=ibm037` …): `1' OR 1=1` arrives as
 * `%F1%7D%40%96%99%40%F1%7E%F1`. Such a body is read in its charset, as the application reads
 * it, and handed on as bodies are (UTF-8 bytes in a latin1 string). Charsets that keep ASCII as
 * ASCII (UTF-8, ISO-8859-x, windows-125x …) need no reading: their attacks are already visible.
 */

/** Characters of the bytes 0x00-0xFF in each EBCDIC code page read (Python's codecs cp037 …). */
const EBCDIC: Readonly<Record<string, string>> = {
  '37': '\u0000\u0001\u0002\u0003\u009c\u0009\u0086\u007f\u0097\u008d\u008e\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u009d\u0085\u0008\u0087\u0018\u0019\u0092\u008f\u001c\u001d\u001e\u001f\u0080\u0081\u0082\u0083\u0084\u000a\u0017\u001b\u0088\u0089\u008a\u008b\u008c\u0005\u0006\u0007\u0090\u0091\u0016\u0093\u0094\u0095\u0096\u0004\u0098\u0099\u009a\u009b\u0014\u0015\u009e\u001a \u00a0\u00e2\u00e4\u00e0\u00e1\u00e3\u00e5\u00e7\u00f1\u00a2.<(+|&\u00e9\u00ea\u00eb\u00e8\u00ed\u00ee\u00ef\u00ec\u00df!$*);\u00ac-/\u00c2\u00c4\u00c0\u00c1\u00c3\u00c5\u00c7\u00d1\u00a6,%_>?\u00f8\u00c9\u00ca\u00cb\u00c8\u00cd\u00ce\u00cf\u00cc`:#@\u0027="\u00d8abcdefghi\u00ab\u00bb\u00f0\u00fd\u00fe\u00b1\u00b0jklmnopqr\u00aa\u00ba\u00e6\u00b8\u00c6\u00a4\u00b5~stuvwxyz\u00a1\u00bf\u00d0\u00dd\u00de\u00ae^\u00a3\u00a5\u00b7\u00a9\u00a7\u00b6\u00bc\u00bd\u00be[]\u00af\u00a8\u00b4\u00d7{ABCDEFGHI\u00ad\u00f4\u00f6\u00f2\u00f3\u00f5}JKLMNOPQR\u00b9\u00fb\u00fc\u00f9\u00fa\u00ff\u005c\u00f7STUVWXYZ\u00b2\u00d4\u00d6\u00d2\u00d3\u00d50123456789\u00b3\u00db\u00dc\u00d9\u00da\u009f',
  '500': '\u0000\u0001\u0002\u0003\u009c\u0009\u0086\u007f\u0097\u008d\u008e\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u009d\u0085\u0008\u0087\u0018\u0019\u0092\u008f\u001c\u001d\u001e\u001f\u0080\u0081\u0082\u0083\u0084\u000a\u0017\u001b\u0088\u0089\u008a\u008b\u008c\u0005\u0006\u0007\u0090\u0091\u0016\u0093\u0094\u0095\u0096\u0004\u0098\u0099\u009a\u009b\u0014\u0015\u009e\u001a \u00a0\u00e2\u00e4\u00e0\u00e1\u00e3\u00e5\u00e7\u00f1[.<(+!&\u00e9\u00ea\u00eb\u00e8\u00ed\u00ee\u00ef\u00ec\u00df]$*);^-/\u00c2\u00c4\u00c0\u00c1\u00c3\u00c5\u00c7\u00d1\u00a6,%_>?\u00f8\u00c9\u00ca\u00cb\u00c8\u00cd\u00ce\u00cf\u00cc`:#@\u0027="\u00d8abcdefghi\u00ab\u00bb\u00f0\u00fd\u00fe\u00b1\u00b0jklmnopqr\u00aa\u00ba\u00e6\u00b8\u00c6\u00a4\u00b5~stuvwxyz\u00a1\u00bf\u00d0\u00dd\u00de\u00ae\u00a2\u00a3\u00a5\u00b7\u00a9\u00a7\u00b6\u00bc\u00bd\u00be\u00ac|\u00af\u00a8\u00b4\u00d7{ABCDEFGHI\u00ad\u00f4\u00f6\u00f2\u00f3\u00f5}JKLMNOPQR\u00b9\u00fb\u00fc\u00f9\u00fa\u00ff\u005c\u00f7STUVWXYZ\u00b2\u00d4\u00d6\u00d2\u00d3\u00d50123456789\u00b3\u00db\u00dc\u00d9\u00da\u009f',
  '1026': '\u0000\u0001\u0002\u0003\u009c\u0009\u0086\u007f\u0097\u008d\u008e\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u009d\u0085\u0008\u0087\u0018\u0019\u0092\u008f\u001c\u001d\u001e\u001f\u0080\u0081\u0082\u0083\u0084\u000a\u0017\u001b\u0088\u0089\u008a\u008b\u008c\u0005\u0006\u0007\u0090\u0091\u0016\u0093\u0094\u0095\u0096\u0004\u0098\u0099\u009a\u009b\u0014\u0015\u009e\u001a \u00a0\u00e2\u00e4\u00e0\u00e1\u00e3\u00e5{\u00f1\u00c7.<(+!&\u00e9\u00ea\u00eb\u00e8\u00ed\u00ee\u00ef\u00ec\u00df\u011e\u0130*);^-/\u00c2\u00c4\u00c0\u00c1\u00c3\u00c5[\u00d1\u015f,%_>?\u00f8\u00c9\u00ca\u00cb\u00c8\u00cd\u00ce\u00cf\u00cc\u0131:\u00d6\u015e\u0027=\u00dc\u00d8abcdefghi\u00ab\u00bb}`\u00a6\u00b1\u00b0jklmnopqr\u00aa\u00ba\u00e6\u00b8\u00c6\u00a4\u00b5\u00f6stuvwxyz\u00a1\u00bf]$@\u00ae\u00a2\u00a3\u00a5\u00b7\u00a9\u00a7\u00b6\u00bc\u00bd\u00be\u00ac|\u00af\u00a8\u00b4\u00d7\u00e7ABCDEFGHI\u00ad\u00f4~\u00f2\u00f3\u00f5\u011fJKLMNOPQR\u00b9\u00fb\u005c\u00f9\u00fa\u00ff\u00fc\u00f7STUVWXYZ\u00b2\u00d4#\u00d2\u00d3\u00d50123456789\u00b3\u00db"\u00d9\u00da\u009f',
  '1140': '\u0000\u0001\u0002\u0003\u009c\u0009\u0086\u007f\u0097\u008d\u008e\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u009d\u0085\u0008\u0087\u0018\u0019\u0092\u008f\u001c\u001d\u001e\u001f\u0080\u0081\u0082\u0083\u0084\u000a\u0017\u001b\u0088\u0089\u008a\u008b\u008c\u0005\u0006\u0007\u0090\u0091\u0016\u0093\u0094\u0095\u0096\u0004\u0098\u0099\u009a\u009b\u0014\u0015\u009e\u001a \u00a0\u00e2\u00e4\u00e0\u00e1\u00e3\u00e5\u00e7\u00f1\u00a2.<(+|&\u00e9\u00ea\u00eb\u00e8\u00ed\u00ee\u00ef\u00ec\u00df!$*);\u00ac-/\u00c2\u00c4\u00c0\u00c1\u00c3\u00c5\u00c7\u00d1\u00a6,%_>?\u00f8\u00c9\u00ca\u00cb\u00c8\u00cd\u00ce\u00cf\u00cc`:#@\u0027="\u00d8abcdefghi\u00ab\u00bb\u00f0\u00fd\u00fe\u00b1\u00b0jklmnopqr\u00aa\u00ba\u00e6\u00b8\u00c6\u20ac\u00b5~stuvwxyz\u00a1\u00bf\u00d0\u00dd\u00de\u00ae^\u00a3\u00a5\u00b7\u00a9\u00a7\u00b6\u00bc\u00bd\u00be[]\u00af\u00a8\u00b4\u00d7{ABCDEFGHI\u00ad\u00f4\u00f6\u00f2\u00f3\u00f5}JKLMNOPQR\u00b9\u00fb\u00fc\u00f9\u00fa\u00ff\u005c\u00f7STUVWXYZ\u00b2\u00d4\u00d6\u00d2\u00d3\u00d50123456789\u00b3\u00db\u00dc\u00d9\u00da\u009f',
  '273': '\u0000\u0001\u0002\u0003\u009c\u0009\u0086\u007f\u0097\u008d\u008e\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u009d\u0085\u0008\u0087\u0018\u0019\u0092\u008f\u001c\u001d\u001e\u001f\u0080\u0081\u0082\u0083\u0084\u000a\u0017\u001b\u0088\u0089\u008a\u008b\u008c\u0005\u0006\u0007\u0090\u0091\u0016\u0093\u0094\u0095\u0096\u0004\u0098\u0099\u009a\u009b\u0014\u0015\u009e\u001a \u00a0\u00e2{\u00e0\u00e1\u00e3\u00e5\u00e7\u00f1\u00c4.<(+!&\u00e9\u00ea\u00eb\u00e8\u00ed\u00ee\u00ef\u00ec~\u00dc$*);^-/\u00c2[\u00c0\u00c1\u00c3\u00c5\u00c7\u00d1\u00f6,%_>?\u00f8\u00c9\u00ca\u00cb\u00c8\u00cd\u00ce\u00cf\u00cc`:#\u00a7\u0027="\u00d8abcdefghi\u00ab\u00bb\u00f0\u00fd\u00fe\u00b1\u00b0jklmnopqr\u00aa\u00ba\u00e6\u00b8\u00c6\u00a4\u00b5\u00dfstuvwxyz\u00a1\u00bf\u00d0\u00dd\u00de\u00ae\u00a2\u00a3\u00a5\u00b7\u00a9@\u00b6\u00bc\u00bd\u00be\u00ac|\u203e\u00a8\u00b4\u00d7\u00e4ABCDEFGHI\u00ad\u00f4\u00a6\u00f2\u00f3\u00f5\u00fcJKLMNOPQR\u00b9\u00fb}\u00f9\u00fa\u00ff\u00d6\u00f7STUVWXYZ\u00b2\u00d4\u005c\u00d2\u00d3\u00d50123456789\u00b3\u00db]\u00d9\u00da\u009f',
  '875': '\u0000\u0001\u0002\u0003\u009c\u0009\u0086\u007f\u0097\u008d\u008e\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u009d\u0085\u0008\u0087\u0018\u0019\u0092\u008f\u001c\u001d\u001e\u001f\u0080\u0081\u0082\u0083\u0084\u000a\u0017\u001b\u0088\u0089\u008a\u008b\u008c\u0005\u0006\u0007\u0090\u0091\u0016\u0093\u0094\u0095\u0096\u0004\u0098\u0099\u009a\u009b\u0014\u0015\u009e\u001a \u0391\u0392\u0393\u0394\u0395\u0396\u0397\u0398\u0399[.<(+!&\u039a\u039b\u039c\u039d\u039e\u039f\u03a0\u03a1\u03a3]$*);^-/\u03a4\u03a5\u03a6\u03a7\u03a8\u03a9\u03aa\u03ab|,%_>?\u00a8\u0386\u0388\u0389\u00a0\u038a\u038c\u038e\u038f`:#@\u0027="\u0385abcdefghi\u03b1\u03b2\u03b3\u03b4\u03b5\u03b6\u00b0jklmnopqr\u03b7\u03b8\u03b9\u03ba\u03bb\u03bc\u00b4~stuvwxyz\u03bd\u03be\u03bf\u03c0\u03c1\u03c3\u00a3\u03ac\u03ad\u03ae\u03ca\u03af\u03cc\u03cd\u03cb\u03ce\u03c2\u03c4\u03c5\u03c6\u03c7\u03c8{ABCDEFGHI\u00ad\u03c9\u0390\u03b0\u2018\u2015}JKLMNOPQR\u00b1\u00bd\u001a\u0387\u2019\u00a6\u005c\u001aSTUVWXYZ\u00b2\u00a7\u001a\u001a\u00ab\u00ac0123456789\u00b3\u00a9\u001a\u001a\u00bb\u009f',
};

/** An EBCDIC charset name: `ibm037`, `IBM-500`, `cp1026`, `x-ibm1140`, `ebcdic-cp-us` … (its table key), or ''. */
function ebcdicTable(name: string): string {
  const m = /^(?:x-)?(?:ibm|cp|ccsid)[-_]?0*(\d+)$/.exec(name);
  if (m !== null) return m[1] in EBCDIC ? m[1] : '';
  if (/^ebcdic-cp-(?:us|ca|wt|nl)$/.test(name)) return '37';
  if (/^ebcdic-cp-(?:be|ch)$/.test(name)) return '500';
  return '';
}

/** UTF-32 code units of a latin1 byte string, little- or big-endian (a BOM skipped); a bad unit reads as U+FFFD. */
function utf32(bytes: string, le: boolean): string {
  let out = '';
  let i = 0;
  const unit = (k: number): number =>
    le
      ? (bytes.charCodeAt(k) | (bytes.charCodeAt(k + 1) << 8) | (bytes.charCodeAt(k + 2) << 16) | (bytes.charCodeAt(k + 3) << 24)) >>> 0
      : ((bytes.charCodeAt(k) << 24) | (bytes.charCodeAt(k + 1) << 16) | (bytes.charCodeAt(k + 2) << 8) | bytes.charCodeAt(k + 3)) >>> 0;
  if (bytes.length >= 4 && unit(0) === 0xfeff) i = 4;
  for (; i + 4 <= bytes.length; i += 4) {
    const cp = unit(i);
    out += cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
  }
  return out;
}

/** Reads bytes (a latin1 string) in one charset. */
export type CharsetDecoder = (bytes: string) => string;

/**
 * The reader of the charset named (a Content-Type's `charset`, any case), or null for one that
 * keeps ASCII as ASCII, or one this reader does not know (the bytes are read as they are).
 */
export function charsetDecoder(charset: string): CharsetDecoder | null {
  const name = charset.trim().replace(/^"|"$/g, '').toLowerCase();
  if (name === '') return null;
  const table = ebcdicTable(name);
  if (table !== '') {
    const chars = EBCDIC[table];
    return (bytes) => {
      let out = '';
      for (let i = 0; i < bytes.length; i++) out += chars[bytes.charCodeAt(i) & 0xff];
      return out;
    };
  }
  // .NET's names: "unicode" is UTF-16LE, "unicodeFFFE" UTF-16BE.
  const utf16 = name === 'utf-16' || name === 'utf16' || name === 'ucs-2' || name === 'unicode' ? 'utf-16le' : name === 'utf-16le' ? 'utf-16le' : name === 'utf-16be' || name === 'unicodefffe' ? 'utf-16be' : '';
  if (utf16 !== '') {
    return (bytes) => {
      const buf = Buffer.from(bytes, 'latin1');
      // A byte order mark decides, as decoders read it.
      const enc = buf[0] === 0xfe && buf[1] === 0xff ? 'utf-16be' : buf[0] === 0xff && buf[1] === 0xfe ? 'utf-16le' : utf16;
      return new TextDecoder(enc).decode(buf);
    };
  }
  if (name === 'utf-32le') return (bytes) => utf32(bytes, true);
  // Unmarked: big-endian when the first unit's high bytes are zero (a BOM, 00 00 FE FF, is one too).
  if (name === 'utf-32' || name === 'utf32') return (bytes) => utf32(bytes, !(bytes.charCodeAt(0) === 0 && bytes.charCodeAt(1) === 0));
  if (name === 'utf-32be') return (bytes) => utf32(bytes, false);
  return null;
}

/**
 * The charset a JSON text's first bytes show (RFC 4627 §3, as Jackson and Python's json detect
 * it: the pattern of NULs in the first four bytes, or a byte order mark), or '' for UTF-8.
 */
export function jsonCharset(bytes: string): string {
  if (bytes.length < 4) return '';
  const b = [bytes.charCodeAt(0), bytes.charCodeAt(1), bytes.charCodeAt(2), bytes.charCodeAt(3)];
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'utf-32be';
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return 'utf-32le';
  if ((b[0] === 0xfe && b[1] === 0xff) || (b[0] === 0 && b[1] !== 0 && b[2] === 0 && b[3] !== 0)) return 'utf-16be';
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0)) return 'utf-16le';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] !== 0) return 'utf-32be';
  if (b[0] !== 0 && b[1] === 0 && b[2] === 0 && b[3] === 0) return 'utf-32le';
  return '';
}

/** Text as bodies are handed on: its UTF-8 bytes, one char each (latin1). */
export function asUtf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}
