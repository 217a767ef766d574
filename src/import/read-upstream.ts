// From the probe's raw snapshot to upstream's install as orbis understands it: which project
// folder, its orbis.conf parsed (never sourced), and what each live file says. Pure.
import { effectiveEntries, scanConf, type ConfEntry } from '../config/conf-parser.js';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { OLD_LAYOUT_PATHS, PROJECT_NAME, RETIRED_STATS_SITE, UPSTREAM_PATHS } from './probe.js';
import type { RemoteFile, UpstreamProcess, UpstreamSnapshot } from './types.js';
import { readBtfsUnit, type BtfsUnit } from './upstream-btfs.js';
import { findInclude, readRtmpBlock, readStatsSite, type RtmpBlock, type StatsSite } from './upstream-nginx.js';
import { parseStreamerArgs, streamerArgsOf, type StreamerArgs } from './upstream-streamer.js';
import { findKickTunnel, parseStunnelConf, type KickTunnel } from './upstream-stunnel.js';

export interface UpstreamInstall {
  hostname: string;
  project: { dir: string; owner: string; home: string | undefined };
  conf: { file: RemoteFile; entries: Map<string, ConfEntry>; order: ConfEntry[]; warnings: readonly ConfigIssue[] };
  /** The rtmp block nginx reads (or would: `included` says whether nginx.conf includes it). */
  rtmp?: { file: string; block: RtmpBlock; included: boolean; mode: string; mtime: number };
  stats?: { file: string; site: StatsSite };
  stunnel?: { file: string; tunnel: KickTunnel | undefined; mode: string };
  btfs?: { file: string; unit: BtfsUnit };
  /** The upstream streamer running now, when one is. */
  streamer?: { process: UpstreamProcess; args: StreamerArgs };
  /** Upstream processes outside any service of their own (the streamer, a hand-started daemon). */
  handStarted: UpstreamProcess[];
  playlists: RemoteFile[];
  /** Files of upstream's layout found on the Pi (what `--remove-old` considers), sorted. */
  systemFiles: string[];
  snapshot: UpstreamSnapshot;
}

export class UpstreamNotFound extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'UpstreamNotFound';
  }
}

function chooseProject(snapshot: UpstreamSnapshot, host: string): { dir: string; owner: string } {
  const projects = snapshot.projects;
  if (projects.length === 1) return projects[0] as { dir: string; owner: string };
  if (projects.length === 0) {
    throw new UpstreamNotFound(
      `${host}: no upstream Orbis install found (no ~user/${PROJECT_NAME}/conf/orbis.conf)`,
      `name its folder with --project DIR if it was cloned elsewhere; \`orbis provision\` sets up a Pi that never had upstream's scripts`,
    );
  }
  throw new UpstreamNotFound(
    `${host}: ${projects.length} upstream Orbis folders found (${projects.map((p) => p.dir).join(', ')})`,
    'choose the one in use with --project DIR',
  );
}

export function readUpstream(snapshot: UpstreamSnapshot, host: string): UpstreamInstall {
  const project = chooseProject(snapshot, host);
  const confPath = `${project.dir}/conf/orbis.conf`;
  const confFile = snapshot.files.get(confPath);
  if (confFile?.text === undefined) {
    throw new UpstreamNotFound(`${host}: ${confPath} could not be read`, 'it must be a regular file of at most 1 MiB');
  }
  // Positions point into the Pi's file; values are never quoted in these messages.
  const scan = scanConf(confFile.text, { file: `${host}:${confPath}` });
  if (scan.errors.length > 0) throw new ConfigError(scan.errors);
  const home = Object.entries(snapshot.homes).find(([user]) => user === project.owner)?.[1];

  const install: UpstreamInstall = {
    hostname: snapshot.hostname,
    project: { ...project, home },
    conf: { file: confFile, entries: effectiveEntries(scan), order: [...scan.entries], warnings: scan.warnings },
    handStarted: snapshot.processes.filter((p) => p.unit === '' || !p.unit.endsWith('.service')),
    playlists: [...snapshot.files.values()].filter((f) => f.path.startsWith(`${project.dir}/ldl/`) && f.path.endsWith('.txt')).sort((a, b) => a.path.localeCompare(b.path)),
    systemFiles: [...Object.values(UPSTREAM_PATHS), RETIRED_STATS_SITE, ...OLD_LAYOUT_PATHS].filter((p) => snapshot.files.has(p) || snapshot.listed.some((f) => f.path === p)).sort(),
    snapshot,
  };

  const nginxConf = snapshot.files.get(UPSTREAM_PATHS.nginxConf)?.text;
  const blockFile = snapshot.files.get(UPSTREAM_PATHS.rtmpBlock);
  const blockInBlockFile = blockFile?.text === undefined ? undefined : readRtmpBlock(blockFile.text);
  if (blockFile && blockInBlockFile) {
    const included = nginxConf !== undefined && findInclude(nginxConf, UPSTREAM_PATHS.rtmpBlock) !== undefined;
    install.rtmp = { file: blockFile.path, block: blockInBlockFile, included, mode: blockFile.mode, mtime: blockFile.mtime };
  } else if (nginxConf !== undefined) {
    // An older layout: the rtmp block written into nginx.conf itself.
    const inline = readRtmpBlock(nginxConf);
    const file = snapshot.files.get(UPSTREAM_PATHS.nginxConf) as RemoteFile;
    if (inline) install.rtmp = { file: file.path, block: inline, included: true, mode: file.mode, mtime: file.mtime };
  }

  for (const path of [UPSTREAM_PATHS.statsSite, RETIRED_STATS_SITE]) {
    const text = snapshot.files.get(path)?.text;
    const site = text === undefined ? undefined : readStatsSite(text);
    if (site) {
      install.stats = { file: path, site };
      break;
    }
  }

  const stunnel = snapshot.files.get(UPSTREAM_PATHS.stunnelConf);
  if (stunnel?.text !== undefined) install.stunnel = { file: stunnel.path, tunnel: findKickTunnel(parseStunnelConf(stunnel.text)), mode: stunnel.mode };

  // Once orbis has provisioned the Pi, btfs.service is orbis's own: upstream's is in its backups.
  const btfs = snapshot.orbisManaged.includes(UPSTREAM_PATHS.btfsUnit) ? undefined : snapshot.files.get(UPSTREAM_PATHS.btfsUnit)?.text;
  if (btfs !== undefined) install.btfs = { file: UPSTREAM_PATHS.btfsUnit, unit: readBtfsUnit(btfs) };

  for (const process of snapshot.processes) {
    const args = streamerArgsOf(process.args);
    if (args !== undefined) {
      install.streamer = { process, args: parseStreamerArgs(args) };
      break;
    }
  }
  return install;
}

/** Whether orbis (a provision) already wrote `path` on this Pi. */
export function orbisOwns(install: UpstreamInstall, path: string): boolean {
  return install.snapshot.orbisManaged.includes(path);
}
