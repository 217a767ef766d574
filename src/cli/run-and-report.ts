// Shared tail of the commands that reach hosts: build the request from CLI options, run it,
// print the plan/recap (or JSON), and return the exit code.
import { Change } from '../resources/types.js';
import { formatChanges } from '../resources/format.js';
import { formatRecap } from '../report/recap.js';
import { exitCodeOf, type RunReport } from '../report/result.js';
import { connectOptionsOf, type EarlyConnections } from './early-connect.js';
import { askHidden } from './prompt.js';
import { runRequest, type HostTarget, type RunRequest } from './session.js';

export interface CliRunOptions {
  conf: string;
  confExplicit: boolean;
  var: string[];
  platforms?: 'dlive' | 'kick' | 'toutes';
  roles?: string;
  json: boolean;
  key?: string;
  knownHosts?: string;
  hostKeyPolicy?: 'strict' | 'accept-new';
  sshConfig?: string;
  askBecomePass: boolean;
  lockTimeout?: string;
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
    if (host.status === 'failed' || host.status === 'unreachable') continue;
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
    out.push('');
  }
  return out.join('\n');
}

function parseSeconds(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${option} takes a whole number of seconds, not "${text}"`);
  return value;
}

/** The verify results of each host that has some, as tables (printed before the recap). */
export async function verifyTables(report: RunReport): Promise<string> {
  const verified = report.hosts.filter((h) => h.verify.length > 0);
  if (verified.length === 0) return '';
  const { formatVerifyTable } = await import('../verify/index.js');
  return verified.map((h) => formatVerifyTable(h.name, h.verify)).join('\n') + '\n';
}

/** CLI options -> the engine's request (asks for the sudo password first when told to). */
export async function buildRequest(run: CliRun): Promise<RunRequest> {
  const o = run.options;
  const vars = [...o.var];
  if (o.platforms) vars.push(`PLATEFORMES=${o.platforms}`);
  const becomePassword = o.askBecomePass ? await askHidden('sudo password: ') : undefined;
  return {
    command: run.command,
    mode: run.mode,
    checkStatus: run.checkStatus,
    hosts: run.hosts ?? [{ name: run.target ?? '', target: run.target ?? '' }],
    confPath: o.conf,
    confExplicit: o.confExplicit,
    vars,
    ...(o.roles ? { roles: o.roles.split(',').map((r) => r.trim()).filter((r) => r.length > 0) } : {}),
    connect: { ...connectOptionsOf(o), ...(becomePassword ? { becomePassword } : {}) },
    ...(run.early ? { early: run.early } : {}),
    concurrency: run.concurrency ?? 10,
    quiet: false,
    lockWaitSec: o.lockTimeout === undefined ? 30 : parseSeconds(o.lockTimeout, '--lock-timeout'),
    ...(run.mode === 'apply' && o.verify !== false ? { verify: {} } : {}),
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
