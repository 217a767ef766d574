// Bounds the channels open at once on one SSH connection. OpenSSH's MaxSessions defaults to 10:
// the 11th concurrent exec/SFTP channel fails with "Channel open failure", so callers that fire
// many commands at once (facts, fleet handlers) wait here instead.

export class Semaphore {
  #available: number;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    this.#available = limit;
  }

  /** Slots in use right now. */
  get inUse(): number {
    return this.limit - this.#available;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#available > 0) {
      this.#available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    // Hand the slot straight to the next waiter (FIFO) rather than freeing it, so no late arrival
    // can overtake a task that has been waiting.
    const next = this.#waiting.shift();
    if (next) next();
    else this.#available++;
  }
}
