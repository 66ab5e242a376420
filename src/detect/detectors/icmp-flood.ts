import { IpProto, L3, type Packet } from '../../decode/packet.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { pairKey, RateTable } from '../windows.js';

const SIG = builtin(9100001, 'RAMPART DOS ICMP echo flood', 'ICMP flood', 'icmp_flood', Category.DOS, 1);
const SIG_REPLIES = builtin(9100009, 'RAMPART DOS ICMP echo replies to requests never sent (smurf)', 'ICMP flood', 'icmp_flood', Category.DOS, 1);
const SIG_ERRORS = builtin(9100008, 'RAMPART DOS ICMP flood of forged error messages (BlackNurse)', 'ICMP flood', 'icmp_flood', Category.DOS, 1);
const SIG_TARGET = builtin(9100017, 'RAMPART DOS ICMP flood against one host (distributed or spoofed sources)', 'ICMP flood', 'icmp_flood', Category.DOS, 1);
const SIG_BROADCAST = builtin(9100018, 'RAMPART DOS ICMP echo requests to a broadcast address (smurf)', 'ICMP flood', 'icmp_flood', Category.DOS, 1);

/** ICMPv4 requests a host answers: echo (8), timestamp (13), information (15), address mask (17). */
function isIcmpRequest(p: Packet): boolean {
  if (!p.hasL4) return false;
  if (p.ipProto === IpProto.ICMP) {
    const t = p.icmpType;
    return t === 8 || t === 13 || t === 15 || t === 17;
  }
  return p.ipProto === IpProto.IPV6_ICMP && p.icmpType === 128;
}

/**
 * True when `p` went to many hosts at once: a link-layer broadcast or multicast (which also
 * covers directed broadcasts such as 10.0.0.255), the IPv4 limited broadcast or a multicast group,
 * or an IPv6 multicast group (Linux answers echo requests to ff02::1).
 */
function toGroup(p: Packet): boolean {
  if (p.linkGroup) return true;
  if (p.l3 === L3.IPV4) return p.dst4 === -1 || p.dst4 >>> 28 === 14;
  return p.l3 === L3.IPV6 && p.dst6[0] >>> 24 === 0xff;
}

/**
 * True when `p` is an ICMP error message (destination unreachable, source quench, redirect, time
 * exceeded, parameter problem; ICMPv6 1-4) whose quoted datagram was not sent by the error's
 * destination. A router or host reporting a problem quotes the packet the destination sent it;
 * a flood of made-up errors (BlackNurse's port unreachables, hping3 -1 -C 3) quotes anything.
 */
function isForgedError(p: Packet): boolean {
  if (!p.hasL4) return false;
  const b = p.buf;
  const at = p.payloadOffset;
  if (p.ipProto === IpProto.ICMP && p.l3 === L3.IPV4) {
    const t = p.icmpType;
    if (!(t === 3 || t === 4 || t === 5 || t === 11 || t === 12)) return false;
    // The quoted IPv4 header: version 4, then its source address at bytes 12-15.
    if (p.payloadLen < 20 || b[at] >> 4 !== 4) return true;
    return b.readInt32BE(at + 12) !== p.dst4;
  }
  if (p.ipProto === IpProto.IPV6_ICMP && p.l3 === L3.IPV6) {
    if (p.icmpType < 1 || p.icmpType > 4) return false;
    // The quoted IPv6 header: version 6, then its source address at bytes 8-23.
    if (p.payloadLen < 40 || b[at] >> 4 !== 6) return true;
    for (let i = 0; i < 4; i++) if (b.readUInt32BE(at + 8 + i * 4) !== p.dst6[i]) return true;
    return false;
  }
  return false;
}

/**
 * `icmp_flood`: ICMP/ICMPv6 requests (echo, and the timestamp and address mask requests hping3
 * and old tools flood with) per source above a rate over a sliding window; a normal `ping` (1/s,
 * or 5/s with -i 0.2) stays far below, `ping -f` and hping3 -1 floods do not. And error messages
 * that quote a datagram their destination never sent, per source and destination: the BlackNurse
 * attack (port unreachables that exhaust firewalls) and other forged-error floods. Real errors
 * (a UDP scan's port unreachables, a router's time exceeded) quote the destination's own packets
 * and never count. Echo replies to a host that sent no request are counted per destination: a
 * smurf attack's reflectors (or a spoofed reply flood) answer requests forged in the victim's
 * name; alerted about the victim's address as the target, not blocked (the senders are only
 * reflectors). The smurf attack's own requests (echo to a broadcast or multicast address, in the
 * victim's name) are counted per source apart from the rest: alerted, never blocked, since that
 * source is the victim. And requests that open a new flow towards one host from sources that are
 * not floods on their own, per destination: floods with forged random sources (hping3 -1
 * --rand-source) or from many machines; alerted about the host, not blocked.
 */
