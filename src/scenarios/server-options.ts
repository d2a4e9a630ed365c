/**
 * The server options a scenario asks for (`profile` and the server half of `options:`), in the
 * form `createMockServer` takes. The harness and the CLI both start from these, then let their own
 * explicit options win; one function, so a new scenario option cannot reach one and not the other.
 */
import type { MockServerOptions } from '../server/index.js';
import type { Scenario } from './scenario.js';

/**
 * @example
 *   scenarioServerOptions(await parseScenario('name: x\noptions: { input-stall-timeout: 2s }\nsteps: []\n'))
 *   // { profile: 'auto', inputStallTimeoutMs: 2000 }
 */
export function scenarioServerOptions(scenario: Scenario): MockServerOptions {
  const o = scenario.options;
  return {
    profile: scenario.profile,
    ...(o.strict === undefined ? {} : { strict: o.strict }),
    ...(o.eventReplyTimeoutMs === undefined ? {} : { eventReplyTimeoutMs: o.eventReplyTimeoutMs }),
    ...(o.writeStallTimeoutMs === undefined ? {} : { writeStallTimeoutMs: o.writeStallTimeoutMs }),
    ...(o.inputStallTimeoutMs === undefined ? {} : { inputStallTimeoutMs: o.inputStallTimeoutMs }),
    ...(o.maxFrameBytes === undefined ? {} : { maxFrameBytes: o.maxFrameBytes }),
    ...(o.maxSubscribeFrameBytes === undefined ? {} : { maxSubscribeFrameBytes: o.maxSubscribeFrameBytes }),
    ...(o.maxDecodedBytes === undefined ? {} : { maxDecodedBytes: o.maxDecodedBytes }),
    ...(o.maxSubscribeDecodedBytes === undefined ? {} : { maxSubscribeDecodedBytes: o.maxSubscribeDecodedBytes }),
    ...(o.journalMaxBytes === undefined ? {} : { journalMaxBytes: o.journalMaxBytes }),
  };
}
