import fc from 'fast-check';
import type { CallHomeInfoNotification } from '../../codec/index.js';
import { ipArb, portArb, resolve, textArb, type NotificationConstraints } from './shared.js';

/** Call-home notifications (PROTOCOL.md §11.17); event 3 (device-disconnected) only for `nso66` (§16, NSO62.md §B: not in 6.2). */
export function callHomeInfoNotification(constraints?: NotificationConstraints): fc.Arbitrary<CallHomeInfoNotification> {
  const c = resolve(constraints);
  return fc
    .record({
      event: fc.integer({ min: 1, max: c.profile === 'nso66' ? 3 : 2 }),
      addr: ipArb(),
      port: portArb,
      ssh_host_key: textArb(c),
      ssh_key_alg: fc.constantFrom('ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256'),
      device: fc.option(textArb(c), { nil: undefined }),
    })
    .map(({ device, ...rest }): CallHomeInfoNotification => ({ type: 'call-home-info', ...rest, ...(device === undefined ? {} : { device }) }));
}
