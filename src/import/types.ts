// Shapes shared by the import modules: what the Pi's upstream install looks like once read.

/** A value read from a file, and where it is written (1-based). */
export interface Found<T> {
  value: T;
  line: number;
  col: number;
}

/** A file as the probe read it on the Pi (text only for the files the import parses). */
export interface RemoteFile {
  path: string;
  mode: string;
  owner: string;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  size: number;
  /** Undefined when the file was too large to read, or is listed rather than read (scripts). */
  text?: string;
}

export interface UnitState {
  active: string;
  /** `systemctl is-enabled`: enabled, disabled, generated, not-found, ... */
  enabled: string;
}

/** A process of the upstream stack started by hand (not by a systemd service of its own). */
export interface UpstreamProcess {
  pid: number;
  args: string[];
  /** Its working directory (a relative `-l` playlist is relative to it). */
  cwd: string;
  /** The systemd unit it runs in ('' when none could be told). */
  unit: string;
  user: string;
}

/** Everything the one probe brought back. Secrets only inside `text` of the files that hold them. */
export interface UpstreamSnapshot {
  hostname: string;
  /** Candidate project folders (~user/OrbisAlternis with a conf/orbis.conf), and whose. */
  projects: Array<{ dir: string; owner: string }>;
  /** Files read, by absolute path; absent files are not in it. */
  files: Map<string, RemoteFile>;
  /** Files of the project folder listed but not read (scripts, images, logs), by path. */
  listed: RemoteFile[];
  units: Record<string, UnitState>;
  processes: UpstreamProcess[];
  /** orbis's manifest on the Pi: the paths orbis owns (empty when orbis never ran there). */
  orbisManaged: string[];
  /** The home directory of each user that owns a project folder or runs btfs.service. */
  homes: Record<string, string>;
}

