// The rollback plan: a host's run history -> which generation to go back to, the runs undone, and
// per file and unit what to put back. Pure; rollback-script.ts turns it into one script.
//
// A generation is a run that finished (status applied) and was not rolled back. Going back to
// generation T undoes, newest first, every run after T that is not already undone (failed ones
// too: they may have changed files before failing). Undoing a run puts back what it replaced,
// from its backups: so a path ends as it was before the OLDEST undone run that touched it. The
// runs undone are marked rolled-back: the next rollback goes further back.
import type { ManifestEntry } from '../facts/probe.js';
import { shortHash } from '../resources/common.js';
import type { Change } from '../resources/types.js';
import type { FileState, HostHistory, RunBackup, UnitState } from './history.js';
import type { RecordedHandler, RecordedVerify, RunRecord } from './run-record.js';
import { BACKUP_GENERATIONS } from './script-lib.js';

export interface RollbackRequest {
  /** Go back to this run (an id, or a unique start of one). Default: the generation before the newest. */
  to?: string;
  /** `--rollback-on-fail`: undo this run (and any after it), back to the newest generation before it. */
  undo?: string;
}

export class RollbackError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RollbackError';
  }
}

export type FileAction =
  /** Put the kept content back, with its mode and owner. */
  | 'write'
  /** The path did not exist before: remove it. */
  | 'remove'
  /** It was a symbolic link: make it one again. */
  | 'link'
  /** Already as it was: nothing to do. */
  | 'keep'
  /** Its role said `backup: false`: the old content is gone, the file stays as it is. */
  | 'lost';

export interface FileRestore {
  path: string;
  role: string;
  /** The run whose backup holds what is put back (the oldest undone run that touched the path). */
  from: string;
  was: FileState;
  now: FileState | undefined;
  action: FileAction;
  /** Handlers that depend on it (what the undone runs' roles say it notifies). */
  notify: string[];
  validate?: string;
  /** It is not what orbis last wrote there (manifest): someone edited it, and the rollback replaces that edit. */
  editedByHand?: true;
}

export type UnitCommand = 'stop' | 'disable' | 'mask' | 'unmask' | 'enable' | 'start';

export interface UnitRestore {
  unit: string;
  from: string;
  was: UnitState;
  now: UnitState | undefined;
  /** Run before the handlers (a unit to be stopped is not restarted by them). */
  before: UnitCommand[];
  /** Run after the handlers. */
  after: UnitCommand[];
}

export interface RollbackPlan {
  target: RunRecord;
  /** Newest first. */
  undone: RunRecord[];
  files: FileRestore[];
  units: UnitRestore[];
  /** To run after the files are back: those the changed files notify and those left pending. */
  handlers: RecordedHandler[];
  /** Pending handlers dropped because their unit is stopped by the rollback. */
  dropped: string[];
  /** The manifest as it was on the target generation. */
  manifest: Record<string, ManifestEntry>;
  /** How the target generation was verified (absent: it was not, or by an orbis that did not say). */
  verify?: RecordedVerify;
  /** Nothing differs: only the records change. */
  empty: boolean;
}

/** One row of `orbis rollback --list`. */
export interface Generation {
  id: string;
  seq: number;
  time: string;
  controller: string;
  orbis: string;
  status: RunRecord['status'];
  rolledBackBy?: string;
  /** Files and units it changed. */
  files: number;
  units: number;
  /** The newest run not rolled back: what the host is on (a failed one leaves it in between). */
  current: boolean;
  /** `orbis rollback --to <id>` can go back to it. */
  restorable: boolean;
  /** Why it cannot be gone back to. */
  why?: string;
}

const sameFile = (a: FileState, b: FileState | undefined): boolean => {
  if (!b || a.kind !== b.kind) return false;
  if (a.kind === 'file' && b.kind === 'file') return a.sha256 === b.sha256 && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;
  if (a.kind === 'link' && b.kind === 'link') return a.target === b.target;
  return a.kind === 'absent';
};

/**
 * A file the rollback rewrites or removes that is not what orbis last wrote there: edited on the
 * host since (the same test as `orbis check`'s "edited on the host since orbis wrote it").
 */
