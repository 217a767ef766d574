// Map a zod issue path back to a line:col in the YAML source, so every config error says
// file:line:col (libraries.md: parseDocument + LineCounter + getIn(path, true)).
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export interface Position {
  line: number;
  col: number;
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return { file, doc, lineCounter };
}

/** Position of the node at `path`, or of its nearest existing ancestor (a missing key -> its map). */
export function positionOf(source: YamlSource, path: readonly PropertyKey[], keyOf?: string): Position {
  let node: unknown = source.doc.contents;
  let best: unknown = node;
  for (const segment of path) {
    if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) break;
    const collection = node as { items: unknown[] };
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === segment);
      next = pair && isPair(pair) ? pair.value : undefined;
    } else if (typeof segment === 'number') {
      next = collection.items[segment];
    }
    if (next === undefined || next === null) break;
    node = next;
    best = next;
  }
  // An unknown key: point at the key itself, not at its parent map.
  if (keyOf && isMap(best)) {
    const pair = best.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === keyOf);
    if (pair && isPair(pair) && isScalar(pair.key) && pair.key.range) return linePos(source, pair.key.range[0]);
  }
  const range = (best as { range?: [number, number, number] } | undefined)?.range;
  return linePos(source, range ? range[0] : 0);
}

function linePos(source: YamlSource, offset: number): Position {
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, col };
}
