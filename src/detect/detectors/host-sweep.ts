import { addrKey6, formatIp4, IpProto, L3, type Packet } from '../../decode/packet.js';
import { FlowEnd, FlowFlag, FlowState } from '../../flow/flow-table.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { DistinctTable, pairKey } from '../windows.js';

const SIG_ICMP = builtin(9100030, 'RAMPART SCAN ICMP host sweep', 'host sweep', 'host_sweep', Category.SCAN, 2);
const SIG_ARP = builtin(9100031, 'RAMPART SCAN ARP host sweep', 'host sweep', 'host_sweep', Category.SCAN, 2);
const SIG_ND = builtin(9100033, 'RAMPART SCAN IPv6 neighbor discovery host sweep', 'host sweep', 'host_sweep', Category.SCAN, 2);
const SIG_HORIZONTAL = builtin(9100032, 'RAMPART SCAN horizontal port scan (one port, many hosts)', 'host sweep', 'host_sweep', Category.SCAN, 2);

/** ICMP requests a sweep sends: echo (v4/v6), timestamp, address mask. */
function isSweepProbe(p: Packet): boolean {
  if (!p.hasL4) return false;
  if (p.ipProto === IpProto.ICMP) return p.icmpType === 8 || p.icmpType === 13 || p.icmpType === 17;
  return p.ipProto === IpProto.IPV6_ICMP && p.icmpType === 128;
}

/**
 * An IPv6 neighbor solicitation (ICMPv6 135) with its target address, from a real address: not
 * duplicate address detection, whose source is the unspecified address (::).
 */
function isNeighborSolicitation(p: Packet): boolean {
  if (!p.hasL4 || p.ipProto !== IpProto.IPV6_ICMP || p.icmpType !== 135 || p.payloadLen < 16) return false;
  const s = p.src6;
  return (s[0] | s[1] | s[2] | s[3]) !== 0;
}

/**
 * `host_sweep`: distinct destination hosts one source probes within a window.
 * - ICMP echo/timestamp/mask requests, counted as sent;
 * - ARP who-has requests (nmap -sn on a LAN), counted per ARP sender, which the alert names;
 * - their IPv6 counterpart, neighbor solicitations (nmap -6 -sn on a LAN), per source address;
 * - TCP/UDP to one port on many hosts, counted only for probes that failed (refused, or ended
 *   unanswered), so a client fetching pages from many servers, which all answer, stays quiet.
 */
export const hostSweep: DetectorSpec = {
  name: 'host_sweep',
  help: 'Distinct hosts probed per source (ICMP, ARP, IPv6 neighbor solicitations, failed TCP/UDP to one port) within a window.',
  params: [
    { name: 'hosts', type: 'int', default: 20, min: 2, max: 16777216, help: 'Distinct hosts probed that make a sweep.' },
    { name: 'window', type: 'number', default: 60, min: 1, max: 86400, help: 'Sliding window, seconds.' },
    { name: 'max_sources', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Sources tracked at once per probe kind (oldest dropped).' },
  ],
  signatures: [SIG_ICMP, SIG_ARP, SIG_ND, SIG_HORIZONTAL],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = values.hosts as number;
    const max = values.max_sources as number;
    const icmp = new DistinctTable(max, threshold, windowUs);
    const arp = new DistinctTable(max, threshold, windowUs);
    const nd = new DistinctTable(max, threshold, windowUs);
    const target6 = new Uint32Array(4);
    const horizontal = new DistinctTable(max, threshold, windowUs);
    const flows = ctx.flows;
    let lastTsUs = 0;
    return {
      get stats() {
        return { host_sweep_evictions: icmp.evictions + arp.evictions + nd.evictions + horizontal.evictions };
      },
      onPacket(p: Packet, flow: number): void {
        lastTsUs = p.tsUs;
        if (p.l3 === L3.ARP) {
          // Requests only, and not gratuitous ARP or address probes (sender 0.0.0.0).
          if (p.arpOp !== 1 || p.arpSender4 === 0 || p.arpSender4 === p.arpTarget4) return;
          const n = arp.add(p.arpSender4, p.arpTarget4, p.tsUs);
          if (n < threshold || ctx.suppressed(SIG_ARP, p.arpSender4, p.tsUs)) return;
          const addr = formatIp4(p.arpSender4);
          const offender = { key: p.arpSender4, addr, family: 4, v4: p.arpSender4, v6: null };
          ctx.alert(SIG_ARP, p, -1, offender, `${n} hosts asked for by ARP in ${values.window}s (threshold ${threshold})`, { sweep_kind: ['arp'] });
          return;
        }
        if (isNeighborSolicitation(p)) {
          const b = p.buf;
          for (let i = 0; i < 4; i++) target6[i] = b.readUInt32BE(p.payloadOffset + i * 4);
          const n = nd.add(p.srcKey, addrKey6(target6), p.tsUs);
          if (n < threshold || ctx.suppressed(SIG_ND, p.srcKey, p.tsUs)) return;
          ctx.alert(SIG_ND, p, flow, ctx.sourceOf(p), `${n} hosts asked for by neighbor solicitation in ${values.window}s (threshold ${threshold})`, { sweep_kind: ['nd'] });
          return;
        }
        if (!isSweepProbe(p)) return;
        const n = icmp.add(p.srcKey, p.dstKey, p.tsUs);
        if (n < threshold || ctx.suppressed(SIG_ICMP, p.srcKey, p.tsUs)) return;
        ctx.alert(SIG_ICMP, p, flow, ctx.sourceOf(p), `${n} hosts probed by ICMP in ${values.window}s (threshold ${threshold})`, { sweep_kind: ['icmp'] });
      },
      onFlowEnd(flow: number, reason: number): void {
        const proto = flows.proto[flow];
        if (proto !== IpProto.TCP && proto !== IpProto.UDP) return;
        const refused = (flows.flags[flow] & FlowFlag.REFUSED) !== 0;
        if (reason === FlowEnd.SHUTDOWN && !refused) return;
        if ((flows.flags[flow] & FlowFlag.MIDSTREAM) !== 0) return;
        const failed = refused || (proto === IpProto.TCP ? flows.state[flow] < FlowState.ESTABLISHED : flows.state[flow] === FlowState.NEW);
        if (!failed) return;
        const src = flows.keyA[flow];
        const key = pairKey(src, flows.portB[flow]);
        const n = horizontal.add(key, flows.keyB[flow], lastTsUs);
        if (n < threshold || ctx.suppressed(SIG_HORIZONTAL, src, lastTsUs)) return;
        ctx.alertFlow(SIG_HORIZONTAL, flow, ctx.initiatorOf(flow), `${n} hosts probed on port ${flows.portB[flow]} without answer in ${values.window}s (threshold ${threshold})`, { sweep_kind: [proto === IpProto.TCP ? 'tcp' : 'udp'] });
      },
    };
  },
};
