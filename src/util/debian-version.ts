// Debian package versions compared exactly as dpkg does (lib/dpkg/version.c), and the version
// requirements roles put on packages (">= 7:5.1", "<< 2.0", ">= 1.0, << 2.0").
//
// Why not semver: `1:1.22.1-9+deb12u1` has an epoch, a Debian revision and `~`/`+` suffixes that
// semver misreads (coerce gives the epoch; `4.1.0-299483c` becomes a prerelease).

export class DebianVersionError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid Debian version '${input}': ${reason}`);
    this.name = 'DebianVersionError';
  }
}

export interface DebianVersion {
  epoch: number;
  upstream: string;
  /** '' when the version has no `-revision` (dpkg treats that like revision "0"). */
  revision: string;
}

/**
 * Split a version into epoch, upstream and revision the way dpkg's parseversion does. Throws on
 * what dpkg calls an error (empty, embedded spaces, bad epoch, empty upstream or revision); accepts
 * what dpkg only warns about (a non-digit start, odd characters), since dpkg still compares those.
 */
export function parseDebianVersion(input: string): DebianVersion {
  const text = input.trim();
  if (text === '') throw new DebianVersionError(input, 'version string is empty');
  if (/\s/.test(text)) throw new DebianVersionError(input, 'version string has embedded spaces');

  let rest = text;
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const epochText = rest.slice(0, colon);
    if (!/^[0-9]+$/.test(epochText)) throw new DebianVersionError(input, 'epoch is not a number');
    epoch = Number(epochText);
    if (!Number.isSafeInteger(epoch) || epoch > 2147483647) {
      throw new DebianVersionError(input, 'epoch is too big');
    }
    rest = rest.slice(colon + 1);
    if (rest === '') throw new DebianVersionError(input, 'nothing after the colon');
  }

  // The revision starts after the LAST hyphen: upstream versions may contain hyphens themselves.
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) {
    revision = rest.slice(hyphen + 1);
    rest = rest.slice(0, hyphen);
    if (revision === '') throw new DebianVersionError(input, 'revision is empty');
  }
  if (rest === '') throw new DebianVersionError(input, 'upstream version is empty');
  return { epoch, upstream: rest, revision };
}

/** dpkg's sort weight of one character: `~` before the end of a part, letters before the rest. */
function order(ch: string | undefined): number {
  if (ch === undefined) return 0;
  if (ch >= '0' && ch <= '9') return 0;
  if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) return ch.charCodeAt(0);
  if (ch === '~') return -1;
  return ch.charCodeAt(0) + 256;
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** dpkg's verrevcmp: alternate non-digit runs (by `order`) and digit runs (numerically). */
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const diff = order(a[i]) - order(b[j]);
      if (diff !== 0) return diff;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    // Digit runs compare by length first (no leading zeros left), then by the first differing digit:
    // no Number() so a 30-digit snapshot date cannot lose precision.
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** -1, 0 or 1, as `dpkg --compare-versions a lt|eq|gt b` would answer. */
export function compareDebianVersions(a: string | DebianVersion, b: string | DebianVersion): -1 | 0 | 1 {
  const va = typeof a === 'string' ? parseDebianVersion(a) : a;
  const vb = typeof b === 'string' ? parseDebianVersion(b) : b;
  const diff =
    va.epoch !== vb.epoch
      ? va.epoch - vb.epoch
      : compareParts(va.upstream, vb.upstream) || compareParts(va.revision, vb.revision);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Requirements: the relations of Debian's control files (`<<`, `<=`, `=`, `>=`, `>>`), joined by
// commas meaning AND. The old one-character `<` and `>` (deprecated by dpkg, meaning <= and >=) are
// refused: they read as strict comparisons to anyone who has not read Debian policy.

export type DebianRelation = '<<' | '<=' | '=' | '>=' | '>>';

export interface DebianClause {
  op: DebianRelation;
  version: string;
}

export class DebianConstraintError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid Debian version requirement '${input}': ${reason}`);
    this.name = 'DebianConstraintError';
  }
}

const CLAUSE = /^(<<|<=|>=|>>|==|=|<|>)?\s*(.*)$/s;

export function parseDebianConstraint(input: string): DebianClause[] {
  const parts = input.split(',').map((part) => part.trim());
  if (parts.every((part) => part === '')) throw new DebianConstraintError(input, 'it is empty');
  return parts.map((part) => {
    if (part === '') throw new DebianConstraintError(input, 'empty clause between commas');
    const match = CLAUSE.exec(part);
    const op = match?.[1];
    const version = match?.[2] ?? '';
    if (op === undefined) {
      throw new DebianConstraintError(input, `'${part}' has no relation; write '>= ${part}' or '= ${part}'`);
    }
    if (op === '<' || op === '>') {
      throw new DebianConstraintError(input, `'${op}' is ambiguous in Debian; use '${op}${op}' (strict) or '${op}='`);
    }
    if (op === '==') throw new DebianConstraintError(input, `use '=' for an exact version, not '=='`);
    try {
      parseDebianVersion(version);
    } catch (error) {
      if (error instanceof DebianVersionError) throw new DebianConstraintError(input, error.reason);
      throw error;
    }
    return { op: op as DebianRelation, version };
  });
}

export function satisfiesClause(version: string | DebianVersion, clause: DebianClause): boolean {
  const cmp = compareDebianVersions(version, clause.version);
  switch (clause.op) {
    case '<<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '=':
      return cmp === 0;
    case '>=':
      return cmp >= 0;
    case '>>':
      return cmp > 0;
  }
}

/** True when `version` meets every clause of `constraint` (a string or already parsed clauses). */
export function satisfiesDebian(version: string, constraint: string | readonly DebianClause[]): boolean {
  const clauses = typeof constraint === 'string' ? parseDebianConstraint(constraint) : constraint;
  const parsed = parseDebianVersion(version);
  return clauses.every((clause) => satisfiesClause(parsed, clause));
}

/** The clauses `version` fails, for messages and to tell "too old" (upgrade) from "too new". */
export function failedClauses(version: string, constraint: string | readonly DebianClause[]): DebianClause[] {
  const clauses = typeof constraint === 'string' ? parseDebianConstraint(constraint) : constraint;
  const parsed = parseDebianVersion(version);
  return clauses.filter((clause) => !satisfiesClause(parsed, clause));
}

export function formatConstraint(clauses: readonly DebianClause[]): string {
  return clauses.map((clause) => `${clause.op} ${clause.version}`).join(', ');
}