function editedByHand(history: HostHistory, path: string, now: FileState | undefined, action: FileAction): boolean {
  const written = history.manifest[path];
  if (written === undefined || now?.kind !== 'file' || action === 'keep' || action === 'lost') return false;
  return now.sha256 !== (written.installed ?? written.sha256);
}

function fileAction(was: FileState, now: FileState | undefined): FileAction {
  if (was.kind === 'dropped') return 'lost';
  if (sameFile(was, now)) return 'keep';
  if (was.kind === 'absent') return 'remove';
  if (was.kind === 'link') return 'link';
  return 'write';
}

const isEnabled = (state: string): boolean => state === 'enabled' || state === 'enabled-runtime';
const isRunning = (state: string): boolean => state === 'active' || state === 'activating' || state === 'reloading';

/** The systemctl commands that bring a unit from `now` back to `was` (enablement and state only). */
export function unitCommands(was: UnitState, now: UnitState | undefined): { before: UnitCommand[]; after: UnitCommand[] } {
  const before: UnitCommand[] = [];
  const after: UnitCommand[] = [];
  const current = now ?? { enabled: '', active: '' };
  if (was.enabled !== current.enabled) {
    if (current.enabled === 'masked') {
      after.push('unmask');
      if (isEnabled(was.enabled)) after.push('enable');
    } else if (was.enabled === 'masked') {
      before.push('mask');
    } else if (isEnabled(was.enabled)) {
      after.push('enable');
    } else if (isEnabled(current.enabled) && (was.enabled === 'disabled' || was.enabled === '')) {
      before.push('disable');
    }
  }
  if (isRunning(was.active) && !isRunning(current.active)) after.push('start');
  if (!isRunning(was.active) && isRunning(current.active)) before.unshift('stop');
  return { before, after };
}

function touched(history: HostHistory, run: RunRecord): boolean {
  const backup = history.backups.get(run.id);
  if (backup) return backup.files.size > 0 || backup.units.size > 0;
  return run.files.length > 0 || run.units.length > 0;
}

/** Why a run cannot be undone (its backups were pruned), or undefined. */
function notUndoable(history: HostHistory, run: RunRecord): string | undefined {
  if ((run.files.length > 0 || run.units.length > 0) && !history.backups.has(run.id)) {
    return `the backups of run ${run.id} are gone (orbis keeps those of the last ${BACKUP_GENERATIONS} runs)`;
  }
  return undefined;
}

const EMPTY_BACKUP: RunBackup = { seq: 0, files: new Map(), units: new Map() };

const applyRuns = (history: HostHistory): RunRecord[] => history.records.filter((r) => r.kind === 'apply');
const live = (history: HostHistory): RunRecord[] => applyRuns(history).filter((r) => r.status !== 'rolled-back');

function describe(run: RunRecord): string {
  return `run ${run.id} (${run.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')})`;
}

export function generations(history: HostHistory): Generation[] {
  const runs = live(history);
  const newest = runs[runs.length - 1];
  return applyRuns(history)
    .map((r): Generation => {
      const after = runs.filter((x) => x.seq > r.seq);
      const blocked = after.map((x) => notUndoable(history, x)).find((why) => why !== undefined);
      const why =
        r.status === 'rolled-back'
          ? `rolled back by ${r.rolledBackBy ?? 'a rollback'}`
          : r.status !== 'applied'
            ? `the run ${r.status === 'running' ? 'never finished' : 'failed'}`
            : r === newest
              ? 'the host is on it'
              : blocked;
      const backup = history.backups.get(r.id);
      return {
        id: r.id,
        seq: r.seq,
        time: r.time,
        controller: r.controller,
        orbis: r.orbis,
        status: r.status,
        ...(r.rolledBackBy ? { rolledBackBy: r.rolledBackBy } : {}),
        files: backup ? backup.files.size : r.files.length,
        units: backup ? backup.units.size : r.units.length,
        current: r === newest,
        restorable: why === undefined,
        ...(why ? { why } : {}),
      };
    })
    .reverse();
}

