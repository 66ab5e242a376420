import { IpProto, TcpFlag, type Packet } from '../../decode/packet.js';
import { FlowEnd, FlowFlag } from '../../flow/flow-table.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { pairKey, RateTable } from '../windows.js';

const SIG_SOURCE = builtin(9100006, 'RAMPART DOS TCP flood of segments outside any connection from one source', 'TCP flood', 'tcp_flood', Category.DOS, 1);
const SIG_TARGET = builtin(9100007, 'RAMPART DOS TCP flood of segments outside any connection against one service (distributed or spoofed sources)', 'TCP flood', 'tcp_flood', Category.DOS, 1);

/** States of a midstream flow, per slot. */
const UNKNOWN = 0;
const PEER = 1;
const NO_ACK = 2;
/** Counted as stray when its answer did not come in time (a RST after that is not counted again). */
const TIMED_OUT = 3;
/** The responder answered with a RST (counted then, not again at the timeout). */
const RESET = 4;

/**
 * `tcp_flood`: floods of TCP segments that belong to no connection, the ones a SYN count never
 * sees: ACK floods (`hping3 -A`, which stateful firewalls and load balancers must look up one by
 * one), RST floods, PSH/ACK and FIN/ACK floods. A stray segment is one whose flow began without a
 * SYN (midstream) and to which the other side never answered but with a RST: the receiver resets
 * what it has no connection for (an ACK or data), and a RST itself gets no answer. A capture that
 * starts in the middle of real connections makes midstream flows too, but their peers answer
 * with data and ACKs, so they never count. A segment with ACK that gets no answer at all within
 * `answer_timeout` counts too: the victim of a `--rand-source` flood often has no route back to
 * the forged addresses (a lab network), so no RST ever comes. When the capture ends, what still
 * waits is judged as unanswered (at the time its answer would have been overdue): a flood shorter
 * than the timeout, with the capture stopped soon after, is still one. Counted per source and service
 * (blocked) and per service from any sources (spoofed `--rand-source` floods: alerted, not blocked).
 *
 * A SYN-ACK flood (`hping3 -SA`; or the backscatter of SYNs forged in a victim's name, SYN-ACK
 * reflection) is the same from the other side: a flow begun by a SYN-ACK is the answer to a SYN
 * never seen, its sender the flow's responder. A capture that starts between a real SYN and its
 * SYN-ACK makes such flows too, but their initiator goes on with an ACK; a SYN-ACK it answers
 * with a RST, or not at all within `answer_timeout`, was stray, counted against its sender and the
 * receiver's port.
 */
