// The records of the access guard's scripts (src/pi/access-guard-arm.sh, -confirm.sh).
import { int, optional, orEmpty, recordSchemas } from './records.js';

export const ARM_RECORDS = recordSchemas({
  /** The timer that undoes the change runs; when it was armed (epoch seconds). */
  ARMED: { at: int },
});

export const CONFIRM_RECORDS = recordSchemas({
  /** The change is confirmed, the timer stopped. */
  CONFIRMED: {},
  /** Too late: the host undid the change itself, then (epoch seconds, when it could tell). */
  ROLLED_BACK: { at: optional(orEmpty(int)) },
  /** No record of that guard on the host. */
  GONE: {},
});
