/**
 * Forward info — bit 1024 — PROTOCOL.md §11.10 [V57 wire]: `{1024, FwdType, Target, UInfo}`.
 */
import { tuple, type Term } from '../term.js';
import { enumValue, onlyKeys, text, type NormalizeContext, record } from './input.js';
import { at, bitTerm, intTerm, readInt, readText, textTerm, type PythonDict } from './layout.js';
import { FORWARD_EVENTS, NOTIF, type ForwardInfoInput, type ForwardInfoNotification } from './notification.js';
import { userInfoFromTerm, userInfoOrDefault, userInfoPython, userInfoToTerm } from './uinfo.js';

/** `{1024, FwdType, Target, UInfo}`. */
export function forwardInfoToTerm(n: ForwardInfoNotification): Term {
  return tuple(bitTerm(NOTIF.FORWARD_INFO), intTerm(n.event), textTerm(n.target), userInfoToTerm(n.uinfo));
}

/** Reads the 4-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function forwardInfoFromTerm(e: readonly Term[]): ForwardInfoNotification {
  return {
    type: 'forward-info',
    event: readInt(at(e, 1, 'event'), 'event'),
    target: readText(at(e, 2, 'target'), 'target'),
    uinfo: userInfoFromTerm(at(e, 3, 'uinfo')),
  };
}

/** Defaults: `event` up, `target` 'target', default uinfo. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeForwardInfo(input: ForwardInfoInput, ctx: NormalizeContext): ForwardInfoNotification {
  onlyKeys(record(input, ''), '', ['type', 'event', 'target', 'uinfo']);
  return {
    type: 'forward-info',
    event: enumValue(FORWARD_EVENTS, input.event ?? 'up', 'event'),
    target: text(input.target ?? 'target', 'target'),
    uinfo: userInfoOrDefault(input.uinfo, ctx.uinfo),
  };
}

/**
 * Python `forward` as the binding really builds it: the target text lands in key `type`
 * (overwriting the integer) and there is no `target` key (§11.10, the vectors' `python_dict`).
 */
export function forwardInfoPython(n: ForwardInfoNotification): PythonDict {
  return { type: NOTIF.FORWARD_INFO, forward: { type: n.target, uinfo: userInfoPython(n.uinfo) } };
}
