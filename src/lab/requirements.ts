// The Debian packages a lab needs on this machine (the controller), and installing the missing
// ones. `orbis demo` uses it so that a fresh clone needs nothing but `npm ci`; .ci/run installs a
// superset (test tools too), and a unit test keeps the two lists from drifting apart.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LabError, runAllowFailure } from './exec.js';

export interface Requirement {
  /** The Debian package. */
  name: string;
  /** What the lab does with it (shown when it is installed). */
  why: string;
}

/** What `lab up` with amd64 hosts runs on the controller. */
export const LAB_PACKAGES: readonly Requirement[] = [
  { name: 'debootstrap', why: 'builds the Debian base of the lab hosts' },
  { name: 'systemd-container', why: 'systemd-nspawn boots them' },
  { name: 'iptables', why: 'keeps lab traffic inside the lab' },
  { name: 'iproute2', why: 'network namespaces and the lab bridge' },
  { name: 'openssh-client', why: 'lab keys and readiness checks' },
  { name: 'openssl', why: 'the lab CA and the stand-in Kick certificate' },
  { name: 'ca-certificates', why: 'fetching from the Debian mirror' },
  { name: 'ffmpeg', why: 'the stand-in BTFS video' },
  { name: 'gcc', why: 'builds the stand-in BTFS release (amd64)' },
  { name: 'libc6-dev', why: 'builds the stand-in BTFS release (amd64)' },
  { name: 'gcc-aarch64-linux-gnu', why: 'builds the stand-in BTFS release (arm64)' },
  { name: 'libc6-dev-arm64-cross', why: 'builds the stand-in BTFS release (arm64)' },
  { name: 'procps', why: 'finding and stopping lab processes' },
  { name: 'tar', why: 'packing the stand-in BTFS release' },
  { name: 'gzip', why: 'packing the stand-in BTFS release' },
];

/** The packages of `list` that dpkg does not report as installed. */
export async function missingPackages(list: readonly Requirement[] = LAB_PACKAGES): Promise<Requirement[]> {
  if (!existsSync('/usr/bin/dpkg-query')) {
    throw new LabError('this machine has no dpkg: the lab needs Debian (bookworm) or a derivative', 'run it on Debian, Ubuntu or Raspberry Pi OS');
  }
  const result = await runAllowFailure('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\\n', ...list.map((p) => p.name)]);
  const installed = new Set(
    result.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name),
  );
  return list.filter((p) => !installed.has(p.name));
}

/**
 * `apt-get update` then `apt-get install` of `names`, output shown as it comes (on stderr), so
 * a slow mirror is visibly slow and not stuck. Aborting kills apt-get.
 */
export async function installPackages(names: readonly string[], options: { signal?: AbortSignal } = {}): Promise<void> {
  if (names.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await aptGet(['update', '-q'], env, options.signal);
  await aptGet(['install', '-y', '-q', '--no-install-recommends', ...names], env, options.signal);
}

function aptGet(args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('apt-get', args, { env, stdio: ['ignore', process.stderr, process.stderr], ...(signal ? { signal } : {}) });
    child.on('error', (error) => {
      if (error.name === 'AbortError') reject(error);
      else reject(new LabError(`apt-get could not start: ${error.message}`, 'the lab needs Debian with apt'));
    });
    child.on('close', (code, sig) => {
      if (code === 0) resolve();
      else reject(new LabError(`apt-get ${args[0] ?? ''} ${sig ? `was killed by ${sig}` : `exited with code ${String(code)}`}`, 'see apt-get\'s messages above; fix the apt sources or the network, then run it again'));
    });
  });
}
