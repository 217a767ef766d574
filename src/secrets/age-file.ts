// The age format, through age-encryption (by age's author): files orbis writes open with the
// `age` CLI (`age -d -i IDENTITY FILE`), and files the CLI writes open in orbis. orbis writes the
// ASCII armor, so the encrypted file diffs and reviews as text; it reads both encodings.
import * as age from 'age-encryption';
import type { Secret } from '../redact/secret.js';

const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const BINARY_MAGIC = 'age-encryption.org/v1\n';

/** Why a file did not open. Never carries the library's message: say what to do instead. */
export type AgeFailure = 'not-age' | 'corrupt' | 'no-match';

export class AgeDecryptError extends Error {
  constructor(readonly failure: AgeFailure) {
    super(`age decryption failed (${failure})`);
    this.name = 'AgeDecryptError';
  }
}

/** What opens a file: identities (AGE-SECRET-KEY-1...) or a passphrase (age's scrypt recipient). */
export type Unlock = { identities: readonly Secret[] } | { passphrase: Secret };

export function isAgeFile(bytes: Uint8Array): boolean {
  return encodingOf(bytes) !== undefined;
}

export async function encryptToRecipients(text: string, recipients: readonly string[]): Promise<string> {
  const encrypter = new age.Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  return age.armor.encode(await encrypter.encrypt(text));
}

/** `workFactor`: scrypt's log2(N); age's default 18 costs about 2 s here, which is the point. */
export async function encryptWithPassphrase(text: string, passphrase: Secret, workFactor = 18): Promise<string> {
  const encrypter = new age.Encrypter();
  encrypter.setScryptWorkFactor(workFactor);
  encrypter.setPassphrase(passphrase.reveal());
  return age.armor.encode(await encrypter.encrypt(text));
}

export async function decryptAge(bytes: Uint8Array, unlock: Unlock): Promise<string> {
  const encoding = encodingOf(bytes);
  if (encoding === undefined) throw new AgeDecryptError('not-age');
  let body: Uint8Array;
  try {
    body = encoding === 'armor' ? age.armor.decode(Buffer.from(bytes).toString('latin1')) : bytes;
  } catch {
    throw new AgeDecryptError('corrupt');
  }
  const decrypter = new age.Decrypter();
  if ('passphrase' in unlock) decrypter.addPassphrase(unlock.passphrase.reveal());
  else for (const identity of unlock.identities) decrypter.addIdentity(identity.reveal());
  try {
    return await decrypter.decrypt(body, 'text');
  } catch (error) {
    // The one message that means "not for you"; anything else is a damaged file.
    const notForUs = error instanceof Error && error.message.startsWith('no identity matched');
    throw new AgeDecryptError(notForUs ? 'no-match' : 'corrupt');
  }
}

function encodingOf(bytes: Uint8Array): 'armor' | 'binary' | undefined {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (head.trimStart().startsWith(ARMOR_BEGIN)) return 'armor';
  return head.startsWith(BINARY_MAGIC) ? 'binary' : undefined;
}
