// Live stream resilience (issue #12), measured on the stand-in ingest's recordings and on
// `orbis status`: one platform down never stops the other, the playlist loops inside one
// publish (a new playlist too), a BTFS outage heals by itself, and `orbis reconnect` touches
// only the platform it names. One Pi streams both platforms (640x360, ultrafast) through the
// whole file; the tests run in order and each leaves it streaming.
//
// Never offline (issue #22): the BTFS daemon stopped with the cache off (the slate) and warm
// (nothing seen), and A/V sync after loops of a clip that flashes and beeps once a second.
//
// ORBIS_E2E_OUTAGE_SEC sets how long a platform stays down (default 15, for CI; the issue's
// scenario is 60); ORBIS_E2E_BTFS_OUTAGE_SEC how long BTFS stays stopped (20; the slow tier 60);
// ORBIS_E2E_AV_LOOPS the loops before A/V is measured (3; the slow tier 20).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabState } from '../../src/lab/index.js';
import { freshHost, getLab, mustOnHost, releaseHost, waitFor } from './helpers/lab.js';
import { sampleArrivals } from './helpers/arrivals.js';
import { platformDown, platformUp } from './helpers/ingest.js';
import { isSlate, meanColour } from '../media/frames.js';
import { avSync } from '../media/sync.js';
import { FLASH_BEEP_NAME } from '../../src/lab/btfs-standin/content.js';
import { labConnection, orbis, watchStatus } from './helpers/orbis.js';
import { keysOnHost, mediaEnd, newestRecording, newKeys, newRecording, recordingNames, stackDiagnostics, stackEnv, StackPi, unitStarts } from './helpers/stack.js';

const OUTAGE_SEC = Number(process.env.ORBIS_E2E_OUTAGE_SEC ?? 15);
/** How long the BTFS daemon stays stopped (issue #22: 20 s in CI, 60 s in the slow tier). */
const BTFS_OUTAGE_SEC = Number(process.env.ORBIS_E2E_BTFS_OUTAGE_SEC ?? 20);
// Loops of the flash-and-beep clip before A/V sync is measured (the slow tier asks for 20).
const AV_LOOPS = Number(process.env.ORBIS_E2E_AV_LOOPS ?? 3);
/** A recording may lag the wall clock by this much (what the issue allows). */
const MARGIN_SEC = 2;
const keys = newKeys('resil');
const stack = new StackPi(['--var', 'LARGEUR_MAX=640', '--var', 'HAUTEUR_MAX=360']);
const printed: string[] = [];
let lab: LabState;
let oneVideo: string;
let twoVideos: string;

type Platform = 'dlive' | 'kick';
const other = (p: Platform): Platform => (p === 'dlive' ? 'kick' : 'dlive');
const keyOf = (p: Platform): string => keys[p];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const run = promisify(execFile);

function target(): string[] {
  return [`pi@${stack.host.address}`, ...labConnection(stack.host, stack.knownHosts)];
}

/** `orbis status --watch --json` on the Pi, every second, its output kept for the key check. */
function watch() {
  const w = watchStatus([...target(), '--interval', '1'], { env: stack.env });
  return {
    ...w,
    async stop() {
      const result = await w.stop();
      printed.push(JSON.stringify(result.reports), result.stderr);
      expect(result.reports.length, result.stderr).toBeGreaterThan(0);
      // One round trip per host per refresh: the connection stays open between refreshes.
      expect(result.reports.map((r) => r.hosts[0]?.roundTrips)).toEqual(result.reports.map(() => 1));
      return result.reports.map((r) => ({ at: r.receivedAt as number, host: r.hosts[0] as Record<string, any> }));
    },
  };
}

const platformState = (host: Record<string, any>, p: Platform): string | undefined =>
  (host.platforms as Array<{ platform: string; state: string }>).find((x) => x.platform === p)?.state;

/**
 * The newest recording of a platform, and where its media ends now, as an offset from the wall
 * clock. Right after a round of the playlist the stream lags by up to the pause between two
 * rounds, until the publisher catches up: of three looks a second apart, the least behind.
 */
async function growing(p: Platform) {
  const recording = await newestRecording(lab, p, keyOf(p));
  if (!recording) throw new Error(`no ${p} recording yet\n${await stackDiagnostics(stack.host)}`);
  let best: { at: number; end: number } | undefined;
  for (let look = 0; look < 3; look += 1) {
    if (look > 0) await sleep(1000);
    const at = Date.now();
    const end = await mediaEnd(recording.path);
    if (!best || end - at / 1000 > best.end - best.at / 1000) best = { at, end };
  }
  return { recording, ...(best as { at: number; end: number }) };
}

