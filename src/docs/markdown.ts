// The little Markdown the generated references need: text that stays text, code spans, tables.

/** Prose from a description: characters Markdown (or GitHub's HTML filter) would eat are escaped; `code` spans stay. */
export function text(value: string): string {
  return value
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/([\\*[\]|])/g, '\\$1').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

/** An inline code span that holds any text (a backtick inside gets a longer fence). */
export function code(value: string | number | boolean): string {
  const s = String(value);
  if (s === '') return '(empty)';
  const fence = s.includes('`') ? '``' : '`';
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`.replace(/\|/g, '\\|');
}

/** A table; cells are already Markdown. Empty rows give no table at all. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  if (rows.length === 0) return '';
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** GitHub's anchor for a heading (lower case; punctuation other than - and _ dropped). */
export function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** Paragraphs joined by blank lines, empty ones left out, ending with one newline. */
export function document(blocks: ReadonlyArray<string | undefined>): string {
  return `${blocks.filter((b): b is string => b !== undefined && b.trim() !== '').join('\n\n')}\n`;
}
