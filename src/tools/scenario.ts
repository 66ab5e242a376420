import { arpRequest, ethernet, icmpEcho, ipv4Packet, parseIp, tcpPacket, udpPacket } from './craft/frame.js';

/**
 * Building blocks of synthetic traffic: benign conversations and attacks as real Ethernet frames
 * (correct checksums, sequence numbers a real stack would produce), handed to an `Emit` callback
 * in time order per block. The built-in sample capture, the benchmark and the tests are made
 * from these; the traffic generator grows from them.
 */

/** Receives one frame and its packet time (µs since the epoch). */
export type Emit = (frame: Buffer, tsUs: number) => void;

/** A deterministic pseudo-random source (mulberry32), so the same seed gives the same bytes. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

const MSS_SACK_TS_WS = Uint8Array.from([2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]);

/** One TCP connection between a client and a server, with real sequence numbers. */
export interface TcpExchange {
  readonly client: string;
  readonly server: string;
  readonly sport: number;
  readonly dport: number;
  /** Bytes the client sends (one segment per MSS-sized chunk). */
  readonly request: string | Uint8Array;
  /** Bytes the server answers. */
  readonly response: string | Uint8Array;
  /** Start time, µs. */
  readonly t0: number;
  /** Round-trip time, µs (default 2 ms). */
  readonly rttUs?: number;
}

/** Emits a whole TCP connection: handshake, request, response, ACKs, FIN teardown. Returns its end time. */
export function tcpExchange(emit: Emit, x: TcpExchange, rng: Rng): number {
  const rtt = x.rttUs ?? 2000;
  const half = Math.max(1, Math.floor(rtt / 2));
  let t = x.t0;
  let cseq = rng.int(1, 0x7fffffff);
  let sseq = rng.int(1, 0x7fffffff);
  const c = { src: x.client, dst: x.server, sport: x.sport, dport: x.dport };
  const s = { src: x.server, dst: x.client, sport: x.dport, dport: x.sport };
  emit(ethernet(tcpPacket({ ...c, flags: 'S', seq: cseq, options: MSS_SACK_TS_WS })), t);
  t += half;
  emit(ethernet(tcpPacket({ ...s, flags: 'SA', seq: sseq, ack: cseq + 1, options: MSS_SACK_TS_WS })), t);
  cseq++;
  sseq++;
  t += half;
  emit(ethernet(tcpPacket({ ...c, flags: 'A', seq: cseq, ack: sseq })), t);
  const req = typeof x.request === 'string' ? Buffer.from(x.request, 'latin1') : Buffer.from(x.request);
  const res = typeof x.response === 'string' ? Buffer.from(x.response, 'latin1') : Buffer.from(x.response);
  for (let off = 0; off < req.length; off += 1448) {
    const chunk = req.subarray(off, off + 1448);
    t += 50;
    emit(ethernet(tcpPacket({ ...c, flags: 'PA', seq: cseq, ack: sseq, payload: chunk })), t);
    cseq += chunk.length;
  }
  t += half;
  emit(ethernet(tcpPacket({ ...s, flags: 'A', seq: sseq, ack: cseq })), t);
  for (let off = 0; off < res.length; off += 1448) {
    const chunk = res.subarray(off, off + 1448);
    t += 100;
    emit(ethernet(tcpPacket({ ...s, flags: 'PA', seq: sseq, ack: cseq, payload: chunk })), t);
    sseq += chunk.length;
    if (((off / 1448) | 0) % 2 === 1) emit(ethernet(tcpPacket({ ...c, flags: 'A', seq: cseq, ack: sseq })), t + 20);
  }
  t += half;
  emit(ethernet(tcpPacket({ ...c, flags: 'FA', seq: cseq, ack: sseq })), t);
  t += half;
  emit(ethernet(tcpPacket({ ...s, flags: 'FA', seq: sseq, ack: cseq + 1 })), t);
  t += half;
  emit(ethernet(tcpPacket({ ...c, flags: 'A', seq: cseq + 1, ack: sseq + 1 })), t);
  return t;
}

