/**
 * Gives the scenario's frames the marks of real machines, at the moment they are written (so in
 * capture order): each host's own MAC (outside hosts arrive with the router's), its TTL or hop
 * limit, and an IP id that counts up per host. Only the Ethernet and IP headers change (the IPv4
 * header checksum is recomputed); TCP/UDP checksums do not cover these fields.
 */
import { ipv4HeaderChecksum } from '../../decode/checksum.js';
import { parseIp, parseMac } from '../craft/frame.js';
import { type Host, LAN_PREFIX_V4, LAN_PREFIX_V6 } from './hosts.js';

/** What the stamper knows of one address. */
interface Station {
  readonly mac: Uint8Array;
  readonly ttl: number;
  nextIpId: number;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;

/** Rewrites link and IP header fields of Ethernet frames so each host looks like itself. */
export class WireStamper {
  private readonly stations = new Map<string, Station>();
  private readonly router: Station;
  /** IP ids given to the datagram being fragmented, by "source/original id", until its last fragment. */
  private readonly fragmentIds = new Map<string, number>();
  private readonly lanV6Prefix: Uint8Array;
  private written = 0;

  constructor(hosts: readonly Host[], router: Host) {
    for (const h of hosts) this.add(h);
    this.router = this.stations.get(router.v4) as Station;
    this.lanV6Prefix = parseIp(`${LAN_PREFIX_V6}0`).bytes.subarray(0, 8);
  }

  /** Registers a host (attackers join the benign hosts this way). */
  add(h: Host): void {
    const st: Station = { mac: h.mac === null ? new Uint8Array(0) : parseMac(h.mac), ttl: h.ttl, nextIpId: h.ipIdStart };
    this.stations.set(h.v4, st);
    if (h.v6 !== null) this.stations.set(ipText(parseIp(h.v6).bytes), st);
  }

  /** Rewrites `frame` in place (an Ethernet II frame without VLAN tags). */
  stamp(frame: Buffer): void {
    this.written++;
    const etherType = frame.readUInt16BE(12);
    if (etherType === ETHERTYPE_ARP) {
      this.stampArp(frame);
      return;
    }
    if (etherType !== ETHERTYPE_IPV4 && etherType !== ETHERTYPE_IPV6) return;
    const v4 = etherType === ETHERTYPE_IPV4;
    const src = v4 ? frame.subarray(26, 30) : frame.subarray(22, 38);
    const dst = v4 ? frame.subarray(30, 34) : frame.subarray(38, 54);
    const from = this.stations.get(ipText(src));
    const to = this.stations.get(ipText(dst));
    frame.set(this.macOf(to, dst), 0);
    frame.set(this.macOf(from, src), 6);
    if (!v4) {
      frame[14 + 7] = from?.ttl ?? this.remoteTtl(src);
      return;
    }
    frame[14 + 8] = from?.ttl ?? this.remoteTtl(src);
    frame.writeUInt16BE(this.ipId(frame, from, src), 14 + 4);
    const hdrLen = (frame[14] & 0x0f) * 4;
    frame.writeUInt16BE(ipv4HeaderChecksum(frame, 14, hdrLen), 14 + 10);
  }

  /** The IP id for this datagram: the host's next one; every fragment of a datagram shares it. */
  private ipId(frame: Buffer, from: Station | undefined, src: Uint8Array): number {
    const flagsOff = frame.readUInt16BE(14 + 6);
    const fragment = (flagsOff & 0x3fff) !== 0;
    const fresh = (): number => {
      if (from === undefined) return this.spoofedIpId(src);
      const id = from.nextIpId;
      from.nextIpId = (id + 1) & 0xffff;
      return id;
    };
    if (!fragment) return fresh();
    const key = `${ipText(src)}/${frame.readUInt16BE(14 + 4)}`;
    let id = this.fragmentIds.get(key);
    if (id === undefined) {
      id = fresh();
      this.fragmentIds.set(key, id);
    }
    if ((flagsOff & 0x2000) === 0) this.fragmentIds.delete(key);
    return id;
  }

  /** Forged sources have no counter: tools like hping3 --rand-source draw an id per packet. */
  private spoofedIpId(src: Uint8Array): number {
    return (Math.imul(this.written ^ (src[2] << 8) ^ src[3], 0x9e3779b1) >>> 16) & 0xffff;
  }

  /** Unknown outside sources (forged ones) look 6-21 hops away from a TTL-64 stack. */
  private remoteTtl(src: Uint8Array): number {
    return 64 - 6 - ((src[src.length - 1] ^ src[src.length - 2]) & 15);
  }

  private macOf(st: Station | undefined, addr: Uint8Array): Uint8Array {
    if (st !== undefined && st.mac.length === 6) return st.mac;
    if (st === undefined && this.isLan(addr)) return lanMac(addr);
    return this.router.mac;
  }

  private isLan(addr: Uint8Array): boolean {
    if (addr.length === 4) return ipText(addr).startsWith(LAN_PREFIX_V4);
    for (let i = 0; i < 8; i++) if (addr[i] !== this.lanV6Prefix[i]) return false;
    return true;
  }

  /** ARP: the sender's own MAC in the header and the message; a reply goes to the asker's MAC. */
  private stampArp(frame: Buffer): void {
    const sender = frame.subarray(14 + 14, 14 + 18);
    const target = frame.subarray(14 + 24, 14 + 28);
    const senderMac = this.macOf(this.stations.get(ipText(sender)), sender);
    frame.set(senderMac, 6);
    frame.set(senderMac, 14 + 8);
    if (frame.readUInt16BE(14 + 6) === 2) {
      const targetMac = this.macOf(this.stations.get(ipText(target)), target);
      frame.set(targetMac, 0);
      frame.set(targetMac, 14 + 18);
    }
  }
}

/** A LAN address nobody registered (a silent, firewalled machine): a MAC derived from the address. */
function lanMac(addr: Uint8Array): Uint8Array {
  const a = addr[addr.length - 1];
  const b = addr[addr.length - 2];
  return Uint8Array.from([0x00, 0x1b, 0x21, 0x5a, b, a]);
}

/** Text key of address bytes, the same form parseIp reads for IPv4 and a fixed hex form for IPv6. */
function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
