/** The defragmenter's parameters as data: the `defrag` section of the config file. */
import type { SectionSpec, SectionValues } from '../config/params.js';
import { DEFAULT_DEFRAG_OPTIONS, type DefragOptions } from './defrag.js';

/** Parameters of the `defrag` config section. */
export const DEFRAG_SECTION: SectionSpec = {
  path: 'defrag',
  help: 'IPv4/IPv6 fragment reassembly: memory bound, tracker timeout and count.',
  params: [
    { name: 'memcap_bytes', type: 'int', default: DEFAULT_DEFRAG_OPTIONS.memcapBytes, min: 65536, max: 2 ** 40, help: 'Most fragment bytes held at once; the oldest trackers are evicted beyond it.' },
    { name: 'timeout_s', type: 'number', default: DEFAULT_DEFRAG_OPTIONS.timeoutUs / 1e6, min: 0.001, max: 3600, help: 'Seconds of packet time after its first fragment before an incomplete datagram is dropped.' },
    { name: 'max_trackers', type: 'int', default: DEFAULT_DEFRAG_OPTIONS.maxTrackers, min: 1, max: 10_000_000, help: 'Most datagrams under reassembly at once; the oldest is evicted beyond it.' },
  ],
};

/** Defragmenter options from validated `defrag` section values (missing keys take their defaults). */
export function defragOptionsFrom(values: SectionValues): DefragOptions {
  const num = (name: string, fallback: number): number => (typeof values[name] === 'number' ? (values[name] as number) : fallback);
  return {
    memcapBytes: num('memcap_bytes', DEFAULT_DEFRAG_OPTIONS.memcapBytes),
    timeoutUs: Math.round(num('timeout_s', DEFAULT_DEFRAG_OPTIONS.timeoutUs / 1e6) * 1e6),
    maxTrackers: num('max_trackers', DEFAULT_DEFRAG_OPTIONS.maxTrackers),
  };
}
