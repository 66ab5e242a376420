/**
 * The ground-truth file written beside each generated capture (`<name>.truth.json`), and its
 * reader. Packet numbers are 1-based, as EVE's `pcap_cnt` (`index_base: 1`); packet lists are
 * inclusive ranges `[first, last]`, so a flood of thousands of packets stays a few pairs long.
 */

/** Inclusive range of 1-based packet numbers. */
export type PacketRange = readonly [number, number];

/** One attack in a capture. */
export interface TruthAttack {
  /** Unique in the file, "<type>/<variant>". */
  readonly id: string;
  /** The engine's attack_type (alert.metadata.attack_type). */
  readonly type: string;
  /** How it is done: "syn", "spoofed", "urlencoded", "ip_fragments"... */
  readonly variant: string;
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'arp' | 'ip';
  /** Source address, or null when the sources are forged. */
  readonly attacker: string | null;
  /** Target address, or a CIDR for sweeps. */
  readonly victim: string;
  readonly description: string;
  /** First and last packet that carries the attack. */
  readonly first_packet: number;
  readonly last_packet: number;
  /** Number of packets that carry it. */
  readonly packet_count: number;
  /** The packets that carry it (probes, flood, the malicious request's segments or fragments). */
  readonly packets: readonly PacketRange[];
  /** Other packets of its conversations: the victim's answers, the handshake around a request. */
  readonly related: readonly PacketRange[];
}

/** A whole truth file. */
export interface Truth {
  /** File name of the capture it describes (no directory). */
  readonly capture: string;
  readonly generator: string;
  readonly seed: number;
  readonly scale: number;
  /** Packets in the capture. */
  readonly packets: number;
  /** 1: packet numbers count from 1, as EVE pcap_cnt does (verdict lines count from 0). */
  readonly index_base: 1;
  readonly notes: string;
  readonly attacks: readonly TruthAttack[];
  /** Every address of a host that never attacks: any alert about one of them is a false positive. */
  readonly benign_hosts: readonly string[];
}

/** Builds the ranges of an increasing sequence of packet numbers. */
export class RangeBuilder {
  private readonly ranges: [number, number][] = [];
  count = 0;

  /** Adds packet n (greater than every packet added before). */
  add(n: number): void {
    this.count++;
    const last = this.ranges[this.ranges.length - 1];
    if (last !== undefined && last[1] + 1 === n) last[1] = n;
    else this.ranges.push([n, n]);
  }

  get first(): number {
    return this.ranges.length > 0 ? this.ranges[0][0] : 0;
  }

  get last(): number {
    return this.ranges.length > 0 ? this.ranges[this.ranges.length - 1][1] : 0;
  }

  result(): PacketRange[] {
    return this.ranges.map(([a, b]) => [a, b] as const);
  }
}

/** Every packet number of a range list, in order. */
export function expandRanges(ranges: readonly PacketRange[]): number[] {
  const out: number[] = [];
  for (const [a, b] of ranges) for (let n = a; n <= b; n++) out.push(n);
  return out;
}

/** The truth file as text: two-space JSON, each list of ranges on one line so the file stays readable. */
export function formatTruth(t: Truth): string {
  const text = JSON.stringify(t, null, 2)
    .replace(/\[\s+(\d+),\s+(\d+)\s+\]/g, '[$1, $2]')
    .replace(/\[\n\s+(\[\d+, \d+\](?:,\n\s+\[\d+, \d+\])*)\n\s+\]/g, (_, list: string) => `[${list.replace(/,\n\s+/g, ', ')}]`);
  return `${text}\n`;
}

/** A truth file that does not say what it must. */
export class TruthError extends Error {
  override readonly name = 'TruthError';
}

function fail(file: string, where: string, expected: string): never {
  throw new TruthError(`${file}: ${where}: expected ${expected}`);
}

function isRanges(v: unknown): v is PacketRange[] {
  return Array.isArray(v) && v.every((r) => Array.isArray(r) && r.length === 2 && Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] >= 1 && r[1] >= r[0]);
}

/**
 * Parses and checks a truth file's text. Throws TruthError naming the file and the field that
 * is wrong. Only what evaluation needs is required; `packets`/`related` may be absent.
 */
export function parseTruth(text: string, file: string): Truth {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TruthError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(file, 'top level', 'an object');
  const d = doc as Record<string, unknown>;
  if (d.index_base !== 1) fail(file, 'index_base', '1 (packet numbers counted from 1, as pcap_cnt)');
  if (!Array.isArray(d.attacks)) fail(file, 'attacks', 'a list');
  if (!Array.isArray(d.benign_hosts) || !d.benign_hosts.every((h) => typeof h === 'string')) fail(file, 'benign_hosts', 'a list of addresses');
  const ids = new Set<string>();
  const attacks = d.attacks.map((raw: unknown, i: number): TruthAttack => {
    const where = `attacks[${i}]`;
    if (typeof raw !== 'object' || raw === null) fail(file, where, 'an object');
    const a = raw as Record<string, unknown>;
    for (const key of ['id', 'type', 'victim'] as const) if (typeof a[key] !== 'string' || a[key] === '') fail(file, `${where}.${key}`, 'a non-empty string');
    if (a.attacker !== null && typeof a.attacker !== 'string') fail(file, `${where}.attacker`, 'an address or null (forged sources)');
    if (!Number.isInteger(a.first_packet) || (a.first_packet as number) < 1) fail(file, `${where}.first_packet`, 'a packet number >= 1');
    if (!Number.isInteger(a.last_packet) || (a.last_packet as number) < (a.first_packet as number)) fail(file, `${where}.last_packet`, 'a packet number >= first_packet');
    for (const key of ['packets', 'related'] as const) if (a[key] !== undefined && !isRanges(a[key])) fail(file, `${where}.${key}`, 'a list of [first, last] packet ranges');
    if (ids.has(a.id as string)) fail(file, `${where}.id`, `a unique id ("${a.id as string}" is used twice)`);
    ids.add(a.id as string);
    return {
      id: a.id as string,
      type: a.type as string,
      variant: typeof a.variant === 'string' ? a.variant : '',
      protocol: (a.protocol as TruthAttack['protocol']) ?? 'tcp',
      attacker: a.attacker as string | null,
      victim: a.victim as string,
      description: typeof a.description === 'string' ? a.description : '',
      first_packet: a.first_packet as number,
      last_packet: a.last_packet as number,
      packet_count: Number.isInteger(a.packet_count) ? (a.packet_count as number) : 0,
      packets: (a.packets as PacketRange[] | undefined) ?? [],
      related: (a.related as PacketRange[] | undefined) ?? [],
    };
  });
  return {
    capture: typeof d.capture === 'string' ? d.capture : '',
    generator: typeof d.generator === 'string' ? d.generator : '',
    seed: typeof d.seed === 'number' ? d.seed : 0,
    scale: typeof d.scale === 'number' ? d.scale : 1,
    packets: Number.isInteger(d.packets) ? (d.packets as number) : 0,
    index_base: 1,
    notes: typeof d.notes === 'string' ? d.notes : '',
    attacks,
    benign_hosts: d.benign_hosts as string[],
  };
}
