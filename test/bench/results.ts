// What one measure yields: the wall times of its runs, and from the orbis JSON report of its last
// run, what the transport counted and where each host's time went. Pure.
import { NO_PHASES, type PhaseTimes, type RunReport } from '../../src/report/result.js';
import { median, type Stats } from './stats.js';

/**
 * The measures, by id: `help`, `provision-noop-1`, `check-N` (idle Pis, the default --forks),
 * `check-N-forks-F`, `apply-noop-N`, `first-N`, `apt-N`; on the streaming Pi `stream-provision-noop-1`
 * (--no-verify), `stream-check-1`, `stream-provision-1` (with verify); the Ansible peer on its
 * identical streaming host `ansible-converge-1` (a no-op run) and `ansible-check-1` (--check).
 */
export const measureIds = {
  help: 'help',
  floorNode: 'floor-node',
  floorSsh: 'floor-ssh',
  provisionNoop: 'provision-noop-1',
  check: (hosts: number) => `check-${hosts}`,
  checkForks: (hosts: number, forks: number) => `check-${hosts}-forks-${forks}`,
  applyNoop: (hosts: number) => `apply-noop-${hosts}`,
  first: (hosts: number) => `first-${hosts}`,
  apt: (hosts: number) => `apt-${hosts}`,
  streamProvisionNoop: 'stream-provision-noop-1',
  streamCheck: 'stream-check-1',
  streamProvision: 'stream-provision-1',
  ansibleConverge: 'ansible-converge-1',
  ansibleCheck: 'ansible-check-1',
};

/** A measure that could not be taken (the command failed, or a tool is missing): its targets are FAIL or n/a, never PASS. */
export interface MeasureFailure {
  id: string;
  label: string;
  /** Why: the command's failure, or what is missing. */
  reason: string;
  /** A missing tool (n/a) rather than a command that failed (FAIL). */
  skipped: boolean;
}

/** ansible-playbook's PLAY RECAP of one host. */
export interface AnsibleRecap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
}

export interface ReportDigest {
  statuses: Record<string, number>;
  /** The most exec/upload round trips any host took (the transport counts them). */
  roundTripsMax: number;
  /** The most SSH connections any host opened. */
  connectionsMax: number;
  /** summary.durationMs: the run from settings and roles to the last host's report. */
  runMs: number;
  /** The slowest host's durationMs. */
  slowestHostMs: number;
  /** Each phase's median over the hosts. */
  phasesMedianMs: PhaseTimes;
  /** Packages the run installed or would install (on the first host): the apt-get baseline's list. */
  packages: string[];
}

export interface MeasureResult {
  id: string;
  label: string;
  /** Hosts the command reaches (0: none). */
  hosts: number;
  tool: 'hyperfine' | 'own harness';
  seconds: Stats;
  /** Wall time of the last run, the one whose report is kept. */
  lastSeconds: number;
  /** The largest maximum resident set size over the runs (GNU time's %M), KiB. */
  peakRssKiB?: number;
  report?: ReportDigest;
  /** An Ansible measure: the last run's recap (a no-op run says changed=0). */
  recap?: AnsibleRecap;
  /**
   * The share of the measure's wall time during which some task on the machine waited for a CPU
   * (/proc/pressure/cpu, "some"): how busy the shared machine was while it was timed.
   */
  cpuPressure?: number;
}

export function digestReport(report: Pick<RunReport, 'hosts' | 'summary'>): ReportDigest {
  const hosts = report.hosts;
  const statuses: Record<string, number> = {};
  for (const h of hosts) statuses[h.status] = (statuses[h.status] ?? 0) + 1;
  const phasesMedianMs = { ...NO_PHASES };
  for (const phase of Object.keys(NO_PHASES) as Array<keyof PhaseTimes>) {
    const values = hosts.flatMap((h) => (h.phasesMs ? [h.phasesMs[phase]] : []));
    phasesMedianMs[phase] = values.length > 0 ? Math.round(median(values)) : 0;
  }
  return {
    statuses,
    roundTripsMax: Math.max(0, ...hosts.map((h) => h.roundTrips)),
    connectionsMax: Math.max(0, ...hosts.map((h) => h.connections)),
    runMs: report.summary.durationMs,
    slowestHostMs: Math.max(0, ...hosts.map((h) => h.durationMs)),
    phasesMedianMs,
    packages: (hosts[0]?.changes ?? []).filter((c) => c.type === 'package').map((c) => c.name),
  };
}

/**
 * GNU time's output with `-f %M` appended once per run: the peak resident set size in KiB on a
 * line of its own (other lines, e.g. "Command exited with non-zero status", are skipped).
 */
export function peakRssOf(timeOutput: string): number | undefined {
  const values = timeOutput
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
  return values.length > 0 ? Math.max(...values) : undefined;
}

/** The PLAY RECAP line of `host` in ansible-playbook's output (undefined when there is none). */
export function ansibleRecapOf(output: string, host: string): AnsibleRecap | undefined {
  const line = output.split('\n').find((l) => l.trim().startsWith(`${host} `) && /\bok=\d+/.test(l));
  if (!line) return undefined;
  const field = (name: string): number => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1] ?? Number.NaN);
  const recap = { ok: field('ok'), changed: field('changed'), unreachable: field('unreachable'), failed: field('failed') };
  return Object.values(recap).every(Number.isFinite) ? recap : undefined;
}

/** The "some" line's total (microseconds of CPU stall so far) of /proc/pressure/cpu. */
export function pressureTotalOf(text: string): number | undefined {
  const total = /^some\b.*\btotal=(\d+)/m.exec(text)?.[1];
  return total === undefined ? undefined : Number(total);
}
