/**
 * Type-level tests of the public harness and arbitraries API (`tsc --noEmit` checks them; vitest
 * runs them as ordinary tests, where `expectTypeOf` is a no-op). The suite includes `*.test.ts`
 * only, hence the name (STYLE.md asks for `test/types/*.test-d.ts`).
 */
import type fc from 'fast-check';
import { describe, expectTypeOf, it } from 'vitest';
import {
  clientFuzzScenarioArbitrary,
  notificationArbitrary,
  scenarioArbitrary,
  type ClientFuzzScenario,
  type GeneratedScenario,
  type MalformedBytes,
} from '../../src/arbitraries/index.js';
import type { Delivery, JournalEntry, SubscriberInfo, Violation } from '../../src/server/index.js';
import type { CommitDiffNotification, NsoMockErrorCode, Profile, ProfileSetting } from '../../src/codec/index.js';
import {
  HarnessError,
  startNsoMock,
  type EmitHandle,
  type EmitResult,
  type HarnessErrorCode,
  type RecordedAck,
  type RunningNsoMock,
  type UnexpectedFrame,
  type UnexpectedFramePolicy,
} from '../../src/harness/index.js';
import type { RunReport, ScenarioDocument } from '../../src/scenarios/index.js';

describe('profile types', () => {
  it('a profile is nso57, nso62 or nso66; settings add auto and the deprecated nso6x; a subscriber has a resolved one', () => {
    expectTypeOf<Profile>().toEqualTypeOf<'nso57' | 'nso62' | 'nso66'>();
    expectTypeOf<ProfileSetting>().toEqualTypeOf<'auto' | 'nso57' | 'nso62' | 'nso66' | 'nso6x'>();
    expectTypeOf<SubscriberInfo['profile']>().toEqualTypeOf<Profile>();
    expectTypeOf<RunReport['profile']>().toEqualTypeOf<Profile | 'auto'>();
    expectTypeOf<Parameters<typeof startNsoMock>[0]>().toMatchTypeOf<{ profile?: ProfileSetting } | undefined>();
  });
});

describe('harness types', () => {
  it('startNsoMock resolves to an async-disposable RunningNsoMock', () => {
    expectTypeOf(startNsoMock).returns.resolves.toEqualTypeOf<RunningNsoMock>();
    expectTypeOf<RunningNsoMock>().toMatchTypeOf<AsyncDisposable>();
    expectTypeOf<RunningNsoMock['close']>().returns.toEqualTypeOf<Promise<void>>();
  });

  it('emit() returns the Delivery at once and a promise-like of the settled result', () => {
    expectTypeOf<EmitHandle>().toMatchTypeOf<Delivery>();
    expectTypeOf<EmitHandle>().toMatchTypeOf<PromiseLike<EmitResult>>();
    expectTypeOf<Awaited<EmitHandle>>().toEqualTypeOf<EmitResult>();
    expectTypeOf<RunningNsoMock['emit']>().returns.toEqualTypeOf<EmitHandle>();
  });

  it('the inspection members are read-only arrays of server records', () => {
    expectTypeOf<RunningNsoMock['subscribers']>().toEqualTypeOf<readonly SubscriberInfo[]>();
    expectTypeOf<RunningNsoMock['journal']>().toEqualTypeOf<readonly JournalEntry[]>();
    expectTypeOf<RunningNsoMock['violations']>().toEqualTypeOf<readonly Violation[]>();
    expectTypeOf<RunningNsoMock['acks']>().toEqualTypeOf<readonly RecordedAck[]>();
    expectTypeOf<RunningNsoMock['play']>().returns.resolves.toEqualTypeOf<RunReport>();
  });

  it('waitFor resolves with the truthy value of the predicate', () => {
    type WaitFor = RunningNsoMock['waitFor'];
    expectTypeOf<ReturnType<typeof waitForNumber>>().toEqualTypeOf<Promise<number>>();
    function waitForNumber(w: WaitFor): Promise<number> {
      return w(() => 1 as number | undefined, { within: 10 });
    }
  });

  it('the unexpected-frame policy is one of three names or a callback', () => {
    expectTypeOf<'error'>().toMatchTypeOf<UnexpectedFramePolicy>();
    expectTypeOf<(f: UnexpectedFrame) => void>().toMatchTypeOf<UnexpectedFramePolicy>();
    // @ts-expect-error: not a policy
    const bad: UnexpectedFramePolicy = 'throw';
    void bad;
  });

  it('HarnessError codes are the harness codes plus the failed-handshake code, all registry codes', () => {
    expectTypeOf<HarnessErrorCode>().toMatchTypeOf<NsoMockErrorCode>();
    expectTypeOf<'NSOMOCK_HARNESS_PENDING_ACKS'>().toMatchTypeOf<HarnessErrorCode>();
    expectTypeOf<'NSOMOCK_SERVER_ACK_FAILED'>().toMatchTypeOf<HarnessErrorCode>();
    expectTypeOf<'NSOMOCK_CODEC_TRUNCATED'>().not.toMatchTypeOf<HarnessErrorCode>();
    expectTypeOf<HarnessError['code']>().toEqualTypeOf<HarnessErrorCode>();
  });
});

describe('arbitrary types', () => {
  it('notificationArbitrary is typed by its type name', () => {
    expectTypeOf(notificationArbitrary<'commit-diff'>).returns.toEqualTypeOf<fc.Arbitrary<CommitDiffNotification>>();
  });

  it('generated scenarios are scenario documents', () => {
    expectTypeOf(scenarioArbitrary).returns.toEqualTypeOf<fc.Arbitrary<GeneratedScenario>>();
    expectTypeOf(clientFuzzScenarioArbitrary).returns.toEqualTypeOf<fc.Arbitrary<ClientFuzzScenario>>();
    // The shapes the arbitraries layer may not import stay assignable to the scenarios' own type.
    expectTypeOf<GeneratedScenario>().toMatchTypeOf<ScenarioDocument>();
  });

  it('malformed values announce their codec error codes', () => {
    expectTypeOf<MalformedBytes['expectedCodes']>().toEqualTypeOf<readonly NsoMockErrorCode[]>();
    expectTypeOf<MalformedBytes['bytes']>().toEqualTypeOf<Uint8Array>();
  });
});
