/**
 * WebSocket after an accepted upgrade: the client's frames read from the reassembled stream
 * (lengths of every size, masks, fragments, control frames between them, segments cut anywhere),
 * permessage-deflate messages decompressed against the ones before them, each message handed on
 * as a request of its own (HttpPhase.MESSAGE), memory given back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0 } from '../helpers.js';
import { Conn } from '../stream/segments.js';
import { runHttp } from './pipeline.js';
import { deflated, frame, OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_TEXT } from './ws-client.js';

const UPGRADE = 'GET /ws?room=1 HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const ACCEPT = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

/** A connection upgraded to WebSocket (frames 1-3 the handshake, 4 the upgrade, 6 the 101). */
function upgraded(): Conn {
  return new Conn({ t0: T0 }).handshake().send(UPGRADE).serverAck().reply(ACCEPT);
}

describe('WebSocket messages', () => {
  it('reads masked frames cut anywhere across segments, with 7-, 16- and 64-bit lengths', () => {
    const long = 'a'.repeat(300);
    const wire = Buffer.concat([frame(OP_TEXT, 'hi'), frame(OP_TEXT, long), frame(OP_TEXT, '{"q":"x"}')]);
    // Every cut: inside the first header, its mask, the 16-bit length, the payloads.
    const cuts = [1, 3, 5, 9, 10, 12, 15, 200, wire.length - 3];
    const c = upgraded().sendSplit(wire.toString('latin1'), cuts);
    const r = runHttp(c.close().frames);
    assert.deepEqual(r.messages, ['1 1 - body:=hi', `2 2 - body:=${long}`, '3 3 - json:q=x']);
    assert.deepEqual(r.requests.map((q) => q.uriRaw), ['/ws?room=1']);
    assert.deepEqual(r.transactions, ['/ws?room=1 101 0']);
    assert.deepEqual([r.http.stats.websocket_upgrades, r.http.stats.websocket_messages, r.http.stats.tunnels], [1, 3, 0]);

    const huge = frame(OP_TEXT, 'b'.repeat(70000));
    const big = upgraded().sendSplit(huge.toString('latin1'), Array.from({ length: 50 }, (_, i) => (i + 1) * 1400)).close();
    const rb = runHttp(big.frames, 'http:\n  body_limit: 1024\n');
    assert.deepEqual(rb.messages, [`1 1 body_truncated body:=${'b'.repeat(1024)}`]);
    assert.equal(rb.http.bufferedBytes, 0);
  });

  it('joins a fragmented message around a ping, and reads nothing after the close frame', () => {
    const c = upgraded()
      .send(frame(OP_TEXT, "1' UNION ", { fin: false }))
      .send(frame(OP_PING, 'p'))
      .send(frame(OP_CONT, 'SELECT ', { fin: false }))
      .send(frame(OP_CONT, 'password FROM users--'))
      .send(frame(OP_CLOSE, '\x03\xe8'))
      .send(frame(OP_TEXT, '<script>alert(1)</script>'));
    const r = runHttp(c.close().frames);
    assert.deepEqual(r.messages, ["1 1 - body:=1' UNION SELECT password FROM users--"]);
    // The message is whole with the packet of its last fragment.
    assert.deepEqual(r.phases, ['HEAD /ws?room=1 @4', 'MESSAGE /ws?room=1 @10']);
    assert.equal(r.http.stats.websocket_errors, 0);
  });

  it('decompresses permessage-deflate messages against the earlier ones (context takeover), and one without it', () => {
    const first = '{"type":"chat","text":"select a table near the window"}';
    const second = '{"type":"chat","text":"select a table near the window UNION SELECT password FROM users--"}';
    const c = upgraded()
      .send(frame(OP_TEXT, deflated(first), { rsv1: true }))
      .send(frame(OP_TEXT, deflated(second, first), { rsv1: true }))
      // Uncompressed messages between compressed ones are not in their window.
      .send(frame(OP_TEXT, 'plain'))
      .send(frame(OP_TEXT, deflated('{"n":"<b>3</b>"}', first + second), { rsv1: true }))
      // A client without context takeover: its message needs no window, and reads the same.
      .send(frame(OP_TEXT, deflated('{"n":"fresh"}'), { rsv1: true }));
    const r = runHttp(c.close().frames);
    assert.deepEqual(r.messages, [
      '1 1 - json:type=chat json:text=select a table near the window',
      '2 2 - json:type=chat json:text=select a table near the window UNION SELECT password FROM users--',
      '3 3 - body:=plain',
      '4 4 - json:n=<b>3</b>',
      '5 5 - json:n=fresh',
    ]);
    // The second message's bytes alone are no message: they point back into the first.
    const alone = deflated(second, first);
    assert.notDeepEqual(alone, deflated(second));
  });

  it('reads a message that does not decompress as sent (when it is text), and counts it and the later compressed ones', () => {
    const c = upgraded()
      .send(frame(OP_TEXT, Buffer.from('not deflate at all'), { rsv1: true }))
      // Its window lost with the message before: read as sent, compressed bytes, no text.
      .send(frame(OP_TEXT, deflated('{"q":"x"}'), { rsv1: true }))
      .send(frame(OP_TEXT, 'plain'));
    const r = runHttp(c.close().frames);
    assert.deepEqual(r.messages, ['1 1 invalid_compression body:=not deflate at all', '3 3 - body:=plain']);
    assert.deepEqual([r.http.stats.websocket_messages, r.http.stats.websocket_undecompressed], [3, 2]);
  });

  it("reads a Socket.IO event's JSON after its packet type, and binary messages only when they are text", () => {
    const c = upgraded()
      .send(frame(OP_TEXT, '42["search","x\' OR \'1\'=\'1"]'))
      .send(frame(OP_BINARY, Buffer.from('{"q":"binary json"}')))
      .send(frame(OP_BINARY, Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x80, 0x81, 0, 0, 0, 7])))
      .send(frame(OP_TEXT, '[citation needed]'));
    const r = runHttp(c.close().frames);
    assert.deepEqual(r.messages, ["1 1 - json:[0]=search json:[1]=x' OR '1'='1", '2 2 - json:q=binary json', '4 4 - body:=[citation needed]']);
  });

  it('reads the frames of a client that does not mask them (servers refuse them, but the bytes are there)', () => {
    const r = runHttp(upgraded().send(frame(OP_TEXT, 'unmasked', { mask: null })).close().frames);
    assert.deepEqual(r.messages, ['1 1 - body:=unmasked']);
  });

  it('stops at a malformed frame, counting it, and gives back what it held when the flow ends inside a message', () => {
    const bad = runHttp(upgraded().send(frame(OP_CONT, 'orphan')).send(frame(OP_TEXT, 'after')).close().frames);
    assert.deepEqual(bad.messages, []);
    assert.equal(bad.http.stats.websocket_errors, 1);
    const cut = upgraded().send(frame(OP_TEXT, 'x'.repeat(5000), { fin: false }));
    const rc = runHttp(cut.frames);
    assert.deepEqual(rc.messages, []);
    assert.equal(rc.http.bufferedBytes, 0);
    assert.equal(rc.http.stats.buffered_bytes, 0);
  });

  it('stops at a gap in the client\'s bytes (frame bounds lost), letting go of the message it held', () => {
    const head = frame(OP_TEXT, 'y'.repeat(3000), { fin: false });
    const c = upgraded().send(frame(OP_TEXT, 'first'));
    const at = UPGRADE.length + frame(OP_TEXT, 'first').length;
    // The first fragment's start, then bytes 100 further on: a hole the server's ACK passes over.
    c.send(head.subarray(0, 1000), at).send(head.subarray(1100), at + 1100).serverAck(at + head.length).send(frame(OP_TEXT, 'after'), at + head.length);
    const r = runHttp(c.close().frames);
    assert.deepEqual(r.messages, ['1 1 - body:=first']);
    assert.deepEqual([r.http.stats.gaps, r.http.stats.websocket_errors, r.http.bufferedBytes], [1, 1, 0]);
  });

  it("reads frames sent right behind the upgrade request, before the server's answer (Node's ws takes them), and still logs the upgrade's status", () => {
    const attack = frame(OP_TEXT, "1' UNION SELECT password FROM users--");
    // In the upgrade request's own segment, and in the next one.
    const same = new Conn({ t0: T0 }).handshake().send(Buffer.concat([Buffer.from(UPGRADE, 'latin1'), attack])).serverAck().reply(ACCEPT).send(frame(OP_TEXT, 'after'));
    const next = new Conn({ t0: T0 }).handshake().send(UPGRADE).send(attack).serverAck().reply(ACCEPT).send(frame(OP_TEXT, 'after'));
    for (const c of [same, next]) {
      const r = runHttp(c.close().frames);
      assert.deepEqual(r.messages, ["1 1 - body:=1' UNION SELECT password FROM users--", '2 2 - body:=after']);
      assert.deepEqual(r.transactions, ['/ws?room=1 101 0']);
      assert.deepEqual([r.http.stats.invalid_requests, r.http.stats.websocket_upgrades], [0, 1]);
    }
    // A request pipelined behind the upgrade request is a request (no frame starts with a method's letters).
    const piped = new Conn({ t0: T0 }).handshake().send(`${UPGRADE}GET /next HTTP/1.1\r\nHost: chat.example\r\n\r\n`).serverAck().reply('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    const rp = runHttp(piped.close().frames);
    assert.deepEqual(rp.requests.map((q) => q.uriRaw), ['/ws?room=1', '/next']);
    assert.deepEqual(rp.messages, []);
  });

  it("keeps each connection's DEFLATE window within the memcap, and lets it go at the end", () => {
    // Three connections at once, each keeping a 30,000-byte window: the third's passes the
    // 65,536-byte memcap, so its next compressed message cannot be read (and is counted).
    const text = (n: number): string => `{"n":${n},"text":"${'lorem ipsum dolor sit amet '.repeat(1110)}"}`;
    const frames: ReturnType<typeof upgraded>['frames'] = [];
    for (let k = 0; k < 3; k++) {
      const c = new Conn({ t0: T0 + k * 10_000, sport: 41000 + k }, frames).handshake().send(UPGRADE).serverAck().reply(ACCEPT);
      c.send(frame(OP_TEXT, deflated(text(k)), { rsv1: true }));
      if (k === 2) c.send(frame(OP_TEXT, deflated('{"q":"more"}', text(k)), { rsv1: true }));
    }
    const r = runHttp(frames, 'http:\n  memcap: 65536\n');
    assert.equal(r.messages.length, 3);
    assert.deepEqual([r.http.stats.memcap_hits, r.http.stats.websocket_undecompressed], [1, 1]);
    assert.equal(r.http.bufferedBytes, 0);
  });

  it('reads the frames as requests when the server refuses the upgrade, and leaves other upgrades alone', () => {
    const refused = new Conn({ t0: T0 }).handshake().send(UPGRADE).serverAck().reply('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n').send('GET /next HTTP/1.1\r\nHost: chat.example\r\n\r\n');
    const r = runHttp(refused.close().frames);
    assert.deepEqual(r.requests.map((q) => q.uriRaw), ['/ws?room=1', '/next']);
    assert.equal(r.http.stats.websocket_upgrades, 0);
    const other = new Conn({ t0: T0 }).handshake().send('GET /irc HTTP/1.1\r\nUpgrade: IRC/6.9\r\nConnection: Upgrade\r\n\r\n').serverAck().reply('HTTP/1.1 101 Switching Protocols\r\nUpgrade: IRC/6.9\r\n\r\n');
    const ro = runHttp(other.send(frame(OP_TEXT, 'PRIVMSG x')).close().frames);
    assert.deepEqual(ro.messages, []);
    assert.deepEqual([ro.http.stats.tunnels, ro.http.stats.websocket_upgrades], [1, 0]);
  });
});
