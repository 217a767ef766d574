// Where orbis keeps its state on a Pi: one place for every path, given to the Pi-side scripts as
// inputs (`stateVars`), so that no .sh file and no other module spells them again.
export const ORBIS_STATE_DIR = '/var/lib/orbis';
/** What orbis owns on the host and the sha256 it wrote (facts read it, apply and rollback write it). */
export const MANIFEST_PATH = `${ORBIS_STATE_DIR}/manifest.json`;
/** Handlers notified and not yet run, one name a line. */
export const PENDING_HANDLERS_PATH = `${ORBIS_STATE_DIR}/pending-handlers`;
/** One file per role: `<run id>\t<path>` for each file written and not yet validated as a whole. */
export const UNVALIDATED_DIR = `${ORBIS_STATE_DIR}/unvalidated`;
/** FFmpeg's encoder list between runs (facts). */
export const ENCODERS_CACHE_PATH = `${ORBIS_STATE_DIR}/ffmpeg-encoders`;
/** Per-run backups (script-lib.ts describes their layout). */
export const BACKUP_DIR = `${ORBIS_STATE_DIR}/backup`;
/** Run records, one JSON file per run. */
export const RUNS_DIR = `${ORBIS_STATE_DIR}/runs`;
/** One run at a time per host (flock); `<lock>.holder` names who holds it. */
export const LOCK_PATH = `${ORBIS_STATE_DIR}/lock`;
/** The last run's sequence number on this host. */
export const RUN_SEQ_PATH = `${ORBIS_STATE_DIR}/run-seq`;
/** The access guards' records (access-guard.ts). */
export const ACCESS_GUARD_DIR = `${ORBIS_STATE_DIR}/access-guard`;
/** What `orbis import --remove-old` archived of the hand-made setup. */
export const UPSTREAM_BACKUP_DIR = `${ORBIS_STATE_DIR}/upstream-backup`;

/** The state paths as script inputs (the names the .sh files read). */
export function stateVars(): Record<string, string> {
  return {
    ORBIS_STATE: ORBIS_STATE_DIR,
    MANIFEST: MANIFEST_PATH,
    PENDING_HANDLERS: PENDING_HANDLERS_PATH,
    UNVALIDATED_DIR,
    BACKUP_DIR,
    RUNS_DIR,
    LOCK_PATH,
    RUN_SEQ: RUN_SEQ_PATH,
  };
}
