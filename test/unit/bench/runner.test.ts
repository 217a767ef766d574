import { describe, expect, it } from 'vitest';
import { hyperfineArgs, timedArgv, timesFromHyperfineExport } from '../../bench/runner.js';

describe('bench runner', () => {
  const spec = { name: 'check-5', argv: ['/usr/bin/node', '/x/main.js', 'check', '-i', '/tmp/a b.yaml'], runs: 10, warmup: 1, env: {} };

  it('runs commands without a shell, each argument quoted for hyperfine', () => {
    expect(hyperfineArgs(spec, '/tmp/out.json')).toEqual([
      '-N', '--style', 'basic', '--runs', '10', '--warmup', '1', '--export-json', '/tmp/out.json', '--command-name', 'check-5',
      "/usr/bin/node /x/main.js check -i '/tmp/a b.yaml'",
    ]);
  });

  it('wraps the command in GNU time when its memory is wanted, and prepares and keeps output when asked', () => {
    const args = hyperfineArgs({ ...spec, prepare: ['node', 'fresh.js', 'lab', 'f1-', '1', '/w'], outputFile: '/w/check.json', rssFile: '/w/check.rss' }, '/w/e.json');
    expect(args).toContain('--prepare');
    expect(args[args.indexOf('--prepare') + 1]).toBe('node fresh.js lab f1- 1 /w');
    expect(args[args.indexOf('--output') + 1]).toBe('/w/check.json');
    expect(args.at(-1)).toBe("/usr/bin/time -a -o /w/check.rss -f %M /usr/bin/node /x/main.js check -i '/tmp/a b.yaml'");
    expect(timedArgv(spec)).toEqual(spec.argv);
  });

  it('reads the times of the runs from hyperfine\'s export', () => {
    expect(timesFromHyperfineExport(JSON.stringify({ results: [{ command: 'x', mean: 0.5, times: [0.4, 0.6] }] }))).toEqual([0.4, 0.6]);
    expect(() => timesFromHyperfineExport('{"results":[]}')).toThrow(/no times/);
  });
});
