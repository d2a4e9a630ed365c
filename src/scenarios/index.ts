// The public surface of the scenarios layer (harness and CLI import only this). Explicit list.
// schema.ts (TypeBox) is deliberately not here: it only builds scenario.schema.json, and loading
// TypeBox costs ~60 ms of startup the CLI does not need.
export {
  STEP_KINDS,
  FAULT_KINDS,
  MASK_FLAG_NAMES,
  SCENARIO_SCHEMA_ID,
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_AWAIT_SUBSCRIBERS_MS,
  DEFAULT_NO_ACK_MS,
  DEFAULT_EXPECT_VIOLATION_MS,
  type StepKind,
  type FaultKind,
  type MaskFlagName,
  type MaskName,
  type DurationInput,
  type DateTimeDocument,
  type SubscriberSelector,
  type AwaitSubscribersBody,
  type EmitStepOptions,
  type EmitBody,
  type EmitRawBody,
  type AckKeyFields,
  type ExpectAckBody,
  type ExpectNoAckBody,
  type RepeatBody,
  type StreamEventDocument,
  type StreamBody,
  type FuzzBody,
  type FaultBody,
  type ExpectViolationBody,
  type TimerControl,
  type StepDocument,
  type ScenarioDefaults,
  type ScenarioOptionsDocument,
  type ScenarioDocument,
  type SourceLocation,
  type AckMatcher,
  type CompiledSelector,
  type CompiledStreamEvent,
  type FaultSpec,
  type Step,
  type ScenarioOptions,
  type Scenario,
} from './scenario.js';
export { loadScenario, parseScenario, scenarioFromDocument, type LoadScenarioOptions } from './load.js';
export { ScenarioError, scenarioError, formatProblem, type ScenarioProblem, type ScenarioErrorDetails } from './errors.js';
export { checkScenarioDocument, closest, type SchemaProblem } from './validate.js';
export { scenarioJsonSchema } from './shipped-schema.js';
export { checkScenarioBody, MAX_SCENARIO_DEPTH, MAX_SCENARIO_BYTES, type ScenarioBodyProblem } from './body-limits.js';
export { scenarioServerOptions } from './server-options.js';
export { parseDuration, formatDuration, DURATION_PATTERN, MAX_DURATION_MS } from './duration.js';
export { sleep, waitUntil, type Clock, type ClockTimer, type WaitResult } from './clock.js';
export { playScenario, assertRunPassed, deriveSeed, describeSubscribed, type PlayScenarioOptions, type RunLogEvent } from './scheduler.js';
export type {
  RunReport,
  NotSentRecord,
  StepReport,
  StepStatus,
  ConnectionReport,
  AckRecord,
  ViolationRecord,
  PendingAckRecord,
  MaapiCallRecord,
} from './report.js';
export type { ScenarioTarget, TargetSubscriber, TargetEvents, TargetDelivery } from './target.js';
export {
  scenarioExtensions,
  extensionStepKinds,
  extensionOfStep,
  type ScenarioExtension,
  type ExtensionStepKind,
  type ExtensionStepContext,
  type ExtensionProblem,
  type ExtensionStepRef,
  type ExtensionStepProblem,
} from './steps/extensions.js';
export {
  MAAPI_SCHEMA_KEY,
  MAAPI_SERVICE_KEY,
  maapiOpsSeen,
  scenarioSchemaFiles,
  type ScenarioMaapi,
  type ScenarioMaapiCall,
  type ExpectMaapiBody,
} from './steps/maapi.js';
export type { StepTransaction, TransactionChangeDocument } from './scenario.js';
