/**
 * Text addresses for the crafting kit: IPv4 dotted quads, IPv6 in any RFC 4291 form (full,
 * `::`-compressed, with a dotted IPv4 tail) and MAC addresses. Bad text throws: crafting is test
 * and tool code, where a typo must fail loudly rather than produce a silently wrong frame.
 */

/** A parsed IP address: its family and its bytes in network order (4 or 16 of them). */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

const IPV4_TEXT = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted-quad IPv4 address into 4 bytes, or returns null when the text is not one. */
function parseIpv4(text: string): Uint8Array | null {
  const m = IPV4_TEXT.exec(text);
  if (m === null) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const v = Number(m[i + 1]);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Parses IPv6 text (RFC 4291 section 2.2 forms) into 16 bytes, or returns null when it is not one. */
function parseIpv6(text: string): Uint8Array | null {
  let groupsText = text;
  const tail: number[] = [];
  // A dotted IPv4 tail (e.g. ::ffff:192.0.2.1) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > 0) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    // Keep a "::" that ends right before the tail; otherwise drop the separating colon.
    groupsText = text[lastColon - 1] === ':' ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const halves = groupsText.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]);
  const rest = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (head === null || rest === null) return null;
  const explicit = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    // "::" stands for at least one zero group.
    if (explicit > 7) return null;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
  } else {
    if (explicit !== 8) return null;
    groups = [...head, ...tail];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >>> 8;
    out[2 * i + 1] = groups[i] & 0xff;
  }
  return out;
}

/** Parses an IPv4 or IPv6 address; the family follows from the text. Throws on anything else. */
export function parseIp(text: string): IpAddress {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, bytes: v4 };
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    if (v6 !== null) return { family: 6, bytes: v6 };
  }
  throw new RangeError(`not an IPv4 or IPv6 address: "${text}"`);
}

/** Parses a MAC address written as six hex pairs separated by ':' or '-'. Throws on anything else. */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new RangeError(`not a MAC address: "${text}"`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}
