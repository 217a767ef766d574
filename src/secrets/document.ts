// The clear text inside the secrets file: a YAML map of names to values,
//   salon_dlive: abc123...
//   cuisine_kick: 'sk_us-west-2_...'
// read with YAML's failsafe schema, so every value is text as written (a key of digits stays
// digits, `no` stays "no"). Names are what the inventory's `{ secret: NAME }` accepts. Anything
// YAML would do beyond that (anchors, aliases, tags, lists, multi-line values) is an error, since
// a secret that silently became something else would only show when a stream fails.
//
// Errors name the line, the column and the secret's name, never a value or the line's text.
import { isAlias, isMap, isPair, isScalar, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import type { ConfigIssue } from '../config/errors.js';
import { Secret } from '../redact/secret.js';

/** As the inventory's `{ secret: NAME }` reference accepts them. */
export const SECRET_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const SECRET_NAME_RULE = 'letters, digits and _, not starting with a digit';

export interface SecretEntry {
  name: string;
  value: Secret;
  line: number;
  col: number;
}

export interface ParsedSecrets {
  entries: readonly SecretEntry[];
  issues: readonly ConfigIssue[];
}

const QUOTE_HINT = "quote the value in single quotes: name: '...'";

/** `file` names the source in issues (the encrypted file, or the text being edited). */
export function parseSecretsText(text: string, file: string): ParsedSecrets {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  const issues: ConfigIssue[] = doc.errors.map((error) => {
    // YAML notices an open quote at the end of the text; the user needs the line it opened on.
    const offset = error.code === 'MISSING_CHAR' ? (openQuoteBefore(text, error.pos[0]) ?? error.pos[0]) : error.pos[0];
    return { file, ...at(offset), ...syntaxProblem(error.code) };
  });
  if (issues.length > 0) return { entries: [], issues };

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === '')) return { entries: [], issues: [] }; // only comments
  if (!isMap(root)) {
    return { entries: [], issues: [{ file, ...at(root.range?.[0] ?? 0), message: 'the secrets must be a map of names to values', hint: 'write one `name: value` per line' }] };
  }
  const entries: SecretEntry[] = [];
  const firstLine = new Map<string, number>();
  for (const item of root.items) {
    const pair = item as Pair<Node | null, Node | null>;
    const checked = checkPair(pair, file, at, text);
    if ('issue' in checked) {
      issues.push(checked.issue);
      continue;
    }
    const { entry } = checked;
    const first = firstLine.get(entry.name);
    // Found here rather than by YAML, to say where the first one is.
    if (first !== undefined) issues.push({ file, ...at(pair.key?.range?.[0] ?? 0), variable: entry.name, message: `is set twice (first at line ${first})`, hint: 'keep one of them' });
    else firstLine.set(entry.name, at(pair.key?.range?.[0] ?? 0).line);
    entries.push(entry);
  }
  return { entries, issues };
}

