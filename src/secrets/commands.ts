// The `orbis secrets` commands other than edit, as functions returning what to print: the CLI
// (src/cli/secrets.ts) only parses options and writes the output. Every value stays inside the
// encrypted file except in `decrypt --reveal`, the one command whose job is to show them.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, formatIssue, type ConfigIssue } from '../config/errors.js';
import type { Secret } from '../redact/secret.js';
import { isTrackedByGit } from '../inventory/git.js';
import { encryptToRecipients } from './age-file.js';
import { NEW_SECRETS_TEXT, parseSecretsText } from './document.js';
import { streamKeyWarnings } from './edit.js';
import { createIdentity, readIdentity, type AskPassphrase, type LoadedIdentity } from './identity.js';
import { recipientsPathFor } from './locations.js';
import { writeFileAtomic, writeNewFile } from './private-files.js';
import { readRecipients, recipientsFileText, recipientsToEncryptTo } from './recipients.js';
import { openSecrets, type SecretsOptions } from './vault.js';

export interface CommandOutput {
  stdout: string;
  /** Notes and warnings: what the user should know, never a value. */
  stderr: string;
}

export interface InitOptions extends SecretsOptions {
  /** For a new identity: its passphrase (asked twice by the CLI), or undefined for a key file. */
  newPassphrase?: () => Promise<Secret>;
  /** scrypt log2(N) for a new passphrase-protected identity (tests lower it). */
  workFactor?: number;
}

/** A new empty secrets file, and the identity that opens it when there is none yet. */
export async function initSecrets(options: InitOptions = {}): Promise<CommandOutput> {
  const file = openSecrets(options);
  if (file.exists()) {
    throw new ConfigError([{ file: file.path, message: 'already exists', hint: 'change it with `orbis secrets edit`; to start over, move it away first' }]);
  }
  const notes: string[] = [];
  let identity: LoadedIdentity;
  if (existsSync(file.identityPath)) {
    identity = await readIdentity(file.identityPath, askOf(options));
    notes.push(`using the existing identity ${file.identityPath}`);
  } else {
    const passphrase = await options.newPassphrase?.();
    identity = await createIdentity(file.identityPath, {
      ...(passphrase === undefined ? {} : { passphrase }),
      ...(options.workFactor === undefined ? {} : { workFactor: options.workFactor }),
    });
    notes.push(
      `created the identity ${file.identityPath} (mode 0600${identity.passphraseProtected ? ', protected by your passphrase' : ''})`,
      'every secret in it depends on this identity: without it (and its passphrase) they cannot be recovered',
      'make a backup identity that opens them too, kept off this machine: `orbis secrets add-recipient --new-identity /media/usb/orbis-backup.txt --passphrase`',
    );
  }
  mkdirSync(dirname(file.path), { recursive: true });
  let recipients = await readRecipients(file.recipientsPath);
  if (recipients === undefined) {
    recipients = [...identity.recipients];
    writeNewFile(file.recipientsPath, recipientsFileText(recipients, file.path), 0o644);
    notes.push(`created ${file.recipientsPath} (public keys only: commit it)`);
  } else {
    recipients = await recipientsToEncryptTo(file.recipientsPath, identity);
  }
  writeNewFile(file.path, await encryptToRecipients(NEW_SECRETS_TEXT, recipients), 0o644);
  notes.push(`created ${file.path} (encrypted: it may be committed)`, 'add secrets with `orbis secrets edit`');
  return { stdout: `public key: ${identity.recipients[0] ?? ''}\n`, stderr: lines(notes) };
}

export interface EncryptOptions extends SecretsOptions {
  /** Default: the plain file's name + .age. */
  output?: string;
  force?: boolean;
}

