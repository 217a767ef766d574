import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { INSTALLED_HASH_MEASURED_ON_RECORD, makePlan, probeSpecFor, rolesDuringApt } from '../../../src/engine/plan.js';
import type { Change, DesiredFile } from '../../../src/resources/types.js';
import type { DesiredState } from '../../../src/roles/desired.js';
import { hostFacts } from '../resources/fixtures.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function file(path: string, content: string, role = 'web', notify?: string[]): DesiredFile {
  return { kind: 'file', id: { role, type: 'file', name: path }, path, content, mode: '0644', owner: 'root', group: 'root', ...(notify ? { notify } : {}) };
}

function state(resources: DesiredState['resources'], roles = ['web']): DesiredState {
  return {
    roles,
    resources,
    handlers: [
      { name: 'restart web', role: 'web', unit: 'web.service', action: 'restart' },
      { name: 'restart other', role: 'web', unit: 'other.service', action: 'restart' },
    ],
    verify: [],
    secretValues: [],
  };
}

const inSync = (path: string, content: string) => ({ exists: true, type: 'file' as const, mode: '0644', owner: 'root', group: 'root', sha256: sha(content) });

describe('makePlan', () => {
  it('is empty when everything is in sync and nothing is pending', () => {
    const facts = hostFacts({ paths: { '/etc/web.conf': inSync('/etc/web.conf', 'a\n') }, manifest: { '/etc/web.conf': sha('a\n') }, manifestRoles: { '/etc/web.conf': 'web' } });
    const plan = makePlan(state([file('/etc/web.conf', 'a\n')]), facts);
    expect(plan.empty).toBe(true);
    expect(plan.manifest).toEqual({ '/etc/web.conf': { sha256: sha('a\n'), role: 'web' } });
  });

  it('collects notified handlers once, in declaration order, plus pending ones from an earlier run', () => {
    const facts = hostFacts({ pendingHandlers: ['restart other', 'restart gone'] });
    const plan = makePlan(state([file('/etc/a', 'a', 'web', ['restart web']), file('/etc/b', 'b', 'web', ['restart web'])]), facts);
    expect(plan.handlers.map((h) => h.name)).toEqual(['restart web', 'restart other']);
    expect(plan.pendingFromEarlier).toEqual(['restart other']);
  });

  it('pending handlers alone make the plan non-empty', () => {
    const facts = hostFacts({ pendingHandlers: ['restart web'] });
    expect(makePlan(state([]), facts).empty).toBe(false);
  });

  it("removes stale files of the run's roles only, and keeps other roles' entries in the manifest", () => {
    const facts = hostFacts({
      manifest: { '/etc/old-web.conf': 'aa', '/etc/stunnel/kick.conf': 'bb' },
      manifestRoles: { '/etc/old-web.conf': 'web', '/etc/stunnel/kick.conf': 'stunnel' },
    });
    const plan = makePlan(state([]), facts);
    expect(plan.changes.map((c) => [c.id.role, c.id.name, c.actions])).toEqual([['web', '/etc/old-web.conf', [{ op: 'remove', path: '/etc/old-web.conf' }]]]);
    expect(plan.manifest).toEqual({ '/etc/stunnel/kick.conf': { sha256: 'bb', role: 'stunnel' } });
  });

  it('keeps a stale file edited by hand since orbis wrote it (and drops it from the manifest); removes one as orbis left it or already gone', () => {
    const facts = hostFacts({
      manifest: { '/etc/edited.conf': sha('orbis\n'), '/etc/as-left.conf': sha('orbis\n'), '/etc/gone.conf': sha('orbis\n'), '/usr/local/bin/tool': 'aa' },
      manifestRoles: { '/etc/edited.conf': 'web', '/etc/as-left.conf': 'web', '/etc/gone.conf': 'web', '/usr/local/bin/tool': 'web' },
      // An extracted download is compared with the hash measured when it was installed.
      manifestInstalled: { '/usr/local/bin/tool': 'bb' },
      paths: {
        '/etc/edited.conf': { exists: true, type: 'file', sha256: sha('orbis\n# mine\n') },
        '/etc/as-left.conf': { exists: true, type: 'file', sha256: sha('orbis\n') },
        '/etc/gone.conf': { exists: false },
        '/usr/local/bin/tool': { exists: true, type: 'file', sha256: 'bb' },
      },
    });
    const plan = makePlan(state([]), facts);
    expect(plan.changes.map((c) => [c.id.name, c.actions.map((a) => a.op).join(',') || 'kept'])).toEqual([
      ['/etc/as-left.conf', 'remove'],
      ['/etc/edited.conf', 'kept'],
      ['/etc/gone.conf', 'remove'],
      ['/usr/local/bin/tool', 'remove'],
    ]);
    expect(plan.changes.find((c) => c.id.name === '/etc/edited.conf')?.summary).toBe('stale file edited by hand since orbis wrote it: kept, and no longer managed by orbis');
    expect(plan.manifest).toEqual({});
  });

  it("records an extracted download's installed hash to be measured on the Pi, and keeps other roles' measured hashes", () => {
    const download = {
      kind: 'download' as const,
      id: { role: 'btfs', type: 'download' as const, name: '/usr/local/bin/btfs' },
      url: 'http://x/btfs.tar.gz',
      sha256: 'aa'.repeat(32),
      path: '/usr/local/bin/btfs',
      extract: 'btfs',
      mode: '0755',
      owner: 'root',
      group: 'root',
    };
    const facts = hostFacts({
      manifest: { '/usr/local/bin/other': 'bb' },
      manifestRoles: { '/usr/local/bin/other': 'other' },
      manifestInstalled: { '/usr/local/bin/other': 'cc'.repeat(32) },
    });
    const plan = makePlan(state([download]), facts);
    expect(plan.manifest).toEqual({
      '/usr/local/bin/btfs': { sha256: 'aa'.repeat(32), role: 'btfs', installed: INSTALLED_HASH_MEASURED_ON_RECORD },
      '/usr/local/bin/other': { sha256: 'bb', role: 'other', installed: 'cc'.repeat(32) },
    });
  });

  it("validates again first what a cut run wrote for a role of this run and never validated; other roles' notes wait", () => {
    const checked = { ...file('/etc/web.conf', 'a\n'), validate: 'web -t' };
    const facts = hostFacts({
      paths: { '/etc/web.conf': inSync('/etc/web.conf', 'a\n') },
      unvalidated: { web: [{ runId: 'run-1', path: '/etc/web.conf' }], other: [{ runId: 'run-1', path: '/etc/other.conf' }] },
    });
    const plan = makePlan(state([checked]), facts);
    expect(plan.empty).toBe(false);
    expect(plan.changes).toEqual([
      {
        id: { role: 'web', type: 'validation', name: 'web -t' },
        summary: 'validate again 1 file run run-1 wrote and never validated (it was cut); put the previous ones back if they fail',
        actions: [{ op: 'revalidate', role: 'web', commands: ['web -t'] }],
      },
    ]);
  });

  it('tells a hand edit on the host from a configuration change', () => {
    const written = 'port=1\n';
    const handEdited = hostFacts({
      paths: { '/etc/web.conf': { ...inSync('/etc/web.conf', 'port=666\n') } },
      manifest: { '/etc/web.conf': sha(written) },
      manifestRoles: { '/etc/web.conf': 'web' },
    });
    expect(makePlan(state([file('/etc/web.conf', written)]), handEdited).changes[0]?.summary).toMatch(/edited on the host since orbis wrote it/);
    const reconfigured = hostFacts({
      paths: { '/etc/web.conf': inSync('/etc/web.conf', written) },
      manifest: { '/etc/web.conf': sha(written) },
      manifestRoles: { '/etc/web.conf': 'web' },
    });
    expect(makePlan(state([file('/etc/web.conf', 'port=2\n')]), reconfigured).changes[0]?.summary).toMatch(/the configuration changed/);
  });
});

