// Per-host progress on stderr: listr2's live renderer on a terminal, plain timestamped lines
// otherwise (CI, pipes), in colour only where color.ts says so (NO_COLOR). stdout stays clean for
// --json. Each line says what the host is doing now (role and resource while applying) and for
// how long it has been at it. Hosts run concurrently up to `concurrency`; the worker never throws
// (it turns every failure into its host's report).
import { Listr, ListrLogger, PRESET_TIMER, PRESET_TIMESTAMP, ProcessOutput } from 'listr2';
import { forStream } from './color.js';
import { isFailure, outcomeText } from './outcome.js';
import type { HostReport } from './result.js';

export type ProgressUpdate = (message: string) => void;

function toStderr(): ListrLogger {
  const stderr = forStream(process.stderr);
  return new ListrLogger({ processOutput: new ProcessOutput(stderr, stderr) });
}

/** A host that failed: ends its task so that its progress line is marked as failed. */
class HostFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostFailed';
  }
}

export async function runHostsWithProgress(
  names: string[],
  worker: (name: string, update: ProgressUpdate) => Promise<HostReport>,
  options: { concurrency: number; quiet?: boolean },
): Promise<HostReport[]> {
  const reports = new Map<string, HostReport>();
  const list = new Listr(
    names.map((name) => ({
      title: name,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        // A long step (apt on a first provision: a minute) says it is alive: every second on a
        // terminal (the line's time moves), a line every 15 s otherwise.
        const line = aliveLine((text) => (task.output = text), process.stderr.isTTY ? 1000 : 15_000);
        let report: HostReport;
        try {
          report = await worker(name, line.say);
        } finally {
          line.stop();
        }
        reports.set(name, report);
        task.title = `${name}: ${outcomeText(report)}`;
        // A failed task is what listr2 marks ✖ (the host's report is kept all the same).
        if (isFailure(report)) throw new HostFailed(report.error?.message ?? report.status);
      },
    })),
    {
      concurrent: options.concurrency,
      exitOnError: false,
      renderer: 'default',
      fallbackRenderer: 'simple',
      fallbackRendererCondition: () => !process.stderr.isTTY,
      silentRendererCondition: () => options.quiet === true,
      // The title says the outcome; the error itself is in the recap, with its hint.
      rendererOptions: { logger: toStderr(), timer: PRESET_TIMER, showErrorMessage: false },
      fallbackRendererOptions: { logger: toStderr(), timer: PRESET_TIMER, timestamp: PRESET_TIMESTAMP },
    },
  );
  await list.run();
  return names.map((name) => reports.get(name)).filter((r): r is HostReport => r !== undefined);
}

/**
 * A host's progress line, `[elapsed] message`: said on each new message, and said again every
 * `periodMs` while the message stays the same, so that a step that takes long shows it is alive.
 */
export function aliveLine(show: (text: string) => void, periodMs: number, now = Date.now): { say: ProgressUpdate; stop: () => void } {
  const started = now();
  let message: string | undefined;
  const render = (): void => {
    if (message !== undefined) show(`[${elapsed(now() - started)}] ${message}`);
  };
  const timer = setInterval(render, periodMs);
  timer.unref();
  return {
    say: (text) => {
      message = text;
      render();
    },
    stop: () => clearInterval(timer),
  };
}

/** `4.2s`, `1m05s`: short enough for a progress line. */
export function elapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}
