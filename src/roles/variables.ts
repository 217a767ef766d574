// Variables a role declares for itself (`defaults:` in role.yaml), outside the settings schema:
// a role default, overridden by ORBIS_<NAME> and then by --var, like any setting.
import { isSettingName } from '../config/index.js';
import type { LoadedRole } from './load.js';

export interface SplitVars {
  /** --var arguments for the settings schema. */
  settingVars: string[];
  /** Effective values of role-declared variables. */
  roleValues: Record<string, string | number | boolean>;
}

export function splitRoleVariables(roles: LoadedRole[], vars: readonly string[], env: Readonly<Record<string, string | undefined>>): SplitVars {
  const roleValues: Record<string, string | number | boolean> = {};
  for (const role of roles) {
    for (const [name, value] of Object.entries(role.spec.defaults)) {
      if (isSettingName(name)) continue; // a setting's default belongs to the settings schema
      roleValues[name] = value;
      const fromEnv = env[`ORBIS_${name}`];
      if (fromEnv !== undefined) roleValues[name] = fromEnv;
    }
  }
  const settingVars: string[] = [];
  for (const arg of vars) {
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (eq > 0 && name in roleValues && !isSettingName(name)) roleValues[name] = arg.slice(eq + 1);
    else settingVars.push(arg);
  }
  return { settingVars, roleValues };
}
