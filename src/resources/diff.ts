// Unified diffs of file content for `--check --diff`, with secrets masked.
//
// The diff is computed on the clear texts, then masked line by line: masking first would make a
// rotated stream key look unchanged (both sides become `********`), hiding a real change.
//
// The old content on the Pi may hold a secret orbis no longer knows (the stream key before a
// rotation). A removed line is therefore also masked where it has the shape of a new line that
// holds a secret: `push rtmp://stream.dlive.tv/live/OLDKEY;` matches the new line
// `push rtmp://stream.dlive.tv/live/NEWKEY;` with the key as a wildcard, and its key part is
// masked. Limit: an old secret on a line with no counterpart in the new content (a platform
// removed entirely) cannot be recognised; the probe only fetches old content for `--diff`.
import type * as Diff from 'diff';
import { createRequire } from 'node:module';
import { maskSecrets, Secret } from '../config/secret.js';
import { shortHash } from './common.js';

// The diff library loads on the first file whose content differs: a run where every file is in
// sync (the common case) never needs it.
let diffLibrary: typeof Diff | undefined;
function diffLib(): typeof Diff {
  diffLibrary ??= createRequire(import.meta.url)('diff') as typeof Diff;
  return diffLibrary;
}

export interface ContentDiffInput {
  path: string;
  /** Whether the file exists on the host now. */
  exists: boolean;
  /** Its current content when known; `undefined` when facts only carry its sha256. */
  oldContent: string | undefined;
  oldSha256?: string;
  newContent: string;
  newSha256: string;
  secretValues?: readonly (string | Secret)[];
}

export interface ContentDiff {
  /** e.g. "new file, 12 lines", "content +3 -1", "content sha256 ab12cd34 -> ef56ab78, old content not fetched". */
  summary: string;
  /** Unified diff, secrets masked; absent when the old content is unknown. */
  diff?: string;
}

export function contentDiff(input: ContentDiffInput): ContentDiff {
  const secrets = clearSecrets(input.secretValues ?? []);
  if (!input.exists) {
    const diff = maskedPatch('/dev/null', `b${input.path}`, '', input.newContent, secrets);
    return { summary: `new file, ${countLines(input.newContent)}`, diff: diff.text };
  }
  if (input.oldContent === undefined) {
    return {
      summary: `content sha256 ${shortHash(input.oldSha256)} -> ${shortHash(input.newSha256)}, old content not fetched`,
    };
  }
  const diff = maskedPatch(`a${input.path}`, `b${input.path}`, input.oldContent, input.newContent, secrets);
  return { summary: `content +${diff.added} -${diff.removed}`, diff: diff.text };
}

function countLines(text: string): string {
  const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return lines === 1 ? '1 line' : `${lines} lines`;
}

/**
 * A multi-line secret (a PEM key) cannot be found inside one diff line, so each of its lines is
 * masked on its own.
 */
function clearSecrets(values: readonly (string | Secret)[]): string[] {
  const clear = values.map((v) => (typeof v === 'string' ? v : v.reveal()));
  const pieces = clear.flatMap((v) => [v, ...v.split('\n')]).filter((v) => v.length > 0);
  // Longest first, so a secret containing another is masked whole.
  return [...new Set(pieces)].sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * For each new line holding a secret, a matcher for old lines of the same shape with any value
 * in the secret's place, and the masked form of such a line.
 */
function secretShapes(newContent: string, secrets: string[]): Array<(line: string) => string | undefined> {
  if (secrets.length === 0) return [];
  const anySecret = new RegExp(secrets.map(escapeRegExp).join('|'));
  const shapes: Array<(line: string) => string | undefined> = [];
  for (const line of newContent.split('\n')) {
    if (!anySecret.test(line)) continue;
    const literals = line.split(new RegExp(secrets.map(escapeRegExp).join('|')));
    const pattern = new RegExp(`^${literals.map(escapeRegExp).join('(.+?)')}$`, 's');
    shapes.push((old) => (pattern.test(old) ? literals.join(Secret.MASK) : undefined));
  }
  return shapes;
}

function maskedPatch(
  oldName: string,
  newName: string,
  oldContent: string,
  newContent: string,
  secrets: string[],
): { text: string; added: number; removed: number } {
  const patch = diffLib().structuredPatch(oldName, newName, oldContent, newContent, undefined, undefined, { context: 3 });
  const shapes = secretShapes(newContent, secrets);
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    hunk.lines = hunk.lines.map((line) => {
      const sign = line.charAt(0);
      if (sign === '+') added++;
      if (sign === '-') removed++;
      let body = maskSecrets(line.slice(1), secrets);
      if (sign === '-') {
        for (const shape of shapes) {
          const masked = shape(body);
          if (masked !== undefined) {
            body = masked;
            break;
          }
        }
      }
      return sign + body;
    });
  }
  const text = patch.hunks.length === 0 ? '' : diffLib().formatPatch(patch, diffLib().FILE_HEADERS_ONLY);
  return { text, added, removed };
}
