// The comments of a role.yaml, where they say why an entry is there: the generated role reference
// prints them beside the entries, so the explanation lives in one place (the role file).
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';

function clean(comment: string | null | undefined): string | undefined {
  if (!comment) return undefined;
  const text = comment
    .split('\n')
    .map((line) => line.trim())
    .join(' ')
    .trim();
  return text === '' ? undefined : text;
}

export class YamlComments {
  readonly #doc: Document.Parsed;

  constructor(file: string) {
    this.#doc = parseDocument(readFileSync(file, 'utf8'));
  }

  /** The comment at the top of the file (before its first key). */
  header(): string | undefined {
    const contents = this.#doc.contents;
    const first = isMap(contents) ? contents.items[0] : undefined;
    return clean(this.#doc.commentBefore) ?? clean(isPair(first) && isScalar(first.key) ? first.key.commentBefore : undefined);
  }

  /** The comment written just above item `index` of the list under `key` (or above the key, for item 0). */
  item(key: string, index: number): string | undefined {
    const list = this.#doc.getIn([key], true);
    if (!isSeq(list)) return undefined;
    const node = list.items[index] as { commentBefore?: string | null } | undefined;
    return clean(node?.commentBefore) ?? (index === 0 ? clean(list.commentBefore) : undefined);
  }

  /** The comment above `key: value` inside the map under `mapKey`. */
  entry(mapKey: string, key: string): string | undefined {
    const map = this.#doc.getIn([mapKey], true);
    if (!isMap(map)) return undefined;
    const index = map.items.findIndex((p) => isScalar(p.key) && p.key.value === key);
    const pair = map.items[index];
    if (!pair) return undefined;
    return clean(isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (index === 0 ? clean(map.commentBefore) : undefined);
  }
}
