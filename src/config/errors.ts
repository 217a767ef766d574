import { maskSecrets, type Secret } from '../redact/secret.js';

/**
 * One thing wrong (or worth a warning) in the configuration, located where the user can fix it.
 * `file`/`line`/`col` when the value was written in a file; `source` otherwise ("environment
 * ORBIS_GOP", "--var GOP", "default"). Messages never hold a secret's value: they say what is
 * allowed, not what was found, whenever the variable is a secret.
 */
export interface ConfigIssue {
  variable?: string;
  /** What is wrong and what is allowed. */
  message: string;
  /** What to do about it. */
  hint?: string;
  file?: string;
  line?: number;
  col?: number;
  /** Where the value came from when it was not a file position. */
  source?: string;
}

/**
 * `conf/orbis.conf:12:18: DLIVE_BITRATE_VIDEO: must be ... (hint: ...)`; `--var GOP: must be ...`
 * (a location that names the variable already, `--var GOP` or `environment ORBIS_GOP`, is not
 * followed by its name again).
 */
export function formatIssue(issue: ConfigIssue): string {
  const where = issueLocation(issue);
  const named = where !== undefined && issue.variable !== undefined && [issue.variable, `ORBIS_${issue.variable}`].includes(where.split(/\s+/).pop() ?? '');
  const parts = [where, named ? undefined : issue.variable, issue.message].filter((p): p is string => !!p);
  const text = parts.join(': ');
  return issue.hint ? `${text} (hint: ${issue.hint})` : text;
}

function issueLocation(issue: ConfigIssue): string | undefined {
  if (issue.file !== undefined) {
    if (issue.line === undefined) return issue.file;
    return issue.col === undefined ? `${issue.file}:${issue.line}` : `${issue.file}:${issue.line}:${issue.col}`;
  }
  return issue.source;
}

/**
 * The error for anything a user got wrong in the configuration: every issue found, not just the
 * first, so one run shows everything to fix. Exit code 1 at the CLI boundary.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  /**
   * `secrets`: clear values known when the error is built; masked out of every message as a last
   * line of defence (messages are written not to contain them in the first place).
   */
  constructor(issues: readonly ConfigIssue[], secrets: Iterable<string | Secret> = []) {
    const masked = [...secrets];
    const safe = issues.map((issue) => maskIssue(issue, masked));
    super(formatIssues(safe));
    this.name = 'ConfigError';
    this.issues = safe;
  }

  format(): string {
    return formatIssues(this.issues);
  }
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

function maskIssue(issue: ConfigIssue, secrets: readonly (string | Secret)[]): ConfigIssue {
  if (secrets.length === 0) return issue;
  const out: ConfigIssue = { ...issue, message: maskSecrets(issue.message, secrets) };
  if (issue.hint !== undefined) out.hint = maskSecrets(issue.hint, secrets);
  return out;
}
