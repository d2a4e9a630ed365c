// The public surface of the harness (the package root re-exports it). Explicit list.
export {
  startNsoMock,
  wrapMockServer,
  type StartNsoMockOptions,
  type RunningNsoMock,
  type PlayOptions,
  type EmitHandle,
} from './start-nso-mock.js';
export {
  MockHarness,
  UNEXPECTED_FRAME_CODES,
  type MockHarnessOptions,
  type UnexpectedFrame,
  type UnexpectedFramePolicy,
  type HarnessEmitOptions,
  type EmitResult,
  type WaitOptions,
  type AckMatch,
  type RecordedAck,
} from './mock-harness.js';
export { Toxics, type ToxicSpec, type ToxicScope, type ToxicInfo } from './toxics.js';
export { TrafficCounter, type CountFilter, type TrafficCounts } from './traffic-counts.js';
export { HarnessError, type HarnessErrorCode, type HarnessErrorDetails } from './errors.js';
export { writeFileAtomic, type WriteFileAtomicOptions } from './atomic-file.js';
export { formatPendingAcks, type PendingAckRow } from './pending-table.js';
// The codec's: the harness API has always offered it next to the pending-ack table.
export { formatAck } from '../codec/index.js';
export { ClientProcess, fillPlaceholders, shellQuote, PLACEHOLDER_NAMES, type ClientExit, type ClientProcessOptions, type Placeholders } from './client-process.js';
// The runners load fast-check, the arbitraries and YAML on first use (runners.ts), not with this index.
export { runConform, runConformCase, listConformCases, runFuzz, runFuzzScenario, loadFuzzScenario } from './runners.js';
export type { ConformOptions } from './conform/run-conform.js';
export type { ConformCase, CaseContext, CaseSetupContext, ConformMaskName } from './conform/cases.js';
export {
  VERDICTS,
  summarize,
  reportPassed,
  formatVerdictLine,
  formatConsoleReport,
  formatJsonReport,
  formatJUnitReport,
  formatHtmlReport,
  type Verdict,
  type CaseResult,
  type ClientOutcome,
  type ConformReport,
  type ReportPassedOptions,
} from './conform/report.js';
export { compareDecodedOutput, decodedOutputLines, parseDictPath, parseJsonLine, formatMismatch, type OutputMismatch } from './conform/compare.js';
export { startControlServer, type ControlServer, type ControlServerOptions } from './control-server.js';
export type { FuzzOptions, FuzzResult, FuzzOutcome, FuzzRunInfo, FuzzCounterexample, PlayableFuzzScenario } from './fuzz/run-fuzz.js';
