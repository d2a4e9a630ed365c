/**
 * Call home info — bit 33554432 — PROTOCOL.md §11.17 [V57 C and Java]:
 * `{33554432, Type, Ip, Port, HostKey, KeyAlg [, Device]}`. Only types 1 and 2 exist in NSO 5.7.1
 * and 6.2.5 (NSO62.md §B); event 3 (device-disconnected) is NSO 6.6 only [INF, medium], so only the
 * nso66 profile emits it (a 6.2.5 client reads it as type 3 and drops the device, NSO62.md §D).
 */
import { tuple, type Term } from '../term.js';
import { enumValue, intIn, onlyKeys, optText, PORT, text, record } from './input.js';
import { ipFromTerm, ipPythonKeys, ipToTerm, normalizeIp } from './ip.js';
import { at, bitTerm, intTerm, readInt, readText, textTerm, type PythonDict } from './layout.js';
import { CALL_HOME_EVENTS, NOTIF, type CallHomeInfoInput, type CallHomeInfoNotification, type Profile } from './notification.js';

/** The 7-tuple with a device, else the 6-tuple. */
export function callHomeInfoToTerm(n: CallHomeInfoNotification): Term {
  const head = [bitTerm(NOTIF.CALL_HOME_INFO), intTerm(n.event), ipToTerm(n.addr, 'addr'), intTerm(n.port), textTerm(n.ssh_host_key), textTerm(n.ssh_key_alg)];
  return n.device === undefined ? tuple(...head) : tuple(...head, textTerm(n.device));
}

/** Reads arity 6 or 7. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function callHomeInfoFromTerm(e: readonly Term[]): CallHomeInfoNotification {
  const base = {
    type: 'call-home-info' as const,
    event: readInt(at(e, 1, 'event'), 'event'),
    addr: ipFromTerm(at(e, 2, 'addr'), 'addr'),
    port: readInt(at(e, 3, 'port'), 'port'),
    ssh_host_key: readText(at(e, 4, 'ssh_host_key'), 'ssh_host_key'),
    ssh_key_alg: readText(at(e, 5, 'ssh_key_alg'), 'ssh_key_alg'),
  };
  return e.length === 7 ? { ...base, device: readText(at(e, 6, 'device'), 'device') } : base;
}

/**
 * Defaults: `event` device-connected, `addr` 127.0.0.1, `port` 4334, `ssh_host_key` '',
 * `ssh_key_alg` ssh-ed25519, no device.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeCallHomeInfo(input: CallHomeInfoInput): CallHomeInfoNotification {
  onlyKeys(record(input, ''), '', ['type', 'event', 'addr', 'port', 'ssh_host_key', 'ssh_key_alg', 'device']);
  const device = optText(input.device, 'device');
  return {
    type: 'call-home-info',
    event: enumValue(CALL_HOME_EVENTS, input.event ?? 'device-connected', 'event'),
    addr: normalizeIp(input.addr ?? '127.0.0.1', 'addr'),
    port: intIn(input.port ?? 4334, 'port', PORT),
    ssh_host_key: text(input.ssh_host_key ?? '', 'ssh_host_key'),
    ssh_key_alg: text(input.ssh_key_alg ?? 'ssh-ed25519', 'ssh_key_alg'),
    ...(device === undefined ? {} : { device }),
  };
}

/** Python `call_home`; `device` for event 1 (and 3 under `nso66`, inferred) when present. */
export function callHomeInfoPython(n: CallHomeInfoNotification, profile: Profile): PythonDict {
  const showDevice = n.device !== undefined && (n.event === 1 || (n.event === 3 && profile === 'nso66'));
  return {
    type: NOTIF.CALL_HOME_INFO,
    call_home: {
      type: n.event,
      ...(showDevice ? { device: n.device ?? '' } : {}),
      ...ipPythonKeys(n.addr),
      port: n.port,
      ssh_host_key: n.ssh_host_key,
      ssh_key_alg: n.ssh_key_alg,
    },
  };
}
