// Problems the YAML itself has, before any schema: syntax errors, and keys written twice. The
// YAML library would report a duplicate as "Map keys must be unique"; parsing with uniqueKeys off
// and finding them here lets the message say which host, group or setting it is and where the
// first one is, which is what the user needs to merge them.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { ConfigIssue } from '../config/index.js';
import type { YamlSource } from '../util/yaml-positions.js';
import { dotted } from './zod-issues.js';

export function parseInventoryYaml(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  return { file, doc, lineCounter };
}

export function syntaxIssues(source: YamlSource, text: string): ConfigIssue[] {
  return source.doc.errors.map((error) => {
    const at = source.lineCounter.linePos(faultOffset(error.code, error.message, error.pos[0], text));
    // The parser recurses on nesting: brackets opened thousands deep exhaust its stack.
    if (/Maximum call stack size exceeded/.test(error.message)) {
      return { file: source.file, line: at.line, col: at.col, message: TOO_DEEP, hint: TOO_DEEP_HINT };
    }
    return {
      file: source.file,
      line: at.line,
      col: at.col,
      // The library appends "at line L, column C:" and a source excerpt: the position is ours.
      message: (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ''),
      hint: 'fix the YAML syntax (indent with spaces; quote values that hold ": " or start with a special character)',
    };
  });
}

/** Nesting an inventory may have: fleet, groups within groups (children), hosts, vars, a value. */
export const MAX_YAML_DEPTH = 64;
/** Alias expansions the document may need (the yaml library's own default bound). */
export const MAX_YAML_ALIASES = 100;
const TOO_DEEP = `nested more than ${MAX_YAML_DEPTH} levels deep: no inventory is`;
const TOO_DEEP_HINT = 'an inventory is a few levels deep (hosts, groups and their children, vars): remove the extra nesting';

/**
 * Flow brackets ([ and {) nested more than MAX_YAML_DEPTH deep, found in the text before the
 * parser sees it: the parser recurses on them, and thousands deep it runs out of stack where it
 * happens to (a position that says nothing). Reported at the bracket that opens level
 * MAX_YAML_DEPTH + 1. A light scan, not a YAML parser: a bracket counts when it opens a value (at
 * a line's start, after `: `, `- `, `? `) or sits inside a flow collection; quoted text and
 * comments are skipped. Anything it misreads is still bounded by the parser's own error.
 */
export function flowDepthIssue(file: string, text: string): ConfigIssue | undefined {
  let depth = 0;
  let valueStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      if (depth === 0) valueStart = true;
      continue;
    }
    if (c === ' ' || c === '\t') continue;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      while (i < text.length && text[i] !== '\n') i++;
      i--;
      continue;
    }
    if ((c === '"' || c === "'") && (valueStart || depth > 0)) {
      i = quotedEnd(text, i, c);
      valueStart = false;
      continue;
    }
    if ((c === '[' || c === '{') && (valueStart || depth > 0)) {
      depth++;
      if (depth > MAX_YAML_DEPTH) {
        const lineStart = text.lastIndexOf('\n', i) + 1;
        const line = text.slice(0, lineStart).split('\n').length;
        return { file, line, col: i - lineStart + 1, message: TOO_DEEP, hint: TOO_DEEP_HINT };
      }
      valueStart = true;
      continue;
    }
    if ((c === ']' || c === '}') && depth > 0) {
      depth--;
      valueStart = false;
      continue;
    }
    if (depth > 0) {
      valueStart = c === ',' || c === ':';
      continue;
    }
    // Block context: a value starts after `key: `, `- ` or `? `; anything else is plain text.
    valueStart = (c === ':' || c === '-' || c === '?') && /\s/.test(text[i + 1] ?? '\n');
  }
  return undefined;
}

/** The index of the quote that closes the quoted scalar opened at `start` ('' and \" escape). */
function quotedEnd(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] !== quote) continue;
    if (quote === "'" && text[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  return text.length;
}

/**
 * What would make reading the document cost without bound, at its position: nesting deeper than
 * any inventory (converting it recurses), and aliases that expand to more than MAX_YAML_ALIASES
 * nodes (a "billion laughs": a few lines, gigabytes once expanded; toJS refuses it, by a
 * ReferenceError that says nowhere where).
 */
export function boundIssues(source: YamlSource): ConfigIssue[] {
  const at = (offset: number) => source.lineCounter.linePos(offset);
  let deep: number | undefined;
  let firstAlias: number | undefined;
  visit(source.doc, (_key, node, path) => {
    const offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
    if (isAlias(node) && firstAlias === undefined) firstAlias = offset;
    if (offset !== undefined && path.filter((n) => isMap(n) || isSeq(n)).length > MAX_YAML_DEPTH) {
      deep = offset;
      return visit.BREAK;
    }
    return undefined;
  });
  if (deep !== undefined) return [{ file: source.file, ...at(deep), message: TOO_DEEP, hint: TOO_DEEP_HINT }];
  try {
    source.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    if (!(error instanceof ReferenceError) || firstAlias === undefined) throw error;
    return [{
      file: source.file,
      ...at(firstAlias),
      message: `its aliases (*name) expand to more than ${MAX_YAML_ALIASES} copies: a document that grows without bound once read`,
      hint: 'write the shared values out, or share them with a group (groups: ... vars:) instead of aliases',
    }];
  }
  return [];
}

/**
 * Where the user has to look, which is not always where the library noticed: an unclosed quote
 * or bracket is noticed where the text runs out (a later line), so point back at its opening;
 * a misaligned key is noticed at its line's start, so point at the key.
 */
function faultOffset(code: string, message: string, offset: number, text: string): number {
  const quote = /^Missing closing (["'])quote/.exec(message)?.[1];
  if (code === 'MISSING_CHAR' && quote !== undefined) return openingQuote(text, offset, quote) ?? offset;
  if (code === 'BAD_INDENT' && /^Flow (sequence|map) in block collection/.test(message)) return openingBracket(text, offset) ?? offset;
  if (code === 'BAD_INDENT' && (offset === 0 || text[offset - 1] === '\n')) {
    let i = offset;
    while (text[i] === ' ') i++;
    return i;
  }
  return offset;
}

/** The unclosed quote before `end`: inside it only escaped quotes (\" or '') can appear. */
function openingQuote(text: string, end: number, quote: string): number | undefined {
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    if (text[i] !== quote) continue;
    if (quote === '"' && text[i - 1] === '\\') continue;
    if (quote === "'" && text[i - 1] === "'") {
      i--;
      continue;
    }
    return i;
  }
  return undefined;
}

/** The nearest `[` or `{` before `end` that no bracket after it closes. */
function openingBracket(text: string, end: number): number | undefined {
  let depth = 0;
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ']' || c === '}') depth++;
    else if (c === '[' || c === '{') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
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
