/**
 * Golden tests on captures of real tools (nmap, hping3, ping, curl, python clients) made in
 * network namespaces by test/fixtures/real/make-captures.sh: which signature fires, at which
 * packet, about whom — and nothing at all on the benign captures.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCaptureFile } from '../../src/capture/source.js';
import { defaultConfig } from '../../src/config/config.js';
import { Engine } from '../../src/engine/engine.js';
import { SECTIONS } from '../../src/engine/sections.js';
import type { AlertEvent, EngineEvent, PacketVerdict } from '../../src/output/events.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/real/', import.meta.url));

async function analyse(file: string): Promise<{ alerts: AlertEvent[]; events: EngineEvent[]; lines: string[]; packets: number }> {
  const events: EngineEvent[] = [];
  const lines: string[] = [];
  const engine = new Engine(defaultConfig(SECTIONS), [
    {
      onEvent: (ev) => events.push(ev),
      onPacket: (v: PacketVerdict) => lines.push(v.isIp ? `${v.srcIp()} -> ${v.destIp()} ${v.verdict}` : `non-ip ${v.verdict}`),
      close: async () => {},
    },
  ]);
  await readCaptureFile(DIR + file, engine.processFrame);
  engine.finish();
  return { alerts: events.filter((e): e is AlertEvent => e.type === 'alert'), events, lines, packets: engine.packets };
}

/** sid, pcap_cnt, src_ip, dest_port (0 without ports), extra metadata. */
type Expected = [number, number, string, number, Record<string, string[]>?];

const ATTACKS: Record<string, Expected[]> = {
  'nmap_syn_scan.pcap': [[9100020, 35, '10.99.0.66', 2, { scan_kind: ['syn'] }]],
  'syn_scan.pcap.gz': [[9100020, 35, '10.99.0.66', 2, { scan_kind: ['syn'] }]],
  'nmap_connect_scan.pcap': [[9100020, 35, '10.99.0.66', 133, { scan_kind: ['connect'] }]],
  'nmap_udp_scan.pcap': [[9100020, 26, '10.99.0.66', 74, { scan_kind: ['udp'] }]],
  'nmap_ack_scan.pcap': [[9100020, 33, '10.99.0.66', 2, { scan_kind: ['ack'] }]],
  'nmap_null_scan.pcap': [[9100010, 5, '10.99.0.66', 22], [9100020, 31, '10.99.0.66', 81, { scan_kind: ['null'] }]],
  'nmap_fin_scan.pcap': [[9100011, 5, '10.99.0.66', 23], [9100020, 31, '10.99.0.66', 64, { scan_kind: ['fin'] }]],
  'nmap_xmas_scan.pcap': [[9100012, 5, '10.99.0.66', 80], [9100020, 31, '10.99.0.66', 60, { scan_kind: ['xmas'] }]],
  // The first sequence-test SYN (window 1); its NULL and Xmas-like T2, T3, T7 probes are no scans of their own.
  'nmap_os_detection.pcap': [[9100021, 13, '10.99.0.66', 80]],
  'nmap_ping_sweep.pcap': [[9100031, 27, '10.99.0.66', 0, { sweep_kind: ['arp'] }]],
  'nmap_ping_sweep_icmp.pcap': [[9100031, 41, '10.99.0.66', 0, { sweep_kind: ['arp'] }]],
  'hping3_syn_flood.pcap': [[9100002, 300, '10.99.0.66', 80]],
  'hping3_icmp_flood.pcap': [[9100001, 101, '10.99.0.66', 0]],
  'hping3_udp_flood.pcap': [[9100005, 502, '10.99.0.66', 53]],
  'hping3_xmas.pcap': [[9100012, 3, '10.99.0.66', 80]],
  'hping3_synfin.pcap': [[9100013, 3, '10.99.0.66', 80]],
  // The first FIN is already an invalid-flag probe; the 100th without an answer is a flood.
  'hping3_fin_flood.pcap': [[9100011, 3, '10.99.0.66', 80], [9100006, 102, '10.99.0.66', 80]],
  // SYN-ACKs answering no SYN: the 100th the victim resets (its RST, packet 202 after the 2 ARP packets) is a flood.
  'hping3_synack_flood.pcap': [[9100006, 202, '10.99.0.66', 80]],
  // ACKs of no connection (hping3 -A): the 100th the victim resets (its RST, packet 202 after the 2 ARP packets) is a flood.
  'hping3_ack_flood.pcap': [[9100006, 202, '10.99.0.66', 80]],
  // Bare IP headers (hping3 -0): no transport header, so only this detector can count them.
  'hping3_rawip_flood.pcap': [[9100019, 102, '10.99.0.66', 0]],
  // As many bare IP headers a second as that flood, but each protocol number once or twice: a scan only.
  'nmap_ip_protocol_scan.pcap': [[9100020, 22, '10.99.0.66', 0, { scan_kind: ['ip_protocol'] }]],
  'nmap_ping_sweep6.pcap': [[9100033, 25, 'fd99::66', 0, { sweep_kind: ['nd'] }]],
};

