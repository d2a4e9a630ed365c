// The public surface of the arbitraries (`nso-mock/arbitraries`). Explicit list: nothing is exported by accident.
// Every arbitrary here passes the shared contract of contract.ts (test/arbitraries/contract.test.ts).
export {
  termArbitrary,
  sendableTermArbitrary,
  integerTermArbitrary,
  atomTermArbitrary,
  type TermConstraints,
} from './term.js';
// The notification family's explicit list is notifications/index.ts (one arbitrary per type plus
// `notificationArbitrary`/`anyNotificationArbitrary`); repeating its 21 names here only let the two drift.
export * from './notifications/index.js';
export {
  MALFORMED_KINDS,
  NON_TAG_BYTES,
  SAMPLE_TERMS,
  truncatedTerm,
  truncatedFrame,
  wrongTag,
  badVersion,
  oversizeLength,
  zeroLength,
  oversizeInnerLength,
  trailingBytes,
  badConnectHeader,
  malformedFrame,
  malformedBytes,
  rechunk,
  reorderedProgressEvents,
  validFrames,
  type MalformedKind,
  type MalformedViolation,
  type MalformedBytes,
  type MalformedConstraints,
  type RechunkConstraints,
  type ProgressEventInput,
  type ReorderedProgress,
  type ReorderedProgressConstraints,
} from './malformed.js';
export {
  scenarioArbitrary,
  clientFuzzScenarioArbitrary,
  isPlainData,
  isCStringSafe,
  CLIENT_FUZZ_EXCLUDED_TYPES,
  type GeneratedScenario,
  type GeneratedStep,
  type GeneratedFault,
  type GeneratedAckKey,
  type GeneratedMaskName,
  type GeneratedDuration,
  type ScenarioConstraints,
  type ClientFuzzConstraints,
  type ClientFuzzScenario,
} from './scenario.js';
export {
  assertArbitraryContract,
  ArbitraryContractError,
  type ArbitraryContract,
  type ContractOptions,
  type ContractReport,
} from './contract.js';
