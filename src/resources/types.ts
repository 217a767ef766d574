// The vocabulary shared by facts, resources and the engine.
//
// A run is: desired resources (from roles + settings) + facts (from the host, one round trip)
// -> pure plan functions -> Action[] (the plan, plain data) -> one apply script on the Pi.
// Nothing in this file does I/O.
import type { HostFacts } from '../facts/types.js';
import type { RunSecrets } from '../redact/secret-mask.js';

/** Where a resource comes from, for messages: "nginx-rtmp / file /etc/nginx/nginx.conf". */
export interface ResourceId {
  role: string;
  type: ResourceType;
  name: string;
}

export type ResourceType =
  | 'package'
  | 'file'
  | 'directory'
  | 'link'
  | 'user'
  | 'group'
  | 'service'
  | 'download'
  | 'command'
  | 'precondition'
  /** A role's files validated as a whole again (an earlier run was cut before it validated them). */
  | 'validation';

interface DesiredBase {
  id: ResourceId;
  /** Handler names notified when this resource changes something. */
  notify?: string[];
  /**
   * Values inside this resource (file content, a command line, a URL) that must never be shown:
   * plan functions mask them in every summary, assumption, error and diff.
   */
  secretValues?: string[];
}

export interface DesiredPackage extends DesiredBase {
  kind: 'package';
  name: string;
  /** Debian version constraint, e.g. ">= 7:5.1" (compared the Debian way). */
  version?: string;
  /** 'present' (default) or 'absent'. */
  state?: 'present' | 'absent';
}

export interface DesiredFile extends DesiredBase {
  kind: 'file';
  path: string;
  /** Byte-exact content (already rendered). May contain secrets: see `secretValues`. */
  content: string;
  mode: string; // octal string, '0644'
  owner: string;
  group: string;
  /**
   * Command proving the file is good before it goes live. With `%s` it runs against the staged
   * temp file (before rename); without, it runs after the file is in place and the old file is
   * restored when it fails (e.g. `nginx -t`, which reads the whole tree).
   */
  validate?: string;
  /** Keep replaced versions under /var/lib/orbis/backup (a few generations). Default true. */
  backup?: boolean;
}

export interface DesiredDirectory extends DesiredBase {
  kind: 'directory';
  path: string;
  mode: string;
  owner: string;
  group: string;
}

export interface DesiredLink extends DesiredBase {
  kind: 'link';
  path: string;
  target: string;
}

export interface DesiredUser extends DesiredBase {
  kind: 'user';
  name: string;
  system?: boolean;
  home?: string;
  shell?: string;
  groups?: string[];
}

export interface DesiredGroup extends DesiredBase {
  kind: 'group';
  name: string;
  system?: boolean;
}

export interface DesiredService extends DesiredBase {
  kind: 'service';
  /** Full unit name, e.g. 'nginx.service', 'stunnel@kick.service'. */
  unit: string;
  enabled?: boolean;
  state?: 'started' | 'stopped';
  masked?: boolean;
  /** Package that ships the unit: lets check mode assume it will exist once installed. */
  providedBy?: string;
}

export interface DesiredDownload extends DesiredBase {
  kind: 'download';
  url: string;
  sha256: string;
  /** Final path of the installed file. */
  path: string;
  mode: string;
  owner: string;
  group: string;
  /**
   * When set, the download may be an archive (plain or gzipped tar, told by its content): the
   * first of these space-separated member names it holds is installed at `path`. A download that
   * is itself an executable is installed as it is.
   */
  extract?: string;
}

export interface DesiredCommand extends DesiredBase {
  kind: 'command';
  /** Shell command run as root (bash -c). */
  command: string;
  /** Skip when this path exists. */
  creates?: string;
  /** Skip when this shell command exits 0 (evaluated by the facts probe). */
  unless?: string;
  /** Run as this user instead of root. */
  user?: string;
}

/** A shell test that must hold before anything on the host changes (checked by the facts probe). */
export interface DesiredPrecondition extends DesiredBase {
  kind: 'precondition';
  /** Run as root by the facts probe; exit 0 means the host may be changed. */
  check: string;
  /** Why the host is refused and what to do: the host's error when the check fails. */
  message: string;
}

