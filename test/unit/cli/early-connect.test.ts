import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EarlyConnections } from '../../../src/app/early-connections.js';
import { withEarlyConnections } from '../../../src/cli/early-connect.js';
import type { CliRunOptions } from '../../../src/cli/run-and-report.js';
import { UnreachableError } from '../../../src/transport/errors.js';
import { makeKey, removeDir, startFakeSshd, tempDir, type FakeSshd, type KeyFiles } from '../transport/fake-sshd.js';

let dir: string;
let hostKey: KeyFiles;
let clientKey: KeyFiles;
const servers: FakeSshd[] = [];

beforeAll(() => {
  dir = tempDir();
  hostKey = makeKey(dir, 'host');
  clientKey = makeKey(dir, 'client');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => removeDir(dir));

async function server(): Promise<FakeSshd> {
  const s = await startFakeSshd({ hostKeys: [hostKey], authorizedKeys: [clientKey] });
  servers.push(s);
  return s;
}

function options(extra: Partial<CliRunOptions> = {}): CliRunOptions {
  return { conf: '/dev/null', confExplicit: true, var: [], json: true, key: clientKey.path, knownHosts: join(dir, 'known_hosts'), sshConfig: '/dev/null', askBecomePass: false, ...extra };
}

const hostOf = (s: FakeSshd, name: string) => ({ name, target: `pi@127.0.0.1:${s.port}` });

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('early connections', () => {
  it('connects at once but logs in only once released; the run takes that connection, usable, and closes it', async () => {
    const s = await server();
    const out = await withEarlyConnections([hostOf(s, 'salon')], options(), 1, async (early) => {
      await waitFor(() => s.connections === 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(s.logins).toEqual([]); // settings not validated yet: no login
      early.release();
      const transport = await early.take('salon');
      if (!transport) throw new Error('no early connection');
      try {
        return (await transport.exec('echo ready')).stdout;
      } finally {
        await transport.close();
      }
    });
    expect(out).toBe('ready\n');
    expect(s.connections).toBe(1);
    expect(s.logins).toEqual(['pi']);
  });

  it('a run refused for its settings never logs in, and leaves no connection open', async () => {
    const [a, b, c] = [await server(), await server(), await server()];
    const failing = withEarlyConnections([hostOf(a, 'a'), hostOf(b, 'b'), hostOf(c, 'c')], options(), 2, async () => {
      await waitFor(() => a.connections === 1 && b.connections === 1);
      throw new Error('DLIVE_CLE_FLUX: bad settings');
    });
    await expect(failing).rejects.toThrow(/bad settings/);
    // Only the first `limit` hosts were reached; no login, nothing ran; nothing stays open.
    expect([a.connections, b.connections, c.connections]).toEqual([1, 1, 0]);
    expect([...a.logins, ...b.logins]).toEqual([]);
    expect([...a.commands, ...b.commands]).toEqual([]);
    await waitFor(() => a.openConnections === 0 && b.openConnections === 0);
  });

  it('connections a released run does not take are closed', async () => {
    const s = await server();
    await withEarlyConnections([hostOf(s, 'skipped')], options(), 1, async (early) => {
      early.release();
      await waitFor(() => s.logins.length === 1);
    });
    await waitFor(() => s.openConnections === 0);
  });

  it('with a password to ask (--ask-pass, --ask-become-pass) or a key to make (--new-key) nothing connects early', async () => {
    const s = await server();
    for (const asking of [{ askBecomePass: true }, { askPass: true }, { newKey: true }]) {
      await withEarlyConnections([hostOf(s, 'salon')], options(asking), 1, async (early) => {
        await new Promise((r) => setTimeout(r, 100));
        expect(early.take('salon')).toBeUndefined();
      });
    }
    expect(s.connections).toBe(0);
  });

  it('an unreachable host fails when its run takes the connection, not before', async () => {
    const early = EarlyConnections.start([{ name: 'nowhere', target: 'pi@127.0.0.1:1' }], { configFile: null, knownHostsFile: join(dir, 'kh') }, 1);
    await new Promise((r) => setTimeout(r, 100)); // refused by now: no unhandled rejection
    await expect(early.take('nowhere')).rejects.toBeInstanceOf(UnreachableError);
    expect(early.take('nowhere')).toBeUndefined();
    await early.closeAll();
  });
});
