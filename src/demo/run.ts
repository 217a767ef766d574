// `orbis demo`, step by step: the Debian packages the lab needs, a lab (the stand-in internet and
// one Pi-like host), the demo configuration, `orbis provision` of that Pi with its verify step,
// the stream arriving at the stand-in DLive and Kick, and the lab torn down (unless kept).
//
// The lab is removed whatever happens: on failure (after the report; --keep keeps it), and on
// Ctrl-C/SIGTERM/SIGHUP at once, even in the middle of a step: apt-get and `orbis provision` are
// stopped, a lab still coming up cannot be, so the lab is torn down under it (a second pass
// removes what it may still have made) and the process exits 128 + the signal.
//
// Quiet unless --verbose: a line per step, and while a step runs, one live line (live-line.ts)
// with what it is at: apt's progress condensed, the lab's messages, orbis provision's progress.
// Their whole output goes to the demo's log file, which the demo names (and a failure too).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { maskSecrets } from '../redact/secret.js';
import { hostArch } from '../lab/base.js';
import type { LabArch } from '../lab/config.js';
import { LabError, sleep } from '../lab/exec.js';
import type { LabState } from '../lab/state.js';
import { hostErrorOf, type RunReport } from '../report/result.js';
import { packageRoot } from '../util/paths.js';
import { DEMO_STREAM, demoConfText, newDemoKeys, type DemoKeys } from './config.js';
import type { LiveLine } from './live-line.js';
import { watchArrivals, type RecordingTarget } from './recordings.js';
import { formatArrivals, formatDuration, verifyCounts, type DemoReport } from './report.js';

export interface DemoOptions {
  name: string;
  subnet: string;
  /** Leave the lab up at the end (after success or failure, once it is up; never after Ctrl-C). */
  keep: boolean;
  /** apt-get install the missing Debian packages (otherwise: say which and stop). */
  install: boolean;
  /** How long to watch the recordings grow. */
  watchSeconds: number;
  /** The story, for a person (stdout; stderr with --json). */
  say: (text: string) => void;
  /** Detail of long steps (stderr). */
  log: (text: string) => void;
  /** How the printed follow-up commands run orbis, e.g. ['node', 'dist/src/cli/main.js']. */
  cli: readonly string[];
  /** Every step's whole output (apt's, the lab's, orbis provision's) as it came, shown or not. */
  logFile: string;
  /** Show that whole output as it comes (today's full view) instead of one live line per step. */
  verbose: boolean;
  /** The live line of a long step (on the story's stream). */
  live: LiveLine;
}

const STEPS = 5;
/**
 * The lab Pi's architecture: this machine's own, so it runs natively and the lab needs neither
 * qemu nor a cross-compiler (requirements.ts).
 */
