/**
 * `GET /maapi/calls` of the control API (docs/control-api.md): the MAAPI calls per connection, from
 * a real MAAPI client over TCP — through startNsoMock + startControlServer and through the built
 * CLI's `serve --control-port --schema` (whose MAAPI server the control API must share).
 */
import { describe, expect, it } from 'vitest';
import { connectMaapi } from '../../src/client/index.js';
import { startControlServer, startNsoMock } from '../../src/harness/index.js';
import { startCli } from '../e2e/cli-process.js';

interface CallsBody {
  readonly served: boolean;
  readonly connections: readonly { readonly connectionId: number; readonly calls: readonly { name: string; th?: number; ok: boolean; code?: number; detail?: string }[] }[];
}

async function calls(base: string, query = ''): Promise<CallsBody> {
  const res = await fetch(`${base}/maapi/calls${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CallsBody;
}

describe('GET /maapi/calls', () => {
  it('lists each connection\'s calls, oldest first; ?th= and ?connection= narrow it; unknown parameters are refused', async () => {
    await using mock = await startNsoMock({ maapi: { schema: ['examples/models/mk.yang'] } });
    const control = await startControlServer(mock, { port: 0 });
    try {
      expect(await calls(control.url)).toEqual({ served: true, connections: [] });
      const a = await connectMaapi(mock.addresses.tcp!);
      const b = await connectMaapi(mock.addresses.tcp!);
      await expect(a.attach(99)).rejects.toMatchObject({ details: { code: 1 } });
      await expect(b.request(262, undefined)).rejects.toMatchObject({ details: { code: 1 } });
      await a.detach(99);
      a.close();
      b.close();
      const all = await calls(control.url);
      expect(all.served).toBe(true);
      expect(all.connections.map((c) => c.calls.map((k) => `${k.name}${k.th === undefined ? '' : `(${k.th})`} ${k.ok ? 'ok' : `error ${k.code}`}`))).toEqual([
        ['attach(99) error 1', 'detach(99) ok'],
        ['get-schema-file-path error 1'],
      ]);
      const [first, second] = all.connections;
      expect((await calls(control.url, `?connection=${second!.connectionId}`)).connections).toEqual([second]);
      expect((await calls(control.url, '?th=99')).connections).toEqual([first]);
      expect((await fetch(`${control.url}/maapi/calls?nope=1`)).status).toBe(400);
    } finally {
      await control.close();
    }
  });

  it('says served: false for a mock without MAAPI', async () => {
    await using mock = await startNsoMock({ maapi: false });
    const control = await startControlServer(mock, { port: 0 });
    try {
      expect(await calls(control.url)).toEqual({ served: false, connections: [] });
    } finally {
      await control.close();
    }
  });

  it('serve --control-port --schema: the control API sees the CLI\'s MAAPI calls', async () => {
    const cli = startCli(['serve', '--scenario', 'examples/idle.yaml', '--port', '0', '--control-port', '0', '--schema', 'examples/models/mk.yang']);
    try {
      const ready = (await cli.ready) as unknown as { tcp: { port: number }; control: string };
      const m = await connectMaapi({ host: '127.0.0.1', port: ready.tcp.port });
      await expect(m.attach(5)).rejects.toMatchObject({ details: { code: 1 } });
      m.close();
      const body = await calls(ready.control);
      expect(body.connections.flatMap((c) => c.calls.map((k) => `${k.name}(${k.th}) ${k.detail}`))).toEqual(['attach(5) No such transaction']);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
