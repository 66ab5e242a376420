import { IpProto, L3, type Packet } from '../../decode/packet.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { pairKey, RateTable } from '../windows.js';

const SIG = builtin(9100019, 'RAMPART DOS IP flood of packets without a usable transport header', 'IP flood', 'ip_flood', Category.DOS, 1);
const SIG_TARGET = builtin(9100050, 'RAMPART DOS IP flood of packets without a usable transport header against one host (distributed or spoofed sources)', 'IP flood', 'ip_flood', Category.DOS, 1);

/**
 * Protocols whose traffic is legitimately heavy and has no header the decoder reads: IPsec (ESP,
 * AH), PIM, SCTP. Each is left out when its fixed header is there (ESP's SPI and sequence number,
 * AH's first 12 bytes, PIM's 4, SCTP's common header); an empty one (hping3 -0 -H 50) counts.
 */
const IP_PROTO_ESP = 50;
const IP_PROTO_AH = 51;
const IP_PROTO_PIM = 103;
const MIN_HEADER: Readonly<Record<number, number>> = { [IP_PROTO_ESP]: 8, [IP_PROTO_AH]: 12, [IP_PROTO_PIM]: 4, [IpProto.SCTP]: 12 };

/**
 * True when `p` is a whole IP datagram that carries no transport header the engine can follow:
 * a TCP, UDP, ICMP or GRE header that is truncated or invalid (the decoder recorded why), or a
 * protocol without a decoder (hping3 --rawip with any -H), but for the protocols of MIN_HEADER.
 * Fragments are left to the defragmenter: the reassembled datagram is what counts.
 */
function transportless(p: Packet): boolean {
  if (p.hasL4 || p.isFragment || (p.l3 !== L3.IPV4 && p.l3 !== L3.IPV6)) return false;
  const min = MIN_HEADER[p.ipProto];
  return min === undefined || p.ipLen - p.ipHdrLen < min;
}

/**
 * `ip_flood`: floods of IP packets that no other flood detector can see because they carry no
 * usable transport header: hping3's raw IP mode (`-0`, any protocol number), empty or truncated
 * TCP/UDP/GRE headers, protocols nothing on the network speaks. A malformed header is also a
 * decoder anomaly, one event a packet; this turns the stream into one alert. Counted per protocol
 * number, per source and destination (blocked) and per destination from sources that are not
 * floods on their own (`--rand-source`: alerted about the host, not blocked). A flood repeats one
 * protocol; an IP protocol scan (nmap -sO, port_scan's) sends each of many once or twice, so it
 * never adds up here. Routing protocols (OSPF, VRRP, IGMP) send a few packets a second at most.
 */
export const ipFlood: DetectorSpec = {
  name: 'ip_flood',
  help: 'Rate of IP packets without a usable transport header (malformed, or a protocol nothing decodes; well-formed IPsec, PIM and SCTP excluded), per protocol, per source and destination, and per destination.',
  params: [
    { name: 'rate', type: 'number', default: 100, min: 1, max: 1e7, help: 'Such packets of one IP protocol per second from one source to one destination that make a flood.' },
    { name: 'target_rate', type: 'number', default: 200, min: 1, max: 1e7, help: 'Such packets of one IP protocol per second towards one host, from any sources, that make a flood.' },
    { name: 'window', type: 'number', default: 1, min: 0.01, max: 3600, help: 'Sliding window of the rates, seconds.' },
    { name: 'max_keys', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Source/destination/protocol triples (and destination/protocol pairs) tracked at once (oldest dropped).' },
  ],
  signatures: [SIG, SIG_TARGET],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = (values.rate as number) * (values.window as number);
    const targetThreshold = (values.target_rate as number) * (values.window as number);
    const pairs = new RateTable(values.max_keys as number, 1, windowUs);
    const hosts = new RateTable(values.max_keys as number, 1, windowUs);
    return {
      get stats() {
        return { ip_flood_evictions: pairs.slots.evictions + hosts.slots.evictions };
      },
      onPacket(p: Packet, flow: number): void {
        if (!transportless(p)) return;
        const key = pairKey(pairKey(p.srcKey, p.dstKey), p.ipProto);
        const n = pairs.add(pairs.slot(key, p.tsUs), 0, p.tsUs);
        if (n >= threshold) {
          if (!ctx.suppressed(SIG, key, p.tsUs)) ctx.alert(SIG, p, flow, ctx.sourceOf(p), `${Math.round(n)} packets of IP protocol ${p.ipProto} without a usable transport header in ${values.window}s (threshold ${threshold})`);
          return;
        }
        // A source that is a flood on its own is not counted again as part of a distributed one.
        if (n >= threshold / 2) return;
        const target = pairKey(p.dstKey, p.ipProto);
        const total = hosts.add(hosts.slot(target, p.tsUs), 0, p.tsUs);
        if (total >= targetThreshold && !ctx.suppressed(SIG_TARGET, target, p.tsUs)) {
          ctx.alert(SIG_TARGET, p, flow, null, `${Math.round(total)} packets without a usable transport header towards the host in ${values.window}s, from many sources`);
        }
      },
    };
  },
};
