// The records of src/pi/remove-old.sh, `orbis import --remove-old`'s archive and removal.
import { int, recordSchemas, text, word } from './records.js';

export const REMOVE_OLD_RECORDS = recordSchemas({
  /** The archive of everything about to be removed: its path, its size in bytes. */
  ARCHIVE: { path: text, bytes: int },
  /** A path removed. */
  REMOVED: { path: text },
  /** A unit disabled and stopped. */
  DISABLED: { unit: word },
  /** A removal failed and the archive was put back. */
  RESTORED: {},
});
