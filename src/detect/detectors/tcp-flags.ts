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

/**
 * Flag combinations no real TCP stack sends: NULL (none), FIN alone, Xmas (FIN+PSH+URG, the nmap
 * and hping3 form, with or without more flags), SYN+FIN, SYN+RST. Stateless, per packet; one alert
 * per source and kind per re-alert interval.
 */
export const tcpFlags: DetectorSpec = {
  name: 'tcp_flags',
  help: 'Impossible TCP flag combinations: NULL, FIN, Xmas scans, SYN+FIN, SYN+RST.',
  params: [],
  signatures: [SIG_NULL, SIG_FIN, SIG_XMAS, SIG_SYN_FIN, SIG_SYN_RST],
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
        else return;
        if (ctx.suppressed(sig, p.srcKey, p.tsUs)) return;
        ctx.alert(sig, p, flow, ctx.sourceOf(p), `TCP flags 0x${p.tcpFlags.toString(16).padStart(2, '0')} to port ${p.dstPort}`);
      },
    };
  },
};
