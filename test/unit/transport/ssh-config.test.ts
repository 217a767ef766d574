import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTarget, resolveTarget, TargetError, type ResolveOptions } from '../../../src/transport/ssh-config.js';
import { removeDir, tempDir } from './fake-sshd.js';

describe('parseTarget', () => {
  it.each([
    ['pi.lan', { host: 'pi.lan' }],
    ['pi@pi.lan', { user: 'pi', host: 'pi.lan' }],
    ['pi@10.0.0.5:2222', { user: 'pi', host: '10.0.0.5', port: 2222 }],
    ['10.0.0.5:22', { host: '10.0.0.5', port: 22 }],
    ['admin@[fe80::1]:2200', { user: 'admin', host: 'fe80::1', port: 2200 }],
    ['fe80::1', { host: 'fe80::1' }],
    ['[fe80::1]', { host: 'fe80::1' }],
    ['ssh://pi@pi.lan:2222', { user: 'pi', host: 'pi.lan', port: 2222 }],
    ['first.last@pi.lan', { user: 'first.last', host: 'pi.lan' }],
    ['pi_kitchen', { host: 'pi_kitchen' }],
  ])('%s', (target, expected) => {
    expect(parseTarget(target)).toEqual(expected);
  });

  it.each([
    ['', /invalid host/],
    ['pi@', /invalid host/],
    ['-oProxyCommand=x', /invalid host/],
    ['pi@host:0', /invalid port/],
    ['pi@host:65536', /invalid port/],
    ['pi@host:22x', /invalid port/],
    ['pi@host:', /invalid port/],
    ['p i@host', /invalid user/],
    ['-u@host', /invalid user/],
    ['pi@ho st', /invalid host/],
    ['pi@host;rm', /invalid host/],
  ])('rejects %j', (target, message) => {
    expect(() => parseTarget(target)).toThrow(TargetError);
    expect(() => parseTarget(target)).toThrow(message);
  });
});

