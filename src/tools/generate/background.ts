/**
 * Benign traffic of the generated office, produced one time slice at a time so a capture of any
 * length streams with flat memory: workstations loading intranet pages (a browser's burst of
 * parallel connections for the assets), HTTPS sessions to outside sites, keep-alive API calls,
 * searches full of SQL words, a dual-stack host over IPv6, DNS, NTP, ARP, an admin's continuous
 * ping, a monitoring station's checks, the API server's database sessions. Every connection
 * completes its handshake and every query is answered, as on a healthy network; every rate stays
 * far below the detectors' thresholds.
 */
import { arpRequest, ethernet, icmpEcho } from '../craft/frame.js';
import { dnsLookup, type Emit, ntpQuery, Rng, tcpConversation, type TcpTurn } from '../scenario.js';
import {
  apiNote,
  apiOrders,
  assetBody,
  formEncode,
  httpRequest,
  httpResponse,
  intranetPage,
  pgQuery,
  pgReady,
  pgResult,
  pgStartup,
  pgTerminate,
  pick,
  SEARCHES,
  SQL_QUERIES,
  USER_AGENTS,
} from './content.js';
import type { Host, Network } from './hosts.js';
import { changeCipherSpec, clientHello, encrypted, serverHello, sessionId } from './tls.js';

/** Length of one slice of background, µs: every activity starts inside its slice (and may run past its end). */
export const SLICE_US = 10_000_000;

const INTRANET = 'intranet.corp.example';
const API = 'api.corp.example';

/** The office's benign traffic, slice after slice (call `slice` with 0, 1, 2, ... in order). */
export class Background {
  private readonly rng: Rng;
  private readonly nextPort = new Map<Host, number>();
  private dnsId: number;
  private readonly pingId: number;

  constructor(
    private readonly net: Network,
    seed: number,
    private readonly t0Us: number,
  ) {
    this.rng = new Rng((seed ^ 0xb4c6a0d) >>> 0);
    this.dnsId = this.rng.int(0, 0xffff);
    this.pingId = this.rng.int(1, 0xffff);
  }

  /** Emits every activity that starts in slice `index` (its frames may run on past the slice's end). */
  slice(emit: Emit, index: number): void {
    const rng = this.rng;
    const net = this.net;
    const start = this.t0Us + index * SLICE_US;
    const at = (): number => start + rng.int(0, SLICE_US - 500_000);

    this.adminPing(emit, index, start);
    if (index % 3 === 0) this.monitorChecks(emit, start + rng.int(0, 2_000_000));
    this.ntp(emit, start);
    for (const ws of net.workstations) {
      const n = rng.int(0, 3);
      for (let i = 0; i < n; i++) {
        const t = at();
        const roll = rng.next();
        if (roll < 0.3) this.intranetVisit(emit, ws, t);
        else if (roll < 0.6) this.httpsVisit(emit, ws, pick(rng, net.sites), t);
        else if (roll < 0.8) this.apiSession(emit, ws, t);
        else if (roll < 0.9) this.search(emit, ws, t);
        else if (ws.v6 !== null) this.ipv6Visit(emit, ws, t);
        else this.httpsVisit(emit, ws, net.cdn, t);
      }
    }
    this.databaseSession(emit, at());
    for (let i = rng.int(1, 3); i > 0; i--) this.upstreamLookup(emit, at());
    this.arpForRouter(emit, pick(rng, net.workstations), at());
    if (index % 6 === 2) this.browserBurst(emit, pick(rng, net.workstations), at());
    if (index % 6 === 4) this.ipv6Ping(emit, start + rng.int(0, 5_000_000));
    if (index % 18 === 7) this.manySites(emit, pick(rng, net.workstations), start + rng.int(0, 500_000));
  }

  /** The next ephemeral port of a host (Linux's 32768-60999), moving on by a few each connection. */
  private port(h: Host): number {
    const prev = this.nextPort.get(h) ?? this.rng.int(32768, 60999);
    const next = 32768 + ((prev - 32768 + this.rng.int(1, 7)) % (60999 - 32768 + 1));
    this.nextPort.set(h, next);
    return next;
  }

  private userAgent(h: Host): string {
    return h.ttl === 128 ? USER_AGENTS.windows : USER_AGENTS.linux;
  }

  private lookup(emit: Emit, client: Host, name: string, answer: string, t: number): void {
    this.dnsId = (this.dnsId + 1) & 0xffff;
    dnsLookup(emit, { client: client.v4, server: this.net.dns.v4, sport: this.port(client), name, t0: t, id: this.dnsId, answer });
  }

