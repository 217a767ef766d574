// From gathered values to typed, cross-checked settings, with every error placed in its source.
import type * as z from 'zod';
import { deriveEncode, type EncodeSettings } from './encode.js';
import { checkSettings } from './checks.js';
import type { ConfigIssue } from './errors.js';
import { locateProblem, type SettingProblem } from './locate.js';
import type { SettingOrigins } from './origins.js';
import type { Platform } from './platform-limits.js';
import { isSettingName, SETTING_NAMES, settingSpec, settingsSchema, type Settings, type SettingName } from './settings.js';
import type { Candidates } from './sources.js';
import type { IssueParams } from './value-types.js';

export interface ValidSettings {
  settings: Settings;
  origins: SettingOrigins;
  platforms: readonly Platform[];
  encode: EncodeSettings;
  warnings: ConfigIssue[];
}

export type Validation = { ok: true; value: ValidSettings } | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

export function validateCandidates(candidates: Candidates): Validation {
  const raw = Object.fromEntries(SETTING_NAMES.map((name) => [name, candidates[name].raw]));
  const parsed = settingsSchema.safeParse(raw);
  const place = (p: SettingProblem): ConfigIssue => locateProblem(p, candidates[p.variable]);
  if (!parsed.success) return { ok: false, errors: inSourceOrder(parsed.error.issues.map((i) => place(problemFromZod(i)))), warnings: [] };

  const settings = Object.freeze(parsed.data as Settings);
  const derivation = deriveEncode(settings);
  const isDefault = (name: SettingName): boolean => candidates[name].origin.kind === 'default';
  const problems = [...checkSettings(settings, isDefault), ...derivation.problems];
  const warnings = derivation.warnings.map(place);
  if (problems.length > 0 || derivation.encode === undefined) return { ok: false, errors: inSourceOrder(problems.map(place)), warnings };

  const origins = Object.freeze(Object.fromEntries(SETTING_NAMES.map((n) => [n, candidates[n].origin]))) as SettingOrigins;
  return { ok: true, value: { settings, origins, platforms: derivation.encode.platforms, encode: derivation.encode, warnings } };
}

/** Issues in the order of the file (what a reader fixes top to bottom); unplaced ones last. */
function inSourceOrder(issues: ConfigIssue[]): ConfigIssue[] {
  const key = (i: ConfigIssue): [number, string, number, number] =>
    i.file === undefined ? [1, '', 0, 0] : [0, i.file, i.line ?? 0, i.col ?? 0];
  return [...issues].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1].localeCompare(kb[1]) || ka[2] - kb[2] || ka[3] - kb[3];
  });
}

/**
 * A value to start from, for a hint that wants one: the setting's default, which the checks
 * across settings accept (a type's bounds alone may not: 500 kbps is a whole number from 500 to
 * 20000, and outside what both platforms take). None for a secret or a setting without one.
 */
function withExample(variable: SettingName, hint: string): string {
  const spec = settingSpec(variable);
  return spec.default === '' || spec.secret ? hint : `${hint}, e.g. ${spec.default} (the default)`;
}

function problemFromZod(issue: z.core.$ZodIssue): SettingProblem {
  const first = issue.path[0];
  // Every key of the object is a setting, so every issue has one; anything else is a bug here.
  if (typeof first !== 'string' || !isSettingName(first)) throw new Error(`internal: settings issue outside a setting (${String(first)})`);
  const variable: SettingName = first;
  const params = (issue as { params?: IssueParams }).params;
  const problem: SettingProblem = { variable, message: issue.message };
  if (params?.hint !== undefined) problem.hint = params.exampleWanted ? withExample(variable, params.hint) : params.hint;
  if (params?.offset !== undefined) problem.offset = params.offset;
  return problem;
}
