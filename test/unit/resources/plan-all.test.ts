import { describe, expect, it } from 'vitest';
import { emptyPlanContext, formatChanges, planAll, planResource, recordPlannedEffects } from '../../../src/resources/index.js';
import type { Change, Desired } from '../../../src/resources/types.js';
import type { HostFacts } from '../../../src/facts/types.js';
import { ABSENT, dirFact, fileFact, hostFacts, id, sha } from './fixtures.js';

const KEY = 'dlive_5e4d3c2b1a0f9e8d';
const NGINX_CONF = `rtmp {\n  push rtmp://stream.dlive.tv/live/${KEY};\n}\n`;
const UNIT = '[Unit]\nDescription=BTFS\n[Service]\nExecStart=/usr/local/bin/btfs daemon\n';
const BTFS = '#!/bin/sh\n';

// A small stack in role order, as the roles loader emits it.
const STACK: Desired[] = [
  { kind: 'group', id: id('group', 'orbis', 'btfs'), name: 'orbis', system: true },
  { kind: 'user', id: id('user', 'btfs', 'btfs'), name: 'btfs', system: true, home: '/var/lib/btfs', groups: ['orbis'] },
  { kind: 'package', id: id('package', 'nginx', 'nginx-rtmp'), name: 'nginx', version: '>= 1.22' },
  { kind: 'package', id: id('package', 'libnginx-mod-rtmp', 'nginx-rtmp'), name: 'libnginx-mod-rtmp' },
  {
    kind: 'file',
    id: id('file', '/etc/nginx/nginx.conf', 'nginx-rtmp'),
    path: '/etc/nginx/nginx.conf',
    content: NGINX_CONF,
    mode: '0640',
    owner: 'root',
    group: 'www-data',
    validate: 'nginx -t',
    secretValues: [KEY],
    notify: ['reload nginx'],
  },
  { kind: 'directory', id: id('directory', '/var/lib/btfs', 'btfs'), path: '/var/lib/btfs', mode: '0750', owner: 'btfs', group: 'btfs' },
  {
    kind: 'download',
    id: id('download', '/usr/local/bin/btfs', 'btfs'),
    url: 'http://ingest.lab/btfs',
    sha256: sha(BTFS),
    path: '/usr/local/bin/btfs',
    mode: '0755',
    owner: 'root',
    group: 'root',
  },
  {
    kind: 'file',
    id: id('file', '/etc/systemd/system/btfs.service', 'btfs'),
    path: '/etc/systemd/system/btfs.service',
    content: UNIT,
    mode: '0644',
    owner: 'root',
    group: 'root',
    notify: ['restart btfs'],
  },
  { kind: 'command', id: id('command', 'btfs init', 'btfs'), command: 'btfs init', user: 'btfs', creates: '/var/lib/btfs/.btfs' },
  {
    kind: 'service',
    id: id('service', 'nginx.service', 'nginx-rtmp'),
    unit: 'nginx.service',
    enabled: true,
    state: 'started',
    providedBy: 'nginx',
    notify: ['never on a no-op'],
  },
  { kind: 'service', id: id('service', 'btfs.service', 'btfs'), unit: 'btfs.service', enabled: true, state: 'started' },
];

const FRESH: HostFacts = hostFacts({
  paths: {
    '/etc/nginx/nginx.conf': ABSENT,
    '/var/lib/btfs': ABSENT,
    '/usr/local/bin/btfs': ABSENT,
    '/etc/systemd/system/btfs.service': ABSENT,
    '/var/lib/btfs/.btfs': ABSENT,
  },
  // A fresh bookworm base has www-data already.
  users: { root: { uid: 0, gid: 0, home: '/root', shell: '/bin/bash', groups: ['root'] } },
  groups: { 'www-data': { gid: 33 } },
});

const CONVERGED: HostFacts = hostFacts({
  packages: { nginx: '1.22.1-9+deb12u1', 'libnginx-mod-rtmp': '1.2.2-1+b1' },
  users: { btfs: { uid: 998, gid: 998, home: '/var/lib/btfs', shell: '/usr/sbin/nologin', groups: ['btfs', 'orbis'] } },
  groups: { orbis: { gid: 997 }, btfs: { gid: 998 }, 'www-data': { gid: 33 } },
  paths: {
    '/etc/nginx/nginx.conf': fileFact(NGINX_CONF, { mode: '0640', group: 'www-data' }),
    '/var/lib/btfs': dirFact({ mode: '0750', owner: 'btfs', group: 'btfs' }),
    '/usr/local/bin/btfs': fileFact(BTFS, { mode: '0755' }),
    '/etc/systemd/system/btfs.service': fileFact(UNIT),
    '/var/lib/btfs/.btfs': dirFact(),
  },
  units: {
    'nginx.service': { load: 'loaded', active: 'active', enabled: 'enabled' },
    'btfs.service': { load: 'loaded', active: 'active', enabled: 'enabled' },
  },
});

/** Everything of a change a user can see (the actions carry the clear content to the Pi). */
const visible = (changes: Change[]): string => JSON.stringify(changes.map(({ actions: _actions, ...rest }) => rest));