describe('resolveTarget through an SSH config', () => {
  let home: string;
  let config: string;
  const base = (): ResolveOptions => ({ configFile: config, homeDir: home, localUser: 'me', env: {} });

  beforeAll(() => {
    home = tempDir('orbis-home-');
    mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
    config = join(home, '.ssh', 'config');
    writeFileSync(
      config,
      [
        'Include config.d/*.conf',
        '',
        'Host kitchen',
        '  HostName 192.168.1.20',
        '  User pi',
        '  Port 2222',
        '  IdentityFile ~/.ssh/pi_%h_%r',
        '  IdentityFile "/keys/with space"',
        '',
        'Host studio',
        '  Hostname %h.lan',
        '  ProxyJump admin@bastion:2200',
        '  UserKnownHostsFile ~/.ssh/fleet_hosts ~/.ssh/other_hosts',
        '  HashKnownHosts yes',
        '  StrictHostKeyChecking yes',
        '  IdentitiesOnly yes',
        '  IdentityFile ~/.ssh/studio',
        '',
        'Host bastion',
        '  HostName jump.example.org',
        '  IdentityFile ~/.ssh/jump_key',
        '',
        'Host chain',
        '  ProxyJump a,b',
        '',
        'Host legacy',
        '  ProxyCommand ssh -W %h:%p gateway',
        '',
        'Host loop1',
        '  ProxyJump loop2',
        'Host loop2',
        '  ProxyJump loop1',
        '',
        'Host agentless',
        '  IdentityAgent none',
        '',
        'Host *',
        '  ServerAliveInterval 10',
        '  ConnectTimeout 7',
        '',
      ].join('\n'),
    );
    writeFileSync(join(home, '.ssh', 'config.d', 'garage.conf'), 'Host garage\n  HostName 192.168.1.30\n  User pi\n');
  });
  afterAll(() => removeDir(home));

  it('maps a Host alias to HostName, User, Port and IdentityFiles, expanding ~ and %h/%r', () => {
    const t = resolveTarget('kitchen', base());
    expect(t).toMatchObject({
      alias: 'kitchen',
      hostname: '192.168.1.20',
      user: 'pi',
      port: 2222,
      identitySource: 'config',
      identityFiles: [join(home, '.ssh', 'pi_192.168.1.20_pi'), '/keys/with space'],
      proxyJump: undefined,
      connectTimeoutSec: 7,
      serverAliveIntervalSec: 10,
      configFile: config,
      warnings: [],
    });
  });

  it('lets explicit values win over the config: user@, :port, --user, --port, --key', () => {
    expect(resolveTarget('admin@kitchen:22', base())).toMatchObject({ user: 'admin', port: 22 });
    const t = resolveTarget('kitchen', { ...base(), user: 'ops', port: 2200, identityFile: '~/.ssh/ops' });
    expect(t).toMatchObject({ user: 'ops', port: 2200, identitySource: 'cli', identityFiles: [join(home, '.ssh', 'ops')] });
    // %r in IdentityFile follows the user that wins
    expect(resolveTarget('ops@kitchen', base()).identityFiles[0]).toBe(join(home, '.ssh', 'pi_192.168.1.20_ops'));
  });

  it('falls back to OpenSSH defaults: local user, port 22, default keys, ~/.ssh/known_hosts', () => {
    const t = resolveTarget('10.0.0.9', { ...base(), env: { SSH_AUTH_SOCK: '/run/agent.sock' } });
    expect(t).toMatchObject({
      hostname: '10.0.0.9',
      user: 'me',
      port: 22,
      identitySource: 'default',
      identityFiles: ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f)),
      agentSocket: '/run/agent.sock',
      knownHostsFiles: [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      hashKnownHosts: false,
      hostKeyPolicy: undefined,
    });
  });

  it('resolves one ProxyJump hop through the config, with its own user and port', () => {
    const t = resolveTarget('studio', base());
    expect(t.hostname).toBe('studio.lan');
    expect(t.proxyJump).toMatchObject({
      alias: 'bastion',
      hostname: 'jump.example.org',
      user: 'admin',
      port: 2200,
      identityFiles: [join(home, '.ssh', 'jump_key')],
    });
  });

  it('does not pass the target’s --user/--port/--key to the jump host', () => {
    const t = resolveTarget('studio', { ...base(), user: 'ops', port: 2022, identityFile: '/k' });
    expect(t.proxyJump).toMatchObject({ user: 'admin', port: 2200, identitySource: 'config' });
  });

  it('reads known_hosts files, HashKnownHosts, StrictHostKeyChecking and IdentitiesOnly', () => {
    expect(resolveTarget('studio', base())).toMatchObject({
      knownHostsFiles: [join(home, '.ssh', 'fleet_hosts'), join(home, '.ssh', 'other_hosts')],
      hashKnownHosts: true,
      hostKeyPolicy: 'strict',
      identitiesOnly: true,
    });
  });

  it('makes --known-hosts the only known_hosts file, without the system-wide ones', () => {
    expect(resolveTarget('studio', { ...base(), knownHostsFile: '/tmp/kh' })).toMatchObject({
      knownHostsFiles: ['/tmp/kh'],
      globalKnownHostsFiles: [],
    });
  });

  it('follows top-level Include globs relative to ~/.ssh', () => {
    expect(resolveTarget('garage', base())).toMatchObject({ hostname: '192.168.1.30', user: 'pi' });
  });

  it('refuses ProxyJump lists and loops with a clear error', () => {
    expect(() => resolveTarget('chain', base())).toThrow(/several hops; orbis supports one/);
    expect(() => resolveTarget('loop1', base())).toThrow(/deeper than 4/);
  });

  it('warns that ProxyCommand is not honoured', () => {
    expect(resolveTarget('legacy', base()).warnings).toEqual([
      'ProxyCommand is not supported by orbis (connecting directly to legacy); use ProxyJump instead',
    ]);
  });

  it('honours IdentityAgent none', () => {
    expect(resolveTarget('agentless', { ...base(), env: { SSH_AUTH_SOCK: '/run/agent.sock' } }).agentSocket).toBeUndefined();
  });

  it('reads no config with configFile: null, and tolerates a missing one', () => {
    expect(resolveTarget('kitchen', { ...base(), configFile: null })).toMatchObject({ hostname: 'kitchen', port: 22, configFile: undefined });
    expect(resolveTarget('kitchen', { ...base(), configFile: join(home, 'nope') }).hostname).toBe('kitchen');
  });
});
