/**
 * A sample .fxs file for tests (no real one is available, MAAPI.md §M6.7 describes them from
 * inspection): the chunk terms are written in Erlang syntax, encoded with the codec (itself checked
 * against erl), and framed as §M6.7 says — magic, then Len:32 + bytes per chunk. Module `fx`,
 * namespace hash 9999, `/fx:sys/host{name}` with a uint16 `port` (tag 4242, default 22).
 */
import { encodeTerm } from '../../src/codec/index.js';
import { parseErlangTerm } from './erlang-term-parser.js';

export const URI = 'http://example.com/fx';

function exs(tagpath: string, prim: string, def: string, min: number, max: number | 'unbounded', children: string): string {
  return `{exs,${tagpath},undefined,${prim},${def},x,${min},${max},${children},x,x}`;
}
function cs(hash: number, e: string): string {
  return `{cs,x,${hash},'${URI}',777,${e},x}`;
}

export const CHUNKS: readonly string[] = [
  `{"8.2_0",{fxs_header,fxs_header,'${URI}','${URI}',cs,42,"fx",777,extra,{yang_header,x,<<"fx">>,y}}}`,
  '[]',
  '[]',
  `[${[
    cs(11, exs('[sys]', '0', 'undefined', 0, 1, '[host]')),
    cs(12, exs('[host,sys]', '0', 'undefined', 0, 'unbounded', '[name,port,tag]')),
    cs(13, exs('[name,host,sys]', '5', 'undefined', 1, 1, '[]')),
    cs(4242, exs('[port,host,sys]', '11', '{11,22}', 0, 1, '[]')),
    cs(15, exs('[tag,host,sys]', '5', 'undefined', 0, 'unbounded', '[]')),
  ].join(',')}]`,
  '[{info,x}]',
  `[{hash,{hash_uri,'${URI}'},uri,9999,0,false},{hash,{hash,sys},{tagpath,[sys]},11,0,false},{hash,{hash,port},{tagpath,[port,host,sys]},4242,0,false}]`,
  '[]',
  '[]',
  '{yang_module,fx,<<"2025-05-05">>}',
];

export function fxsFile(chunks: readonly Uint8Array[]): Uint8Array {
  const size = chunks.reduce((n, c) => n + 4 + c.length, 4);
  const out = new Uint8Array(size);
  out.set([4, 7, 6, 8]);
  const view = new DataView(out.buffer);
  let at = 4;
  for (const c of chunks) {
    view.setUint32(at, c.length);
    out.set(c, at + 4);
    at += 4 + c.length;
  }
  return out;
}

export const termChunks: Uint8Array[] = CHUNKS.map((t) => encodeTerm(parseErlangTerm(t)));
// a compressed tail chunk (zlib header 78 9c + data) and an empty one, as real files end
export const FILE: Uint8Array = fxsFile([...termChunks, Uint8Array.of(0x78, 0x9c), Uint8Array.of(1, 2, 3), new Uint8Array(0)]);

