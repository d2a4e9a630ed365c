import fc from 'fast-check';
import type { StreamEventNotification } from '../../codec/index.js';
import { dateTimeArb, resolve, tagValuesArb, textArb, type NotificationConstraints } from './shared.js';

/** Constraints of {@link streamEventNotification}. */
export interface StreamEventConstraints extends NotificationConstraints {
  /** Also generate econfd's atom-tag form (UseIKP = 1, §9.5), which C/Python never receive (default false). */
  readonly withIkpTags?: boolean;
}

/** Stream events: notifications with tag-values, the two completion markers, replay failed (PROTOCOL.md §11.15). */
export function streamEventNotification(constraints?: StreamEventConstraints): fc.Arbitrary<StreamEventNotification> {
  const c = resolve(constraints);
  const T = 'stream-event' as const;
  const values = constraints?.withIkpTags === true ? fc.oneof(tagValuesArb(c), tagValuesArb(c, true)) : tagValuesArb(c);
  return fc.oneof(
    { arbitrary: fc.record({ type: fc.constant(T), event: fc.constant(1 as const), event_time: dateTimeArb(), values }), weight: 4 },
    { arbitrary: fc.constantFrom(2 as const, 3 as const).map((event): StreamEventNotification => ({ type: T, event })), weight: 1 },
    { arbitrary: textArb(c).map((error): StreamEventNotification => ({ type: T, event: 4, error })), weight: 1 },
  );
}
