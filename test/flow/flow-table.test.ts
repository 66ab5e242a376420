import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { FlowEnd, FlowState, FlowTable, flowParams } from '../../src/flow/flow-table.js';
import { ethernet, tcpPacket, udpPacket } from '../../src/tools/craft/frame.js';
import { T0 } from '../helpers.js';

function table(overrides: Record<string, number> = {}, ended: [number, number, string][] = []): { flows: FlowTable; feed: (frame: Buffer, tsUs: number) => number } {
  const values: Record<string, number> = {};
  for (const p of flowParams.params) values[p.name] = p.default as number;
  Object.assign(values, overrides);
  const dec = new Decoder();
  const p = new Packet();
  const flows: FlowTable = new FlowTable(values, (slot, reason) => ended.push([slot, reason, String(flows.portA[slot])]));
  return {
    flows,
    feed(frame, tsUs) {
      dec.decode(p, frame, 0, frame.length, 1);
      p.tsUs = tsUs;
      p.wireLen = frame.length;
      flows.expire(tsUs);
      return flows.track(p);
    },
  };
}

const A = '10.0.0.1';
const B = '10.0.0.2';

describe('flow table', () => {
  it('puts both directions in one flow and follows the TCP handshake', () => {
    const { flows, feed } = table();
    const s = feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'S' })), T0);
    assert.equal(flows.created, true);
    assert.equal(flows.state[s], FlowState.NEW);
    assert.equal(feed(ethernet(tcpPacket({ src: B, dst: A, sport: 80, dport: 40000, flags: 'SA' })), T0 + 1), s);
    assert.equal(flows.toServer, false);
    assert.equal(flows.state[s], FlowState.SYN_RECV);
    feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'A' })), T0 + 2);
    assert.equal(flows.justEstablished, true);
    assert.equal(flows.state[s], FlowState.ESTABLISHED);
    feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'FA' })), T0 + 3);
    assert.equal(flows.state[s], FlowState.CLOSING);
    feed(ethernet(tcpPacket({ src: B, dst: A, sport: 80, dport: 40000, flags: 'FA' })), T0 + 4);
    assert.equal(flows.state[s], FlowState.CLOSED);
    assert.equal(flows.pktsToServer[s], 3);
    assert.equal(flows.pktsToClient[s], 2);
    assert.equal(flows.stats.flows_created, 1);
  });

  it('names the client as initiator when the capture starts with the server talking', () => {
    const { flows, feed } = table();
    const s = feed(ethernet(tcpPacket({ src: B, dst: A, sport: 443, dport: 51000, flags: 'PA', payload: 'x' })), T0);
    assert.equal(flows.toServer, false);
    assert.equal(flows.portA[s], 51000);
    assert.equal(flows.portB[s], 443);
    assert.equal(flows.state[s], FlowState.ESTABLISHED);
    assert.equal(flows.stats.midstream, 1);
  });

  it('keeps flows of different ports, protocols and addresses apart', () => {
    const { flows, feed } = table();
    const a = feed(ethernet(udpPacket({ src: A, dst: B, sport: 5000, dport: 53 })), T0);
    const b = feed(ethernet(udpPacket({ src: A, dst: B, sport: 5001, dport: 53 })), T0);
    const c = feed(ethernet(tcpPacket({ src: A, dst: B, sport: 5000, dport: 53, flags: 'S' })), T0);
    const d = feed(ethernet(udpPacket({ src: 'fd00::1', dst: 'fd00::2', sport: 5000, dport: 53 })), T0);
    assert.equal(new Set([a, b, c, d]).size, 4);
    assert.equal(flows.stats.flows_active, 4);
  });

  it('times out flows on packet time, by state', () => {
    const ended: [number, number, string][] = [];
    const { flows, feed } = table({}, ended);
    feed(ethernet(tcpPacket({ src: A, dst: B, sport: 1111, dport: 80, flags: 'S' })), T0);
    const est = feed(ethernet(udpPacket({ src: A, dst: B, sport: 2222, dport: 53 })), T0);
    feed(ethernet(udpPacket({ src: B, dst: A, sport: 53, dport: 2222 })), T0 + 1);
    assert.equal(flows.state[est], FlowState.ESTABLISHED);
    feed(ethernet(udpPacket({ src: A, dst: B, sport: 3333, dport: 9 })), T0 + 31_000_000);
    assert.deepEqual(ended.map(([, reason, port]) => [reason, port]), [[FlowEnd.TIMEOUT, '1111']]);
    feed(ethernet(udpPacket({ src: A, dst: B, sport: 3333, dport: 9 })), T0 + 302_000_000);
    // Unanswered flows expire before established ones at the same instant (list order).
    assert.deepEqual(ended.map(([, , port]) => port), ['1111', '3333', '2222']);
    assert.equal(flows.stats.flows_timed_out, 3);
  });

  describe('a RST on an established connection', () => {
    /** Handshake (client ISN 1000, server 5000) and 10 bytes from the client; returns the slot. */
    function established(feed: (frame: Buffer, tsUs: number) => number): number {
      const c = { src: A, dst: B, sport: 40000, dport: 80 };
      const s = { src: B, dst: A, sport: 80, dport: 40000 };
      const slot = feed(ethernet(tcpPacket({ ...c, flags: 'S', seq: 1000 })), T0);
      feed(ethernet(tcpPacket({ ...s, flags: 'SA', seq: 5000, ack: 1001 })), T0 + 1);
      feed(ethernet(tcpPacket({ ...c, flags: 'A', seq: 1001, ack: 5001 })), T0 + 2);
      feed(ethernet(tcpPacket({ ...c, flags: 'PA', seq: 1001, ack: 5001, payload: 'GET /?q=1 ' })), T0 + 3);
      return slot;
    }
    const rst = (seq: number): Buffer => ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'R', seq }));

    it('closes the flow when it carries the next sequence number (RFC 5961)', () => {
      const { flows, feed } = table();
      const slot = established(feed);
      feed(rst(1011), T0 + 4);
      assert.equal(flows.state[slot], FlowState.CLOSED);
      assert.equal(flows.stats.rst_ignored, 0);
    });

    it('is ignored with any other sequence number, or a wrong checksum, as the receiver ignores it', () => {
      const ended: [number, number, string][] = [];
      const { flows, feed } = table({}, ended);
      const slot = established(feed);
      feed(rst(1011 + 70000), T0 + 4);
      feed(rst(1001), T0 + 5);
      const bad = rst(1011);
      bad.writeUInt16BE(bad.readUInt16BE(14 + 20 + 16) ^ 0xffff, 14 + 20 + 16);
      feed(bad, T0 + 6);
      assert.equal(flows.state[slot], FlowState.ESTABLISHED);
      assert.equal(flows.stats.rst_ignored, 3);
      // 11 s later (past timeout_closed) the connection goes on in the same flow.
      assert.equal(feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'PA', seq: 1011, ack: 5001, payload: 'HTTP/1.1' })), T0 + 11_000_006), slot);
      assert.deepEqual(ended, []);
      assert.equal(flows.stats.midstream, 0);
    });

    it('does not count a segment far ahead of the data (out of the window) toward the next sequence number', () => {
      const { flows, feed } = table();
      const slot = established(feed);
      feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'PA', seq: 901011, ack: 5001, payload: 'xyz' })), T0 + 4);
      feed(rst(901014), T0 + 5);
      assert.equal(flows.state[slot], FlowState.ESTABLISHED);
      assert.equal(flows.stats.rst_ignored, 1);
    });

    it('reopens the flow when the connection goes on after the RST it took', () => {
      const { flows, feed } = table();
      const slot = established(feed);
      feed(rst(1011), T0 + 4);
      assert.equal(flows.state[slot], FlowState.CLOSED);
      // The server answers (a challenge ACK, RFC 5961), so the RST did not end the connection.
      feed(ethernet(tcpPacket({ src: B, dst: A, sport: 80, dport: 40000, flags: 'A', seq: 5001, ack: 1011 })), T0 + 5);
      assert.equal(flows.state[slot], FlowState.ESTABLISHED);
      assert.equal(flows.stats.rst_reopened, 1);
    });

    it('still marks a connection refused by a RST before establishment', () => {
      const { flows, feed } = table();
      const slot = feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40001, dport: 81, flags: 'S', seq: 77 })), T0);
      feed(ethernet(tcpPacket({ src: B, dst: A, sport: 81, dport: 40001, flags: 'RA', seq: 0, ack: 78 })), T0 + 1);
      assert.equal(flows.state[slot], FlowState.CLOSED);
      assert.equal(flows.stats.rst_ignored, 0);
    });
  });

  describe('a SYN on the same addresses and ports after a close (TCP port reuse)', () => {
    const syn = (seq: number): Buffer => ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'S', seq }));
    function closed(feed: (frame: Buffer, tsUs: number) => number): number {
      const slot = feed(syn(1000), T0);
      feed(ethernet(tcpPacket({ src: B, dst: A, sport: 80, dport: 40000, flags: 'SA', seq: 5000, ack: 1001 })), T0 + 1);
      feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'A', seq: 1001, ack: 5001 })), T0 + 2);
      feed(ethernet(tcpPacket({ src: B, dst: A, sport: 80, dport: 40000, flags: 'FA', seq: 5001, ack: 1001 })), T0 + 3);
      feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'FA', seq: 1001, ack: 5002 })), T0 + 4);
      return slot;
    }

    it('ends the closed flow and starts a new one at the SYN', () => {
      const ended: [number, number, string][] = [];
      const { flows, feed } = table({}, ended);
      const old = closed(feed);
      const id = flows.flowId[old];
      const slot = feed(syn(90000), T0 + 1_000_000);
      assert.equal(flows.created, true);
      assert.equal(flows.state[slot], FlowState.NEW);
      assert.equal(flows.pktsToServer[slot], 1);
      assert.notEqual(flows.flowId[slot], id);
      assert.deepEqual(ended, [[old, FlowEnd.REUSED, '40000']]);
      assert.deepEqual([flows.stats.tcp_reuse, flows.stats.flows_created, flows.stats.flows_active], [1, 2, 1]);
    });

    it('does the same after a RST the connection took', () => {
      const { flows, feed } = table();
      feed(syn(1000), T0);
      feed(ethernet(tcpPacket({ src: B, dst: A, sport: 80, dport: 40000, flags: 'SA', seq: 5000, ack: 1001 })), T0 + 1);
      feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'A', seq: 1001, ack: 5001 })), T0 + 2);
      feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40000, dport: 80, flags: 'R', seq: 1001 })), T0 + 3);
      feed(syn(90000), T0 + 4);
      assert.equal(flows.created, true);
      assert.equal(flows.stats.tcp_reuse, 1);
    });

    it("also when the SYN's checksum is wrong (a capture rewritten without fixing checksums)", () => {
      const { flows, feed } = table();
      const old = closed(feed);
      const bad = syn(90000);
      bad.writeUInt16BE(bad.readUInt16BE(14 + 20 + 16) ^ 0xffff, 14 + 20 + 16);
      assert.equal(feed(bad, T0 + 5), old);
      assert.equal(flows.created, true);
      assert.equal(flows.stats.tcp_reuse, 1);
    });

    it('keeps a retried SYN after a refusal, and a SYN on a half-closed connection, in their flow', () => {
      const { flows, feed } = table();
      // Refused: SYN, RST-ACK, the same SYN again (Nmap's retry).
      const refused = feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40001, dport: 81, flags: 'S', seq: 77 })), T0 + 6);
      feed(ethernet(tcpPacket({ src: B, dst: A, sport: 81, dport: 40001, flags: 'RA', seq: 0, ack: 78 })), T0 + 7);
      assert.equal(feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40001, dport: 81, flags: 'S', seq: 77 })), T0 + 8), refused);
      // Half-closed: only the client's FIN; the server's side is still open.
      const half = feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40002, dport: 80, flags: 'S', seq: 1 })), T0 + 9);
      feed(ethernet(tcpPacket({ src: B, dst: A, sport: 80, dport: 40002, flags: 'SA', seq: 9, ack: 2 })), T0 + 10);
      feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40002, dport: 80, flags: 'A', seq: 2, ack: 10 })), T0 + 11);
      feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40002, dport: 80, flags: 'FA', seq: 2, ack: 10 })), T0 + 12);
      assert.equal(feed(ethernet(tcpPacket({ src: A, dst: B, sport: 40002, dport: 80, flags: 'S', seq: 500 })), T0 + 13), half);
      assert.equal(flows.stats.tcp_reuse, 0);
    });
  });

  it('evicts the oldest unestablished flow when full, and counts it', () => {
    const ended: [number, number, string][] = [];
    const { flows, feed } = table({ max_flows: 1024 }, ended);
    for (let i = 0; i < 1030; i++) feed(ethernet(tcpPacket({ src: A, dst: B, sport: 10000 + i, dport: 80, flags: 'S' })), T0 + i);
    assert.equal(flows.stats.flows_evicted, 6);
    assert.equal(flows.stats.flows_active, 1024);
    assert.deepEqual(ended.map(([, reason, port]) => [reason, port]).slice(0, 2), [[FlowEnd.EVICTED, '10000'], [FlowEnd.EVICTED, '10001']]);
  });

  it('hands out deterministic flow ids', () => {
    const ids = [0, 1].map(() => {
      const { flows, feed } = table();
      return flows.flowId[feed(ethernet(udpPacket({ src: A, dst: B, sport: 5000, dport: 53 })), T0)];
    });
    assert.equal(ids[0], ids[1]);
    assert.ok(ids[0] > 2 ** 32);
  });
});
