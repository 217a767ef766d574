import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  compareDebianVersions,
  DebianConstraintError,
  DebianVersionError,
  failedClauses,
  parseDebianConstraint,
  parseDebianVersion,
  satisfiesDebian,
} from '../../../src/util/debian-version.js';

// Expected results were read off `dpkg --compare-versions A lt|eq|gt B` (dpkg 1.21.22, bookworm).
const DPKG_TABLE: Array<[string, string, -1 | 0 | 1]> = [
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~~', '1.0~', -1],
  ['1.0~', '1.0', -1],
  ['1.0', '1.0-0', 0],
  ['1.0', '1.0-1', -1],
  ['1:1.22.1-9+deb12u1', '1:1.22.1-9', 1],
  ['1:1.22.1-9+deb12u1', '1:1.22.1-10', -1],
  ['1:1.22.1-9+deb12u1', '1.22.1-9+deb12u1', 1],
  ['1:1.22.1-9+deb12u1', '1:1.22.1-9+deb12u2', -1],
  ['7:5.1.6-0+deb12u1', '7:5.1', 1],
  ['7:5.1.6-0+deb12u1', '7:5.1.6', 1],
  ['7:5.1.6-0+deb12u1', '7:6.0', -1],
  ['7:5.1.6-0+deb12u1', '5.1.6', 1],
  ['7:5.1.6-0+deb12u1', '7:5.1.6-0+rpt1', -1],
  ['7:5.1.6-0+rpt1', '7:5.1.6-1~deb12u1', -1],
  ['1:4.6.2-0+rpt1', '1:4.6.2', 1],
  ['1.22.1-9', '1.22.1-10', -1],
  ['1.2.3', '1.2.10', -1],
  ['1.02', '1.2', 0],
  ['1.0a', '1.0', 1],
  ['1.0a', '1.0+', -1],
  ['1.0a', '1.0.1', -1],
  ['1.0+dfsg', '1.0', 1],
  ['1.0+dfsg', '1.0-1', 1],
  ['1.0.0', '1.0', 1],
  ['2.0', '10.0', -1],
  ['0:1.0', '1.0', 0],
  ['1.0-1.1', '1.0-1', 1],
  ['1.0-1', '1.0-1+b1', -1],
  ['3.6.1-1~bpo12+1', '3.6.1-1', -1],
  ['5.3.2', '5.3.2~beta', 1],
  ['1.18.0', '1.18.0-6.1', -1],
  ['9.2p1-2+deb12u3', '9.2p1-2+deb12u2', 1],
  ['9.2p1', '9.2', 1],
  ['252.22-1~deb12u1', '252.30-1~deb12u1', -1],
  ['4.1.0-299483c', '4.0.0', 1],
  ['2:9.0.1378-2', '2:9.0.1378-2+b1', -1],
  ['1.0.0~alpha', '1.0.0~beta', -1],
  ['0.1', '0.01', 0],
  ['20230101000000000000000001', '20230101000000000000000002', -1],
  ['1.0A', '1.0a', -1],
  ['1.a', '1.+', -1],
];

