import { describe, expect, it } from 'vitest';
import { planLink } from '../../../src/resources/link.js';
import type { Change, DesiredLink } from '../../../src/resources/types.js';
import type { PathFact } from '../../../src/facts/types.js';
import { ABSENT, context, dirFact, fileFact, hostFacts, id } from './fixtures.js';

const PATH = '/etc/nginx/sites-enabled/orbis';
const TARGET = '/etc/nginx/sites-available/orbis';

function link(path = PATH, target = TARGET): DesiredLink {
  return { kind: 'link', id: id('link', path), path, target };
}

function plan(desired: DesiredLink, fact: PathFact | undefined): Change[] {
  return planLink(desired, hostFacts({ paths: fact === undefined ? {} : { [desired.path]: fact } }), context());
}

describe('link', () => {
  it('in sync when it points where it should', () => {
    expect(plan(link(), { exists: true, type: 'link', linkTarget: TARGET })).toEqual([]);
  });

  it.each<[string, PathFact | undefined, Partial<Change>]>([
    ['missing', ABSENT, { summary: `create -> ${TARGET}` }],
    ['not reported by the probe', undefined, { summary: `create -> ${TARGET}` }],
    ['wrong target', { exists: true, type: 'link', linkTarget: '/tmp/old' }, { summary: `retarget /tmp/old -> ${TARGET}` }],
    // The target is compared as written: ln -sfn would otherwise be skipped for a relative link.
    ['same place, written relatively', { exists: true, type: 'link', linkTarget: '../sites-available/orbis' }, { summary: `retarget ../sites-available/orbis -> ${TARGET}` }],
  ])('%s -> symlink', (_name, fact, expected) => {
    expect(plan(link(), fact)).toEqual([{ id: link().id, actions: [{ op: 'symlink', path: PATH, target: TARGET }], ...expected }]);
  });

  it('a link in a systemd unit directory also reloads systemd', () => {
    const alias = link('/etc/systemd/system/relay.service', '/etc/systemd/system/orbis.service');
    expect(plan(alias, ABSENT)[0]?.actions.map((a) => a.op)).toEqual(['symlink', 'daemon-reload']);
  });

  it.each<[string, PathFact]>([
    ['a file', fileFact('x')],
    ['a directory', dirFact()],
  ])('cannot replace %s', (name, fact) => {
    const [change] = plan(link(), fact);
    expect(change?.actions).toEqual([]);
    expect(change?.error).toContain(`is ${name === 'a file' ? 'a regular file' : 'a directory'} on the host, not a symlink`);
  });
});
