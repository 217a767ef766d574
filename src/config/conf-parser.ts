// A reader for exactly the bash subset that `conf/orbis.conf` is written in, with positions.
//
// The file is a bash script upstream `source`d; orbis never sources or evals it. It understands:
// blank lines, `# comments`, `[export ]KEY=value` where the value is one shell word made of bare,
// "double-quoted" (with `$VAR`/`${VAR}` from EARLIER keys and bash's backslash rules) and
// 'single-quoted' (literal) parts, and an inline `# comment` after whitespace. Everything else bash
// would do (run a command, substitute `$(...)`, read the environment, ...) is an error that says
// where, what was found and what to write instead. Values are single-line: a quote left open at the
// end of a line is an error rather than a silent multi-line value.
//
// Errors never quote the text of a value or of an unparsable line: that text may be a stream key.
import { ConfigError, type ConfigIssue } from './errors.js';
import { closestName } from './suggest.js';

export interface ConfEntry {
  key: string;
  /** The value as bash would see it: quotes removed, escapes and `${VAR}` applied. */
  value: string;
  /** Position of the key (1-based; columns count characters). */
  line: number;
  col: number;
  /** Position of the value as written (its opening quote when quoted; just after `=` when empty). */
  valueLine: number;
  valueCol: number;
  /** Column in the source of each character of `value` (an expansion maps to its `$`). */
  valueColumns: readonly number[];
  exported: boolean;
}

export interface ParsedConf {
  file: string;
  /** In file order; a key set twice appears twice (the later one wins, as in bash). */
  entries: readonly ConfEntry[];
  warnings: readonly ConfigIssue[];
}

export interface ConfScan extends ParsedConf {
  errors: readonly ConfigIssue[];
}

export interface ConfParseOptions {
  /** The path shown in messages, as the user gave it (e.g. `conf/orbis.conf`). */
  file: string;
}

/** Parse, collecting every error (one per faulty line) instead of stopping at the first. */
export function scanConf(text: string, options: ConfParseOptions): ConfScan {
  const warnings: ConfigIssue[] = [];
  const errors: ConfigIssue[] = [];
  const file = options.file;
  const lines = splitLines(text, file, warnings);
  const definedAt = firstDefinitions(lines);
  const known = new Map<string, ConfEntry>();
  const broken = new Set<string>();
  const entries: ConfEntry[] = [];

  lines.forEach((lineText, index) => {
    const lineNo = index + 1;
    const reader = new LineReader(lineText, lineNo, known, broken, definedAt);
    try {
      const entry = reader.readLine();
      if (entry === undefined) return;
      const earlier = known.get(entry.key);
      if (earlier !== undefined) {
        warnings.push({
          file, line: entry.line, col: entry.col, variable: entry.key,
          message: `set again (first set at line ${earlier.line}); this later value wins, as in bash`,
          hint: 'keep one assignment per variable',
        });
      }
      broken.delete(entry.key);
      known.set(entry.key, entry);
      entries.push(entry);
    } catch (fault) {
      if (fault instanceof DependsOnBrokenLine) {
        if (fault.key !== undefined) broken.add(fault.key);
        return;
      }
      if (!(fault instanceof LineFault)) throw fault;
      if (fault.key !== undefined) {
        broken.add(fault.key);
        known.delete(fault.key);
      }
      const issue: ConfigIssue = { file, line: lineNo, col: fault.col, message: fault.message, hint: fault.hint };
      if (fault.key !== undefined) issue.variable = fault.key;
      errors.push(issue);
    }
  });
  return { file, entries, warnings, errors };
}

/** Parse, throwing a ConfigError listing every faulty line. */
export function parseConf(text: string, options: ConfParseOptions): ParsedConf {
  const scan = scanConf(text, options);
  if (scan.errors.length > 0) throw new ConfigError(scan.errors);
  return { file: scan.file, entries: scan.entries, warnings: scan.warnings };
}

/** The effective assignment of each key (the last one, as bash would leave it). */
export function effectiveEntries(parsed: ParsedConf): Map<string, ConfEntry> {
  const out = new Map<string, ConfEntry>();
  for (const entry of parsed.entries) out.set(entry.key, entry);
  return out;
}

