// The public surface of the server (scenarios and harness import only this). Explicit list.
export {
  createMockServer,
  describeClosed,
  type MockServer,
  type MockServerOptions,
  type MockServerEvents,
  type BoundAddresses,
  type ConnectionInfo,
  type SubscriberInfo,
  type SubscriberId,
  type AckEvent,
  type ClosedEvent,
  type DeliveredEvent,
  type NotSentEvent,
  type EmitOptions,
  type Delivery,
  type SkippedRecipient,
  type ConnectionControl,
  type MockStreams,
  type ClientHandler,
} from './mock-server.js';
export type { AckOutcome, MissingAck, AckMissReason, PendingAck } from './ack-tracker.js';
export { ackScope } from './ack-tracker.js';
export { realClock, ManualClock, type Clock, type ClockTimer, type ManualClockOptions } from './clock.js';
export type { Transport, ConnectionFaults, ClientChannel } from './connection.js';
export {
  DEFAULT_JOURNAL_MAX_BYTES,
  Journal,
  JOURNAL_PREVIEW_CHARS,
  JOURNAL_RAW_BYTES,
  JOURNAL_TERM_BYTES,
  type JournalEntry,
  type JournalEntryKind,
  type JournalOptions,
  type JournalRecord,
  type JournalStats,
} from './journal.js';
export { removeStaleSocket } from './listener.js';
export type { CloseReason, SessionPhase } from './session-state.js';
export { dateTimeToMillis, planReplay, type ReplayPlan, type StreamEvent, type StreamHistoryEvent, type StreamInfo, type StreamOptions } from './streams.js';
export { BIT, deliversTo, outerBitFor, checkAckAgainstMask, type AckMaskCheck } from './subscriptions.js';
export { VIOLATION_CODES, violationCodes, formatViolation, type Violation, type ViolationCode } from './violations.js';
export { compileXPathFilter, DEFAULT_XPATH_FILTER_LIMITS, type FilterElement, type XPathErrorDetails, type XPathFilter, type XPathFilterLimits } from './xpath-filter.js';
export { eventTree, valueText, type TagNames } from './event-tree.js';
