// The records of src/pi/observe.sh, the looks verify and status share.
import { int, num, optional, orEmpty, recordSchemas, text, word } from './records.js';

export const OBSERVE_RECORDS = recordSchemas({
  /** The host's time when the script started (date +%s.%N). */
  NOW: { at: num },
  /** One sample of the stack's units: its host time, `systemctl show`, /proc/uptime's first field. */
  UNITS: { at: num, show: text, uptime: optional(orEmpty(num)) },
  /** The BTFS gateway's answer: curl's exit code, `%{http_code} %{size_download} %{time_total}`, its stderr. */
  GW: { rc: int, written: optional(word), error: optional(text) },
  /** The BTFS API: curl's exit code and the HTTP code. */
  API: { rc: int, code: optional(word) },
  /** nginx-rtmp's /stat: curl's exit code, the HTTP code, the body (its first 200 kB), curl's stderr. */
  STAT: { rc: int, code: optional(word), body: optional(text), error: optional(text) },
  /** The script reached its end (missing: it was cut short). */
  END: {},
});
