// Per-host progress on stderr: listr2's live renderer on a terminal, plain timestamped lines
// otherwise (CI, pipes), in colour only where color.ts says so (NO_COLOR). stdout stays clean for
// --json. Each line says what the host is doing now (role and resource while applying) and for
// how long it has been at it. Hosts run concurrently up to `concurrency`; the worker never throws
// (it turns every failure into its host's report).
import { Listr, ListrLogger, PRESET_TIMER, PRESET_TIMESTAMP, ProcessOutput } from 'listr2';
import { forStream } from './color.js';
import type { HostReport } from './result.js';

export type ProgressUpdate = (message: string) => void;

function toStderr(): ListrLogger {
  const stderr = forStream(process.stderr);
  return new ListrLogger({ processOutput: new ProcessOutput(stderr, stderr) });
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
        const started = Date.now();
        const report = await worker(name, (message) => {
          task.output = `[${elapsed(Date.now() - started)}] ${message}`;
        });
        reports.set(name, report);
        task.title = `${name}: ${report.status}${report.changes.length > 0 ? ` (${report.changes.length} change${report.changes.length === 1 ? '' : 's'})` : ''}`;
      },
    })),
    {
      concurrent: options.concurrency,
      exitOnError: false,
      renderer: 'default',
      fallbackRenderer: 'simple',
      fallbackRendererCondition: () => !process.stderr.isTTY,
      silentRendererCondition: () => options.quiet === true,
      rendererOptions: { logger: toStderr(), timer: PRESET_TIMER },
      fallbackRendererOptions: { logger: toStderr(), timer: PRESET_TIMER, timestamp: PRESET_TIMESTAMP },
    },
  );
  await list.run();
  return names.map((name) => reports.get(name)).filter((r): r is HostReport => r !== undefined);
}

/** `4.2s`, `1m05s`: short enough for a progress line. */
export function elapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}
