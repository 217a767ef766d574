// The demo's closing words: what happened, where things are, and what to run next.
import { describe, expect, it } from 'vitest';
import { formatArrivals, formatBytes, formatDuration, formatSummary, type DemoReport } from '../../../src/demo/report.js';

const CLI = ['node', 'dist/src/cli/main.js'];

const base: DemoReport = {
  ok: true,
  lab: { name: 'orbis-demo', subnet: '10.213.100.0/24', kept: false, upMs: 3000, downMs: 4200 },
  pi: { target: 'pi@10.213.100.10', address: '10.213.100.10' },
  conf: '/var/lib/orbis-lab/orbis-demo/demo/orbis.conf',
  provision: {
    status: 'changed',
    changes: 28,
    roundTrips: 4,
    durationMs: 73_000,
    verify: [
      { name: 'clock', status: 'warn', value: 'container', hint: 'sync the host' },
      { name: 'unit.nginx', status: 'pass' },
      { name: 'tls.kick', status: 'pass' },
    ],
  },
  stream: [
    { platform: 'dlive', ingest: 'rtmp://stream.dlive.tv/live', file: '********-1.flv', bytes: 4_000_000, grewBytes: 2_300_000, watchedMs: 5000, media: 'H.264 640x360 30 fps' },
    { platform: 'kick', ingest: 'rtmps://kick.test:443/app', file: '********-1.flv', bytes: 4_000_000, grewBytes: 2_300_000, watchedMs: 5000 },
  ],
  durationMs: 121_000,
};

describe('the demo summary', () => {
  it('says what happened, that the lab is gone, and where to go next', () => {
    const text = formatSummary(base, CLI);
    expect(text).toContain('Done in 2 min 1 s');
    expect(text).toContain('28 changes in 1 min 13 s, 4 SSH round trips');
    expect(text).toContain('2 checks passed, 1 warning (clock), 0 failed');
    expect(text).toContain('reached the stand-in DLive and Kick');
    expect(text).toContain('The lab is gone (torn down in 4.2 s).');
    expect(text).toContain('`node dist/src/cli/main.js init`');
    expect(text).not.toContain('--keep');
  });

  it('with --keep, prints the commands to look around and to remove the lab', () => {
    const next = {
      ssh: ['ssh', '-i', '/lab/ssh/id_ed25519', '-o', 'UserKnownHostsFile=/lab/ssh/known_hosts', 'pi@10.213.100.10'],
      check: [...CLI, 'check', 'pi@10.213.100.10', '--conf', '/lab/demo/orbis.conf'],
      verify: [...CLI, 'verify', 'pi@10.213.100.10', '--conf', '/lab/demo/orbis.conf'],
      down: [...CLI, 'lab', 'down', '--name', 'orbis-demo'],
    };
    const { downMs: _, ...lab } = base.lab;
    const text = formatSummary({ ...base, lab: { ...lab, kept: true }, next }, CLI);
    expect(text).toContain('The lab "orbis-demo" is still up (--keep) and the Pi keeps streaming');
    expect(text).toContain('\n  ssh -i /lab/ssh/id_ed25519 -o UserKnownHostsFile=/lab/ssh/known_hosts pi@10.213.100.10\n');
    expect(text).toContain('\n  node dist/src/cli/main.js check pi@10.213.100.10 --conf /lab/demo/orbis.conf\n');
    expect(text).toContain('\n  node dist/src/cli/main.js lab down --name orbis-demo\n');
    expect(text).not.toContain('The lab is gone');
  });

  it('on failure, says what failed and the hint, and not "Done"', () => {
    const text = formatSummary({ ...base, ok: false, stream: [], error: { message: 'provisioning the lab Pi failed: verify: 1 check failed', hint: 'see each check' }, durationMs: 9000 }, CLI);
    expect(text).toMatch(/^The demo failed after 9\.0 s: provisioning the lab Pi failed/);
    expect(text).toContain('  hint: see each check');
    expect(text).not.toContain('Done in');
    expect(text).not.toContain('Next, your own Pi');
  });

  it('shows each platform\'s recording, its size and growth', () => {
    expect(formatArrivals(base.stream)).toBe(
      [
        '  DLive stand-in (rtmp://stream.dlive.tv/live): ********-1.flv, 3.8 MB, +2.2 MB in the last 5.0 s',
        '    H.264 640x360 30 fps',
        '  Kick stand-in (rtmps://kick.test:443/app): ********-1.flv, 3.8 MB, +2.2 MB in the last 5.0 s',
      ].join('\n'),
    );
    expect([formatBytes(10), formatBytes(2048), formatDuration(59_400), formatDuration(60_000)]).toEqual(['10 B', '2 kB', '59.4 s', '1 min 0 s']);
  });
});