export const tcpFlood: DetectorSpec = {
  name: 'tcp_flood',
  help: 'Rate of TCP segments outside any connection (ACK, RST, FIN, data without a handshake, SYN-ACKs answering no SYN; answered only by RSTs) per source and per service.',
  params: [
    { name: 'rate', type: 'number', default: 100, min: 1, max: 1e7, help: 'Stray segments per second from one source to one service that make a flood.' },
    { name: 'target_rate', type: 'number', default: 200, min: 1, max: 1e7, help: 'Stray segments per second to one service, from any sources, that make a flood.' },
    { name: 'window', type: 'number', default: 1, min: 0.01, max: 3600, help: 'Sliding window of the rates, seconds.' },
    { name: 'max_keys', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Sources/services tracked at once per view (oldest dropped).' },
    { name: 'answer_timeout', type: 'number', default: 2, min: 0.01, max: 3600, help: 'Seconds after which a segment outside any connection that got no answer at all (not even a RST) counts as stray; those still waiting when the capture ends count then.' },
    { name: 'max_pending', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Unanswered segments awaiting their answer timeout at once (more are not counted that way).' },
  ],
  signatures: [SIG_SOURCE, SIG_TARGET],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = (values.rate as number) * (values.window as number);
    const targetThreshold = (values.target_rate as number) * (values.window as number);
    const maxKeys = values.max_keys as number;
    const perSource = new RateTable(maxKeys, 1, windowUs);
    const perService = new RateTable(maxKeys, 1, windowUs);
    const flows = ctx.flows;
    /** Per flow slot: PEER once the responder sent anything but a RST; NO_ACK once the initiator sent a segment without ACK. */
    const answered = new Uint8Array(flows.size);
    /** Per flow slot: 1 when a SYN-ACK began the flow (its strays come from the responder). */
    const bySynAck = new Uint8Array(flows.size);
    /** Per flow slot: how many flows it has held, so a pending entry knows its flow from a later one in the slot. */
    const generation = new Uint32Array(flows.size);
    // Segments awaiting an answer, oldest first: a ring of (flow slot, its generation, time).
    const timeoutUs = (values.answer_timeout as number) * 1e6;
    const capacity = values.max_pending as number;
    const pendingFlow = new Int32Array(capacity);
    const pendingGen = new Uint32Array(capacity);
    const pendingTs = new Float64Array(capacity);
    let head = 0;
    let queued = 0;
    let pendingDropped = 0;
    let timedOut = 0;

    /**
     * One stray segment of `flow`'s initiator to its responder's service (of its responder to the
     * initiator's port, for a flow a SYN-ACK began), counted at `tsUs`.
     */
    const count = (tsUs: number, flow: number): void => {
      const reversed = bySynAck[flow] === 1;
      const src = reversed ? flows.keyB[flow] : flows.keyA[flow];
      const dst = reversed ? flows.keyA[flow] : flows.keyB[flow];
      const port = reversed ? flows.portA[flow] : flows.portB[flow];
      const service = pairKey(dst, port);
      // An address sending to itself is forged (LAND): counted for the service only.
      if (src !== dst) {
        const n = perSource.add(perSource.slot(pairKey(src, service), tsUs), 0, tsUs);
        if (n >= threshold) {
          if (!ctx.suppressed(SIG_SOURCE, src, tsUs)) {
            const offender = reversed ? ctx.responderOf(flow) : ctx.initiatorOf(flow);
            ctx.alertFlow(SIG_SOURCE, flow, offender, `${Math.round(n)} segments outside any connection to port ${port} in ${values.window}s (threshold ${threshold})`, undefined, reversed);
          }
          return;
        }
        // A source that is a flood on its own is not counted again as part of a distributed one.
        if (n >= threshold / 2) return;
      }
      const total = perService.add(perService.slot(service, tsUs), 0, tsUs);
      if (total >= targetThreshold && !ctx.suppressed(SIG_TARGET, service, tsUs)) {
        ctx.alertFlow(SIG_TARGET, flow, null, `${Math.round(total)} segments outside any connection to port ${port} in ${values.window}s`, undefined, reversed);
      }
    };

    /**
     * Counts the pending segments sent at or before `limitUs` that are still unanswered, each at
     * `nowUs` or, when later, the time its answer became overdue.
     */
    const judge = (limitUs: number, nowUs: number): void => {
      while (queued > 0 && pendingTs[head] <= limitUs) {
        const f = pendingFlow[head];
        const current = generation[f] === pendingGen[head];
        const overdueUs = pendingTs[head] + timeoutUs;
        head = head + 1 === capacity ? 0 : head + 1;
        queued--;
        if (current && answered[f] === UNKNOWN) {
          answered[f] = TIMED_OUT;
          timedOut++;
          count(Math.max(nowUs, overdueUs), f);
        }
      }
    };

    return {
      get stats() {
        return { tcp_flood_evictions: perSource.slots.evictions + perService.slots.evictions, tcp_flood_unanswered: timedOut, tcp_flood_pending_dropped: pendingDropped };
      },
      onPacket(p: Packet, flow: number): void {
        if (queued > 0) judge(p.tsUs - timeoutUs, p.tsUs);
        if (flow < 0) return;
        const tcp = p.ipProto === IpProto.TCP && p.hasL4;
        // Any protocol's new flow may take over a slot a pending TCP flow held.
        if (flows.created) {
          answered[flow] = UNKNOWN;
          generation[flow]++;
          const midstream = tcp && (flows.flags[flow] & FlowFlag.MIDSTREAM) !== 0;
          const first = p.tcpFlags & (TcpFlag.ACK | TcpFlag.SYN | TcpFlag.RST);
          bySynAck[flow] = midstream && !flows.toServer && first === (TcpFlag.SYN | TcpFlag.ACK) ? 1 : 0;
          // A flow whose first segment carries an ACK but no SYN or RST, or is a SYN-ACK, waits for its answer.
          if ((midstream && flows.toServer && first === TcpFlag.ACK) || bySynAck[flow] === 1) {
            if (queued === capacity) pendingDropped++;
            else {
              const at = head + queued < capacity ? head + queued : head + queued - capacity;
              pendingFlow[at] = flow;
              pendingGen[at] = generation[flow];
              pendingTs[at] = p.tsUs;
              queued++;
            }
          }
        }
        if (!tcp || !(flows.flags[flow] & FlowFlag.MIDSTREAM) || answered[flow] === PEER) return;
        const rst = (p.tcpFlags & TcpFlag.RST) !== 0;
        // The stray segments' sender: the initiator, or the responder of a flow a SYN-ACK began.
        const reversed = bySynAck[flow] === 1;
        if (flows.toServer !== reversed) {
          // A SYN-ACK's sender repeating itself tells nothing: only its receiver's answer does.
          if (reversed) return;
          if (rst) {
            // A RST needs no answer: counted as it comes.
            count(p.tsUs, flow);
          } else if ((p.tcpFlags & (TcpFlag.ACK | TcpFlag.SYN)) === 0) {
            // Neither SYN nor ACK (a FIN, PSH or URG alone, or no flag): no connection carries
            // it, whether the receiver answers (a closed port's RST) or not (a listening one).
            answered[flow] = NO_ACK;
            count(p.tsUs, flow);
          }
        } else if (rst) {
          // The receiver resets what it has no connection for: the segment it answers was stray
          // (already counted if it carried no ACK).
          if (answered[flow] !== NO_ACK && answered[flow] !== TIMED_OUT) count(p.tsUs, flow);
          if (answered[flow] === UNKNOWN) answered[flow] = RESET;
        } else {
          answered[flow] = PEER;
        }
      },
      onFlowEnd(_flow: number, reason: number): void {
        // The capture ended (every flow is being closed, the first of them now, all slots still
        // intact): no answer can come any more to what waits for one.
        if (reason === FlowEnd.SHUTDOWN && queued > 0) judge(Infinity, 0);
      },
    };
  },
};
