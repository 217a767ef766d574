import { describe, expect, it } from 'vitest';
import { covers, isLoopback, parseListeners, splitEndpoint, unitFromCgroup } from '../../../src/verify/parse/ss.js';
import { fixture } from './helpers.js';

describe('ss -Htulnp', () => {
  it('reads protocol, address, port and every owning process', () => {
    const listeners = parseListeners(fixture('ss-lab.txt'));
    expect(listeners).toHaveLength(9);
    expect(listeners[0]).toEqual({ protocol: 'tcp', address: '127.0.0.1', port: 1935, owners: [{ name: 'nginx', pid: 2801 }, { name: 'nginx', pid: 2800 }] });
    expect(listeners.find((l) => l.port === 11935)?.owners).toEqual([{ name: 'stunnel4', pid: 2958 }]);
    expect(listeners.find((l) => l.address === '::')?.port).toBe(22);
  });

  it('handles UDP, IPv6, interface scopes, a wildcard and a socket without process', () => {
    const text = [
      'udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=401,fd=13))',
      'tcp   LISTEN 0      5                  *:8000            *:*    users:(("python3",pid=9,fd=3))',
      'tcp   LISTEN 0      128            [::1]:631          [::]:*',
      'LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=7,fd=6))',
      '',
    ].join('\n');
    expect(parseListeners(text)).toEqual([
      { protocol: 'udp', address: '127.0.0.53', port: 53, owners: [{ name: 'systemd-resolve', pid: 401 }] },
      { protocol: 'tcp', address: '*', port: 8000, owners: [{ name: 'python3', pid: 9 }] },
      { protocol: 'tcp', address: '::1', port: 631, owners: [] },
      { protocol: 'tcp', address: '0.0.0.0', port: 80, owners: [{ name: 'nginx', pid: 7 }] },
    ]);
  });

  it('splits endpoints', () => {
    expect(splitEndpoint('[::ffff:127.0.0.1]:80')).toEqual({ address: '::ffff:127.0.0.1', port: 80 });
    expect(splitEndpoint('garbage')).toBeUndefined();
  });

  it('tells loopback and what a bound address serves', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(covers('0.0.0.0', '127.0.0.1')).toBe(true);
    expect(covers('::', '127.0.0.1')).toBe(true);
    expect(covers('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(covers('10.0.0.5', '127.0.0.1')).toBe(false);
  });
});

describe('unit of a process from its cgroup', () => {
  it('reads cgroup v2, hybrid v1 and nested slices', () => {
    expect(unitFromCgroup('0::/system.slice/nginx.service\n')).toBe('nginx.service');
    expect(unitFromCgroup('9:name=systemd:/system.slice/system-stunnel.slice/stunnel@kick.service\n8:pids:/\n0::/\n')).toBe('stunnel@kick.service');
    expect(unitFromCgroup('0::/user.slice/user-1000.slice/session-3.scope\n')).toBe('session-3.scope');
    expect(unitFromCgroup('')).toBe('');
  });
});
