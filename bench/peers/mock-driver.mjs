// The mock side of the server benchmarks: one `startNsoMock()` (the harness, as a user's test
// starts it; default options) in its own Node process, driven by lines on stdin like the Erlang
// peer (bench/peers/nsomock_peer.erl), with the same commands where both do the same work:
//   expect K      print "subscribed K" once mock.waitForSubscribers(K) resolves
//   emit N B      N fresh daemon notifications (a new input object each, its counter in msg), B
//                 emits per tick, then `await drained()` (the mock writes a tick's frames as one buffer)
//   commit N      N commit-diff handshakes: `await mock.emit({ type: 'commit-diff', th })` (resolves on {Th, done})
//   play FILE     mock.play(FILE), prints "played STATUS"
//   stream V K    K events with V values published on stream `events` (history + live subscribers),
//                 each awaited to the socket; prints "us T"
import { createInterface } from 'node:readline';
import { startNsoMock } from '../../dist/index.js';

const mock = await startNsoMock({});
// The stream of the `stream` command (a subscriber asks for it by name, live only).
mock.server.streams.define('events', {});
process.stdout.write(`port ${mock.addresses.tcp.port}\n`);

function streamInputs(v, k) {
  const out = [];
  for (let j = 0; j < k; j++) {
    const values = [];
    for (let i = 1; i <= v; i++) values.push({ ns: 1928374655, tag: 102, v: `eth${i + j}` });
    out.push({ values });
  }
  return out;
}

const commands = {
  async expect(k) {
    await mock.waitForSubscribers(Number(k), { within: 600_000 });
    return `subscribed ${k}`;
  },
  async emit(nText, bText) {
    const n = Number(nText);
    const b = Number(bText);
    for (let sent = 0; sent < n; ) {
      const end = Math.min(n, sent + b);
      for (let i = sent + 1; i <= end; i++) mock.emit({ type: 'daemon', logno: 29, prio: 6, msg: `NCS started vsn: ${i}` });
      sent = end;
      await mock.server.drained();
    }
    return 'sent';
  },
  async commit(nText) {
    const n = Number(nText);
    for (let i = 1; i <= n; i++) await mock.emit({ type: 'commit-diff', th: i, comment: 'fix mtu', label: `change-${i}` });
    return 'sent';
  },
  async play(file) {
    const report = await mock.play(file);
    return `played ${report.status}`;
  },
  async stream(vText, kText) {
    const inputs = streamInputs(Number(vText), Number(kText));
    const t0 = performance.now();
    for (const input of inputs) {
      mock.server.streams.publish('events', input);
      await mock.server.drained();
    }
    return `us ${Math.round((performance.now() - t0) * 1000)}`;
  },
};

let chain = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const [name, ...args] = line.split(' ');
  const command = commands[name];
  if (command === undefined) {
    void mock.close().then(() => process.exit(0));
    return;
  }
  chain = chain.then(async () => process.stdout.write(`${await command(...args)}\n`));
});
process.stdin.on('end', () => void mock.close().then(() => process.exit(0)));
