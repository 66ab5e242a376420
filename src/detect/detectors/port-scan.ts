import { IpProto, L3, TcpFlag, type Packet } from '../../decode/packet.js';
import { FlowFlag } from '../../flow/flow-table.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { DistinctTable, pairKey } from '../windows.js';

const SIG = builtin(9100020, 'RAMPART SCAN port scan', 'multi-port scan', 'port_scan', Category.SCAN, 2);

/** What kind of probe opened a flow, from its first packet. */
function probeKind(p: Packet, flags: number): string {
  if (p.ipProto === IpProto.UDP) return 'udp';
  const f = p.tcpFlags & (TcpFlag.FIN | TcpFlag.SYN | TcpFlag.RST | TcpFlag.PSH | TcpFlag.ACK | TcpFlag.URG);
  if (f === TcpFlag.SYN) return flags & FlowFlag.BARE_SYN ? 'syn' : 'connect';
  if (f === TcpFlag.ACK) return 'ack';
  if (f === 0) return 'null';
  if (f === TcpFlag.FIN) return 'fin';
  if ((f & (TcpFlag.FIN | TcpFlag.PSH | TcpFlag.URG)) === (TcpFlag.FIN | TcpFlag.PSH | TcpFlag.URG)) return 'xmas';
  return 'tcp';
}

/**
 * `port_scan`: distinct destination ports one source opens flows to on one host within a window.
 * Counted on flow creation only, so established traffic costs nothing; a busy client opening many
 * connections to one port counts one port. The probe kind (syn — a raw SYN with at most an MSS
 * option, as nmap -sS sends —, connect, udp, ack, null, fin, xmas) is in the alert's metadata.
 * An IP protocol scan (nmap -sO: one datagram per protocol number) counts distinct protocols
 * without a transport decoder (not TCP, UDP or ICMP) sent to one host: kind `ip_protocol`.
 */
export const portScan: DetectorSpec = {
  name: 'port_scan',
  help: 'Distinct destination ports per source and destination host within a window.',
  params: [
    { name: 'ports', type: 'int', default: 15, min: 2, max: 65536, help: 'Distinct ports probed on one host that make a scan.' },
    { name: 'window', type: 'number', default: 60, min: 1, max: 86400, help: 'Sliding window, seconds.' },
    { name: 'protocols', type: 'int', default: 10, min: 2, max: 256, help: 'Distinct IP protocols other than TCP, UDP and ICMP sent to one host that make an IP protocol scan.' },
    { name: 'max_pairs', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Source/destination pairs tracked at once (oldest dropped).' },
  ],
  signatures: [SIG],
  create(values, ctx: DetectContext): Detector {
    const windowUs = (values.window as number) * 1e6;
    const threshold = values.ports as number;
    const pairs = new DistinctTable(values.max_pairs as number, threshold, windowUs);
    const protocolThreshold = values.protocols as number;
    const protocols = new DistinctTable(values.max_pairs as number, protocolThreshold, windowUs);
    const flows = ctx.flows;
    return {
      get stats() {
        return { port_scan_evictions: pairs.evictions + protocols.evictions };
      },
      onPacket(p: Packet, flow: number): void {
        if (flow < 0) {
          if (p.hasL4 || (p.l3 !== L3.IPV4 && p.l3 !== L3.IPV6) || p.isFragment) return;
          // SCTP has no flow here: each INIT of an SCTP scan (nmap -sY) is counted by its port.
          if (p.ipProto === IpProto.SCTP && p.dstPort !== 0) {
            const n = pairs.add(pairKey(p.srcKey, p.dstKey), p.dstPort, p.tsUs);
            if (n < threshold || ctx.suppressed(SIG, p.srcKey, p.tsUs)) return;
            ctx.alert(SIG, p, flow, ctx.sourceOf(p), `${n} distinct ports probed in ${values.window}s (threshold ${threshold}), sctp probes`, { scan_kind: ['sctp'] });
            return;
          }
          // A datagram of a protocol no decoder reads: one probe of an IP protocol scan.
          const n = protocols.add(pairKey(p.srcKey, p.dstKey), p.ipProto, p.tsUs);
          if (n < protocolThreshold || ctx.suppressed(SIG, p.srcKey, p.tsUs)) return;
          ctx.alert(SIG, p, flow, ctx.sourceOf(p), `${n} distinct IP protocols probed in ${values.window}s (threshold ${protocolThreshold}), ip_protocol probes`, { scan_kind: ['ip_protocol'] });
          return;
        }
        if (!flows.created || !flows.toServer) return;
        if (p.ipProto !== IpProto.TCP && p.ipProto !== IpProto.UDP) return;
        const n = pairs.add(pairKey(p.srcKey, p.dstKey), p.dstPort, p.tsUs);
        if (n < threshold || ctx.suppressed(SIG, p.srcKey, p.tsUs)) return;
        const kind = probeKind(p, flows.flags[flow]);
        ctx.alert(SIG, p, flow, ctx.sourceOf(p), `${n} distinct ports probed in ${values.window}s (threshold ${threshold}), ${kind} probes`, { scan_kind: [kind] });
      },
    };
  },
};
