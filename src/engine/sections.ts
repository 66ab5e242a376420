import type { SectionSpec } from '../config/params.js';
import { decideParams } from '../decide/decide.js';
import { detectParams } from '../detect/detect.js';
import type { DetectorSpec } from '../detect/detector.js';
import { DETECTORS } from '../detect/detectors/index.js';
import { DEFRAG_SECTION } from '../defrag/params.js';
import { flowParams } from '../flow/flow-table.js';
import { httpParams } from '../app/http/http.js';
import { streamParams } from '../stream/stream.js';
import { liveParams } from '../live/params.js';

/** Outputs that can be switched on from the config file as well as from the command line. */
export const outputParams: SectionSpec = {
  path: 'outputs',
  help: 'Outputs (command-line flags override these).',
  params: [
    { name: 'eve', type: 'string', default: '', help: "EVE JSON lines file ('-' for stdout, empty for none)." },
    { name: 'verdicts', type: 'bool', default: false, help: "Print the per-packet verdict lines ('[n] src -> dst : ALLOW')." },
    { name: 'http_events', type: 'bool', default: false, help: 'Log one EVE http event per HTTP request (with its response status when seen).' },
    { name: 'flow_events', type: 'bool', default: false, help: "Log one EVE flow event per flow when it ends (packets and bytes each way, start, end, state, reason, alerted, TCP flags), as Suricata's eve-log flow type." },
  ],
};

/** Config section of a detector: its parameters plus `enabled`. */
export function detectorSection(spec: DetectorSpec): SectionSpec {
  return {
    path: `detectors.${spec.name}`,
    help: spec.help,
    params: [{ name: 'enabled', type: 'bool', default: true, help: `Run the ${spec.name} detector.` }, ...spec.params],
  };
}

/** Every config section of the engine, in the order --print-config shows them. */
export const SECTIONS: readonly SectionSpec[] = [
  ...DETECTORS.map(detectorSection),
  detectParams,
  decideParams,
  flowParams,
  streamParams,
  httpParams,
  DEFRAG_SECTION,
  outputParams,
  liveParams,
];
