import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineReader } from '../../../src/cli/prompt.js';

describe('LineReader (passwords on stdin without a terminal)', () => {
  it('hands out one line per question, from one chunk or split across chunks', async () => {
    const input = new PassThrough();
    const lines = new LineReader(input);
    input.write('first secret\nsec');
    expect(await lines.next('SSH password: ')).toBe('first secret');
    const second = lines.next('sudo password: ');
    input.write('ond\r\n');
    expect(await second).toBe('second');
  });

  it('pauses the stream between questions, so an open pipe does not keep the run alive', async () => {
    const input = new PassThrough();
    const lines = new LineReader(input);
    input.write('a\nb\n');
    await lines.next('q');
    expect(input.isPaused()).toBe(true);
    expect(input.listenerCount('data')).toBe(0);
  });

  it('gives a last line without a line break, an empty line as empty, and fails past the end', async () => {
    const input = new PassThrough();
    const lines = new LineReader(input);
    input.end('\nlast');
    expect(await lines.next('q1')).toBe('');
    expect(await lines.next('q2')).toBe('last');
    await expect(lines.next('sudo password:')).rejects.toThrow('sudo password: stdin ended before an answer');
  });
});
