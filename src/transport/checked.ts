// `exec` resolves whatever the exit code (the facts probe and guards read non-zero codes as
// answers); these helpers are for the commands where anything but success is an error.
import { RemoteCommandError, summarizeCommand } from './errors.js';
import type { ExecOptions, ExecResult, Transport } from './types.js';

export interface CheckOptions {
  /** Shown instead of the command (see ExecOptions.label). */
  label?: string;
  /** What the user can do about a failure of this particular command. */
  hint?: string;
}

/** Throw a RemoteCommandError unless the command exited 0 in time. */
export function assertSucceeded(host: string, command: string, result: ExecResult, options: CheckOptions = {}): ExecResult {
  if (result.code === 0 && !result.timedOut && result.signal === null) return result;
  throw new RemoteCommandError({
    host,
    command: options.label ?? summarizeCommand(command),
    exitCode: result.code,
    signal: result.signal,
    timedOut: result.timedOut,
    stderr: result.stderr,
    hint: options.hint,
  });
}

/** `transport.exec`, then `assertSucceeded`. */
export async function execChecked(
  transport: Transport,
  command: string,
  options: ExecOptions & { hint?: string } = {},
): Promise<ExecResult> {
  const { hint, ...execOptions } = options;
  return assertSucceeded(transport.name, command, await transport.exec(command, execOptions), { label: options.label, hint });
}
