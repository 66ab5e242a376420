/**
 * EVE flow records (outputs.flow_events): one per flow when it ends, with the counters, times,
 * state, end reason, alerted flag and TCP flags of the frames that made it, as Suricata's
 * eve-log `flow` type writes them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eveRecord, eveTimestamp } from '../../src/output/eve.js';
import type { FlowEvent } from '../../src/output/events.js';
import { ethernet, icmpEcho, icmpPacket, tcpPacket, udpPacket } from '../../src/tools/craft/frame.js';
import { run, T0, type TestFrame } from '../helpers.js';
import { Conn } from '../stream/segments.js';

const ON = 'outputs:\n  flow_events: true\n';

function flowEvents(frames: readonly TestFrame[], yaml = ON): FlowEvent[] {
  return run(frames, yaml).events.filter((e): e is FlowEvent => e.type === 'flow');
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const GET = 'GET /item?id=7 HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: curl/8.0\r\n\r\n';
const ATTACK = "GET /item?id=1%27%20OR%201%3D1--%20 HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: curl/8.0\r\n\r\n";

/** Wire length of one of Conn's frames: Ethernet + IPv4 + TCP with 12 bytes of options (see segments.ts). */
function bytes(frames: readonly TestFrame[], from: number, to: number, client: boolean): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const f = frames[i].frame;
    if ((f.readUInt32BE(26) === 0x0a000015) === client) n += f.length;
  }
  return n;
}

