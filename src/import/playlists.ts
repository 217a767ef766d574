// Upstream's playlists (ldl/*.txt on the Pi) move to the controller beside the imported conf,
// where LISTE_LECTURE names one of them. Which one: the one the running streamer plays (its -l),
// else diffuser.sh's default, ldl_tot.txt.
//
// The two readers differ: upstream plays the lines that start with http(s):// and skips every
// other line silently; orbis refuses a line it cannot play, so that a typo does not silently drop
// a video. A line upstream skipped becomes a comment in the copy (the stream stays the same); a
// line upstream played but orbis refuses stays, and is reported where it is.
import { posix } from 'node:path';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { parsePlaylist } from '../config/playlist.js';
import type { Candidate } from './reconcile.js';
import type { UpstreamInstall } from './read-upstream.js';
import type { RemoteFile } from './types.js';

export const PLAYLIST_DIR = 'ldl';
/** diffuser.sh plays ${REPERTOIRE_LDL}/ldl_tot.txt when not told otherwise. */
export const DEFAULT_PLAYLIST = 'ldl_tot.txt';
const SKIPPED_PREFIX = '# (upstream skipped this line) ';

export interface PlaylistCopy {
  /** File name, e.g. ldl_tot.txt (written to <conf dir>/ldl/). */
  name: string;
  source: RemoteFile;
  text: string;
  /** Lines upstream skipped, commented out in the copy. */
  skippedLines: number[];
  /** What orbis refuses in the copy (positions in the copy, which keeps line numbers). */
  issues: ConfigIssue[];
}

export interface PlaylistImport {
  copies: PlaylistCopy[];
  /** LISTE_LECTURE's candidate (relative to the conf's folder), when one playlist is chosen. */
  chosen?: Candidate;
  notes: Array<{ message: string; hint?: string }>;
}

function upstreamPlays(line: string): boolean {
  if (line.trim() === '' || /^\s*#/.test(line)) return false;
  return /^https?:\/\//.test(line.replace(/\s*#.*$/, '').trim());
}

/** The copy of one playlist, and what orbis says of it (gateway: for bare CIDs). */
export function copyPlaylist(source: RemoteFile, outFile: string, gateway: string): PlaylistCopy {
  const name = posix.basename(source.path);
  const skippedLines: number[] = [];
  const lines = (source.text ?? '').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').split('\n');
  const out = lines.map((line, index) => {
    if (line.trim() === '' || /^\s*#/.test(line) || upstreamPlays(line)) return line;
    skippedLines.push(index + 1);
    return `${SKIPPED_PREFIX}${line}`;
  });
  const text = out.join('\n');
  let issues: ConfigIssue[] = [];
  try {
    parsePlaylist(text, outFile, gateway);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues = [...error.issues];
  }
  return { name, source, text, skippedLines, issues };
}

export function importPlaylists(install: UpstreamInstall, confDir: string, gateway: string): PlaylistImport {
  const copies = install.playlists.map((p) => copyPlaylist(p, posix.join(confDir, PLAYLIST_DIR, posix.basename(p.path)), gateway));
  const result: PlaylistImport = { copies, notes: [] };
  const byPath = new Map(copies.map((c) => [c.source.path, c]));
  const relative = (copy: PlaylistCopy): string => `${PLAYLIST_DIR}/${copy.name}`;

  const streamer = install.streamer;
  if (streamer?.args.playlist !== undefined) {
    const played = posix.resolve(streamer.process.cwd || install.project.dir, streamer.args.playlist);
    const copy = byPath.get(played);
    if (copy) {
      result.chosen = {
        name: 'LISTE_LECTURE',
        value: relative(copy),
        from: { file: `pid ${streamer.process.pid}`, what: `the running diffuser.sh -l ${streamer.args.playlist}` },
        kind: 'running',
      };
      return result;
    }
    result.notes.push({
      message: `the running streamer (pid ${streamer.process.pid}) plays ${played}, which is not one of ${install.project.dir}/${PLAYLIST_DIR}/*.txt`,
      hint: `copy it beside the imported conf and set LISTE_LECTURE to it`,
    });
  }
  const fallback = byPath.get(`${install.project.dir}/${PLAYLIST_DIR}/${DEFAULT_PLAYLIST}`);
  if (fallback) {
    result.chosen = {
      name: 'LISTE_LECTURE',
      value: relative(fallback),
      from: { file: fallback.source.path, what: "diffuser.sh's default playlist" },
      kind: 'live',
    };
  } else if (copies.length > 0) {
    result.notes.push({
      message: `no ${DEFAULT_PLAYLIST}, the playlist diffuser.sh plays by default: LISTE_LECTURE is left empty (orbis then plays BTFS_HASH_TEST)`,
      hint: `set LISTE_LECTURE to one of ${copies.map(relative).join(', ')}`,
    });
  }
  return result;
}

/** What the running streamer's switches say (-m, -b/-n, -f), as candidates over orbis.conf's. */
export function streamerCandidates(install: UpstreamInstall): Candidate[] {
  const streamer = install.streamer;
  if (!streamer) return [];
  const from = (flag: string) => ({ file: `pid ${streamer.process.pid}`, what: `the running diffuser.sh ${flag}` });
  const out: Candidate[] = [];
  if (streamer.args.shuffle) out.push({ name: 'MELANGE', value: 'true', from: from('-m'), kind: 'running' });
  if (streamer.args.loop !== undefined) out.push({ name: 'BOUCLE', value: String(streamer.args.loop), from: from(streamer.args.loop ? '-b' : '-n'), kind: 'running' });
  if (streamer.args.watermark) out.push({ name: 'FILIGRANE_ACTIF', value: 'true', from: from('-f'), kind: 'running' });
  return out;
}
