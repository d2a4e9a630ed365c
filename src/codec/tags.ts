/**
 * Tag bytes of the Erlang external term format (erl_ext_dist), as used by PROTOCOL.md §6.1.
 * `as const` objects rather than `const enum`, so they survive `isolatedModules` and can be
 * iterated (the decoder's error messages name tags by looking them up here).
 */
export const VERSION_MAGIC = 131 as const;

export const Tag = {
  NEW_FLOAT_EXT: 70,
  BIT_BINARY_EXT: 77,
  COMPRESSED: 80,
  LOCAL_EXT: 121,
  NEW_PID_EXT: 88,
  NEW_PORT_EXT: 89,
  NEWER_REFERENCE_EXT: 90,
  SMALL_INTEGER_EXT: 97,
  INTEGER_EXT: 98,
  FLOAT_EXT: 99,
  ATOM_EXT: 100,
  REFERENCE_EXT: 101,
  PORT_EXT: 102,
  PID_EXT: 103,
  SMALL_TUPLE_EXT: 104,
  LARGE_TUPLE_EXT: 105,
  NIL_EXT: 106,
  STRING_EXT: 107,
  LIST_EXT: 108,
  BINARY_EXT: 109,
  SMALL_BIG_EXT: 110,
  LARGE_BIG_EXT: 111,
  NEW_FUN_EXT: 112,
  EXPORT_EXT: 113,
  NEW_REFERENCE_EXT: 114,
  SMALL_ATOM_EXT: 115,
  MAP_EXT: 116,
  FUN_EXT: 117,
  ATOM_UTF8_EXT: 118,
  SMALL_ATOM_UTF8_EXT: 119,
  V4_PORT_EXT: 120,
} as const;

export type TagName = keyof typeof Tag;

const tagNames: ReadonlyMap<number, TagName> = new Map(
  (Object.entries(Tag) as [TagName, number][]).map(([name, value]) => [value, name]),
);

/** The erl_ext_dist name of a tag byte, for error messages; `undefined` for bytes that are no tag. */
export function tagName(tag: number): TagName | undefined {
  return tagNames.get(tag);
}
