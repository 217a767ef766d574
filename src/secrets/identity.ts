// The identity: the private key that opens the secrets file. A file in age-keygen's format
// (`AGE-SECRET-KEY-1...` lines, `#` comments), either in clear and private to its owner (0600,
// like an SSH key), or itself encrypted with a passphrase by age's scrypt recipient (what
// `age-keygen | age -p -a` writes; the `age` CLI opens both with `-i`). The passphrase is asked
// on the terminal, never read from the environment or argv: environment variables are inherited
// by every child (ssh, the editor) and readable in /proc by the same user.
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import * as age from 'age-encryption';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { Secret } from '../redact/secret.js';
import { AgeDecryptError, decryptAge, encryptWithPassphrase, isAgeFile } from './age-file.js';
import { IDENTITY_ENV } from './locations.js';
import { ensurePrivateDir, writeNewFile } from './private-files.js';

/** Asks for a passphrase (hidden input on a TTY); throws when it cannot ask. */
export type AskPassphrase = (question: string) => Promise<Secret>;

export interface LoadedIdentity {
  path: string;
  /** The private keys, as Secrets: they print masked if anything ever logs them. */
  keys: readonly Secret[];
  /** Their public keys (age1...), the recipients they open. */
  recipients: readonly string[];
  passphraseProtected: boolean;
}

export interface ReadIdentityOptions {
  askPassphrase?: AskPassphrase;
  /** Tries before giving up on a wrong passphrase (each costs a scrypt run). */
  attempts?: number;
}

export async function readIdentity(path: string, options: ReadIdentityOptions = {}): Promise<LoadedIdentity> {
  const bytes = readIdentityBytes(path);
  if (!isAgeFile(bytes)) {
    checkPrivate(path);
    return { path, ...(await parseIdentityText(bytes.toString('utf8'), path)), passphraseProtected: false };
  }
  const text = await unlockWithPassphrase(path, bytes, options);
  return { path, ...(await parseIdentityText(text, path)), passphraseProtected: true };
}

export interface CreateIdentityOptions {
  /** Protect the new identity with this passphrase (scrypt); otherwise it is written in clear, 0600. */
  passphrase?: Secret;
  /** scrypt log2(N) for the passphrase; tests lower it. */
  workFactor?: number;
  now?: Date;
}

/**
 * A new X25519 identity at `path` (0600, its directory 0700). X25519 rather than age's
 * post-quantum keys: Debian bookworm's `age` (1.1) must be able to open the file too. Never
 * replaces an existing file.
 */
export async function createIdentity(path: string, options: CreateIdentityOptions = {}): Promise<LoadedIdentity> {
  const key = await age.generateX25519Identity();
  const recipient = await age.identityToRecipient(key);
  const text = `# created: ${(options.now ?? new Date()).toISOString()}\n# public key: ${recipient}\n${key}\n`;
  const content = options.passphrase === undefined ? text : await encryptWithPassphrase(text, options.passphrase, options.workFactor);
  ensurePrivateDir(dirname(path));
  try {
    writeNewFile(path, content, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new ConfigError([{ file: path, message: 'already exists; orbis never replaces an identity (every secret encrypted to it would be lost)', hint: 'use it as it is, or move it away first' }]);
  }
  return { path, keys: [new Secret(key, `identity ${path}`)], recipients: [recipient], passphraseProtected: options.passphrase !== undefined };
}

function readIdentityBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError([{ file: path, message: 'no such identity file', hint: `create one with \`orbis secrets init\`, or name yours with --identity FILE or ${IDENTITY_ENV}=FILE` }]);
    }
    throw new ConfigError([{ file: path, message: `the identity file cannot be read (${code ?? 'error'})`, hint: 'check its owner and permissions' }]);
  }
}

// As ssh does for private keys: a key anyone else can read is refused, not used.
function checkPrivate(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  throw new ConfigError([{
    file: path,
    message: `the identity file is readable by others (mode ${mode.toString(8).padStart(4, '0')}); an unencrypted identity must be private`,
    hint: `chmod 600 ${path}, or protect it with a passphrase (age -p)`,
  }]);
}

async function unlockWithPassphrase(path: string, bytes: Buffer, options: ReadIdentityOptions): Promise<string> {
  if (options.askPassphrase === undefined) {
    throw new ConfigError([{
      file: path,
      message: 'the identity is protected by a passphrase, and there is no terminal to ask it on',
      hint: 'run orbis from a terminal; for unattended runs use an identity without passphrase, kept private (chmod 600)',
    }]);
  }
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const passphrase = await options.askPassphrase(`Passphrase for ${path}: `);
    try {
      return await decryptAge(bytes, { passphrase });
    } catch (error) {
      if (!(error instanceof AgeDecryptError)) throw error;
      if (error.failure !== 'no-match') {
        throw new ConfigError([{ file: path, message: 'the identity file is damaged (not a readable age file)', hint: 'restore it from your backup' }]);
      }
    }
  }
  throw new ConfigError([{ file: path, message: `the passphrase does not open this identity (${attempts} ${attempts === 1 ? 'try' : 'tries'})`, hint: 'check the passphrase; it cannot be recovered' }]);
}

/** The keys of an identity file's text; errors name the line, never its content. */
export async function parseIdentityText(text: string, path: string): Promise<{ keys: Secret[]; recipients: string[] }> {
  const found: { key: Secret; line: number }[] = [];
  const issues: ConfigIssue[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('AGE-SECRET-KEY-')) found.push({ key: new Secret(line, `identity ${path}`), line: index + 1 });
    else if (line.startsWith('AGE-PLUGIN-')) issues.push({ file: path, line: index + 1, message: 'age plugin identities are not supported', hint: 'use an identity made by age-keygen or `orbis secrets init`' });
    else issues.push({ file: path, line: index + 1, message: 'is not an age identity (AGE-SECRET-KEY-1...) nor a # comment', hint: 'an identity file holds what age-keygen writes' });
  });
  if (issues.length === 0 && found.length === 0) {
    issues.push({ file: path, message: 'holds no identity (no AGE-SECRET-KEY-1... line)', hint: 'an identity file holds what age-keygen writes' });
  }
  const recipients: string[] = [];
  for (const { key, line } of found) {
    try {
      recipients.push(await age.identityToRecipient(key.reveal()));
    } catch {
      issues.push({ file: path, line, message: 'is not a valid age identity (damaged or cut short?)', hint: 'restore the identity file from your backup' });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { keys: found.map((f) => f.key), recipients };
}
