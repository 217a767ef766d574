// Role variables (`defaults:` in role.yaml): overridden by ORBIS_<NAME> and --var, each override
// checked against the kind of its default before anything renders.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/index.js';
import { loadRoles, roleSourceAt } from '../../../src/roles/load.js';
import { roleValueOf, splitRoleVariables } from '../../../src/roles/variables.js';

const roles = loadRoles(['btfs', 'orbis-service'], [roleSourceAt(process.cwd())], '0.1.0');

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.source}: ${i.variable}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('role variables', () => {
  it('defaults, then the environment, then --var; numbers stay numbers', () => {
    const { roleValues, settingVars } = splitRoleVariables(roles, ['BLOCAGE_MAX=45', 'GOP=60'], { ORBIS_BTFS_MEMBRE_ARCHIVE: 'btfs/btfs', ORBIS_BLOCAGE_MAX: '10' });
    expect(roleValues).toMatchObject({ BLOCAGE_MAX: 45, BTFS_MEMBRE_ARCHIVE: 'btfs/btfs' });
    expect(splitRoleVariables(roles, [], { ORBIS_BLOCAGE_MAX: '10' }).roleValues).toMatchObject({ BLOCAGE_MAX: 10, BTFS_MEMBRE_ARCHIVE: '' });
    expect(settingVars).toEqual(['GOP=60']);
  });

  it('an override of the wrong kind is a config error naming where it came from, every one at once', () => {
    expect(issuesOf(() => splitRoleVariables(roles, ['BLOCAGE_MAX=abc'], { ORBIS_BTFS_MEMBRE_ARCHIVE: 'a\nb' }))).toEqual([
      'environment ORBIS_BTFS_MEMBRE_ARCHIVE: BTFS_MEMBRE_ARCHIVE: must be one line of text, without control characters (a variable of the btfs role)',
      '--var BLOCAGE_MAX: BLOCAGE_MAX: must be a whole number from 0; found "abc" (a variable of the orbis-service role)',
    ]);
    expect(issuesOf(() => splitRoleVariables(roles, [], { ORBIS_BLOCAGE_MAX: '-1' }))).toEqual([
      'environment ORBIS_BLOCAGE_MAX: BLOCAGE_MAX: must be a whole number from 0; found "-1" (a variable of the orbis-service role)',
    ]);
  });

  it('a numeric variable with a range refuses what is outside it (BLOCAGE_MAX=0 turned the watchdog off)', () => {
    expect(issuesOf(() => splitRoleVariables(roles, ['BLOCAGE_MAX=0'], {}))).toEqual([
      '--var BLOCAGE_MAX: BLOCAGE_MAX: must be a number from 5 to 3600; found 0 (a variable of the orbis-service role)',
    ]);
    expect(issuesOf(() => splitRoleVariables(roles, [], { ORBIS_BLOCAGE_MAX: '99999' }))).toEqual([
      'environment ORBIS_BLOCAGE_MAX: BLOCAGE_MAX: must be a number from 5 to 3600; found 99999 (a variable of the orbis-service role)',
    ]);
    expect(splitRoleVariables(roles, ['BLOCAGE_MAX=5'], {}).roleValues).toMatchObject({ BLOCAGE_MAX: 5 });
    expect(roleValueOf(30, '4', { min: 5, max: 10 })).toEqual({ message: 'must be a number from 5 to 10; found 4', hint: 'choose a value from 5 to 10, e.g. 30 (the default)' });
  });

  it('every role default lies within its own range', () => {
    for (const role of loadRoles(['btfs', 'orbis-service', 'ffmpeg', 'nginx-rtmp', 'stunnel', 'ssh', 'system'], [roleSourceAt(process.cwd())], '0.1.0')) {
      for (const [name, range] of Object.entries(role.spec.ranges)) {
        const value = role.spec.defaults[name];
        expect(typeof value, `${role.spec.name}: ${name} has a range and no numeric default`).toBe('number');
        expect((value as number) >= range.min && (value as number) <= range.max, `${role.spec.name}: ${name}`).toBe(true);
      }
    }
  });

  it('the kind comes from the default', () => {
    expect(roleValueOf(90, '0')).toEqual({ value: 0 });
    expect(roleValueOf(90, '1e3')).toHaveProperty('message');
    expect(roleValueOf(90, '12.5')).toHaveProperty('message');
    expect(roleValueOf(90, '1234567890')).toHaveProperty('message');
    expect(roleValueOf(1.5, '-2.25')).toEqual({ value: -2.25 });
    expect(roleValueOf(true, 'false')).toEqual({ value: false });
    expect(roleValueOf(true, 'yes')).toHaveProperty('message');
    expect(roleValueOf('btfs', 'go-btfs/btfs')).toEqual({ value: 'go-btfs/btfs' });
    expect(roleValueOf('btfs', 'a\tb')).toHaveProperty('message');
  });
});
