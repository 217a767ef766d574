// What `npm run bench` measures and where: flags win over ORBIS_BENCH_* variables, which win over
// the defaults of issues #9 and #20 (1, 5 and 20 idle hosts, `check` on the largest with each
// --forks of the sweep; first provisions of 1 and 5; one streaming Pi beside the Ansible peer
// playbook on an identical streaming host). Pure.
import { join } from 'node:path';

export interface BenchOptions {
  /** Converged fleet sizes for `check` (and `apply` no-op above 1 host). */
  sizes: number[];
  /** `--forks` values `check` runs with on each fleet size larger than the smallest of them. */
  forks: number[];
  /** Fresh fleet sizes for first provisions (and the apt-get baseline). */
  fresh: number[];
  /** Runs per no-op measure, and warm-up runs before them. */
  runs: number;
  warmup: number;
  /** Runs per first-provision measure (each on new hosts). */
  freshRuns: number;
  /** The streaming phase: a Pi with its streamer on air (and the Ansible peer, unless `ansible` is off). */
  streaming: boolean;
  /** The Ansible peer playbook on an identical streaming host (skipped, and said, when ansible-playbook is missing). */
  ansible: boolean;
  /** The peer's directory (site.yml, ansible.cfg, templates), used as it is. */
  ansiblePeer: string;
  /** Timed runs per Ansible measure (each takes tens of seconds), after `warmup` warm-ups. */
  ansibleRuns: number;
  labName: string;
  subnet: string;
  /** Leave the lab up afterwards (to look around, or to run again). */
  keepLab: boolean;
  /** Use the lab of that name as it is up (a run with --keep-lab left it) instead of booting a new one. */
  reuseLab: boolean;
  /** Where to write every result as JSON. */
  jsonOut?: string;
}

export interface RawOptions {
  sizes?: string;
  forks?: string;
  fresh?: string;
  runs?: string;
  warmup?: string;
  freshRuns?: string;
  streaming?: boolean;
  ansible?: boolean;
  ansiblePeer?: string;
  ansibleRuns?: string;
  labName?: string;
  subnet?: string;
  keepLab?: boolean;
  reuseLab?: boolean;
  json?: string;
}

export const DEFAULTS = {
  sizes: '1,5,20',
  forks: '10,20,50',
  fresh: '1,5',
  runs: '10',
  warmup: '1',
  freshRuns: '3',
  ansibleRuns: '3',
  labName: 'orbis-bench',
  subnet: '10.213.2.0/24',
} as const;

/** Where the peer playbook lives beside the checkout (DESIGN.md's ../shared/reference). */
export function defaultAnsiblePeer(packageRoot: string): string {
  return join(packageRoot, '..', 'shared', 'reference', 'ansible-peer');
}

export class BenchUsageError extends Error {}

function count(what: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new BenchUsageError(`${what}: expected a whole number >= ${min}, not "${text}"`);
  return n;
}

/** "1,5,20" -> [1, 5, 20]; "" or "none" -> [] (skip those measures). */
function sizeList(what: string, text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  const sizes = trimmed.split(',').map((part) => count(what, part.trim(), 1));
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** A switch from the environment: 0/1 (as ORBIS_BENCH_KEEP_LAB), anything else is a usage error. */
function envSwitch(env: Readonly<Record<string, string | undefined>>, name: string): boolean | undefined {
  const value = env[`ORBIS_BENCH_${name}`];
  if (value === undefined || value === '') return undefined;
  if (value === '0' || value === '1') return value === '1';
  throw new BenchUsageError(`ORBIS_BENCH_${name}: expected 0 or 1, not "${value}"`);
}

export function resolveOptions(raw: RawOptions, env: Readonly<Record<string, string | undefined>>, packageRoot = '.'): BenchOptions {
  const pick = (flag: string | undefined, name: string, fallback: string): string => flag ?? env[`ORBIS_BENCH_${name}`] ?? fallback;
  const json = raw.json ?? env.ORBIS_BENCH_JSON;
  return {
    sizes: sizeList('--sizes', pick(raw.sizes, 'SIZES', DEFAULTS.sizes)),
    forks: sizeList('--forks', pick(raw.forks, 'FORKS', DEFAULTS.forks)),
    fresh: sizeList('--fresh', pick(raw.fresh, 'FRESH', DEFAULTS.fresh)),
    runs: count('--runs', pick(raw.runs, 'RUNS', DEFAULTS.runs), 1),
    warmup: count('--warmup', pick(raw.warmup, 'WARMUP', DEFAULTS.warmup), 0),
    freshRuns: count('--fresh-runs', pick(raw.freshRuns, 'FRESH_RUNS', DEFAULTS.freshRuns), 1),
    // commander's --no-streaming gives false; an absent flag leaves the environment, then on.
    streaming: raw.streaming === false ? false : (envSwitch(env, 'STREAMING') ?? true),
    ansible: raw.ansible === false ? false : (envSwitch(env, 'ANSIBLE') ?? true),
    ansiblePeer: pick(raw.ansiblePeer, 'ANSIBLE_PEER', defaultAnsiblePeer(packageRoot)),
    ansibleRuns: count('--ansible-runs', pick(raw.ansibleRuns, 'ANSIBLE_RUNS', DEFAULTS.ansibleRuns), 1),
    labName: pick(raw.labName, 'LAB_NAME', DEFAULTS.labName),
    subnet: pick(raw.subnet, 'LAB_SUBNET', DEFAULTS.subnet),
    keepLab: raw.keepLab ?? env.ORBIS_BENCH_KEEP_LAB === '1',
    reuseLab: raw.reuseLab ?? env.ORBIS_BENCH_REUSE_LAB === '1',
    ...(json ? { jsonOut: json } : {}),
  };
}
