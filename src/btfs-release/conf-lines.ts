// Setting a few values in conf/orbis.conf in place: only the value of each key's effective line
// (the last assignment, the one bash keeps) changes; the key, `export`, an inline comment and every
// other byte of the file stay as they were. A key the file lacks gets a line after its neighbours.
import { scanConf } from '../config/conf-parser.js';
import { ConfigError } from '../config/errors.js';

export interface ConfValue {
  key: string;
  value: string;
  /** Keys after whose (last) line a missing key goes, first found wins; else the end of the file. */
  after?: readonly string[];
}

export interface ConfLineChange {
  key: string;
  /** 1-based line of the assignment after the change. */
  line: number;
  added: boolean;
}

/** A value as the conf's bash subset and bash itself read it back unchanged. */
export function confWord(value: string): string {
  if (!/[\n\r\0]/.test(value)) {
    if (!/["\\$`]/.test(value)) return `"${value}"`;
    if (!value.includes("'")) return `'${value}'`;
  }
  throw new Error(`a value with both a single quote and one of " \\ $ \` (or a line break) cannot be written here: ${JSON.stringify(value.slice(0, 40))}`);
}

/** Index just past the shell word that starts at `start` in `line` (quotes and backslashes followed). */
function wordEnd(line: string, start: number): number {
  let i = start;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') break;
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      i = close < 0 ? line.length : close + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
      i++;
    } else i += c === '\\' ? 2 : 1;
  }
  return Math.min(i, line.length);
}

export function setConfValues(text: string, file: string, values: readonly ConfValue[]): { text: string; changes: ConfLineChange[] } {
  const scan = scanConf(text, { file });
  if (scan.errors.length > 0) throw new ConfigError(scan.errors, scan.entries.map((e) => e.value));
  const lines = text.split('\n');
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const lastLine = (key: string): { line: number; valueCol: number } | undefined => {
    const entry = scan.entries.filter((e) => e.key === key).at(-1);
    return entry && { line: entry.valueLine, valueCol: entry.valueCol };
  };
  const changes: ConfLineChange[] = [];
  const inserted: Array<{ afterIndex: number; text: string; key: string }> = [];
  for (const { key, value, after = [] } of values) {
    const found = lastLine(key);
    const assignment = confWord(value);
    if (found) {
      const index = found.line - 1;
      const line = lines[index] ?? '';
      const start = found.valueCol - 1 + (index === 0 ? bom : 0);
      lines[index] = `${line.slice(0, start)}${assignment}${line.slice(wordEnd(line, start))}`;
      changes.push({ key, line: found.line, added: false });
    } else {
      const anchor = after.map(lastLine).find((a) => a !== undefined);
      inserted.push({ afterIndex: anchor ? anchor.line - 1 : -1, text: `${key}=${assignment}`, key });
    }
  }
  // Insert from the bottom up so earlier indexes stay right; appended lines keep their order.
  const crlf = lines.some((l) => l.endsWith('\r'));
  const appended = inserted.filter((i) => i.afterIndex < 0);
  for (const insert of inserted.filter((i) => i.afterIndex >= 0).sort((a, b) => b.afterIndex - a.afterIndex)) {
    lines.splice(insert.afterIndex + 1, 0, `${insert.text}${crlf ? '\r' : ''}`);
  }
  if (appended.length > 0) {
    if (lines.at(-1) === '') lines.pop();
    lines.push(...appended.map((a) => `${a.text}${crlf ? '\r' : ''}`), '');
  }
  const out = lines.join('\n');
  // Lines of the keys as they end up (a line inserted above moves the others).
  const after = scanConf(out, { file });
  for (const insert of inserted) changes.push({ key: insert.key, line: 0, added: true });
  for (const change of changes) change.line = after.entries.filter((e) => e.key === change.key).at(-1)?.line ?? change.line;
  return { text: out, changes };
}