/**
 * The recording measured by `from` is still the newest one (nothing was published again), and
 * its media grew by the wall time since, give or take the margin.
 */
async function expectContinuous(p: Platform, from: Awaited<ReturnType<typeof growing>>): Promise<{ wallSec: number; grownSec: number }> {
  const now = await growing(p);
  const wallSec = (now.at - from.at) / 1000;
  const grownSec = now.end - from.end;
  process.stderr.write(`[resilience] ${p}: one recording, ${grownSec.toFixed(1)} s of media in ${wallSec.toFixed(1)} s of wall time\n`);
  expect(now.recording.file, `${p} published again`).toBe(from.recording.file);
  expect(grownSec).toBeGreaterThanOrEqual(wallSec - MARGIN_SEC);
  return { wallSec, grownSec };
}

/**
 * The BTFS daemon stopped for BTFS_OUTAGE_SEC, then started; returns when it was started. Kept
 * down: nothing may start it again meanwhile (orbis.service wants btfs.service), so a runtime
 * drop-in makes every start a no-op (a failed condition leaves the unit inactive). A mask cannot
 * do it: orbis's unit file in /etc wins over /run.
 */
async function btfsOutage(): Promise<number> {
  const dropIn = '/run/systemd/system/btfs.service.d/e2e-outage.conf';
  await mustOnHost(stack.host, `mkdir -p ${dirname(dropIn)} && printf '[Unit]\\nConditionPathExists=/nonexistent\\n' > ${dropIn} && systemctl daemon-reload && systemctl stop btfs.service`, { user: 'root' });
  await sleep(BTFS_OUTAGE_SEC * 1000);
  const backAt = Date.now();
  await mustOnHost(stack.host, `rm -f ${dropIn} && systemctl daemon-reload && systemctl start btfs.service`, { user: 'root' });
  return backAt;
}

