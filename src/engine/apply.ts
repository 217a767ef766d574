// Run a compiled apply script on the host in ONE round trip, detached from the SSH session:
// the script is written to a root-only directory from stdin and started as a transient systemd
// unit (`systemd-run --wait`), so a dropped link stops the controller's wait, not the change.
// The events the script wrote are read back in the same command.
import type { Transport } from '../transport/types.js';
import { shq } from '../util/shell.js';
import { RUNS_DIR } from './apply-script.js';

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

export function parseEvents(text: string): ApplyEvents {
  const events: ApplyEvents = { begun: [], finished: [], handlersRun: [], done: false, stepMs: {} };
  const decode = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('utf8');
  const began = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [tag, a, b] = line.split('\t');
    switch (tag) {
      case 'BEGIN':
        if (a) events.begun.push(a);
        if (a && b) began.set(a, Number(b));
        break;
      case 'OK': {
        if (a) events.finished.push(a);
        const start = a ? began.get(a) : undefined;
        const end = Number(b);
        if (a && start !== undefined && Number.isFinite(start) && b && Number.isFinite(end)) events.stepMs[a] = Math.max(0, Math.round((end - start) * 1000));
        break;
      }
      case 'FAIL':
        events.failed = { step: a ?? '?', message: decode(b).trim() };
        break;
      case 'HANDLER':
        events.handlersRun.push(decode(a));
        break;
      case 'LOCKED':
        events.lockedBy = decode(a).trim() || 'another orbis run';
        break;
      case 'DONE':
        events.done = true;
        break;
      default:
        break;
    }
  }
  return events;
}

/** Marks a live progress line (a step that began or finished) on the apply command's stderr. */
const PROGRESS_PREFIX = 'orbis-step ';

/** BEGIN and OK lines of the events file, as progress lines (sed; GNU sed reads \t and \|). */
const LIVE_EVENTS_SED = String.raw`s/^\(BEGIN\|OK\)\t/` + PROGRESS_PREFIX + String.raw`\1 /p`;

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

/** `kind` names the transient unit: orbis-apply-<id>, orbis-rollback-<id>. */
export function applyCommand(runId: string, timeoutSec: number, kind: 'apply' | 'rollback' = 'apply'): string {
  const dir = `${RUNS_DIR}/${runId}`;
  const unit = `orbis-${kind}-${runId}`;
  return [
    `d=${shq(dir)}`,
    `install -d -m 0700 /var/lib/orbis ${shq(RUNS_DIR)} "$d" || exit 1`,
    `(umask 077; cat > "$d/apply.sh") || exit 1`,
    // Detached when systemd runs the host; plain bash otherwise (a chroot, an old init).
    `if command -v systemd-run >/dev/null 2>&1 && [ -d /run/systemd/system ]; then`,
    `  systemd-run --quiet --wait --collect --unit=${shq(unit)} --service-type=exec -p TimeoutStartSec=${timeoutSec}s /bin/bash "$d/apply.sh" "$d" >/dev/null 2>&1 &`,
    `else /bin/bash "$d/apply.sh" "$d" >/dev/null 2>&1 & fi`,
    // Live progress: the events as they are written, on stderr (a copy; stdout has the record).
    `pid=$!`,
    `tail -n +1 -s 0.3 -F --pid="$pid" "$d/events" 2>/dev/null | sed -u -n ${shq(LIVE_EVENTS_SED)} >&2 &`,
    `wait "$pid"; rc=$?`,
    `wait`,
    `cat "$d/events" 2>/dev/null`,
    // The run's record is runs/<id>.json; its working directory is not needed once read.
    `rm -rf "$d"`,
    'exit $rc',
  ].join('\n');
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
