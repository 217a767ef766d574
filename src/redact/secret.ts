import { inspect } from 'node:util';

const MASK = '********';

/**
 * A value that must never be shown: stream keys, passwords. It renders into files on the Pi
 * (through `reveal()`), and everywhere else (string conversion, JSON, util.inspect, template
 * literals, error messages) it prints as a mask. Being its own type lets the compiler find every
 * place that needs the clear value.
 */
export class Secret {
  readonly #value: string;
  /** Where the value came from, for `orbis inventory` (never the value itself). */
  readonly origin: string;

  constructor(value: string, origin = 'unknown') {
    this.#value = value;
    this.origin = origin;
  }

  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }

  static readonly MASK = MASK;
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

/** Replace every occurrence of each secret's clear value in `text` by the mask. */
export function maskSecrets(text: string, secrets: Iterable<string | Secret>): string {
  let out = text;
  for (const s of secrets) {
    const clear = typeof s === 'string' ? s : s.reveal();
    if (clear.length === 0) continue;
    out = out.split(clear).join(MASK);
  }
  return out;
}