function checkPair(pair: Pair<Node | null, Node | null>, file: string, at: (offset: number) => { line: number; col: number }, source: string): { entry: SecretEntry } | { issue: ConfigIssue } {
  const key = pair.key;
  const keyAt = at(key?.range?.[0] ?? 0);
  if (!isPair(pair) || !isScalar(key) || typeof key.value !== 'string' || !SECRET_NAME_RE.test(key.value)) {
    return { issue: { file, ...keyAt, message: `a secret's name must be a name (${SECRET_NAME_RULE})`, hint: 'the inventory refers to it as { secret: NAME }' } };
  }
  const name = key.value;
  const value = pair.value;
  const start = valueStart(source, key.range?.[1]) ?? value?.range?.[0];
  const where = { file, ...(start === undefined ? keyAt : at(start)), variable: name };
  if (value !== null && (isAlias(value) || value.anchor !== undefined)) {
    return { issue: { ...where, message: 'starts with & or * (a YAML anchor or alias), which would not be taken as text', hint: QUOTE_HINT } };
  }
  if (value?.tag !== undefined) return { issue: { ...where, message: 'starts with ! (a YAML tag), which would not be taken as text', hint: QUOTE_HINT } };
  if (value === null || (isScalar(value) && value.value === '' && value.type === 'PLAIN')) {
    return { issue: { ...where, message: 'has no value', hint: 'write the value after "name: ", or remove the line' } };
  }
  if (!isScalar(value) || typeof value.value !== 'string') {
    return { issue: { ...where, message: 'must be one value (text), not a list or a map', hint: 'write `name: value`; a value holding ": " or starting with [ { needs quotes' } };
  }
  const text = value.value;
  if (text === '') return { issue: { ...where, message: 'is empty', hint: 'write the value, or remove the line' } };
  if (/[\r\n]/.test(text)) return { issue: { ...where, message: 'spans several lines; a secret is one line', hint: 'write the value on one line' } };
  if (text.trim() !== text) return { issue: { ...where, message: 'starts or ends with whitespace (pasted with a space?)', hint: 'remove the spaces inside the quotes' } };
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) return { issue: { ...where, message: 'holds a control character', hint: 'copy the value again from where it was issued' } };
  return { entry: { name, value: new Secret(text, `secret ${name} (${file})`), line: where.line, col: where.col } };
}

/** Where the value written after `name:` starts on the key's line (undefined: on the next lines). */
function valueStart(text: string, keyEnd: number | undefined): number | undefined {
  if (keyEnd === undefined) return undefined;
  const match = /^[ \t]*:?[ \t]*/.exec(text.slice(keyEnd));
  const offset = keyEnd + (match?.[0].length ?? 0);
  const next = text[offset];
  return next === undefined || next === '\n' || next === '\r' || next === '#' ? undefined : offset;
}

/** The last quote before `offset` that opens a value and is not closed on its own line. */
function openQuoteBefore(text: string, offset: number): number | undefined {
  let found: number | undefined;
  let lineStart = 0;
  for (const line of text.slice(0, offset).split('\n')) {
    const m = /^[^:#]*:[ \t]*(['"])/.exec(line);
    if (m?.[1] !== undefined) {
      const quoteAt = m[0].length - 1;
      const rest = line.slice(quoteAt + 1);
      const closed = m[1] === "'" ? /(^|[^'])'(?!')/.test(rest.replace(/''/g, '')) : /(^|[^\\])"/.test(rest);
      if (!closed) found = lineStart + quoteAt;
    }
    lineStart += line.length + 1;
  }
  return found;
}

// Our own words for the YAML library's errors: its messages may quote the source line.
function syntaxProblem(code: string): { message: string; hint: string } {
  switch (code) {
    case 'MISSING_CHAR':
      return { message: 'a quote opened here is not closed', hint: "close the quote on the same line: name: '...'" };
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return { message: 'the value holds ": ", which YAML reads as another key', hint: QUOTE_HINT };
    case 'TAB_AS_INDENT':
      return { message: 'a tab used for indentation', hint: 'indent with spaces, or not at all: one `name: value` per line' };
    case 'BAD_INDENT':
      return { message: 'unexpected indentation', hint: 'write each `name: value` at the start of its line' };
    default:
      return { message: `not valid YAML here (${code})`, hint: `one \`name: value\` per line; ${QUOTE_HINT} when it holds special characters` };
  }
}

/** What `orbis secrets init` puts in a new file: instructions only, no secret. */
export const NEW_SECRETS_TEXT = [
  '# orbis secrets: one `name: value` per line. Open with `orbis secrets edit`.',
  '# Names: letters, digits and _. The inventory refers to a secret by its name:',
  '#   DLIVE_CLE_FLUX: { secret: salon_dlive }',
  "# Quote a value in single quotes when it starts with & * ! ? | > ' \" % @ ` [ { or holds \": \" or \" #\".",
  '# salon_dlive: your-dlive-stream-key',
  '',
].join('\n');
