/**
 * The NSO 6.2.5 Python binding's objects, as `notifications_nso62.jsonl` renders them (vectors
 * README, "python_dict_nso62 conventions"; NSO62.md §C). The per-type renderers build the dict
 * with the shared object forms (`UserInfo`, `TransCtxRef`, `Value`, `SnmpVarbind`, ...); this
 * module rewrites those objects the way the real 6.2.5 `_ncs` objects look:
 *
 * - `UserInfo` also has `actx_thandle` (0 for notifications).
 * - `TransCtxRef` has `fd th secondary_index username context uinfo traversal_id`; its `fd` is
 *   uninitialised memory in the library, rendered `{"$varies": "int"}` as in the vectors.
 * - `SnmpVarbind` exposes only `type` (the variable and the value cannot be read from Python).
 * - `Value` is `{confd_type, str, pyval}`: `str(v)` and `v.as_pyval()`. The element markers of a
 *   tag-value (C_XMLTAG, C_XMLBEGIN, C_XMLEND) print as `tag<Tag>` with the pyval `(Tag, Ns)`.
 *   `str` is verified for the C types the vectors hold (C_BUF, C_INT16, C_UINT32, C_DOUBLE,
 *   C_IPV4, C_BOOL, C_DATETIME, C_LIST, the markers); for the others it is the natural text.
 */
import type { PythonDict, PythonValue } from './layout.js';

/** The `$varies` placeholder of a value that differs between runs of the real library. */
const VARIES_INT: PythonDict = Object.freeze({ $varies: 'int' });

/** C types whose Value is an element marker of a tag-value list (§9.5). */
const TAG_MARKERS: ReadonlySet<number> = new Set([2, 32, 33]);

function isDict(v: PythonValue | undefined): v is PythonDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function userInfo62(u: PythonDict): PythonDict {
  return { ...u, actx_thandle: 0 };
}

function transCtx62(t: PythonDict): PythonDict {
  const uinfo = isDict(t['uinfo']) ? userInfo62(t['uinfo']) : {};
  return {
    $type: 'TransCtxRef',
    fd: VARIES_INT,
    th: t['th'] ?? 0,
    secondary_index: 0,
    username: uinfo['username'] ?? '',
    context: uinfo['context'] ?? '',
    uinfo,
    traversal_id: 0,
  };
}

interface TagContext {
  readonly ns: PythonValue;
  readonly tag: PythonValue;
}

/** `str(v)` of a `Value` whose natural value is `value`. */
function valueText(confdType: number, value: PythonValue | undefined): string {
  if (value === undefined || value === null) return '';
  switch (confdType) {
    case 14:
      // C_DOUBLE: the library prints it with %f
      return typeof value === 'number' ? value.toFixed(6) : String(value);
    case 17:
      return value === true ? 'true' : 'false';
    default:
      if (Array.isArray(value)) return value.join('.');
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function value62(v: PythonDict, tag: TagContext | undefined): PythonDict {
  const confdType = typeof v['confd_type'] === 'number' ? v['confd_type'] : 0;
  if (TAG_MARKERS.has(confdType) && tag !== undefined) {
    return { $type: 'Value', confd_type: confdType, str: `tag<${String(tag.tag)}>`, pyval: { $tuple: [tag.tag, tag.ns] } };
  }
  const raw = v['value'];
  if (confdType === 31 && Array.isArray(raw)) {
    // C_LIST: str joins the elements' texts with a space; pyval is the list of their pyvals
    const items = (raw as readonly PythonValue[]).map((x) => (isDict(x) ? value62(x, undefined) : { str: valueText(0, x), pyval: x }));
    return { $type: 'Value', confd_type: 31, str: items.map((x) => String(x['str'])).join(' '), pyval: items.map((x) => x['pyval'] ?? null) };
  }
  return { $type: 'Value', confd_type: confdType, str: valueText(confdType, raw), pyval: raw ?? null };
}

function rewrite(v: PythonValue, tag: TagContext | undefined): PythonValue {
  if (Array.isArray(v)) return (v as readonly PythonValue[]).map((x) => rewrite(x, tag));
  if (!isDict(v)) return v;
  switch (v['$type']) {
    case 'UserInfo':
      return userInfo62(v);
    case 'TransCtxRef':
      return transCtx62(v);
    case 'SnmpVarbind':
      return { $type: 'SnmpVarbind', type: v['type'] ?? 0 };
    case 'Value':
      return value62(v, tag);
    case 'TagValue': {
      const ctx = { ns: v['ns'] ?? null, tag: v['tag'] ?? null };
      return { ...v, v: isDict(v['v']) ? value62(v['v'], ctx) : v['v'] ?? null };
    }
    default: {
      const out: Record<string, PythonValue> = {};
      for (const [k, x] of Object.entries(v)) out[k] = rewrite(x, tag);
      return out;
    }
  }
}

/**
 * A dict in the shared object forms → the NSO 6.2.5 binding's objects (see the module comment).
 * @example toNso62Objects({ uinfo: { $type: 'UserInfo', usid: 1 } }) // { uinfo: { $type: 'UserInfo', usid: 1, actx_thandle: 0 } }
 */
export function toNso62Objects(dict: PythonDict): PythonDict {
  return rewrite(dict, undefined) as PythonDict;
}