const DEMO_ARCH: LabArch = hostArch();
const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = Date.now();
  const report: DemoReport = { ok: false, lab: { name: options.name, subnet: options.subnet, kept: false }, stream: [], durationMs: 0 };
  const step = (n: number, text: string) => {
    options.live.stop();
    options.say(`[${n}/${STEPS}] ${text}`);
  };
  const detail = detailOf(options);
  const guard = new LabGuard(options);
  guard.install();
  let lab: LabState | undefined;
  try {
    if (process.getuid?.() !== 0) {
      throw new LabError('the demo boots containers and changes the network (a bridge, iptables rules): it needs root', 'run it as root: sudo npm run demo');
    }
    startLog(options.logFile);
    report.log = options.logFile;
    options.say(`Its whole output (apt-get, the lab, orbis provision) goes to ${options.logFile}`);
    step(1, 'Debian packages the lab needs');
    await ensurePackages(options, guard.signal);

    step(2, `A lab "${options.name}" (${options.subnet}): a stand-in internet (DLive, Kick, BTFS) and one Pi-like host`);
    const { labUp } = await import('../lab/index.js');
    guard.labMayExist = true;
    const upStarted = Date.now();
    options.live.start('starting the lab');
    lab = await labUp({ name: options.name, subnet: options.subnet, hosts: 1, arch: DEMO_ARCH, log: detail });
    options.live.stop();
    report.lab.upMs = Date.now() - upStarted;
    const pi = Object.values(lab.hosts)[0];
    if (!pi) throw new LabError('the lab came up without its Pi', 'run the demo again');
    const target = `pi@${pi.address}`;
    report.pi = { target, address: pi.address };
    options.say(`      up in ${formatDuration(report.lab.upMs)}: the Pi is ${pi.address}, the stand-in platforms ${lab.ingest.address}`);

    const keys = newDemoKeys();
    const confPath = await writeDemoConf(lab, keys);
    report.conf = confPath;
    step(3, `orbis provision ${target}: a ${DEMO_STREAM.width}x${DEMO_STREAM.height} stream to DLive and Kick (demo keys, never shown), BTFS from the lab`);
    options.say(`      configuration: ${confPath}`);
    const provision = await provisionPi(lab, target, confPath, keys, guard, options);
    report.provision = provision.summary;
    if (!provision.ok) {
      options.say(provision.details);
      throw Object.assign(new Error(provision.error.message), provision.error.hint ? { hint: provision.error.hint } : {});
    }
    const c = verifyCounts(provision.summary.verify);
    options.say(`      ${provision.summary.changes} changes in ${formatDuration(provision.summary.durationMs)}; verify: ${c.pass} pass, ${c.warn} warn, ${c.fail} fail`);

    step(4, 'The stream arriving at the stand-in platforms (their recordings)');
    options.live.start('watching the recordings grow');
    report.stream = await watchArrivals(recordingTargets(lab, keys), { appearMs: 30_000, watchMs: options.watchSeconds * 1000 });
    options.live.stop();
    options.say(formatArrivals(report.stream));
    report.ok = true;
  } catch (error) {
    options.live.stop();
    const { message, hint } = hostErrorOf(error);
    report.error = { message: stripHint(message, hint), ...(hint ? { hint } : {}) };
  }
  // After a signal, the handler tears the lab down and exits: nothing more to do or say here.
  if (guard.signalled) await new Promise<never>(() => undefined);

  if (options.keep && lab) {
    step(5, `Keeping the lab "${options.name}" (--keep)`);
    report.lab.kept = true;
    if (report.pi && report.conf) report.next = nextCommands(options, lab, report.pi.target, report.conf);
  } else if (guard.labMayExist) {
    step(5, `Tearing the lab "${options.name}" down`);
    const downStarted = Date.now();
    options.live.start('removing the lab');
    try {
      await guard.tearDown(detail);
      options.live.stop();
      report.lab.downMs = Date.now() - downStarted;
    } catch (error) {
      options.live.stop();
      const { message, hint } = hostErrorOf(error);
      report.ok = false;
      report.error ??= { message: stripHint(message, hint), hint: hint ?? `run \`${options.cli.join(' ')} lab down --name ${options.name}\`` };
    }
  }
  guard.uninstall();
  report.durationMs = Date.now() - started;
  return report;
}

async function ensurePackages(options: DemoOptions, signal: AbortSignal): Promise<void> {
  const [{ labPackages, missingPackages, installPackages }, { labArches }] = await Promise.all([import('../lab/requirements.js'), import('../lab/lab.js')]);
  // What the demo's lab has (its one Pi's architecture and the controller's): no other compiler, no qemu.
  const missing = await missingPackages(labPackages(labArches({ hosts: 1, arch: DEMO_ARCH }), hostArch()));
  if (missing.length === 0) {
    options.say('      all present');
    return;
  }
  const names = missing.map((p) => p.name);
  if (!options.install) {
    throw new LabError(`missing Debian packages: ${names.join(' ')}`, `install them (apt-get install ${names.join(' ')}), or run the demo without --no-install`);
  }
  options.say(`      installing (apt-get): ${missing.map((p) => `${p.name} (${p.why})`).join(', ')}`);
  const started = Date.now();
  if (!options.verbose) options.live.start('apt-get');
  await installPackages(names, {
    logFile: options.logFile,
    signal,
    ...(options.verbose ? { echo: (text: string) => process.stderr.write(text) } : { onProgress: (line: string) => options.live.set(line) }),
  });
  options.live.stop();
  options.say(`      installed in ${formatDuration(Date.now() - started)}`);
}

/** The log starts empty, with the directory it needs (root only: it may name the lab's paths). */
function startLog(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  appendFileSync(path, `orbis demo, ${new Date().toISOString()}\n`, { mode: 0o600 });
}

/** Where a step's detail goes: the log always; the screen too with --verbose, else the live line. */
function detailOf(options: DemoOptions): (message: string) => void {
  return (message) => {
    appendFileSync(options.logFile, `lab: ${message}\n`);
    if (options.verbose) options.log(`      lab: ${message}`);
    else options.live.set(message);
  };
}

/**
 * What a line of `orbis provision`'s plain progress says, for the live line: its words without
 * the mark and the timestamps ("› [09:09:59] [1.1s] applying: btfs: user btfs (19/33)" ->
 * "applying: btfs: user btfs (19/33)"); undefined for a line that is not progress.
 */
