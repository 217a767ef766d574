// systemd-nspawn invocations: one-shot commands inside a root (cache builds) and the argv of a
// booted lab host (run by the supervisor).
import type { RunOptions, RunResult } from './exec.js';
import { run } from './exec.js';

export interface Bind {
  source: string;
  target: string;
  readOnly?: boolean;
}

const NSPAWN_HINT = 'the lab needs systemd-nspawn (Debian package systemd-container) and root';

/**
 * Run a command inside `root` without booting it, on this machine's network (cache builds
 * download from the mirror directly). Foreign-architecture roots run through binfmt/qemu.
 */
export function runInRoot(root: string, command: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(
    'systemd-nspawn',
    [
      '--quiet',
      '--register=no',
      '--keep-unit',
      '--as-pid2',
      '--resolv-conf=copy-host',
      '--timezone=off',
      '-E',
      'DEBIAN_FRONTEND=noninteractive',
      '-E',
      'LC_ALL=C',
      '-D',
      root,
      '--',
      ...command,
    ],
    { hint: NSPAWN_HINT, ...options },
  );
}

export interface BootSpec {
  root: string;
  /** Unique on this machine: nspawn keeps per-machine directories under /run. */
  machine: string;
  hostname: string;
  netns: string;
  binds: readonly Bind[];
}

/** argv (without the program) of systemd-nspawn booting a lab host in its network namespace. */
export function bootArgs(spec: BootSpec): string[] {
  const args = [
    '--quiet',
    '--boot',
    '-D',
    spec.root,
    `--machine=${spec.machine}`,
    `--hostname=${spec.hostname}`,
    `--network-namespace-path=/run/netns/${spec.netns}`,
    // This machine runs no systemd as PID 1: nothing to register with or to move us into.
    '--register=no',
    '--keep-unit',
    '--resolv-conf=copy-host',
    '--timezone=off',
    // No terminal: the console (boot messages) goes to the supervisor's log.
    '--console=read-only',
  ];
  for (const bind of spec.binds) {
    args.push(`${bind.readOnly ? '--bind-ro' : '--bind'}=${bind.source}:${bind.target}`);
  }
  return args;
}
