// What `npm run bench` measures and where: flags win over ORBIS_BENCH_* variables, which win over
// the defaults of issue #9 (1, 5 and 20 hosts; first provisions of 1 and 5). Pure.

export interface BenchOptions {
  /** Converged fleet sizes for `check` (and `apply` no-op above 1 host). */
  sizes: number[];
  /** Fresh fleet sizes for first provisions (and the apt-get baseline). */
  fresh: number[];
  /** Runs per no-op measure, and warm-up runs before them. */
  runs: number;
  warmup: number;
  /** Runs per first-provision measure (each on new hosts). */
  freshRuns: number;
  labName: string;
  subnet: string;
  /** Leave the lab up afterwards (to look around, or to run again). */
  keepLab: boolean;
  /** Where to write every result as JSON. */
  jsonOut?: string;
}

export interface RawOptions {
  sizes?: string;
  fresh?: string;
  runs?: string;
  warmup?: string;
  freshRuns?: string;
  labName?: string;
  subnet?: string;
  keepLab?: boolean;
  json?: string;
}

export const DEFAULTS = {
  sizes: '1,5,20',
  fresh: '1,5',
  runs: '10',
  warmup: '1',
  freshRuns: '3',
  labName: 'orbis-bench',
  subnet: '10.213.2.0/24',
} as const;

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

export function resolveOptions(raw: RawOptions, env: Readonly<Record<string, string | undefined>>): BenchOptions {
  const pick = (flag: string | undefined, name: string, fallback: string): string => flag ?? env[`ORBIS_BENCH_${name}`] ?? fallback;
  const json = raw.json ?? env.ORBIS_BENCH_JSON;
  return {
    sizes: sizeList('--sizes', pick(raw.sizes, 'SIZES', DEFAULTS.sizes)),
    fresh: sizeList('--fresh', pick(raw.fresh, 'FRESH', DEFAULTS.fresh)),
    runs: count('--runs', pick(raw.runs, 'RUNS', DEFAULTS.runs), 1),
    warmup: count('--warmup', pick(raw.warmup, 'WARMUP', DEFAULTS.warmup), 0),
    freshRuns: count('--fresh-runs', pick(raw.freshRuns, 'FRESH_RUNS', DEFAULTS.freshRuns), 1),
    labName: pick(raw.labName, 'LAB_NAME', DEFAULTS.labName),
    subnet: pick(raw.subnet, 'LAB_SUBNET', DEFAULTS.subnet),
    keepLab: raw.keepLab ?? env.ORBIS_BENCH_KEEP_LAB === '1',
    ...(json ? { jsonOut: json } : {}),
  };
}
