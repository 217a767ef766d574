// Hidden password prompt on the terminal. Passwords never come from argv or the environment.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Secret } from '../config/secret.js';

export async function askHidden(question: string): Promise<Secret> {
  if (!process.stdin.isTTY) {
    throw new Error(`${question.trim()} needs a terminal (stdin is not a TTY); configure NOPASSWD sudo or SSH keys for unattended runs`);
  }
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
