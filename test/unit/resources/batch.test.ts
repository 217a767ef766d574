import { describe, expect, it } from 'vitest';
import { batchActions } from '../../../src/resources/batch.js';
import type { Action, Change } from '../../../src/resources/types.js';
import { id } from './fixtures.js';

function change(name: string, ...actions: Action[]): Change {
  return { id: id('file', name), summary: name, actions };
}

const install = (...packages: string[]): Action => ({ op: 'apt-install', packages });
const write = (path: string): Action => ({
  op: 'write-file',
  path,
  content: '',
  mode: '0644',
  owner: 'root',
  group: 'root',
  backup: true,
  previousSha256: null,
});
const start = (unit: string): Action => ({ op: 'systemctl', verb: 'start', unit });
const RELOAD: Action = { op: 'daemon-reload' };

describe('batchActions', () => {
  it('one apt-install, where the first one was, each package once, a pinned version winning', () => {
    const actions = batchActions([
      change('sources', write('/etc/apt/sources.list.d/x.list')),
      change('a', install('nginx')),
      change('conf', write('/etc/nginx/nginx.conf')),
      change('b', install('stunnel4', 'nginx')),
      change('c', install('nginx=1.22.1-9')),
    ]);
    expect(actions).toEqual([write('/etc/apt/sources.list.d/x.list'), install('nginx=1.22.1-9', 'stunnel4'), write('/etc/nginx/nginx.conf')]);
  });

  it('apt-removes merge too', () => {
    const remove = (...packages: string[]): Action => ({ op: 'apt-remove', packages });
    expect(batchActions([change('a', remove('apache2')), change('b', install('x')), change('c', remove('lighttpd'))])).toEqual([
      remove('apache2', 'lighttpd'),
      install('x'),
    ]);
  });

  it('daemon-reloads collapse to one before the systemctl steps that need them', () => {
    const actions = batchActions([
      change('u1', write('/etc/systemd/system/a.service'), RELOAD),
      change('u2', write('/etc/systemd/system/b.service'), RELOAD),
      change('s1', start('a.service')),
      change('u3', write('/etc/systemd/system/c.service'), RELOAD),
    ]);
    expect(actions.map((a) => a.op)).toEqual(['write-file', 'write-file', 'daemon-reload', 'systemctl', 'write-file', 'daemon-reload']);
  });

  it('leaves out changes that cannot be planned', () => {
    const broken: Change = { ...change('x', install('never')), error: 'cannot' };
    expect(batchActions([broken, change('ok', start('a.service'))])).toEqual([start('a.service')]);
  });

  it('keeps the per-resource changes untouched (they are the report)', () => {
    const changes = [change('a', install('nginx')), change('b', install('stunnel4'))];
    batchActions(changes);
    expect(changes[1]?.actions).toEqual([install('stunnel4')]);
  });
});
