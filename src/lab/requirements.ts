// The Debian packages a lab needs on this machine (the controller), and installing the missing
// ones. `orbis demo` uses it so that a fresh clone needs nothing but `npm ci`; .ci/run installs a
// superset (test tools too), and a unit test keeps the two lists from drifting apart.
//
// What a lab needs depends on its architectures: each one's BTFS stand-in release is compiled
// here (a cross-compiler for another architecture than this machine's), and hosts of another
// architecture run under qemu. A lab of this machine's architecture needs neither.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AptProgressLine } from './apt-progress.js';
import type { LabArch } from './config.js';
import { LabError, runAllowFailure } from './exec.js';

export interface Requirement {
  /** The Debian package. */
  name: string;
  /** What the lab does with it (shown when it is installed). */
  why: string;
}

/** What every lab runs on the controller, whatever its architectures. */
const COMMON_PACKAGES: readonly Requirement[] = [
  { name: 'debootstrap', why: 'builds the Debian base of the lab hosts' },
  { name: 'systemd-container', why: 'systemd-nspawn boots them' },
  { name: 'iptables', why: 'keeps lab traffic inside the lab' },
  { name: 'iproute2', why: 'network namespaces and the lab bridge' },
  { name: 'openssh-client', why: 'lab keys and readiness checks' },
  { name: 'openssl', why: 'the lab CA and the stand-in Kick certificate' },
  { name: 'ca-certificates', why: 'fetching from the Debian mirror' },
  { name: 'ffmpeg', why: 'the stand-in BTFS video' },
  { name: 'procps', why: 'finding and stopping lab processes' },
  { name: 'tar', why: 'packing the stand-in BTFS release' },
  { name: 'gzip', why: 'packing the stand-in BTFS release' },
];

/**
 * The compiler of each architecture's BTFS stand-in release (btfs-standin/releases.ts calls it
 * by its triplet name), on a controller of that architecture (`native`) or another (`cross`).
 */
const COMPILER_PACKAGES: Record<LabArch, Record<'native' | 'cross', readonly string[]>> = {
  amd64: { native: ['gcc', 'libc6-dev'], cross: ['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross'] },
  arm64: { native: ['gcc', 'libc6-dev'], cross: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'] },
};

/** What compiles `arch`'s BTFS stand-in release on a `controller` machine. */
export function compilerPackages(arch: LabArch, controller: LabArch): readonly string[] {
  return COMPILER_PACKAGES[arch][arch === controller ? 'native' : 'cross'];
}

/** Hosts of another architecture than the controller's: debootstrap's second stage and every boot. */
const EMULATION_PACKAGES: readonly Requirement[] = [
  { name: 'qemu-user-static', why: 'runs the hosts of another architecture' },
  { name: 'binfmt-support', why: 'registers qemu for those hosts (base.ts, ensureBinfmt)' },
];

/**
 * What `lab up` runs on the controller (`controller`: its architecture) for a lab whose hosts
 * and BTFS releases are of `arches`; one entry per package, each saying why.
 */
export function labPackages(arches: readonly LabArch[], controller: LabArch): Requirement[] {
  const wanted = [...new Set(arches.length > 0 ? arches : [controller])];
  const list = [...COMMON_PACKAGES];
  const add = (name: string, why: string) => {
    const known = list.find((p) => p.name === name);
    if (known) known.why = `${known.why}; ${why}`;
    else list.push({ name, why });
  };
  for (const arch of wanted) {
    for (const name of compilerPackages(arch, controller)) add(name, `builds the stand-in BTFS release (${arch})`);
  }
  if (wanted.some((arch) => arch !== controller)) for (const p of EMULATION_PACKAGES) add(p.name, p.why);
  return list;
}

/** Every package any lab on a controller of either architecture may need (.ci/run's list covers these). */
export function allLabPackages(controller: LabArch): Requirement[] {
  return labPackages(['amd64', 'arm64'], controller);
}

/** The packages of `list` that dpkg does not report as installed. */
export async function missingPackages(list: readonly Requirement[]): Promise<Requirement[]> {
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

export interface InstallOptions {
  /** apt-get's whole output (and its status records) go here, appended; named on failure. */
  logFile: string;
  /** apt-get's progress, condensed to one line (see apt-progress.ts), each time it reads differently. */
  onProgress?: (line: string) => void;
  /** Also copy apt-get's output to this (e.g. stderr, for --verbose). */
  echo?: (chunk: string) => void;
  signal?: AbortSignal;
  /** The apt-get to run (tests run a stand-in). */
  aptGet?: string;
}

/**
 * `apt-get update` then `apt-get install` of `names`. apt's own progress records (Status-Fd) are
 * condensed into `onProgress`, so a slow mirror is visibly slow and not stuck, while its output
 * goes to the log file; a failure names the log with its last lines. Aborting kills apt-get.
 */
export async function installPackages(names: readonly string[], options: InstallOptions): Promise<void> {
  if (names.length === 0) return;
  await mkdir(dirname(options.logFile), { recursive: true });
  const what = `installing ${names.length} package${names.length === 1 ? '' : 's'}`;
  await aptGet(['update', '-q'], new AptProgressLine('updating the package lists'), options);
  await aptGet(['install', '-y', '-q', '--no-install-recommends', ...names], new AptProgressLine(what), options);
}

/** apt-get's output lines kept for a failure's message. */
const TAIL_LINES = 12;

async function aptGet(args: string[], progress: AptProgressLine, options: InstallOptions): Promise<void> {
  const command = options.aptGet ?? 'apt-get';
  // LC_ALL=C: the status records' descriptions in the words apt-progress.ts reads.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };
  const argv = ['-o', 'APT::Status-Fd=3', ...args];
  await appendFile(options.logFile, `\n$ ${command} ${argv.join(' ')}\n`);
  options.onProgress?.(progress.text);
  const tail: string[] = [];
  let writing = Promise.resolve();
  const log = (text: string) => {
    writing = writing.then(() => appendFile(options.logFile, text));
  };
  const code = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    const output = (chunk: Buffer) => {
      const text = chunk.toString();
      log(text);
      options.echo?.(text);
      tail.push(...text.split(/\r?\n|\r/).filter((l) => l.trim() !== ''));
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
    };
    child.stdout?.on('data', output);
    child.stderr?.on('data', output);
    const status = child.stdio[3] as NodeJS.ReadableStream | null;
    let partial = '';
    status?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (progress.feed(line)) options.onProgress?.(progress.text);
    });
    child.on('error', (error) => {
      if (error.name === 'AbortError') reject(error);
      else reject(new LabError(`${command} could not start: ${error.message}`, 'the lab needs Debian with apt'));
    });
    child.on('close', (exitCode, signal) => resolve({ code: exitCode, signal }));
  });
  await writing;
  if (code.code === 0) return;
  const how = code.signal ? `was killed by ${code.signal}` : `exited with code ${String(code.code)}`;
  const last = [...(progress.error ? [`dpkg: ${progress.error}`] : []), ...tail].map((l) => `    ${l}`).join('\n');
  throw new LabError(
    `apt-get ${args[0] ?? ''} ${how}; its output is in ${options.logFile}, ending:\n${last}`,
    `read ${options.logFile}; fix the apt sources, the network or the package named there, then run it again`,
  );
}
