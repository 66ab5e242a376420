/** Events shared by the output tests: one of each kind, with the values the expectations spell out. */
import type { AlertEvent, AnomalyEvent, BlockEvent, PacketVerdict, Signature, StatsEvent, UnblockEvent } from '../../src/output/events.js';
import { Verdict } from '../../src/output/events.js';

/** 2026-11-21T06:38:11.123456Z in µs. */
export const TS_US = 1_795_243_091_123_456;

export const SYN_FLOOD: Signature = {
  gid: 1,
  sid: 9000001,
  rev: 2,
  msg: 'RAMPART SYN flood',
  category: 'Attempted Denial of Service',
  severity: 2,
  attackType: 'syn_flood',
  reason: 'SYN flood',
};

export const PORT_SCAN: Signature = {
  gid: 1,
  sid: 9000010,
  rev: 1,
  msg: 'RAMPART multi-port scan',
  category: 'Attempted Information Leak',
  severity: 2,
  attackType: 'port_scan',
  reason: 'multi-port scan',
};

/** A TCP alert from `srcIp`. */
export function alertEvent(over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    type: 'alert',
    tsUs: TS_US,
    pcapCnt: 33,
    flowId: 1234567890123,
    srcIp: '192.168.100.101',
    srcPort: 40000,
    destIp: '192.168.100.103',
    destPort: 80,
    proto: 'TCP',
    signature: SYN_FLOOD,
    action: 'blocked',
    metadata: { window: ['1s'] },
    detail: '120 SYN/s over 1s (threshold 100)',
    ...over,
  };
}

export function blockEvent(over: Partial<BlockEvent> = {}): BlockEvent {
  return {
    type: 'block',
    tsUs: TS_US,
    pcapCnt: 33,
    flowId: 1234567890123,
    srcIp: '192.168.100.101',
    srcPort: 40000,
    destIp: '192.168.100.103',
    destPort: 80,
    proto: 'TCP',
    addr: '192.168.100.101',
    reason: 'SYN flood',
    sid: 9000001,
    durationS: 60,
    expiresUs: TS_US + 60_000_000,
    ...over,
  };
}

export function unblockEvent(over: Partial<UnblockEvent> = {}): UnblockEvent {
  return { type: 'unblock', tsUs: TS_US + 60_000_000, addr: '192.168.100.101', reason: 'expired', ...over };
}

export function anomalyEvent(over: Partial<AnomalyEvent> = {}): AnomalyEvent {
  return {
    type: 'anomaly',
    tsUs: TS_US,
    pcapCnt: 7,
    flowId: 0,
    srcIp: '10.0.0.1',
    srcPort: 0,
    destIp: '10.0.0.2',
    destPort: 0,
    proto: 'ICMP',
    event: 'decoder.icmpv4.trunc_pkt',
    layer: 'decode',
    ...over,
  };
}

export function statsEvent(over: Partial<StatsEvent> = {}): StatsEvent {
  return {
    type: 'stats',
    tsUs: TS_US,
    uptimeS: 8.75,
    stats: { decoder: { pkts: 42, ipv4: 38 }, flow: { memcap_hits: 0 } },
    final: true,
    ...over,
  };
}

/** A reusable verdict view, as the engine hands it out. */
export function verdictView(): PacketVerdict & { src: string; dest: string } {
  const view = {
    index: 0,
    isIp: true,
    src: '',
    dest: '',
    srcIp: (): string => view.src,
    destIp: (): string => view.dest,
    verdict: Verdict.ALLOW as number,
    reason: '',
    blockedAddr: '',
  };
  return view;
}
