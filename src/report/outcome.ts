// How a host's outcome reads to a person (the progress line it ends with, the recap): true to
// what happened. A dry run (`--check`) made no change: its changes are changes it would make. A
// host that failed or could not be reached ends with the failure mark (✖), not the success one.
// `--json` keeps the statuses DESIGN.md names (hosts[].status); only the words for people differ.
import type { HostReport } from './result.js';

type Outcome = Pick<HostReport, 'status' | 'changes'>;

/** A dry run's host: changes planned, none made. */
export function isDryRun(h: Outcome): boolean {
  return h.status === 'changed' && h.changes.length > 0 && h.changes.every((c) => c.status === 'planned');
}

/** The host did not get where it was asked to (its progress line ends with ✖). */
export function isFailure(h: Pick<HostReport, 'status'>): boolean {
  return h.status === 'failed' || h.status === 'unreachable' || h.status === 'auth-failed';
}

/** `ok`, `changed`, `would change`, `drift`, `failed`, `unreachable`, `auth-failed`, `skipped`. */
export function outcomeWord(h: Outcome): string {
  return isDryRun(h) ? 'would change' : h.status;
}

/** The word and how many changes: `would change (2 changes)`. */
export function outcomeText(h: Outcome): string {
  const n = h.changes.length;
  return `${outcomeWord(h)}${n > 0 ? ` (${n} change${n === 1 ? '' : 's'})` : ''}`;
}
