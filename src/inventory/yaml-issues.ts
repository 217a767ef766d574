// Problems the YAML itself has, before any schema: syntax errors, and keys written twice. The
// YAML library would report a duplicate as "Map keys must be unique"; parsing with uniqueKeys off
// and finding them here lets the message say which host, group or setting it is and where the
// first one is, which is what the user needs to merge them.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from '../config/index.js';
import type { YamlSource } from '../util/yaml-positions.js';
import { dotted } from './zod-issues.js';

export function parseInventoryYaml(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  return { file, doc, lineCounter };
}

export function syntaxIssues(source: YamlSource): ConfigIssue[] {
  return source.doc.errors.map((error) => {
    const at = error.linePos?.[0];
    return {
      file: source.file,
      ...(at ? { line: at.line, col: at.col } : {}),
      message: error.message.split('\n')[0] ?? error.message,
      hint: 'fix the YAML syntax (indent with spaces; quote values that hold ": " or start with a special character)',
    };
  });
}

export function duplicateKeyIssues(source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const position = (offset: number): { line: number; col: number } => source.lineCounter.linePos(offset);
  const walk = (node: unknown, path: PropertyKey[]): void => {
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
    if (!isMap(node)) return;
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key) || pair.key.range === undefined || pair.key.range === null) continue;
      const key = String(pair.key.value);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, pair.key.range[0]);
        walk(pair.value, [...path, key]);
        continue;
      }
      const firstAt = position(first);
      issues.push({
        file: source.file,
        ...position(pair.key.range[0]),
        variable: dotted([...path, key]),
        message: duplicateMessage(path, key),
        hint: `first at line ${firstAt.line}, column ${firstAt.col}; keep one of them`,
      });
    }
  };
  walk(source.doc.contents, []);
  return issues;
}

function duplicateMessage(path: readonly PropertyKey[], key: string): string {
  if (path.length === 1 && path[0] === 'hosts') return `host ${key} is defined twice`;
  if (path.length === 1 && path[0] === 'groups') return `group ${key} is defined twice`;
  if (path[path.length - 1] === 'vars') return `${key} is set twice in the same vars`;
  return `${key} is written twice`;
}
