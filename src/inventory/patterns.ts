// Host patterns for --limit, as Ansible spells them: `salon`, `maison` (a group), `pi-*`,
// `maison:!salon`, `maison,cuisine`, `maison:&pi4`, `@retry-file`, `all`. Pure: the only input
// from outside, a retry file's text, comes through `readFile`.
//
// Terms are separated by `,` or `:`. Hosts are the union of the plain terms (every host when
// there are none), kept only if in every `&` term, minus every `!` term, wherever these are
// written; the result is in inventory order. A term that matches nothing is an error: a typo in
// `!pi3` must not quietly put pi3 back into a rollout.
import { ConfigError, type ConfigIssue } from '../config/index.js';
import { closestName } from '../config/suggest.js';
import { ALL_GROUP } from './names.js';

export interface HostUniverse {
  /** Every host, in inventory order. */
  hosts: readonly string[];
  /** Each group's hosts, its children's included. */
  groups: ReadonlyMap<string, Iterable<string>>;
}

export type PatternOp = 'union' | 'intersect' | 'exclude';

export interface PatternTerm {
  op: PatternOp;
  kind: 'all' | 'name' | 'glob' | 'file';
  /** The name, glob or file path, without its `!` / `&` / `@`. */
  text: string;
}

export interface SelectOptions {
  /** Reads a `@file`; default: refuses (pure callers pass fs.readFileSync(path, 'utf8')). */
  readFile?: (path: string) => string;
}

const GLOB_CHARS = /[*?[]/;

export function parsePattern(pattern: string): PatternTerm[] {
  const terms = pattern.split(/[,:]/).map((t) => t.trim()).filter((t) => t.length > 0);
  if (terms.length === 0) throw limitError({ message: 'is empty', hint: 'name hosts or groups, e.g. --limit salon or --limit \'maison:!cuisine\'' });
  return terms.map((raw) => {
    const op: PatternOp = raw.startsWith('!') ? 'exclude' : raw.startsWith('&') ? 'intersect' : 'union';
    const rest = op === 'union' ? raw : raw.slice(1).trim();
    if (rest === '') throw limitError({ variable: raw, message: 'names nothing after its operator', hint: 'write !NAME to leave out, &NAME to keep only those in both' });
    if (rest.startsWith('@')) return { op, kind: 'file', text: rest.slice(1) };
    if (rest === ALL_GROUP || rest === '*') return { op, kind: 'all', text: rest };
    return { op, kind: GLOB_CHARS.test(rest) ? 'glob' : 'name', text: rest };
  });
}

/** The hosts a pattern selects, in inventory order. Throws a ConfigError (source `--limit`). */
export function selectHosts(universe: HostUniverse, pattern: string, options: SelectOptions = {}): string[] {
  const terms = parsePattern(pattern);
  // Every term that matches nothing is reported at once, not one per run.
  const issues: ConfigIssue[] = [];
  const sets = terms.map((term) => {
    try {
      return { term, hosts: matchTerm(universe, term, options) };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
      return { term, hosts: new Set<string>() };
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);
  const unions = sets.filter((s) => s.term.op === 'union');
  const selected = new Set(unions.length === 0 ? universe.hosts : unions.flatMap((s) => [...s.hosts]));
  for (const { term, hosts } of sets) {
    if (term.op === 'intersect') for (const h of [...selected]) if (!hosts.has(h)) selected.delete(h);
    if (term.op === 'exclude') for (const h of hosts) selected.delete(h);
  }
  if (selected.size === 0) throw limitError({ variable: pattern, message: 'selects no host', hint: 'each part matches hosts, but together they leave none; `orbis inventory -i FILE` lists hosts and groups' });
  return universe.hosts.filter((h) => selected.has(h));
}

function matchTerm(universe: HostUniverse, term: PatternTerm, options: SelectOptions): Set<string> {
  if (term.kind === 'all') return new Set(universe.hosts);
  if (term.kind === 'file') return hostsOfFile(universe, term.text, options);
  const matches = term.kind === 'glob' ? globMatcher(term.text) : (name: string) => name === term.text;
  const hosts = new Set(universe.hosts.filter(matches));
  for (const [group, members] of universe.groups) if (matches(group)) for (const h of members) hosts.add(h);
  if (hosts.size > 0) return hosts;
  const near = term.kind === 'name' ? closestName(term.text, [...universe.hosts, ...universe.groups.keys()]) : undefined;
  throw limitError({
    variable: term.text,
    message: term.kind === 'glob' ? 'matches no host or group' : 'is no host or group of the inventory',
    hint: near !== undefined ? `did you mean ${near}?` : '`orbis inventory -i FILE` lists hosts and groups',
  });
}

function hostsOfFile(universe: HostUniverse, path: string, options: SelectOptions): Set<string> {
  let text: string;
  try {
    if (options.readFile === undefined) throw new Error('no file reader');
    text = options.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw limitError({ variable: `@${path}`, message: code === 'ENOENT' ? 'no such file' : 'cannot be read', hint: 'a retry file lists host names, one a line' });
  }
  const names = parseRetryFile(text);
  const known = new Set(universe.hosts);
  const unknown = names.filter((n) => !known.has(n) && !universe.groups.has(n));
  if (unknown.length > 0) {
    throw limitError({ variable: `@${path}`, message: `names hosts the inventory does not have: ${unknown.join(', ')}`, hint: 'was it written for another inventory? Remove those lines, or pass the inventory it came from' });
  }
  if (names.length === 0) throw limitError({ variable: `@${path}`, message: 'names no host', hint: 'nothing to retry: the last run had no failed host' });
  const hosts = new Set<string>();
  for (const name of names) {
    if (known.has(name)) hosts.add(name);
    for (const h of universe.groups.get(name) ?? []) hosts.add(h);
  }
  return hosts;
}

/** A retry file: host names, one a line; blank lines and `#` comments are ignored. */
export function parseRetryFile(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l.length > 0);
}

export function retryFileText(hosts: readonly string[]): string {
  return hosts.map((h) => `${h}\n`).join('');
}

/** `pi-*`, `pi-[12]`, `pi-?`, `[!x]` for "not x": the shell's globs, whole names only. */
export function globMatcher(glob: string): (name: string) => boolean {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[' && glob.indexOf(']', i + 2) > i) {
      const end = glob.indexOf(']', i + 2);
      const body = glob.slice(i + 1, end);
      source += `[${body.startsWith('!') ? `^${escapeClass(body.slice(1))}` : escapeClass(body)}]`;
      i = end;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`);
  return (name) => re.test(name);
}

function escapeClass(body: string): string {
  // Ranges (a-z) keep their dash; the characters special inside a class are escaped.
  return body.replace(/[\\\]^]/g, '\\$&');
}

function limitError(issue: Omit<ConfigIssue, 'source'>): ConfigError {
  return new ConfigError([{ source: '--limit', ...issue }]);
}