function findRun(history: HostHistory, wanted: string): RunRecord {
  const matches = history.records.filter((r) => r.id === wanted || r.id.startsWith(wanted));
  const exact = matches.find((r) => r.id === wanted);
  const run = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (!run) {
    throw new RollbackError(
      matches.length > 1 ? `${matches.length} runs start with "${wanted}": ${matches.map((r) => r.id).join(', ')}` : `no run "${wanted}" is recorded on this host`,
      '`orbis rollback --list` shows the runs this host keeps and which can be gone back to',
    );
  }
  if (run.kind === 'rollback') throw new RollbackError(`${run.id} is a rollback, not a run to go back to`, 'give the id of a provision or apply run (`orbis rollback --list`)');
  if (run.status === 'rolled-back') {
    throw new RollbackError(`${describe(run)} was itself rolled back${run.rolledBackBy ? ` by ${run.rolledBackBy}` : ''}: its files are no longer kept`, 'apply its configuration again (`orbis apply` / `orbis provision`), or go back to an older run');
  }
  if (run.status !== 'applied') {
    throw new RollbackError(`${describe(run)} ${run.status === 'running' ? 'never finished' : 'failed'}: only a run that finished is a generation to go back to`, '`orbis rollback --list` shows the runs that can be gone back to');
  }
  return run;
}

function noPrevious(history: HostHistory, after: RunRecord | undefined): RollbackError {
  const older = history.unreadable > 0 ? ` (${history.unreadable} older record(s) were written by an orbis without rollbacks and cannot be used)` : '';
  return new RollbackError(
    after
      ? `no previous generation: no run finished on this host before ${describe(after)}, so there is nothing to go back to${older}`
      : `no previous generation: no orbis run is recorded on this host${older}`,
    'a rollback needs an earlier successful `orbis provision` or `orbis apply` run to go back to; nothing was changed',
  );
}

/** Target and runs to undo (newest first); null when there is nothing to undo. */
function choose(history: HostHistory, request: RollbackRequest): { target: RunRecord; undone: RunRecord[] } | null {
  const runs = live(history);
  let target: RunRecord | undefined;
  let undone: RunRecord[];
  if (request.to !== undefined) {
    target = findRun(history, request.to);
    const t = target;
    undone = runs.filter((r) => r.seq > t.seq);
  } else if (request.undo !== undefined) {
    const failed = runs.find((r) => r.id === request.undo);
    // No record: the run's script never started (locked out, refused before any change).
    if (!failed) return null;
    target = [...runs].reverse().find((r) => r.seq < failed.seq && r.status === 'applied');
    if (!target) throw noPrevious(history, failed);
    undone = runs.filter((r) => r.seq >= failed.seq);
  } else {
    const newest = [...runs].reverse().find((r) => touched(history, r));
    if (!newest) throw noPrevious(history, undefined);
    target = [...runs].reverse().find((r) => r.seq < newest.seq && r.status === 'applied');
    if (!target) throw noPrevious(history, newest);
    const t = target;
    undone = runs.filter((r) => r.seq > t.seq);
  }
  for (const run of undone) {
    const why = notUndoable(history, run);
    if (why) throw new RollbackError(`cannot go back to ${describe(target)}: ${why}`, 'go back to a newer run with --to (`orbis rollback --list` shows which)');
  }
  if (undone.length === 0) return null;
  return { target, undone: [...undone].reverse() };
}

/** Handlers by name: the newest definition wins (the undone runs newest first, then the target). */
function handlerDefinitions(runs: RunRecord[]): Map<string, RecordedHandler> {
  const defs = new Map<string, RecordedHandler>();
  for (const run of runs) for (const h of run.handlerDefs) if (!defs.has(h.name)) defs.set(h.name, h);
  return defs;
}

/**
 * The plan to go back, or null when the host is already on the generation asked for (or the run
 * to undo changed nothing). Throws RollbackError (what and a hint) when it cannot go back.
 */
