import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { planAuthentication } from '../../../src/transport/identity.js';
import type { ResolvedTarget } from '../../../src/transport/ssh-config.js';
import { makeKey, removeDir, tempDir, type KeyFiles } from './fake-sshd.js';

let dir: string;
let plain: KeyFiles;
let encrypted: string;
let agentSocket: string;
let agent: Server;

beforeAll(async () => {
  dir = tempDir();
  plain = makeKey(dir, 'plain');
  encrypted = join(dir, 'encrypted');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'open sesame', '-f', encrypted]);
  agentSocket = join(dir, 'agent.sock');
  agent = createServer();
  await new Promise<void>((resolve) => agent.listen(agentSocket, resolve));
});
afterAll(async () => {
  await new Promise((resolve) => agent.close(resolve));
  removeDir(dir);
});

type Target = Pick<ResolvedTarget, 'user' | 'identityFiles' | 'identitySource' | 'identitiesOnly' | 'agentSocket'>;
const target = (t: Partial<Target>): Target => ({
  user: 'pi',
  identityFiles: [],
  identitySource: 'config',
  identitiesOnly: false,
  agentSocket: undefined,
  ...t,
});

describe('planAuthentication', () => {
  it('offers named key files first, then the agent', () => {
    const plan = planAuthentication(target({ identityFiles: [plain.path], agentSocket }));
    expect(plan.offered).toEqual([plain.path, `ssh-agent (${agentSocket})`]);
    expect(plan.attempts.map((a) => a.type)).toEqual(['publickey', 'agent']);
    expect(plan.attempts.every((a) => a.username === 'pi')).toBe(true);
  });

  it('offers the agent before the default keys, as OpenSSH does', () => {
    const plan = planAuthentication(target({ identitySource: 'default', identityFiles: [join(dir, 'id_missing'), plain.path], agentSocket }));
    expect(plan.offered).toEqual([`ssh-agent (${agentSocket})`, plain.path]);
    expect(plan.skipped).toEqual([]); // a missing default key is not worth mentioning
  });

  it('leaves the agent out with IdentitiesOnly, or when its socket is gone', () => {
    expect(planAuthentication(target({ identityFiles: [plain.path], agentSocket, identitiesOnly: true })).offered).toEqual([plain.path]);
    const stale = planAuthentication(target({ identityFiles: [plain.path], agentSocket: join(dir, 'gone.sock') }));
    expect(stale.offered).toEqual([plain.path]);
    expect(stale.skipped).toEqual([`ssh-agent at ${join(dir, 'gone.sock')} (no socket there)`]);
  });

  it('passes over an encrypted key without its passphrase, saying why', () => {
    const plan = planAuthentication(target({ identityFiles: [encrypted, plain.path] }));
    expect(plan.offered).toEqual([plain.path]);
    expect(plan.skipped[0]).toMatch(/encrypted: load it into ssh-agent/);
    expect(planAuthentication(target({ identityFiles: [encrypted] }), { passphrase: new Secret('open sesame') }).offered).toEqual([encrypted]);
  });

  it('fails early on an unusable --key', () => {
    expect(() => planAuthentication(target({ identitySource: 'cli', identityFiles: [join(dir, 'nope')] }))).toThrow(/cannot read the key given with --key/);
    expect(() => planAuthentication(target({ identitySource: 'cli', identityFiles: [encrypted] }))).toThrow(/encrypted/);
  });

  it('mentions a configured IdentityFile that does not exist', () => {
    expect(planAuthentication(target({ identityFiles: [join(dir, 'nope')] })).skipped).toEqual([`${join(dir, 'nope')} (does not exist)`]);
  });
});
