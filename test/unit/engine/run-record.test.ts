import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/engine/plan.js';
import { applyRecord, parseRecord, touchedPaths, touchedUnits } from '../../../src/engine/run-record.js';
import { recordBody } from '../../../src/engine/script-lib.js';
import type { Change } from '../../../src/resources/types.js';
import type { HostFacts } from '../../../src/facts/types.js';
import type { DesiredState } from '../../../src/roles/desired.js';

const changes: Change[] = [
  { id: { role: 'nginx-rtmp', type: 'package', name: 'nginx' }, summary: 'install', actions: [{ op: 'apt-install', packages: ['nginx'] }] },
  {
    id: { role: 'nginx-rtmp', type: 'file', name: '/etc/nginx/orbis/rtmp.conf' },
    summary: 'update',
    actions: [{ op: 'write-file', path: '/etc/nginx/orbis/rtmp.conf', content: 'push x playPath=KEY;\n', mode: '0600', owner: 'root', group: 'root', validate: 'nginx -t', backup: true, previousSha256: 'ab' }],
    notify: ['restart nginx'],
  },
  { id: { role: 'orbis-service', type: 'file', name: '/etc/orbis/orbis.conf' }, summary: 'mode', actions: [{ op: 'chmod', path: '/etc/orbis/orbis.conf', mode: '0640' }], notify: ['restart orbis'] },
  { id: { role: 'nginx-rtmp', type: 'directory', name: '/etc/nginx/orbis' }, summary: 'mode', actions: [{ op: 'chmod', path: '/etc/nginx/orbis', mode: '0755' }] },
  { id: { role: 'big', type: 'file', name: '/srv/big' }, summary: 'update', actions: [{ op: 'write-file', path: '/srv/big', content: 'x', mode: '0644', owner: 'root', group: 'root', backup: false, previousSha256: null }] },
  { id: { role: 'stunnel', type: 'service', name: 'stunnel@kick.service' }, summary: 'enable and start', actions: [{ op: 'systemctl', verb: 'enable', unit: 'stunnel@kick.service' }, { op: 'systemctl', verb: 'start', unit: 'stunnel@kick.service' }] },
  { id: { role: 'nginx-rtmp', type: 'service', name: 'nginx.service' }, summary: 'restart', actions: [{ op: 'systemctl', verb: 'restart', unit: 'nginx.service' }] },
];

describe('run record', () => {
  it('lists the files a run touches (not directories) and the units whose state it changes (not restarts)', () => {
    expect(touchedPaths(changes).map((t) => t.path)).toEqual(['/etc/nginx/orbis/rtmp.conf', '/etc/orbis/orbis.conf', '/srv/big']);
    expect(touchedUnits(changes)).toEqual(['stunnel@kick.service']);
  });

  it('records what undoing the run needs, and no secret', () => {
    const plan: Plan = { changes, handlers: [{ name: 'restart nginx', role: 'nginx-rtmp', unit: 'nginx.service', action: 'restart' }], pendingFromEarlier: [], manifest: {}, empty: false };
    const desired = {
      roles: ['nginx-rtmp', 'orbis-service'],
      resources: [{ kind: 'file', id: { role: 'orbis-service', type: 'file', name: '/etc/orbis/orbis.conf' }, path: '/etc/orbis/orbis.conf', content: 'c', mode: '0640', owner: 'root', group: 'orbis', validate: 'bash -n %s' }],
      handlers: [
        { name: 'restart nginx', role: 'nginx-rtmp', unit: 'nginx.service', action: 'restart' },
        { name: 'restart orbis', role: 'orbis-service', unit: 'orbis.service', action: 'restart' },
      ],
      verify: [],
      secretValues: ['KEY'],
    } as DesiredState;
    const facts = { manifest: { '/etc/nginx/orbis/rtmp.conf': 'ab' }, manifestRoles: { '/etc/nginx/orbis/rtmp.conf': 'nginx-rtmp' } } as unknown as HostFacts;
    const record = applyRecord({ id: 'r1', time: 't', controller: 'me@here', orbisVersion: '0.1.0', plan, desired, facts });
    expect(record.files).toEqual([
      { path: '/etc/nginx/orbis/rtmp.conf', role: 'nginx-rtmp', notify: ['restart nginx'], keep: true },
      // chmod only: the validation comes from the role's file resource.
      { path: '/etc/orbis/orbis.conf', role: 'orbis-service', notify: ['restart orbis'], validate: 'bash -n %s', keep: true },
      { path: '/srv/big', role: 'big', notify: [], keep: false },
    ]);
    expect(record.units).toEqual(['stunnel@kick.service']);
    expect(record.handlerDefs.map((h) => h.name)).toEqual(['restart nginx', 'restart orbis']);
    expect(record.manifestBefore).toEqual({ '/etc/nginx/orbis/rtmp.conf': { sha256: 'ab', role: 'nginx-rtmp' } });
    const json = JSON.stringify(record);
    expect(json).not.toContain('KEY');
    // As the script writes it, then reads it back.
    const written = `{"seq":7,"status":"applied",${recordBody(json)}`;
    expect(parseRecord(written)).toMatchObject({ seq: 7, status: 'applied', id: 'r1', kind: 'apply' });
  });

  it('ignores records it cannot use (an older orbis, damage)', () => {
    expect(parseRecord('{"id":"x","orbis":"0.1.0","time":"t","changes":[]}')).toBeUndefined();
    expect(parseRecord('{"seq":1,"status":"appl')).toBeUndefined();
  });
});
