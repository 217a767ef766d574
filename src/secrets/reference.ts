// A value given by reference instead of written out: `{ env: NAME }` (an environment variable) or
// `{ secret: NAME }` (a name in the encrypted secrets file). The result is always a Secret, and
// every error says where the reference is written and what to do, never a value.
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import type { SourcePosition } from '../config/origins.js';
import { Secret } from '../redact/secret.js';
import { closestName } from '../config/suggest.js';
import type { Env } from './locations.js';
import type { SecretsFile } from './vault.js';

export type SecretReference = { secret: string } | { env: string };

export interface ReferenceContext {
  /** The secrets file, opened (decrypted) only if a `{ secret: NAME }` needs it. */
  secrets?: SecretsFile;
  /** Where `{ env: NAME }` is read. Default: process.env. */
  env?: Env;
  /** Where the reference is written, for errors. */
  at?: SourcePosition;
  /** The setting it gives a value to (DLIVE_CLE_FLUX), for errors. */
  variable?: string;
}

export async function resolveSecretReference(ref: SecretReference, context: ReferenceContext = {}): Promise<Secret> {
  if ('env' in ref) return fromEnv(ref.env, context);
  return fromSecretsFile(ref.secret, context);
}

function fromEnv(name: string, context: ReferenceContext): Secret {
  const env = context.env ?? process.env;
  const value = env[name];
  if (value !== undefined) return new Secret(value, `environment ${name}`);
  // Only names are compared and shown: the environment's values stay out of it.
  const near = closestName(name, Object.keys(env).filter((k) => env[k] !== undefined));
  throw referenceError(context, `refers to the environment variable ${name}, which is not set`, near === undefined ? `export ${name}=... before running orbis` : `did you mean ${near}? otherwise export ${name}=... before running orbis`);
}

async function fromSecretsFile(name: string, context: ReferenceContext): Promise<Secret> {
  const file = context.secrets;
  if (file === undefined || !file.exists()) {
    const where = file?.path ?? 'conf/secrets.age';
    throw referenceError(context, `refers to the secret ${name}, but there is no secrets file (${where})`, 'create one with `orbis secrets init`, then add the secret with `orbis secrets edit`');
  }
  const secrets = await file.load();
  const value = secrets.get(name);
  if (value !== undefined) return value;
  const near = closestName(name, secrets.keys());
  const names = [...secrets.keys()];
  const hint = near !== undefined
    ? `did you mean ${near}?`
    : names.length === 0
      ? `${file.path} holds no secret yet: add it with \`orbis secrets edit\``
      : `${file.path} holds ${names.join(', ')}; add ${name} with \`orbis secrets edit\``;
  throw referenceError(context, `refers to the secret ${name}, which ${file.path} does not hold`, hint);
}

function referenceError(context: ReferenceContext, message: string, hint: string): ConfigError {
  const issue: ConfigIssue = { ...(context.at ?? { source: 'reference' }), message, hint };
  if (context.variable !== undefined) issue.variable = context.variable;
  return new ConfigError([issue]);
}
