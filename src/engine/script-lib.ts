// What both run scripts (apply-script.ts, rollback-script.ts) start with: src/pi/run.sh (events,
// failure, the host lock, the run's sequence number, record and backups; its header says what it
// reads and writes), composed with its inputs. Pure apart from reading the .sh files once.
//
// Backups, one directory per run that changes files or units (BACKUP_DIR/<run id>/): backups.sh's
// layout (content/, meta/, absent/, link/ by percent-encoded path, `enc`), plus `seq` (the run's
// sequence number on this host: orders runs whatever the clocks say), `dropped/<enc path>` (its
// role said `backup: false`: the content was not kept) and `units/<unit>` ("<UnitFileState>
// <ActiveState>" before the run first changed it, '-' for empty). Only the newest
// BACKUP_GENERATIONS runs keep their directory.
import { composeScript, type ShellValue } from '../pi/scripts.js';
import { BACKUP_DIR, LOCK_PATH, RUNS_DIR, RUN_SEQ_PATH, stateVars } from '../pi/state.js';

export { BACKUP_DIR, LOCK_PATH, RUNS_DIR, RUN_SEQ_PATH };
/** Runs whose backups are kept: how far back `orbis rollback` can go. */
export const BACKUP_GENERATIONS = 5;
/** Run records kept (besides those of runs whose backups are kept). */
export const RECORDS_KEPT = 20;

/** Percent-encoding of a path as a backup file name (common.sh's `enc` does the same). */
export function encodePath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\//g, '%2F');
}

export function decodePath(name: string): string {
  return name.replace(/%2F/g, '/').replace(/%25/g, '%');
}

export interface RunScriptHeader {
  runId: string;
  /** Who holds the lock while this runs: shown to a second run that finds it locked. */
  holder: string;
  /** Seconds a run waits for another run's lock before giving up. */
  lockWaitSec: number;
  /** The run's record as the controller built it (JSON, no secrets); see `recordBody`. */
  record: string;
}

/** The record's JSON without its opening brace: the script writes `{"seq":N,"status":"S",` before it. */
export function recordBody(recordJson: string): string {
  if (!recordJson.startsWith('{') || recordJson.includes('\n')) throw new Error('a run record is one line of JSON object');
  const body = recordJson.slice(1);
  return body === '}' ? '"empty":true}' : body;
}

/** The Pi-side files every run script is made of, before its own (apply.sh, rollback.sh). */
const RUN_FILES = ['common.sh', 'backups.sh', 'run.sh'] as const;

/** The inputs of run.sh (and of the files composed with it). */
function runVars(header: RunScriptHeader): Record<string, ShellValue> {
  return {
    ...stateVars(),
    RUN_ID: header.runId,
    BACKUP_GENERATIONS,
    RECORDS_KEPT,
    RECORD: Buffer.from(recordBody(header.record)).toString('base64'),
    LOCK_HOLDER: header.holder,
    LOCK_WAIT_SEC: header.lockWaitSec,
  };
}

/** A whole run script: run.sh and `files` with their inputs, then the calls. */
export function runScript(header: RunScriptHeader, files: readonly string[], vars: Record<string, ShellValue>, main: readonly string[]): string {
  return composeScript({ vars: { ...runVars(header), ...vars }, files: [...RUN_FILES, ...files], main });
}
