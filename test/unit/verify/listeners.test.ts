import { describe, expect, it } from 'vitest';
import { listenerChecks } from '../../../src/verify/checks/listeners.js';
import { parseListeners, parseProcess, type ProcessInfo } from '../../../src/verify/parse/ss.js';
import { fixture, LAB_PROCS, labInput } from './helpers.js';

function procs(list = LAB_PROCS): Record<number, ProcessInfo> {
  return Object.fromEntries(list.map(([pid, user, name, cmd, cg]) => [pid, parseProcess(pid, user, name, cmd, cg)]));
}

const byName = (outcomes: ReturnType<typeof listenerChecks>) => Object.fromEntries(outcomes.map((o) => [o.name, o]));

describe('listener checks', () => {
  it('pass when each port is held by its unit, whatever the process is called', () => {
    const r = byName(listenerChecks(labInput(), parseListeners(fixture('ss-lab.txt')), procs()));
    expect(Object.values(r).map((o) => `${o.name} ${o.status}`)).toEqual([
      'listen.rtmp pass', 'listen.stats pass', 'listen.stunnel pass', 'listen.btfs-gateway pass', 'listen.exposure pass',
    ]);
    expect(r['listen.btfs-gateway']?.value).toBe('127.0.0.1:8080: python3 (btfs.service, pid 2882)');
    expect(r['listen.exposure']?.value).toContain('btfs.service on tcp 0.0.0.0:4001 (BTFS_ESSAIM_EXPOSE)');
  });

  it('a port held by another process fails naming it, as a cause', () => {
    const ss = fixture('ss-lab.txt').replace(/^tcp LISTEN 0\s+511\s+127\.0\.0\.1:1935 .*$/m, 'tcp LISTEN 0 5 0.0.0.0:1935 0.0.0.0:* users:(("python3",pid=777,fd=3))');
    const list = [...LAB_PROCS, [777, 'pi', 'python3', 'python3 -m http.server 1935', '0::/user.slice/user-1000.slice/session-4.scope'] as [number, string, string, string, string]];
    const r = byName(listenerChecks(labInput(), parseListeners(ss), procs(list)));
    expect(r['listen.rtmp']).toMatchObject({ status: 'fail', cause: true });
    expect(r['listen.rtmp']?.value).toBe('127.0.0.1:1935 is held by python3 (pid 777, user pi, session-4.scope, `python3 -m http.server 1935`), not nginx.service');
    expect(r['listen.rtmp']?.hint).toContain('kill 777');
    // The intruder is on every interface, but it is not one of orbis's units: not an exposure.
    expect(r['listen.exposure']?.status).toBe('pass');
  });

  it('nothing listening is a failure that needs its unit', () => {
    const ss = fixture('ss-lab.txt').split('\n').filter((l) => !l.includes(':11935')).join('\n');
    const r = byName(listenerChecks(labInput(), parseListeners(ss), procs()));
    expect(r['listen.stunnel']).toMatchObject({ status: 'fail', value: 'nothing listens on 127.0.0.1:11935', needs: ['unit.stunnel'] });
  });

  it('exposure: a managed unit beyond loopback that no setting asked for fails', () => {
    const ss = `${fixture('ss-lab.txt')}tcp LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=2801,fd=7),("nginx",pid=2800,fd=7))\n`;
    const r = byName(listenerChecks(labInput(['BTFS_ESSAIM_EXPOSE=false']), parseListeners(ss), procs()));
    expect(r['listen.exposure']?.status).toBe('fail');
    expect(r['listen.exposure']?.value).toBe('reachable from the network: btfs.service on tcp 0.0.0.0:4001; nginx.service on tcp 0.0.0.0:80');
    // sshd on 0.0.0.0:22 is not orbis's business.
    expect(r['listen.exposure']?.value).not.toContain('ssh');
  });

  it('RTMP on every interface is fine when NGINX_ADRESSE_RTMP asks for it', () => {
    const ss = fixture('ss-lab.txt').replace('127.0.0.1:1935 ', '0.0.0.0:1935 ');
    const r = byName(listenerChecks(labInput(['NGINX_ADRESSE_RTMP=0.0.0.0']), parseListeners(ss), procs()));
    expect(r['listen.rtmp']?.status).toBe('pass');
    expect(r['listen.exposure']?.value).toContain('nginx.service on tcp 0.0.0.0:1935 (NGINX_ADRESSE_RTMP)');
  });

  it('Kick off: no stunnel listener expected', () => {
    const r = byName(listenerChecks(labInput(['KICK_ACTIF=false']), parseListeners(fixture('ss-lab.txt')), procs()));
    expect(r['listen.stunnel']).toBeUndefined();
  });
});
