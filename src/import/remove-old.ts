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
import { composeScript } from '../pi/scripts.js';
import { UPSTREAM_BACKUP_DIR } from '../pi/state.js';
import { OLD_LAYOUT_PATHS, RETIRED_STATS_SITE, UPSTREAM_PATHS } from './probe.js';
import type { Finding } from './findings.js';
import type { UpstreamSnapshot } from './types.js';
import { findInclude } from './upstream-nginx.js';
import { findKickTunnel, parseStunnelConf } from './upstream-stunnel.js';
import { decodeRecords } from '../wire/records.js';
import { REMOVE_OLD_RECORDS } from '../wire/remove-old.js';

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
 * The removal, as one script run as root (src/pi/remove-old.sh). It prints ARCHIVE, REMOVED and
 * DISABLED lines, or RESTORED (and exits 3) when nginx no longer accepts its configuration
 * afterwards.
 */
export function buildRemovalScript(plan: RemovalPlan, date: Date): string {
  return composeScript({
    vars: {
      UPSTREAM_BACKUP: UPSTREAM_BACKUP_DIR,
      ARCHIVE: `${UPSTREAM_BACKUP_DIR}/${archiveName(date)}`,
      REMOVE: plan.remove.map((p) => p.replace(/^\/+/, '')),
      KEEP: plan.keep.map((k) => k.path),
      RETIRED_DIR: posix.dirname(RETIRED_STATS_SITE),
      DISABLE: plan.disable,
    },
    files: ['common.sh', 'remove-old.sh'],
  });
}

export interface RemovalOutcome {
  archive?: { path: string; bytes: number };
  removed: string[];
  disabled: string[];
  restored: boolean;
}

export function parseRemovalOutput(output: string): RemovalOutcome {
  const outcome: RemovalOutcome = { removed: [], disabled: [], restored: false };
  for (const r of decodeRecords(output, REMOVE_OLD_RECORDS, 'remove-old script')) {
    if (r.tag === 'ARCHIVE') outcome.archive = { path: r.path, bytes: r.bytes };
    if (r.tag === 'REMOVED') outcome.removed.push(r.path);
    if (r.tag === 'DISABLED' && r.unit) outcome.disabled.push(r.unit);
    if (r.tag === 'RESTORED') outcome.restored = true;
  }
  return outcome;
}
