// Where a template puts a secret, read from the template itself: the text right before each
// `{{secret X}}` on its line (`playPath=`), and the words the template writes literally.
//
// A file's content as the Pi holds it may carry a key the controller does not know (the key
// before a rotation, one a person pasted by hand): masking by value cannot find it. These spans
// let the masking find it by its place instead (see secret-mask.ts), and come from the
// templates, so a new template that reveals a secret is covered without a list kept by hand.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';

export interface SecretSpans {
  /** The literal text right before a secret, up to the previous placeholder or blank (`playPath=`). */
  anchors: string[];
  /** Words the template writes as they are (outside any `{{...}}`), in `words()`'s sense. */
  literalWords: string[];
}

const SECRET_TAG = /\{\{~?\s*secret\s[^}]*\}\}/g;
const ANY_TAG = /\{\{[^}]*\}\}/g;

/** What a stream key can be made of (config/stream-key.ts): a word here is a run of these. */
const WORD = /[A-Za-z0-9_.?=&-]+/g;

export function words(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** The secret spans of a template's source; no anchors when it reveals no secret. */
export function secretSpansOf(source: string): SecretSpans {
  const anchors = new Set<string>();
  for (const line of source.split('\n')) {
    for (const match of line.matchAll(SECRET_TAG)) {
      const before = line.slice(0, match.index).split('}}').pop() ?? '';
      anchors.add(before.split(/\s/).pop() ?? '');
    }
  }
  return { anchors: [...anchors], literalWords: [...new Set(words(source.replace(ANY_TAG, ' ')))] };
}

let stack: string[] | undefined;

/**
 * The anchors of every template orbis ships: text from a Pi is masked at these places even when
 * the run rendered none of them (a rollback, `--roles ffmpeg`, an error that quotes a file).
 */
export function stackSecretAnchors(): readonly string[] {
  if (stack === undefined) {
    const root = join(packageRoot(), 'templates');
    const found = new Set<string>();
    for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (!entry.endsWith('.hbs')) continue;
      for (const anchor of secretSpansOf(readFileSync(join(root, entry), 'utf8')).anchors) found.add(anchor);
    }
    stack = [...found];
  }
  return stack;
}