  /** A normal `ping` from the admin's workstation to the router, once a second for the whole capture. */
  private adminPing(emit: Emit, index: number, start: number): void {
    const admin = this.net.workstations[0];
    const payload = Buffer.alloc(56);
    for (let i = 0; i < 10; i++) {
      const n = index * 10 + i;
      const t = start + i * 1_000_000 + 137_000;
      for (let b = 8; b < 56; b++) payload[b] = b;
      payload.writeUInt32LE(Math.floor(t / 1e6) >>> 0, 0);
      payload.writeUInt32LE(t % 1_000_000, 4);
      const seq = (n % 0xffff) + 1;
      emit(ethernet(icmpEcho({ src: admin.v4, dst: this.net.router.v4, id: this.pingId, seq, payload })), t);
      emit(ethernet(icmpEcho({ src: this.net.router.v4, dst: admin.v4, id: this.pingId, seq, reply: true, payload })), t + 310);
    }
  }

  /** Every 30 s the monitoring station pings each server and fetches two health pages. */
  private monitorChecks(emit: Emit, t: number): void {
    const net = this.net;
    const mon = net.monitor;
    const targets = [net.router, net.web, net.api, net.db, net.dns];
    targets.forEach((h, i) => {
      const payload = Buffer.from('monitor-check-0123456789abcdef', 'latin1');
      emit(ethernet(icmpEcho({ src: mon.v4, dst: h.v4, id: 0x3e8, seq: i + 1, payload })), t + i * 1000);
      emit(ethernet(icmpEcho({ src: h.v4, dst: mon.v4, id: 0x3e8, seq: i + 1, reply: true, payload })), t + i * 1000 + 250);
    });
    for (const [server, host, port] of [[net.web, INTRANET, 80], [net.api, API, 8080]] as const) {
      const turns: TcpTurn[] = [
        { from: 'client', data: httpRequest({ method: 'GET', host, target: '/healthz', userAgent: 'check_http/v2.3.3 (monitoring-plugins 2.3.3)', accept: '*/*' }) },
        { from: 'server', data: httpResponse(200, 'text/plain', 'ok\n'), afterUs: 600 },
      ];
      tcpConversation(emit, { client: mon.v4, server: server.v4, sport: this.port(mon), dport: port, turns, t0: t + 10_000 + port, rttUs: 400 }, this.rng);
    }
  }

  /** Each LAN host asks the NTP pool every 64 s (servers from port 123 like ntpd, workstations from an ephemeral port like chrony). */
  private ntp(emit: Emit, start: number): void {
    const net = this.net;
    const hosts = [net.web, net.api, net.db, net.dns, net.monitor, ...net.workstations];
    hosts.forEach((h, i) => {
      const phaseUs = ((i * 7919) % 64) * 1_000_000 + i * 12_345;
      const first = Math.ceil((start - this.t0Us - phaseUs) / 64e6);
      for (let k = Math.max(0, first); ; k++) {
        const t = this.t0Us + phaseUs + k * 64_000_000;
        if (t >= start + SLICE_US) break;
        if (t < start) continue;
        const sport = net.workstations.includes(h) ? this.port(h) : 123;
        ntpQuery(emit, { client: h.v4, server: net.ntpPool.v4, sport, t0: t, rttUs: 18_000 + i * 100 });
      }
    });
  }

  /** An intranet page over HTTP, then its assets over parallel connections, as a browser fetches them. */
  private intranetVisit(emit: Emit, ws: Host, t: number): void {
    const rng = this.rng;
    const web = this.net.web;
    if (rng.next() < 0.3) this.lookup(emit, ws, INTRANET, web.v4, t);
    const assets = ['/static/site.css', '/static/app.js', '/static/menu.js', '/static/print.css', '/static/chart.js', '/static/search.js'].slice(0, rng.int(2, 6));
    const page = pick(rng, ['/', '/news', '/docs/sql-tutorial', '/hr/union', '/it/notices', '/canteen']);
    const ua = this.userAgent(ws);
    const t1 = t + 2_000;
    const end = this.exchange(emit, ws, web, 80, t1, 1_200, [
      { from: 'client', data: httpRequest({ method: 'GET', host: INTRANET, target: page, userAgent: ua }) },
      { from: 'server', data: httpResponse(200, 'text/html; charset=utf-8', intranetPage(rng, assets)), afterUs: 1_500 },
    ]);
    assets.forEach((a, i) => {
      const body = assetBody(a, rng.int(300, 9_000));
      const type = a.endsWith('.css') ? 'text/css' : 'application/javascript';
      this.exchange(emit, ws, web, 80, end + 500 + i * 700, 1_200, [
        { from: 'client', data: httpRequest({ method: 'GET', host: INTRANET, target: a, userAgent: ua, accept: '*/*', headers: [['Referer', `http://${INTRANET}${page}`]] }) },
        { from: 'server', data: httpResponse(200, type, body), afterUs: 800 },
      ]);
    });
  }

