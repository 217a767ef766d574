// Where the secrets live by default, and how a user names other places. Kept in one module so
// that the CLI's help, the errors' hints and the loader agree.
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Encrypted, so it may be committed: the clear text never touches the repository. */
export const DEFAULT_SECRETS_FILE = 'conf/secrets.age';

/** The environment variable naming the identity FILE (a path, never the key itself). */
export const IDENTITY_ENV = 'ORBIS_SECRETS_IDENTITY';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The identity file: --identity, else $ORBIS_SECRETS_IDENTITY, else
 * $XDG_CONFIG_HOME/orbis/identity.txt (~/.config/orbis/identity.txt): outside the checkout, so a
 * `git add -A` can never pick it up.
 */
export function identityPath(option: string | undefined, env: Env): string {
  if (option !== undefined && option !== '') return option;
  const fromEnv = env[IDENTITY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return defaultIdentityPath(env);
}

export function defaultIdentityPath(env: Env): string {
  const configHome = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(configHome, 'orbis', 'identity.txt');
}

/**
 * The public keys a secrets file is encrypted to sit beside it (`conf/secrets.age` ->
 * `conf/secrets.recipients`), in the format of `age -R`: committed with it, so a team member's
 * key is added by a reviewed change, and the file can be re-encrypted without anyone's passphrase.
 */
export function recipientsPathFor(secretsFile: string): string {
  const base = basename(secretsFile);
  const stem = base.endsWith('.age') ? base.slice(0, -'.age'.length) : base;
  return join(dirname(secretsFile), `${stem}.recipients`);
}
