// The playlist the streamer plays (LISTE_LECTURE): a file on the controller, in upstream's
// ldl/*.txt format, one video per line as a gateway URL or a bare CID, `# title` after it:
//
//   # my channel
//   QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2        # intro
//   http://127.0.0.1:8080/btfs/Qm...                       # episode 1
//
// A bare CID becomes BTFS_PASSERELLE/<CID>. The path is relative to the folder of the file that set
// LISTE_LECTURE (conf file or inventory), else to the current directory. Empty setting: the one
// video BTFS_HASH_TEST. Read and checked before any host is touched; every error has file:line:col.
import { readBoundedText, UnreadableFileError } from '../util/bounded-read.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from './errors.js';
import type { LoadedSettings } from './load.js';
import { describeOrigin } from './origins.js';

export interface PlaylistItem {
  /** Where FFmpeg reads the video (http/https, through the Pi's gateway). */
  url: string;
  /** The `# title` written after it, or ''. */
  title: string;
}

const CID = /^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{50,})$/;
// Written into an ffconcat list between single quotes, and read by FFmpeg as a URL: no quotes,
// spaces, backslashes or shell/ffconcat metacharacters.
const URL_TEXT = /^https?:\/\/[A-Za-z0-9._~:/?&=%+-]+$/;

/** The playlist file's absolute path, or undefined when LISTE_LECTURE is empty. */
export function playlistPath(loaded: LoadedSettings): string | undefined {
  const setting = loaded.settings.LISTE_LECTURE;
  if (setting === undefined) return undefined;
  if (isAbsolute(setting)) return setting;
  const origin = loaded.origins.LISTE_LECTURE;
  const base =
    origin.kind === 'file' ? dirname(origin.file) : origin.kind === 'layer' && origin.position ? dirname(origin.position.file) : process.cwd();
  return resolve(base, setting);
}

export function readPlaylist(loaded: LoadedSettings): PlaylistItem[] {
  const gateway = loaded.settings.BTFS_PASSERELLE;
  const path = playlistPath(loaded);
  if (path === undefined) return [{ url: `${gateway}/${loaded.settings.BTFS_HASH_TEST}`, title: 'BTFS_HASH_TEST' }];
  let text: string;
  try {
    text = readBoundedText(path);
  } catch (error) {
    const why = error instanceof UnreadableFileError ? error.message : (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError([
      {
        variable: 'LISTE_LECTURE',
        message: `cannot read the playlist ${path}: ${why}`,
        hint: 'LISTE_LECTURE is a file on this machine (a list of videos, one per line), relative to the folder of the file that sets it',
        source: describeOrigin(loaded.origins.LISTE_LECTURE, 'LISTE_LECTURE'),
      },
    ]);
  }
  return parsePlaylist(text, path, gateway);
}

export function parsePlaylist(text: string, file: string, gateway: string): PlaylistItem[] {
  const items: PlaylistItem[] = [];
  const issues: ConfigIssue[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.replace(/\r$/, '');
      const start = line.search(/\S/);
      if (start === -1 || line[start] === '#') return;
      const token = /^\S+/.exec(line.slice(start))?.[0] ?? '';
      const rest = line.slice(start + token.length).trim();
      const at = { file, line: index + 1, col: start + 1 };
      if (rest !== '' && !rest.startsWith('#')) {
        issues.push({ ...at, col: line.indexOf(rest, start + token.length) + 1, message: 'one video per line; text after it must be a `# title`', hint: 'put a # before the title' });
        return;
      }
      const title = rest.replace(/^#\s*/, '');
      // A title is written into the streamer's playlist on the Pi, one per line: a CR or another
      // control character there would split or corrupt it (and was blamed on a template). A tab
      // is only a blank between the video and its title.
      const control = /[\u0000-\u0008\u000a-\u001f\u007f]/.exec(line);
      if (control) {
        issues.push({ ...at, col: control.index + 1, message: `holds a control character (code ${control[0].charCodeAt(0)})`, hint: 'remove it: a line holds a video and a # title in plain text (a CR alone in the middle of a line comes from an old Mac editor)' });
        return;
      }
      if (CID.test(token)) items.push({ url: `${gateway}/${token}`, title });
      else if (URL_TEXT.test(token)) items.push({ url: token, title });
      else {
        issues.push({
          ...at,
          message: 'must be a BTFS content id (Qm...) or an http(s) URL made of letters, digits and . _ ~ : / ? & = % + -',
          hint: 'write one CID or gateway URL per line, e.g. QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2 # title',
        });
      }
    });
  if (issues.length === 0 && items.length === 0) {
    issues.push({ file, message: 'the playlist has no video', hint: 'add one CID or gateway URL per line, or leave LISTE_LECTURE empty to play BTFS_HASH_TEST' });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return items;
}
