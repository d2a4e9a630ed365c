import fc from 'fast-check';
import type { SubagentInfoNotification } from '../../codec/index.js';
import { resolve, textArb, type NotificationConstraints } from './shared.js';

/** Subagent-info notifications (PROTOCOL.md §11.7). */
export function subagentInfoNotification(constraints?: NotificationConstraints): fc.Arbitrary<SubagentInfoNotification> {
  const c = resolve(constraints);
  return fc.record({ type: fc.constant('subagent-info' as const), event: fc.integer({ min: 1, max: 2 }), name: textArb(c) });
}
