// `orbis secrets add-recipient`: a second key that opens the secrets file, so that losing the
// controller (and its identity) does not lose every stream key. Either someone's public key, or a
// new identity made here for the purpose (a backup to keep offline, ideally behind a passphrase).
// The file is re-encrypted to the longer list and then opened with the new identity before the
// command says it worked: a backup that was never tried is not one.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import type { Secret } from '../redact/secret.js';
import { decryptAge, encryptToRecipients } from './age-file.js';
import { createIdentity } from './identity.js';
import { writeFileAtomic } from './private-files.js';
import { isUsableRecipient, readRecipients, recipientsFileText, recipientsToEncryptTo } from './recipients.js';
import { openSecrets, type SecretsOptions } from './vault.js';
import type { CommandOutput } from './commands.js';

export interface AddRecipientOptions extends SecretsOptions {
  /** A public key (age1...) to add. */
  recipient?: string;
  /** Or: create a new identity at this path and add its public key. */
  newIdentity?: string;
  /** For the new identity: its passphrase, or undefined for a 0600 key file. */
  newPassphrase?: () => Promise<Secret>;
  /** scrypt log2(N) for a passphrase-protected new identity (tests lower it). */
  workFactor?: number;
  now?: Date;
}

export async function addRecipient(options: AddRecipientOptions): Promise<CommandOutput> {
  if ((options.recipient === undefined) === (options.newIdentity === undefined)) {
    throw new ConfigError([{ source: 'orbis secrets add-recipient', message: 'needs either a public key (age1...) or --new-identity FILE', hint: 'e.g. `orbis secrets add-recipient --new-identity /media/usb/orbis-backup.txt --passphrase`' }]);
  }
  if (options.newIdentity !== undefined && existsSync(options.newIdentity)) {
    throw new ConfigError([{ file: options.newIdentity, message: 'already exists; orbis never replaces an identity', hint: 'name a new file for the backup identity' }]);
  }
  const file = openSecrets(options);
  // Opening first: whoever adds a key must be able to read what it will open, and nothing is
  // created (no new identity) when they cannot.
  const before = readFileSync(file.path);
  const opened = await file.open();
  const current = await recipientsToEncryptTo(file.recipientsPath, opened.identity);
  const notes: string[] = [];

  let recipient: string;
  let newKeys: readonly Secret[] = [];
  if (options.recipient !== undefined) {
    recipient = options.recipient.trim();
    if (!(await isUsableRecipient(recipient))) {
      throw new ConfigError([{ source: 'orbis secrets add-recipient', message: 'the key given is not an age public key (age1...)', hint: 'give what `age-keygen -y IDENTITY` prints; SSH keys are not supported' }]);
    }
  } else {
    const path = options.newIdentity ?? '';
    const passphrase = await options.newPassphrase?.();
    const created = await createIdentity(path, {
      ...(passphrase === undefined ? {} : { passphrase }),
      ...(options.workFactor === undefined ? {} : { workFactor: options.workFactor }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    recipient = created.recipients[0] ?? '';
    newKeys = created.keys;
    notes.push(`created the identity ${path} (mode 0600${created.passphraseProtected ? ', protected by your passphrase' : ''}): keep it away from this machine (a USB key in a drawer), it opens every secret`);
  }
  if (current.includes(recipient)) {
    return { stdout: '', stderr: `${recipient} is already a recipient of ${file.path}: nothing to do\n` };
  }

  const recipients = [...current, recipient];
  let armored: string;
  try {
    armored = await encryptToRecipients(opened.text, recipients);
    if (newKeys.length > 0 && (await decryptAge(Buffer.from(armored), { identities: newKeys })) !== opened.text) {
      throw new ConfigError([{ file: file.path, message: 'the new identity could not open the re-encrypted file; nothing was saved', hint: 'report it as a bug' }]);
    }
    if (!readFileSync(file.path).equals(before)) {
      throw new ConfigError([{ file: file.path, message: 'changed while the recipient was being added; nothing was saved', hint: 'run the command again' }]);
    }
  } catch (error) {
    // Nothing opens with the new identity yet: leaving it would be a backup of nothing.
    if (options.newIdentity !== undefined) rmSync(options.newIdentity, { force: true });
    throw error;
  }
  // The secrets first: should the recipients file then fail to be written, the file is encrypted
  // to one key more than it lists, which `orbis secrets rekey` tidies; the other order could list
  // a key the file was never encrypted to, a backup that opens nothing.
  writeFileAtomic(file.path, armored, statSync(file.path).mode & 0o777);
  const listedBefore = await readRecipients(file.recipientsPath);
  const listText = listedBefore === undefined
    ? recipientsFileText(recipients, file.path)
    : `${readFileSync(file.recipientsPath, 'utf8').replace(/\n?$/, '\n')}${recipient}\n`;
  writeFileAtomic(file.recipientsPath, listText, 0o644);
  notes.push(`re-encrypted ${file.path} to ${recipients.length} recipient(s); ${file.recipientsPath} lists ${recipient} (commit both)`);
  return { stdout: `public key: ${recipient}\n`, stderr: notes.map((n) => `${n}\n`).join('') };
}
