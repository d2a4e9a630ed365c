/**
 * YANG types → confd value types (`C_*`, PROTOCOL.md §9.4): the built-in types of RFC 7950 §4.2.4,
 * and the typedefs of `ietf-inet-types` / `ietf-yang-types` (RFC 6991) that ConfD/NSO give a value
 * type of their own (an IPv4 address is C_IPV4, not the string its YANG typedef derives from).
 *
 * The table of well-known typedefs is consulted before a loaded module's own text, so a model that
 * imports `ietf-inet-types` works whether or not that module is among the sources, and
 * `inet:ipv4-address` is C_IPV4 either way. Mappings marked [INF] in docs/schemas.md follow
 * confd_types(3) as remembered, not a capture.
 */
import { C_TYPE } from '../codec/index.js';
import type { SchemaLeafType } from './model.js';

/** YANG built-in type names and the value type a read of such a leaf returns. */
export const BUILTIN_CONFD_TYPES: ReadonlyMap<string, number> = new Map([
  ['string', C_TYPE.BUF],
  ['int8', C_TYPE.INT8],
  ['int16', C_TYPE.INT16],
  ['int32', C_TYPE.INT32],
  ['int64', C_TYPE.INT64],
  ['uint8', C_TYPE.UINT8],
  ['uint16', C_TYPE.UINT16],
  ['uint32', C_TYPE.UINT32],
  ['uint64', C_TYPE.UINT64],
  ['boolean', C_TYPE.BOOL],
  ['enumeration', C_TYPE.ENUM_VALUE],
  ['decimal64', C_TYPE.DECIMAL64],
  ['binary', C_TYPE.BINARY],
  ['identityref', C_TYPE.IDENTITYREF],
  // A leaf of type empty exists or not; ConfD reports its value as C_XMLTAG (the `leaf` marker of
  // §9.5 in tag-value lists), the choice documented in docs/schemas.md.
  ['empty', C_TYPE.XMLTAG],
  // bits: C_BIT32 up to position 31; `bitsConfdType` picks C_BIT64 / C_BITBIG for wider sets.
  ['bits', C_TYPE.BIT32],
  ['instance-identifier', C_TYPE.OBJECTREF],
  // union and leafref are placeholders: a union's value has its member's type, a leafref its target's.
  ['union', C_TYPE.BUF],
  ['leafref', C_TYPE.BUF],
]);

/** The value type of a `bits` type whose highest position is `max`. */
export function bitsConfdType(max: number): number {
  return max < 32 ? C_TYPE.BIT32 : max < 64 ? C_TYPE.BIT64 : C_TYPE.BITBIG;
}

function t(base: string, confdType: number, typedef: string): SchemaLeafType {
  return { base, confdType, typedef };
}

function union(typedef: string, ...members: SchemaLeafType[]): SchemaLeafType {
  return { base: 'union', confdType: C_TYPE.BUF, typedef, members };
}

const ipv4 = t('string', C_TYPE.IPV4, 'inet:ipv4-address');
const ipv6 = t('string', C_TYPE.IPV6, 'inet:ipv6-address');
const ipv4nz = t('string', C_TYPE.IPV4, 'inet:ipv4-address-no-zone');
const ipv6nz = t('string', C_TYPE.IPV6, 'inet:ipv6-address-no-zone');
const ipv4p = t('string', C_TYPE.IPV4PREFIX, 'inet:ipv4-prefix');
const ipv6p = t('string', C_TYPE.IPV6PREFIX, 'inet:ipv6-prefix');
const ipAddress = union('inet:ip-address', ipv4, ipv6);
const domainName = t('string', C_TYPE.BUF, 'inet:domain-name');

/** `module name` → typedef name → type, for the typedefs nso-mock knows without their module's text. */
export const WELL_KNOWN_TYPEDEFS: ReadonlyMap<string, ReadonlyMap<string, SchemaLeafType>> = new Map([
  [
    'ietf-inet-types',
    new Map<string, SchemaLeafType>([
      [
        'ip-version',
        {
          base: 'enumeration',
          confdType: C_TYPE.ENUM_VALUE,
          typedef: 'inet:ip-version',
          enums: [
            { name: 'unknown', value: 0 },
            { name: 'ipv4', value: 1 },
            { name: 'ipv6', value: 2 },
          ],
        },
      ],
      ['dscp', t('uint8', C_TYPE.UINT8, 'inet:dscp')],
      ['ipv6-flow-label', t('uint32', C_TYPE.UINT32, 'inet:ipv6-flow-label')],
      ['port-number', t('uint16', C_TYPE.UINT16, 'inet:port-number')],
      ['as-number', t('uint32', C_TYPE.UINT32, 'inet:as-number')],
      ['ip-address', ipAddress],
      ['ipv4-address', ipv4],
      ['ipv6-address', ipv6],
      ['ip-address-no-zone', union('inet:ip-address-no-zone', ipv4nz, ipv6nz)],
      ['ipv4-address-no-zone', ipv4nz],
      ['ipv6-address-no-zone', ipv6nz],
      ['ip-prefix', union('inet:ip-prefix', ipv4p, ipv6p)],
      ['ipv4-prefix', ipv4p],
      ['ipv6-prefix', ipv6p],
      ['domain-name', domainName],
      ['host', union('inet:host', ipv4, ipv6, domainName)],
      ['uri', t('string', C_TYPE.BUF, 'inet:uri')],
      ['email-address', t('string', C_TYPE.BUF, 'inet:email-address')],
    ]),
  ],
  [
    'ietf-yang-types',
    new Map<string, SchemaLeafType>([
      ['counter32', t('uint32', C_TYPE.UINT32, 'yang:counter32')],
      ['zero-based-counter32', t('uint32', C_TYPE.UINT32, 'yang:zero-based-counter32')],
      ['counter64', t('uint64', C_TYPE.UINT64, 'yang:counter64')],
      ['zero-based-counter64', t('uint64', C_TYPE.UINT64, 'yang:zero-based-counter64')],
      ['gauge32', t('uint32', C_TYPE.UINT32, 'yang:gauge32')],
      ['gauge64', t('uint64', C_TYPE.UINT64, 'yang:gauge64')],
      ['object-identifier', t('string', C_TYPE.OID, 'yang:object-identifier')],
      ['object-identifier-128', t('string', C_TYPE.OID, 'yang:object-identifier-128')],
      ['yang-identifier', t('string', C_TYPE.BUF, 'yang:yang-identifier')],
      ['date-and-time', t('string', C_TYPE.DATETIME, 'yang:date-and-time')],
      ['timeticks', t('uint32', C_TYPE.UINT32, 'yang:timeticks')],
      ['timestamp', t('uint32', C_TYPE.UINT32, 'yang:timestamp')],
      ['phys-address', t('string', C_TYPE.BINARY, 'yang:phys-address')],
      ['mac-address', t('string', C_TYPE.BINARY, 'yang:mac-address')],
      ['xpath1.0', t('string', C_TYPE.BUF, 'yang:xpath1.0')],
      ['hex-string', t('string', C_TYPE.HEXSTR, 'yang:hex-string')],
      ['uuid', t('string', C_TYPE.BUF, 'yang:uuid')],
      ['dotted-quad', t('string', C_TYPE.DQUAD, 'yang:dotted-quad')],
    ]),
  ],
]);
