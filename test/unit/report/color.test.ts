// NO_COLOR (https://no-color.org): no colour codes in what orbis prints when it is set, when
// stderr is not a terminal, or when the terminal is dumb; FORCE_COLOR forces them (for CI logs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colorEnabled, forStream } from '../../../src/report/color.js';
import { ensureBuilt, runCli } from '../safety/cli.js';

const ESC = '\u001b[';
const red = (s: string): string => `${ESC}31m${s}${ESC}39m`;

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.text += chunk.toString('utf8');
      done();
    },
  }) as Writable & { isTTY: boolean; text: string };
  stream.isTTY = isTTY;
  stream.text = '';
  return stream;
}

describe('colour policy', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true], // present but empty does not count (no-color.org)
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [false, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
  ])('terminal %s, env %j: colour %s', (isTTY, env, expected) => {
    expect(colorEnabled({ isTTY }, env)).toBe(expected);
  });

  it('a stream without colour gets every write without colour codes, cursor moves kept', () => {
    const plain = sink(true);
    const out = forStream(plain, { NO_COLOR: '1' });
    out.write(`${red('✖')} salon: unreachable\n`);
    out.write(Buffer.from(`${ESC}2K${red('x')}\n`));
    expect(plain.text).toBe(`✖ salon: unreachable\n${ESC}2Kx\n`);
    expect((out as unknown as { isTTY: boolean }).isTTY).toBe(true);
    const coloured = sink(true);
    forStream(coloured, {}).write(red('ok'));
    expect(coloured.text).toBe(red('ok'));
  });
});

describe('the CLI honours NO_COLOR', () => {
  let home: string;
  beforeAll(() => {
    ensureBuilt();
    home = mkdtempSync(join(tmpdir(), 'orbis-color-'));
  }, 300_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const progressOf = async (env: Record<string, string>): Promise<string> => {
    const run = await runCli(['check', 'pi@127.0.0.1:1', '--roles', 'ffmpeg', '--known-hosts', join(home, 'known_hosts'), '--ssh-config', '/dev/null'], {
      cwd: home,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ...env },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unreachable');
    return run.stderr + run.stdout;
  };

  it('colours when forced, none with NO_COLOR even when forced, none into a pipe', async () => {
    expect(await progressOf({ FORCE_COLOR: '1' })).toContain(ESC);
    expect(await progressOf({ FORCE_COLOR: '1', NO_COLOR: '1' })).not.toContain(ESC);
    expect(await progressOf({})).not.toContain(ESC);
  }, 60_000);
});
