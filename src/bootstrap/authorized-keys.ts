// Putting a public key into the login user's ~/.ssh/authorized_keys, as the user (so the files are
// theirs), with the modes sshd's StrictModes insists on: ~/.ssh 0700, authorized_keys 0600.
// Idempotent: a key already there (with options or another comment) is left alone. The key line
// travels on stdin; the script is constant (src/pi/authorized-keys.sh).
import { composeScript } from '../pi/scripts.js';
import type { Transport } from '../transport/types.js';
import { assertSucceeded } from '../transport/checked.js';
import type { PublicKey } from './public-key.js';
import { INSTALL_KEY_RECORDS } from '../wire/bootstrap.js';
import { decodeRecords } from '../wire/records.js';

/** The installer (src/pi/authorized-keys.sh): the command itself, the key on its stdin. */
export const INSTALL_KEY_SCRIPT = composeScript({ files: ['authorized-keys.sh'] });

export interface InstallAnswer {
  added: boolean;
  /** Modes put right (`~/.ssh:0700`, `authorized_keys:0600`). */
  fixed: string[];
  /** The file, as the host names it (the user's home). */
  file?: string;
  /** The home directory's mode when others may write to it (sshd will ignore the key). */
  homeWritable?: string;
}

export function parseInstallAnswer(stdout: string): InstallAnswer {
  const answer: InstallAnswer = { added: false, fixed: [] };
  for (const r of decodeRecords(stdout, INSTALL_KEY_RECORDS, 'SSH key installer')) {
    if (r.tag === 'ADDED' || r.tag === 'PRESENT') {
      answer.added = r.tag === 'ADDED';
      answer.fixed = r.fixed.trim().split(/\s+/).filter((x) => x.length > 0);
    } else if (r.tag === 'FILE') {
      answer.file = r.path;
    } else {
      answer.homeWritable = r.mode;
    }
  }
  return answer;
}

/** Install `key` for the login user of `transport` (no sudo: the user's own files). */
export async function installKey(transport: Transport, key: PublicKey): Promise<InstallAnswer> {
  const result = await transport.exec(INSTALL_KEY_SCRIPT, { stdin: `${key.line}\n`, label: 'install the SSH key in ~/.ssh/authorized_keys', timeoutSec: 30 });
  assertSucceeded(transport.name, INSTALL_KEY_SCRIPT, result, {
    label: 'install the SSH key in ~/.ssh/authorized_keys',
    hint: 'the login user must own its home directory and ~/.ssh (ls -la ~ on the host)',
  });
  return parseInstallAnswer(result.stdout);
}
