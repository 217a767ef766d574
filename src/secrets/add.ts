// Adding named values to the encrypted secrets file without an editor (`orbis import --keys
// secrets` moves the stream keys it found there). The file must exist already (`orbis secrets
// init`); a name already in it is never overwritten. Values never leave memory in clear.
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import type { Secret } from '../redact/secret.js';
import { encryptToRecipients } from './age-file.js';
import { parseSecretsText } from './document.js';
import { writeFileAtomic } from './private-files.js';
import { recipientsToEncryptTo } from './recipients.js';
import { openSecrets, type SecretsOptions } from './vault.js';

export interface NewSecret {
  name: string;
  value: Secret;
}

/** One YAML line: single quotes keep the value as text whatever it holds. */
function secretLine(entry: NewSecret): string {
  return `${entry.name}: '${entry.value.reveal().replace(/'/g, "''")}'`;
}

export async function addSecrets(entries: readonly NewSecret[], comment: string, options: SecretsOptions = {}): Promise<{ file: string }> {
  const file = openSecrets(options);
  if (!file.exists()) {
    throw new ConfigError([{ file: file.path, message: 'no such secrets file', hint: 'create it first with `orbis secrets init`, or keep the keys in the conf file (--keys conf)' }]);
  }
  const before = readFileSync(file.path);
  const opened = await file.open();
  const taken = entries.filter((e) => opened.secrets.has(e.name));
  if (taken.length > 0) {
    throw new ConfigError(taken.map((e) => ({ file: file.path, variable: e.name, message: 'is already in the secrets file; it is not overwritten', hint: 'choose another host name with --name, or remove it first with `orbis secrets edit`' })));
  }
  const base = opened.text.length === 0 || opened.text.endsWith('\n') ? opened.text : `${opened.text}\n`;
  const text = `${base}# ${comment.replace(/[\r\n]+/g, ' ')}\n${entries.map(secretLine).join('\n')}\n`;
  const parsed = parseSecretsText(text, file.path);
  if (parsed.issues.length > 0) throw new ConfigError(parsed.issues, entries.map((e) => e.value));
  const recipients = await recipientsToEncryptTo(file.recipientsPath, opened.identity);
  const armored = await encryptToRecipients(text, recipients);
  if (!readFileSync(file.path).equals(before)) {
    throw new ConfigError([{ file: file.path, message: 'changed while the keys were being added; nothing was saved', hint: 'run the command again' }]);
  }
  writeFileAtomic(file.path, armored, statSync(file.path).mode & 0o777);
  return { file: file.path };
}
