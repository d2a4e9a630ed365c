// The package root (`nso-mock`): the test harness, the scenario API, and the codec's types and
// constants a test needs to write notifications and masks. Explicit list. The arbitraries
// (`nso-mock/arbitraries`), the client (`nso-mock/client`) and the full codec (`nso-mock/codec`)
// have their own entry points.
export * from './harness/index.js';
export {
  loadScenario,
  parseScenario,
  scenarioFromDocument,
  playScenario,
  assertRunPassed,
  scenarioJsonSchema,
  parseDuration,
  formatDuration,
  MAX_DURATION_MS,
  ScenarioError,
  formatProblem,
  type LoadScenarioOptions,
  type PlayScenarioOptions,
  type RunLogEvent,
  type RunReport,
  type StepReport,
  type ConnectionReport,
  type AckRecord,
  type ViolationRecord,
  type PendingAckRecord,
  type Scenario,
  type ScenarioDocument,
  type StepDocument,
  type Step,
  type ScenarioProblem,
  type ScenarioTarget,
} from './scenarios/index.js';
export {
  createMockServer,
  ManualClock,
  realClock,
  type MockServer,
  type MockServerOptions,
  type BoundAddresses,
  type Clock,
  type Delivery,
  type Violation,
  type ViolationCode,
} from './server/index.js';
export {
  NOTIF,
  NOTIFICATION_TYPES,
  NsoMockError,
  CodecError,
  UsageError,
  ERROR_CODES,
  type NsoMockErrorCode,
  type Notification,
  type NotificationInput,
  type NotificationType,
  type Profile,
  type Ack,
} from './codec/index.js';
// MAAPI for event consumers (docs/maapi.md): the server side a mock serves on client type 7.
export {
  createMaapiServer,
  createMaapiWiring,
  type MaapiCall,
  type MaapiServer,
  type MaapiServerOptions,
  type MaapiTransactionInput,
  type MaapiChangeInput,
  type MaapiWiring,
} from './maapi/index.js';
