// The records of src/pi/authorized-keys.sh, the SSH key's installer at a first contact.
import { recordSchemas, word } from './records.js';

export const INSTALL_KEY_RECORDS = recordSchemas({
  /** The authorized_keys file, as the host names it. */
  FILE: { path: word },
  /** The home's mode, when others may write to it (sshd then ignores the key). */
  HOME_WRITABLE: { mode: word },
  /** The key was there already / has been added; the modes put right, space-separated. */
  PRESENT: { fixed: word },
  ADDED: { fixed: word },
});
