// Colour on the terminal only, and never with NO_COLOR (https://no-color.org). listr2's palette
// (colorette) decides once, from stdout, whether to colour; progress goes to stderr, so that
// alone would put escape codes into `orbis ... 2> log` run from a terminal. What orbis writes
// through `forStream` carries colour only when the stream it goes to should.

/** SGR sequences (colours, bold, dim): not the cursor moves the live renderer needs. */
const SGR = /\u001b\[[0-9;]*m/g;

const set = (value: string | undefined): boolean => value !== undefined && value !== '';

/** NO_COLOR wins; then FORCE_COLOR (unless 0/false); else only on a terminal that is not dumb. */
export function colorEnabled(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (set(env.NO_COLOR)) return false;
  if (set(env.FORCE_COLOR)) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function stripColor(text: string): string {
  return text.replace(SGR, '');
}

/** The stream itself, or (no colour wanted) the same stream with colour codes taken out of every write. */
export function forStream<T extends NodeJS.WritableStream>(stream: T, env: Readonly<Record<string, string | undefined>> = process.env): T {
  if (colorEnabled(stream as { isTTY?: boolean }, env)) return stream;
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...args: unknown[]) => boolean)(typeof chunk === 'string' ? stripColor(chunk) : Buffer.isBuffer(chunk) ? stripColor(chunk.toString('utf8')) : chunk, ...rest);
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
