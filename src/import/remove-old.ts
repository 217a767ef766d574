// `orbis import --remove-old`: once orbis runs the Pi, upstream's leftovers go (its project
// folder with the keys in clear, the rtmp block with the keys, its stats site, its stunnel.conf).
// Nothing is removed unless:
//   1. orbis owns what upstream's stack depended on (nginx.conf and btfs.service are in orbis's
//      manifest, and nginx no longer includes upstream's rtmp block),
//   2. nothing of upstream's runs by hand any more (its streamer, a hand-started daemon),
//   3. the orbis-managed stack verifies (the same checks as `orbis verify`, none failing).
// Then everything is first archived on the Pi (root only, 0600, under /var/lib/orbis), the
// archive is read back, and only then are the files removed; a broken nginx afterwards puts
// them all back. Upstream's BTFS repo (a node identity) is never touched.
import { posix } from 'node:path';
import { shq } from '../util/shell.js';
import { OLD_LAYOUT_PATHS, RETIRED_STATS_SITE, UPSTREAM_PATHS } from './probe.js';
import type { Finding } from './findings.js';
import type { UpstreamSnapshot } from './types.js';
import { findInclude } from './upstream-nginx.js';
import { findKickTunnel, parseStunnelConf } from './upstream-stunnel.js';

export const BACKUP_DIR = '/var/lib/orbis/upstream-backup';

export interface RemovalPlan {
  /** Absolute paths, files or folders, in the order removed. */
  remove: string[];
  keep: Array<{ path: string; why: string }>;
  /** Units upstream enabled that orbis's stack must not run (stunnel4's SysV service). */
  disable: string[];
  /** Why nothing may be removed yet, found before any check runs. */
  blockers: Finding[];
}

export interface RemovalOptions {
  /** `--project`, when the probe found several folders. */
  project?: string;
  /** Files the orbis settings still use (the watermark), kept even inside upstream's folder. */
  inUse: readonly string[];
}

function exists(snapshot: UpstreamSnapshot, path: string): boolean {
  return snapshot.files.has(path) || snapshot.listed.some((f) => f.path === path);
}

export function removalPlan(snapshot: UpstreamSnapshot, options: RemovalOptions): RemovalPlan {
  const plan: RemovalPlan = { remove: [], keep: [], disable: [], blockers: [] };
  const projects = options.project === undefined ? snapshot.projects : snapshot.projects.filter((p) => p.dir === options.project);
  if (projects.length > 1) {
    plan.blockers.push({ level: 'warn', message: `${projects.length} upstream folders found (${projects.map((p) => p.dir).join(', ')})`, hint: 'name the one imported with --project DIR' });
  }
  for (const project of projects.slice(0, 1)) {
    plan.remove.push(project.dir);
    for (const path of options.inUse) {
      if (path.startsWith(`${project.dir}/`) && exists(snapshot, path)) plan.keep.push({ path, why: 'the imported settings still use it (FILIGRANE_IMAGE)' });
    }
  }
  for (const path of [UPSTREAM_PATHS.rtmpBlock, UPSTREAM_PATHS.statsSite, RETIRED_STATS_SITE, ...OLD_LAYOUT_PATHS]) {
    if (exists(snapshot, path)) plan.remove.push(path);
  }
  const stunnel = snapshot.files.get(UPSTREAM_PATHS.stunnelConf)?.text;
  if (stunnel !== undefined) {
    if (findKickTunnel(parseStunnelConf(stunnel))) plan.remove.push(UPSTREAM_PATHS.stunnelConf);
    else plan.keep.push({ path: UPSTREAM_PATHS.stunnelConf, why: 'it is not upstream\'s Kick tunnel' });
  }
  const sysv = snapshot.units['stunnel4.service'];
  if (sysv && (sysv.enabled === 'enabled' || sysv.active === 'active')) plan.disable.push('stunnel4.service');

  if (plan.remove.length === 0 && plan.disable.length === 0) return plan;

  for (const path of [UPSTREAM_PATHS.nginxConf, UPSTREAM_PATHS.btfsUnit]) {
    if (!snapshot.orbisManaged.includes(path)) {
      plan.blockers.push({
        level: 'warn',
        message: `${path} is not orbis's yet: upstream's stack still depends on what would be removed`,
        hint: 'provision the Pi first (orbis provision / orbis apply with the imported configuration), then run --remove-old again',
      });
    }
  }
  const nginxConf = snapshot.files.get(UPSTREAM_PATHS.nginxConf)?.text;
  if (nginxConf !== undefined && findInclude(nginxConf, UPSTREAM_PATHS.rtmpBlock)) {
    plan.blockers.push({ level: 'warn', message: `${UPSTREAM_PATHS.nginxConf} still includes ${UPSTREAM_PATHS.rtmpBlock}`, hint: 'provision the Pi first: orbis writes its own nginx.conf' });
  }
  for (const p of snapshot.processes) {
    if (p.unit.endsWith('.service')) continue;
    plan.blockers.push({
      level: 'warn',
      message: `an upstream process still runs by hand: pid ${p.pid} (${posix.basename(p.args.find((a) => /diffuser\.sh$|btfs$/.test(a)) ?? p.args[0] ?? '?')}, user ${p.user || '?'})`,
      hint: `stop it (sudo kill ${p.pid}), then run --remove-old again`,
    });
  }
  return plan;
}

