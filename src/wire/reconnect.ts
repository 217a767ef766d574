// The records of src/pi/reconnect.sh's drop (the looks around it are observe.sh's, read as status reads them).
import { int, recordSchemas, text, word } from './records.js';

export const RECONNECT_RECORDS = recordSchemas({
  /** nginx-rtmp's control socket is missing. */
  NOSOCKET: {},
  /** One drop asked of the control socket: the client id, curl's exit code, its answer (a count, or an error). */
  DROP: { clientId: word, rc: int, answer: text },
});
