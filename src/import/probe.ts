// The import's one round trip: a single bash script (src/pi/import-probe.sh), run as root (the
// project may sit in another user's home, the rtmp block may be root's), reads everything upstream
// Orbis left on the Pi and prints it as tagged, tab-separated lines, file contents base64-encoded
// (as the facts probe does). Some of those files hold stream keys: the output is parsed in memory
// and never shown.
import { parseManifest } from '../facts/probe.js';
import { composeScript } from '../pi/scripts.js';
import { MANIFEST_PATH } from '../pi/state.js';
import type { RemoteFile, UnitState, UpstreamProcess, UpstreamSnapshot } from './types.js';
import { STACK_UNITS } from '../pi/units.js';

/** Upstream's files outside its project folder, as its scripts and guide lay them down. */
export const UPSTREAM_PATHS = {
  nginxConf: '/etc/nginx/nginx.conf',
  rtmpBlock: '/etc/nginx/orbis-rtmp-block.conf',
  statsSite: '/etc/nginx/sites-enabled/orbis-stats.conf',
  stunnelConf: '/etc/stunnel/stunnel.conf',
  btfsUnit: '/etc/systemd/system/btfs.service',
} as const;

/**
 * Where the nginx-rtmp role moves upstream's stats site when it takes over nginx (it would keep
 * /controle open to the network); `--remove-old` deletes it from there.
 */
export const RETIRED_STATS_SITE = '/var/lib/orbis/upstream/orbis-stats.conf';

/** Older upstream layouts put the rtmp block in sites-enabled/ (inside http{}, where it fails). */
export const OLD_LAYOUT_PATHS = ['/etc/nginx/sites-enabled/orbis-rtmp.conf', '/etc/nginx/sites-enabled/orbis-rtmp'] as const;

export const PROJECT_NAME = 'OrbisAlternis';
/** The units an upstream install may have: orbis's own names, but Debian's stunnel4.service (upstream
 * runs one stunnel for Kick through the package's unit, not orbis's stunnel@kick). */
export const STACK_UNIT_NAMES = [STACK_UNITS.btfs, STACK_UNITS.nginx, 'stunnel4.service', STACK_UNITS.orbis] as const;

/** Files larger than this are listed, not read (a playlist or a conf file is a few KiB). */
const MAX_READ_BYTES = 1024 * 1024;
/** Entries of a project folder listed at most (its logs can pile up). */
const MAX_LISTED = 2000;

export interface ImportProbeOptions {
  /** `--project`: upstream's folder, when it is not ~user/OrbisAlternis. */
  project?: string;
}

/** The import's script (src/pi/import-probe.sh, which says what it reads and prints). */
export function buildImportScript(options: ImportProbeOptions = {}): string {
  return composeScript({
    vars: {
      SYSTEM_FILES: [...Object.values(UPSTREAM_PATHS), RETIRED_STATS_SITE, ...OLD_LAYOUT_PATHS],
      PROJECT: options.project !== undefined ? [options.project.replace(/\/+$/, '')] : [],
      PROJECT_NAME,
      STACK_UNITS: STACK_UNIT_NAMES,
      MAX_READ_BYTES,
      MAX_LISTED,
      MANIFEST: MANIFEST_PATH,
    },
    files: ['common.sh', 'import-probe.sh'],
  });
}

function fromB64(value: string | undefined): string {
  return value ? Buffer.from(value, 'base64').toString('utf8') : '';
}

function remoteFile(f: string[], withText: boolean): RemoteFile {
  const file: RemoteFile = {
    path: fromB64(f[1]),
    mode: (f[2] ?? '').padStart(4, '0'),
    owner: f[3] ?? '',
    mtime: Number(f[4] ?? 0),
    size: Number(f[5] ?? 0),
  };
  if (withText) file.text = fromB64(f[6]);
  return file;
}

/** Parse the script's output. Lines it does not know are ignored. */
export function parseImportOutput(output: string): UpstreamSnapshot & { root: boolean } {
  const snapshot: UpstreamSnapshot & { root: boolean } = {
    hostname: '',
    projects: [],
    files: new Map(),
    listed: [],
    units: {},
    processes: [],
    orbisManaged: [],
    homes: {},
    root: false,
  };
  for (const line of output.split('\n')) {
    const f = line.split('\t');
    switch (f[0]) {
      case 'HOSTNAME':
        snapshot.hostname = f[1] ?? '';
        break;
      case 'UID':
        snapshot.root = f[1] === '0';
        break;
      case 'FILE': {
        const file = remoteFile(f, true);
        snapshot.files.set(file.path, file);
        break;
      }
      case 'LISTED':
        snapshot.listed.push(remoteFile(f, false));
        break;
      case 'PROJECT':
        snapshot.projects.push({ dir: fromB64(f[1]), owner: f[2] ?? '' });
        break;
      case 'HOME':
        if (f[1]) snapshot.homes[f[1]] = fromB64(f[2]);
        break;
      case 'UNIT': {
        const state: UnitState = { active: f[2] ?? '', enabled: f[3] || 'not-found' };
        if (f[1]) snapshot.units[f[1]] = state;
        break;
      }
      case 'PROC': {
        const process: UpstreamProcess = {
          pid: Number(f[1]),
          args: fromB64(f[2]).split('\n').filter((a, i, all) => !(a === '' && i === all.length - 1)),
          cwd: fromB64(f[3]),
          unit: f[4] ?? '',
          user: f[5] ?? '',
        };
        if (Number.isInteger(process.pid) && process.args.length > 0) snapshot.processes.push(process);
        break;
      }
      case 'MANIFEST':
        snapshot.orbisManaged = Object.keys(parseManifest(fromB64(f[1])).hashes).sort();
        break;
    }
  }
  return snapshot;
}
