// The client side of the server benchmarks: a plain Node process (so no server shares its thread),
// the same one for the mock and for the Erlang peer. Usage:
//   node reader.mjs HOST PORT K SUBSCRIPTION_HEX [ack]
// On "connect" (stdin) it opens K connections, sends the C library's connect header and the
// subscription frame, and prints "ready MS" once every connection got its `ok`. On "expect N" it
// prints "armed", then "done MS" when the K connections together received N more frames (MS from
// the first of them to the last). With `ack`, every frame is decoded and answered with
// {Th, done} (element 4 of a commit-diff, PROTOCOL.md §12.1), as a commit-diff consumer does.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { atom, decodeTerm, tuple } from '../../dist/codec/index.js';
import { encodeClientFrame } from '../../dist/client/index.js';

const [host, portText, kText, subHex, mode] = process.argv.slice(2);
const K = Number(kText);
const HEADER = Buffer.from('0b004d070701003c12', 'hex');
const SUB = Buffer.from(subHex, 'hex');
const ACK = mode === 'ack';
let frames = 0;
let target = Infinity;
let first = 0;
let subscribed = 0;
let started = 0;
const sockets = [];

function counted(n) {
  if (target === Infinity) return;
  if (frames === 0) first = performance.now();
  frames += n;
  if (frames >= target) {
    target = Infinity;
    process.stdout.write(`done ${(performance.now() - first).toFixed(3)}\n`);
  }
}

function open() {
  const s = connect({ host, port: Number(portText), noDelay: true });
  sockets.push(s);
  let pre = 9; // the version reply
  let ok = false; // the subscription's `ok` frame not yet seen
  let need = 0; // bytes left of the current frame body
  const head = Buffer.alloc(4);
  let headLen = 0;
  let body = [];
  const frameDone = () => {
    if (!ok) {
      ok = true;
      body = [];
      if (++subscribed === K) process.stdout.write(`ready ${(performance.now() - started).toFixed(3)}\n`);
      return 0;
    }
    if (ACK) {
      const t = decodeTerm(Buffer.concat(body));
      body = [];
      s.write(encodeClientFrame(tuple(t.elements[3], atom('done')), 'c'));
    }
    return 1;
  };
  s.on('connect', () => {
    s.write(HEADER);
    s.write(SUB);
  });
  s.on('data', (b) => {
    let p = 0;
    if (pre > 0) {
      const t = Math.min(pre, b.length);
      pre -= t;
      p = t;
    }
    let n = 0;
    while (p < b.length) {
      if (need > 0) {
        const t = Math.min(need, b.length - p);
        if (ACK || !ok) body.push(b.subarray(p, p + t));
        need -= t;
        p += t;
        if (need === 0) n += frameDone();
        continue;
      }
      if (headLen === 0 && b.length - p >= 4) {
        need = b.readUInt32BE(p);
        p += 4;
        if (need === 0) n += frameDone();
        continue;
      }
      head[headLen++] = b[p++];
      if (headLen === 4) {
        need = head.readUInt32BE(0);
        headLen = 0;
        if (need === 0) n += frameDone();
      }
    }
    if (n > 0) counted(n);
  });
  s.on('error', (e) => {
    process.stderr.write(`reader: ${String(e)}\n`);
    process.exit(1);
  });
}

createInterface({ input: process.stdin }).on('line', (l) => {
  if (l === 'connect') {
    started = performance.now();
    for (let i = 0; i < K; i++) open();
    return;
  }
  const m = /^expect (\d+)$/.exec(l);
  if (m) {
    frames = 0;
    target = Number(m[1]);
    process.stdout.write('armed\n');
  }
});
