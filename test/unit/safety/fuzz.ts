// Building blocks of the fuzz tests: a seeded PRNG (every failure replays from its seed), and the
// description of a generated fault: the text, and where orbis must report it.
import { afterAll, beforeAll, expect } from 'vitest';

/** mulberry32: small, fast, good enough to pick faults; the same seed gives the same cases. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** `length` characters drawn from `alphabet`. */
  word(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    return Array.from({ length }, () => this.pick([...alphabet])).join('');
  }
}

/** One seed per case, from the run's seed, the kind and the index: a case replays on its own. */
export function caseSeed(seed: number, kind: string, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const c of `${kind}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export function runSeed(env: Readonly<Record<string, string | undefined>>, fallback: number): number {
  const given = env['ORBIS_FUZZ_SEED'];
  if (given === undefined || given === '') return fallback;
  if (given === 'random') return Math.floor(Math.random() * 2 ** 32);
  const n = Number(given);
  if (!Number.isInteger(n)) throw new Error(`ORBIS_FUZZ_SEED must be an integer or "random", not ${given}`);
  return n >>> 0;
}

export interface Position {
  line: number;
  /** Undefined for problems about a whole line (CRLF line endings). */
  col?: number;
}

/** A generated input with one fault, and what orbis must say about it. */
export interface Injected {
  text: string;
  /** Where the first issue must be. */
  at: Position;
  /** 'error': loading fails with a ConfigError; 'warning': it loads, with this first warning. */
  outcome: 'error' | 'warning';
  /** The first issue's text must match (it proves the right fault was found). */
  says: RegExp;
  /** Values that must appear in no message: stream keys, and the pieces of an injected one. */
  secrets: readonly string[];
  /** The changed line, for the failure report. */
  shows: string;
}

/** Print the seed, and fail the file if any promise was rejected without a handler meanwhile. */
export function announceSeedAndWatchRejections(name: string, seed: number): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeAll(() => {
    console.info(`${name}: seed ${seed} (replay with ORBIS_FUZZ_SEED=${seed})`);
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });
}
