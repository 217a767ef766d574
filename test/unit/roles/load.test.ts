import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../../../src/roles/condition.js';
import { loadRoles, RoleError, roleSourceAt } from '../../../src/roles/load.js';
import { packageRoot } from '../../../src/util/paths.js';

function sourceWith(roles: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'orbis-roles-'));
  for (const [name, yaml] of Object.entries(roles)) {
    mkdirSync(join(root, 'roles', name), { recursive: true });
    writeFileSync(join(root, 'roles', name, 'role.yaml'), yaml);
  }
  return { root, source: roleSourceAt(root) };
}

function roleError(fn: () => unknown): RoleError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RoleError) return error;
    throw error;
  }
  throw new Error('expected a RoleError');
}

describe('role loading', () => {
  it('loads the shipped roles and the test role, dependencies first', () => {
    const roles = loadRoles(['orbis-test'], [roleSourceAt(packageRoot()), roleSourceAt(join(packageRoot(), 'test', 'fixtures'))], '0.1.0');
    expect(roles.map((r) => r.spec.name)).toEqual(['ffmpeg', 'orbis-test']);
    expect(roles[1]?.spec.files.map((f) => f.mode)).toContain('0640');
  });

  it('points at the unknown key with file:line:col', () => {
    const { source, root } = sourceWith({ demo: 'name: demo\nfiles:\n  - path: /etc/x\n    content: "x"\n    mode: "0644"\n    onwer: root\n' });
    const error = roleError(() => loadRoles(['demo'], [source], '0.1.0'));
    expect(error.issues[0]).toMatchObject({ file: join(root, 'roles', 'demo', 'role.yaml'), line: 6, col: 5 });
    expect(error.message).toMatch(/role\.yaml:6:5: .*onwer/);
  });

  it('refuses a mode written as a YAML number, at its position', () => {
    const { source } = sourceWith({ demo: 'name: demo\ndirectories:\n  - path: /etc/x\n    mode: 0755\n' });
    const error = roleError(() => loadRoles(['demo'], [source], '0.1.0'));
    expect(error.issues[0]).toMatchObject({ line: 4, col: 11 });
    expect(error.message).toMatch(/mode/);
  });

  it('reports YAML syntax errors with their position', () => {
    const { source } = sourceWith({ demo: 'name: demo\npackages: [a, b\n' });
    const error = roleError(() => loadRoles(['demo'], [source], '0.1.0'));
    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(2);
    expect(error.issues[0]?.hint).toMatch(/YAML/);
  });

  it('checks the orbis version a role requires, with semver', () => {
    const { source } = sourceWith({ demo: 'name: demo\nrequires:\n  orbis: ">=2.0.0"\n' });
    expect(roleError(() => loadRoles(['demo'], [source], '0.1.0')).message).toMatch(/requires orbis >=2\.0\.0, this is 0\.1\.0/);
    expect(loadRoles(['demo'], [source], '2.1.0')).toHaveLength(1);
  });

  it('finds dependency cycles and unknown roles', () => {
    const { source } = sourceWith({ a: 'name: a\ndepends: [b]\n', b: 'name: b\ndepends: [a]\n' });
    expect(roleError(() => loadRoles(['a'], [source], '0.1.0')).message).toMatch(/cycle: a -> b -> a/);
    expect(roleError(() => loadRoles(['nope'], [source], '0.1.0')).message).toMatch(/no role named "nope"/);
  });
});

describe('when: conditions', () => {
  const context = { platforms: { kick: true, dlive: false }, encode: { encoder: 'libx264' }, EMPTY: '' };
  it.each([
    ['platforms.kick', true],
    ['!platforms.kick', false],
    ['platforms.dlive', false],
    ['encode.encoder == libx264', true],
    ['encode.encoder != libx264', false],
    ["encode.encoder == 'h264_v4l2m2m'", false],
    ['EMPTY', false],
  ])('%s is %s', (expression, expected) => {
    expect(evaluateCondition(expression, context)).toBe(expected);
  });

  it('an unknown name is an error, not false', () => {
    expect(() => evaluateCondition('platforms.youtube', context)).toThrow(/unknown name "platforms.youtube"/);
  });
});
