// The records of src/pi/verify.sh (with observe.sh's, which it runs too).
import { OBSERVE_RECORDS } from './observe.js';
import { flag, int, optional, recordSchemas, text, word } from './records.js';

export const VERIFY_RECORDS = recordSchemas({
  ...OBSERVE_RECORDS,
  /** `ss -Hltnp` of the listeners. */
  SS: { output: text },
  /** The listeners' processes: records split by \x1e, fields by \x1f (pid, user, comm, command, cgroup). */
  PROCS: { records: text },
  /** The live streamer: samples | starting | none, seconds since it started, its `etat` and `tour` files. */
  LIVE: { state: word, sinceStartSec: int, etat: optional(text), tour: optional(text) },
  /** What the host resolves a name to (empty: it does not). */
  RESOLVE: { host: word, address: optional(word) },
  /** `openssl s_client` to the Kick ingest: exit code, output. */
  TLS: { rc: int, output: optional(text) },
  /** `openssl x509 -subject -issuer -enddate` of what Kick's ingest presented. */
  CERT: { pem: text },
  /** A TCP connection to DLive's ingest: exit code, milliseconds, error. */
  DLIVE: { rc: int, ms: int, error: text },
  /** systemd-detect-virt (none on a bare Pi). */
  VIRT: { name: word },
  /** `timedatectl show`, and whether systemd-timesyncd says the clock is synchronised. */
  TIMEDATE: { show: text, synced: flag },
  /** The configuration test (`nginx -T`): exit code (127: no nginx), the end of its stderr. */
  NGINXT: { rc: int, output: optional(text) },
  /** The same dump's `# configuration file` and `load_module` lines only (the rest holds keys). */
  NGINXMOD: { rc: int, output: optional(text) },
  /** The FFmpeg test encode: exit code, milliseconds, the user it ran as, encoder, how, the end of its log. */
  FFMPEG: { rc: int, ms: int, user: word, encoder: word, how: word, log: optional(text) },
});
