// The streamer (templates/orbis-service/orbis-diffuser) as a Pi runs it, here: the script and
// its settings rendered by the real role, this machine's Debian FFmpeg and curl, a gateway on
// loopback serving what BTFS's gateway serves (./streamer-stand-ins.ts), and a local FLV file
// standing for the relay. The fast sibling of the never-offline e2e (issue #22), which
// does the same against the real stack on the lab: a video the gateway lacks and a file FFmpeg
// cannot read are skipped under the slate and reported; the gateway gone for 8 s puts the slate on
// air and the playlist resumes by itself; the published time stays continuous throughout.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStreamerState, type StreamerState } from '../../../src/verify/parse/streamer.js';
import { colourTimeline, isSlate, longestSlate } from '../../media/frames.js';
import { avSync, flashBeepAudio, flashBeepVideo } from '../../media/sync.js';
import { Gateway, rendered, writeStreamer } from './streamer-stand-ins.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTAGE_MS = 8000;

/** Video packet times of the recording. */
function videoTimes(flv: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', flv], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return out.split('\n').filter(Boolean).map(Number);
}

describe('the streamer, on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orbis-streamer-'));
  const www = join(dir, 'www');
  const run = join(dir, 'run');
  const flv = join(dir, 'published.flv');
  const gateway = new Gateway(www, 20000 + (process.pid % 20000));
  const url = (name: string) => `http://127.0.0.1:${gateway.port}/${name}`;
  const seen: Array<{ atMs: number; state: StreamerState }> = [];
  let streamer: ChildProcess;
  let startedAt = 0;
  let stoppedAt = 0;
  let stderr = '';
  let exit: Promise<number | null>;
  let outage = { from: 0, to: 0 };

  beforeAll(async () => {
    execFileSync('mkdir', ['-p', www, run]);
    for (const name of ['a', 'b']) {
      // A clip that flashes and beeps at once every second: the recording's A/V sync is measured on it.
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', flashBeepVideo('320x180', 30), '-f', 'lavfi', '-i', flashBeepAudio(44100), '-t', '3',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart', join(www, `${name}.mp4`)]);
    }
    // Served whole, but no video in it: FFmpeg cannot read it.
    writeFileSync(join(www, 'corrupt.mp4'), Buffer.concat([readFileSync(join(www, 'a.mp4')).subarray(0, 64), Buffer.alloc(50_000, 7)]));
    writeFileSync(join(dir, 'liste.txt'), [url('a.mp4'), `${url('missing.mp4')} # not on the gateway`, url('corrupt.mp4'), url('b.mp4')].join('\n') + '\n');
    const files = rendered();
    const streamerEnv = writeStreamer(dir, files, { liste: join(dir, 'liste.txt'), destination: flv });
    await gateway.start();

    startedAt = Date.now();
    streamer = spawn('bash', [join(dir, 'orbis-diffuser')], { env: { ...process.env, ...streamerEnv, RUNTIME_DIRECTORY: run, CACHE_DIRECTORY: join(dir, 'no-cache') }, stdio: ['ignore', 'ignore', 'pipe'] });
    streamer.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    exit = new Promise((resolve) => streamer.on('exit', (code) => resolve(code)));
    const look = async (untilMs: number) => {
      while (Date.now() < untilMs) {
        try {
          seen.push({ atMs: Date.now(), state: parseStreamerState('', readFileSync(join(run, 'tour'), 'utf8')) });
        } catch {
          // not written yet
        }
        await sleep(250);
      }
    };
    await look(startedAt + 12_000);
    outage = { from: Date.now(), to: Date.now() + OUTAGE_MS };
    await gateway.stop();
    await look(outage.to);
    await gateway.start();
    await look(Date.now() + 10_000);
    stoppedAt = Date.now();
    streamer.kill('SIGTERM');
    expect(await exit, stderr).toBe(143);
  }, 60_000);

  afterAll(async () => {
    streamer?.kill('SIGKILL');
    await gateway.stop();
    if (process.env.ORBIS_TEST_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`[streamer] kept ${dir}\n`);
  });

  it('skips a video the gateway lacks and one FFmpeg cannot read, each under the slate, and says why', () => {
    const before = seen.filter((s) => s.atMs < outage.from);
    const whys = (name: string) => new Set(before.flatMap((s) => s.state.skips).filter((k) => k.source === url(name)).map((k) => k.why));
    expect([...whys('missing.mp4')], stderr).toEqual(['the gateway answered HTTP 404']);
    // Tried once, then left alone for a while rather than flashing the slate at every round.
    const corrupt = [...whys('corrupt.mp4')];
    expect(corrupt[0], stderr).toMatch(/^FFmpeg could not play it \(exit \d+\)$/);
    for (const why of corrupt.slice(1)) expect(why).toMatch(/^FFmpeg could not play it \d+ s ago$/);
    expect(whys('a.mp4').size + whys('b.mp4').size, 'a good video skipped while the gateway was up').toBe(0);
    // Both good videos played before the outage, and the slate covered the two bad ones.
    const played = new Set(before.filter((s) => s.state.onAir?.what === 'video').map((s) => s.state.onAir?.source));
    expect(played).toContain(url('a.mp4'));
    expect(played).toContain(url('b.mp4'));
    // What the gateway lacks never goes on air; what it serves is tried (and fails, for the corrupt file).
    expect(played).not.toContain(url('missing.mp4'));
    expect(stderr).toContain(`<4>skipped: ${url('missing.mp4')} (the gateway answered HTTP 404)`);
  });

  it('puts the slate on air while the gateway is gone, says why, and resumes the playlist by itself', () => {
    // The video being played when the gateway went may already be read whole (3 s): from the next one on.
    const during = seen.filter((s) => s.atMs > outage.from + 4000 && s.atMs < outage.to);
    expect(during.length).toBeGreaterThan(0);
    // Why: the gateway, for each video it was asked for; the corrupt file, left alone for a while
    // after FFmpeg failed on it, says so (it was not asked for).
    for (const s of during) {
      expect(s.state.onAir?.what, JSON.stringify(s.state)).toBe('slate');
      expect(s.state.onAir?.reason).toMatch(/^the BTFS gateway (does not serve|stopped serving) http:\/\/127\.0\.0\.1:\d+\/\S+ |^FFmpeg could not play \S+\/corrupt\.mp4, paused for 60 s$/);
    }
    expect(during.some((s) => s.state.onAir?.reason?.startsWith('the BTFS gateway'))).toBe(true);
    const back = seen.find((s) => s.atMs > outage.to && s.state.onAir?.what === 'video');
    expect(back, stderr).toBeDefined();
    // Asked again every few seconds under the slate: back within 8 s of the gateway's return.
    expect((back?.atMs ?? Infinity) - outage.to).toBeLessThan(8000);
  });

  it('publishes ONE continuous stream: the slate in it during the outage, videos around it, time keeping pace', async () => {
    expect(statSync(flv).size).toBeGreaterThan(100_000);
    const times = videoTimes(flv);
    // No step back and no hole: every frame follows the one before within a few frames' time.
    const holes = times.slice(1).map((t, i) => t - (times[i] as number)).filter((d) => d < 0 || d > 0.3);
    expect(holes).toEqual([]);
    // The publisher paces the media at real time: what it published ends close to the wall time it ran.
    const wallSec = (stoppedAt - startedAt) / 1000;
    const mediaSec = times.at(-1) as number;
    process.stderr.write(`[streamer] ${mediaSec.toFixed(2)} s of media in ${wallSec.toFixed(2)} s of wall time\n`);
    expect(mediaSec).toBeGreaterThan(wallSec * 0.85);
    expect(mediaSec).toBeLessThan(wallSec * 1.05);
    // The slate is in the recording for about as long as the gateway was gone (less the video
    // already read whole when it went, and what the pipe held), between videos.
    const timeline = await colourTimeline(flv);
    const slate = longestSlate(timeline);
    process.stderr.write(`[streamer] the longest slate in the recording: ${slate.seconds} s from ${slate.fromSec} s\n`);
    expect(slate.seconds).toBeGreaterThanOrEqual(OUTAGE_MS / 1000 - 4);
    expect(slate.seconds).toBeLessThanOrEqual(OUTAGE_MS / 1000 + 8);
    expect(isSlate(timeline[0] as number[]), 'the first frame').toBe(false);
    expect(isSlate(timeline.at(-1) as number[]), 'the last frame').toBe(false);
  });

  it('keeps audio and video in sync across videos, rounds and the slate (a flash and a beep each second)', async () => {
    const sync = await avSync(flv);
    process.stderr.write(`[streamer] A/V: ${sync.flashes} flashes, ${sync.beeps} beeps, ${sync.unpaired} flash(es) without a beep, worst offset ${(sync.worst * 1000).toFixed(0)} ms\n`);
    // About 20 s of video were played (the rest is the slate): a flash each second of it, each
    // with its beep, except at most the last instant of a video cut short (a loaded machine can
    // starve the loopback gateway past the 2 s the streamer waits for data).
    expect(sync.offsets.length, JSON.stringify(sync)).toBeGreaterThanOrEqual(12);
    expect(sync.unpaired, JSON.stringify(sync)).toBeLessThanOrEqual(2);
    expect(sync.worst, JSON.stringify(sync)).toBeLessThan(0.1);
  });
});
