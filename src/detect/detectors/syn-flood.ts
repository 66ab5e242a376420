import { IpProto, TcpFlag, type Packet } from '../../decode/packet.js';
import { FlowEnd, FlowFlag, FlowState } from '../../flow/flow-table.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { pairKey, RateTable } from '../windows.js';

const SIG_SOURCE = builtin(9100002, 'RAMPART DOS TCP SYN flood from one source', 'SYN flood', 'syn_flood', Category.DOS, 1);
const SIG_TARGET = builtin(9100003, 'RAMPART DOS TCP SYN flood against one service (distributed or spoofed sources)', 'SYN flood', 'syn_flood', Category.DOS, 1);
const SIG_HALF_OPEN = builtin(9100004, 'RAMPART DOS TCP half-open connections never completed', 'half-open flood', 'syn_flood', Category.DOS, 2);

/** Lanes of the SYN rate tables: SYNs, and handshakes completed, over the same window. */
const SYNS = 0;
const COMPLETED = 1;

/**
 * `syn_flood`, three views of one attack:
 * - one source sending SYNs to one service (address and port) above a rate while few of its
 *   handshakes complete: keyed by the service, so a port scan (one SYN per port) is never a
 *   flood, and a busy client (whose connections complete) never either;
 * - one service receiving SYNs above a rate while few handshakes complete: spoofed or distributed
 *   floods, where no single source stands out (alerted, not blocked: the sources are forged);
 * - sources leaving many connections half-open (flows that end before the handshake completes).
 */
export const synFlood: DetectorSpec = {
  name: 'syn_flood',
  help: 'TCP SYN rate per source and per service, and half-open connections per source.',
  params: [
    { name: 'rate', type: 'number', default: 100, min: 1, max: 1e7, help: 'SYNs per second from one source to one service that make a flood.' },
    { name: 'target_rate', type: 'number', default: 200, min: 1, max: 1e7, help: 'SYNs per second to one service, from any sources, that make a flood when few complete.' },
    { name: 'completion_ratio', type: 'number', default: 0.5, min: 0, max: 1, help: 'A flood needs fewer completed handshakes than this share of its SYNs (busy clients complete theirs).' },
    { name: 'window', type: 'number', default: 1, min: 0.01, max: 3600, help: 'Sliding window of the SYN rates, seconds.' },
    { name: 'half_open', type: 'int', default: 50, min: 1, max: 1e7, help: 'Half-open connections from one source within half_open_window that alert.' },
    { name: 'half_open_window', type: 'number', default: 60, min: 1, max: 86400, help: 'Window of the half-open count, seconds.' },
    { name: 'max_keys', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Sources/services tracked at once per view (oldest dropped).' },
  ],
  signatures: [SIG_SOURCE, SIG_TARGET, SIG_HALF_OPEN],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = (values.rate as number) * (values.window as number);
    const targetThreshold = (values.target_rate as number) * (values.window as number);
    const completionRatio = values.completion_ratio as number;
    const halfOpenWindowUs = (values.half_open_window as number) * 1e6;
    const halfOpen = values.half_open as number;
    const maxKeys = values.max_keys as number;
    const perSource = new RateTable(maxKeys, 2, windowUs);
    const perService = new RateTable(maxKeys, 2, windowUs);
    const halfOpenBySource = new RateTable(maxKeys, 1, halfOpenWindowUs);
    const flows = ctx.flows;
    let lastTsUs = 0;
    /** The per-service view of a SYN: floods from spoofed or many sources (alerted, not blocked). */
    const countForService = (p: Packet, flow: number, service: number): void => {
      const rates = perService.slot(service, p.tsUs);
      const syns = perService.add(rates, SYNS, p.tsUs);
      if (syns < targetThreshold) return;
      const done = perService.peek(rates, COMPLETED, p.tsUs);
      if (done < syns * completionRatio && !ctx.suppressed(SIG_TARGET, service, p.tsUs)) {
        ctx.alert(SIG_TARGET, p, flow, null, `${Math.round(syns)} SYNs to port ${p.dstPort} in ${values.window}s, ${Math.round(done)} handshakes completed`);
      }
    };
    return {
      get stats() {
        return { syn_flood_evictions: perSource.slots.evictions + perService.slots.evictions + halfOpenBySource.slots.evictions };
      },
      onPacket(p: Packet, flow: number): void {
        if (p.ipProto !== IpProto.TCP || !p.hasL4) return;
        lastTsUs = p.tsUs;
        const f = p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST | TcpFlag.FIN);
        if (f === TcpFlag.SYN) {
          const service = pairKey(p.dstKey, p.dstPort);
          // A SYN from the destination's own address is forged (a LAND flood): counted for the
          // service only, never as a flood from that source (the victim would block itself).
          if (p.srcKey === p.dstKey) {
            countForService(p, flow, service);
            return;
          }
          const mine = perSource.slot(pairKey(p.srcKey, service), p.tsUs);
          const n = perSource.add(mine, SYNS, p.tsUs);
          if (n >= threshold) {
            const done = perSource.peek(mine, COMPLETED, p.tsUs);
            if (done < n * completionRatio && !ctx.suppressed(SIG_SOURCE, p.srcKey, p.tsUs)) {
              ctx.alert(SIG_SOURCE, p, flow, ctx.sourceOf(p), `${Math.round(n)} SYNs to port ${p.dstPort} in ${values.window}s, ${Math.round(done)} handshakes completed (threshold ${threshold})`);
            }
          }
          // A source that is a flood on its own is not counted again as part of a distributed one.
          if (n < threshold / 2) countForService(p, flow, service);
        } else if (flow >= 0 && flows.justEstablished && flows.toServer) {
          const service = pairKey(p.dstKey, p.dstPort);
          perService.add(perService.slot(service, p.tsUs), COMPLETED, p.tsUs);
          perSource.add(perSource.slot(pairKey(p.srcKey, service), p.tsUs), COMPLETED, p.tsUs);
        }
      },
      onFlowEnd(flow: number, reason: number): void {
        if (reason === FlowEnd.SHUTDOWN || flows.proto[flow] !== IpProto.TCP) return;
        const st = flows.state[flow];
        if (st > FlowState.SYN_RECV || (flows.flags[flow] & (FlowFlag.MIDSTREAM | FlowFlag.REFUSED)) !== 0) return;
        const src = flows.keyA[flow];
        // The destination's own address as the source is forged (LAND): never blamed.
        if (src === flows.keyB[flow]) return;
        const n = halfOpenBySource.add(halfOpenBySource.slot(src, lastTsUs), 0, lastTsUs);
        if (n >= halfOpen && !ctx.suppressed(SIG_HALF_OPEN, src, lastTsUs)) {
          ctx.alertFlow(SIG_HALF_OPEN, flow, ctx.initiatorOf(flow), `${Math.round(n)} connections left half-open in ${values.half_open_window}s (threshold ${halfOpen})`);
        }
      },
    };
  },
};
