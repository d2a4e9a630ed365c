// The JS side of the codec benchmark, in a process of its own (a fresh JIT per contender, and the
// production ESM build, dist/). Usage: node codec-worker.mjs VECTORS_FILE shaped|general
//   general: the codec as shipped (no code generation: the general paths only);
//   shaped:  with the shape-specialised code generation on, as it was shipped before (code generated
//            per shape after 10,000 operations of a slot: setShaped*Warmup(10000)).
// Commands (stdin) and their answers "ns T" (the batch's nanoseconds):
//   enc N | dec N | read N | notif N   N operations over the vectors in rotation
//   enc1 I N | dec1 I N | read1 I N    N operations on vector I only
// read = decode, then read `bytes` of every binary in the term (what a consumer reads);
// notif = decode, then notificationFromTerm (what a client library returns).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { decodeTerm, encodeTerm, notificationFromTerm } from '../../dist/codec/index.js';
import { setShapedDecodeWarmup } from '../../dist/codec/decode.js';
import { setShapedEncodeWarmup } from '../../dist/codec/encode.js';

const [file, mode] = process.argv.slice(2);
if (mode === 'shaped') {
  setShapedDecodeWarmup(10_000);
  setShapedEncodeWarmup(10_000);
}
const bins = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((h) => new Uint8Array(Buffer.from(h, 'hex')));
const terms = bins.map((b) => decodeTerm(b));
const S = bins.length;

function readBinaries(t) {
  switch (t.kind) {
    case 'binary':
      return t.bytes.length;
    case 'tuple':
    case 'list': {
      const els = t.elements;
      let n = t.kind === 'list' ? readBinaries(t.tail) : 0;
      for (let i = 0; i < els.length; i++) n += readBinaries(els[i]);
      return n;
    }
    default:
      return 0;
  }
}

let sink = 0;
// Same loop shape as the Erlang peer's: element (N rem S) of the rotation, counting down.
const ops = {
  enc(n, pick) {
    let s = 0;
    for (let i = n; i > 0; i--) s += encodeTerm(terms[pick(i)]).length;
    return s;
  },
  dec(n, pick) {
    let s = 0;
    for (let i = n; i > 0; i--) s += decodeTerm(bins[pick(i)]).kind.length;
    return s;
  },
  read(n, pick) {
    let s = 0;
    for (let i = n; i > 0; i--) s += readBinaries(decodeTerm(bins[pick(i)]));
    return s;
  },
  notif(n, pick) {
    let s = 0;
    for (let i = n; i > 0; i--) s += notificationFromTerm(decodeTerm(bins[pick(i)])).type.length;
    return s;
  },
};
const rotate = (i) => i % S;

createInterface({ input: process.stdin }).on('line', (line) => {
  const [name, a, b] = line.split(' ');
  const single = name.endsWith('1');
  const op = ops[single ? name.slice(0, -1) : name];
  if (op === undefined) process.exit(0);
  const n = Number(single ? b : a);
  const index = Number(a);
  const pick = single ? () => index : rotate;
  const t0 = process.hrtime.bigint();
  sink += op(n, pick);
  const ns = process.hrtime.bigint() - t0;
  process.stdout.write(`ns ${ns} ${sink % 7}\n`);
});