export const icmpFlood: DetectorSpec = {
  name: 'icmp_flood',
  help: 'ICMP/ICMPv6 request rate per source (echo, timestamp, address mask), and forged error messages per source and destination.',
  params: [
    { name: 'rate', type: 'number', default: 50, min: 1, max: 1e7, help: 'Requests per second from one source that make a flood.' },
    { name: 'target_rate', type: 'number', default: 100, min: 1, max: 1e7, help: 'Requests per second towards one host, each from a new source or identifier, that make a flood from many (or forged) sources.' },
    { name: 'error_rate', type: 'number', default: 50, min: 1, max: 1e7, help: 'Error messages per second quoting a datagram their destination never sent, from one source to one destination, that make a flood.' },
    { name: 'window', type: 'number', default: 1, min: 0.01, max: 3600, help: 'Sliding window, seconds.' },
    { name: 'max_sources', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Sources (and source/destination pairs) tracked at once (oldest dropped).' },
  ],
  signatures: [SIG, SIG_REPLIES, SIG_ERRORS, SIG_TARGET, SIG_BROADCAST],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = (values.rate as number) * (values.window as number);
    const targetThreshold = (values.target_rate as number) * (values.window as number);
    const errorThreshold = (values.error_rate as number) * (values.window as number);
    const sources = new RateTable(values.max_sources as number, 1, windowUs);
    const broadcasters = new RateTable(values.max_sources as number, 1, windowUs);
    const targets = new RateTable(values.max_sources as number, 1, windowUs);
    const errorPairs = new RateTable(values.max_sources as number, 1, windowUs);
    const victims = new RateTable(values.max_sources as number, 1, windowUs);
    const flows = ctx.flows;
    return {
      get stats() {
        return {
          icmp_flood_evictions: sources.slots.evictions + errorPairs.slots.evictions + victims.slots.evictions + broadcasters.slots.evictions + targets.slots.evictions,
        };
      },
      onPacket(p: Packet, flow: number): void {
        if (p.ipProto !== IpProto.ICMP && p.ipProto !== IpProto.IPV6_ICMP) return;
        if (isIcmpRequest(p)) {
          if (toGroup(p)) {
            const n = broadcasters.add(broadcasters.slot(p.srcKey, p.tsUs), 0, p.tsUs);
            if (n < threshold || ctx.suppressed(SIG_BROADCAST, p.srcKey, p.tsUs)) return;
            ctx.alert(SIG_BROADCAST, p, flow, null, `${Math.round(n)} requests to a broadcast or multicast address in ${values.window}s in this source's name: its replies flood it (threshold ${threshold})`);
            return;
          }
          const n = sources.add(sources.slot(p.srcKey, p.tsUs), 0, p.tsUs);
          if (n >= threshold) {
            if (!ctx.suppressed(SIG, p.srcKey, p.tsUs)) ctx.alert(SIG, p, flow, ctx.sourceOf(p), `${Math.round(n)} ${p.icmpType === 8 || p.icmpType === 128 ? 'echo' : 'ICMP'} requests in ${values.window}s (threshold ${threshold})`);
            return;
          }
          // Only a request that opens a flow counts towards the host, and never one of a source
          // that is a flood on its own.
          if ((flow >= 0 && !flows.created) || n >= threshold / 2) return;
          const total = targets.add(targets.slot(p.dstKey, p.tsUs), 0, p.tsUs);
          if (total < targetThreshold || ctx.suppressed(SIG_TARGET, p.dstKey, p.tsUs)) return;
          ctx.alert(SIG_TARGET, p, flow, null, `${Math.round(total)} requests towards the host in ${values.window}s, each from a new source or identifier (threshold ${targetThreshold})`);
        } else if (isUnsolicitedReply(p, flow)) {
          const n = victims.add(victims.slot(p.dstKey, p.tsUs), 0, p.tsUs);
          if (n < threshold || ctx.suppressed(SIG_REPLIES, p.dstKey, p.tsUs)) return;
          ctx.alert(SIG_REPLIES, p, flow, null, `${Math.round(n)} echo replies in ${values.window}s to a host that sent no request (threshold ${threshold})`);
        } else if (isForgedError(p)) {
          const key = pairKey(p.srcKey, p.dstKey);
          const n = errorPairs.add(errorPairs.slot(key, p.tsUs), 0, p.tsUs);
          if (n < errorThreshold || ctx.suppressed(SIG_ERRORS, p.srcKey, p.tsUs)) return;
          ctx.alert(SIG_ERRORS, p, flow, ctx.sourceOf(p), `${Math.round(n)} ICMP errors (type ${p.icmpType}) quoting datagrams the destination never sent, in ${values.window}s (threshold ${errorThreshold})`);
        }
      },
    };

    /** An echo reply in a flow where no request from its destination was seen. */
    function isUnsolicitedReply(p: Packet, flow: number): boolean {
      if (!p.hasL4 || flow < 0 || flows.toServer) return false;
      const reply = p.ipProto === IpProto.ICMP ? p.icmpType === 0 : p.icmpType === 129;
      return reply && flows.pktsToServer[flow] === 0;
    }
  },
};
