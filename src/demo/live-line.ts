// One line that shows a long step is alive: on a terminal, a spinner, what the step is at and its
// seconds, rewritten in place; without one (CI, a pipe, a file), the same words as a line now and
// then, never more often than every PLAIN_EVERY_MS, so a log stays short. stop() leaves nothing
// behind on a terminal: the step prints its own result line next.

/** Without a terminal: the least time between two lines (and the first comes after it). */
export const PLAIN_EVERY_MS = 10_000;
/** On a terminal: how often the spinner turns and the seconds count. */
const TICK_MS = 125;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface LiveLineOptions {
  /** Rewrite one line in place (a terminal), or write whole lines now and then. */
  tty: boolean;
  /** Writes raw text (no newline added). */
  write: (text: string) => void;
  /** The terminal's width: a line longer than that would wrap, and `\r` would not go back. */
  columns?: number;
  /** Put before the words (the demo's step detail is indented). */
  indent?: string;
}

export class LiveLine {
  #text = '';
  #started = 0;
  #lastLine = 0;
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LiveLineOptions) {}

  /** Shows `text` from now, counting from now. */
  start(text: string): void {
    this.stop();
    this.#text = text;
    this.#started = Date.now();
    this.#lastLine = this.#started;
    this.#frame = 0;
    this.#timer = setInterval(() => this.#tick(), this.options.tty ? TICK_MS : 1000);
    // A step's line never keeps the process alive by itself.
    this.#timer.unref();
    if (this.options.tty) this.#draw();
  }

  /** What the step is at now; shown at the next turn of the spinner (or the next line). */
  set(text: string): void {
    this.#text = text;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Ends the line; on a terminal it is erased. Harmless when not running. */
  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.options.tty) this.options.write('\r\x1b[2K');
  }

  #tick(): void {
    if (this.options.tty) {
      this.#frame = (this.#frame + 1) % SPINNER.length;
      this.#draw();
      return;
    }
    const now = Date.now();
    if (now - this.#lastLine < PLAIN_EVERY_MS) return;
    this.#lastLine = now;
    this.options.write(`${this.options.indent ?? ''}${this.#text} (${this.#seconds(now)})\n`);
  }

  #draw(): void {
    const line = `${this.options.indent ?? ''}${SPINNER[this.#frame]} ${this.#text} (${this.#seconds(Date.now())})`;
    const width = this.options.columns ?? 80;
    const fitted = line.length < width ? line : `${line.slice(0, Math.max(0, width - 2))}…`;
    this.options.write(`\r\x1b[2K${fitted}`);
  }

  #seconds(now: number): string {
    return `${Math.floor((now - this.#started) / 1000)} s`;
  }
}
