// The events an apply or rollback script writes (src/pi/run.sh `ev`), read back when it ends.
import { optional, recordSchemas, text, word } from './records.js';

export const APPLY_EVENT_RECORDS = recordSchemas({
  /**
   * A step began / finished, with bash's $EPOCHREALTIME then. The time is a word, read leniently:
   * it only times the step, and bash writes it with the locale's decimal separator.
   */
  BEGIN: { step: word, at: optional(word) },
  OK: { step: word, at: optional(word) },
  /** The step that failed and why (the end of what failed). */
  FAIL: { step: word, message: optional(text) },
  /** A handler that ran. */
  HANDLER: { name: text },
  /** Another run holds the host's lock: what its holder file says. */
  LOCKED: { holder: optional(text) },
  /** The script reached its end. */
  DONE: {},
});