  /** An HTTPS session: DNS, ClientHello, the server's flight, a request or two, answers, close. */
  private httpsVisit(emit: Emit, ws: Host, site: Host, t: number): void {
    const rng = this.rng;
    const name = `${site.name}.example.com`;
    this.lookup(emit, ws, name, site.v4, t);
    this.tlsSession(emit, ws, site, name, t + 3_000, rng.int(15_000, 60_000), rng.int(1, 3));
  }

  private tlsSession(emit: Emit, ws: Host, server: Host, name: string, t: number, rttUs: number, requests: number): number {
    const rng = this.rng;
    const sid = sessionId(rng);
    const turns: TcpTurn[] = [
      { from: 'client', data: clientHello(rng, name, sid) },
      { from: 'server', data: serverHello(rng, sid, rng.int(2_500, 4_500)), afterUs: 2_000 },
      { from: 'client', data: Buffer.concat([changeCipherSpec(), encrypted(rng, 53), encrypted(rng, rng.int(300, 700))]) },
    ];
    for (let i = 0; i < requests; i++) {
      turns.push({ from: 'server', data: encrypted(rng, rng.int(600, 9_000)), afterUs: rng.int(3_000, 40_000) });
      if (i + 1 < requests) turns.push({ from: 'client', data: encrypted(rng, rng.int(300, 700)), afterUs: rng.int(50_000, 900_000) });
    }
    turns.push({ from: 'client', data: encrypted(rng, 19), afterUs: rng.int(100_000, 2_000_000) }); // close_notify
    return tcpConversation(emit, { client: ws.v4, server: server.v4, sport: this.port(ws), dport: 443, turns, t0: t, rttUs }, rng);
  }

  /** A keep-alive session with the orders API: listings and notes in JSON. */
  private apiSession(emit: Emit, ws: Host, t: number): void {
    const rng = this.rng;
    const turns: TcpTurn[] = [];
    const n = rng.int(2, 4);
    for (let i = 0; i < n; i++) {
      const keepAlive = i + 1 < n;
      const ua = 'orders-desktop/3.4.1 (+https://corp.example/tools)';
      if (rng.next() < 0.7) {
        const target = `/api/v1/orders?status=${pick(rng, ['open', 'shipped', 'on+hold'])}&limit=${rng.int(5, 50)}&sort=date`;
        turns.push({ from: 'client', data: httpRequest({ method: 'GET', host: `${API}:8080`, target, userAgent: ua, accept: 'application/json', keepAlive }), afterUs: i === 0 ? undefined : rng.int(200_000, 1_500_000) });
        turns.push({ from: 'server', data: httpResponse(200, 'application/json', apiOrders(rng), keepAlive), afterUs: rng.int(2_000, 9_000) });
      } else {
        const body = apiNote(rng);
        turns.push({ from: 'client', data: httpRequest({ method: 'POST', host: `${API}:8080`, target: '/api/v1/notes', userAgent: ua, accept: 'application/json', body, contentType: 'application/json', keepAlive }), afterUs: i === 0 ? undefined : rng.int(200_000, 1_500_000) });
        turns.push({ from: 'server', data: httpResponse(200, 'application/json', `{"id":${rng.int(1, 99999)},"saved":true}`, keepAlive), afterUs: rng.int(2_000, 9_000) });
      }
    }
    this.exchange(emit, ws, this.net.api, 8080, t, 900, turns);
  }

  /** A search on the intranet: the words of the phrase in the query string. */
  private search(emit: Emit, ws: Host, t: number): void {
    const rng = this.rng;
    const phrase = pick(rng, SEARCHES);
    const results = `<html><body><h1>Results for &quot;${phrase}&quot;</h1><ol>${Array.from({ length: rng.int(0, 6) }, (_, i) => `<li><a href="/docs/${i}">${phrase} (${i})</a></li>`).join('')}</ol></body></html>`;
    this.exchange(emit, ws, this.net.web, 80, t, 1_100, [
      { from: 'client', data: httpRequest({ method: 'GET', host: INTRANET, target: `/search?q=${formEncode(phrase)}&lang=en`, userAgent: this.userAgent(ws) }) },
      { from: 'server', data: httpResponse(200, 'text/html; charset=utf-8', results), afterUs: 4_000 },
    ]);
  }

