// The records of src/pi/facts.sh, the probe every run starts with.
import { flag, int, optional, recordSchemas, rest, text, word } from './records.js';

export const FACTS_RECORDS = recordSchemas({
  /** /etc/os-release: ID, VERSION_ID, VERSION_CODENAME, PRETTY_NAME. */
  OS: { id: word, versionId: word, codename: word, prettyName: text },
  /** dpkg --print-architecture. */
  ARCH: { arch: word },
  KERNEL: { release: word },
  HOSTNAME: { name: word },
  /** The probe's effective uid (0: sudo worked). */
  UID: { uid: int },
  /** /proc/device-tree/model (a Pi says which one). */
  MODEL: { model: text },
  /** /dev/video11 exists: the Pi 4's hardware H.264 encoder. */
  V4L2: { present: flag },
  /** One of FFmpeg's H.264 encoders. */
  ENCODER: { name: word },
  /** orbis's manifest.json on the Pi. */
  MANIFEST: { json: text },
  /** Handlers an earlier run recorded and did not finish, one per line. */
  PENDING: { handlers: text },
  /** A role's files an earlier run wrote and never validated: `RUN_ID<TAB>PATH` lines. */
  UNVALIDATED: { role: word, files: text },
  /** dpkg-query: name, status abbreviation (`ii ` installed), version. */
  PKG: { name: word, status: word, version: word },
  /** `systemctl show` of one unit: a `Key=Value` per property. */
  UNIT: { properties: rest(word) },
  /**
   * A path: its kind (absent, other, link, directory, file); for a directory or file, mode
   * (octal), owner, group, size, sha256 (`-` for none); for a link, `-` for those and its target.
   */
  PATH: {
    path: word,
    kind: word,
    mode: optional(word),
    owner: optional(word),
    group: optional(word),
    size: optional(word),
    sha256: optional(word),
    linkTarget: optional(text),
  },
  /** A small file's content (for diffs). */
  CONTENT: { path: word, content: text },
  /** A `getent passwd` entry. */
  PASSWD: { entry: word },
  /** A user's groups (`id -Gn`, space-separated). */
  MEMBER: { user: word, groups: optional(word) },
  /** A group and its gid. */
  GROUP: { name: word, gid: int },
  /** A guard: its command (as the controller gave it), whether it held, what it said when not. */
  GUARD: { command: text, held: flag, said: optional(text) },
});
