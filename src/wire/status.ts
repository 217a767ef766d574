// The records of src/pi/status.sh (with observe.sh's, which it runs too).
import { OBSERVE_RECORDS } from './observe.js';
import { optional, recordSchemas, text, word } from './records.js';

export const STATUS_RECORDS = recordSchemas({
  ...OBSERVE_RECORDS,
  /**
   * The streamer's state files in /run/orbis: `etat` (its last progress samples) and `tour` (its
   * round, what is on air); and the prefetch cache's (`/var/cache/orbis/media/.etat`).
   */
  STREAMER: { etat: text, tour: optional(text), cache: optional(text) },
  /** The journal lines that say something in the stack failed, as JSON lines (`journalctl -o json`). */
  JOURNAL: { entries: text },
  /** The BTFS daemon: MemoryCurrent (`[not set]` or bytes) and its last word on starting. */
  BTFS: { memory: word, said: optional(text) },
});
