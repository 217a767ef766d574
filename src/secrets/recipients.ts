// The recipients file: the public keys (age1...) a secrets file is encrypted to, one a line,
// `#` comments, as `age -R FILE` reads it. Public keys only: it is meant to be committed.
import { readFileSync } from 'node:fs';
import * as age from 'age-encryption';
import { ConfigError, type ConfigIssue } from '../config/errors.js';

/** The recipients written in `path`, or undefined when there is no such file. */
export async function readRecipients(path: string): Promise<string[] | undefined> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError([{ file: path, message: `the recipients file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, hint: 'check its permissions' }]);
  }
  const recipients: string[] = [];
  const issues: ConfigIssue[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (await isUsableRecipient(line)) recipients.push(line);
    else issues.push({ file: path, line: index + 1, col: raw.indexOf(line) + 1, message: 'is not an age public key (age1...)', hint: 'one public key per line, as `age-keygen -y IDENTITY` prints it; SSH keys are not supported' });
  }
  if (issues.length === 0 && recipients.length === 0) {
    issues.push({ file: path, message: 'lists no recipient: nobody could open the secrets', hint: 'add your public key (age1..., from `age-keygen -y IDENTITY`)' });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return recipients;
}

export function recipientsFileText(recipients: readonly string[], secretsFile: string): string {
  return [
    `# Public keys ${secretsFile} is encrypted to (age -R format), one a line.`,
    '# To give someone access: add their key (age-keygen -y THEIR_IDENTITY), then re-encrypt with',
    '# `orbis secrets rekey` (anyone who can already open the file can do it).',
    ...recipients,
    '',
  ].join('\n');
}

// The library checks a recipient's encoding only when it encrypts: encrypt nothing to find out.
export async function isUsableRecipient(text: string): Promise<boolean> {
  if (!/^age1[0-9a-z]+$/.test(text)) return false;
  try {
    const encrypter = new age.Encrypter();
    encrypter.addRecipient(text);
    await encrypter.encrypt('');
    return true;
  } catch {
    return false;
  }
}

/**
 * Who a secrets file is (re-)encrypted to: its recipients file, or, without one, the identity's
 * own key. Refuses a recipients list that leaves out the identity doing the writing, which would
 * lock its user out of the file they just wrote.
 */
export async function recipientsToEncryptTo(recipientsPath: string, own: { path: string; recipients: readonly string[] } | undefined): Promise<string[]> {
  const listed = await readRecipients(recipientsPath);
  if (listed === undefined) {
    if (own === undefined) throw new ConfigError([{ file: recipientsPath, message: 'no such recipients file, and no identity to encrypt to', hint: 'run `orbis secrets init`' }]);
    return [...own.recipients];
  }
  if (own !== undefined && !own.recipients.some((r) => listed.includes(r))) {
    throw new ConfigError([{
      file: recipientsPath,
      message: `does not list the public key of the identity ${own.path}: you could not open what orbis would write`,
      hint: `add ${own.recipients[0] ?? 'your public key'} to it`,
    }]);
  }
  return listed;
}
