/**
 * What a receiving Linux host drops before TCP sees a segment: IPv6 option rules (ip6_parse_tlv),
 * IPv4 source routes, checksums with checksum offload told apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { ethernet, ipv4Packet, ipv6Packet, tcpPacket } from '../../src/tools/craft/frame.js';
import { checksumsHold, hasSourceRoute, ipv6OptionsReceivable } from '../../src/stream/receiver.js';

const decoder = new Decoder();

function decode(frame: Buffer): Packet {
  const p = new Packet();
  decoder.decode(p, frame, 0, frame.length, 1);
  return p;
}

/** A TCP segment to 2001:db8::10 behind one extension header of `type` holding `options`. */
function v6With(type: number, options: readonly number[]): Packet {
  const seg = tcpPacket({ src: '2001:db8::21', dst: '2001:db8::10', sport: 40000, dport: 80, flags: 'PA', payload: 'x' }).subarray(40);
  return decode(ethernet(ipv6Packet({ src: '2001:db8::21', dst: '2001:db8::10', nextHeader: 6, payload: seg, extHeaders: [{ type, data: Uint8Array.from(options) }] })));
}

function receivable(p: Packet): boolean {
  return ipv6OptionsReceivable(p.buf, p.ipOffset, p.ipOffset + p.ipHdrLen);
}

describe('IPv6 options a Linux receiver accepts', () => {
  it('skips unknown options typed "skip", and drops those typed "discard" (01, 10, 11)', () => {
    assert.equal(receivable(v6With(60, [0x0f, 2, 0, 0])), true);
    for (const type of [0x4f, 0x8f, 0xcf]) assert.equal(receivable(v6With(60, [type, 2, 0, 0])), false, type.toString(16));
    assert.equal(receivable(v6With(0, [0x8f, 2, 0, 0])), false);
    // Home Address, known to Mobile IPv6 kernels, and Router Alert pass.
    assert.equal(receivable(v6With(60, [0xc9, 16, ...new Array<number>(16).fill(0)])), true);
    assert.equal(receivable(v6With(0, [5, 2, 0, 0])), true);
  });

  it('drops PadN over 7 bytes or not zero, more than 8 options, and an option past its header', () => {
    assert.equal(receivable(v6With(60, [1, 4, 0, 0, 0, 0])), true);
    assert.equal(receivable(v6With(60, [1, 6, 0, 0, 0, 0, 0, 0])), false);
    assert.equal(receivable(v6With(60, [1, 2, 0, 9])), false);
    const nine = Array.from({ length: 9 }, () => [0x0f, 0]).flat();
    assert.equal(receivable(v6With(60, nine)), false);
    assert.equal(receivable(v6With(60, nine.slice(2))), true);
    assert.equal(receivable(v6With(60, [0x0f, 40])), false);
  });
});

describe('IPv4 source routes and checksums', () => {
  it('finds a loose or strict source route among the IPv4 options, and nothing else', () => {
    const seg = tcpPacket({ src: '10.0.0.21', dst: '10.0.0.10', sport: 40000, dport: 80, flags: 'PA', payload: 'x' }).subarray(20);
    const withOptions = (options: number[]): Packet => decode(ethernet(ipv4Packet({ src: '10.0.0.21', dst: '10.0.0.10', proto: 6, payload: seg, options: Uint8Array.from(options) })));
    assert.equal(hasSourceRoute(withOptions([131, 7, 4, 10, 0, 0, 10])), true);
    assert.equal(hasSourceRoute(withOptions([1, 137, 7, 4, 10, 0, 0, 10])), true);
    assert.equal(hasSourceRoute(withOptions([7, 7, 4, 0, 0, 0, 0])), false);
    assert.equal(checksumsHold(withOptions([131, 7, 4, 10, 0, 0, 10])), true);
  });

  it('holds for a right checksum, checksum offload and a 0 IPv4 checksum; not for a wrong one', () => {
    const frame = ethernet(tcpPacket({ src: '10.0.0.21', dst: '10.0.0.10', sport: 40000, dport: 80, flags: 'PA', payload: 'hello' }));
    assert.equal(checksumsHold(decode(frame)), true);
    const badTcp = Buffer.from(frame);
    badTcp.writeUInt16BE(badTcp.readUInt16BE(14 + 20 + 16) ^ 0x0101, 14 + 20 + 16);
    assert.equal(checksumsHold(decode(badTcp)), false);
    const badIp = Buffer.from(frame);
    badIp.writeUInt16BE(badIp.readUInt16BE(14 + 10) ^ 0x0101, 14 + 10);
    assert.equal(checksumsHold(decode(badIp)), false);
    const zeroIp = Buffer.from(frame);
    zeroIp.writeUInt16BE(0, 14 + 10);
    assert.equal(checksumsHold(decode(zeroIp)), true);
    // Offload: the pseudo-header sum (source, destination, protocol 6, TCP length 25) in the field.
    let sum = 0x0a00 + 0x0015 + 0x0a00 + 0x000a + 6 + 25;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const offloaded = Buffer.from(frame);
    offloaded.writeUInt16BE(sum, 14 + 20 + 16);
    assert.equal(checksumsHold(decode(offloaded)), true);
  });
});
