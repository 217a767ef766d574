// Shared tail of the commands that reach hosts: build the request from CLI options, run it,
// print the plan/recap (or JSON), and return the exit code.
import { Change } from '../resources/types.js';
import { formatChanges } from '../resources/format.js';
import { describeOnAir } from '../roles/off-air.js';
import { isFailure } from '../report/outcome.js';
import { formatRecap } from '../report/recap.js';
import { exitCodeOf, type RunReport } from '../report/result.js';
import { defaultNewKeyPath, ensureNewKey } from '../bootstrap/public-key.js';
import type { Secret } from '../redact/secret.js';
import type { EarlyConnections } from '../app/early-connections.js';
import { connectOptionsOf, type ConnectionCliOptions } from './options.js';
import { askHidden } from './prompt.js';
import type { HostTarget, RunRequest } from '../app/request.js';
import { runRequest } from '../fleet/run.js';

export interface CliRunOptions extends ConnectionCliOptions {
  conf: string;
  confExplicit: boolean;
  var: string[];
  platforms?: 'dlive' | 'kick' | 'toutes';
  roles?: string;
  json: boolean;
  askBecomePass: boolean;
  /** --ask-pass, --new-key, --no-harden (provision and apply). */
  askPass?: boolean;
  newKey?: boolean;
  harden?: boolean;
  lockTimeout?: string;
  /** provision --min-speed: the verify step's FFmpeg threshold. */
  minSpeed?: string;
  /** provision/apply --retry-timeout: how long the verify step retries settling checks. */
  retryTimeout?: string;
  /** commander's --no-verify sets this false. */
  verify?: boolean;
}

export interface CliRun {
  command: string;
  mode: 'apply' | 'check';
  checkStatus: 'changed' | 'drift';
  target?: string;
  hosts?: HostTarget[];
  concurrency?: number;
  /** Print diffs with the plan (default true). */
  showDiffs?: boolean;
  options: CliRunOptions;
  /** Connections the command started before loading the engine (see early-connect.ts). */
  early?: EarlyConnections;
}

export function printPlans(report: RunReport, diff: boolean): string {
  const out: string[] = [];
  for (const host of report.hosts) {
    if (isFailure(host)) continue;
    const changes: Change[] = host.changes.map((c) => ({
      id: { role: c.role, type: c.type as Change['id']['type'], name: c.name },
      summary: c.summary,
      actions: [],
      ...(c.diff ? { diff: c.diff } : {}),
      ...(c.assumptions ? { assumptions: c.assumptions } : {}),
    }));
    const text = formatChanges(changes, { diff });
    out.push(`== ${host.name}: ${text === '' ? 'in sync' : `${host.changes.length} change(s)`}`);
    if (text !== '') out.push(text.trimEnd());
    if (host.handlers.length > 0) out.push(`handlers to run: ${host.handlers.join(', ')}`);
    if (host.onAir) out.push(describeOnAir(host.onAir));
    out.push('');
  }
  return out.join('\n');
}

function parseSpeed(text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--min-speed takes a speed above 0, such as 1.2, not "${text}"`);
  return value;
}

function verifyOptionsOf(o: CliRunOptions): { minSpeed?: number; retryTimeoutSec?: number } {
  return {
    ...(o.minSpeed === undefined ? {} : { minSpeed: parseSpeed(o.minSpeed) }),
    ...(o.retryTimeout === undefined ? {} : { retryTimeoutSec: parseSeconds(o.retryTimeout, '--retry-timeout') }),
  };
}

function parseSeconds(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${option} takes a whole number of seconds, not "${text}"`);
  return value;
}

/** The verify results of each host that has some, as tables (printed before the recap). */
export async function verifyTables(report: RunReport): Promise<string> {
  const tables = report.hosts.flatMap((h) => [
    ...(h.verify.length > 0 ? [{ name: h.name, verify: h.verify }] : []),
    ...(h.rollback?.verify && h.rollback.verify.length > 0 ? [{ name: `${h.name} (after the rollback)`, verify: h.rollback.verify }] : []),
  ]);
  if (tables.length === 0) return '';
  const { formatVerifyTable } = await import('../verify/index.js');
  return tables.map((t) => formatVerifyTable(t.name, t.verify)).join('\n') + '\n';
}

/**
 * The passwords asked for, in this order: the SSH login password (--ask-pass), then sudo's
 * (--ask-become-pass; an empty answer, or none left on stdin, means the login password: on a
 * fresh Pi they are the same).
 */
async function askPasswords(o: CliRunOptions): Promise<{ loginPassword?: Secret; becomePassword?: Secret }> {
  const loginPassword = o.askPass ? await askHidden('SSH password: ') : undefined;
  if (!o.askBecomePass) return loginPassword ? { loginPassword } : {};
  if (!loginPassword) return { becomePassword: await askHidden('sudo password: ') };
  const become = await askHidden('sudo password (empty: the SSH password): ').catch((error: unknown) => {
    if (!process.stdin.isTTY) return undefined; // stdin ended after the SSH password: the same one
    throw error;
  });
  return { loginPassword, becomePassword: become === undefined || become.isEmpty ? loginPassword : become };
}

/** --new-key: the key file to install and log in with, made now unless it exists. */
function newKeyFile(o: CliRunOptions): string | undefined {
  if (!o.newKey) return undefined;
  if (!o.askPass) throw new Error('--new-key installs the key at a first contact by password: add --ask-pass');
  const made = ensureNewKey(o.key ?? defaultNewKeyPath());
  process.stderr.write(made.created ? `made a new SSH key for orbis: ${made.path} (ed25519)\n` : `using the SSH key ${made.path}\n`);
  return made.path;
}

/** CLI options -> the engine's request (asks for the passwords first when told to). */
export async function buildRequest(run: CliRun): Promise<RunRequest> {
  const o = run.options;
  const vars = [...o.var];
  if (o.platforms) vars.push(`PLATEFORMES=${o.platforms}`);
  if (o.harden === false && !o.askPass) throw new Error('--no-harden goes with --ask-pass (hardening happens only at a first contact)');
  const identityFile = newKeyFile(o) ?? o.key;
  const { loginPassword, becomePassword } = await askPasswords(o);
  return {
    command: run.command,
    mode: run.mode,
    checkStatus: run.checkStatus,
    hosts: run.hosts ?? [{ name: run.target ?? '', target: run.target ?? '' }],
    confPath: o.conf,
    confExplicit: o.confExplicit,
    vars,
    ...(o.roles ? { roles: o.roles.split(',').map((r) => r.trim()).filter((r) => r.length > 0) } : {}),
    connect: {
      ...connectOptionsOf({ ...o, key: identityFile }),
      ...(becomePassword ? { becomePassword } : {}),
      ...(loginPassword ? { loginPassword } : {}),
    },
    ...(o.askPass ? { bootstrap: { harden: o.harden !== false } } : {}),
    ...(run.early ? { early: run.early } : {}),
    concurrency: run.concurrency ?? 10,
    quiet: false,
    lockWaitSec: o.lockTimeout === undefined ? 30 : parseSeconds(o.lockTimeout, '--lock-timeout'),
    ...(run.mode === 'apply' && o.verify !== false ? { verify: verifyOptionsOf(o) } : {}),
  };
}

export async function runAndReport(run: CliRun): Promise<number> {
  const report = await runRequest(await buildRequest(run));
  if (run.options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    if (run.mode === 'check') process.stdout.write(printPlans(report, run.showDiffs ?? true));
    process.stdout.write(await verifyTables(report));
    process.stdout.write(formatRecap(report));
  }
  return exitCodeOf(report);
}
