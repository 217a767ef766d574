// Facts: what the host is and has, gathered in one round trip (probe.ts makes them; resources
// plan against them, the render context and the encoder choice read them).


export interface PathFact {
  exists: boolean;
  type?: 'file' | 'directory' | 'link' | 'other';
  mode?: string; // '0644'
  owner?: string;
  group?: string;
  sha256?: string; // files only
  linkTarget?: string; // links only
  size?: number;
  /**
   * Current content, when the probe fetched it (for `--diff`); facts normally carry only sha256.
   * Plan functions use it only when its sha256 matches `sha256`.
   */
  content?: string;
}

export interface UnitFact {
  /** LoadState: loaded | not-found | masked | ... */
  load: string;
  /** ActiveState: active | inactive | failed | activating ... */
  active: string;
  /** UnitFileState: enabled | disabled | masked | static | ... ('' when not found) */
  enabled: string;
  /** NRestarts, ActiveEnterTimestampMonotonic: used to tell restarts apart. */
  restarts?: number;
  activeSince?: string;
}

export interface UserFact {
  uid: number;
  gid: number;
  home: string;
  shell: string;
  groups: string[];
}

export interface HostFacts {
  os: { id: string; versionId: string; codename: string; prettyName: string };
  arch: string; // dpkg --print-architecture: amd64 | arm64 | armhf
  kernel: string;
  hostname: string;
  piModel: string | null; // /proc/device-tree/model, null when not a Pi
  /** Installed package versions by name (only for packages asked about); absent = not installed. */
  packages: Record<string, string>;
  units: Record<string, UnitFact>;
  paths: Record<string, PathFact>;
  users: Record<string, UserFact>;
  groups: Record<string, { gid: number }>;
  /** Result of each `unless` guard command, by command text: true when it exited 0. */
  guards: Record<string, boolean>;
  /**
   * What a guard that did not hold printed (its first 400 bytes, one line, control characters
   * dropped), for a precondition's message: e.g. the BTTC address a full node waits on.
   */
  guardsSaid?: Record<string, string>;
  /** H.264 encoders FFmpeg reports (empty when FFmpeg is absent). */
  encoders: string[];
  /** /dev/video11 exists (Pi 4 hardware encoder device). */
  hasV4l2Encoder: boolean;
  /** Manifest of files orbis wrote on an earlier run: path -> sha256 it wrote. */
  manifest: Record<string, string>;
  /** The role that wrote each manifest entry (so `--roles X` prunes only X's stale files). */
  manifestRoles: Record<string, string>;
  /**
   * For files orbis extracted from a downloaded archive (whose manifest hash is the archive's):
   * the sha256 of the file as installed, so a binary replaced by hand is seen. Absent in
   * manifests written before orbis recorded it.
   */
  manifestInstalled: Record<string, string>;
  /**
   * Files an earlier run wrote for a role whose whole-role validation (e.g. `nginx -t`) it never
   * reached, by role: each with the id of the run that backed up its previous version.
   */
  unvalidated: Record<string, Array<{ runId: string; path: string }>>;
  /** Handlers an earlier run recorded but did not finish. */
  pendingHandlers: string[];
  /** Whether the probe ran as root (sudo worked). */
  root: boolean;
}
