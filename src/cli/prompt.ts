// Asking for a password. On a terminal: a hidden prompt on stderr, nothing echoed. Without one
// (a script, a test, `pass show pi | orbis provision ... --ask-pass`): one line of stdin per
// question, in the order the questions are asked. Passwords never come from argv or the
// environment, where `ps` and /proc/PID/environ would show them.
import { createInterface } from 'node:readline';
import { Writable, type Readable } from 'node:stream';
import { Secret } from '../redact/secret.js';

export async function askHidden(question: string): Promise<Secret> {
  if (!process.stdin.isTTY) return new Secret(await readStdinLine(question), 'stdin');
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  process.stderr.write(question);
  muted = true;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  muted = false;
  rl.close();
  process.stderr.write('\n');
  return new Secret(answer, 'prompt');
}

/**
 * Lines of a stream handed out one at a time, for questions asked at different moments. The
 * stream is paused again once a line is there, so a run that asked everything it needed exits
 * even if the writer keeps the pipe open.
 */
export class LineReader {
  // What the stream delivered beyond the lines handed out so far (a pipe gives several lines
  // in one chunk), and whether it has ended.
  #pending = '';
  #ended = false;

  constructor(readonly stream: Readable) {}

  /** The next line, without its line break; rejects when the stream ends first. */
  next(question: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const stream = this.stream;
      // 'end' may have come while no question was waiting.
      if (stream.readableEnded) this.#ended = true;
      const take = (): boolean => {
        const newline = this.#pending.indexOf('\n');
        if (newline < 0 && !this.#ended) return false;
        const line = newline < 0 ? this.#pending : this.#pending.slice(0, newline);
        this.#pending = newline < 0 ? '' : this.#pending.slice(newline + 1);
        stream.off('data', onData);
        stream.off('end', onEnd);
        stream.pause();
        if (newline < 0 && line === '') {
          reject(new Error(`${question.trim().replace(/:$/, '')}: stdin ended before an answer (without a terminal, give one line per password on stdin, in the order asked)`));
        } else {
          resolve(line.replace(/\r$/, ''));
        }
        return true;
      };
      const onData = (chunk: Buffer | string): void => {
        this.#pending += chunk.toString();
        take();
      };
      const onEnd = (): void => {
        this.#ended = true;
        take();
      };
      if (take()) return;
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.resume();
    });
  }
}

let stdinLines: LineReader | undefined;

/** The next line of this process's stdin (see LineReader). */
export function readStdinLine(question: string): Promise<string> {
  stdinLines ??= new LineReader(process.stdin);
  return stdinLines.next(question);
}

/** A visible question on the terminal (stderr, so stdout stays for results); empty = `fallback`. */
export async function askLine(question: string, fallback: string): Promise<string> {
  const { createInterface: createPromptInterface } = await import('node:readline/promises');
  const rl = createPromptInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = (await rl.question(fallback === '' ? `${question}: ` : `${question} [${fallback}]: `)).trim();
    return answer === '' ? fallback : answer;
  } finally {
    rl.close();
  }
}
