/**
 * What the scenario player needs from a server: the narrow slice of `MockServer` it drives. The
 * real server satisfies it structurally (`const target: ScenarioTarget = createMockServer()`
 * compiles; see test/scenarios/target.test.ts), and scheduler tests use a small fake.
 */
import type { Notification } from '../codec/index.js';
import type {
  AckEvent,
  ClosedEvent,
  ConnectionFaults,
  DeliveredEvent,
  Delivery,
  NotSentEvent,
  EmitOptions,
  MockStreams,
  Violation,
} from '../server/index.js';

/** The part of a subscriber the player reads. */
export interface TargetSubscriber {
  readonly id: number;
  readonly subscription: { readonly mask: number };
  /** Its layout profile and how it was chosen (for the log). */
  readonly profile?: string;
  readonly profileChoice?: { readonly basis: string; readonly note?: string };
  readonly header?: { readonly protocolVersion: number } | undefined;
}

/** The server events the player listens to (the server's payloads are subtypes of these). */
export interface TargetEvents {
  subscribed: [subscriber: TargetSubscriber];
  ack: [event: AckEvent];
  violation: [violation: Violation];
  delivered: [event: DeliveredEvent];
  closed: [event: ClosedEvent];
  /** A subscriber whose profile lacks the type (or for which encoding failed) was not sent it. */
  'not-sent': [event: NotSentEvent];
}

/** The handle of one emission the player reads. */
export type TargetDelivery = Pick<Delivery, 'id' | 'notification' | 'queued' | 'recipients' | 'sent' | 'acked'>;

/** A server the scenario player can drive. */
export interface ScenarioTarget {
  /** Every violation so far, oldest first. */
  readonly violations: readonly Violation[];
  /** Sends a (normalised) notification to its subscribers. */
  emit(notification: Notification, options?: EmitOptions): TargetDelivery;
  /** Subscribed connections, in subscription order. */
  subscribers(): readonly TargetSubscriber[];
  /**
   * How many subscribers have every bit of `mask`, without building the list (the mock server's is
   * incremental). Optional: without it `await-subscribers` counts {@link subscribers}.
   */
  subscriberCount?(mask: number): number;
  /** Fault injection on one connection. */
  connection(id: number): ConnectionFaults;
  /** Pauses or resumes heartbeats and health checks of every subscriber (PROTOCOL.md §13). */
  hang(hung: boolean): void;
  readonly streams: Pick<MockStreams, 'define' | 'publish'>;
  on<K extends keyof TargetEvents>(event: K, listener: (...args: TargetEvents[K]) => void): unknown;
  off<K extends keyof TargetEvents>(event: K, listener: (...args: TargetEvents[K]) => void): unknown;
}