describe('planAll', () => {
  it('a converged host plans nothing', () => {
    expect(planAll(STACK, CONVERGED)).toEqual([]);
  });

  describe('a fresh host, in check mode', () => {
    const changes = planAll(STACK, FRESH);
    const byName = (name: string): Change | undefined => changes.find((c) => c.id.name === name);

    it('plans every resource without a single error', () => {
      expect(changes.map((c) => [c.id.type, c.id.name])).toEqual(STACK.map((d) => [d.id.type, d.id.name]));
      expect(changes.filter((c) => c.error !== undefined)).toEqual([]);
    });

    it('later steps assume what earlier ones do (why-run)', () => {
      expect(byName('nginx.service')?.summary).toBe('enable and start after package nginx is installed');
      expect(byName('btfs.service')?.summary).toBe('enable and start after /etc/systemd/system/btfs.service is written');
      expect(byName('/var/lib/btfs')?.assumptions).toEqual([
        'assumes user btfs is created by an earlier resource',
        // useradd creates the user's own group.
        'assumes group btfs is created by an earlier resource',
      ]);
      expect(byName('btfs')?.actions).toEqual([
        { op: 'useradd', name: 'btfs', system: true, home: '/var/lib/btfs', groups: ['orbis'] },
      ]);
      expect(byName('btfs init')?.assumptions).toEqual(['assumes user btfs is created by an earlier resource']);
    });

    it('copies notify onto real changes', () => {
      expect(byName('/etc/nginx/nginx.conf')?.notify).toEqual(['reload nginx']);
      expect(byName('/etc/systemd/system/btfs.service')?.notify).toEqual(['restart btfs']);
      expect(byName('nginx.service')?.notify).toEqual(['never on a no-op']);
    });

    it('never shows the stream key, in summaries, diffs or the printed plan', () => {
      expect(visible(changes)).not.toContain(KEY);
      expect(formatChanges(changes)).not.toContain(KEY);
      expect(byName('/etc/nginx/nginx.conf')?.diff).toContain('+  push rtmp://stream.dlive.tv/live/********;');
      // ... while the write itself carries the real content to the Pi.
      expect(byName('/etc/nginx/nginx.conf')?.actions[0]).toMatchObject({ op: 'write-file', content: NGINX_CONF });
    });
  });

  it('a plan that cannot be planned records nothing, so its dependents say what is missing', () => {
    const broken: Desired[] = [
      { kind: 'package', id: id('package', 'nginx'), name: 'nginx', version: '> 1.0' },
      { kind: 'service', id: id('service', 'nginx.service'), unit: 'nginx.service', state: 'started', providedBy: 'nginx' },
    ];
    const [pkg, svc] = planAll(broken, FRESH);
    expect(pkg?.error).toContain("'>' is ambiguous");
    expect(svc?.error).toContain('package nginx that ships it is neither installed nor planned');
  });

  it('no notify when nothing changes, nor when the change cannot be planned', () => {
    const notifying: Desired = { kind: 'service', id: id('service', 'x.service'), unit: 'x.service', state: 'started', notify: ['h'] };
    expect(planResource(notifying, FRESH, emptyPlanContext())[0]).toMatchObject({ error: expect.any(String) });
    expect(planResource(notifying, FRESH, emptyPlanContext())[0]?.notify).toBeUndefined();
  });

  it('masks the secrets of any resource: a command line, a URL', () => {
    const token = 'tok_9f8e7d6c5b4a';
    const desired: Desired[] = [
      { kind: 'command', id: id('command', 'register'), command: `curl -H 'X-Token: ${token}' http://x`, secretValues: [token] },
      {
        kind: 'download',
        id: id('download', '/opt/x'),
        url: `https://example.invalid/x?token=${token}`,
        sha256: 'ab'.repeat(32),
        path: '/opt/x',
        mode: '0755',
        owner: 'root',
        group: 'root',
        secretValues: [token],
      },
    ];
    const changes = planAll(desired, FRESH);
    expect(changes).toHaveLength(2);
    expect(visible(changes)).not.toContain(token);
  });
});

describe('recordPlannedEffects', () => {
  it('learns packages (pinned too), users with their own group, groups and paths', () => {
    const context = emptyPlanContext();
    recordPlannedEffects(context, {
      id: id('package', 'x'),
      summary: '',
      actions: [
        { op: 'apt-install', packages: ['nginx', 'stunnel4=3:5.68-2'] },
        { op: 'useradd', name: 'btfs', system: true },
        { op: 'useradd', name: 'relay', system: true, group: 'orbis' },
        { op: 'groupadd', name: 'orbis', system: true },
        { op: 'mkdir', path: '/a', mode: '0755', owner: 'root', group: 'root' },
        { op: 'symlink', path: '/b', target: '/a' },
      ],
    });
    expect([...context.packagesToInstall]).toEqual(['nginx', 'stunnel4']);
    expect([...context.usersToCreate]).toEqual(['btfs', 'relay']);
    expect([...context.groupsToCreate]).toEqual(['btfs', 'orbis']);
    expect([...context.pathsToCreate]).toEqual(['/a', '/b']);
  });
});
