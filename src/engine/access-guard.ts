// The safety net under a change that can lock orbis out (a `confirmAccess` role: sshd hardening),
// as deploy-rs's "magic rollback": BEFORE the change, the host saves every path the change may
// touch and arms a timer of its own (a transient systemd timer); the change goes live; orbis must
// then log in over a NEW connection and disarm the timer before it fires. If it cannot (the new
// configuration refuses it, the network is cut, orbis is killed), the timer puts the saved paths
// back and runs the handlers again (reload sshd): the host restores itself, with nobody logged in.
//
// Pure: plan in, scripts out; `guarded-run.ts` runs them. Confirmation and rollback take the same
// lock on the host, so exactly one of them wins, and the winner leaves its mark (`confirmed` or
// `rolled-back`, with the time) for the other and for a later look.
//
// The host's side is src/pi/access-guard-*.sh (what a guard keeps of a directory, and why, is in
// access-guard-keep.sh); this module composes them with their inputs.
import { composeScript } from '../pi/scripts.js';
import { ACCESS_GUARD_DIR, ORBIS_STATE_DIR } from '../pi/state.js';
import type { Handler } from '../roles/desired.js';
import { shq } from '../util/shell.js';
import { isUnitFile } from './apply-script.js';
import type { Plan } from './plan.js';
import { ARM_RECORDS, CONFIRM_RECORDS } from '../wire/access-guard.js';
import { decodeRecords } from '../wire/records.js';

export { ACCESS_GUARD_DIR };
/** Guard records kept for a later look (`ls /var/lib/orbis/access-guard`). */
const RECORDS_KEPT = 5;

export function guardDir(runId: string): string {
  return `${ACCESS_GUARD_DIR}/${runId}`;
}

/** The transient unit (timer + service) that undoes the change. */
export function guardUnit(runId: string): string {
  return `orbis-access-guard-${runId}`;
}

/** Every path the plan may write, link, create or remove: what a rollback puts back. */
export function guardedPaths(plan: Plan): string[] {
  const paths = new Set<string>();
  for (const change of plan.changes) {
    for (const action of change.actions) {
      if ('path' in action && typeof action.path === 'string') paths.add(action.path);
    }
  }
  return [...paths];
}

/**
 * What to run once the paths are back: the plan's handlers, as the change ran them, each command
 * once (two handlers reloading sshd would reload it twice, the second while it re-executes).
 */
export function restoreCommands(handlers: readonly Handler[]): string[] {
  const commands = handlers.map((h) => {
    if (h.command !== undefined) return `bash -c ${shq(h.command)}`;
    const unit = shq(h.unit ?? '');
    // A reload of a unit that is not running fails: bring it up instead.
    return h.action === 'reload' ? `systemctl reload ${unit} || systemctl restart ${unit}` : `systemctl ${h.action ?? 'restart'} ${unit}`;
  });
  return [...new Set(commands)];
}

export interface GuardSpec {
  runId: string;
  /** Seconds from arming until the host undoes the change by itself. */
  deadlineSec: number;
  paths: readonly string[];
  /** Run after the paths are back (restoreCommands). */
  afterRestore: readonly string[];
  /** Said in the host's journal and in the rollback record. */
  what: string;
}

/** The files the guard's scripts are made of, libraries first. */
const KEEP_FILES = ['common.sh', 'backups.sh', 'access-guard-keep.sh'];

/** The script the timer runs: put every saved path back, then run the handlers again. */
export function buildGuardRollbackScript(spec: GuardSpec): string {
  return composeScript({
    vars: {
      RUN_ID: spec.runId,
      WHAT: spec.what,
      PATHS: spec.paths,
      RELOAD_UNITS: spec.paths.some(isUnitFile) ? 1 : 0,
      AFTER_RESTORE: spec.afterRestore,
    },
    files: [...KEEP_FILES, 'access-guard-rollback.sh'],
  });
}

/**
 * Run as root before the change: save the paths, arm the timer. Prints `ARMED<TAB><epoch seconds>`
 * when the timer runs; the change must not start otherwise.
 */
export function buildArmScript(spec: GuardSpec): string {
  return composeScript({
    vars: {
      ORBIS_STATE: ORBIS_STATE_DIR,
      ACCESS_GUARD_DIR,
      GUARD_DIR: guardDir(spec.runId),
      RECORDS_KEPT,
      PATHS: spec.paths,
      // Written to the guard's record as it is, for the timer to run later.
      ROLLBACK: Buffer.from(buildGuardRollbackScript(spec), 'utf8').toString('base64'),
      UNIT: guardUnit(spec.runId),
      DEADLINE_SEC: spec.deadlineSec,
      WHAT: spec.what,
    },
    files: [...KEEP_FILES, 'access-guard-arm.sh'],
  });
}

/**
 * Run as root over the NEW connection: mark the change confirmed and stop the timer, unless the
 * rollback already ran. Prints `CONFIRMED`, `ROLLED_BACK<TAB><epoch seconds>`, or `GONE` (no record).
 */
export function buildConfirmScript(runId: string): string {
  return composeScript({ vars: { GUARD_DIR: guardDir(runId), TIMER: `${guardUnit(runId)}.timer` }, files: ['access-guard-confirm.sh'] });
}

export type ConfirmAnswer = { kind: 'confirmed' } | { kind: 'rolled-back'; atEpochSec: number | undefined } | { kind: 'gone' } | { kind: 'unknown'; text: string };

export function parseConfirmAnswer(stdout: string): ConfirmAnswer {
  let records;
  try {
    records = decodeRecords(stdout, CONFIRM_RECORDS, 'confirm script');
  } catch (error) {
    return { kind: 'unknown', text: error instanceof Error ? error.message : String(error) };
  }
  const last = records[records.length - 1];
  if (last === undefined) return { kind: 'unknown', text: stdout.trim().split('\n').pop() ?? '' };
  if (last.tag === 'CONFIRMED') return { kind: 'confirmed' };
  if (last.tag === 'GONE') return { kind: 'gone' };
  return { kind: 'rolled-back', atEpochSec: last.at };
}

/** When the guard was armed (epoch seconds), or undefined when the arm script did not say so. */
export function parseArmAnswer(stdout: string): number | undefined {
  try {
    return decodeRecords(stdout, ARM_RECORDS, 'arm script').find((r) => r.tag === 'ARMED')?.at;
  } catch {
    return undefined; // not armed as far as orbis can tell: the change does not start
  }
}
