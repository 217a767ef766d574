// Gather, for every setting, the value that wins and where it came from. Lowest first:
//   role defaults < conf file < extra layers (inventory: fleet, groups, host; in the order given)
//   < environment ORBIS_<NAME> < --var KEY=VALUE
// Nothing is validated here beyond names; values stay text (or secrets) for the schema.
import { effectiveEntries, type ParsedConf } from './conf-parser.js';
import type { ConfigIssue } from './errors.js';
import { describeOrigin, type SourcePosition, type ValueOrigin } from './origins.js';
import { Secret } from '../redact/secret.js';
import { defaultTexts, envNameOf, isSecretSetting, isSettingName, SETTING_NAMES, type SettingName } from './settings.js';
import { closestName } from './suggest.js';
import type { RawValue } from './value-types.js';

/**
 * A level of settings above the conf file, e.g. inventory fleet vars, a group's vars, a host's
 * vars. `values` may hold what YAML produces (numbers and booleans are read as their text);
 * `positions` says where each value is written, for errors and `orbis inventory`.
 */
export interface SettingsLayer {
  name: string;
  values: Readonly<Record<string, unknown>>;
  positions?: Readonly<Record<string, SourcePosition>>;
}

/** The winning value of one setting, before validation. */
export interface Candidate {
  raw: RawValue;
  origin: ValueOrigin;
  /** For conf-file values: the source column of each character, to point inside a value. */
  columns?: readonly number[];
}

export type Candidates = Record<SettingName, Candidate>;

export interface SourceInput {
  conf?: ParsedConf;
  layers?: readonly SettingsLayer[];
  env?: Readonly<Record<string, string | undefined>>;
  vars?: readonly string[];
}

export interface GatheredSources {
  candidates: Candidates;
  warnings: ConfigIssue[];
  errors: ConfigIssue[];
}

export function gatherSources(input: SourceInput): GatheredSources {
  const warnings: ConfigIssue[] = [];
  const errors: ConfigIssue[] = [];
  const defaults = defaultTexts();
  const candidates = Object.fromEntries(
    SETTING_NAMES.map((name) => [name, candidate(name, defaults[name], { kind: 'default' })]),
  ) as Candidates;

  if (input.conf !== undefined) applyConf(input.conf, candidates, warnings, errors);
  for (const layer of input.layers ?? []) applyLayer(layer, candidates, errors);
  applyEnv(input.env ?? {}, candidates);
  applyVars(input.vars ?? [], candidates, errors);
  return { candidates, warnings, errors };
}

function applyConf(conf: ParsedConf, candidates: Candidates, warnings: ConfigIssue[], errors: ConfigIssue[]): void {
  for (const entry of effectiveEntries(conf).values()) {
    if (!isSettingName(entry.key)) {
      // A name close to a known one is almost surely a typo that would silently lose a setting;
      // anything else may be a user's own addition for their scripts: ignored, with a warning.
      const near = closestName(entry.key, SETTING_NAMES);
      const issue: ConfigIssue = { file: conf.file, line: entry.line, col: entry.col, variable: entry.key, message: '' };
      if (near !== undefined) errors.push({ ...issue, message: 'is not an orbis setting', hint: `did you mean ${near}?` });
      else warnings.push({ ...issue, message: 'is not an orbis setting; ignored', hint: 'remove it, or check its spelling against conf/orbis.conf.example' });
      continue;
    }
    const origin: ValueOrigin = { kind: 'file', file: conf.file, line: entry.valueLine, col: entry.valueCol };
    candidates[entry.key] = { ...candidate(entry.key, entry.value, origin), columns: entry.valueColumns };
  }
}

function applyLayer(layer: SettingsLayer, candidates: Candidates, errors: ConfigIssue[]): void {
  for (const [name, value] of Object.entries(layer.values)) {
    const position = layer.positions?.[name];
    const origin: ValueOrigin = position === undefined ? { kind: 'layer', layer: layer.name } : { kind: 'layer', layer: layer.name, position };
    const where: ConfigIssue = position === undefined ? { source: layer.name, message: '' } : { ...position, message: '' };
    if (!isSettingName(name)) {
      const near = closestName(name, SETTING_NAMES);
      errors.push({ ...where, variable: name, message: 'is not an orbis setting', hint: near ? `did you mean ${near}?` : 'see conf/orbis.conf.example for the settings' });
      continue;
    }
    const text = layerValueText(value);
    if (text === undefined) {
      errors.push({ ...where, variable: name, message: 'must be a single value (text, a number or true/false), not a list or a map', hint: 'write one value' });
      continue;
    }
    candidates[name] = candidate(name, text, origin);
  }
}

function layerValueText(value: unknown): RawValue | undefined {
  if (typeof value === 'string' || value instanceof Secret) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

function applyEnv(env: Readonly<Record<string, string | undefined>>, candidates: Candidates): void {
  for (const name of SETTING_NAMES) {
    const variable = envNameOf(name);
    const value = env[variable];
    if (value !== undefined) candidates[name] = candidate(name, value, { kind: 'env', variable });
  }
}

function applyVars(vars: readonly string[], candidates: Candidates, errors: ConfigIssue[]): void {
  for (const arg of vars) {
    const eq = arg.indexOf('=');
    // The argument is never echoed: `--var DLIVE_CLE_FLUX:abc` would print a key.
    if (eq <= 0) {
      errors.push({ source: '--var', message: 'expects KEY=VALUE (no "=" found, or nothing before it)', hint: 'write --var NAME=value, e.g. --var NGINX_PORT_RTMP=1935' });
      continue;
    }
    const name = arg.slice(0, eq);
    if (!isSettingName(name)) {
      const near = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? closestName(name, SETTING_NAMES) : undefined;
      const shownName = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? name : undefined;
      const issue: ConfigIssue = { source: '--var', message: 'names no orbis setting', hint: near ? `did you mean ${near}?` : 'see conf/orbis.conf.example for the settings' };
      if (shownName !== undefined) issue.variable = shownName;
      errors.push(issue);
      continue;
    }
    if (isSecretSetting(name)) {
      // On the command line a key is in every process listing (/proc/PID/cmdline, readable by
      // any user of the machine) and in the shell's history: refused, as `orbis init` refuses it.
      const env = envNameOf(name);
      errors.push({
        source: `--var ${name}`,
        variable: name,
        message: 'is a stream key, and a key on the command line is readable by every user of this machine (ps) and kept in your shell history',
        hint: `put it in the environment without typing it on a command line (read -rs ${env} && export ${env}), or in conf/orbis.conf (orbis init)`,
      });
      continue;
    }
    candidates[name] = candidate(name, arg.slice(eq + 1), { kind: 'var' });
  }
}

/** Secret settings become `Secret`s right away, labelled with their origin (never their value). */
function candidate(name: SettingName, raw: RawValue, origin: ValueOrigin): Candidate {
  if (!isSecretSetting(name)) return { raw, origin };
  const label = describeOrigin(origin, name);
  if (raw instanceof Secret) return { raw: raw.origin === 'unknown' ? new Secret(raw.reveal(), label) : raw, origin };
  return { raw: new Secret(raw, label), origin };
}
