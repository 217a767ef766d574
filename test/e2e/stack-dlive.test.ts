// The stack with one platform from the start (`--platforms dlive`, upstream's `diffuser.sh -p
// dlive`) and a playlist of the user's own (LISTE_LECTURE): only DLive's key is needed, stunnel is
// not even installed, and the stream DLive records plays the playlist at the configured size.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabState } from '../../src/lab/index.js';
import { freshHost, getLab, mustOnHost, onHost, releaseHost, waitFor } from './helpers/lab.js';
import { sampleArrivals } from './helpers/arrivals.js';
import { labConnection, orbis } from './helpers/orbis.js';
import { expectMedia, keysOnHost, newestRecording, newKeys, newRecording, recordingNames, stackEnv, StackPi, unitStarts, unitStates } from './helpers/stack.js';

const WIDTH = 480;
const HEIGHT = 270;
const keys = newKeys('dlive1');
const stack = new StackPi(['--platforms', 'dlive', '--var', `LARGEUR_MAX=${WIDTH}`, '--var', `HAUTEUR_MAX=${HEIGHT}`]);
let lab: LabState;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `orbis status --json` of the Pi: its one host (printed output kept for the key check). */
async function orbisStatus(): Promise<Record<string, any> | undefined> {
  const r = await orbis(['status', `pi@${stack.host.address}`, ...labConnection(stack.host, stack.knownHosts), '--platforms', 'dlive', '--json'], { env: stack.env });
  stack.printed.push(r.stdout, r.stderr);
  return (r.json?.hosts[0] as Record<string, any> | undefined) ?? undefined;
}