// A BOM or CRLF line endings (a file edited on Windows) would end up inside bash values; orbis
// reads past them but says so, since the same file sourced by bash means something else.
function splitLines(text: string, file: string, warnings: ConfigIssue[]): string[] {
  let body = text;
  if (body.startsWith('\uFEFF')) {
    body = body.slice(1);
    warnings.push({
      file, line: 1, col: 1,
      message: 'starts with a UTF-8 byte order mark (BOM); orbis ignores it',
      hint: 'save the file as UTF-8 without BOM',
    });
  }
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const crlfLine = lines.findIndex((l) => l.endsWith('\r'));
  if (crlfLine >= 0) {
    warnings.push({
      file, line: crlfLine + 1,
      message: 'has Windows (CRLF) line endings; orbis reads them as LF, but bash would keep a CR at the end of each value',
      hint: 'convert the file to LF line endings (e.g. `dos2unix`)',
    });
  }
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Where each key is first assigned, to tell "defined later in the file" from "not defined". */
function firstDefinitions(lines: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  lines.forEach((l, i) => {
    const m = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(l);
    if (m?.[1] !== undefined && !out.has(m[1])) out.set(m[1], i + 1);
  });
  return out;
}

class LineFault extends Error {
  constructor(
    readonly col: number,
    message: string,
    readonly hint: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

/** A reference to a variable whose own line was already reported: report nothing more. */
class DependsOnBrokenLine extends Error {
  constructor(readonly key?: string) {
    super('depends on a broken line');
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const BLANK = /[ \t]/;
const SPECIAL_PARAMETER = /[0-9@*#?$!-]/;

const ONLY_ASSIGNMENTS =
  'orbis.conf holds only `KEY=value` lines (optionally `export KEY=value`), comments and blank lines; orbis never runs commands from it';

class LineReader {
  // Code points, so that columns count characters as an editor does.
  private readonly chars: string[];
  private i = 0;
  private key: string | undefined;

  constructor(
    text: string,
    private readonly lineNo: number,
    private readonly known: ReadonlyMap<string, ConfEntry>,
    private readonly broken: ReadonlySet<string>,
    private readonly definedAt: ReadonlyMap<string, number>,
  ) {
    this.chars = Array.from(text);
  }

  /** The entry on this line, or undefined for a blank or comment line. */
  readLine(): ConfEntry | undefined {
    this.skipBlanks();
    if (this.atEnd() || this.peek() === '#') return undefined;
    let exported = false;
    if (this.lookingAtWord('export') && BLANK.test(this.peek(6))) {
      exported = true;
      this.i += 6;
      this.skipBlanks();
    }
    const keyCol = this.col();
    const key = this.readName();
    if (key === undefined) {
      throw this.fault(keyCol, 'not a variable assignment: found text that is not `KEY=value`, a comment or a blank line', ONLY_ASSIGNMENTS);
    }
    this.checkAssignmentOperator(key, keyCol, exported);
    this.key = key;
    this.i++; // '='
    const valueCol = this.col();
    const { value, columns } = this.readWord();
    this.checkRestOfLine(value.length === 0);
    return {
      key, value, line: this.lineNo, col: keyCol,
      valueLine: this.lineNo, valueCol, valueColumns: columns, exported,
    };
  }

  private checkAssignmentOperator(key: string, keyCol: number, exported: boolean): void {
    const next = this.peek();
    if (next === '=') return;
    if (next === '+' && this.peek(1) === '=') {
      throw this.fault(this.col(), `\`${key}+=\` (append) is not supported`, 'write the whole value: `KEY=value`', key);
    }
    if (next === '[') {
      throw this.fault(this.col(), `\`${key}[...]\` (array) is not supported`, 'orbis settings are single values: `KEY=value`', key);
    }
    const afterName = this.i;
    this.skipBlanks();
    if (this.peek() === '=' && this.i > afterName) {
      throw this.fault(
        afterName + 1,
        `spaces around '=' in the assignment of ${key}: bash would run \`${key}\` as a command`,
        `write \`${key}=value\` with no space before or after '='`,
        key,
      );
    }
    if (this.atEnd() && exported) {
      throw this.fault(keyCol, `\`export ${key}\` without a value`, `write \`export ${key}=value\`, or remove the line`, key);
    }
    throw this.fault(keyCol, 'not a variable assignment: bash would run this line as a command', ONLY_ASSIGNMENTS);
  }

  /** One shell word: bare, "double" and 'single' quoted parts, concatenated. */
  private readWord(): { value: string; columns: number[] } {
    const out = new WordBuilder();
    const wordStart = this.i;
    while (!this.atEnd() && !BLANK.test(this.peek())) {
      const c = this.peek();
      if (c === "'") this.readSingleQuoted(out);
      else if (c === '"') this.readDoubleQuoted(out);
      else if (c === '$') this.readExpansion(out, 'bare');
      else if (c === '\\') this.readBareEscape(out);
      else if (c === '`') throw this.commandSubstitution();
      else if (';&|<>()'.includes(c)) {
        throw this.fault(this.col(), `found the shell operator '${c}' in the value of ${this.key}: bash would treat what follows as another command`, 'put the value in double quotes: KEY="..."', this.key);
      } else if (c === '~' && (this.i === wordStart || this.chars[this.i - 1] === ':')) {
        throw this.fault(this.col(), `found '~' at the start of a path in ${this.key}: bash would replace it with the home directory of whoever runs it`, 'write the full path (e.g. /home/pi/...), or quote the value if you mean a literal ~', this.key);
      } else {
        out.push(c, this.col());
        this.i++;
      }
    }
    return out.result();
  }

  private readSingleQuoted(out: WordBuilder): void {
    const openCol = this.col();
    this.i++;
    while (!this.atEnd() && this.peek() !== "'") {
      out.push(this.peek(), this.col());
      this.i++;
    }
    if (this.atEnd()) throw this.unterminated("'", openCol);
    this.i++;
  }

  private readDoubleQuoted(out: WordBuilder): void {
    const openCol = this.col();
    this.i++;
    for (;;) {
      if (this.atEnd()) throw this.unterminated('"', openCol);
      const c = this.peek();
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\\') {
        const next = this.peek(1);
        if (next === '') throw this.unterminated('"', openCol);
        // Inside double quotes bash drops the backslash only before $ ` " \ (and newline).
        if ('$`"\\'.includes(next)) {
          out.push(next, this.col() + 1);
          this.i += 2;
        } else {
          out.push('\\', this.col());
          this.i++;
        }
      } else if (c === '$') {
        this.readExpansion(out, 'double');
      } else if (c === '`') {
        throw this.commandSubstitution();
      } else {
        out.push(c, this.col());
        this.i++;
      }
    }
  }

  private readBareEscape(out: WordBuilder): void {
    const next = this.peek(1);
    if (next === '') {
      throw this.fault(this.col(), `found a '\\' at the end of the line in ${this.key}: bash would join the next line to this one`, 'line continuation is not supported: keep each assignment on one line', this.key);
    }
    out.push(next, this.col() + 1);
    this.i += 2;
  }

  private readExpansion(out: WordBuilder, context: 'bare' | 'double'): void {
    const dollarCol = this.col();
    const next = this.peek(1);
    if (next === '{') {
      this.i += 2;
      const start = this.i;
      while (!this.atEnd() && this.peek() !== '}') this.i++;
      if (this.atEnd()) {
        throw this.fault(dollarCol, `found '\${' without its closing '}' in ${this.key}`, 'write ${NAME}', this.key);
      }
      const inner = this.chars.slice(start, this.i).join('');
      this.i++;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) {
        throw this.fault(dollarCol, `found the parameter expression \${...} in ${this.key}; only \${NAME} and $NAME are supported`, 'write defaults and computed values out in full; orbis fills in defaults itself', this.key);
      }
      this.substitute(inner, dollarCol, out);
      return;
    }
    if (next === '(') throw this.commandSubstitution();
    if (NAME_START.test(next)) {
      this.i++;
      const name = this.readName() ?? '';
      this.substitute(name, dollarCol, out);
      return;
    }
    if (next !== '' && SPECIAL_PARAMETER.test(next)) {
      throw this.fault(dollarCol, `found the special parameter $${next} in ${this.key}: it has no value in a configuration file`, 'write the value out, or escape the dollar sign as \\$ inside double quotes', this.key);
    }
    if (context === 'bare' && (next === "'" || next === '"')) {
      throw this.fault(dollarCol, `found $${next}...${next} quoting in ${this.key}, which orbis does not support`, 'use plain "double" or \'single\' quotes', this.key);
    }
    // A lone '$' (before a space, '/', the closing quote, ...) is a literal dollar in bash.
    out.push('$', dollarCol);
    this.i++;
  }

  private substitute(name: string, dollarCol: number, out: WordBuilder): void {
    const entry = this.known.get(name);
    if (entry !== undefined) {
      // Each line can double what it expands (A="$A$A"): 30 such lines are a gigabyte. No
      // setting is longer than a path or a URL; past the bound, the value is refused at once.
      if (out.length + entry.value.length > MAX_VALUE_CHARS) {
        throw this.fault(dollarCol, `expanding \${${name}} makes this value longer than ${MAX_VALUE_CHARS} characters`, 'write the value out: no orbis setting is that long (a variable that expands itself over and over, A="$A$A", grows without end)', this.key);
      }
      for (const ch of entry.value) out.push(ch, dollarCol);
      return;
    }
    if (this.broken.has(name)) throw new DependsOnBrokenLine(this.key);
    const later = this.definedAt.get(name);
    const hint =
      later !== undefined && later > this.lineNo
        ? `${name} is set later, at line ${later}: move that line above this one (orbis, like bash, expands only what is already set)`
        : `orbis expands only variables set earlier in this file (never the environment)${didYouMean(name, this.known.keys())}; define ${name} above this line or write the value out`;
    throw this.fault(dollarCol, `reference to the unknown variable ${name} in ${this.key}`, hint, this.key);
  }

  private checkRestOfLine(emptyValue: boolean): void {
    const blanksFrom = this.i;
    this.skipBlanks();
    if (this.atEnd()) return;
    if (this.peek() === '#' && this.i > blanksFrom) return; // inline comment
    if (emptyValue) {
      throw this.fault(this.col(), `found a space after '=' in the assignment of ${this.key}: bash would set ${this.key} to empty and run the rest of the line as a command`, 'remove the space after \'=\', or quote the value: KEY="..."', this.key);
    }
    throw this.fault(this.col(), `found more text after the value of ${this.key}: bash would run it as a command`, 'a value with spaces must be quoted: KEY="a b"; a comment needs a space before its #', this.key);
  }

  private commandSubstitution(): LineFault {
    return this.fault(this.col(), `found a command substitution (\`...\` or $(...)) in ${this.key}: orbis never runs commands from the configuration`, 'write the value itself; to keep a literal $ or ` use single quotes', this.key);
  }

  private unterminated(quote: string, openCol: number): LineFault {
    return this.fault(openCol, `the ${quote === '"' ? 'double' : 'single'} quote opened here is not closed on this line (value of ${this.key})`, `add the closing ${quote}; values must fit on one line`, this.key);
  }

  private fault(col: number, message: string, hint: string, key?: string): LineFault {
    return new LineFault(col, message, hint, key);
  }

  private readName(): string | undefined {
    if (!NAME_START.test(this.peek())) return undefined;
    const start = this.i;
    while (!this.atEnd() && NAME_CHAR.test(this.peek())) this.i++;
    return this.chars.slice(start, this.i).join('');
  }

  private lookingAtWord(word: string): boolean {
    return this.chars.slice(this.i, this.i + word.length).join('') === word;
  }

  private skipBlanks(): void {
    while (!this.atEnd() && BLANK.test(this.peek())) this.i++;
  }

  private peek(ahead = 0): string {
    return this.chars[this.i + ahead] ?? '';
  }

  private atEnd(): boolean {
    return this.i >= this.chars.length;
  }

  private col(): number {
    return this.i + 1;
  }
}

/** The longest value a `${VAR}` expansion may build (a setting is a path, a URL, a name). */
export const MAX_VALUE_CHARS = 8192;

class WordBuilder {
  private readonly parts: string[] = [];
  private readonly columns: number[] = [];

  get length(): number {
    return this.parts.length;
  }

  push(ch: string, col: number): void {
    this.parts.push(ch);
    this.columns.push(col);
  }

  result(): { value: string; columns: number[] } {
    return { value: this.parts.join(''), columns: this.columns };
  }
}

function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}
