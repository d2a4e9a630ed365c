/**
 * The TypeScript client speaks as the NSO release of its profile (NSO62.md §A): the connect header
 * it sends over a real socket is byte for byte the one the real 5.7.1 / 6.2.5 libraries send.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect, type ConnectOptions } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import { loadNotificationsNso62, toHex } from '../support/vectors.js';

/** The first 9 bytes a client sends to a listener that never answers (the connect then times out). */
async function headerOf(options: Partial<ConnectOptions>): Promise<string> {
  let resolveHeader: (hex: string) => void = () => undefined;
  const header = new Promise<string>((r) => (resolveHeader = r));
  const server = createServer((socket) => {
    let got = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 9) {
        resolveHeader(toHex(got.subarray(0, 9)));
        socket.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = connect({ host: '127.0.0.1', port }, { mask: NOTIF.AUDIT, timeoutMs: 5000, ...options }).catch(() => undefined);
  const hex = await header;
  await client;
  await new Promise<void>((r) => server.close(() => r()));
  return hex;
}

const rawHex = (name: string): string | undefined => {
  const v = loadNotificationsNso62().find((x) => x.name === name);
  return v !== undefined && 'raw_hex' in v ? v.raw_hex : undefined;
};

describe('the client speaks as its profile', () => {
  it('nso62, C style: the 6.2.5 C/Python header (protocol 82, library 0x08020500)', async () => {
    expect(await headerOf({ profile: 'nso62' })).toBe(rawHex('client.connect_header'));
  });

  it('nso62, Java style: the 6.2.5 Java header', async () => {
    expect(await headerOf({ profile: 'nso62', style: 'java' })).toBe(rawHex('client.java.connect_header'));
  });

  it('nso57 (the default): the 5.7.1 C header', async () => {
    expect(await headerOf({})).toBe('0b004d070701003c12');
  });

  it('refuses an unknown profile before connecting', async () => {
    await expect(connect({ host: '127.0.0.1', port: 1 }, { mask: NOTIF.AUDIT, profile: 'nso99' as never })).rejects.toMatchObject({ code: 'NSOMOCK_USAGE' });
  });
});
