import { IpProto, type Packet } from '../../decode/packet.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { pairKey, RateTable } from '../windows.js';

const SIG = builtin(9100005, 'RAMPART DOS UDP flood', 'UDP flood', 'udp_flood', Category.DOS, 1);
const SIG_TARGET = builtin(9100016, 'RAMPART DOS UDP flood against one host (distributed, spoofed or reflected sources)', 'UDP flood', 'udp_flood', Category.DOS, 1);

/** Lanes of the per-host table: new flows towards the host, and those of its flows it answered. */
const OPENED = 0;
const ANSWERED = 1;

/**
 * `udp_flood`, two views:
 * - UDP packets from one source to one destination above a rate. Packets of flows that are
 *   plainly two-way conversations (the other side answers at least one packet in `reply_share`
 *   of this side's) are not counted, so a busy QUIC download or a voice call — many packets,
 *   answered — stays quiet while a one-way blast (new flow per packet, or unanswered) counts.
 * - New UDP flows towards one host, from any sources, above `target_rate` while the host
 *   answers fewer than `reply_share` of them: floods with forged random sources (hping3
 *   --rand-source), from many machines, or reflected (DNS/NTP answers to queries the victim never
 *   sent, each a new flow). A busy DNS server gets as many new flows but answers them, and a
 *   syslog or flow collector gets its one-way packets on a few long flows. Alerted about the host,
 *   not blocked: the sources are forged or are only reflectors.
 */
export const udpFlood: DetectorSpec = {
  name: 'udp_flood',
  help: 'UDP packet rate per source and destination, one-way traffic only.',
  params: [
    { name: 'rate', type: 'number', default: 500, min: 1, max: 1e8, help: 'Unanswered UDP packets per second from one source to one destination that make a flood.' },
    { name: 'window', type: 'number', default: 1, min: 0.01, max: 3600, help: 'Sliding window, seconds.' },
    { name: 'target_rate', type: 'number', default: 500, min: 1, max: 1e8, help: 'New UDP flows per second towards one host, from any sources, that make a flood when the host answers few of them.' },
    { name: 'reply_share', type: 'number', default: 0.125, min: 0, max: 1, help: 'A flow whose replies reach this share of its requests is a conversation, not counted.' },
    { name: 'max_pairs', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Source/destination pairs (and destination hosts) tracked at once (oldest dropped).' },
  ],
  signatures: [SIG, SIG_TARGET],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = (values.rate as number) * (values.window as number);
    const replyShare = values.reply_share as number;
    const targetThreshold = (values.target_rate as number) * (values.window as number);
    const pairs = new RateTable(values.max_pairs as number, 1, windowUs);
    const hosts = new RateTable(values.max_pairs as number, 2, windowUs);
    const flows = ctx.flows;
    /** A new one-way flow towards `p`'s destination: the per-host view. */
    const countForHost = (p: Packet, flow: number): void => {
      const rates = hosts.slot(p.dstKey, p.tsUs);
      const opened = hosts.add(rates, OPENED, p.tsUs);
      if (opened < targetThreshold) return;
      const answered = hosts.peek(rates, ANSWERED, p.tsUs);
      if (answered >= opened * replyShare || ctx.suppressed(SIG_TARGET, p.dstKey, p.tsUs)) return;
      ctx.alert(SIG_TARGET, p, flow, null, `${Math.round(opened)} new UDP flows towards the host in ${values.window}s, ${Math.round(answered)} answered`);
    };
    return {
      get stats() {
        return { udp_flood_evictions: pairs.slots.evictions + hosts.slots.evictions };
      },
      onPacket(p: Packet, flow: number): void {
        if (p.ipProto !== IpProto.UDP || !p.hasL4) return;
        if (flow >= 0) {
          const mine = flows.toServer ? flows.pktsToServer[flow] : flows.pktsToClient[flow];
          const theirs = flows.toServer ? flows.pktsToClient[flow] : flows.pktsToServer[flow];
          // The host's first answer in a flow it did not open: counted for the per-host view.
          if (!flows.toServer && mine === 1) hosts.add(hosts.slot(p.srcKey, p.tsUs), ANSWERED, p.tsUs);
          if (theirs > 0 && theirs >= mine * replyShare) return;
        }
        const key = pairKey(p.srcKey, p.dstKey);
        const n = pairs.add(pairs.slot(key, p.tsUs), 0, p.tsUs);
        if (n >= threshold) {
          if (!ctx.suppressed(SIG, key, p.tsUs)) ctx.alert(SIG, p, flow, ctx.sourceOf(p), `${Math.round(n)} one-way UDP packets in ${values.window}s (threshold ${threshold})`);
          return;
        }
        // A source that is a flood on its own is not counted again as part of a distributed one.
        if ((flow < 0 || flows.created) && n < threshold / 2) countForHost(p, flow);
      },
    };
  },
};
