import type { DetectorSpec } from '../detector.js';
import { hostSweep } from './host-sweep.js';
import { httpScan } from './http-scan.js';
import { icmpFlood } from './icmp-flood.js';
import { ipFlood } from './ip-flood.js';
import { portScan } from './port-scan.js';
import { synFlood } from './syn-flood.js';
import { tcpFlags } from './tcp-flags.js';
import { tcpFlood } from './tcp-flood.js';
import { udpFlood } from './udp-flood.js';
import { webAttacks } from '../web/web-attacks.js';

/** Every built-in detector, in the order they see each packet. */
export const DETECTORS: readonly DetectorSpec[] = [icmpFlood, synFlood, tcpFlood, udpFlood, ipFlood, tcpFlags, portScan, hostSweep, webAttacks, httpScan];
