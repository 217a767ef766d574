// Finding and reading roles: roles/<name>/role.yaml validated against the schema, with
// file:line:col on every error, dependencies resolved (a role's `depends` come before it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// The one function used: the package's index loads all of semver.
import satisfies from 'semver/functions/satisfies.js';
import { parseYamlSource, positionOf } from '../util/yaml-positions.js';
import { roleSchema, type RoleSpec } from './schema.js';

export interface RoleIssue {
  file: string;
  line?: number;
  col?: number;
  message: string;
  hint?: string;
}

export class RoleError extends Error {
  constructor(readonly issues: RoleIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'RoleError';
  }
}

function formatIssue(i: RoleIssue): string {
  const where = i.line === undefined ? i.file : `${i.file}:${i.line}:${i.col ?? 1}`;
  return `${where}: ${i.message}${i.hint ? ` (hint: ${i.hint})` : ''}`;
}

/** A directory holding `roles/` and `templates/` side by side (the package, or a test fixture). */
export interface RoleSource {
  rolesDir: string;
  templatesDir: string;
}

export interface LoadedRole {
  spec: RoleSpec;
  file: string;
  templatesDir: string;
}

export function roleSourceAt(root: string): RoleSource {
  return { rolesDir: join(root, 'roles'), templatesDir: join(root, 'templates') };
}

export function readRole(name: string, sources: RoleSource[], orbisVersion: string): LoadedRole {
  for (const source of sources) {
    const file = join(source.rolesDir, name, 'role.yaml');
    if (!existsSync(file)) continue;
    const yaml = parseYamlSource(file, readFileSync(file, 'utf8'));
    if (yaml.doc.errors.length > 0) {
      throw new RoleError(
        yaml.doc.errors.map((e) => ({
          file,
          line: e.linePos?.[0].line,
          col: e.linePos?.[0].col,
          message: e.message.split('\n')[0] ?? e.message,
          hint: 'fix the YAML syntax',
        })),
      );
    }
    const result = roleSchema.safeParse(yaml.doc.toJS());
    if (!result.success) {
      throw new RoleError(
        result.error.issues.map((issue) => {
          const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
          const pos = positionOf(yaml, issue.path, unknownKey);
          return {
            file,
            ...pos,
            message: `${issue.path.join('.') || '(role)'}: ${issue.message}`,
            hint: unknownKey ? 'see docs/roles.md for what roles contain, and src/roles/schema.ts for the keys a role accepts' : undefined,
          };
        }),
      );
    }
    const spec = result.data;
    if (spec.name !== name) {
      throw new RoleError([{ file, ...positionOf(yaml, ['name']), message: `role "${spec.name}" lives in directory "${name}"`, hint: 'rename one so they match' }]);
    }
    const required = spec.requires?.orbis;
    if (required && !satisfies(orbisVersion, required, { includePrerelease: true })) {
      throw new RoleError([{ file, ...positionOf(yaml, ['requires', 'orbis']), message: `role ${name} requires orbis ${required}, this is ${orbisVersion}`, hint: 'upgrade orbis or use a matching role version' }]);
    }
    return { spec, file, templatesDir: source.templatesDir };
  }
  throw new RoleError([
    {
      file: sources.map((s) => s.rolesDir).join(', '),
      message: `no role named "${name}"`,
      hint: `roles are directories with a role.yaml under ${sources.map((s) => s.rolesDir).join(' or ')}`,
    },
  ]);
}

/** Load `names` and everything they depend on, dependencies first, each role once. */
export function loadRoles(names: string[], sources: RoleSource[], orbisVersion: string): LoadedRole[] {
  const ordered: LoadedRole[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    if (visiting.includes(name)) {
      throw new RoleError([{ file: name, message: `role dependency cycle: ${[...visiting, name].join(' -> ')}` }]);
    }
    visiting.push(name);
    const role = readRole(name, sources, orbisVersion);
    for (const dep of role.spec.depends) visit(dep);
    visiting.pop();
    done.add(name);
    ordered.push(role);
  };
  for (const name of names) visit(name);
  return ordered;
}
