// A var's value, made ready for the settings layer: text as written, or the value a reference
// points at. Stream keys become Secrets labelled with where they came from (never the value).
import { isSecretSetting, Secret, type ConfigIssue } from '../config/index.js';
import { formatPosition } from '../config/origins.js';
import type { Scope, VarEntry, VarValue } from './types.js';

/**
 * Named secrets from an encrypted secrets file. Not built yet (a later issue): this is the hook
 * `{ secret: NAME }` resolves through, so the inventory format need not change when it comes.
 */
export interface SecretStore {
  /** Where the secrets come from, for messages: "inventory/secrets.age". */
  describe: string;
  get(name: string): string | undefined;
}

export interface ReferenceOptions {
  /** Where `{ env: NAME }` is read. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  secrets?: SecretStore;
  /**
   * A reference to nothing (an unset variable): `error` for runs, which must not go on without
   * a value; `warn` to show an inventory anyway (the value is left out, so a lower level's shows).
   */
  unresolved?: 'error' | 'warn';
}

export type Resolution =
  | { ok: true; value: string | Secret; reference?: string }
  | { ok: false; issue: ConfigIssue };

export function resolveVar(entry: VarEntry, scope: Scope, options: ReferenceOptions): Resolution {
  const { value } = entry;
  if (value.kind === 'text') return { ok: true, value: value.text };
  const reference = describeReference(value);
  const found = value.kind === 'env' ? (options.env ?? process.env)[value.variable] : options.secrets?.get(value.name);
  if (found === undefined) return { ok: false, issue: unresolvedIssue(entry, scope, options) };
  if (!isSecretSetting(entry.name)) return { ok: true, value: found, reference };
  return { ok: true, value: new Secret(found, `${reference} (${formatPosition(entry.at)}, ${scope.label})`), reference };
}

/** "environment SALON_DLIVE_KEY", "secret salon_dlive"; '' for a value written in the file. */
export function describeReference(value: VarValue): string {
  if (value.kind === 'env') return `environment ${value.variable}`;
  return value.kind === 'secret' ? `secret ${value.name}` : '';
}

function unresolvedIssue(entry: VarEntry, scope: Scope, options: ReferenceOptions): ConfigIssue {
  const where = { ...entry.at, variable: entry.name };
  if (entry.value.kind === 'env') {
    return { ...where, message: `refers to the environment variable ${entry.value.variable} (${scope.label}), which is not set`, hint: `export ${entry.value.variable}=... before running orbis` };
  }
  const name = entry.value.kind === 'secret' ? entry.value.name : '';
  return options.secrets === undefined
    ? { ...where, message: `refers to the secret ${name} (${scope.label}), but no secrets file is loaded`, hint: 'encrypted secrets files are not supported yet: give it with { env: NAME } for now' }
    : { ...where, message: `refers to the secret ${name} (${scope.label}), which ${options.secrets.describe} does not hold`, hint: `add ${name} to ${options.secrets.describe}` };
}
