import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECODE_EVENTS, DecodeEvent, decodeEventName } from '../../src/decode/events.js';
import { Decoder } from '../../src/decode/decoder.js';

test('event codes are 1-based positions and names are unique, Suricata-style', () => {
  DECODE_EVENTS.forEach((e, i) => assert.equal(e.code, i + 1));
  assert.equal(new Set(DECODE_EVENTS.map((e) => e.name)).size, DECODE_EVENTS.length);
  for (const e of DECODE_EVENTS) {
    assert.match(e.name, /^decoder\.([a-z0-9]+\.)?[a-z0-9_]+$/);
    assert.ok(e.description.length > 0);
  }
  assert.equal(DecodeEvent.IPV4_TRUNC_PKT, DECODE_EVENTS.find((e) => e.name === 'decoder.ipv4.trunc_pkt')?.code);
  assert.equal(Object.keys(DecodeEvent).length, DECODE_EVENTS.length);
});

test('decodeEventName maps codes to names, and out-of-table codes to a marker', () => {
  assert.equal(decodeEventName(DecodeEvent.TCP_HLEN_TOO_SMALL), 'decoder.tcp.hlen_too_small');
  assert.equal(decodeEventName(DecodeEvent.UNKNOWN_LINKTYPE), 'decoder.unknown_linktype');
  assert.equal(decodeEventName(0), 'decoder.unknown_event_0');
  assert.equal(decodeEventName(9999), 'decoder.unknown_event_9999');
});

test('the decoder has one zeroed counter per event name', () => {
  const { stats } = new Decoder();
  for (const e of DECODE_EVENTS) assert.equal(stats[e.name], 0, e.name);
  for (const c of ['pkts', 'bytes', 'ipv4', 'ipv6', 'arp', 'tcp', 'udp', 'icmp', 'icmpv6', 'vlan', 'fragments', 'other', 'events']) assert.equal(stats[c], 0, c);
});
