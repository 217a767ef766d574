import { describe, expect, it } from 'vitest';
import { planDirectory } from '../../../src/resources/directory.js';
import type { Change, DesiredDirectory } from '../../../src/resources/types.js';
import type { PathFact } from '../../../src/facts/types.js';
import { ABSENT, context, dirFact, fileFact, hostFacts, id } from './fixtures.js';

const PATH = '/var/lib/orbis';

function dir(extra: Partial<DesiredDirectory> = {}): DesiredDirectory {
  return { kind: 'directory', id: id('directory', PATH), path: PATH, mode: '0755', owner: 'root', group: 'root', ...extra };
}

function plan(desired: DesiredDirectory, fact: PathFact | undefined, usersToCreate: string[] = []): Change[] {
  const paths: Record<string, PathFact> = fact === undefined ? {} : { [PATH]: fact };
  return planDirectory(desired, hostFacts({ paths }), context({ usersToCreate, groupsToCreate: usersToCreate }));
}

describe('directory', () => {
  it.each<[string, DesiredDirectory, PathFact]>([
    ['same mode and owner', dir(), dirFact()],
    ['mode as stat prints it', dir({ mode: '755' }), dirFact({ mode: '755' })],
  ])('in sync: %s', (_name, desired, fact) => {
    expect(plan(desired, fact)).toEqual([]);
  });

  it.each<[string, DesiredDirectory, PathFact | undefined, Partial<Change>]>([
    [
      'missing',
      dir({ mode: '0750', owner: 'pi', group: 'pi' }),
      ABSENT,
      { summary: 'create (0750 pi:pi)', actions: [{ op: 'mkdir', path: PATH, mode: '0750', owner: 'pi', group: 'pi' }] },
    ],
    ['not reported by the probe', dir(), undefined, { summary: 'create (0755 root:root)', actions: [{ op: 'mkdir', path: PATH, mode: '0755', owner: 'root', group: 'root' }] }],
    ['mode drift', dir({ mode: '0700' }), dirFact(), { summary: 'mode 0755 -> 0700', actions: [{ op: 'chmod', path: PATH, mode: '0700' }] }],
    [
      'owner drift',
      dir({ owner: 'pi' }),
      dirFact(),
      { summary: 'owner root:root -> pi:root', actions: [{ op: 'chown', path: PATH, owner: 'pi', group: 'root' }] },
    ],
  ])('%s', (_name, desired, fact, expected) => {
    expect(plan(desired, fact)).toEqual([{ id: desired.id, ...expected }]);
  });

  it('owned by a user an earlier resource creates: planned with the assumption', () => {
    const [change] = plan(dir({ owner: 'btfs', group: 'btfs' }), ABSENT, ['btfs']);
    expect(change?.actions[0]).toMatchObject({ op: 'mkdir', owner: 'btfs' });
    expect(change?.assumptions).toContain('assumes user btfs is created by an earlier resource');
  });

  it.each<[string, PathFact, string]>([
    ['a file', fileFact('x'), 'is a regular file on the host, not a directory'],
    ['a symlink', { exists: true, type: 'link', linkTarget: '/data/orbis' }, 'is a symlink (-> /data/orbis) on the host'],
  ])('cannot be planned over %s', (_name, fact, message) => {
    const [change] = plan(dir(), fact);
    expect(change?.actions).toEqual([]);
    expect(change?.error).toContain(message);
  });
});
