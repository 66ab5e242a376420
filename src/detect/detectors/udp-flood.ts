import { IpProto, type Packet } from '../../decode/packet.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { pairKey, RateTable } from '../windows.js';

const SIG = builtin(9100005, 'RAMPART DOS UDP flood', 'UDP flood', 'udp_flood', Category.DOS, 1);

/**
 * `udp_flood`: UDP packets from one source to one destination above a rate. Packets of flows
 * that are plainly two-way conversations (the other side answers at least one packet in
 * `reply_share` of this side's) are not counted, so a busy QUIC download or a voice call — many
 * packets, answered — stays quiet while a one-way blast (new flow per packet, or unanswered) counts.
 */
export const udpFlood: DetectorSpec = {
  name: 'udp_flood',
  help: 'UDP packet rate per source and destination, one-way traffic only.',
  params: [
    { name: 'rate', type: 'number', default: 500, min: 1, max: 1e8, help: 'Unanswered UDP packets per second from one source to one destination that make a flood.' },
    { name: 'window', type: 'number', default: 1, min: 0.01, max: 3600, help: 'Sliding window, seconds.' },
    { name: 'reply_share', type: 'number', default: 0.125, min: 0, max: 1, help: 'A flow whose replies reach this share of its requests is a conversation, not counted.' },
    { name: 'max_pairs', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Source/destination pairs tracked at once (oldest dropped).' },
  ],
  signatures: [SIG],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = (values.rate as number) * (values.window as number);
    const replyShare = values.reply_share as number;
    const pairs = new RateTable(values.max_pairs as number, 1, windowUs);
    const flows = ctx.flows;
    return {
      get stats() {
        return { udp_flood_evictions: pairs.slots.evictions };
      },
      onPacket(p: Packet, flow: number): void {
        if (p.ipProto !== IpProto.UDP || !p.hasL4) return;
        if (flow >= 0) {
          const mine = flows.toServer ? flows.pktsToServer[flow] : flows.pktsToClient[flow];
          const theirs = flows.toServer ? flows.pktsToClient[flow] : flows.pktsToServer[flow];
          if (theirs > 0 && theirs >= mine * replyShare) return;
        }
        const key = pairKey(p.srcKey, p.dstKey);
        const n = pairs.add(pairs.slot(key, p.tsUs), 0, p.tsUs);
        if (n < threshold || ctx.suppressed(SIG, key, p.tsUs)) return;
        ctx.alert(SIG, p, flow, ctx.sourceOf(p), `${Math.round(n)} one-way UDP packets in ${values.window}s (threshold ${threshold})`);
      },
    };
  },
};
