// Which role uses which setting, derived from the roles themselves: the names their role.yaml
// and templates use (references.ts), each followed back to settings through the derived values
// (derived.ts). Also which settings `orbis verify` reads. The configuration reference and the
// role reference print this; nothing here is kept by hand.
import { existsSync, readdirSync } from 'node:fs';
import { isSecretSetting, isSettingName, loadSettings, SETTING_NAMES, type SettingName } from '../config/index.js';
import { loadRoles, type LoadedRole, type RoleSource } from '../roles/load.js';
import { verifyInputFrom } from '../verify/input.js';
import { derivedSources, isDerivedRoot, ReadTracker, settingsBehind, type DerivedSources } from './derived.js';
import { roleReferences } from './references.js';

export interface RoleUse {
  role: string;
  /** The derived values the role reaches the setting through; empty when it names it itself. */
  via: string[];
  /** The role names the setting itself (in role.yaml or a template). */
  direct: boolean;
}

export interface RoleVariable {
  name: string;
  role: string;
  default: string | number | boolean;
}

export interface Usage {
  roles: LoadedRole[];
  /** Per setting, the roles that use it, by role name. */
  bySetting: ReadonlyMap<SettingName, RoleUse[]>;
  /** Per role, the settings it uses. */
  byRole: ReadonlyMap<string, SettingName[]>;
  /** Per role, the role variables (role.yaml `defaults:`) it uses. */
  roleVariables: RoleVariable[];
  /** Settings the verify step reads (stream keys aside: it reads them only to mask them). */
  verifyReads: ReadonlySet<SettingName>;
}

export class UnknownReferenceError extends Error {}

/** Every role in the sources' roles/ directories, by name (dependencies first). */
export function allRoles(sources: RoleSource[], version: string): LoadedRole[] {
  const names = sources.flatMap((s) => (existsSync(s.rolesDir) ? readdirSync(s.rolesDir, { withFileTypes: true }) : []).filter((e) => e.isDirectory()).map((e) => e.name));
  return loadRoles([...new Set(names)].sort(), sources, version);
}

export function analyseUsage(roles: LoadedRole[]): Usage {
  const sources = derivedSources();
  const variables = new Map(roles.flatMap((r) => Object.entries(r.spec.defaults).filter(([n]) => !isSettingName(n)).map(([n, v]) => [n, { name: n, role: r.spec.name, default: v }])));
  const bySetting = new Map<SettingName, RoleUse[]>();
  const byRole = new Map<string, SettingName[]>();
  const usedVariables = new Map<string, RoleVariable>();
  for (const role of roles) {
    const name = role.spec.name;
    const uses = new Map<SettingName, RoleUse>();
    const use = (setting: SettingName): RoleUse => uses.get(setting) ?? uses.set(setting, { role: name, via: [], direct: false }).get(setting)!;
    for (const path of roleReferences(role).paths) {
      const root = path.split('.')[0] ?? path;
      if (isSettingName(root)) use(root).direct = true;
      else if (variables.has(root)) usedVariables.set(root, variables.get(root)!);
      else if (isDerivedRoot(root)) {
        for (const { setting, via } of settingsBehind(path, sources)) if (!use(setting).via.includes(via)) use(setting).via.push(via);
      } else {
        throw new UnknownReferenceError(
          `${role.file}: names "${path}", which is no setting, role variable or derived value known to the docs generator ` +
            '(hint: a new derived value in roles/context.ts needs adding to DERIVED_ROOTS in src/docs/derived.ts)',
        );
      }
    }
    for (const u of uses.values()) u.via.sort();
    byRole.set(name, SETTING_NAMES.filter((s) => uses.has(s)));
    for (const [setting, u] of uses) bySetting.set(setting, [...(bySetting.get(setting) ?? []), u]);
  }
  return { roles, bySetting, byRole, roleVariables: [...usedVariables.values()], verifyReads: verifyReads(sources) };
}

function verifyReads(sources: DerivedSources): Set<SettingName> {
  const loaded = loadSettings({ env: {} });
  const tracker = new ReadTracker(loaded.settings);
  const read = tracker.read;
  // The encode's parts it reads lead back to their settings like a role's `encode.*` do.
  const encode = new Proxy(loaded.encode, {
    get(target, key, receiver) {
      if (typeof key === 'string') for (const { setting } of settingsBehind(`encode.${key}`, sources)) read.add(setting);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  // Every platform on, so that each platform's part of the input is built; reading which are on
  // reads what decides it.
  const platforms = new Proxy(['dlive', 'kick'] as const, {
    get(target, key, receiver) {
      for (const { setting } of settingsBehind('platforms.list', sources)) read.add(setting);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  verifyInputFrom({ ...loaded, settings: tracker.settings, encode, platforms });
  // Stream keys are read only to be masked in what the checks print.
  return new Set([...read].filter((name) => !isSecretSetting(name)));
}
