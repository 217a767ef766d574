// The records of src/pi/import-probe.sh, `orbis import`'s read of an upstream install.
import { int, optional, recordSchemas, text, word } from './records.js';

/** A file's path, then `stat -c '%a %U %Y %s'` as four fields. */
const file = { path: text, mode: word, owner: word, mtime: word, size: word };

export const IMPORT_RECORDS = recordSchemas({
  HOSTNAME: { name: word },
  /** The probe's uid (0: sudo worked). */
  UID: { uid: int },
  /** A file read whole. */
  FILE: { ...file, content: optional(text) },
  /** A file too large to read (or only listed): its stat. */
  LISTED: file,
  /** A project directory (it holds conf/orbis.conf) and its owner. */
  PROJECT: { dir: text, owner: word },
  /** A directory that looked like a project and is not. */
  NOPROJECT: { dir: text },
  /** A login user's home. */
  HOME: { user: word, home: text },
  /** A unit of the stack: ActiveState, `systemctl is-enabled`. */
  UNIT: { name: word, active: optional(word), enabled: optional(word) },
  /** A process of the stack: pid, argv (one per line), cwd, its unit, its user. */
  PROC: { pid: word, args: text, cwd: text, unit: optional(word), user: optional(word) },
  /** orbis's manifest, when orbis already manages this Pi. */
  MANIFEST: { json: text },
});