function succeeds(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('compareDebianVersions', () => {
  it.each(DPKG_TABLE)('%s vs %s -> %i (as dpkg)', (a, b, expected) => {
    expect(compareDebianVersions(a, b)).toBe(expected);
    expect(compareDebianVersions(b, a)).toBe(-expected || 0);
  });

  // The table above is frozen; when dpkg is here, also ask it live, so a wrong row cannot hide.
  it.runIf(succeeds('dpkg', ['--version']))('agrees with the dpkg on this machine', () => {
    for (const [a, b] of DPKG_TABLE) {
      const lt = succeeds('dpkg', ['--compare-versions', a, 'lt', b]);
      const eq = succeeds('dpkg', ['--compare-versions', a, 'eq', b]);
      expect([a, b, compareDebianVersions(a, b)]).toEqual([a, b, lt ? -1 : eq ? 0 : 1]);
    }
  });
});

describe('parseDebianVersion', () => {
  it.each([
    ['1:1.22.1-9+deb12u1', { epoch: 1, upstream: '1.22.1', revision: '9+deb12u1' }],
    ['7:5.1.6-0+deb12u1', { epoch: 7, upstream: '5.1.6', revision: '0+deb12u1' }],
    ['1.0~rc1', { epoch: 0, upstream: '1.0~rc1', revision: '' }],
    // The revision starts after the last hyphen: upstream keeps its own hyphens.
    ['2.0-beta-3', { epoch: 0, upstream: '2.0-beta', revision: '3' }],
    // Only the first colon ends the epoch; later colons belong to the upstream version.
    ['1:2:3-4', { epoch: 1, upstream: '2:3', revision: '4' }],
    ['  1.0  ', { epoch: 0, upstream: '1.0', revision: '' }],
  ])('%s', (text, expected) => {
    expect(parseDebianVersion(text)).toEqual(expected);
  });

  // The same inputs dpkg refuses with "bad syntax" errors (not mere warnings).
  it.each([
    ['', 'empty'],
    ['1.0 x', 'embedded spaces'],
    ['1:', 'nothing after the colon'],
    ['1.0-', 'revision is empty'],
    ['a:1', 'epoch is not a number'],
    [':1.0', 'epoch is not a number'],
    ['-1', 'upstream version is empty'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(() => parseDebianVersion(text)).toThrow(DebianVersionError);
    expect(() => parseDebianVersion(text)).toThrow(reason);
  });
});

describe('Debian version requirements', () => {
  it.each<[string, string, boolean]>([
    ['7:5.1.6-0+deb12u1', '>= 7:5.1', true],
    ['7:5.1.6-0+deb12u1', '>= 5.1', true],
    ['5.1.6-0+deb12u1', '>= 7:5.1', false],
    ['1:1.22.1-9+deb12u1', '>= 1:1.22', true],
    ['1:1.22.1-9+deb12u1', '<< 1:1.22.1-9+deb12u2', true],
    ['1.0~rc1', '>= 1.0', false],
    ['1.0~rc1', '>= 1.0~', true],
    ['2.0', '<< 2.0', false],
    ['1.9', '<< 2.0', true],
    ['2.0', '<= 2.0', true],
    ['2.0-1', '<= 2.0', false],
    ['1.2-3', '= 1.2-3', true],
    ['1.2-3', '= 1.2', false],
    ['1.2', '= 1.2-0', true],
    ['1.2.1', '>> 1.2', true],
    ['1.2', '>> 1.2', false],
    ['1.5', '>= 1.0, << 2.0', true],
    ['2.5', '>= 1.0, << 2.0', false],
    ['0.9', '>=1.0,<<2.0', false],
    ['0:1.0', '= 1.0', true],
  ])('%s satisfies %j: %s', (version, constraint, expected) => {
    expect(satisfiesDebian(version, constraint)).toBe(expected);
  });

  it('parses clauses, with or without spaces', () => {
    expect(parseDebianConstraint('>=7:5.1 , << 8')).toEqual([
      { op: '>=', version: '7:5.1' },
      { op: '<<', version: '8' },
    ]);
  });

  it('names the clauses a version fails', () => {
    expect(failedClauses('2.5', '>= 1.0, << 2.0')).toEqual([{ op: '<<', version: '2.0' }]);
  });

  it.each([
    ['', 'empty'],
    ['1.0', "write '>= 1.0'"],
    ['< 1.0', "'<' is ambiguous"],
    ['> 1.0', "'>' is ambiguous"],
    ['== 1.0', "use '='"],
    ['>= 1.0,', 'empty clause'],
    ['>= 1:', 'nothing after the colon'],
    ['>=', 'empty'],
  ])('refuses %j', (constraint, reason) => {
    expect(() => parseDebianConstraint(constraint)).toThrow(DebianConstraintError);
    expect(() => parseDebianConstraint(constraint)).toThrow(reason);
  });
});