export function provisionProgressText(line: string): string | undefined {
  const match = /^[›❯✔✖]\s+(?:\[[^\]]*\]\s+)*(.+)$/.exec(line.trim());
  return match?.[1];
}

/** The conf file, inside the lab's directory: root only, and gone with the lab. */
async function writeDemoConf(lab: LabState, keys: DemoKeys): Promise<string> {
  const dir = join(lab.dir, 'demo');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'orbis.conf');
  await writeFile(path, demoConfText(lab, keys), { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}

interface ProvisionOutcome {
  ok: boolean;
  summary: NonNullable<DemoReport['provision']>;
  error: { message: string; hint?: string };
  /** The verify table (or nothing), to show what failed. */
  details: string;
}

/**
 * `orbis provision pi@ADDRESS --conf DEMO_CONF --key LAB_KEY --known-hosts LAB_KNOWN_HOSTS --json`,
 * run as the user would run it: its progress on our stderr, its report on its stdout. A child of
 * its own process group, so that Ctrl-C reaches the demo (which stops it and removes the lab)
 * and not the provisioning halfway; and without the caller's ORBIS_* variables (an
 * ORBIS_DLIVE_CLE_FLUX there is a real key, not the demo's).
 */
async function provisionPi(lab: LabState, target: string, confPath: string, keys: DemoKeys, guard: LabGuard, options: DemoOptions): Promise<ProvisionOutcome> {
  const cli = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const args = [cli, 'provision', target, '--conf', confPath, '--key', lab.keyPath, '--known-hosts', lab.knownHostsPath, '--host-key-policy', 'strict', '--json'];
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ORBIS_')));
  appendFileSync(options.logFile, `\n$ orbis provision ${target} (its progress)\n`);
  // --verbose: its own progress view on our stderr, as a user running it sees it. Otherwise its
  // lines go to the log and, condensed, to the live line.
  const progress = options.verbose
    ? undefined
    : (line: string) => {
        appendFileSync(options.logFile, `${line}\n`);
        const text = provisionProgressText(line);
        if (text) options.live.set(text);
      };
  if (progress) options.live.start('orbis provision');
  const { stdout, code } = await guard.runChild(process.execPath, args, env, progress);
  options.live.stop();
  const where = options.verbose ? 'see its messages above' : `see its messages in ${options.logFile}`;
  let report: RunReport;
  try {
    report = JSON.parse(stdout) as RunReport;
  } catch {
    throw new LabError(`orbis provision exited with code ${String(code)} without a report`, where);
  }
  const host = report.hosts[0];
  if (!host) throw new LabError('orbis provision reported no host', where);
  const { formatVerifyTable } = await import('../verify/index.js');
  return {
    ok: code === 0 && (host.status === 'changed' || host.status === 'ok'),
    summary: { status: host.status, changes: host.changes.length, roundTrips: host.roundTrips, durationMs: host.durationMs, verify: host.verify },
    error: {
      // The report is masked already; this is a second belt with the keys only the demo knows.
      message: maskSecrets(`provisioning the lab Pi ${host.status}: ${host.error?.message ?? 'no detail'}`, [keys.dlive, keys.kick]),
      ...(host.error?.hint ? { hint: host.error.hint } : {}),
    },
    details: host.verify.length > 0 ? formatVerifyTable(target, host.verify) : '',
  };
}

function recordingTargets(lab: LabState, keys: DemoKeys): RecordingTarget[] {
  return [
    { platform: 'dlive', ingest: lab.ingest.dlive.url, dir: lab.ingest.dlive.recordingsDir, key: keys.dlive },
    { platform: 'kick', ingest: lab.ingest.kick.url, dir: lab.ingest.kick.recordingsDir, key: keys.kick },
  ];
}

function nextCommands(options: DemoOptions, lab: LabState, target: string, confPath: string): DemoReport['next'] {
  const connection = ['--key', lab.keyPath, '--known-hosts', lab.knownHostsPath];
  const conf = ['--conf', confPath];
  return {
    ssh: ['ssh', '-i', lab.keyPath, '-o', `UserKnownHostsFile=${lab.knownHostsPath}`, target],
    check: [...options.cli, 'check', target, ...conf, ...connection],
    verify: [...options.cli, 'verify', target, ...conf, ...connection],
    down: [...options.cli, 'lab', 'down', '--name', options.name],
  };
}

function stripHint(message: string, hint: string | undefined): string {
  return hint && message.endsWith(`\n  hint: ${hint}`) ? message.slice(0, -`\n  hint: ${hint}`.length) : message;
}

/**
 * The lab's lifetime guard: tears it down at the end, and at once on a signal. A signal in the
 * middle of a step cannot wait for the step (booting, provisioning: minutes), so the teardown
 * runs under it, twice if something was made meanwhile, and the process exits 128 + signal.
 */
class LabGuard {
  labMayExist = false;
  #tearingDown: Promise<void> | undefined;
  #abort = new AbortController();
  #signalled = false;
  #child: ChildProcess | undefined;
  readonly #handlers = new Map<NodeJS.Signals, () => void>();
  // The terminal may be gone by then (its window closed: SIGHUP): writing must not stop the teardown.
  readonly #ignoreWriteErrors = () => undefined;

  constructor(private readonly options: DemoOptions) {}

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  install(): void {
    process.stdout.on('error', this.#ignoreWriteErrors);
    process.stderr.on('error', this.#ignoreWriteErrors);
    for (const name of Object.keys(SIGNAL_CODES) as NodeJS.Signals[]) {
      const handler = () => this.#onSignal(name);
      this.#handlers.set(name, handler);
      process.on(name, handler);
    }
  }

  uninstall(): void {
    for (const [name, handler] of this.#handlers) process.off(name, handler);
    this.#handlers.clear();
    process.stdout.off('error', this.#ignoreWriteErrors);
    process.stderr.off('error', this.#ignoreWriteErrors);
  }

  /** After a signal the handler owns the end (teardown, exit): the steps stop where they are. */
  get signalled(): boolean {
    return this.#signalled;
  }

  /**
   * A child in its own process group (a terminal's Ctrl-C does not reach it), stopped on a signal.
   * Its stderr is ours, or goes line by line to `stderrLines`.
   */
  runChild(
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    stderrLines?: (line: string) => void,
  ): Promise<{ stdout: string; code: number | null }> {
    return new Promise((resolve, reject) => {
      if (this.#signalled) return;
      const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', stderrLines ? 'pipe' : 'inherit'] });
      this.#child = child;
      let stdout = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      let partial = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) stderrLines?.(line);
      });
      child.on('error', reject);
      child.on('close', (code) => {
        this.#child = undefined;
        // Stopped by the signal handler: its outcome is the handler's, not a failure to report.
        if (!this.#signalled) resolve({ stdout, code });
      });
    });
  }

  #say(text: string): void {
    try {
      this.options.log(text);
    } catch {
      // see #ignoreWriteErrors
    }
  }

  /** The normal teardown, after the last step: with the lab's locks, and checked complete. */
  tearDown(log: (message: string) => void): Promise<void> {
    this.#tearingDown ??= import('../lab/index.js').then(({ labDown }) => labDown({ name: this.options.name, log }));
    return this.#tearingDown;
  }

  #onSignal(name: NodeJS.Signals): void {
    if (this.#signalled) {
      this.#say(`${name}: still removing the lab "${this.options.name}", a few seconds more`);
      return;
    }
    this.#signalled = true;
    // The live line would go on drawing over what follows.
    this.options.live.stop();
    this.#abort.abort();
    if (this.#child?.pid !== undefined) {
      try {
        process.kill(-this.#child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const code = 128 + (SIGNAL_CODES[name] ?? 1);
    this.#say(`\n${name}: stopping the demo${this.labMayExist ? ` and removing its lab "${this.options.name}"` : ''}`);
    void (async () => {
      if (this.labMayExist) {
        const left = this.#tearingDown ? await this.#tearingDown.then(() => '', (e: unknown) => String(e)) : await this.#forceTearDown();
        this.#say(left === '' ? 'the lab is gone' : `${left}\nremove it with: ${this.options.cli.join(' ')} lab down --name ${this.options.name}`);
      }
      process.exit(code);
    })();
  }

  /**
   * Without the lab's lifecycle lock, which the interrupted step may hold (this very process):
   * what teardown removes is found by name, so it works under a half-made lab.
   */
  async #forceTearDown(): Promise<string> {
    const [{ labLayout }, { teardownLab, findLeftovers, isClean }, { describeLeftovers }] = await Promise.all([
      import('../lab/config.js'),
      import('../lab/teardown.js'),
      import('../lab/lab.js'),
    ]);
    const layout = labLayout(this.options.name);
    let problem = '';
    for (let pass = 0; pass < 3; pass++) {
      try {
        await teardownLab(layout);
        const left = await findLeftovers(layout);
        if (isClean(left)) return '';
        problem = `lab "${this.options.name}" was not removed completely:\n${describeLeftovers(left)}`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      await sleep(1000);
    }
    return problem;
  }
}
