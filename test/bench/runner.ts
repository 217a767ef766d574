// Timing a command over several runs: with hyperfine (Debian's `hyperfine`) when it is there,
// otherwise with a small loop of our own that does the same thing (prepare, run, wall time) less
// carefully (no shell-spawn correction, no outlier warnings). The command line is exec'd directly
// (hyperfine -N): no shell whose start-up would count against a 0.3 s target.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shCommand } from '../../src/util/shell.js';

export const GNU_TIME = '/usr/bin/time';

export interface RunSpec {
  /** Name shown by hyperfine. */
  name: string;
  argv: string[];
  /** Run before each timed run, untimed (e.g. new hosts for a first provision). */
  prepare?: string[];
  runs: number;
  warmup: number;
  /** The last run's stdout is kept here (orbis's --json report). */
  outputFile?: string;
  /** Each run is wrapped in GNU time, which appends its peak RSS (KiB) here. */
  rssFile?: string;
  env: NodeJS.ProcessEnv;
}

export type Tool = 'hyperfine' | 'own harness';

export function availableTool(): Tool {
  return spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0 ? 'hyperfine' : 'own harness';
}

/** The command as run: wrapped in GNU time when its memory is wanted. */
export function timedArgv(spec: Pick<RunSpec, 'argv' | 'rssFile'>): string[] {
  return spec.rssFile ? [GNU_TIME, '-a', '-o', spec.rssFile, '-f', '%M', ...spec.argv] : spec.argv;
}

export function hyperfineArgs(spec: RunSpec, exportJson: string): string[] {
  return [
    '-N',
    '--style',
    'basic',
    '--runs',
    String(spec.runs),
    '--warmup',
    String(spec.warmup),
    ...(spec.prepare ? ['--prepare', shCommand(spec.prepare)] : []),
    ...(spec.outputFile ? ['--output', spec.outputFile] : []),
    '--export-json',
    exportJson,
    '--command-name',
    spec.name,
    shCommand(timedArgv(spec)),
  ];
}

/** Wall times (s) of the runs, in order, from hyperfine's --export-json file. */
export function timesFromHyperfineExport(text: string): number[] {
  const data = JSON.parse(text) as { results?: Array<{ times?: unknown }> };
  const times = data.results?.[0]?.times;
  if (!Array.isArray(times) || times.some((t) => typeof t !== 'number')) throw new Error('hyperfine export: no times in results[0]');
  return times as number[];
}

function wait(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${what} exited ${code ?? signal}`))));
  });
}

async function withHyperfine(spec: RunSpec, workDir: string): Promise<number[]> {
  const exportJson = join(workDir, `hyperfine-${spec.name.replace(/[^a-z0-9-]+/gi, '_')}.json`);
  // hyperfine's own output (progress, its summary) goes to stderr, beside ours.
  await wait(spawn('hyperfine', hyperfineArgs(spec, exportJson), { env: spec.env, stdio: ['ignore', 2, 2] }), `hyperfine (${spec.name})`);
  return timesFromHyperfineExport(readFileSync(exportJson, 'utf8'));
}

function runOnce(argv: string[], env: NodeJS.ProcessEnv, stdoutFile: string | undefined, what: string): number {
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', out, 'ignore'] });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`${what} exited ${result.status ?? result.signal ?? result.error?.message}`);
    return seconds;
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
}

function withOwnHarness(spec: RunSpec): number[] {
  const times: number[] = [];
  for (let i = 0; i < spec.warmup + spec.runs; i++) {
    if (spec.prepare) runOnce(spec.prepare, spec.env, undefined, `prepare of ${spec.name}`);
    const seconds = runOnce(timedArgv(spec), spec.env, spec.outputFile, spec.name);
    if (i >= spec.warmup) times.push(seconds);
    process.stderr.write(`  ${spec.name}: run ${i + 1}/${spec.warmup + spec.runs}${i < spec.warmup ? ' (warm-up)' : ''}: ${seconds.toFixed(3)} s\n`);
  }
  return times;
}

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/** Wall times (s) of the timed runs, in order (warm-ups excluded). */
export async function timeRuns(spec: RunSpec, tool: Tool, workDir: string): Promise<number[]> {
  return tool === 'hyperfine' ? withHyperfine(spec, workDir) : withOwnHarness(spec);
}
