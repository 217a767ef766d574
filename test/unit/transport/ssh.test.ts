// SshTransport against ssh2's Server on 127.0.0.1 (test/unit/transport/fake-sshd.ts): host key
// policies, exec, sudo, channels and faults. A real OpenSSH server is exercised by the e2e suite.
import { execFileSync, execSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import {
  BecomeError,
  ChannelError,
  ConnectionLostError,
  HostKeyChangedError,
  HostKeyUnknownError,
  isAuthFailure,
  UnreachableError,
} from '../../../src/transport/errors.js';
import { fingerprintOf } from '../../../src/transport/host-key.js';
import { connect, type SshConnectOptions, type SshTransport } from '../../../src/transport/ssh.js';
import { installFakeSudo, makeKey, removeDir, startFakeSshd, tempDir, type FakeSshd, type KeyFiles } from './fake-sshd.js';

let dir: string;
let hostKeyA: KeyFiles;
let hostKeyB: KeyFiles;
let hostKeyRsa: KeyFiles;
let clientKey: KeyFiles;
let strangerKey: KeyFiles;
let sudo: { binDir: string; log: string };
const servers: FakeSshd[] = [];
const transports: SshTransport[] = [];
let knownHostsCounter = 0;

beforeAll(() => {
  dir = tempDir();
  hostKeyA = makeKey(dir, 'host_a');
  hostKeyB = makeKey(dir, 'host_b');
  hostKeyRsa = makeKey(dir, 'host_rsa', 'rsa');
  clientKey = makeKey(dir, 'client');
  strangerKey = makeKey(dir, 'stranger');
  sudo = installFakeSudo(dir);
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => removeDir(dir));

async function server(options: Partial<Parameters<typeof startFakeSshd>[0]> = {}): Promise<FakeSshd> {
  const s = await startFakeSshd({
    hostKeys: [hostKeyA],
    authorizedKeys: [clientKey],
    env: { PATH: `${sudo.binDir}:${process.env.PATH ?? ''}`, FAKE_SUDO_LOG: sudo.log },
    ...options,
  });
  servers.push(s);
  return s;
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function freshKnownHosts(): string {
  return join(dir, `known_hosts_${++knownHostsCounter}`);
}

async function open(s: FakeSshd, options: SshConnectOptions & { user?: string } = {}): Promise<SshTransport> {
  const t = await connect(`${options.user ?? 'pi'}@127.0.0.1:${s.port}`, {
    configFile: null,
    identityFile: clientKey.path,
    env: {},
    readyTimeoutMs: 5000,
    ...options,
  });
  transports.push(t);
  return t;
}

describe('host keys', () => {
  it('records an unknown key under accept-new, then verifies it on the next connection', async () => {
    const s = await server();
    const knownHostsFile = freshKnownHosts();
    const first = await open(s, { knownHostsFile });
    expect(first.recordedHostKeys).toEqual([
      { knownHostsName: `[127.0.0.1]:${s.port}`, keyType: 'ssh-ed25519', fingerprint: fingerprintOf(hostKeyA.blob), file: knownHostsFile },
    ]);
    expect(readFileSync(knownHostsFile, 'utf8')).toBe(`[127.0.0.1]:${s.port} ${hostKeyA.pub.split(' ').slice(0, 2).join(' ')}\n`);
    const second = await open(s, { knownHostsFile, hostKeyPolicy: 'strict' });
    expect(second.recordedHostKeys).toEqual([]);
    expect(readFileSync(knownHostsFile, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('refuses a changed key with both fingerprints and the exact command to accept it', async () => {
    const s = await server();
    const knownHostsFile = freshKnownHosts();
    await open(s, { knownHostsFile });
    s.setHostKeys([hostKeyB]); // the same host:port now presents another key: a reinstalled Pi
    const error = await open(s, { knownHostsFile }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyChangedError);
    const changed = error as HostKeyChangedError;
    const name = `[127.0.0.1]:${s.port}`;
    expect(changed.message).toContain(`host key for ${name} has CHANGED`);
    expect(changed.message).toContain(`expected:  ${fingerprintOf(hostKeyA.blob)} (ssh-ed25519) from ${knownHostsFile}:1`);
    expect(changed.message).toContain(`presented: ${fingerprintOf(hostKeyB.blob)} (ssh-ed25519)`);
    expect(changed.fixCommand).toBe(`ssh-keygen -R '${name}' -f ${knownHostsFile}`);
    expect(s.logins).toHaveLength(1); // nothing was sent to the impostor
    // The command does what it says: after it, accept-new records the new key.
    execSync(changed.fixCommand, { stdio: 'ignore' });
    const again = await open(s, { knownHostsFile });
    expect(again.recordedHostKeys[0]?.fingerprint).toBe(fingerprintOf(hostKeyB.blob));
  });

  it('refuses an unknown key under strict, with the fingerprint and a hint', async () => {
    const s = await server();
    const knownHostsFile = freshKnownHosts();
    const error = await open(s, { knownHostsFile, hostKeyPolicy: 'strict' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyUnknownError);
    expect((error as Error).message).toContain(fingerprintOf(hostKeyA.blob));
    expect((error as Error).message).toContain('--host-key-policy accept-new');
    expect((error as Error).message).toContain('ssh-keyscan');
    expect(() => readFileSync(knownHostsFile)).toThrow(/ENOENT/);
    expect(s.logins).toEqual([]);
  });

  it('verifies entries hashed by OpenSSH (ssh-keygen -H)', async () => {
    const s = await server();
    const knownHostsFile = freshKnownHosts();
    writeFileSync(knownHostsFile, `[127.0.0.1]:${s.port} ${hostKeyA.pub}\n`);
    execSync(`ssh-keygen -H -f ${knownHostsFile}`, { stdio: 'ignore' });
    expect(readFileSync(knownHostsFile, 'utf8')).toMatch(/^\|1\|/);
    const t = await open(s, { knownHostsFile, hostKeyPolicy: 'strict' });
    expect((await t.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('pins the host key algorithm to the types on record', async () => {
    // The server has ed25519 and RSA keys; only the RSA one is on record. Without pinning, ssh2
    // would negotiate ed25519 and the host would look changed.
    const s = await server({ hostKeys: [hostKeyA, hostKeyRsa] });
    const knownHostsFile = freshKnownHosts();
    writeFileSync(knownHostsFile, `[127.0.0.1]:${s.port} ${hostKeyRsa.pub}\n`);
    const t = await open(s, { knownHostsFile, hostKeyPolicy: 'strict' });
    expect((await t.exec('echo ok')).code).toBe(0);
  });

  it('records many new hosts at once without interleaving lines', async () => {
    const fleet = await Promise.all(Array.from({ length: 6 }, () => server()));
    const knownHostsFile = freshKnownHosts();
    await Promise.all(fleet.map((s) => open(s, { knownHostsFile })));
    const lines = readFileSync(knownHostsFile, 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => l.split(' ')[0]).sort()).toEqual(fleet.map((s) => `[127.0.0.1]:${s.port}`).sort());
    for (const line of lines) expect(line).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 [A-Za-z0-9+/=]+$/);
  });
});

describe('connecting', () => {
  it('reports a refused connection as unreachable with a hint about sshd', async () => {
    const s = await server();
    const port = s.port;
    await s.close();
    servers.length = 0;
    const error = await connect(`pi@127.0.0.1:${port}`, { configFile: null, identityFile: clientKey.path, knownHostsFile: freshKnownHosts(), env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).toMatchObject({ reason: 'refused', port });
    expect((error as Error).message).toMatch(/check that sshd runs/);
  });

  it('reports an unknown host name as a DNS failure', async () => {
    const error = await connect('pi@nonexistent.invalid', { configFile: null, identityFile: clientKey.path, knownHostsFile: freshKnownHosts(), env: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'dns', message: expect.stringMatching(/cannot resolve nonexistent\.invalid\ncheck the host name/) });
  });

  it('reports a silent port as a handshake timeout, and a port that hangs up as closed', async () => {
    const silent = createServer(() => undefined);
    const rude = createServer((socket) => socket.destroy());
    await Promise.all([silent, rude].map((srv) => new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))));
    const portOf = (srv: typeof silent): number => (srv.address() as AddressInfo).port;
    const attempt = (port: number): Promise<unknown> =>
      connect(`pi@127.0.0.1:${port}`, { configFile: null, identityFile: clientKey.path, knownHostsFile: freshKnownHosts(), env: {}, readyTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(await attempt(portOf(silent))).toMatchObject({ reason: 'timeout', message: expect.stringContaining('no SSH handshake within 0.3 s') });
    expect(await attempt(portOf(rude))).toMatchObject({ reason: 'closed' });
    silent.close();
    rude.close();
  });

  it('reports a failed login naming the user and the keys offered', async () => {
    const s = await server();
    const error = await open(s, { knownHostsFile: freshKnownHosts(), identityFile: strangerKey.path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).toMatchObject({ reason: 'auth', keysTried: [strangerKey.path] });
    expect((error as Error).message).toContain(`authentication failed for user pi (offered: ${strangerKey.path})`);
    expect((error as Error).message).toContain('check that the user pi exists');
  });

  it('with no key at all, says how to make one and put it on the Pi', async () => {
    const s = await server();
    const home = tempDir('orbis-home-'); // no ~/.ssh/id_*, no agent, no --key
    const error = await connect(`pi@127.0.0.1:${s.port}`, { configFile: null, homeDir: home, knownHostsFile: freshKnownHosts(), env: {}, readyTimeoutMs: 5000 }).catch((e: unknown) => e);
    expect(isAuthFailure(error)).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1 (port ${s.port}) refused the login: authentication failed for user pi (no key was available to offer)`);
    expect((error as UnreachableError).hint).toBe(
      `make a key and put it on the Pi: \`ssh-keygen -t ed25519\` then \`ssh-copy-id -p ${s.port} pi@127.0.0.1\`; or let orbis do both on a Pi that still takes its password: add --ask-pass --new-key`,
    );
    removeDir(home);
  });

  describe('first contact by password (--ask-pass)', () => {
    const password = 'raspberry pi 4 ever';

    it('logs in with the password once the key is refused, and says so', async () => {
      const s = await server({ passwords: { pi: password } });
      const t = await open(s, { knownHostsFile: freshKnownHosts(), identityFile: strangerKey.path, loginPassword: new Secret(password) });
      expect(t.loginMethod).toBe('password');
      expect((await t.exec('echo in')).stdout).toBe('in\n');
      expect(s.passwordsTried).toEqual([password]);
      expect(s.commands.join('\n')).not.toContain(password);
    });

    it('never sends the password when a key logs in', async () => {
      const s = await server({ passwords: { pi: password } });
      const t = await open(s, { knownHostsFile: freshKnownHosts(), loginPassword: new Secret(password) });
      expect(t.loginMethod).toBe('key');
      expect(s.passwordsTried).toEqual([]);
    });

    it('answers keyboard-interactive (PAM) when the server takes passwords only that way', async () => {
      const s = await server({ passwords: { pi: password }, keyboardInteractiveOnly: true });
      const t = await open(s, { knownHostsFile: freshKnownHosts(), identityFile: strangerKey.path, loginPassword: new Secret(password) });
      expect(t.loginMethod).toBe('password');
      expect(s.passwordsTried).toEqual([password]);
    });

    it('tries a wrong password once, and the error names the password without showing it', async () => {
      const s = await server({ passwords: { pi: password } });
      const wrong = 'not-the-password-42';
      const error = await open(s, { knownHostsFile: freshKnownHosts(), identityFile: strangerKey.path, loginPassword: new Secret(wrong) }).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'auth', keysTried: [strangerKey.path, 'password (--ask-pass)'] });
      expect((error as Error).message).toContain('check the user name and the password of pi');
      expect((error as Error).message).not.toContain(wrong);
      expect(s.passwordsTried).toEqual([wrong]);
    });
  });

  it('logs in with a key held by ssh-agent when no key is named', async () => {
    const s = await server();
    const socket = join(dir, `agent-${Date.now()}.sock`);
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await waitFor(() => existsSync(socket));
      execFileSync('ssh-add', [clientKey.path], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      const home = tempDir('orbis-home-'); // no ~/.ssh/id_* there: only the agent can log us in
      const t = await connect(`pi@127.0.0.1:${s.port}`, { configFile: null, homeDir: home, knownHostsFile: freshKnownHosts(), env: { SSH_AUTH_SOCK: socket } });
      transports.push(t);
      expect((await t.exec('echo agent')).stdout).toBe('agent\n');
      removeDir(home);
    } finally {
      agent.kill();
    }
  });

  it('reports a missing --key file before connecting', async () => {
    const s = await server();
    await expect(open(s, { knownHostsFile: freshKnownHosts(), identityFile: join(dir, 'nope') })).rejects.toThrow(/cannot read the key given with --key/);
  });

  it('goes through one ProxyJump hop (forwardOut + sock), checking both host keys', async () => {
    const jumpHost = await server({ hostKeys: [hostKeyB] });
    const target = await server();
    const home = tempDir('orbis-home-');
    const config = join(home, 'config');
    writeFileSync(config, `Host pi\n  HostName 127.0.0.1\n  Port ${target.port}\n  ProxyJump jump\nHost jump\n  HostName 127.0.0.1\n  Port ${jumpHost.port}\n  User root\n  IdentityFile ${clientKey.path}\n`);
    const knownHostsFile = freshKnownHosts();
    const t = await connect('pi@pi', { configFile: config, homeDir: home, identityFile: clientKey.path, knownHostsFile, env: {} });
    transports.push(t);
    expect(t.connections).toBe(2);
    expect((await t.exec('echo through')).stdout).toBe('through\n');
    expect(jumpHost.logins).toEqual(['root']);
    expect(target.logins).toEqual(['pi']);
    expect(t.recordedHostKeys.map((k) => k.knownHostsName).sort()).toEqual([`[127.0.0.1]:${jumpHost.port}`, `[127.0.0.1]:${target.port}`].sort());
    removeDir(home);
  });

  it('says which hop failed when the jump host refuses us', async () => {
    const jumpHost = await server({ hostKeys: [hostKeyB] });
    const home = tempDir('orbis-home-');
    const config = join(home, 'config');
    writeFileSync(config, `Host pi\n  HostName 127.0.0.1\n  ProxyJump root@127.0.0.1:${jumpHost.port}\n`);
    const error = await connect('pi', { configFile: config, homeDir: home, identityFile: clientKey.path, knownHostsFile: freshKnownHosts(), env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).toMatchObject({ reason: 'jump', host: 'pi' });
    expect((error as Error).message).toMatch(/^cannot reach pi \(port 22\): via jump host 127\.0\.0\.1: authentication failed for user root/);
    removeDir(home);
  });
});

describe('exec', () => {
  it('returns stdout, stderr and the exit code, never rejecting on failure', async () => {
    const t = await open(await server(), { knownHostsFile: freshKnownHosts() });
    expect(await t.exec('echo out; echo err >&2; exit 3')).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3, signal: null, timedOut: false });
    expect(await t.exec('true')).toEqual({ stdout: '', stderr: '', code: 0, signal: null, timedOut: false });
  });

  it('passes stdin through, byte-exact, and keeps multi-byte characters whole', async () => {
    const t = await open(await server(), { knownHostsFile: freshKnownHosts() });
    const text = 'é'.repeat(100_000) + '\nno newline at the end';
    expect((await t.exec('cat', { stdin: text })).stdout).toBe(text);
    expect((await t.exec('od -An -tx1', { stdin: Buffer.from([0, 255, 10]) })).stdout.trim()).toBe('00 ff 0a');
  });

  it('runs the command under bash inside timeout, quoted', async () => {
    const s = await server();
    const t = await open(s, { knownHostsFile: freshKnownHosts() });
    const result = await t.exec(`printf '%s\\n' "it's" $BASH_VERSION | head -1`);
    expect(result.stdout).toBe("it's\n");
    expect(s.commands[0]).toBe(`LC_ALL=C.UTF-8 timeout --kill-after=5s 120 bash -c 'printf '\\''%s\\n'\\'' "it'\\''s" $BASH_VERSION | head -1'`);
  });

  it('kills a command at its timeout and says so', async () => {
    const t = await open(await server(), { knownHostsFile: freshKnownHosts() });
    const started = Date.now();
    const result = await t.exec('sleep 30', { timeoutSec: 1 });
    expect(result).toMatchObject({ code: 124, timedOut: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await t.exec('exit 124', { timeoutSec: 5 })).timedOut).toBe(false);
  });

  it('counts every exec as a round trip, and the connection once', async () => {
    const t = await open(await server(), { knownHostsFile: freshKnownHosts() });
    expect(t.roundTrips).toBe(0);
    await t.exec('true');
    await Promise.all([t.exec('true'), t.exec('false')]);
    expect(t.roundTrips).toBe(3);
    expect(t.connections).toBe(1);
  });

  it('keeps at most 8 channels open: 20 concurrent execs against MaxSessions 10', async () => {
    const s = await server({ maxSessions: 10 });
    const t = await open(s, { knownHostsFile: freshKnownHosts() });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => t.exec(`sleep 0.2; echo ${i}`)));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    expect(s.maxOpenSessions).toBe(8);
    expect(s.refusedSessions).toBe(0);
  });

  it('would hit MaxSessions without the limit (the server really refuses the 11th channel)', async () => {
    const s = await server({ maxSessions: 10 });
    const t = await open(s, { knownHostsFile: freshKnownHosts(), maxChannels: 20 });
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => t.exec('sleep 0.3')));
    const refused = settled.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as unknown);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toBeInstanceOf(ChannelError);
  });

  it('turns a connection reset mid-command into ConnectionLostError, not a crash', async () => {
    const s = await server({
      onExec: ({ command, socket }) => {
        if (!command.includes('RESET_ME')) return false;
        setTimeout(() => socket.resetAndDestroy(), 100);
        return true;
      },
    });
    const t = await open(s, { knownHostsFile: freshKnownHosts() });
    const error = await t.exec('sleep 5 # RESET_ME', { label: 'the long step' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toContain('connection to pi@127.0.0.1');
    expect((error as Error).message).toContain('the long step');
    expect(t.isOpen).toBe(false);
    // Later commands fail fast with the same error instead of hanging.
    await expect(t.exec('true')).rejects.toBeInstanceOf(ConnectionLostError);
  });

  it('fails pending and later commands when the link is cut from our side (fault hook)', async () => {
    const t = await open(await server(), { knownHostsFile: freshKnownHosts() });
    const pending = t.exec('sleep 5');
    await new Promise((r) => setTimeout(r, 200));
    t.cutConnection();
    await expect(pending).rejects.toBeInstanceOf(ConnectionLostError);
    await expect(t.exec('true')).rejects.toThrow(/fault injection/);
  });

  it('declares the link dead when no answer comes long after the command timeout', async () => {
    const s = await server({ onExec: ({ command }) => command.includes('HANG') }); // never answers
    const t = await open(s, { knownHostsFile: freshKnownHosts(), answerGraceSec: 0.2 });
    const error = await t.exec('HANG', { timeoutSec: 0.1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toMatch(/no answer within 5.3 s/);
  }, 10_000);
});

describe('sudo', () => {
  it('runs directly as root, without sudo', async () => {
    const s = await server();
    const t = await open(s, { user: 'root', knownHostsFile: freshKnownHosts() });
    expect((await t.exec('echo hi', { sudo: true })).stdout).toBe('hi\n');
    expect(s.commands[0]).not.toContain('sudo');
  });

  it('NOPASSWD: one round trip, sudo -n', async () => {
    const s = await server();
    const t = await open(s, { knownHostsFile: freshKnownHosts() });
    expect(await t.exec('echo hi', { sudo: true })).toMatchObject({ stdout: 'hi\n', code: 0 });
    expect(t.roundTrips).toBe(1);
    expect(s.commands[0]).toMatch(/^LC_ALL=C\.UTF-8 sudo -n -- timeout /);
  });

  it('sends the become password on stdin, never in the command, before the caller’s stdin', async () => {
    const password = "s3cret pass'word";
    const s = await server({ env: { PATH: `${sudo.binDir}:${process.env.PATH ?? ''}`, FAKE_SUDO_LOG: sudo.log, FAKE_SUDO_PASSWORD: password } });
    writeFileSync(sudo.log, '');
    const t = await open(s, { knownHostsFile: freshKnownHosts(), becomePassword: new Secret(password) });
    const result = await t.exec('cat', { sudo: true, stdin: 'caller data\n' });
    expect(result).toMatchObject({ stdout: 'caller data\n', code: 0 });
    // First `sudo -n` (refused, nothing ran), then `sudo -S` with the password: two round trips.
    expect(t.roundTrips).toBe(2);
    expect(s.commands).toHaveLength(2);
    expect(s.commands[1]).toMatch(/^LC_ALL=C\.UTF-8 sudo -S -p '' -k -- timeout /);
    for (const command of s.commands) expect(command).not.toContain('s3cret');
    expect(readFileSync(sudo.log, 'utf8')).toContain(`stdin-password:${password}\n`);
    // From then on, password mode straight away: one round trip per command.
    expect((await t.exec('id -u', { sudo: true })).code).toBe(0);
    expect(t.roundTrips).toBe(3);
  });

  it('says clearly when sudo needs a password and none was given', async () => {
    const s = await server({ env: { PATH: `${sudo.binDir}:${process.env.PATH ?? ''}`, FAKE_SUDO_LOG: sudo.log, FAKE_SUDO_PASSWORD: 'pw' } });
    const t = await open(s, { knownHostsFile: freshKnownHosts() });
    const error = await t.exec('true', { sudo: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BecomeError);
    expect((error as Error).message).toMatch(/^sudo on pi@127\.0\.0\.1:\d+ requires a password\nuse --ask-become-pass, or configure NOPASSWD/);
  });

  it('tries a wrong password once, even for concurrent commands, and never shows it', async () => {
    const s = await server({ env: { PATH: `${sudo.binDir}:${process.env.PATH ?? ''}`, FAKE_SUDO_LOG: sudo.log, FAKE_SUDO_PASSWORD: 'right' } });
    writeFileSync(sudo.log, '');
    const t = await open(s, { knownHostsFile: freshKnownHosts(), becomePassword: new Secret('wrong-one') });
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => t.exec('true', { sudo: true })));
    for (const r of settled) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(BecomeError);
      expect(reason.message).not.toContain('wrong-one');
    }
    expect(readFileSync(sudo.log, 'utf8').match(/stdin-password:/g)).toHaveLength(1);
    // Commands without sudo still work on this connection.
    expect((await t.exec('echo fine')).stdout).toBe('fine\n');
  });
});
