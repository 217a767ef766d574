// Just enough of nginx's configuration syntax to read the files upstream Orbis wrote by hand or
// from its scripts: directives (`name args...;`), blocks (`name args { ... }`), `#` comments and
// quoted arguments, with the line and column of each directive. It never evaluates anything
// (includes, variables): the import reads what is written, file by file.
//
// Upstream's rtmp block holds stream keys in its push URLs: nothing here ever puts an argument's
// text into an error message; errors say where, and what kind of thing is wrong.

export interface NginxDirective {
  name: string;
  args: string[];
  line: number;
  col: number;
  /** Present for a block (`name args { ... }`), even an empty one. */
  children?: NginxDirective[];
}

export interface NginxParse {
  directives: NginxDirective[];
  /** Problems found (unbalanced braces, a directive left open at the end), with positions only. */
  problems: Array<{ line: number; col: number; message: string }>;
}

interface Token {
  kind: 'word' | ';' | '{' | '}';
  text: string;
  line: number;
  col: number;
}

function tokenize(text: string, problems: NginxParse['problems']): Token[] {
  const tokens: Token[] = [];
  const chars = Array.from(text.replace(/^\uFEFF/, ''));
  let line = 1;
  let col = 1;
  let i = 0;
  const advance = (): string => {
    const c = chars[i++] ?? '';
    if (c === '\n') {
      line++;
      col = 1;
    } else col++;
    return c;
  };
  while (i < chars.length) {
    const c = chars[i] ?? '';
    if (/\s/.test(c)) {
      advance();
    } else if (c === '#') {
      while (i < chars.length && chars[i] !== '\n') advance();
    } else if (c === ';' || c === '{' || c === '}') {
      tokens.push({ kind: c, text: c, line, col });
      advance();
    } else {
      const start = { line, col };
      let word = '';
      while (i < chars.length) {
        const d = chars[i] ?? '';
        if (/\s/.test(d) || d === ';' || d === '{' || d === '}') break;
        if (d === '"' || d === "'") {
          advance();
          let closed = false;
          while (i < chars.length) {
            const e = advance();
            if (e === d) {
              closed = true;
              break;
            }
            if (e === '\\' && i < chars.length) word += advance();
            else word += e;
          }
          if (!closed) problems.push({ ...start, message: `a ${d === '"' ? 'double' : 'single'} quote is never closed` });
        } else if (d === '\\' && i + 1 < chars.length) {
          advance();
          word += advance();
        } else {
          word += advance();
        }
      }
      tokens.push({ kind: 'word', text: word, ...start });
    }
  }
  return tokens;
}

export function parseNginx(text: string): NginxParse {
  const problems: NginxParse['problems'] = [];
  const tokens = tokenize(text, problems);
  let i = 0;

  const readBlock = (depth: number): NginxDirective[] => {
    const out: NginxDirective[] = [];
    while (i < tokens.length) {
      const token = tokens[i] as Token;
      if (token.kind === '}') {
        if (depth === 0) problems.push({ line: token.line, col: token.col, message: "a '}' closes no block" });
        i++;
        if (depth > 0) return out;
        continue;
      }
      if (token.kind !== 'word') {
        problems.push({ line: token.line, col: token.col, message: `a '${token.kind}' where a directive name was expected` });
        i++;
        continue;
      }
      const directive: NginxDirective = { name: token.text, args: [], line: token.line, col: token.col };
      i++;
      for (;;) {
        const next = tokens[i];
        if (next === undefined) {
          problems.push({ line: directive.line, col: directive.col, message: `the directive ${directive.name} is not ended by ';' or a block` });
          out.push(directive);
          return out;
        }
        i++;
        if (next.kind === 'word') directive.args.push(next.text);
        else if (next.kind === ';') break;
        else if (next.kind === '{') {
          directive.children = readBlock(depth + 1);
          break;
        } else {
          problems.push({ line: next.line, col: next.col, message: `the directive ${directive.name} is not ended by ';' before '}'` });
          i--;
          break;
        }
      }
      out.push(directive);
    }
    if (depth > 0) problems.push({ line: tokens[tokens.length - 1]?.line ?? 1, col: 1, message: 'a block is never closed (a missing })' });
    return out;
  };

  return { directives: readBlock(0), problems };
}

/** Every directive reached by following block names, e.g. ['rtmp', 'server', 'application']. */
export function findPath(directives: readonly NginxDirective[], path: readonly string[]): NginxDirective[] {
  const [first, ...rest] = path;
  if (first === undefined) return [];
  const here = directives.filter((d) => d.name === first);
  if (rest.length === 0) return here;
  return here.flatMap((d) => findPath(d.children ?? [], rest));
}
