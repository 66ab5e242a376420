import { IpProto, TcpFlag, type Packet } from '../../decode/packet.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { DistinctWindow, KeyedState } from '../windows.js';

const FIN = TcpFlag.FIN;
const SYN = TcpFlag.SYN;
const RST = TcpFlag.RST;
const PSH = TcpFlag.PSH;
const ACK = TcpFlag.ACK;
const URG = TcpFlag.URG;

const SIG_NULL = builtin(9100010, 'RAMPART SCAN TCP NULL scan (no flags)', 'NULL scan', 'null_scan', Category.SCAN, 2);
const SIG_FIN = builtin(9100011, 'RAMPART SCAN TCP FIN scan (FIN without ACK)', 'FIN scan', 'fin_scan', Category.SCAN, 2);
const SIG_XMAS = builtin(9100012, 'RAMPART SCAN TCP Xmas scan (FIN+PSH+URG)', 'Xmas scan', 'xmas_scan', Category.SCAN, 2);
const SIG_SYN_FIN = builtin(9100013, 'RAMPART SCAN TCP SYN+FIN flags', 'invalid TCP flags', 'invalid_flags', Category.SCAN, 2);
const SIG_SYN_RST = builtin(9100014, 'RAMPART SCAN TCP SYN+RST flags', 'invalid TCP flags', 'invalid_flags', Category.SCAN, 2);
const SIG_LAND = builtin(9100015, 'RAMPART DOS LAND attack (SYN from the destination to itself)', 'LAND attack', 'land', Category.DOS, 2);

/**
 * Flag combinations no real TCP stack sends: NULL (none), FIN alone, Xmas (FIN+PSH+URG, the nmap
 * and hping3 form, with or without more flags), SYN+FIN, SYN+RST; and the LAND attack, a SYN whose
 * source address and port are its destination's (`hping3 -a VICTIM -s 80 -k -p 80 VICTIM`), which
 * made old stacks answer themselves forever. Per packet; one alert per source and kind per
 * re-alert interval. A LAND packet's source is forged (it is the victim): alerted about the
 * victim, never blocked.
 *
 * Such packets from many sources to one host at once are a flood with forged sources (`hping3 -F
 * --rand-source`), not scans: alerting and blocking each of thousands of addresses picked at random
 * would fill the block list with bystanders. Past `spoofed_sources` distinct sources to one host
 * within a second, the packets are left to `tcp_flood`, which alerts about the service under
 * attack and blocks nobody; a scan behind a few decoys (`nmap -sF -D …`) stays under it.
 */
export const tcpFlags: DetectorSpec = {
  name: 'tcp_flags',
  help: 'Impossible TCP packets: NULL, FIN and Xmas scans, SYN+FIN, SYN+RST, and LAND (a SYN from the destination address and port to themselves).',
  params: [
    { name: 'spoofed_sources', type: 'int', default: 16, min: 2, max: 65536, help: 'Distinct sources sending such packets to one host within a second that make a flood with forged sources: past it they are not alerted (and blocked) one by one; tcp_flood alerts about the service.' },
    { name: 'max_hosts', type: 'int', default: 4096, min: 16, max: 16777216, help: 'Destination hosts whose senders are counted at once (oldest dropped).' },
  ],
  signatures: [SIG_NULL, SIG_FIN, SIG_XMAS, SIG_SYN_FIN, SIG_SYN_RST, SIG_LAND],
  create(values, ctx: DetectContext): Detector {
    const spoofed = values.spoofed_sources as number;
    const senders = new KeyedState(values.max_hosts as number, () => new DistinctWindow(spoofed + 1));
    let spoofedSkipped = 0;
    return {
      get stats() {
        return { tcp_flags_spoofed_skipped: spoofedSkipped, tcp_flags_evictions: senders.evictions };
      },
      onPacket(p: Packet, flow: number): void {
        if (p.ipProto !== IpProto.TCP || !p.hasL4) return;
        const f = p.tcpFlags & (FIN | SYN | RST | PSH | ACK | URG);
        let sig;
        if (f === 0) sig = SIG_NULL;
        else if ((f & (FIN | PSH | URG)) === (FIN | PSH | URG)) sig = SIG_XMAS;
        else if ((f & (SYN | FIN)) === (SYN | FIN)) sig = SIG_SYN_FIN;
        else if ((f & (SYN | RST)) === (SYN | RST)) sig = SIG_SYN_RST;
        else if (f === FIN) sig = SIG_FIN;
        else if (f === SYN && p.srcKey === p.dstKey && p.srcPort === p.dstPort) {
          if (!ctx.suppressed(SIG_LAND, p.dstKey, p.tsUs)) ctx.alert(SIG_LAND, p, flow, null, `SYN from ${p.dstPort} to ${p.dstPort} on the same address`);
          return;
        } else return;
        if (senders.get(p.dstKey).add(p.srcKey, p.tsUs, 1e6, spoofed) > spoofed) {
          spoofedSkipped++;
          return;
        }
        if (ctx.suppressed(sig, p.srcKey, p.tsUs)) return;
        ctx.alert(sig, p, flow, ctx.sourceOf(p), `TCP flags 0x${p.tcpFlags.toString(16).padStart(2, '0')} to port ${p.dstPort}`);
      },
    };
  },
};