const BENIGN = [
  'ping_normal.pcap',
  'web_client_busy.pcap',
  'web_client_many_servers.pcap',
  'mixed_benign_ipv6.pcap',
  'linktype_ether.pcap',
  'linktype_sll.pcap',
  'linktype_sll2.pcap',
  'nanosecond.pcap',
  'capture.pcapng',
];

describe('real tools: attacks', () => {
  for (const [file, expected] of Object.entries(ATTACKS)) {
    it(`${file}: ${expected.map((e) => e[0]).join(', ')}`, async () => {
      const { alerts } = await analyse(file);
      assert.deepEqual(
        alerts.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, a.destPort, Object.fromEntries(Object.entries(a.metadata))]),
        expected.map(([sid, cnt, src, port, meta]) => [sid, cnt, src, port, meta ?? {}]),
      );
      assert.ok(alerts.every((a) => a.destIp.startsWith('10.99.0.') || a.destIp.startsWith('ff02::1:ff00:')));
    });
  }

  it('hping3 --rand-source SYN flood: one service alert, nobody blocked', async () => {
    const { alerts, events } = await analyse('hping3_syn_flood_rand.pcap');
    assert.deepEqual(alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.destPort, a.action]), [[9100003, 202, '10.99.0.10', 80, 'allowed']]);
    assert.equal(events.filter((e) => e.type === 'block').length, 0);
  });

  for (const [file, sid, cnt, port] of [
    ['hping3_icmp_flood_rand.pcap', 9100017, 102, 0],
    ['hping3_udp_flood_rand.pcap', 9100016, 502, 53],
    ['hping3_rawip_flood_rand.pcap', 9100050, 202, 0],
    // SYN-ACKs from forged sources: no RST goes back (no route), each counted once 2 s pass unanswered.
    ['hping3_synack_flood_rand.pcap', 9100007, 2067, 80],
    // ACKs from forged sources for 0.6 s: none has waited 2 s when the capture ends, which judges them all (at its last packet).
    ['hping3_ack_flood_rand.pcap', 9100007, 602, 80],
  ] as const) {
    it(`hping3 --rand-source ${file.split('_')[1].toUpperCase()} flood: one alert about the victim, nobody blocked`, async () => {
      const { alerts, events } = await analyse(file);
      assert.deepEqual(alerts.map((a) => [a.signature.sid, a.pcapCnt, a.destIp, a.destPort, a.action]), [[sid, cnt, '10.99.0.10', port, 'allowed']]);
      assert.equal(events.filter((e) => e.type === 'block').length, 0);
    });
  }

  it('hping3 smurf requests to the broadcast address in the victim\'s name: alerted, the victim not blocked', async () => {
    const { alerts, events } = await analyse('hping3_smurf.pcap');
    assert.deepEqual(alerts.map((a) => [a.signature.sid, a.pcapCnt, a.srcIp, a.destIp, a.action]), [[9100018, 50, '10.99.0.10', '10.99.0.255', 'allowed']]);
    assert.equal(events.filter((e) => e.type === 'block').length, 0);
  });
});

describe('real tools: benign traffic stays quiet', () => {
  for (const file of BENIGN) {
    it(file, async () => {
      const { events } = await analyse(file);
      assert.deepEqual(events.filter((e) => e.type !== 'stats'), []);
    });
  }
});

describe('real tools: link types and formats', () => {
  it('Ethernet, SLL, SLL2, nanosecond pcap and pcapng copies of one exchange decode alike', async () => {
    const manifest = JSON.parse(readFileSync(DIR + 'manifest.json', 'utf8'));
    const entries = manifest.files ?? manifest;
    const ether = await analyse('linktype_ether.pcap');
    assert.equal(ether.packets, entries['linktype_ether.pcap'].packets);
    assert.ok(ether.lines.filter((l) => l.startsWith('10.99.0.')).length >= 10);
    for (const f of ['linktype_sll.pcap', 'linktype_sll2.pcap', 'nanosecond.pcap', 'capture.pcapng']) {
      const other = await analyse(f);
      assert.deepEqual(other.lines, ether.lines, f);
    }
    const stats = ether.events.find((e) => e.type === 'stats');
    assert.ok(stats && stats.type === 'stats');
    assert.equal(stats.stats.decoder.events, 0);
  });

  it("counts a scan's SYNs, SYN-ACKs and resets as Suricata's stats do (tshark's counts)", async () => {
    const { events } = await analyse('nmap_syn_scan.pcap');
    const stats = events.find((e) => e.type === 'stats');
    assert.ok(stats && stats.type === 'stats');
    const s = stats.stats.stream;
    assert.deepEqual([s.syn, s.synack, s.rst], [200, 2, 200]);
  });
});