  /** A dual-stack workstation resolves the intranet's AAAA record and loads a page over IPv6. */
  private ipv6Visit(emit: Emit, ws: Host, t: number): void {
    const rng = this.rng;
    const web = this.net.web;
    if (ws.v6 === null || web.v6 === null) return;
    this.lookup(emit, ws, INTRANET, web.v6, t);
    tcpConversation(
      emit,
      {
        client: ws.v6,
        server: web.v6,
        sport: this.port(ws),
        dport: 80,
        turns: [
          { from: 'client', data: httpRequest({ method: 'GET', host: INTRANET, target: pick(rng, ['/', '/news', '/it/notices']), userAgent: this.userAgent(ws) }) },
          { from: 'server', data: httpResponse(200, 'text/html; charset=utf-8', intranetPage(rng, ['/static/site.css'])), afterUs: 1_500 },
        ],
        t0: t + 2_000,
        rttUs: 1_000,
      },
      rng,
    );
  }

  /** A dual-stack workstation pings the web server over IPv6, four times. */
  private ipv6Ping(emit: Emit, t: number): void {
    const ws = this.net.workstations.find((w) => w.v6 !== null);
    const web = this.net.web;
    if (ws === undefined || ws.v6 === null || web.v6 === null) return;
    const payload = Buffer.alloc(56, 0x61);
    for (let i = 1; i <= 4; i++) {
      emit(ethernet(icmpEcho({ src: ws.v6, dst: web.v6, id: 0x77, seq: i, payload })), t + i * 1_000_000);
      emit(ethernet(icmpEcho({ src: web.v6, dst: ws.v6, id: 0x77, seq: i, reply: true, payload })), t + i * 1_000_000 + 280);
    }
  }

  /** The API server's connection to PostgreSQL: startup, a few queries, terminate. */
  private databaseSession(emit: Emit, t: number): void {
    const rng = this.rng;
    const turns: TcpTurn[] = [
      { from: 'client', data: pgStartup('orders_api', 'orders') },
      { from: 'server', data: pgReady(rng), afterUs: 600 },
    ];
    for (let i = rng.int(1, 4); i > 0; i--) {
      const sql = pick(rng, SQL_QUERIES);
      turns.push({ from: 'client', data: pgQuery(sql), afterUs: rng.int(1_000, 300_000) });
      turns.push({ from: 'server', data: pgResult(rng, sql), afterUs: rng.int(300, 3_000) });
    }
    turns.push({ from: 'client', data: pgTerminate(), afterUs: rng.int(1_000, 50_000) });
    tcpConversation(emit, { client: this.net.api.v4, server: this.net.db.v4, sport: this.port(this.net.api), dport: 5432, turns, t0: t, rttUs: 300 }, rng);
  }

  /** The DNS server resolving a name it did not have cached. */
  private upstreamLookup(emit: Emit, t: number): void {
    const rng = this.rng;
    const dns = this.net.dns;
    this.dnsId = (this.dnsId + 1) & 0xffff;
    const site = pick(rng, this.net.sites);
    dnsLookup(emit, { client: dns.v4, server: this.net.upstreamDns.v4, sport: this.port(dns), name: `${site.name}.example.com`, t0: t, id: this.dnsId, answer: site.v4 });
  }

  /** A workstation refreshing its ARP entry for the router, and the router's answer. */
  private arpForRouter(emit: Emit, ws: Host, t: number): void {
    const router = this.net.router;
    emit(arpRequest({ senderIp: ws.v4, targetIp: router.v4 }), t);
    emit(arpRequest({ senderIp: router.v4, targetIp: ws.v4, reply: true }), t + 150);
  }

  /** A browser opening 24 HTTPS connections to a CDN within a second (a heavy page): all complete. */
  private browserBurst(emit: Emit, ws: Host, t: number): void {
    const cdn = this.net.cdn;
    for (let i = 0; i < 24; i++) this.tlsSession(emit, ws, cdn, 'static.cdn.example.net', t + i * 40_000 + this.rng.int(0, 5_000), 12_000, 1);
  }

  /** A workstation reading news from 25 different outside servers within 10 s (plain HTTP): all answer. */
  private manySites(emit: Emit, ws: Host, t: number): void {
    const rng = this.rng;
    const ua = this.userAgent(ws);
    for (let i = 0; i < 25; i++) {
      const site = this.net.sites[i];
      const host = `${site.name}.example.com`;
      this.exchange(emit, ws, site, 80, t + i * 380_000, rng.int(20_000, 80_000), [
        { from: 'client', data: httpRequest({ method: 'GET', host, target: '/', userAgent: ua }) },
        { from: 'server', data: httpResponse(200, 'text/html; charset=utf-8', `<html><head><title>${host}</title></head><body><p>Headlines of the day.</p></body></html>`), afterUs: 5_000 },
      ]);
    }
  }

  /** One TCP connection from a host to a server with the given turns; returns its end time. */
  private exchange(emit: Emit, client: Host, server: Host, dport: number, t: number, rttUs: number, turns: readonly TcpTurn[]): number {
    return tcpConversation(emit, { client: client.v4, server: server.v4, sport: this.port(client), dport, turns, t0: t, rttUs }, this.rng);
  }
}
