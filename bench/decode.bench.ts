/**
 * Decoder micro-benchmark: decodes the same few frames 10M times each into one reused Packet and
 * prints packets per second. Also measures the two ways of reading a 16-bit field that the
 * decoder could use, to keep the choice measured. Run: `npx tsc -p tsconfig.json && node dist/bench/decode.bench.js [iterations]`.
 */
import { Decoder } from '../src/decode/decoder.js';
import { LinkType, Packet } from '../src/decode/packet.js';
import { ethernet, tcpPacket, udpPacket } from '../src/tools/craft/frame.js';

const ITERATIONS = Number(process.argv[2] ?? 10_000_000);

/** A TCP segment as a Linux client sends it: timestamps option, a small request. */
const TCP_OPTS = Uint8Array.from([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]);

const cases: readonly { readonly name: string; readonly frame: Buffer }[] = [
  {
    name: 'eth/ipv4/tcp (ts option, 64 B payload)',
    frame: ethernet(tcpPacket({ src: '192.168.1.10', dst: '10.0.0.80', sport: 51234, dport: 80, flags: 'PA', seq: 1, ack: 1, options: TCP_OPTS, payload: new Uint8Array(64) })),
  },
  {
    name: 'eth/ipv4/tcp SYN',
    frame: ethernet(tcpPacket({ src: '192.168.1.10', dst: '10.0.0.80', sport: 51234, dport: 80, flags: 'S', options: Uint8Array.from([2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]) })),
  },
  { name: 'eth/ipv4/udp (dns-sized)', frame: ethernet(udpPacket({ src: '192.168.1.10', dst: '192.168.1.1', sport: 40000, dport: 53, payload: new Uint8Array(40) })) },
  { name: 'eth/vlan/ipv4/udp', frame: ethernet(udpPacket({ src: '192.168.1.10', dst: '192.168.1.1', sport: 40000, dport: 53, payload: new Uint8Array(40) }), { vlans: [42] }) },
  { name: 'eth/ipv6/tcp', frame: ethernet(tcpPacket({ src: '2001:db8::10', dst: '2001:db8::80', sport: 51234, dport: 443, flags: 'A', options: TCP_OPTS })) },
];

function bench(name: string, frame: Buffer): void {
  const decoder = new Decoder();
  const p = new Packet();
  let sink = 0;
  // Warm-up so the figure is for optimised code.
  for (let i = 0; i < 200_000; i++) decoder.decode(p, frame, 0, frame.length, LinkType.ETHERNET);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    decoder.decode(p, frame, 0, frame.length, LinkType.ETHERNET);
    sink += p.payloadLen;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (sink < 0) console.log(sink);
  console.log(`${name.padEnd(42)} ${((ITERATIONS / ns) * 1e3).toFixed(2).padStart(7)} Mpkt/s  ${(ns / ITERATIONS).toFixed(1)} ns/pkt`);
}

function benchRead16(): void {
  const buf = Buffer.alloc(1500, 7);
  const n = ITERATIONS * 4;
  let a = 0;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) a += buf.readUInt16BE(i & 1023);
  const helper = Number(process.hrtime.bigint() - t0);
  t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const j = i & 1023;
    a += (buf[j] << 8) | buf[j + 1];
  }
  const manual = Number(process.hrtime.bigint() - t0);
  if (a < 0) console.log(a);
  console.log(`read 16-bit: buf.readUInt16BE ${(helper / n).toFixed(2)} ns, (buf[i] << 8) | buf[i + 1] ${(manual / n).toFixed(2)} ns`);
}

console.log(`decoder: ${ITERATIONS} decodes per frame`);
for (const c of cases) bench(c.name, c.frame);
benchRead16();
