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
import { IMPORT_RECORDS } from '../wire/import.js';
import { decodeRecords, type DecodedRecord } from '../wire/records.js';

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

type FileRecord = Extract<DecodedRecord<typeof IMPORT_RECORDS>, { tag: 'FILE' | 'LISTED' }>;

function remoteFile(r: FileRecord): RemoteFile {
  const file: RemoteFile = { path: r.path, mode: r.mode.padStart(4, '0'), owner: r.owner, mtime: Number(r.mtime), size: Number(r.size) };
  if (r.tag === 'FILE') file.text = r.content ?? '';
  return file;
}

/** The probe's records (src/wire/import.ts). Tags it does not know are skipped; a malformed record throws. */
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
  for (const r of decodeRecords(output, IMPORT_RECORDS, 'import probe')) {
    switch (r.tag) {
      case 'HOSTNAME':
        snapshot.hostname = r.name;
        break;
      case 'UID':
        snapshot.root = r.uid === 0;
        break;
      case 'FILE': {
        const file = remoteFile(r);
        snapshot.files.set(file.path, file);
        break;
      }
      case 'LISTED':
        snapshot.listed.push(remoteFile(r));
        break;
      case 'PROJECT':
        snapshot.projects.push({ dir: r.dir, owner: r.owner });
        break;
      case 'HOME':
        if (r.user) snapshot.homes[r.user] = r.home;
        break;
      case 'UNIT': {
        const state: UnitState = { active: r.active ?? '', enabled: r.enabled || 'not-found' };
        if (r.name) snapshot.units[r.name] = state;
        break;
      }
      case 'PROC': {
        const process: UpstreamProcess = {
          pid: Number(r.pid),
          args: r.args.split('\n').filter((a, i, all) => !(a === '' && i === all.length - 1)),
          cwd: r.cwd,
          unit: r.unit ?? '',
          user: r.user ?? '',
        };
        if (Number.isInteger(process.pid) && process.args.length > 0) snapshot.processes.push(process);
        break;
      }
      case 'MANIFEST':
        snapshot.orbisManaged = Object.keys(parseManifest(r.json).hashes).sort();
        break;
      case 'NOPROJECT':
        break;
    }
  }
  return snapshot;
}
