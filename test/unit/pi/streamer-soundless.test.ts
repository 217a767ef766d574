// A video without an audio stream (a screen recording, a clip whose sound was removed) in the
// playlist: the streamer plays it with silence, in the same publish, instead of skipping it
// under the slate as a file FFmpeg cannot read (issue #22). Run here as streamer.test.ts runs it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStreamerState } from '../../../src/verify/parse/streamer.js';
import { flashBeepAudio, flashBeepVideo } from '../../media/sync.js';
import { Gateway, rendered, writeStreamer } from './streamer-stand-ins.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Packet times of one kind of stream of the recording. */
function packetTimes(flv: string, kind: 'a' | 'v'): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', kind, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', flv], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return out.split('\n').filter(Boolean).map(Number);
}

describe('a video without sound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orbis-soundless-'));
  const www = join(dir, 'www');
  const run = join(dir, 'run');
  const flv = join(dir, 'published.flv');
  const gateway = new Gateway(www, 20000 + ((process.pid + 4049) % 20000));
  const url = (name: string) => `http://127.0.0.1:${gateway.port}/${name}`;
  const sources = new Set<string>();
  const skipped = new Set<string>();
  let streamer: ChildProcess;
  let stderr = '';
  let exit: Promise<number | null>;

  beforeAll(async () => {
    mkdirSync(www, { recursive: true });
    mkdirSync(run);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', flashBeepVideo('320x180', 30), '-f', 'lavfi', '-i', flashBeepAudio(44100), '-t', '2',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart', join(www, 'sound.mp4')]);
    // Video only: no audio stream at all.
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', flashBeepVideo('320x180', 30), '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', join(www, 'silent.mp4')]);
    writeFileSync(join(dir, 'liste.txt'), `${url('silent.mp4')}\n${url('sound.mp4')}\n`);
    const env = writeStreamer(dir, rendered(), { liste: join(dir, 'liste.txt'), destination: flv });
    await gateway.start();
    streamer = spawn('bash', [join(dir, 'orbis-diffuser')], { env: { ...process.env, ...env, RUNTIME_DIRECTORY: run, CACHE_DIRECTORY: join(dir, 'no-cache') }, stdio: ['ignore', 'ignore', 'pipe'] });
    streamer.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    exit = new Promise((resolve) => streamer.on('exit', (code) => resolve(code)));
    // Two rounds and a half: the silent video played twice, the second time without asking again.
    const until = Date.now() + 13_000;
    while (Date.now() < until) {
      const tour = join(run, 'tour');
      if (existsSync(tour)) {
        const state = parseStreamerState('', readFileSync(tour, 'utf8'));
        if (state.onAir?.what === 'video' && state.onAir.source) sources.add(state.onAir.source);
        for (const s of state.skips) skipped.add(s.source);
      }
      await sleep(200);
    }
    streamer.kill('SIGTERM');
    expect(await exit, stderr).toBe(143);
  }, 40_000);

  afterAll(async () => {
    streamer?.kill('SIGKILL');
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plays it with silence, on air like any video, and says so once', () => {
    expect([...skipped]).toEqual([]);
    expect(sources).toContain(url('silent.mp4'));
    expect(sources).toContain(url('sound.mp4'));
    expect(stderr.match(/has no sound: played with silence/g), stderr).toHaveLength(1);
    expect(stderr).not.toContain('on the slate');
  });

  it('keeps audio going through it: the publish has audio packets all along, as far as its video goes', () => {
    const audio = packetTimes(flv, 'a');
    const video = packetTimes(flv, 'v');
    const holes = audio.slice(1).map((t, i) => t - (audio[i] as number)).filter((d) => d > 0.3);
    expect(holes).toEqual([]);
    // Audio to within half a second of the video's end, from within half a second of its start.
    expect(Math.abs((audio[0] ?? 99) - (video[0] ?? 0))).toBeLessThan(0.5);
    expect(Math.abs((audio.at(-1) ?? 0) - (video.at(-1) ?? 99))).toBeLessThan(0.5);
    expect(video.at(-1)).toBeGreaterThan(8);
  });
});