export function planRollback(history: HostHistory, request: RollbackRequest = {}): RollbackPlan | null {
  const chosen = choose(history, request);
  if (!chosen) return null;
  const { target, undone } = chosen;
  const oldestFirst = [...undone].reverse();
  const firstKept = <V>(runs: RunRecord[], pick: (b: RunBackup) => Map<string, V>): Array<[string, V, string]> => {
    const seen = new Map<string, [string, V, string]>();
    for (const run of runs) for (const [key, value] of pick(history.backups.get(run.id) ?? EMPTY_BACKUP)) if (!seen.has(key)) seen.set(key, [key, value, run.id]);
    return [...seen.values()];
  };

  // Each path and unit as the oldest undone run that touched it kept it.
  const files = firstKept(oldestFirst, (b) => b.files).map(([path, was, from]): FileRestore => {
    const entries = undone.flatMap((r) => r.files.filter((f) => f.path === path));
    const validate = entries.find((f) => f.validate !== undefined)?.validate;
    const now = history.filesNow.get(path);
    const action = fileAction(was, now);
    return {
      path,
      role: entries[0]?.role ?? history.manifest[path]?.role ?? 'orbis',
      from,
      was,
      now,
      action,
      ...(editedByHand(history, path, now, action) ? { editedByHand: true as const } : {}),
      notify: [...new Set(entries.flatMap((f) => f.notify))],
      ...(validate ? { validate } : {}),
    };
  });
  const units = firstKept(oldestFirst, (b) => b.units).map(([unit, was, from]): UnitRestore => {
    const now = history.unitsNow.get(unit);
    return { unit, from, was, now, ...unitCommands(was, now) };
  });

  const defs = handlerDefinitions([...undone, target]);
  const stopped = new Set(units.filter((u) => u.before.includes('stop') || u.before.includes('mask')).map((u) => u.unit));
  const wanted = new Set([...files.filter((f) => f.action !== 'keep' && f.action !== 'lost').flatMap((f) => f.notify), ...history.pendingHandlers]);
  const handlers = [...defs.values()].filter((h) => wanted.has(h.name) && !(h.unit !== undefined && stopped.has(h.unit)));
  const dropped = [...defs.values()].filter((h) => wanted.has(h.name) && h.unit !== undefined && stopped.has(h.unit)).map((h) => h.name);
  const oldest = oldestFirst[0] as RunRecord;
  return {
    target,
    undone,
    files,
    units,
    handlers,
    dropped,
    manifest: oldest.manifestBefore,
    ...(target.verify ? { verify: target.verify } : {}),
    empty: handlers.length === 0 && files.every((f) => f.action === 'keep' || f.action === 'lost') && units.every((u) => u.before.length + u.after.length === 0),
  };
}

/** Whether a summary tells what a rollback will do (`--check`) or what it did. */
export type Tense = 'planned' | 'done';

function fileSummary(f: FileRestore, tense: Tense): string {
  const what = fileRestoreSummary(f);
  if (f.editedByHand !== true) return what;
  return `${what}; edited by hand since orbis wrote it: ${tense === 'done' ? 'the rollback overwrote the hand edit' : 'the rollback will overwrite the hand edit'}`;
}

function fileRestoreSummary(f: FileRestore): string {
  const before = `as it was before run ${f.from}`;
  switch (f.action) {
    case 'write':
      return f.was.kind === 'file' ? `restore ${before} (sha256 ${shortHash(f.was.sha256)}, ${f.was.mode} ${f.was.uid}:${f.was.gid})` : `restore ${before}`;
    case 'remove':
      return `remove (it did not exist before run ${f.from})`;
    case 'link':
      return f.was.kind === 'link' ? `restore the link to ${f.was.target} (${before})` : `restore the link (${before})`;
    case 'lost':
      return `left as it is: its role keeps no backup (backup: false), the version from before run ${f.from} is gone`;
    case 'keep':
      return `already ${before}`;
  }
}

function unitSummary(u: UnitRestore): string {
  const was = [u.was.enabled || 'not installed', u.was.active || 'inactive'].join(', ');
  return `${[...u.before, ...u.after].join(', ')} (as before run ${u.from}: ${was})`;
}

/** The plan in the engine's common vocabulary (what reports and `--check` print). */
export function rollbackChanges(plan: RollbackPlan, tense: Tense = 'planned'): Change[] {
  const unitRole = (unit: string): string => plan.undone.flatMap((r) => r.changes).find((c) => c.type === 'service' && c.name === unit)?.role ?? 'orbis';
  return [
    ...plan.files
      .filter((f) => f.action !== 'keep')
      .map((f): Change => ({ id: { role: f.role, type: 'file', name: f.path }, summary: fileSummary(f, tense), actions: [], ...(f.notify.length > 0 ? { notify: f.notify } : {}) })),
    ...plan.units
      .filter((u) => u.before.length + u.after.length > 0)
      .map((u): Change => ({ id: { role: unitRole(u.unit), type: 'service', name: u.unit }, summary: unitSummary(u), actions: [] })),
  ];
}
