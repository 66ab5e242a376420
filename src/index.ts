/**
 * Rampart's public API: what the CLI, the dashboard and the tools use, and what programs embedding
 * the engine may use. Nothing outside this file is a stable interface.
 */
export { readCaptureFile, CaptureError, type FrameHandler, type ReadResult } from './capture/source.js';
export { PcapWriter, pcapBytes, pcapngBytes } from './capture/pcap-writer.js';
export { parseConfig, loadConfigFile, defaultConfig, formatConfig, ConfigError, type Config } from './config/config.js';
export { Engine } from './engine/engine.js';
export { SECTIONS } from './engine/sections.js';
export { DETECTORS } from './detect/detectors/index.js';
export { analyzeFiles, type AnalyzeOptions, type AnalyzeResult } from './cli/analyze.js';
export { eveRecord, eveTimestamp, EveWriter } from './output/eve.js';
export { VerdictWriter } from './output/verdicts.js';
export { SummaryCollector, formatSummary, type RunTotals, type SummaryReport } from './output/summary.js';
export type * from './output/events.js';
export { generateCaptures, type GenerateOptions } from './tools/generate/generate.js';
export { evaluate, evaluateFiles, type EvalReport } from './tools/eval/eval.js';
