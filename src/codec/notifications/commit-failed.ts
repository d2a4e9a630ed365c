/**
 * Commit failed — bit 256 — PROTOCOL.md §11.8 [V57]: `{256, Provider, Db, …}`; the provider is
 * the `event`: 2 NETCONF `{256, 2, Db, Ip, Port}`, 3 external `{256, 3, Db, DaemonName}`,
 * 1/4/5 `{256, P, Db}` (econfd 5.7.1 crashes on those, so a real server probably never sends them [INF]).
 */
import { tuple, type Term } from '../term.js';
import { enumMember, enumValue, intIn, onlyKeys, pickAlias, PORT, text, record } from './input.js';
import { ipFromTerm, ipPythonKeys, ipToTerm, normalizeIp } from './ip.js';
import { at, badTerm, bitTerm, intTerm, readInt, readText, textTerm, type PythonDict } from './layout.js';
import {
  COMMIT_FAILED_PROVIDERS,
  DATASTORES,
  NOTIF,
  type CommitFailedInput,
  type CommitFailedNotification,
} from './notification.js';

/** The tuple of the notification's provider. */
export function commitFailedToTerm(n: CommitFailedNotification): Term {
  const head = [bitTerm(NOTIF.COMMIT_FAILED), intTerm(n.event), intTerm(n.dbname)];
  switch (n.event) {
    case 2:
      return tuple(...head, ipToTerm(n.addr, 'addr'), intTerm(n.port));
    case 3:
      return tuple(...head, textTerm(n.daemon_name));
    default:
      return tuple(...head);
  }
}

/** Reads by provider (arity 5, 4 or 3). @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function commitFailedFromTerm(e: readonly Term[]): CommitFailedNotification {
  const event = readInt(at(e, 1, 'event'), 'event');
  const dbname = readInt(at(e, 2, 'dbname'), 'dbname');
  const arity = event === 2 ? 5 : event === 3 ? 4 : 3;
  if (event < 1 || event > 5) throw badTerm('event', `unknown data provider ${event} (expected 1..5)`);
  if (e.length !== arity) throw badTerm('event', `provider ${event} needs a ${arity}-tuple, got a ${e.length}-tuple`);
  switch (event) {
    case 2:
      return { type: 'commit-failed', event, dbname, addr: ipFromTerm(at(e, 3, 'addr'), 'addr'), port: readInt(at(e, 4, 'port'), 'port') };
    case 3:
      return { type: 'commit-failed', event, dbname, daemon_name: readText(at(e, 3, 'daemon_name'), 'daemon_name') };
    default:
      return { type: 'commit-failed', event: event as 1 | 4 | 5, dbname };
  }
}

/**
 * Defaults: `event` (alias `provider`) netconf, `dbname` (alias `db`) running, `addr` 127.0.0.1,
 * `port` 830, `daemon_name` 'daemon'.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeCommitFailed(input: CommitFailedInput): CommitFailedNotification {
  const r = record(input, '');
  const event = enumMember(COMMIT_FAILED_PROVIDERS, pickAlias(r, '', 'event', 'provider') ?? 'netconf', 'event', [1, 2, 3, 4, 5] as const);
  const extra = event === 2 ? ['addr', 'port'] : event === 3 ? ['daemon_name'] : [];
  onlyKeys(r, '', ['type', 'event', 'provider', 'dbname', 'db', ...extra]);
  const dbname = enumValue(DATASTORES, pickAlias(r, '', 'dbname', 'db') ?? 'running', 'dbname');
  switch (event) {
    case 2:
      return {
        type: 'commit-failed',
        event,
        dbname,
        addr: normalizeIp(input.addr ?? '127.0.0.1', 'addr'),
        port: intIn(input.port ?? 830, 'port', PORT),
      };
    case 3:
      return { type: 'commit-failed', event, dbname, daemon_name: text(input.daemon_name ?? 'daemon', 'daemon_name') };
    default:
      return { type: 'commit-failed', event, dbname };
  }
}

/** Python `cfail`: `provider`, `dbname`, and `port` + `af` + `ip4`/`ip6` or `daemon_name`. */
export function commitFailedPython(n: CommitFailedNotification): PythonDict {
  const extra: PythonDict =
    n.event === 2 ? { port: n.port, ...ipPythonKeys(n.addr) } : n.event === 3 ? { daemon_name: n.daemon_name } : {};
  return { type: NOTIF.COMMIT_FAILED, cfail: { provider: n.event, dbname: n.dbname, ...extra } };
}