describe('probeSpecFor', () => {
  it('asks about every package, unit, path, owner, guard and handler unit once', () => {
    const spec = probeSpecFor(
      [
        { kind: 'package', id: { role: 'r', type: 'package', name: 'nginx' }, name: 'nginx' },
        { kind: 'service', id: { role: 'r', type: 'service', name: 'stunnel@kick.service' }, unit: 'stunnel@kick.service', providedBy: 'stunnel4' },
        file('/etc/a', 'a'),
        { kind: 'directory', id: { role: 'r', type: 'directory', name: '/srv' }, path: '/srv', mode: '0750', owner: 'orbis', group: 'video' },
        { kind: 'command', id: { role: 'r', type: 'command', name: 'init' }, command: 'btfs init', creates: '/var/lib/btfs/config', unless: 'test -e /x', user: 'btfs' },
      ],
      [{ name: 'restart nginx', role: 'r', unit: 'nginx.service', action: 'restart' }],
    );
    expect(spec).toEqual({
      packages: ['nginx', 'stunnel4'],
      units: ['stunnel@kick.service', 'nginx.service'],
      paths: ['/etc/a', '/srv', '/var/lib/btfs/config'],
      users: ['root', 'orbis', 'btfs'],
      groups: ['root', 'video'],
      guards: ['test -e /x'],
    });
  });
});

describe('roles that run while apt installs', () => {
  const pkg = (role: string): Change => ({ id: { role, type: 'package', name: role }, summary: `install ${role}`, actions: [{ op: 'apt-install', packages: [role] }] });
  const file = (role: string): Change => ({ id: { role, type: 'file', name: `/etc/${role}` }, summary: 'write', actions: [{ op: 'mkdir', path: `/etc/${role}`, mode: '0755', owner: 'root', group: 'root' }] });
  const desired = (duringApt: DesiredState['duringApt']): DesiredState => ({ roles: [], resources: [], handlers: [], verify: [], secretValues: [], duringApt });
  const flagged = desired([{ role: 'btfs', dependsOn: [] }, { role: 'viewer', dependsOn: ['nginx-rtmp'] }]);

  it('a flagged role with nothing to install, depending on nothing apt installs, runs alongside', () => {
    expect(rolesDuringApt(flagged, [pkg('nginx-rtmp'), file('nginx-rtmp'), file('btfs'), file('viewer')])).toEqual(['btfs']);
  });

  it('not when its own packages are installed in this run', () => {
    expect(rolesDuringApt(flagged, [pkg('btfs'), file('btfs')])).toEqual(['viewer']);
  });

  it('not when a role it depends on, directly or not, installs packages now', () => {
    expect(rolesDuringApt(desired([{ role: 'viewer', dependsOn: ['nginx-rtmp', 'system'] }]), [pkg('system'), file('viewer')])).toEqual([]);
  });

  it('no apt step, nothing alongside (and no roles not flagged)', () => {
    expect(rolesDuringApt(flagged, [file('btfs'), file('viewer')])).toEqual([]);
    expect(rolesDuringApt(desired(undefined), [pkg('nginx-rtmp'), file('btfs')])).toEqual([]);
  });
});
