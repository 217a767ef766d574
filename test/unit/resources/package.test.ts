import { describe, expect, it } from 'vitest';
import { planPackage } from '../../../src/resources/package.js';
import type { Change, DesiredPackage } from '../../../src/resources/types.js';
import { context, hostFacts, id } from './fixtures.js';

function pkg(name: string, extra: Partial<DesiredPackage> = {}): DesiredPackage {
  return { kind: 'package', id: id('package', name), name, ...extra };
}

function plan(desired: DesiredPackage, installed: Record<string, string>): Change[] {
  return planPackage(desired, hostFacts({ packages: installed }), context());
}

describe('package', () => {
  it.each<[string, DesiredPackage, Record<string, string>]>([
    ['installed, no requirement', pkg('ffmpeg'), { ffmpeg: '7:5.1.6-0+deb12u1' }],
    ['installed, requirement met', pkg('ffmpeg', { version: '>= 7:5.1' }), { ffmpeg: '7:5.1.6-0+deb12u1' }],
    ['installed, two clauses met', pkg('nginx', { version: '>= 1.22, << 1.23' }), { nginx: '1.22.1-9+deb12u1' }],
    ['absent and not installed', pkg('apache2', { state: 'absent' }), {}],
  ])('in sync: %s', (_name, desired, installed) => {
    expect(plan(desired, installed)).toEqual([]);
  });

  it.each<[string, DesiredPackage, Record<string, string>, Partial<Change>]>([
    [
      'not installed',
      pkg('ffmpeg'),
      {},
      { summary: 'install', actions: [{ op: 'apt-install', packages: ['ffmpeg'] }] },
    ],
    [
      'not installed, with a requirement (the candidate is assumed)',
      pkg('ffmpeg', { version: '>= 7:5.1' }),
      {},
      {
        summary: 'install (>= 7:5.1)',
        actions: [{ op: 'apt-install', packages: ['ffmpeg'] }],
        assumptions: ["assumes apt's candidate for ffmpeg satisfies >= 7:5.1"],
      },
    ],
    [
      'not installed, exact version: apt is told which',
      pkg('stunnel4', { version: '= 3:5.68-2+deb12u1' }),
      {},
      { summary: 'install (= 3:5.68-2+deb12u1)', actions: [{ op: 'apt-install', packages: ['stunnel4=3:5.68-2+deb12u1'] }] },
    ],
    [
      'installed but too old: upgrade by name',
      pkg('ffmpeg', { version: '>= 7:5.1.6' }),
      { ffmpeg: '7:5.1.4-0+deb12u1' },
      {
        summary: 'upgrade from 7:5.1.4-0+deb12u1 to satisfy >= 7:5.1.6',
        actions: [{ op: 'apt-install', packages: ['ffmpeg'] }],
        assumptions: ["assumes apt's candidate for ffmpeg satisfies >= 7:5.1.6"],
      },
    ],
    [
      // semver would read the epoch as the major version and call 7:5.1 newer than 5.1: dpkg does not.
      'installed without epoch, requirement with epoch',
      pkg('ffmpeg', { version: '>= 7:5.1' }),
      { ffmpeg: '5.1.6-0+deb12u1' },
      { summary: 'upgrade from 5.1.6-0+deb12u1 to satisfy >= 7:5.1' },
    ],
    [
      'a release candidate is older than the release',
      pkg('btfs-tools', { version: '>= 1.0' }),
      { 'btfs-tools': '1.0~rc1' },
      { summary: 'upgrade from 1.0~rc1 to satisfy >= 1.0' },
    ],
    [
      'installed, exact version older',
      pkg('nginx', { version: '= 1.22.1-9+deb12u2' }),
      { nginx: '1.22.1-9+deb12u1' },
      { actions: [{ op: 'apt-install', packages: ['nginx=1.22.1-9+deb12u2'] }] },
    ],
    [
      'absent but installed',
      pkg('apache2', { state: 'absent' }),
      { apache2: '2.4.62-1~deb12u2' },
      { summary: 'remove (installed 2.4.62-1~deb12u2)', actions: [{ op: 'apt-remove', packages: ['apache2'] }] },
    ],
  ])('%s', (_name, desired, installed, expected) => {
    const changes = plan(desired, installed);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ id: desired.id, ...expected });
    expect(changes[0]?.error).toBeUndefined();
  });

  it.each<[string, DesiredPackage, Record<string, string>, string]>([
    ['too new for an upper bound', pkg('nginx', { version: '<< 1.22' }), { nginx: '1.22.1-9' }, 'orbis does not downgrade'],
    ['too new for an exact version', pkg('nginx', { version: '= 1.22.0-1' }), { nginx: '1.22.1-9' }, 'newer than allowed (= 1.22.0-1)'],
    ['a requirement that is not Debian syntax', pkg('nginx', { version: '^1.22' }), {}, "has no relation"],
    ['a one-character relation', pkg('nginx', { version: '> 1.22' }), {}, "'>' is ambiguous"],
  ])('cannot be planned: %s', (_name, desired, installed, message) => {
    const [change] = plan(desired, installed);
    expect(change?.actions).toEqual([]);
    expect(change?.error).toContain(message);
  });
});
