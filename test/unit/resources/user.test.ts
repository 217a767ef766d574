import { describe, expect, it } from 'vitest';
import { planGroup, planUser } from '../../../src/resources/user.js';
import type { Change, DesiredGroup, DesiredUser, PlanContext } from '../../../src/resources/types.js';
import type { HostFacts } from '../../../src/facts/types.js';
import { context, hostFacts, id } from './fixtures.js';

function user(name: string, extra: Partial<DesiredUser> = {}): DesiredUser {
  return { kind: 'user', id: id('user', name), name, ...extra };
}

function group(name: string, system = false): DesiredGroup {
  return { kind: 'group', id: id('group', name), name, system };
}

const BTFS: HostFacts['users'][string] = { uid: 998, gid: 998, home: '/var/lib/btfs', shell: '/usr/sbin/nologin', groups: ['btfs'] };

describe('user', () => {
  it.each<[string, DesiredUser, Partial<HostFacts>]>([
    ['exists with its groups', user('pi', { groups: ['video'] }), {}],
    ['exists, other home and shell are not drift', user('btfs', { home: '/srv/btfs', shell: '/bin/bash' }), { users: { btfs: BTFS } }],
  ])('in sync: %s', (_name, desired, facts) => {
    expect(planUser(desired, hostFacts(facts), context())).toEqual([]);
  });

  it.each<[string, DesiredUser, Partial<HostFacts>, PlanContext, Partial<Change>]>([
    [
      'missing system user',
      user('btfs', { system: true, home: '/var/lib/btfs', shell: '/usr/sbin/nologin', groups: ['video'] }),
      {},
      context(),
      {
        summary: 'create system user (home /var/lib/btfs, shell /usr/sbin/nologin, groups video)',
        actions: [{ op: 'useradd', name: 'btfs', system: true, home: '/var/lib/btfs', shell: '/usr/sbin/nologin', groups: ['video'] }],
      },
    ],
    ['missing plain user', user('stream'), {}, context(), { summary: 'create user', actions: [{ op: 'useradd', name: 'stream', system: false }] }],
    [
      // useradd -U would fail with "group btfs exists": the action names it as primary group.
      'missing, a group of its name exists',
      user('btfs', { system: true }),
      { groups: { btfs: { gid: 998 } } },
      context(),
      { actions: [{ op: 'useradd', name: 'btfs', system: true, group: 'btfs' }] },
    ],
    [
      'missing, a group of its name is created earlier',
      user('btfs'),
      {},
      context({ groupsToCreate: ['btfs'] }),
      { actions: [{ op: 'useradd', name: 'btfs', system: false, group: 'btfs' }] },
    ],
    [
      'missing supplementary groups: only those, appended',
      user('pi', { groups: ['video', 'render', 'audio'] }),
      { groups: { video: { gid: 44 }, render: { gid: 105 }, audio: { gid: 29 } } },
      context(),
      { summary: 'add to groups render, audio', actions: [{ op: 'usermod-groups', name: 'pi', groups: ['render', 'audio'] }] },
    ],
    [
      'a group created earlier in the plan',
      user('pi', { groups: ['orbis'] }),
      {},
      context({ groupsToCreate: ['orbis'] }),
      {
        summary: 'add to group orbis',
        actions: [{ op: 'usermod-groups', name: 'pi', groups: ['orbis'] }],
        assumptions: ['assumes group orbis is created by an earlier resource'],
      },
    ],
    [
      // Two roles declare the same user: the first creates it, the second only adds its groups.
      'declared again by a later role',
      user('btfs', { groups: ['video'] }),
      {},
      context({ usersToCreate: ['btfs'] }),
      {
        actions: [{ op: 'usermod-groups', name: 'btfs', groups: ['video'] }],
        assumptions: ['assumes user btfs is created by an earlier resource'],
      },
    ],
  ])('%s', (_name, desired, facts, ctx, expected) => {
    const changes = planUser(desired, hostFacts(facts), ctx);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ id: desired.id, ...expected });
  });

  it('declared again without groups: nothing more to do', () => {
    expect(planUser(user('btfs'), hostFacts(), context({ usersToCreate: ['btfs'] }))).toEqual([]);
  });

  it('a supplementary group nothing creates: cannot be planned', () => {
    const [change] = planUser(user('btfs', { groups: ['gpio'] }), hostFacts(), context());
    expect(change?.actions).toEqual([]);
    expect(change?.error).toContain('group gpio does not exist on the host and no earlier resource creates it');
  });
});

describe('group', () => {
  it.each<[string, DesiredGroup, Partial<HostFacts>, PlanContext, Change[]]>([
    ['exists', group('video'), {}, context(), []],
    ['created earlier (e.g. by useradd of the same name)', group('btfs'), {}, context({ groupsToCreate: ['btfs'] }), []],
    [
      'missing',
      group('orbis', true),
      {},
      context(),
      [{ id: id('group', 'orbis'), summary: 'create system group', actions: [{ op: 'groupadd', name: 'orbis', system: true }] }],
    ],
  ])('%s', (_name, desired, facts, ctx, expected) => {
    expect(planGroup(desired, hostFacts(facts), ctx)).toEqual(expected);
  });
});
