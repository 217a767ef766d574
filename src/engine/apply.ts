// Run a compiled apply script on the host in ONE round trip, detached from the SSH session:
// the script is written to a root-only directory from stdin and started as a transient systemd
// unit (`systemd-run --wait`), so a dropped link stops the controller's wait, not the change.
// The events the script wrote are read back in the same command.
import { composeScript } from '../pi/scripts.js';
import { ORBIS_STATE_DIR, RUNS_DIR } from '../pi/state.js';
import type { Transport } from '../transport/types.js';
import { APPLY_EVENT_RECORDS } from '../wire/apply.js';
import { decodeRecords } from '../wire/records.js';

export interface ApplyEvents {
  /** Steps that started, in order. */
  begun: string[];
  /** Steps that finished. */
  finished: string[];
  failed?: { step: string; message: string };
  handlersRun: string[];
  /** Another run holds the host's lock: who. */
  lockedBy?: string;
  done: boolean;
  /** How long each finished step took on the host (ms), when the script could tell. */
  stepMs: Record<string, number>;
}

export function parseEvents(output: string): ApplyEvents {
  const events: ApplyEvents = { begun: [], finished: [], handlersRun: [], done: false, stepMs: {} };
  const began = new Map<string, number>();
  for (const r of decodeRecords(output, APPLY_EVENT_RECORDS, 'apply script')) {
    switch (r.tag) {
      case 'BEGIN':
        if (r.step) events.begun.push(r.step);
        if (r.step && r.at) began.set(r.step, Number(r.at));
        break;
      case 'OK': {
        if (r.step) events.finished.push(r.step);
        const start = r.step ? began.get(r.step) : undefined;
        const end = Number(r.at);
        if (r.step && start !== undefined && Number.isFinite(start) && r.at && Number.isFinite(end)) events.stepMs[r.step] = Math.max(0, Math.round((end - start) * 1000));
        break;
      }
      case 'FAIL':
        events.failed = { step: r.step || '?', message: (r.message ?? '').trim() };
        break;
      case 'HANDLER':
        events.handlersRun.push(r.name);
        break;
      case 'LOCKED':
        events.lockedBy = (r.holder ?? '').trim() || 'another orbis run';
        break;
      case 'DONE':
        events.done = true;
        break;
    }
  }
  return events;
}

/** Marks a live progress line (a step that began or finished) on the apply command's stderr. */
const PROGRESS_PREFIX = 'orbis-step ';

export interface StepEvent {
  kind: 'begin' | 'ok';
  step: string;
}

/** The step event a live progress line tells, or undefined for any other stderr line. */
export function stepEventOf(line: string): StepEvent | undefined {
  if (!line.startsWith(PROGRESS_PREFIX)) return undefined;
  const [kind, ...rest] = line.slice(PROGRESS_PREFIX.length).trim().split(' ');
  // The step's name, without the time the events file has after it.
  const step = rest.join(' ').split('\t')[0] ?? '';
  if ((kind !== 'BEGIN' && kind !== 'OK') || step === '') return undefined;
  return { kind: kind === 'BEGIN' ? 'begin' : 'ok', step };
}

/**
 * The command that starts a run script detached and follows it (src/pi/launch.sh); the script goes
 * on its stdin. `kind` names the transient unit: orbis-apply-<id>, orbis-rollback-<id>.
 */
export function applyCommand(runId: string, timeoutSec: number, kind: 'apply' | 'rollback' = 'apply'): string {
  return composeScript({
    vars: { ORBIS_STATE: ORBIS_STATE_DIR, RUNS_DIR, RUN_WORK: `${RUNS_DIR}/${runId}`, RUN_UNIT: `orbis-${kind}-${runId}`, RUN_TIMEOUT_SEC: timeoutSec, PROGRESS_PREFIX },
    files: ['launch.sh'],
  });
}

export async function runApplyScript(
  transport: Transport,
  runId: string,
  script: string,
  timeoutSec: number,
  options: { kind?: 'apply' | 'rollback'; onStep?: (event: StepEvent) => void } = {},
): Promise<ApplyEvents & { exitCode: number | null; stderr: string }> {
  const kind = options.kind ?? 'apply';
  const result = await transport.exec(applyCommand(runId, timeoutSec, kind), {
    sudo: true,
    stdin: script,
    timeoutSec: timeoutSec + 30,
    label: `${kind} script`,
    onStderrLine: (line) => {
      const event = stepEventOf(line);
      if (event !== undefined) options.onStep?.(event);
    },
  });
  const stderr = result.stderr
    .split('\n')
    .filter((line) => !line.startsWith(PROGRESS_PREFIX))
    .join('\n');
  return { ...parseEvents(result.stdout), exitCode: result.code, stderr };
}
