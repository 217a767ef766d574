// Unified diffs of file content for `--check --diff`, with secrets masked.
//
// The diff is computed on the clear texts, then masked line by line: masking first would make a
// rotated stream key look unchanged (both sides become `********`), hiding a real change. A
// masked span of a new line whose clear value is not the one it replaces says so
// (`playPath=******** (changed)`), and shows nothing else of either value.
//
// The old content is what the Pi holds: it may carry a secret orbis no longer knows (a key
// before its rotation, a platform turned off, a hand edit). Every line is masked as text from a
// Pi is (secret-mask.ts: known values, the places templates put secrets, push targets, words
// orbis cannot vouch for in a file that holds keys); and a removed line shaped like a new line
// that holds a secret has that part masked too, whatever the template.
import type * as Diff from 'diff';
import { createRequire } from 'node:module';
import { Secret } from '../redact/secret.js';
import { shortHash } from './common.js';
import { clearPieces, escapeRegExp, maskHostText, type SecretMask } from '../redact/secret-mask.js';

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
  /** How to mask what the Pi holds (the run's secrets); without it, `secretValues` alone. */
  mask?: SecretMask;
}

export interface ContentDiff {
  /** e.g. "new file, 12 lines", "content +3 -1", "content sha256 ab12cd34 -> ef56ab78, old content not fetched". */
  summary: string;
  /** Unified diff, secrets masked; absent when the old content is unknown. */
  diff?: string;
}

export function contentDiff(input: ContentDiffInput): ContentDiff {
  const secrets = clearPieces([...(input.secretValues ?? []), ...(input.mask?.values ?? [])]);
  const mask: SecretMask = { anchors: [], ...input.mask, values: secrets };
  if (!input.exists) {
    const diff = maskedPatch('/dev/null', `b${input.path}`, '', input.newContent, mask);
    return { summary: `new file, ${countLines(input.newContent)}`, diff: diff.text };
  }
  if (input.oldContent === undefined) {
    return {
      summary: `content sha256 ${shortHash(input.oldSha256)} -> ${shortHash(input.newSha256)}, old content not fetched`,
    };
  }
  const diff = maskedPatch(`a${input.path}`, `b${input.path}`, input.oldContent, input.newContent, mask);
  return { summary: `content +${diff.added} -${diff.removed}`, diff: diff.text };
}

function countLines(text: string): string {
  const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return lines === 1 ? '1 line' : `${lines} lines`;
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

interface ShownLine {
  sign: string;
  clear: string;
  masked: string;
}

function maskedPatch(
  oldName: string,
  newName: string,
  oldContent: string,
  newContent: string,
  mask: SecretMask,
): { text: string; added: number; removed: number } {
  const patch = diffLib().structuredPatch(oldName, newName, oldContent, newContent, undefined, undefined, { context: 3 });
  const shapes = secretShapes(newContent, [...mask.values]);
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    const lines = hunk.lines.map((line): ShownLine => {
      const sign = line.charAt(0);
      if (sign === '+') added++;
      if (sign === '-') removed++;
      const clear = line.slice(1);
      let masked = sign === '\\' ? clear : maskHostText(clear, mask);
      if (sign === '-') {
        for (const shape of shapes) {
          const shaped = shape(masked);
          if (shaped !== undefined) {
            masked = shaped;
            break;
          }
        }
      }
      return { sign, clear, masked };
    });
    hunk.lines = markChangedSecrets(lines).map((l) => l.sign + l.masked);
  }
  const text = patch.hunks.length === 0 ? '' : diffLib().formatPatch(patch, diffLib().FILE_HEADERS_ONLY);
  return { text, added, removed };
}

const CHANGED = ' (changed)';

/**
 * In each run of removed lines followed by added ones, an added line's masked span whose clear
 * value is not the one it replaces is marked: the line it replaces if both mask to the same text,
 * else any secret of the removed lines. Where no removed line held a secret, the added one's are
 * new, not changed.
 */
function markChangedSecrets(lines: ShownLine[]): ShownLine[] {
  const out = [...lines];
  let removed: ShownLine[] = [];
  for (let i = 0; i < out.length; i++) {
    const line = out[i] as ShownLine;
    if (line.sign === '-') {
      if (i > 0 && out[i - 1]?.sign === '+') removed = [];
      removed.push(line);
    } else if (line.sign === '+') {
      const replaced = removed.filter((r) => r.masked.includes(Secret.MASK));
      if (replaced.length > 0 && line.masked.includes(Secret.MASK)) out[i] = { ...line, masked: marked(line, replaced) };
    } else if (line.sign !== '\\') {
      removed = [];
    }
  }
  return out;
}

function marked(line: ShownLine, removed: readonly ShownLine[]): string {
  const pieces = line.masked.split(Secret.MASK);
  const spans = maskedSpans(line);
  const twin = removed.find((r) => r.masked === line.masked);
  if (spans === undefined) return twin !== undefined && twin.clear !== line.clear ? `${line.masked}${CHANGED}` : line.masked;
  let changed: boolean[];
  const twinSpans = twin && maskedSpans(twin);
  if (twinSpans !== undefined) {
    changed = spans.map((s, i) => s !== twinSpans[i]);
  } else {
    const before = new Set(removed.flatMap((r) => maskedSpans(r) ?? []));
    changed = spans.map((s) => !before.has(s));
  }
  return pieces.reduce((text, piece, i) => (i === 0 ? piece : `${text}${Secret.MASK}${changed[i - 1] === true ? CHANGED : ''}${piece}`), '');
}

/** The clear values behind each mask of a line, in order (undefined when they cannot be told apart). */
function maskedSpans(line: ShownLine): string[] | undefined {
  const pieces = line.masked.split(Secret.MASK);
  if (pieces.length < 2) return [];
  const match = new RegExp(`^${pieces.map(escapeRegExp).join('(.+?)')}$`, 's').exec(line.clear);
  return match ? match.slice(1) : undefined;
}
