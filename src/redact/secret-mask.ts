// Text that comes back from a Pi (a file's content for a diff, an error quoting a file), masked
// before anything shows it. The Pi may hold a key the controller does not know: the key before a
// rotation, the key of a platform turned off since, one pasted by hand somewhere else in a file.
// Masking by value alone lets those through, so four layers, each by construction:
//   1. every secret value the run knows (its settings' keys, revealed into a file or not);
//   2. the places templates put a secret (`playPath=` before `{{secret X}}`, secret-spans.ts),
//      whatever value sits there;
//   3. an RTMP push target's stream name (`rtmp://host/app/<key>`), where keys go in nginx-rtmp;
//   4. in a file whose template puts a secret in it, every word orbis cannot vouch for (a word
//      the templates write, the render writes, or a setting holds): a key pasted in a comment
//      or a query string is such a word. Short words stay (a port, `on`, `10s`): no key is that
//      short, and a diff of them stays readable.
import { Secret } from './secret.js';
import { stackSecretAnchors, words, type SecretSpans } from './secret-spans.js';
import { redactPushTargets } from './push-targets.js';

const MASK = Secret.MASK;

/** Words shorter than this are shown even unvouched (see layer 4 above). */
const SHORTEST_MASKED_WORD = 6;

/** What a run knows about its secrets: built with the desired state, used on whatever a Pi sends. */
export class RunSecrets {
  readonly #values = new Set<string>();
  readonly #anchors = new Set<string>();
  readonly #literalWords = new Set<string>();
  readonly #shownTexts: string[] = [];
  readonly #holders = new Set<string>();
  #vouched: Set<string> | undefined;

  /** A secret's clear value (empty ones are ignored). */
  addValue(value: string | Secret): void {
    const clear = typeof value === 'string' ? value : value.reveal();
    if (clear.length > 0) this.#values.add(clear);
    this.#vouched = undefined;
  }

  /** A file rendered from a template: where the template puts secrets, and its words. */
  addTemplate(path: string, spans: SecretSpans): void {
    for (const anchor of spans.anchors) if (anchor.length > 0) this.#anchors.add(anchor);
    for (const word of spans.literalWords) this.#literalWords.add(word);
    if (spans.anchors.length > 0) this.#holders.add(path);
    this.#vouched = undefined;
  }

  /** Text orbis itself produced (a rendered file, a setting's value): its words are vouched for once its secrets are masked. */
  addShown(text: string): void {
    this.#shownTexts.push(text);
    this.#vouched = undefined;
  }

  get values(): string[] {
    return [...this.#values];
  }

  /** The rules for content from `path` on the Pi. */
  forFile(path: string): SecretMask {
    return { values: this.values, anchors: [...this.#anchors], vouched: this.vouched(), holdsSecrets: this.#holders.has(path) };
  }

  /** The rules for any other text from the Pi (errors, a script's output). */
  forText(): SecretMask {
    return { values: this.values, anchors: [...this.#anchors] };
  }

  private vouched(): ReadonlySet<string> {
    if (this.#vouched === undefined) {
      const mask = { values: this.values, anchors: [...this.#anchors] };
      this.#vouched = new Set(this.#literalWords);
      for (const text of this.#shownTexts) for (const word of words(maskHostText(text, mask))) this.#vouched.add(word);
    }
    return this.#vouched;
  }
}

export interface SecretMask {
  /** Clear values of the secrets the run knows. */
  values: readonly string[];
  /** Text right before a secret in a template (the stack's own anchors are always added). */
  anchors: readonly string[];
  /** Words orbis can vouch for: shown as push targets' stream names, and in a file that holds secrets. */
  vouched?: ReadonlySet<string>;
  /** The file's template puts a secret in it: its words orbis cannot vouch for are masked. */
  holdsSecrets?: boolean;
}

/**
 * A multi-line secret (a PEM key) cannot be found inside one line, so each of its lines is
 * masked on its own too; longest first, so a secret containing another is masked whole.
 */
export function clearPieces(values: Iterable<string | Secret>): string[] {
  const clear = [...values].map((v) => (typeof v === 'string' ? v : v.reveal()));
  const pieces = clear.flatMap((v) => [v, ...v.split('\n')]).filter((v) => v.length > 0);
  return [...new Set(pieces)].sort((a, b) => b.length - a.length);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The last lines of what a script on the Pi printed on stderr, for an error message, masked. */
export function hostStderrTail(stderr: string, lines = 3): string {
  return maskHostText(stderr.trim().split('\n').slice(-lines).join(' / '), { values: [], anchors: [] });
}

/** Text from a Pi with every secret masked, known to the controller or not (layers 1-4 above). */
export function maskHostText(text: string, mask: SecretMask): string {
  let out = text;
  for (const piece of clearPieces(mask.values)) out = out.split(piece).join(MASK);
  const anchors = [...new Set([...mask.anchors, ...stackSecretAnchors()])].filter((a) => a.length > 0);
  if (anchors.length > 0) {
    // What follows an anchor up to the end of the word nginx or a shell would read (a blank, `;`, a quote).
    const atAnchor = new RegExp(`(${anchors.map(escapeRegExp).join('|')})(?!\\*{8})[^\\s;"'{}]+`, 'gi');
    out = out.replace(atAnchor, (_all, anchor: string) => `${anchor}${MASK}`);
  }
  const vouched = mask.vouched ?? new Set<string>();
  out = redactPushTargets(out, (name) => vouched.has(name));
  if (mask.holdsSecrets === true) {
    out = out.replace(/[A-Za-z0-9_.?=&-]+/g, (word) => (word.length < SHORTEST_MASKED_WORD || vouched.has(word) ? word : MASK));
  }
  return out;
}
