import { describe, expect, it } from 'vitest';
import { formatSchemaTree, loadSchema, phash2 } from '../../src/schema/index.js';

const MK = new URL('../../examples/models/mk.yang', import.meta.url).pathname;

describe('formatSchemaTree', () => {
  it('lists the example model with every hash, the choice and its cases', () => {
    const text = formatSchemaTree(loadSchema([MK]));
    const lines = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual([
      `module: mk http://example.com/mk prefix mk hash ${phash2('http://example.com/mk')} revision 2024-01-01`,
      `+--rw sys ${phash2('sys')}`,
      `+--rw host* [name] ${phash2('host')}`,
      `+--rw name ${phash2('name')} string (C 5)`,
      `+--rw address ${phash2('address')} inet:ipv4-address (C 15)`,
      `+--rw port ${phash2('port')} inet:port-number (C 11) default 22`,
      `+--rw tag* ${phash2('tag')} string (C 5)`,
      `+--rw config ${phash2('config')}`,
      `+--rw enabled ${phash2('enabled')} boolean (C 17)`,
      `+--: (transport) ${phash2('transport')}`,
      `+--: (ssh) ${phash2('ssh')}`,
      `+--rw ssh-key ${phash2('ssh-key')} string (C 5)`,
      `+--: (telnet) ${phash2('telnet')}`,
      `+--rw telnet-password ${phash2('telnet-password')} string (C 5)`,
    ]);
    // the indentation shows the nesting
    expect(text.split('\n')[11]).toMatch(/^ {17}\+--rw ssh-key/);
  });
});
