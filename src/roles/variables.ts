// Variables a role declares for itself (`defaults:` in role.yaml), outside the settings schema:
// a role default, overridden by ORBIS_<NAME> and then by --var, like any setting. An override
// takes the kind of its default (90: whole numbers; true: true/false; text: one line of text):
// the values end up in unit files and shell scripts, where "abc" for a number of seconds would
// render StartLimitIntervalSec=NaN.
import { ConfigError, isSettingName, type ConfigIssue } from '../config/index.js';
import { shown } from '../config/value-types.js';
import type { LoadedRole } from './load.js';

type RoleValue = string | number | boolean;

export interface SplitVars {
  /** --var arguments for the settings schema. */
  settingVars: string[];
  /** Effective values of role-declared variables. */
  roleValues: Record<string, RoleValue>;
}

/** Longest whole number accepted: 9 digits, far past any count of seconds a role needs. */
const WHOLE_RE = /^[0-9]{1,9}$/;
const DECIMAL_RE = /^-?[0-9]{1,9}(\.[0-9]{1,6})?$/;
const ONE_LINE_RE = /^[^\u0000-\u001f\u007f]*$/;

/** `text` as a value of the kind `byDefault` is (within `range`, if any), or what is wrong with it. */
export function roleValueOf(byDefault: RoleValue, text: string, range?: { min: number; max: number }): { value: RoleValue } | { message: string; hint: string } {
  if (typeof byDefault === 'boolean') {
    if (text === 'true' || text === 'false') return { value: text === 'true' };
    return { message: `must be true or false; found ${shown(text)}`, hint: `e.g. ${String(byDefault)}` };
  }
  if (typeof byDefault === 'number') {
    const whole = Number.isInteger(byDefault) && byDefault >= 0;
    const ok = whole ? WHOLE_RE.test(text) : DECIMAL_RE.test(text);
    if (ok && range && (Number(text) < range.min || Number(text) > range.max)) {
      return { message: `must be a number from ${range.min} to ${range.max}; found ${Number(text)}`, hint: `choose a value from ${range.min} to ${range.max}, e.g. ${byDefault} (the default)` };
    }
    if (ok) return { value: Number(text) };
    return whole
      ? { message: `must be a whole number from 0; found ${shown(text)}`, hint: `write digits only, e.g. ${byDefault}` }
      : { message: `must be a number; found ${shown(text)}`, hint: `e.g. ${byDefault}` };
  }
  if (ONE_LINE_RE.test(text)) return { value: text };
  return { message: 'must be one line of text, without control characters', hint: `e.g. ${byDefault}` };
}

export function splitRoleVariables(roles: LoadedRole[], vars: readonly string[], env: Readonly<Record<string, string | undefined>>): SplitVars {
  const roleValues: Record<string, RoleValue> = {};
  const defaults = new Map<string, { value: RoleValue; role: string; range?: { min: number; max: number } }>();
  const issues: ConfigIssue[] = [];
  const override = (name: string, text: string, source: string): void => {
    const declared = defaults.get(name);
    if (!declared) return;
    const parsed = roleValueOf(declared.value, text, declared.range);
    if ('value' in parsed) roleValues[name] = parsed.value;
    else issues.push({ source, variable: name, message: `${parsed.message} (a variable of the ${declared.role} role)`, hint: parsed.hint });
  };
  for (const role of roles) {
    for (const [name, value] of Object.entries(role.spec.defaults)) {
      if (isSettingName(name)) continue; // a setting's default belongs to the settings schema
      roleValues[name] = value;
      const range = role.spec.ranges[name];
      defaults.set(name, { value, role: role.spec.name, ...(range ? { range } : {}) });
      const fromEnv = env[`ORBIS_${name}`];
      if (fromEnv !== undefined) override(name, fromEnv, `environment ORBIS_${name}`);
    }
  }
  const settingVars: string[] = [];
  for (const arg of vars) {
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (eq > 0 && defaults.has(name)) override(name, arg.slice(eq + 1), `--var ${name}`);
    else settingVars.push(arg);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { settingVars, roleValues };
}
