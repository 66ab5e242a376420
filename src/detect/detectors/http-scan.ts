import { httpInfo, type HttpRequest } from '../../app/http/request.js';
import type { Packet } from '../../decode/packet.js';
import { builtin, Category, type DetectContext, type Detector, type DetectorSpec } from '../detector.js';
import { PAYLOAD_PRINTABLE_MAX, printable } from '../web/web-attacks.js';
import { DistinctTable } from '../windows.js';

const SIG = builtin(9100040, 'RAMPART SCAN web content discovery (many paths not found)', 'web content discovery', 'web_scan', Category.SCAN, 2);

/** 32-bit FNV-1a of a path: one number per distinct path for the distinct-value table. */
function pathHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * `http_scan`: distinct paths one client asks for that the server answers 404 Not Found or 410
 * Gone, within a window. Content discovery tools (gobuster, dirb, wfuzz, Nikto, nmap's
 * http-enum) walk a word list and get a 404 for almost every word; whatever User-Agent they send.
 * A browser meets a handful of missing images or a dead link, never dozens of distinct missing
 * paths a minute. Each distinct path counts once, so a client retrying one broken URL never adds
 * up. Blocked, as a port scan is.
 */
export const httpScan: DetectorSpec = {
  name: 'http_scan',
  help: 'Distinct paths per client answered 404 or 410 within a window (directory and file brute-forcing).',
  params: [
    { name: 'paths', type: 'int', default: 40, min: 2, max: 16777216, help: 'Distinct paths answered 404/410 to one client that make a scan.' },
    { name: 'window', type: 'number', default: 60, min: 1, max: 86400, help: 'Sliding window, seconds.' },
    { name: 'max_clients', type: 'int', default: 65536, min: 16, max: 16777216, help: 'Clients tracked at once (oldest dropped).' },
  ],
  signatures: [SIG],
  create(values, ctx: DetectContext): Detector {
    const threshold = values.paths as number;
    const windowUs = (values.window as number) * 1e6;
    const missing = new DistinctTable(values.max_clients as number, threshold, windowUs);
    const flows = ctx.flows;
    return {
      get stats() {
        return { http_scan_evictions: missing.evictions };
      },
      onHttpTransaction(req: HttpRequest, flow: number, p: Packet | null): void {
        if (req.status !== 404 && req.status !== 410) return;
        const client = req.clientIsInitiator ? flows.keyA[flow] : flows.keyB[flow];
        const tsUs = p !== null ? p.tsUs : flows.lastUs[flow];
        const n = missing.add(client, pathHash(req.path), tsUs);
        if (n < threshold || ctx.suppressed(SIG, client, tsUs)) return;
        const app = { http: httpInfo(req), payloadPrintable: printable(req.head, PAYLOAD_PRINTABLE_MAX) };
        ctx.alertRequest(SIG, req, flow, p, `${n} distinct paths answered ${req.status} in ${values.window}s (threshold ${threshold})`, {}, app);
      },
    };
  },
};
