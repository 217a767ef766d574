// Storing named secrets without an editor (`orbis init` puts the stream keys it was given): the
// file is created first when there is none (as `orbis secrets init` does), decrypted, the
// entries added or replaced, checked, and re-encrypted in place atomically. No value is ever in
// a message.
import { statSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import type { Secret } from '../redact/secret.js';
import { encryptToRecipients } from './age-file.js';
import { initSecrets, type InitOptions } from './commands.js';
import { parseSecretsText, SECRET_NAME_RE, SECRET_NAME_RULE } from './document.js';
import { writeFileAtomic } from './private-files.js';
import { recipientsToEncryptTo } from './recipients.js';
import { openSecrets } from './vault.js';

export interface PutOptions extends InitOptions {
  /** Replace secrets of the same names (otherwise such a name is an error and nothing is written). */
  replace?: boolean;
}

/** Add `entries` to the secrets file; returns notes for the user (what was created and stored). */
export async function putSecrets(entries: ReadonlyMap<string, Secret>, options: PutOptions = {}): Promise<string[]> {
  const values = [...entries.values()];
  for (const name of entries.keys()) {
    if (!SECRET_NAME_RE.test(name)) throw new ConfigError([{ variable: name, message: `is not a secret name (${SECRET_NAME_RULE})`, hint: 'choose another name' }]);
  }
  const notes: string[] = [];
  if (!openSecrets(options).exists()) {
    const created = await initSecrets(options);
    notes.push(...created.stderr.split('\n').filter((l) => l.length > 0 && !l.includes('orbis secrets edit')));
  }
  const file = openSecrets(options);
  const opened = await file.open();
  const existing = parseSecretsText(opened.text, file.path).entries;
  const clashes = existing.filter((e) => entries.has(e.name));
  if (clashes.length > 0 && options.replace !== true) {
    throw new ConfigError(
      clashes.map((e) => ({ file: file.path, line: e.line, col: e.col, variable: e.name, message: 'is already in the secrets file', hint: 'add --force to replace it, or choose another name' })),
      values,
    );
  }
  const dropped = new Set(clashes.map((e) => e.line));
  const kept = opened.text.split('\n').filter((_, i) => !dropped.has(i + 1));
  const body = kept.join('\n').replace(/\n*$/, '\n');
  const added = [...entries].map(([name, value]) => `${name}: '${value.reveal().replace(/'/g, "''")}'\n`).join('');
  const text = `${body}${added}`;
  const check = parseSecretsText(text, file.path);
  if (check.issues.length > 0) throw new ConfigError(check.issues, values);

  const recipients = await recipientsToEncryptTo(file.recipientsPath, opened.identity);
  writeFileAtomic(file.path, await encryptToRecipients(text, recipients), statSync(file.path).mode & 0o777);
  notes.push(`${clashes.length > 0 ? 'replaced' : 'stored'} ${[...entries.keys()].join(', ')} in ${file.path} (encrypted)`);
  return notes;
}
