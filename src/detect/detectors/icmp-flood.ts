import { isEchoRequest, type Packet } from '../../decode/packet.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { RateTable } from '../windows.js';

const SIG = builtin(9100001, 'RAMPART DOS ICMP echo flood', 'ICMP flood', 'icmp_flood', Category.DOS, 1);

/**
 * `icmp_flood`: ICMP/ICMPv6 echo requests per source above a rate over a sliding window. A normal
 * `ping` (1/s, or 5/s with -i 0.2) stays far below; `ping -f` and hping3 -1 floods do not.
 */
export const icmpFlood: DetectorSpec = {
  name: 'icmp_flood',
  help: 'ICMP/ICMPv6 echo request rate per source.',
  params: [
    { name: 'rate', type: 'number', default: 50, min: 1, max: 1e7, help: 'Echo requests per second from one source that make a flood.' },
    { name: 'window', type: 'number', default: 1, min: 0.01, max: 3600, help: 'Sliding window, seconds.' },
    { name: 'max_sources', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Sources tracked at once (oldest dropped).' },
  ],
  signatures: [SIG],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = (values.rate as number) * (values.window as number);
    const sources = new RateTable(values.max_sources as number, 1, windowUs);
    return {
      get stats() {
        return { icmp_flood_evictions: sources.slots.evictions };
      },
      onPacket(p: Packet, flow: number): void {
        if (!isEchoRequest(p)) return;
        const n = sources.add(sources.slot(p.srcKey, p.tsUs), 0, p.tsUs);
        if (n < threshold || ctx.suppressed(SIG, p.srcKey, p.tsUs)) return;
        ctx.alert(SIG, p, flow, ctx.sourceOf(p), `${Math.round(n)} echo requests in ${values.window}s (threshold ${threshold})`);
      },
    };
  },
};