export type Desired =
  | DesiredPackage
  | DesiredFile
  | DesiredDirectory
  | DesiredLink
  | DesiredUser
  | DesiredGroup
  | DesiredService
  | DesiredDownload
  | DesiredCommand
  | DesiredPrecondition;

// Facts: facts/types.ts, where the probe makes them; resources plan against them.

// ---------------------------------------------------------------------------------------------
// Actions: the plan. Plain data, printable, serialisable, turned into shell by the engine.

export type Action =
  | { op: 'apt-install'; packages: string[] }
  | { op: 'apt-remove'; packages: string[] }
  | {
      /** Parent directories that do not exist are created (root:root 0755), as `mkdir -p`. */
      op: 'write-file';
      path: string;
      content: string;
      mode: string;
      owner: string;
      group: string;
      validate?: string;
      backup: boolean;
      /** Previous content's sha256 (null when the file is new). */
      previousSha256: string | null;
    }
  | { op: 'chmod'; path: string; mode: string }
  | { op: 'chown'; path: string; owner: string; group: string }
  | { op: 'mkdir'; path: string; mode: string; owner: string; group: string }
  | { op: 'symlink'; path: string; target: string }
  | { op: 'remove'; path: string }
  | { op: 'groupadd'; name: string; system: boolean }
  | {
      op: 'useradd';
      name: string;
      system: boolean;
      home?: string;
      shell?: string;
      groups?: string[];
      /**
       * Primary group when a group of the user's name already exists or is created earlier in the
       * plan (`useradd -g`); absent: useradd creates one named after the user (`-U`).
       */
      group?: string;
    }
  /** Adds supplementary groups (`usermod -aG`): never removes the user from other groups. */
  | { op: 'usermod-groups'; name: string; groups: string[] }
  | { op: 'systemctl'; verb: 'enable' | 'disable' | 'start' | 'stop' | 'restart' | 'reload' | 'unmask' | 'mask'; unit: string }
  | { op: 'daemon-reload' }
  | {
      op: 'download';
      url: string;
      sha256: string;
      path: string;
      mode: string;
      owner: string;
      group: string;
      extract?: string;
    }
  /**
   * Validate again the files an earlier run wrote for a role and never validated (cut between
   * their rename and the role's whole validation): put the last validated ones back if they fail.
   */
  | { op: 'revalidate'; role: string; commands: string[] }
  | {
      op: 'command';
      command: string;
      user?: string;
      creates?: string;
      /** The guard again: evaluated right before the command, as earlier steps may have satisfied it. */
      unless?: string;
    };

/** One planned change: what, why, and what it would set off. */
export interface Change {
  id: ResourceId;
  /** Human summary, e.g. "install package ffmpeg", "update content (+3 -1)". Never holds a secret. */
  summary: string;
  actions: Action[];
  /** Unified diff for file content changes, secrets masked. */
  diff?: string;
  /** Check-mode assumptions: "assumes package nginx is installed by an earlier step". */
  assumptions?: string[];
  notify?: string[];
  /**
   * Set when the resource cannot be planned (e.g. a unit that nothing installs): `actions` is empty
   * and the engine fails the host, naming role and resource. Never holds a secret.
   */
  error?: string;
}

/** A resource's plan function: pure, no I/O. Returns [] when in sync. */
export type PlanFn<D extends Desired> = (desired: D, facts: HostFacts, context: PlanContext) => Change[];

/** What earlier resources in the same plan will have done: lets later ones assume it (why-run). */
export interface PlanContext {
  /** Packages that the plan installs before this resource. */
  packagesToInstall: Set<string>;
  /** Users and groups the plan creates before this resource. */
  usersToCreate: Set<string>;
  groupsToCreate: Set<string>;
  /** Paths the plan creates (directories, files, downloads) before this resource. */
  pathsToCreate: Set<string>;
  /** The run's secrets: what the Pi sends back (a file's content) is masked with them. */
  secrets?: RunSecrets;
}
