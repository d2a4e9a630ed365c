/**
 * MAAPI op codes and error codes (MAAPI.md §M7, §M1.3). The codes are those of
 * `econfd_maapi_proto.hrl` / `confd_lib.h`; the names are the C macros without `MAAPI_`.
 */
import type { ChangeOp } from '../schema/index.js';

/** An op of the subset the mock serves, with whether its request carries a transaction handle (§M1.2). */
export interface OpSpec {
  readonly code: number;
  /** The C macro, e.g. `MAAPI_ATTACH`. */
  readonly name: string;
  /** Short kebab-case name for journals, reports and scenario expectations (`attach`, `diff-iterate`). */
  readonly short: string;
  /** The request carries `TH:32` after the op (§M1.2, §M7). */
  readonly th: boolean;
}

function op(code: number, name: string, short: string, th: boolean): OpSpec {
  return { code, name: `MAAPI_${name}`, short, th };
}

/** The subset (§M7), by code. */
export const MAAPI_OPS: ReadonlyMap<number, OpSpec> = new Map(
  [
    op(100, 'START_USER_SESSION', 'start-user-session', false),
    op(101, 'END_USER_SESSION', 'end-user-session', false),
    op(105, 'GET_MY_USER_SESSION', 'get-my-user-session', false),
    op(164, 'EXISTS', 'exists', true),
    op(165, 'NUM_INSTANCES', 'num-instances', true),
    op(166, 'GET_ELEM', 'get-elem', true),
    op(169, 'GET_NEXT', 'get-next', true),
    op(176, 'GET_OBJECT', 'get-object', true),
    op(183, 'DIFF_ITER', 'diff-iterate', true),
    op(194, 'GET_VALUES', 'get-values', true),
    op(220, 'ATTACH', 'attach', true),
    op(221, 'DETACH', 'detach', true),
    op(231, 'LOAD_HASH_DB', 'load-hash-db', false),
    op(232, 'LOAD_ALL_NS', 'load-all-ns', false),
    op(253, 'LOAD_NS_LIST', 'load-ns-list', false),
    op(262, 'GET_SCHEMA_FILE_PATH', 'get-schema-file-path', false),
    op(264, 'LOAD_MNS_MAPS', 'load-mns-maps', false),
    op(269, 'DESTROY_CURSOR', 'destroy-cursor', true),
  ].map((o) => [o.code, o]),
);

/**
 * Names of ops outside the subset that clients are known to send, so an error reply and the log
 * can name them (`econfd_maapi_proto.hrl`). Others are named `op <code>`.
 */
const OTHER_OP_NAMES: Readonly<Record<number, string>> = {
  102: 'MAAPI_LOCK',
  103: 'MAAPI_UNLOCK',
  140: 'MAAPI_START_TRANS',
  141: 'MAAPI_STOP_TRANS',
  142: 'MAAPI_APPLY_TRANS',
  150: 'MAAPI_SET_ELEM',
  151: 'MAAPI_SET_ELEM2',
  152: 'MAAPI_CREATE',
  153: 'MAAPI_DELETE',
  184: 'MAAPI_DIFF_IKP_ITER',
  193: 'MAAPI_GET_OBJECTS',
  197: 'MAAPI_FIND_NEXT',
};

/** `MAAPI_ATTACH`, or `op 999` for a code nobody named. */
export function opName(code: number): string {
  return MAAPI_OPS.get(code)?.name ?? OTHER_OP_NAMES[code] ?? `op ${code}`;
}

/** `CONFD_ERR_*` codes the mock replies with (§M1.3). */
export const MAAPI_ERR = {
  NOEXISTS: 1,
  BADPATH: 8,
  BADSTATE: 17,
  PROTOUSAGE: 21,
  NOSESSION: 22,
  NOTRANS: 61,
} as const;

/** The error flag of a reply's op word (§M1.3). */
export const ERROR_FLAG = 0x80000000;

/** Iterator answers inside diff_iterate (§M4.2, `confd_lib.h` `ITER_*`). */
export const ITER = { STOP: 1, RECURSE: 2, CONTINUE: 3, SUSPEND: 4, UP: 5 } as const;

/** `MOP_*` of diff items (§M4.3), by the scenario's names (the schema layer's `CHANGE_OPS`). */
export const MOP: Readonly<Record<ChangeOp, number>> = {
  created: 1,
  deleted: 2,
  modified: 3,
  'value-set': 4,
  'moved-after': 5,
  'attr-set': 6,
};
