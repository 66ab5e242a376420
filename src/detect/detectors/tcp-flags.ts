import { IpProto, TcpFlag, type Packet } from '../../decode/packet.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';

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
 * made old stacks answer themselves forever. Stateless, per packet; one alert per source and kind
 * per re-alert interval. A LAND packet's source is forged (it is the victim): alerted about the
 * victim, never blocked.
 */
export const tcpFlags: DetectorSpec = {
  name: 'tcp_flags',
  help: 'Impossible TCP packets: NULL, FIN and Xmas scans, SYN+FIN, SYN+RST, and LAND (a SYN from the destination address and port to themselves).',
  params: [],
  signatures: [SIG_NULL, SIG_FIN, SIG_XMAS, SIG_SYN_FIN, SIG_SYN_RST, SIG_LAND],
  create(_values, ctx: DetectContext): Detector {
    return {
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
        if (ctx.suppressed(sig, p.srcKey, p.tsUs)) return;
        ctx.alert(sig, p, flow, ctx.sourceOf(p), `TCP flags 0x${p.tcpFlags.toString(16).padStart(2, '0')} to port ${p.dstPort}`);
      },
    };
  },
};