describe('EVE flow records', () => {
  it('logs an HTTP connection with its counters, times, state, TCP flags and app_proto, alerted or not', () => {
    const clean = new Conn({ t0: T0 }).handshake().send(GET).serverAck().reply(OK).close();
    const attack = new Conn({ t0: T0 + 5_000_000, sport: 40001 }).handshake().send(ATTACK).serverAck().reply(OK).close();
    const flows = flowEvents([...clean.frames, ...attack.frames]);
    assert.equal(flows.length, 2);
    for (const [f, conn, alerted] of [[flows[0], clean, false], [flows[1], attack, true]] as const) {
      const toServer = conn.frames.filter((fr) => fr.frame.readUInt32BE(26) === 0x0a000015).length;
      assert.deepEqual(
        [f.srcIp, f.srcPort, f.destIp, f.destPort, f.proto, f.appProto, f.pktsToServer, f.pktsToClient],
        ['10.0.0.21', conn.sport, '10.0.0.10', 80, 'TCP', 'http', toServer, conn.frames.length - toServer],
      );
      assert.equal(f.bytesToServer, bytes(conn.frames, 0, conn.frames.length, true));
      assert.equal(f.bytesToClient, bytes(conn.frames, 0, conn.frames.length, false));
      assert.deepEqual([f.startUs, f.endUs, f.tsUs, f.pcapCnt], [conn.frames[0].tsUs, conn.frames[conn.frames.length - 1].tsUs, conn.frames[0].tsUs, 0]);
      assert.deepEqual([f.state, f.reason, f.alerted], ['closed', 'shutdown', alerted]);
      assert.deepEqual(f.tcp, { flagsToServer: 0x1b, flagsToClient: 0x1b, state: 'closed' });
    }
  });

  it('logs a flow that timed out, a refused SYN and a UDP exchange, each with its own state and reason', () => {
    const frames: TestFrame[] = [
      // A SYN refused with RST-ACK: closed at once, expired by the last packet (timeout_closed: 10 s).
      { frame: ethernet(tcpPacket({ src: '10.0.0.21', dst: '10.0.0.10', sport: 41000, dport: 23, flags: 'S', seq: 100 })), tsUs: T0 },
      { frame: ethernet(tcpPacket({ src: '10.0.0.10', dst: '10.0.0.21', sport: 23, dport: 41000, flags: 'RA', seq: 0, ack: 101 })), tsUs: T0 + 200 },
      // A DNS question and its answer: established (answered), ended by the input's end.
      { frame: ethernet(udpPacket({ src: '10.0.0.21', dst: '10.0.0.53', sport: 53000, dport: 53, payload: 'q'.repeat(30) })), tsUs: T0 + 1000 },
      { frame: ethernet(udpPacket({ src: '10.0.0.53', dst: '10.0.0.21', sport: 53, dport: 53000, payload: 'a'.repeat(60) })), tsUs: T0 + 2000 },
      // A SYN never answered, then a packet 40 s later that expires it (timeout_new: 30 s).
      { frame: ethernet(tcpPacket({ src: '10.0.0.21', dst: '10.0.0.99', sport: 42000, dport: 443, flags: 'S', seq: 7 })), tsUs: T0 + 3000 },
      { frame: ethernet(udpPacket({ src: '10.0.0.22', dst: '10.0.0.53', sport: 53001, dport: 53, payload: 'q' })), tsUs: T0 + 40_000_000 },
    ];
    const flows = flowEvents(frames);
    const by = new Map(flows.map((f) => [`${f.proto} ${f.destPort}`, f]));
    const syn = by.get('TCP 443') as FlowEvent;
    assert.deepEqual([syn.state, syn.reason, syn.pktsToServer, syn.pktsToClient, syn.appProto], ['new', 'timeout', 1, 0, '']);
    assert.deepEqual(syn.tcp, { flagsToServer: 0x02, flagsToClient: 0, state: 'syn_sent' });
    const refused = by.get('TCP 23') as FlowEvent;
    assert.deepEqual([refused.state, refused.reason, refused.pktsToServer, refused.pktsToClient], ['closed', 'timeout', 1, 1]);
    assert.deepEqual(refused.tcp, { flagsToServer: 0x02, flagsToClient: 0x14, state: 'closed' });
    const dns = by.get('UDP 53') as FlowEvent;
    assert.deepEqual([dns.srcIp, dns.srcPort, dns.state, dns.reason, dns.tcp, dns.alerted], ['10.0.0.21', 53000, 'established', 'shutdown', undefined, false]);
    assert.deepEqual([dns.bytesToServer, dns.bytesToClient], [frames[2].frame.length, frames[3].frame.length]);
    // Flows are logged as they end: the two expired by the last packet, then those the input's end closes.
    assert.deepEqual(flows.map((f) => f.reason), ['timeout', 'timeout', 'shutdown', 'shutdown']);
  });

  it('writes the record in Suricata key order, without pcap_cnt, TCP flags as hex and one boolean each', () => {
    const f = flowEvents(new Conn({ t0: T0 }).handshake().send(GET).serverAck().reply(OK).close().frames)[0];
    assert.notEqual(f.endUs, f.startUs);
    assert.equal(
      JSON.stringify(eveRecord(f)).replace(/"flow_id":\d+/, '"flow_id":1').replace(/"bytes_toserver":\d+,"bytes_toclient":\d+/, '"bytes":0'),
      '{"timestamp":"2026-03-01T12:00:00.000000+0000","flow_id":1,"event_type":"flow","src_ip":"10.0.0.21","src_port":40000,' +
        '"dest_ip":"10.0.0.10","dest_port":80,"proto":"TCP","app_proto":"http",' +
        `"flow":{"pkts_toserver":${f.pktsToServer},"pkts_toclient":${f.pktsToClient},"bytes":0,` +
        `"start":"2026-03-01T12:00:00.000000+0000","end":"${eveTimestamp(f.endUs)}","age":0,"state":"closed","reason":"shutdown","alerted":false},` +
        '"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"}}',
    );
  });

  it("logs ICMP's type and code, and the answer's when there was one (ping, and nmap's unanswered timestamp request)", () => {
    const frames: TestFrame[] = [
      { frame: ethernet(icmpEcho({ src: '10.0.0.21', dst: '10.0.0.10', id: 77, seq: 1, payload: 'abcdefgh' })), tsUs: T0 },
      { frame: ethernet(icmpEcho({ src: '10.0.0.10', dst: '10.0.0.21', id: 77, seq: 1, payload: 'abcdefgh', reply: true })), tsUs: T0 + 300 },
      { frame: ethernet(icmpPacket({ src: '10.0.0.21', dst: '10.0.0.11', type: 13, code: 0, body: Buffer.alloc(16) })), tsUs: T0 + 1000 },
    ];
    const records = flowEvents(frames).map((f) => eveRecord(f) as Record<string, unknown>);
    const ping = records.find((r) => r.dest_ip === '10.0.0.10') as Record<string, unknown>;
    const timestamp = records.find((r) => r.dest_ip === '10.0.0.11') as Record<string, unknown>;
    const head = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => k.includes('icmp') || k === 'proto' || k === 'tcp' || k === 'src_port'));
    assert.deepEqual(head(ping), { proto: 'ICMP', icmp_type: 8, icmp_code: 0, response_icmp_type: 0, response_icmp_code: 0 });
    assert.deepEqual(head(timestamp), { proto: 'ICMP', icmp_type: 13, icmp_code: 0 });
    assert.deepEqual(Object.keys(ping), ['timestamp', 'flow_id', 'event_type', 'src_ip', 'dest_ip', 'proto', 'icmp_type', 'icmp_code', 'response_icmp_type', 'response_icmp_code', 'flow']);
  });

  it('logs nothing by default', () => {
    assert.deepEqual(flowEvents(new Conn({ t0: T0 }).handshake().send(GET).serverAck().reply(OK).close().frames, ''), []);
  });
});
