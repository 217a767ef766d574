// Rolling batches for a fleet rollout: a canary batch first, then batches of `serial` hosts
// (a count or a percentage of the fleet), so a bad change never takes the whole fleet off air.
// Pure: hosts in, batches out.

export class RolloutOptionError extends Error {
  constructor(
    readonly option: string,
    message: string,
    readonly hint: string,
  ) {
    super(`${option}: ${message} (hint: ${hint})`);
    this.name = 'RolloutOptionError';
  }
}

/** `5` or `25%` -> a host count for a fleet of `total` (a percentage rounds down, at least 1). */
export function parseCount(option: string, text: string, total: number): number {
  const m = /^(\d+)(%?)$/.exec(text.trim());
  if (!m) throw new RolloutOptionError(option, `"${text}" is not a count`, 'give a whole number (3) or a percentage (25%)');
  const n = Number(m[1]);
  if (m[2] === '%') {
    if (n < 1 || n > 100) throw new RolloutOptionError(option, `${n}% is not between 1% and 100%`, 'give a percentage from 1% to 100%');
    return Math.max(1, Math.floor((total * n) / 100));
  }
  if (n < 1) throw new RolloutOptionError(option, 'must be at least 1', 'give a whole number of hosts, 1 or more');
  return n;
}

/** `--max-fail`: the share of hosts allowed to fail before the rollout stops, as a fraction. */
export function parseMaxFail(text: string): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (!m) throw new RolloutOptionError('--max-fail', `"${text}" is not a percentage`, 'e.g. --max-fail 0% stops at the first failure, 20% tolerates one host in five');
  const n = Number(m[1]);
  if (n > 100) throw new RolloutOptionError('--max-fail', `${n}% is more than 100%`, 'give a percentage from 0% to 100%');
  return n / 100;
}

export interface BatchPlan<T> {
  batches: T[][];
  /** The first batch is a canary: verified before the rest may start. */
  canary: boolean;
}

export function planBatches<T>(hosts: readonly T[], options: { serial?: string; canary?: string } = {}): BatchPlan<T> {
  const rest = [...hosts];
  const batches: T[][] = [];
  let canary = false;
  if (options.canary !== undefined && rest.length > 0) {
    const n = Math.min(parseCount('--canary', options.canary, hosts.length), rest.length);
    batches.push(rest.splice(0, n));
    canary = true;
  }
  const size = options.serial === undefined ? rest.length : parseCount('--serial', options.serial, hosts.length);
  while (rest.length > 0) batches.push(rest.splice(0, Math.max(1, size)));
  return { batches, canary };
}

export interface Rollout<T> {
  /** Hosts provisioned at once within a batch. */
  forks: number;
  /** The share of the fleet allowed to fail (0..1). */
  maxFail: number;
  plan: BatchPlan<T>;
}

/** `orbis apply`'s options, checked, for a fleet of `hosts`. */
export function planRollout<T>(hosts: readonly T[], options: { forks: string; maxFail: string; serial?: string; canary?: string }): Rollout<T> {
  return {
    forks: parseCount('--forks', options.forks, hosts.length),
    maxFail: parseMaxFail(options.maxFail),
    plan: planBatches(hosts, { ...(options.serial !== undefined ? { serial: options.serial } : {}), ...(options.canary !== undefined ? { canary: options.canary } : {}) }),
  };
}

/** Stop when more than `maxFail` of the whole fleet failed (a canary failure always stops). */
export function shouldStop(failed: number, total: number, maxFail: number, inCanary: boolean): boolean {
  if (failed === 0) return false;
  if (inCanary) return true;
  return failed / total > maxFail;
}