describe('the stack on a fresh Pi, DLive only, with a playlist', () => {
  beforeAll(async () => {
    lab = await getLab();
    const [first, second] = lab.btfs.content;
    if (!first || !second) throw new Error('the lab holds fewer than two test videos');
    // Upstream's ldl/*.txt format: a bare CID and a gateway URL, titles after them.
    const playlist = join(dirname(stack.knownHosts), 'liste.txt');
    writeFileSync(playlist, `# e2e playlist\n${first.cid}   # ${first.name}\nhttp://127.0.0.1:8080/btfs/${second.cid} # ${second.name}\n`);
    // Only DLive's key: Kick is off, so its key is not asked for.
    // BLOCAGE_MAX=10: a stalled stream is noticed quickly.
    // CACHE_TAILLE_MAX_MIO=0: the BTFS crash below reaches the streamer (a warm cache hides it; resilience.test.ts).
    stack.env = stackEnv(lab, { dlive: keys.dlive }, { ORBIS_LISTE_LECTURE: playlist, ORBIS_BLOCAGE_MAX: '10', ORBIS_CACHE_TAILLE_MAX_MIO: '0' });
    stack.host = await freshHost();
  });
  afterAll(async () => {
    await releaseHost(stack.host);
  });

  it('provisions without Kick: DLive records the playlist at the configured size, Kick gets nothing', async () => {
    const before = await recordingNames(lab, 'dlive', keys.dlive);
    const result = await stack.provision(['--json']);
    expect(result.code, result.stderr).toBe(0);
    const changes = result.json?.hosts[0]?.changes ?? [];
    expect(changes.filter((c) => c.role === 'stunnel')).toEqual([]);

    expect(await unitStates(stack.host, ['nginx.service', 'btfs.service', 'orbis.service'])).toEqual({
      'nginx.service': 'active/enabled',
      'btfs.service': 'active/enabled',
      'orbis.service': 'active/enabled',
    });
    // No tunnel at all: the package is not even installed.
    expect((await onHost(stack.host, 'dpkg -s stunnel4', { user: 'root' })).code).not.toBe(0);
    expect((await onHost(stack.host, 'test -e /etc/stunnel/kick.conf', { user: 'root' })).code).toBe(1);
    const rtmp = await mustOnHost(stack.host, 'cat /etc/nginx/orbis/rtmp.conf', { user: 'root' });
    expect(rtmp.split('\n').filter((l) => /^\s*push /.test(l)).map((l) => l.trim())).toEqual([expect.stringMatching(/^push rtmp:\/\/stream\.dlive\.tv\/live playPath=/)]);

    // The playlist on the Pi: both videos, through the Pi's gateway, titles kept.
    const [first, second] = lab.btfs.content;
    expect(await mustOnHost(stack.host, 'grep -v "^#" /etc/orbis/liste-lecture.txt', { user: 'root' })).toBe(
      `http://127.0.0.1:8080/btfs/${first?.cid}  # ${first?.name}\nhttp://127.0.0.1:8080/btfs/${second?.cid}  # ${second?.name}\n`,
    );

    const recording = await newRecording(lab, 'dlive', keys.dlive, before, 30_000, 256 * 1024);
    await expectMedia(recording, {
      video: { codec_name: 'h264', profile: 'Main', width: WIDTH, height: HEIGHT, r_frame_rate: '30/1' },
      audio: { codec_name: 'aac', sample_rate: '44100', channels: 2 },
    });
    // Kick: off, and nothing was pushed to it (there is not even a key to push with).
    expect(await recordingNames(lab, 'kick', keys.kick)).toEqual(new Set());
    // The streamer plays both videos of the playlist (its state says which is on air), in one publish.
    const onAir = new Set<string>();
    await waitFor('both videos on air in turn', async () => {
      const tour = await mustOnHost(stack.host, 'cat /run/orbis/tour', { user: 'root' });
      expect(tour).toMatch(/^videos=2$/m);
      const source = /^source=(\S+)$/m.exec(tour)?.[1];
      if (source) onAir.add(source);
      return onAir.size === 2 ? true : undefined;
    }, 30_000, 250);
    expect([...onAir].sort()).toEqual([`http://127.0.0.1:8080/btfs/${first?.cid}`, `http://127.0.0.1:8080/btfs/${second?.cid}`].sort());
  });

  it('a second run changes nothing; --check agrees and exits 0', async () => {
    const again = await stack.provision(['--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json?.hosts[0]?.changes, again.stdout).toEqual([]);
    const check = await stack.provision(['--check']);
    expect(check.code, check.stdout).toBe(0);
  });

  it('BTFS crashing mid-stream: the slate covers it, systemd brings BTFS back, and DLive never sees the stream end', async () => {
    const before = await newestRecording(lab, 'dlive', keys.dlive);
    const starts = await unitStarts(stack.host, ['orbis.service']);
    const arrivals = sampleArrivals(lab, 'dlive', keys.dlive);
    const crashedAt = Date.now();
    await mustOnHost(stack.host, 'kill -KILL "$(systemctl show -p MainPID --value btfs.service)"', { user: 'root' });
    // The streamer goes back to the playlist once the restarted daemon serves it again.
    const tour = 'cat /run/orbis/tour';
    await waitFor('the slate on air', async () => (/^on_air=slate$/m.test(await mustOnHost(stack.host, tour, { user: 'root' })) ? true : undefined), 30_000, 250);
    await waitFor('a video on air again', async () => (/^on_air=video$/m.test(await mustOnHost(stack.host, tour, { user: 'root' })) ? true : undefined), 60_000, 250);
    process.stderr.write(`[stack-dlive] BTFS killed: a video on air again ${((Date.now() - crashedAt) / 1000).toFixed(1)} s later\n`);
    await sleep(3000);
    const a = await arrivals.stop();
    expect(a.files, 'DLive saw the stream end').toEqual([before?.file]);
    expect(a.longestGapMs).toBeLessThanOrEqual(2000);
    expect(await unitStarts(stack.host, ['orbis.service'])).toEqual(starts);
    expect(await unitStates(stack.host, ['btfs.service', 'orbis.service'])).toEqual({ 'btfs.service': 'active/enabled', 'orbis.service': 'active/enabled' });
  });

  it('a playlist whose only video the BTFS network lacks: on the slate, live, the video reported as skipped', async () => {
    const missing = join(dirname(stack.knownHosts), 'missing.txt');
    writeFileSync(missing, 'QmZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ # nowhere\n');
    const before = await newestRecording(lab, 'dlive', keys.dlive);
    const starts = await unitStarts(stack.host, ['orbis.service']);
    const changed = await stack.provision(['--json', '--no-verify', '--var', `LISTE_LECTURE=${missing}`]);
    expect(changed.code, changed.stderr).toBe(0);
    const status = await waitFor('the slate, in status', async () => {
      const r = await orbisStatus();
      return r?.stream?.onAir === 'slate' && (r.stream.skipped ?? []).length > 0 ? r : undefined;
    }, 60_000, 1000);
    expect(status.status).toBe('degraded');
    expect(status.stream?.publishing).toBe(true);
    expect(status.stream?.skipped?.[0]).toMatchObject({ source: 'http://127.0.0.1:8080/btfs/QmZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ' });
    expect(status.stream?.skipped?.[0]?.why).toMatch(/^the gateway answered HTTP 5\d\d|^curl: \(28\)/);
    expect(status.problems.join('\n')).toMatch(/on the slate for \d+ s: the BTFS gateway does not serve http:\/\/127\.0\.0\.1:8080\/btfs\/QmZZZ/);
    // Still the same publish: the playlist change did not restart the streamer.
    expect(await unitStarts(stack.host, ['orbis.service'])).toEqual(starts);
    expect((await newestRecording(lab, 'dlive', keys.dlive))?.file).toBe(before?.file);
  });

  it('a streamer that keeps failing (FFmpeg cannot run) gives up after TENTATIVES_RECONNEXION restarts; the next provision starts it again', async () => {
    const failing = await stack.provision(['--json', '--no-verify', '--var', 'TENTATIVES_RECONNEXION=1', '--var', 'DELAI_RECONNEXION=2']);
    expect(failing.code, failing.stderr).toBe(0);
    // FFmpeg made unrunnable for the service's user: the publisher fails at once, every start.
    await mustOnHost(stack.host, 'chmod o-x /usr/bin/ffmpeg && systemctl restart orbis.service', { user: 'root' });
    try {
      // Start, 1 restart 2 s later, then systemd refuses a third start: failed, and says why.
      const gaveUp = 'journalctl -u orbis.service -o cat --no-pager -n 40 | grep -c "Start request repeated too quickly"';
      await waitFor('orbis.service to give up', async () => ((await onHost(stack.host, gaveUp, { user: 'root' })).stdout.trim() !== '0' ? true : undefined), 60_000, 500);
      expect(await mustOnHost(stack.host, 'systemctl show -p ActiveState --value orbis.service', { user: 'root' })).toBe('failed\n');
      expect(Number(await mustOnHost(stack.host, 'systemctl show -p NRestarts --value orbis.service', { user: 'root' }))).toBeGreaterThanOrEqual(1);
      const journal = await mustOnHost(stack.host, 'journalctl -u orbis.service -o cat --no-pager -n 60', { user: 'root' });
      expect(journal).toContain('the publisher stopped (FFmpeg exit 126)');
    } finally {
      await mustOnHost(stack.host, 'chmod o+x /usr/bin/ffmpeg', { user: 'root' });
    }

    // FFmpeg back and the real playlist: provisioning starts the streamer that gave up, and DLive gets it.
    const before = await recordingNames(lab, 'dlive', keys.dlive);
    // --no-verify: this test is about the unit coming back (asserted below); the verify step right
    // after a give-up was seen to fail once under load (restart counter still moving), see the note.
    const fixed = await stack.provision(['--json', '--no-verify']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(await unitStates(stack.host, ['orbis.service'])).toEqual({ 'orbis.service': 'active/enabled' });
    await newRecording(lab, 'dlive', keys.dlive, before, 30_000);
  });

  it('the DLive key is nowhere orbis printed, nor readable on the Pi', async () => {
    const all = stack.printed.join('\n');
    expect(all).not.toContain(keys.dlive);
    expect(await keysOnHost(stack.host, [keys.dlive])).toEqual([]);
  });
});