describe('live stream resilience', () => {
  beforeAll(async () => {
    lab = await getLab();
    const [first, second] = lab.btfs.content;
    if (!first || !second) throw new Error('the lab holds fewer than two test videos');
    stack.host = await freshHost();
    oneVideo = join(dirname(stack.knownHosts), 'one.txt');
    twoVideos = join(dirname(stack.knownHosts), 'two.txt');
    writeFileSync(oneVideo, `${first.cid} # ${first.name}\n`);
    writeFileSync(twoVideos, `${first.cid} # ${first.name}\n${second.cid} # ${second.name}\n`);
    // A short playlist (one 6 s video): it loops all the time. DELAI_RECONNEXION=2: the streamer
    // comes back quickly after the BTFS outage.
    // CACHE_TAILLE_MAX_MIO=0: the first BTFS outage is the cache-less one; the cache is warmed for the second.
    stack.env = stackEnv(lab, keys, { ORBIS_LISTE_LECTURE: oneVideo, ORBIS_DELAI_RECONNEXION: '2', ORBIS_CACHE_TAILLE_MAX_MIO: '0', ORBIS_CACHE_DISQUE_LIBRE_MIN_MIO: '0' });
    const started = Date.now();
    const result = await stack.provision(['--json', '--no-verify']);
    expect(result.code, result.stderr).toBe(0);
    await Promise.all((['dlive', 'kick'] as const).map((p) => newRecording(lab, p, keyOf(p), new Set(), 60_000)));
    process.stderr.write(`[resilience] provisioned and streaming to both platforms in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
  afterAll(async () => {
    if (lab) await Promise.all((['dlive', 'kick'] as const).map((p) => platformUp(lab, p).catch(() => undefined)));
    await releaseHost(stack.host);
  });

  for (const down of ['kick', 'dlive'] as const) {
    const up = other(down);
    it(`${down} down for ${OUTAGE_SEC} s: ${up} keeps one recording throughout, ${down} records again within 30 s of its return, and status showed it`, async () => {
      const status = watch();
      const beforeDown = await recordingNames(lab, down, keyOf(down));
      await sleep(2000);
      const kept = await growing(up);
      const downAt = Date.now();
      await platformDown(lab, down);
      await sleep(OUTAGE_SEC * 1000);
      const backAt = Date.now();
      await platformUp(lab, down);
      const again = await newRecording(lab, down, keyOf(down), beforeDown, 30_000);
      process.stderr.write(`[resilience] ${down} recorded again ${((Date.now() - backAt) / 1000).toFixed(1)} s after it came back\n`);
      // Status sees the push connected again (nginx connects it, then /stat says so).
      await waitFor(`status to show ${down} connected`, async () => (status.reports.some((r) => (r.receivedAt as number) > backAt && platformState(r.hosts[0]!, down) === 'connected') ? true : undefined), 20_000, 250);
      await expectContinuous(up, kept);
      expect(again.bytes).toBeGreaterThan(0);

      const seen = await status.stop();
      // During the outage (after nginx noticed it): this platform not connected, the other one
      // connected, the Pi degraded, and the problem named.
      const during = seen.filter((s) => s.at > downAt + 5000 && s.at < backAt);
      expect(during.length).toBeGreaterThan(0);
      for (const s of during) {
        expect(platformState(s.host, down), JSON.stringify(s.host)).not.toBe('connected');
        expect(platformState(s.host, up), JSON.stringify(s.host)).toBe('connected');
        expect(s.host.status).toBe('degraded');
        expect((s.host.problems as string[]).join('\n')).toMatch(new RegExp(`^${down === 'kick' ? 'Kick' : 'DLive'}: .*retries every 3 s`, 'm'));
      }
      if (down === 'kick') expect(during.at(-1)?.host.lastError?.message).toMatch(/s_connect: connect .*:443: Connection refused/);
      const after = seen.filter((s) => s.at > backAt);
      expect(after.at(-1)?.host.status).toBe('ok');
    });
  }

  it('`orbis reconnect --platform kick`: a new Kick recording, DLive\'s recording goes on untouched', async () => {
    const beforeKick = await recordingNames(lab, 'kick', keys.kick);
    const dlive = await growing('dlive');
    const result = await orbis(['reconnect', ...target(), '--platform', 'kick', '--json'], { env: stack.env });
    printed.push(result.stdout, result.stderr);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { hosts: Array<Record<string, any>> };
    expect(report.hosts[0]).toMatchObject({
      status: 'ok',
      platforms: [{ platform: 'kick', dropped: 1, reconnected: true }],
      others: [{ platform: 'dlive', untouched: true, state: 'connected' }],
    });
    await newRecording(lab, 'kick', keys.kick, beforeKick, 30_000);
    await expectContinuous('dlive', dlive);
  });

  it('two full loops of the playlist, and a new playlist from the next loop on, all in one recording per platform, with no restart', async () => {
    const status = watch();
    const starts = await unitStarts(stack.host, ['orbis.service', 'nginx.service']);
    const kept = { dlive: await growing('dlive'), kick: await growing('kick') };
    const roundNow = async () => {
      const r = await waitFor('a status with the playlist round', async () => status.reports.at(-1)?.hosts[0]?.stream?.round as number | undefined, 15_000);
      return r;
    };
    const first = await roundNow();
    // The new playlist: a file change, no handler, the streamer is not restarted.
    const changed = await stack.provision(['--json', '--no-verify', '--var', `LISTE_LECTURE=${twoVideos}`]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.json?.hosts[0]?.changes.map((c) => c.name)).toEqual(['/etc/orbis/liste-lecture.txt']);
    expect(changed.json?.hosts[0]?.handlers).toEqual([]);
    const changedAt = Date.now();
    // The next round plays both videos; then two full rounds of the new playlist.
    const firstNew = await waitFor('a round of the new playlist', async () => {
      const s = status.reports.at(-1)?.hosts[0]?.stream;
      return s && (s.round as number) > first && s.videos === 2 ? (s.round as number) : undefined;
    }, 30_000);
    const newSeenSec = (Date.now() - changedAt) / 1000;
    await waitFor('two full rounds of the new playlist', async () => ((status.reports.at(-1)?.hosts[0]?.stream?.round as number) >= firstNew + 2 ? true : undefined), 60_000, 250);
    process.stderr.write(`[resilience] new playlist: its first round (${firstNew}) seen ${newSeenSec.toFixed(1)} s after provision ended; rounds ${first}..${firstNew + 2} in one publish\n`);
    for (const p of ['dlive', 'kick'] as const) await expectContinuous(p, kept[p]);
    expect(await unitStarts(stack.host, ['orbis.service', 'nginx.service'])).toEqual(starts);
    const seen = await status.stop();
    expect(seen.every((s) => s.host.status === 'ok'), JSON.stringify(seen.filter((s) => s.host.status !== 'ok').map((s) => s.host))).toBe(true);
  });

  it(`BTFS stopped for ${BTFS_OUTAGE_SEC} s: the slate goes on air, each platform keeps ONE recording with no gap over 2 s, and the playlist resumes by itself`, async () => {
    const status = watch();
    const starts = await unitStarts(stack.host, ['orbis.service']);
    const kept = { dlive: await growing('dlive'), kick: await growing('kick') };
    const arrivals = { dlive: sampleArrivals(lab, 'dlive', keyOf('dlive')), kick: sampleArrivals(lab, 'kick', keyOf('kick')) };
    const downAt = Date.now();
    const backAt = await btfsOutage();
    const resumed = await waitFor('a video on air again', async () => {
      const r = status.reports.find((x) => (x.receivedAt as number) > backAt && x.hosts[0]?.stream?.onAir === 'video');
      return r ? (r.receivedAt as number) : undefined;
    }, 30_000, 250);
    process.stderr.write(`[resilience] BTFS back: a video on air again ${((resumed - backAt) / 1000).toFixed(1)} s later\n`);
    await sleep(8000);
    const seen = await status.stop();

    for (const p of ['dlive', 'kick'] as const) {
      const a = await arrivals[p].stop();
      process.stderr.write(`[resilience] ${p} during the BTFS outage: longest arrival gap ${(a.longestGapMs / 1000).toFixed(2)} s, recordings ${a.files.length}, bytes per second ${a.perSecond.join(' ')}\n`);
      expect(a.files, `${p}: the platform saw the stream end`).toEqual([kept[p].recording.file]);
      expect(a.longestGapMs, `${p}: nothing arrived for ${a.longestGapMs} ms from ${new Date(a.gapFromMs).toISOString()}`).toBeLessThanOrEqual(2000);
      // Media time kept pace with the wall clock (within 5 %), in the same recording.
      const { wallSec, grownSec } = await expectContinuous(p, kept[p]);
      expect(Math.abs(grownSec - wallSec) / wallSec).toBeLessThanOrEqual(0.05);
      // The middle of the outage, in the recording, is the slate; after the return, the playlist.
      const at = (ms: number) => kept[p].end + (ms - kept[p].at) / 1000;
      expect(isSlate(await meanColour(kept[p].recording.path, at(downAt + (BTFS_OUTAGE_SEC * 1000) / 2))), `${p}: the slate in the middle of the outage`).toBe(true);
      expect(isSlate(await meanColour(kept[p].recording.path, at(resumed + 4000))), `${p}: a video after the return`).toBe(false);
    }
    // The streamer itself never stopped.
    expect(await unitStarts(stack.host, ['orbis.service'])).toEqual(starts);

    const during = seen.filter((s) => s.at > downAt + 8000 && s.at < backAt);
    expect(during.length).toBeGreaterThan(0);
    for (const s of during) {
      expect(s.host.status).toBe('degraded');
      expect(s.host.stream?.publishing).toBe(true);
      expect(s.host.stream?.onAir).toBe('slate');
      expect(s.host.stream?.slateReason).toMatch(/^the BTFS gateway (does not serve|stopped serving) http:\/\/127\.0\.0\.1:8080\/btfs\/Qm/);
      // The cause first: BTFS, then what follows from it.
      expect(s.host.problems[0]).toMatch(/^btfs\.service is inactive .*the streamer has no source/);
      expect((s.host.problems as string[]).join('\n')).toContain('the BTFS gateway does not answer');
      expect((s.host.problems as string[]).join('\n')).toMatch(/on the slate for \d+ s: the BTFS gateway/);
      expect(s.host.gateway).toBe('down');
    }
    const after = seen.filter((s) => s.at > resumed + 1000);
    expect(after.length).toBeGreaterThan(0);
    for (const s of after) expect(s.host.stream?.onAir, JSON.stringify(s.host.stream)).toBe('video');
  });

  it(`BTFS stopped for ${BTFS_OUTAGE_SEC} s with the prefetch cache warm: not seen on air (no slate, no gap), nothing restarted`, async () => {
    // The cache turned on: its own settings file, read at its next pass; nothing restarts.
    const starts = await unitStarts(stack.host, ['orbis.service', 'orbis-cache.service']);
    // (The playlist stays the two videos an earlier test set.)
    const on = await stack.provision(['--json', '--no-verify', '--var', 'CACHE_TAILLE_MAX_MIO=64', '--var', `LISTE_LECTURE=${twoVideos}`]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.json?.hosts[0]?.changes.map((c) => c.name)).toEqual(['/etc/orbis/cache.conf']);
    expect(on.json?.hosts[0]?.handlers).toEqual([]);
    const status = watch();
    await waitFor('the playlist in the cache', async () => ((status.reports.at(-1)?.hosts[0]?.cache?.cached as number) >= 1 ? true : undefined), 60_000, 250);
    // Played from disk from the next video on.
    await sleep(8000);
    const kept = { dlive: await growing('dlive'), kick: await growing('kick') };
    const arrivals = { dlive: sampleArrivals(lab, 'dlive', keyOf('dlive')), kick: sampleArrivals(lab, 'kick', keyOf('kick')) };
    const downAt = Date.now();
    await btfsOutage();
    await sleep(5000);
    const seen = await status.stop();
    for (const p of ['dlive', 'kick'] as const) {
      const a = await arrivals[p].stop();
      process.stderr.write(`[resilience] ${p} during the BTFS outage, cache warm: longest arrival gap ${(a.longestGapMs / 1000).toFixed(2)} s, recordings ${a.files.length}\n`);
      expect(a.files).toEqual([kept[p].recording.file]);
      expect(a.longestGapMs).toBeLessThanOrEqual(2000);
      await expectContinuous(p, kept[p]);
    }
    const during = seen.filter((s) => s.at > downAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((s) => s.host.stream?.onAir !== 'video').map((s) => s.host.stream)).toEqual([]);
    expect(await unitStarts(stack.host, ['orbis.service', 'orbis-cache.service'])).toEqual(starts);
  });

  it(`A/V in sync across loops: a clip that flashes and beeps once a second, ${AV_LOOPS} loops in one publish, flash and beep within 100 ms at each platform`, async () => {
    const clip = lab.btfs.content.find((c) => c.name === FLASH_BEEP_NAME);
    if (!clip) throw new Error(`the lab holds no ${FLASH_BEEP_NAME}`);
    const list = join(dirname(stack.knownHosts), 'flash-beep.txt');
    writeFileSync(list, `${clip.cid} # ${clip.name}\n`);
    const status = watch();
    const changed = await stack.provision(['--json', '--no-verify', '--var', `LISTE_LECTURE=${list}`]);
    expect(changed.code, changed.stderr).toBe(0);
    const stream = () => status.reports.at(-1)?.hosts[0]?.stream as { round?: number; source?: string; onAir?: string } | undefined;
    const first = await waitFor('the clip on air', async () => (stream()?.source?.endsWith(clip.cid) ? stream()?.round : undefined), 60_000, 250);
    // One loop more than measured: the recording's last AV_LOOPS x 5 s are then the clip's alone.
    await waitFor(`${AV_LOOPS + 1} loops of the clip`, async () => ((stream()?.round ?? 0) >= first + AV_LOOPS + 1 ? true : undefined), (AV_LOOPS * 5 + 40) * 1000, 250);
    await status.stop();
    for (const p of ['dlive', 'kick'] as const) {
      const recording = await newestRecording(lab, p, keyOf(p));
      if (!recording) throw new Error(`no ${p} recording`);
      // The loops just played: the recording's last AV_LOOPS x 5 s (less a second at the end, which
      // FFmpeg may not have flushed yet).
      const end = await mediaEnd(recording.path);
      const loops = join(dirname(stack.knownHosts), `loops-${p}.flv`);
      await run('ffmpeg', ['-v', 'error', '-y', '-ss', String(Math.max(0, end - AV_LOOPS * 5)), '-i', recording.path, '-t', String(AV_LOOPS * 5 - 1), '-c', 'copy', loops]);
      const sync = await avSync(loops);
      process.stderr.write(`[resilience] A/V at ${p} over ${AV_LOOPS} loops: ${sync.flashes} flashes, ${sync.beeps} beeps, worst offset ${(sync.worst * 1000).toFixed(0)} ms\n`);
      // A flash each second, each with its beep (the cut may leave one alone at either end).
      expect(sync.offsets.length, JSON.stringify(sync)).toBeGreaterThanOrEqual(AV_LOOPS * 5 - 3);
      expect(sync.unpaired, JSON.stringify(sync)).toBeLessThanOrEqual(2);
      expect(sync.worst, JSON.stringify(sync)).toBeLessThan(0.1);
    }
  });

  it('no stream key in anything status or reconnect printed, nor readable on the Pi', async () => {
    const all = [...printed, ...stack.printed].join('\n');
    expect(all).not.toContain(keys.dlive);
    expect(all).not.toContain(keys.kick);
    expect(await keysOnHost(stack.host, [keys.dlive, keys.kick])).toEqual([]);
  });
});
