// What a host remembers of orbis's runs, read in ONE round trip: every run record, what each run's
// backups hold (content hashes, modes and owners, paths that were absent, unit states), how those
// paths and units are now, the manifest and the pending handlers. `orbis rollback` plans from
// this (rollback-plan.ts); `--list` shows it. Read only.
import { parseManifest, type ManifestEntry } from '../facts/probe.js';
import { composeScript } from '../pi/scripts.js';
import { stateVars } from '../pi/state.js';
import { hostStderrTail } from '../redact/secret-mask.js';
import type { Transport } from '../transport/types.js';
import { parseRecord, type RunRecord } from './run-record.js';
import { decodePath } from './script-lib.js';
import { HISTORY_RECORDS } from '../wire/history.js';
import { decodeRecords, textOf } from '../wire/records.js';

/** A file as a run's backup holds it, or as it is now. */
export type FileState =
  | { kind: 'file'; sha256: string; mode: string; uid: number; gid: number }
  | { kind: 'absent' }
  | { kind: 'link'; target: string }
  /** The role said `backup: false`: the path was a file, its content was not kept. */
  | { kind: 'dropped' }
  /** A directory or special file (now only). */
  | { kind: 'other' };

/** `systemctl show` UnitFileState and ActiveState ('' when the unit does not exist). */
export interface UnitState {
  enabled: string;
  active: string;
}

export interface RunBackup {
  seq: number;
  /** Each path the run touched, as it was before. */
  files: Map<string, FileState>;
  /** Each unit whose enablement or state the run changed, as it was before. */
  units: Map<string, UnitState>;
}

export interface HostHistory {
  /** Readable records, oldest first (by seq). */
  records: RunRecord[];
  /** Records orbis cannot read (damaged, or written by an orbis before rollbacks existed). */
  unreadable: number;
  /** Backups by run id. */
  backups: Map<string, RunBackup>;
  /** Every path and unit the backups mention, as they are now. */
  filesNow: Map<string, FileState>;
  unitsNow: Map<string, UnitState>;
  manifest: Record<string, ManifestEntry>;
  pendingHandlers: string[];
  /** Of the records as read: the rollback script refuses to go on when they changed since. */
  fingerprint: string;
}

/** The history script (src/pi/history.sh): one round trip, read only. */
export function buildHistoryScript(): string {
  return composeScript({ vars: stateVars(), files: ['common.sh', 'history.sh'] });
}

/** `'-'` stands for an empty systemctl value (bash cannot carry an empty field through `read`). */
const unitValue = (value: string | undefined): string => (value === undefined || value === '-' ? '' : value);

function fileState({ kind, a, b }: { kind: string; a?: string | undefined; b?: string | undefined }): FileState {
  switch (kind) {
    case 'file': {
      const [mode, uid, gid] = (a ?? '').split(' ');
      return { kind: 'file', sha256: b ?? '', mode: (mode ?? '').padStart(4, '0'), uid: Number(uid), gid: Number(gid) };
    }
    case 'link':
      return { kind: 'link', target: textOf(a ?? '') ?? '' };
    case 'absent':
      return { kind: 'absent' };
    case 'dropped':
      return { kind: 'dropped' };
    default:
      return { kind: 'other' };
  }
}

export class HistoryError extends Error {
  constructor(
    readonly host: string,
    message: string,
    readonly hint: string,
  ) {
    super(`${host}: ${message}`);
    this.name = 'HistoryError';
  }
}

/** Parse the history script's output. Throws when it did not finish (no END line). */
export function parseHistory(output: string): HostHistory {
  const history: HostHistory = {
    records: [],
    unreadable: 0,
    backups: new Map(),
    filesNow: new Map(),
    unitsNow: new Map(),
    manifest: {},
    pendingHandlers: [],
    fingerprint: '',
  };
  const backup = (id: string): RunBackup => {
    let b = history.backups.get(id);
    if (!b) {
      b = { seq: 0, files: new Map(), units: new Map() };
      history.backups.set(id, b);
    }
    return b;
  };
  let complete = false;
  for (const r of decodeRecords(output, HISTORY_RECORDS, 'history script')) {
    switch (r.tag) {
      case 'FINGERPRINT':
        history.fingerprint = r.value;
        break;
      case 'RECORD': {
        const record = parseRecord(r.json);
        if (record) history.records.push(record);
        else history.unreadable += 1;
        break;
      }
      case 'MANIFEST': {
        const { hashes, roles, installed } = parseManifest(r.json);
        for (const [path, sha256] of Object.entries(hashes)) {
          const measured = installed[path];
          history.manifest[path] = measured === undefined ? { sha256, role: roles[path] ?? '' } : { sha256, role: roles[path] ?? '', installed: measured };
        }
        break;
      }
      case 'PENDING':
        history.pendingHandlers = r.handlers.split('\n').map((h) => h.trim()).filter((h) => h.length > 0);
        break;
      case 'BACKUP':
        backup(r.run).seq = Number(r.seq) || 0; // seq is the file's first bytes: anything but a number is 0
        break;
      case 'WAS':
        backup(r.run).files.set(decodePath(r.path), fileState(r));
        break;
      case 'UNITWAS':
        backup(r.run).units.set(r.unit, { enabled: unitValue(r.enabled), active: unitValue(r.active) });
        break;
      case 'NOW':
        history.filesNow.set(decodePath(r.path), fileState(r));
        break;
      case 'UNITNOW':
        history.unitsNow.set(r.unit, { enabled: unitValue(r.enabled), active: unitValue(r.active) });
        break;
      case 'END':
        complete = true;
        break;
    }
  }
  if (!complete) throw new Error('the history script stopped early');
  history.records.sort((a, b) => a.seq - b.seq);
  return history;
}

export async function readHistory(transport: Transport): Promise<HostHistory> {
  const result = await transport.exec('bash -s', { sudo: true, stdin: buildHistoryScript(), timeoutSec: 120, label: 'read the run history' });
  if (result.code !== 0 || !result.stdout.includes('\nEND\n')) {
    throw new HistoryError(
      transport.name,
      `reading the run history failed (exit ${result.code ?? result.signal ?? 'unknown'}): ${hostStderrTail(result.stderr)}`,
      'the host must run bash and coreutils, and orbis needs root or sudo on it',
    );
  }
  return parseHistory(result.stdout);
}