/** An existing clear `name: value` file, checked, encrypted to the output's recipients. */
export async function encryptSecretsFile(plain: string, options: EncryptOptions = {}): Promise<CommandOutput> {
  const text = readPlain(plain);
  const parsed = parseSecretsText(text, plain);
  const values = parsed.entries.map((e) => e.value);
  if (parsed.issues.length > 0) throw new ConfigError(parsed.issues, values);
  const output = options.output ?? `${plain}.age`;
  if (existsSync(output) && options.force !== true) {
    throw new ConfigError([{ file: output, message: 'already exists', hint: 'add --force to replace it, or change it with `orbis secrets edit`' }]);
  }
  const recipientsPath = recipientsPathFor(output);
  // The recipients file suffices to encrypt: no identity, no passphrase needed.
  const listed = await readRecipients(recipientsPath);
  const own = listed === undefined ? await readIdentity(openSecrets(options).identityPath, askOf(options)) : undefined;
  const recipients = listed ?? [...(own?.recipients ?? [])];
  writeFileAtomic(output, await encryptToRecipients(text, recipients), 0o644);

  const notes = [`encrypted ${parsed.entries.length} secret(s) to ${output} (for ${recipients.length} recipient(s))`];
  const warnings: ConfigIssue[] = streamKeyWarnings(parsed.entries, plain);
  if (isTrackedByGit(plain)) notes.push(`warning: ${plain} is tracked by git: its secrets are in the history; change them on the platforms`);
  notes.push(`now delete the clear file: shred -u ${plain}`);
  return { stdout: '', stderr: lines([...warnings.map(warningLine), ...notes]) };
}

export interface DecryptOptions extends SecretsOptions {
  /** The user's explicit consent to see every value. */
  reveal?: boolean;
  /** Write to this new file (0600) instead of stdout. */
  output?: string;
}

export async function decryptSecrets(options: DecryptOptions = {}): Promise<CommandOutput> {
  if (options.reveal !== true) {
    throw new ConfigError([{ message: 'prints every secret in clear, so it needs --reveal', hint: '`orbis secrets list` shows the names only; `orbis secrets edit` changes values without printing them' }]);
  }
  const opened = await openSecrets(options).open();
  if (options.output === undefined) return { stdout: opened.text, stderr: '' };
  try {
    writeNewFile(options.output, opened.text, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new ConfigError([{ file: options.output, message: 'already exists; a clear copy is never written over a file', hint: 'choose another name' }]);
  }
  return { stdout: '', stderr: lines([`wrote ${options.output} (mode 0600, in clear): delete it when done (shred -u ${options.output})`]) };
}

export interface ListOptions extends SecretsOptions {
  json?: boolean;
}

/** The names, never the values. */
export async function listSecrets(options: ListOptions = {}): Promise<CommandOutput> {
  const file = openSecrets(options);
  const names = [...(await file.load()).keys()];
  if (options.json === true) {
    return { stdout: `${JSON.stringify({ file: file.path, identity: file.identityPath, names }, null, 2)}\n`, stderr: '' };
  }
  const note = `${names.length} secret(s) in ${file.path}${names.length === 0 ? '; add some with `orbis secrets edit`' : ''}`;
  return { stdout: lines(names), stderr: lines([note]) };
}

/** Encrypt again to the recipients file as it is now (someone added or removed a key). */
export async function rekeySecrets(options: SecretsOptions = {}): Promise<CommandOutput> {
  const file = openSecrets(options);
  const opened = await file.open();
  const recipients = await recipientsToEncryptTo(file.recipientsPath, opened.identity);
  writeFileAtomic(file.path, await encryptToRecipients(opened.text, recipients), 0o644);
  return { stdout: '', stderr: lines([`re-encrypted ${file.path} to ${recipients.length} recipient(s) from ${file.recipientsPath}`]) };
}

function readPlain(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([{ file: path, message: code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`, hint: 'name the clear `name: value` file to encrypt' }]);
  }
}

function askOf(options: SecretsOptions): { askPassphrase?: AskPassphrase } {
  return options.askPassphrase === undefined ? {} : { askPassphrase: options.askPassphrase };
}

function warningLine(issue: ConfigIssue): string {
  return `warning: ${formatIssue(issue)}`;
}

function lines(items: readonly string[]): string {
  return items.map((l) => `${l}\n`).join('');
}
