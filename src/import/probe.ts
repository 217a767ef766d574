// The import's one round trip: a single bash script, run as root (the project may sit in another
// user's home, the rtmp block may be root's), reads everything upstream Orbis left on the Pi and
// prints it as tagged, tab-separated lines, file contents base64-encoded (as src/facts/probe.ts
// does). Some of those files hold stream keys: the output is parsed in memory and never shown.
import { parseManifest } from '../facts/probe.js';
import { shq } from '../util/shell.js';
import type { RemoteFile, UnitState, UpstreamProcess, UpstreamSnapshot } from './types.js';

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
export const STACK_UNIT_NAMES = ['btfs.service', 'nginx.service', 'stunnel4.service', 'orbis.service'] as const;

/** Files larger than this are listed, not read (a playlist or a conf file is a few KiB). */
const MAX_READ_BYTES = 1024 * 1024;
/** Entries of a project folder listed at most (its logs can pile up). */
const MAX_LISTED = 2000;

export interface ImportProbeOptions {
  /** `--project`: upstream's folder, when it is not ~user/OrbisAlternis. */
  project?: string;
}

export function buildImportScript(options: ImportProbeOptions = {}): string {
  const systemFiles = [...Object.values(UPSTREAM_PATHS), RETIRED_STATS_SITE, ...OLD_LAYOUT_PATHS];
  return [
    'set -u',
    'export LC_ALL=C',
    'b64() { base64 -w0; }',
    // FILE path mode owner mtime size content(b64) | LISTED path mode owner mtime size
    `file() { local p=$1; [ -f "$p" ] || return 0; local s; s=$(stat -c '%a\t%U\t%Y\t%s' "$p") || return 0;`,
    `  if [ "$(stat -c %s "$p")" -le ${MAX_READ_BYTES} ]; then printf 'FILE\\t%s\\t%s\\t%s\\n' "$(printf %s "$p" | b64)" "$s" "$(b64 < "$p")";`,
    `  else printf 'LISTED\\t%s\\t%s\\n' "$(printf %s "$p" | b64)" "$s"; fi; }`,
    `listed() { printf 'LISTED\\t%s\\t%s\\n' "$(printf %s "$1" | b64)" "$(stat -c '%a\t%U\t%Y\t%s' "$1")"; }`,
    `printf 'HOSTNAME\\t%s\\n' "$(hostname)"`,
    `printf 'UID\\t%s\\n' "$(id -u)"`,
    `for p in ${systemFiles.map(shq).join(' ')}; do file "$p"; done`,
    // Candidate projects: the one named, else ~user/OrbisAlternis of every user, plus the home of
    // btfs.service's User= (that is where the guide clones it).
    options.project !== undefined
      ? `projects=(${shq(options.project.replace(/\/+$/, ''))})`
      : `projects=(); while IFS=: read -r name _ uid _ _ home _; do [ -n "$home" ] && [ -d "$home/${PROJECT_NAME}" ] && projects+=("$home/${PROJECT_NAME}"); done < <(getent passwd)`,
    'for d in "${projects[@]}"; do',
    '  [ -f "$d/conf/orbis.conf" ] || { printf \'NOPROJECT\\t%s\\n\' "$(printf %s "$d" | b64)"; continue; }',
    `  printf 'PROJECT\\t%s\\t%s\\n' "$(printf %s "$d" | b64)" "$(stat -c %U "$d")"`,
    '  file "$d/conf/orbis.conf"',
    '  for p in "$d"/ldl/*.txt "$d"/conf/stunnel-kick.conf; do file "$p"; done',
    `  find "$d" -xdev \\( -type f -o -type l \\) ! -path "$d/ldl/*.txt" ! -path "$d/conf/orbis.conf" 2>/dev/null | head -n ${MAX_LISTED} | while IFS= read -r p; do listed "$p"; done`,
    'done',
    // Whose home is where: the project owners' and btfs.service's user (its repo is ~user/.btfs).
    `while IFS=: read -r name _ uid _ _ home _; do [ "$uid" -ge 1000 ] 2>/dev/null && [ "$uid" -lt 65534 ] && printf 'HOME\\t%s\\t%s\\n' "$name" "$(printf %s "$home" | b64)"; done < <(getent passwd)`,
    `for u in ${STACK_UNIT_NAMES.join(' ')}; do printf 'UNIT\\t%s\\t%s\\t%s\\n' "$u" "$(systemctl show -p ActiveState --value "$u" 2>/dev/null)" "$(systemctl is-enabled "$u" 2>/dev/null | tail -n1)"; done`,
    // The streamer started by hand, and a BTFS daemon outside btfs.service: upstream's runtime.
    `for pid in $(pgrep -f '(^|/|[[:space:]])diffuser\\.sh([[:space:]]|$)|btfs daemon' 2>/dev/null); do`,
    '  [ -r "/proc/$pid/cmdline" ] || continue',
    '  unit=$(sed -n \'s#.*/\\([^/]*\\.service\\)$#\\1#p\' "/proc/$pid/cgroup" 2>/dev/null | tail -n1)',
    `  printf 'PROC\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$pid" "$(tr '\\0' '\\n' < "/proc/$pid/cmdline" | b64)" "$(printf %s "$(readlink "/proc/$pid/cwd")" | b64)" "$unit" "$(ps -o user= -p "$pid" | tr -d ' ')"`,
    'done',
    `if [ -r /var/lib/orbis/manifest.json ]; then printf 'MANIFEST\\t%s\\n' "$(b64 < /var/lib/orbis/manifest.json)"; fi`,
  ].join('\n') + '\n';
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
