// The records of src/pi/history.sh, a host's runs and backups read for `orbis rollback`.
import { optional, recordSchemas, text, word } from './records.js';

/**
 * A file's state, after its path: its kind, then for a file `mode uid gid` and its sha256, for a
 * link its target (base64); nothing more for absent, dropped or other.
 */
const state = { kind: word, a: optional(word), b: optional(word) };

export const HISTORY_RECORDS = recordSchemas({
  /** Of the run records as read (the rollback refuses to go on when they changed since). */
  FINGERPRINT: { value: word },
  /** A run record (its JSON). */
  RECORD: { json: text },
  MANIFEST: { json: text },
  PENDING: { handlers: text },
  /** A run's backup and its sequence number. */
  BACKUP: { run: word, seq: optional(word) },
  /** A file as a run's backup holds it: run id, path (common.sh `enc`), state. */
  WAS: { run: word, path: word, ...state },
  /** A unit as a run's backup holds it: run id, name, enabled and active (`-` for empty). */
  UNITWAS: { run: word, unit: word, enabled: optional(word), active: optional(word) },
  /** A file the backups mention, as it is now: path (`enc`), state. */
  NOW: { path: word, ...state },
  /** A unit the backups mention, as it is now. */
  UNITNOW: { unit: word, enabled: optional(word), active: optional(word) },
  END: {},
});
