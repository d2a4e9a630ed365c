/**
 * The XML tree of a stream event, for its subscribers' XPath filters (PROTOCOL.md §14). A tag-value
 * list (§9.5) is XML in document order: `start` (and `delete`) open an element, `stop` closes it,
 * `leaf` (and the ordered-by-user move markers) are empty elements, every other value is a leaf
 * element whose text is the value's canonical text (§9.4).
 *
 * Element names: an atom tag (UseIKP = 1, econfd) is the name itself; a hashed tag (UseIKP = 0, what
 * C, Java and Python clients get) has a name only through the stream's `tagNames` table (hash →
 * local name) — without one it matches only `*` and `node()` in a filter. Namespaces are not
 * kept: a prefix in a filter matches any namespace.
 */
import { Buffer } from 'node:buffer';
import { dateTimeIso, type ConfValue, type TagValue } from '../codec/index.js';
import type { FilterElement } from './xpath-filter.js';

/** Local names of hashed tags: the tag hash as decimal text → the YANG node name. */
export type TagNames = Readonly<Record<string, string>>;

interface MutableElement {
  readonly name: string | undefined;
  children?: MutableElement[];
  value?: string;
}

/**
 * The top-level elements of a tag-value list (normally one: the notification element, §11.15).
 * Never throws: an unbalanced `stop` is ignored, an element left open ends with the list.
 * @example
 *   eventTree([{ ns: 1, tag: 10, v: { confd_type: 32 } }, { ns: 1, tag: 11, v: { confd_type: 5, value: 'eth0' } }, { ns: 1, tag: 10, v: { confd_type: 33 } }], { 10: 'link-up', 11: 'if-name' })
 *   // [{ name: 'link-up', children: [{ name: 'if-name', value: 'eth0' }] }]
 */
export function eventTree(values: readonly TagValue[], tagNames: TagNames = {}): FilterElement[] {
  const roots: MutableElement[] = [];
  const open: MutableElement[] = [];
  const add = (el: MutableElement): void => {
    const parent = open[open.length - 1];
    if (parent === undefined) roots.push(el);
    else (parent.children ??= []).push(el);
  };
  for (const tv of values) {
    const name = typeof tv.tag === 'string' ? tv.tag : Object.prototype.hasOwnProperty.call(tagNames, String(tv.tag)) ? tagNames[String(tv.tag)] : undefined;
    switch (tv.v.confd_type) {
      case 32: // C_XMLBEGIN `start`
      case 45: {
        // C_XMLBEGINDEL `delete`: a deleted list entry, with its keys inside
        const el: MutableElement = { name };
        add(el);
        open.push(el);
        break;
      }
      case 33: // C_XMLEND `stop`
        open.pop();
        break;
      case 2: // C_XMLTAG `leaf` (type empty)
      case 51: // C_XMLMOVEFIRST
      case 52: // C_XMLMOVEAFTER
        add({ name });
        break;
      case 31: // C_LIST: a leaf-list is one element per item in XML
        for (const item of tv.v.value) add({ name, value: valueText(item, tagNames) });
        break;
      default:
        add({ name, value: valueText(tv.v, tagNames) });
    }
  }
  return roots;
}

/**
 * The text of a leaf value, as its XML form would carry it (YANG canonical where the value says
 * enough): numbers in decimal, booleans `true`/`false`, addresses and prefixes as text, date-times
 * ISO 8601, `binary` base64, other byte strings hex with colons, identityrefs by name when
 * `tagNames` has the identity's hash. Values kept raw (qname, date, time, duration, objectref) and
 * `not_found`/`default` have the empty text.
 */
export function valueText(v: ConfValue, tagNames: TagNames = {}): string {
  switch (v.confd_type) {
    case 5: // strings, addresses and prefixes are text already
    case 15:
    case 16:
    case 40:
    case 41:
    case 48:
    case 49:
      return v.value;
    case 6: // integers and the double, in decimal
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
    case 13:
    case 14:
    case 28:
    case 29:
    case 30:
      return String(v.value);
    case 17:
      return v.value ? 'true' : 'false';
    case 19:
      return dateTimeIso(v.value);
    case 31:
      return v.value.map((item) => valueText(item, tagNames)).join(' ');
    case 38:
      return v.value.join('.');
    case 39:
      return Buffer.from(v.value).toString('base64');
    case 46:
      return Array.from(v.value).join('.');
    case 47:
    case 50:
      return Array.from(v.value, (b) => b.toString(16).padStart(2, '0')).join(':');
    case 43:
      return decimalText(v.value, v.fraction_digits);
    case 44:
      return tagNames[String(v.value.id)] ?? String(v.value.id);
    default:
      return '';
  }
}

function decimalText(value: number | bigint, digits: number): string {
  const big = BigInt(value);
  const negative = big < 0n;
  const abs = (negative ? -big : big).toString().padStart(digits + 1, '0');
  const text = digits === 0 ? abs : `${abs.slice(0, abs.length - digits)}.${abs.slice(abs.length - digits)}`;
  return negative ? `-${text}` : text;
}