/** `upstream-20250102T030405Z.tar.gz` */
export function archiveName(date: Date): string {
  return `upstream-${date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.tar.gz`;
}

/**
 * The removal, as one script run as root. It prints ARCHIVE, REMOVED and DISABLED lines, or
 * RESTORED (and exits 3) when nginx no longer accepts its configuration afterwards.
 */
export function buildRemovalScript(plan: RemovalPlan, date: Date): string {
  const archive = `${BACKUP_DIR}/${archiveName(date)}`;
  const keep = plan.keep.map((k) => k.path);
  const relative = plan.remove.map((p) => p.replace(/^\/+/, ''));
  return [
    'set -euo pipefail',
    'export LC_ALL=C',
    'umask 077',
    'b64() { printf %s "$1" | base64 -w0; }',
    `mkdir -p ${shq(BACKUP_DIR)} && chmod 0700 ${shq(BACKUP_DIR)}`,
    `archive=${shq(archive)}`,
    `rel=(); for p in ${relative.map(shq).join(' ')}; do if [ -e "/$p" ] || [ -L "/$p" ]; then rel+=("$p"); fi; done`,
    // Archive first, read it back, and only then remove anything.
    'if [ ${#rel[@]} -gt 0 ]; then',
    '  tar --create --gzip --file "$archive" -C / -- "${rel[@]}"',
    '  tar --list --gzip --file "$archive" > /dev/null',
    `  printf 'ARCHIVE\\t%s\\t%s\\n' "$(b64 "$archive")" "$(stat -c %s "$archive")"`,
    'fi',
    // Empty a folder except the paths to keep (and the folders leading to them).
    'prune() { local e; for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do',
    '  [ -e "$e" ] || [ -L "$e" ] || continue',
    '  local hold=0 k; for k in "${keep[@]}"; do [ "$e" = "$k" ] && hold=1; case "$k" in "$e"/*) hold=2;; esac; done',
    '  if [ $hold = 2 ]; then prune "$e"; elif [ $hold = 0 ]; then rm -rf -- "$e"; fi',
    'done; }',
    `keep=(${keep.map(shq).join(' ')})`,
    'for p in "${rel[@]}"; do',
    '  p="/$p"; held=0',
    '  for k in "${keep[@]}"; do case "$k" in "$p"/*) held=1;; esac; done',
    '  if [ $held = 1 ]; then prune "$p"; else rm -rf -- "$p"; fi',
    `  printf 'REMOVED\\t%s\\n' "$(b64 "$p")"`,
    'done',
    // The folder the nginx-rtmp role moved upstream's stats site into, once empty.
    `rmdir ${shq(posix.dirname(RETIRED_STATS_SITE))} 2>/dev/null || true`,
    ...plan.disable.map((unit) => `systemctl disable ${shq(unit)} >/dev/null 2>&1 && systemctl stop ${shq(unit)} && printf 'DISABLED\\t%s\\n' ${shq(unit)}`),
    // The files removed under /etc/nginx were not read by orbis's nginx.conf; should that be
    // wrong, put everything back rather than leave nginx unable to start.
    'if command -v nginx >/dev/null 2>&1 && ! nginx -t -q >/dev/null 2>&1; then',
    '  [ ${#rel[@]} -gt 0 ] && tar --extract --gzip --preserve-permissions --file "$archive" -C /',
    "  printf 'RESTORED\\n'; exit 3",
    'fi',
  ].join('\n') + '\n';
}

export interface RemovalOutcome {
  archive?: { path: string; bytes: number };
  removed: string[];
  disabled: string[];
  restored: boolean;
}

export function parseRemovalOutput(output: string): RemovalOutcome {
  const outcome: RemovalOutcome = { removed: [], disabled: [], restored: false };
  const text = (v: string | undefined): string => Buffer.from(v ?? '', 'base64').toString('utf8');
  for (const line of output.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'ARCHIVE') outcome.archive = { path: text(f[1]), bytes: Number(f[2] ?? 0) };
    if (f[0] === 'REMOVED') outcome.removed.push(text(f[1]));
    if (f[0] === 'DISABLED' && f[1]) outcome.disabled.push(f[1]);
    if (f[0] === 'RESTORED') outcome.restored = true;
  }
  return outcome;
}