/** A plain HTTP GET and its answer, as a browser would send them. */
export function httpGet(host: string, path: string, body: string): { request: string; response: string } {
  return {
    request: `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\nAccept: text/html,*/*\r\nConnection: close\r\n\r\n`,
    response: `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  };
}

/** Echo request/reply pairs at a fixed interval (a normal `ping`). Returns the end time. */
export function ping(emit: Emit, o: { src: string; dst: string; count: number; intervalUs: number; t0: number; id: number }): number {
  let t = o.t0;
  const payload = Buffer.alloc(56, 0x42);
  for (let i = 1; i <= o.count; i++) {
    emit(ethernet(icmpEcho({ src: o.src, dst: o.dst, id: o.id, seq: i, payload })), t);
    emit(ethernet(icmpEcho({ src: o.dst, dst: o.src, id: o.id, seq: i, reply: true, payload })), t + 400);
    t += o.intervalUs;
  }
  return t;
}

/**
 * A DNS query and its answer over UDP: an A record (192.0.2.80 unless `answer` says otherwise), or
 * an AAAA record when `answer` is an IPv6 address.
 */
export function dnsLookup(emit: Emit, o: { client: string; server: string; sport: number; name: string; t0: number; id: number; answer?: string }): void {
  const rdata = o.answer === undefined ? Uint8Array.from([192, 0, 2, 80]) : parseIp(o.answer).bytes;
  const qtype = rdata.length === 16 ? 28 : 1;
  const q = Buffer.alloc(12);
  q.writeUInt16BE(o.id, 0);
  q.writeUInt16BE(0x0100, 2);
  q.writeUInt16BE(1, 4);
  const labels = Buffer.concat([...o.name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0, 0, qtype, 0, 1])]);
  const query = Buffer.concat([q, labels]);
  const answer = Buffer.concat([query, Buffer.from([0xc0, 0x0c, 0, qtype, 0, 1, 0, 0, 0x0e, 0x10, 0, rdata.length]), rdata]);
  answer.writeUInt16BE(0x8180, 2);
  answer.writeUInt16BE(1, 6);
  emit(ethernet(udpPacket({ src: o.client, dst: o.server, sport: o.sport, dport: 53, payload: query })), o.t0);
  emit(ethernet(udpPacket({ src: o.server, dst: o.client, sport: 53, dport: o.sport, payload: answer })), o.t0 + 800);
}

/** A random forged source in 198.18.0.0/15 (the benchmarking range), as hping3 --rand-source makes them. */
function spoofed(rng: Rng): string {
  return `198.18.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** SYNs from one source (or random spoofed sources) to one service, as hping3 -S sends them. */
export function synFlood(emit: Emit, o: { src: string | null; dst: string; dport: number; count: number; intervalUs: number; t0: number }, rng: Rng): void {
  let sport = rng.int(1024, 60000);
  for (let i = 0; i < o.count; i++) {
    const src = o.src ?? spoofed(rng);
    emit(ethernet(tcpPacket({ src, dst: o.dst, sport: sport++ & 0xffff || 1024, dport: o.dport, flags: 'S', seq: rng.int(0, 0x7fffffff), window: 512 })), o.t0 + i * o.intervalUs);
  }
}

/** ICMP echo requests as fast as hping3 -1 sends them, from one source or (src null, rng given) random spoofed ones. */
export function icmpFlood(emit: Emit, o: { src: string | null; dst: string; count: number; intervalUs: number; t0: number }, rng?: Rng): void {
  const payload = Buffer.alloc(0);
  for (let i = 0; i < o.count; i++) {
    const src = o.src ?? spoofed(needRng(rng));
    emit(ethernet(icmpEcho({ src, dst: o.dst, id: 0x1234, seq: i & 0xffff, payload })), o.t0 + i * o.intervalUs);
  }
}

/**
 * Bare IPv4 headers of protocol `proto` with nothing after them, as hping3's raw IP mode (-0, -H)
 * sends them, the IP id incrementing; from one source or (src null, rng given) random spoofed ones.
 */
export function rawIpFlood(emit: Emit, o: { src: string | null; dst: string; proto: number; count: number; intervalUs: number; t0: number }, rng?: Rng): void {
  const payload = Buffer.alloc(0);
  for (let i = 0; i < o.count; i++) {
    const src = o.src ?? spoofed(needRng(rng));
    emit(ethernet(ipv4Packet({ src, dst: o.dst, proto: o.proto, payload, id: i & 0xffff })), o.t0 + i * o.intervalUs);
  }
}

function needRng(rng: Rng | undefined): Rng {
  if (rng === undefined) throw new TypeError('spoofed sources need an Rng');
  return rng;
}

/** One-way UDP packets with incrementing source ports, as hping3 -2 sends them, from one source or (src null, rng given) random spoofed ones. */
export function udpFlood(emit: Emit, o: { src: string | null; dst: string; dport: number; count: number; intervalUs: number; t0: number }, rng?: Rng): void {
  const payload = Buffer.alloc(32, 0x58);
  for (let i = 0; i < o.count; i++) {
    const src = o.src ?? spoofed(needRng(rng));
    emit(ethernet(udpPacket({ src, dst: o.dst, sport: 2000 + (i % 60000), dport: o.dport, payload })), o.t0 + i * o.intervalUs);
  }
}

/** Kinds of port-scan probes, as nmap names its scans. */
export type ScanKind = 'syn' | 'connect' | 'udp' | 'ack' | 'null' | 'fin' | 'xmas';

const SCAN_FLAGS: Readonly<Record<ScanKind, string>> = { syn: 'S', connect: 'S', udp: '', ack: 'A', null: '', fin: 'F', xmas: 'FPU' };

/**
 * A vertical scan: one probe per port, closed ports answering RST (TCP) or nothing (UDP), `open`
 * ports answering SYN-ACK (then the scanner resets, as nmap -sS does).
 */
export function portScan(emit: Emit, o: { src: string; dst: string; ports: readonly number[]; kind: ScanKind; open?: readonly number[]; intervalUs: number; t0: number }, rng: Rng): void {
  const sport = rng.int(33000, 60000);
  const open = new Set(o.open ?? []);
  let t = o.t0;
  for (const port of o.ports) {
    if (o.kind === 'udp') {
      emit(ethernet(udpPacket({ src: o.src, dst: o.dst, sport, dport: port })), t);
    } else {
      const seq = rng.int(0, 0x7fffffff);
      const options = o.kind === 'connect' ? MSS_SACK_TS_WS : o.kind === 'syn' ? Uint8Array.from([2, 4, 5, 180]) : undefined;
      const srcPort = o.kind === 'connect' ? rng.int(33000, 60000) : sport;
      emit(ethernet(tcpPacket({ src: o.src, dst: o.dst, sport: srcPort, dport: port, flags: SCAN_FLAGS[o.kind], seq, window: o.kind === 'connect' ? 64240 : 1024, options })), t);
      const isSyn = o.kind === 'syn' || o.kind === 'connect';
      if (isSyn && open.has(port)) {
        emit(ethernet(tcpPacket({ src: o.dst, dst: o.src, sport: port, dport: srcPort, flags: 'SA', seq: 1000, ack: seq + 1 })), t + 300);
        emit(ethernet(tcpPacket({ src: o.src, dst: o.dst, sport: srcPort, dport: port, flags: 'R', seq: seq + 1 })), t + 400);
      } else if (isSyn || o.kind === 'null' || o.kind === 'fin' || o.kind === 'xmas') {
        emit(ethernet(tcpPacket({ src: o.dst, dst: o.src, sport: port, dport: srcPort, flags: 'RA', seq: 0, ack: seq + (isSyn ? 1 : 0) })), t + 300);
      } else {
        emit(ethernet(tcpPacket({ src: o.dst, dst: o.src, sport: port, dport: srcPort, flags: 'R', seq: 0 })), t + 300);
      }
    }
    t += o.intervalUs;
  }
}

/** An ICMP echo sweep over consecutive addresses (nmap -sn -PE); live hosts answer. */
export function pingSweep(emit: Emit, o: { src: string; prefix: string; from: number; to: number; live: readonly number[]; intervalUs: number; t0: number }): void {
  let t = o.t0;
  for (let h = o.from; h <= o.to; h++) {
    const dst = `${o.prefix}.${h}`;
    emit(ethernet(icmpEcho({ src: o.src, dst, id: 0x4242, seq: h })), t);
    if (o.live.includes(h)) emit(ethernet(icmpEcho({ src: dst, dst: o.src, id: 0x4242, seq: h, reply: true })), t + 300);
    t += o.intervalUs;
  }
}

/** An ARP sweep over consecutive addresses (nmap -sn on a LAN). */
export function arpSweep(emit: Emit, o: { src: string; prefix: string; from: number; to: number; intervalUs: number; t0: number }): void {
  for (let h = o.from; h <= o.to; h++) emit(arpRequest({ senderIp: o.src, targetIp: `${o.prefix}.${h}`, senderMac: '02:00:00:00:00:66' }), o.t0 + (h - o.from) * o.intervalUs);
}

/** Collects frames from several overlapping blocks and hands them out in time order. */
export class Timeline {
  private readonly frames: { frame: Buffer; tsUs: number; order: number }[] = [];
  /** An Emit that records into this timeline. */
  readonly emit: Emit = (frame, tsUs) => {
    this.frames.push({ frame, tsUs, order: this.frames.length });
  };
  /** All frames sorted by time (stable for equal times). */
  sorted(): { frame: Buffer; tsUs: number }[] {
    return [...this.frames].sort((a, b) => a.tsUs - b.tsUs || a.order - b.order);
  }
}

/** One turn of a TCP conversation: which side sends what, after how long a pause. */
export interface TcpTurn {
  readonly from: 'client' | 'server';
  readonly data: string | Uint8Array;
  /** Pause before the turn starts, µs (default: half the round trip). */
  readonly afterUs?: number;
}

/** A TCP connection carrying several turns (keep-alive HTTP, a TLS session). */
export interface TcpConversation {
  readonly client: string;
  readonly server: string;
  readonly sport: number;
  readonly dport: number;
  readonly turns: readonly TcpTurn[];
  /** Start time, µs. */
  readonly t0: number;
  /** Round-trip time, µs (default 2 ms). */
  readonly rttUs?: number;
  /** Which side sends the first FIN (default the client). */
  readonly closeBy?: 'client' | 'server';
}

/**
 * Emits a whole TCP connection with any number of turns: handshake, each turn's data in
 * MSS-sized segments (PSH on the last of a write) acknowledged every second segment and at the
 * end of the write, then the FIN teardown. Sequence numbers follow the bytes. Returns its end time.
 */
export function tcpConversation(emit: Emit, x: TcpConversation, rng: Rng): number {
  const half = Math.max(1, Math.floor((x.rttUs ?? 2000) / 2));
  const c = { src: x.client, dst: x.server, sport: x.sport, dport: x.dport };
  const s = { src: x.server, dst: x.client, sport: x.dport, dport: x.sport };
  const seq = { client: rng.int(1, 0x7fffffff), server: rng.int(1, 0x7fffffff) };
  let t = x.t0;
  emit(ethernet(tcpPacket({ ...c, flags: 'S', seq: seq.client, options: MSS_SACK_TS_WS })), t);
  t += half;
  emit(ethernet(tcpPacket({ ...s, flags: 'SA', seq: seq.server, ack: seq.client + 1, options: MSS_SACK_TS_WS })), t);
  seq.client++;
  seq.server++;
  t += half;
  emit(ethernet(tcpPacket({ ...c, flags: 'A', seq: seq.client, ack: seq.server })), t);
  for (const turn of x.turns) {
    const from = turn.from === 'client' ? c : s;
    const to = turn.from === 'client' ? s : c;
    const other = turn.from === 'client' ? 'server' : 'client';
    const data = typeof turn.data === 'string' ? Buffer.from(turn.data, 'latin1') : Buffer.from(turn.data);
    t += turn.afterUs ?? half;
    let unacked = 0;
    for (let off = 0; off < data.length; off += 1448) {
      const chunk = data.subarray(off, off + 1448);
      const last = off + 1448 >= data.length;
      t += 80;
      emit(ethernet(tcpPacket({ ...from, flags: last ? 'PA' : 'A', seq: seq[turn.from], ack: seq[other], payload: chunk })), t);
      seq[turn.from] += chunk.length;
      if (++unacked === 2 && !last) {
        emit(ethernet(tcpPacket({ ...to, flags: 'A', seq: seq[other], ack: seq[turn.from] })), t + 20);
        unacked = 0;
      }
    }
    if (unacked > 0) {
      t += half;
      emit(ethernet(tcpPacket({ ...to, flags: 'A', seq: seq[other], ack: seq[turn.from] })), t);
    }
  }
  const closer = x.closeBy ?? 'client';
  const peer = closer === 'client' ? 'server' : 'client';
  const cl = closer === 'client' ? c : s;
  const pe = closer === 'client' ? s : c;
  t += half;
  emit(ethernet(tcpPacket({ ...cl, flags: 'FA', seq: seq[closer], ack: seq[peer] })), t);
  t += half;
  emit(ethernet(tcpPacket({ ...pe, flags: 'FA', seq: seq[peer], ack: seq[closer] + 1 })), t);
  t += half;
  emit(ethernet(tcpPacket({ ...cl, flags: 'A', seq: seq[closer] + 1, ack: seq[peer] + 1 })), t);
  return t;
}

/** Seconds from 1900 (the NTP era) to 1970 (the Unix epoch). */
const NTP_UNIX_OFFSET_S = 2208988800;

/** Writes an NTP timestamp (seconds since 1900, 32-bit fraction) of a µs packet time. */
function writeNtpTime(b: Buffer, at: number, tsUs: number): void {
  const sec = Math.floor(tsUs / 1e6);
  b.writeUInt32BE((sec + NTP_UNIX_OFFSET_S) >>> 0, at);
  b.writeUInt32BE(Math.floor(((tsUs - sec * 1e6) / 1e6) * 4294967296) >>> 0, at + 4);
}

/** An NTPv4 client query and the server's answer (RFC 5905 modes 3 and 4), as chrony or ntpd send them. */
export function ntpQuery(emit: Emit, o: { client: string; server: string; sport: number; t0: number; rttUs?: number }): void {
  const rtt = o.rttUs ?? 20000;
  const query = Buffer.alloc(48);
  query[0] = (4 << 3) | 3; // LI 0, version 4, mode 3 (client)
  query[2] = 6; // poll 2^6 s
  query[3] = 0xe9; // precision 2^-23 s
  writeNtpTime(query, 40, o.t0);
  const reply = Buffer.alloc(48);
  reply[0] = (4 << 3) | 4; // mode 4 (server)
  reply[1] = 2; // stratum 2
  reply[2] = 6;
  reply[3] = 0xe8;
  reply.writeUInt32BE(0x00000a3c, 4); // root delay
  reply.writeUInt32BE(0x00001b2e, 8); // root dispersion
  reply.writeUInt32BE(0xc0000201, 12); // reference id: its upstream server
  writeNtpTime(reply, 16, o.t0 - 512_000_000);
  query.copy(reply, 24, 40, 48); // origin = the client's transmit time
  writeNtpTime(reply, 32, o.t0 + rtt / 2 - 30);
  writeNtpTime(reply, 40, o.t0 + rtt / 2);
  emit(ethernet(udpPacket({ src: o.client, dst: o.server, sport: o.sport, dport: 123, payload: query })), o.t0);
  emit(ethernet(udpPacket({ src: o.server, dst: o.client, sport: 123, dport: o.sport, payload: reply })), o.t0 + rtt);
}
