// Running local programs for the lab. Every call passes argv as an array (no shell), so values
// such as paths or host names are never interpreted; failures carry the command, its exit
// code and the tail of its stderr, plus a hint about what to do.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** An error the lab reports to a user: what failed, and (when known) what to do about it. */
export class LabError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(hint ? `${message}\n  hint: ${hint}` : message, options);
    this.name = 'LabError';
    this.hint = hint;
  }
}

/** A local command that exited non-zero, was killed, or could not start. */
export class LabCommandError extends LabError {
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly stdout: string;
  readonly timedOut: boolean;

  constructor(fields: {
    command: readonly string[];
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    hint?: string;
    cause?: unknown;
  }) {
    const how = fields.timedOut
      ? 'timed out'
      : fields.signal
        ? `was killed by ${fields.signal}`
        : fields.exitCode === null
          ? 'could not start'
          : `exited with code ${fields.exitCode}`;
    const tail = lastLines(fields.stderr || fields.stdout, 15);
    super(
      `${displayCommand(fields.command)} ${how}${tail ? `:\n${indent(tail)}` : ''}`,
      fields.hint,
      { cause: fields.cause },
    );
    this.name = 'LabCommandError';
    this.command = fields.command;
    this.exitCode = fields.exitCode;
    this.signal = fields.signal;
    this.stdout = fields.stdout;
    this.stderr = fields.stderr;
    this.timedOut = fields.timedOut;
  }
}

export interface RunOptions {
  /** Written to the command's stdin (otherwise stdin is /dev/null). */
  input?: string | Buffer;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Added to the error when the command fails. */
  hint?: string;
  /** Append stdout and stderr to this file as they come (long builds keep a log). */
  logFile?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

// Output kept per stream: enough for any listing the lab parses, bounded for chatty builds.
const MAX_CAPTURE = 8 * 1024 * 1024;

/** Run a command and resolve with its result whatever its exit code. Never throws for exit codes. */
export function runAllowFailure(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    log?.on('error', () => undefined); // a log that cannot be written must not fail the command
    const finish = (result: RunResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (log) log.end(() => resolve(result));
      else resolve(result);
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
      log?.write(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
      log?.write(chunk);
    });
    child.on('error', (error) => {
      finish({ stdout, stderr: stderr + String(error.message), exitCode: null, signal: null, timedOut });
    });
    child.on('close', (exitCode, signal) => {
      finish({ stdout, stderr, exitCode, signal, timedOut });
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // the command may exit before reading it all
      child.stdin.end(options.input);
    }
  });
}

/** Run a command; reject with a LabCommandError unless it exits 0. */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runAllowFailure(command, args, options);
  if (result.exitCode !== 0 || result.timedOut) {
    throw new LabCommandError({
      command: [command, ...args],
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
      timedOut: result.timedOut,
      hint: options.hint,
    });
  }
  return result;
}

/** True when `run` would succeed; for probes where failure is an answer, not an error. */
export async function succeeds(command: string, args: readonly string[], options: RunOptions = {}): Promise<boolean> {
  const result = await runAllowFailure(command, args, options);
  return result.exitCode === 0 && !result.timedOut;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function displayCommand(command: readonly string[]): string {
  const shown = command.map((part) => (part.length > 120 ? `${part.slice(0, 117)}...` : part));
  return `\`${shown.join(' ')}\``;
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
