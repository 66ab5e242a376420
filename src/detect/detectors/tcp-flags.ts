import { IpProto, TcpFlag, type Packet } from '../../decode/packet.js';
import { tcpTsecr, tcpTsval, tcpUrgentPointer } from '../../decode/tcp.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { DistinctWindow, KeyedState } from '../windows.js';

const FIN = TcpFlag.FIN;
const SYN = TcpFlag.SYN;
const RST = TcpFlag.RST;
const PSH = TcpFlag.PSH;
const ACK = TcpFlag.ACK;
const URG = TcpFlag.URG;
const ECE = TcpFlag.ECE;
const CWR = TcpFlag.CWR;

const SIG_NULL = builtin(9100010, 'RAMPART SCAN TCP NULL scan (no flags)', 'NULL scan', 'null_scan', Category.SCAN, 2);
const SIG_FIN = builtin(9100011, 'RAMPART SCAN TCP FIN scan (FIN without ACK)', 'FIN scan', 'fin_scan', Category.SCAN, 2);
const SIG_XMAS = builtin(9100012, 'RAMPART SCAN TCP Xmas scan (FIN+PSH+URG)', 'Xmas scan', 'xmas_scan', Category.SCAN, 2);
const SIG_SYN_FIN = builtin(9100013, 'RAMPART SCAN TCP SYN+FIN flags', 'invalid TCP flags', 'invalid_flags', Category.SCAN, 2);
const SIG_SYN_RST = builtin(9100014, 'RAMPART SCAN TCP SYN+RST flags', 'invalid TCP flags', 'invalid_flags', Category.SCAN, 2);
const SIG_OS_PROBE = builtin(9100021, 'RAMPART SCAN nmap OS detection probe', 'OS detection', 'os_fingerprint', Category.SCAN, 2);
const SIG_LAND = builtin(9100015, 'RAMPART DOS LAND attack (SYN from the destination to itself)', 'LAND attack', 'land', Category.DOS, 2);

/**
 * One of nmap's OS detection probes (`nmap -O`, osscan2.cc): every TCP probe but one carries a
 * timestamp option of TSval 0xFFFFFFFF and TSecr 0 (the six SYNs of its sequence test, and the
 * NULL, SYN+FIN+PSH+URG, SYN and FIN+PSH+URG ones of its T2–T7 tests), a clock value no stack
 * puts in a SYN or beside impossible flags; the other (the ECN test) is a SYN with ECE and CWR and
 * an urgent pointer of 0xF7F5 without URG. Asked only of SYNs and impossible flags: its ACK probes
 * (T4, T6) come after the SYNs that already named the run.
 */
function isNmapOsProbe(p: Packet): boolean {
  if (p.tcpHdrLen >= 32 && tcpTsval(p) === 0xffffffff && tcpTsecr(p) === 0) return true;
  return (p.tcpFlags & (SYN | ECE | CWR | URG)) === (SYN | ECE | CWR) && tcpUrgentPointer(p) === 0xf7f5;
}

/**
 * Flag combinations no real TCP stack sends: NULL (none), FIN alone, Xmas (FIN+PSH+URG, the nmap
 * and hping3 form, with or without more flags), SYN+FIN, SYN+RST; and the LAND attack, a SYN whose
 * source address and port are its destination's (`hping3 -a VICTIM -s 80 -k -p 80 VICTIM`), which
 * made old stacks answer themselves forever; and nmap's OS detection probes (see `isNmapOsProbe`),
 * named as such rather than as the NULL and Xmas scans some of them look like. Per packet; one
 * alert per source and kind per re-alert interval. A LAND packet's source is forged (it is the
 * victim): alerted about the victim, never blocked.
 *
 * Such packets from many sources to one host at once are a flood with forged sources (`hping3 -F
 * --rand-source`), not scans: alerting and blocking each of thousands of addresses picked at random
 * would fill the block list with bystanders. Past `spoofed_sources` distinct sources to one host
 * within a second, the packets are left to `tcp_flood`, which alerts about the service under
 * attack and blocks nobody; a scan behind a few decoys (`nmap -sF -D …`) stays under it.
 */
export const tcpFlags: DetectorSpec = {
  name: 'tcp_flags',
  help: 'Impossible TCP packets: NULL, FIN and Xmas scans, SYN+FIN, SYN+RST, LAND (a SYN from the destination address and port to themselves), and nmap OS detection probes.',
  params: [
    { name: 'spoofed_sources', type: 'int', default: 16, min: 2, max: 65536, help: 'Distinct sources sending such packets to one host within a second that make a flood with forged sources: past it they are not alerted (and blocked) one by one; tcp_flood alerts about the service.' },
    { name: 'max_hosts', type: 'int', default: 4096, min: 16, max: 16777216, help: 'Destination hosts whose senders are counted at once (oldest dropped).' },
  ],
  signatures: [SIG_NULL, SIG_FIN, SIG_XMAS, SIG_SYN_FIN, SIG_SYN_RST, SIG_LAND, SIG_OS_PROBE],
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
        else if (f === SYN) {
          if (p.srcKey === p.dstKey && p.srcPort === p.dstPort) {
            if (!ctx.suppressed(SIG_LAND, p.dstKey, p.tsUs)) ctx.alert(SIG_LAND, p, flow, null, `SYN from ${p.dstPort} to ${p.dstPort} on the same address`);
            return;
          }
          if (!isNmapOsProbe(p)) return;
          sig = SIG_OS_PROBE;
        } else return;
        if (sig !== SIG_OS_PROBE && isNmapOsProbe(p)) sig = SIG_OS_PROBE;
        if (senders.get(p.dstKey).add(p.srcKey, p.tsUs, 1e6, spoofed) > spoofed) {
          spoofedSkipped++;
          return;
        }
        if (ctx.suppressed(sig, p.srcKey, p.tsUs)) return;
        const detail = `TCP flags 0x${p.tcpFlags.toString(16).padStart(2, '0')} to port ${p.dstPort}`;
        ctx.alert(sig, p, flow, ctx.sourceOf(p), sig === SIG_OS_PROBE ? `${detail}, window ${p.tcpWindow}` : detail);
      },
    };
  },
};
