// The streamer's two settings files (templates/orbis-service/orbis.conf.hbs and lecture.conf.hbs):
// what lecture.conf holds takes effect at the next video, in the same process and the same
// publish, so that a provision changing a bitrate never takes the channel off air (issue #22).
// Run here as streamer.test.ts runs it: the role's own files, Debian's FFmpeg, a loopback gateway.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colourTimeline } from '../../media/frames.js';
import { flashBeepAudio, flashBeepVideo } from '../../media/sync.js';
import { Gateway, rendered, writeStreamer } from './streamer-stand-ins.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const onAir = (tour: string): boolean => existsSync(tour) && readFileSync(tour, 'utf8').includes('on_air=video');

/** Red, as a watermark covering the whole picture makes it (YUV 4:2:0 rounds it a little). */
const isRed = (rgb: readonly number[]): boolean => (rgb[0] ?? 0) > 200 && (rgb[1] ?? 255) < 60 && (rgb[2] ?? 255) < 60;

describe('the streamer takes lecture.conf at the next video, without a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orbis-settings-'));
  const www = join(dir, 'www');
  const run = join(dir, 'run');
  const flv = join(dir, 'published.flv');
  const gateway = new Gateway(www, 20000 + ((process.pid + 7919) % 20000));
  let streamer: ChildProcess;
  let stderr = '';
  let exit: Promise<number | null>;
  let changedAtMediaSec = 0;

  beforeAll(async () => {
    mkdirSync(www, { recursive: true });
    mkdirSync(run);
    // Two-second videos: boundaries come often.
    for (const name of ['a', 'b']) {
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', flashBeepVideo('320x180', 30), '-f', 'lavfi', '-i', flashBeepAudio(44100), '-t', '2',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart', join(www, `${name}.mp4`)]);
    }
    writeFileSync(join(dir, 'liste.txt'), `http://127.0.0.1:${gateway.port}/a.mp4\nhttp://127.0.0.1:${gateway.port}/b.mp4\n`);
    // The watermark off to start with, then on: a red picture over the whole frame, so that the
    // recording shows from which frame on the streamer read the new lecture.conf.
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=320x180', '-frames:v', '1', join(dir, 'red.png')]);
    const env = writeStreamer(dir, rendered(['NIVEAU_JOURNAL=INFO']), { liste: join(dir, 'liste.txt'), destination: flv });
    const lecture = readFileSync(join(dir, 'lecture.conf'), 'utf8')
      .replace(/^FILIGRANE_IMAGE=.*$/m, `FILIGRANE_IMAGE=${join(dir, 'red.png')}`)
      .replace(/^FILIGRANE_POSITION=.*$/m, 'FILIGRANE_POSITION=0:0')
      .replace(/^FILIGRANE_OPACITE=.*$/m, 'FILIGRANE_OPACITE=1');
    expect(lecture).toContain('FILIGRANE_ACTIF=false\n');
    writeFileSync(join(dir, 'lecture.conf'), lecture);
    await gateway.start();
    streamer = spawn('bash', [join(dir, 'orbis-diffuser')], { env: { ...process.env, ...env, RUNTIME_DIRECTORY: run, CACHE_DIRECTORY: join(dir, 'no-cache') }, stdio: ['ignore', 'ignore', 'pipe'] });
    streamer.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    exit = new Promise((resolve) => streamer.on('exit', (code) => resolve(code)));
    // The first video on air (the streamer's own state says so), then 5 s of it as it was.
    const deadline = Date.now() + 15_000;
    while (!onAir(join(run, 'tour')) && Date.now() < deadline) await sleep(50);
    const publishing = Date.now();
    await sleep(5000);
    // As orbis writes a file: a temporary one, renamed over the old.
    writeFileSync(join(dir, 'lecture.conf.new'), lecture.replace('FILIGRANE_ACTIF=false\n', 'FILIGRANE_ACTIF=true\n'));
    renameSync(join(dir, 'lecture.conf.new'), join(dir, 'lecture.conf'));
    // -re paces the publish at the media's own time: the media time of the change is about the
    // wall time since the publish began (the measure below keeps 2 s away on either side).
    changedAtMediaSec = (Date.now() - publishing) / 1000;
    await sleep(12_000);
    streamer.kill('SIGTERM');
    expect(await exit, stderr).toBe(143);
  }, 50_000);

  afterAll(async () => {
    streamer?.kill('SIGKILL');
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says so, and encodes the next videos with the new settings in the same publish', async () => {
    expect(stderr).toMatch(/lecture\.conf changed: its settings apply from this piece on \(-b:v \d+k/);
    expect(stderr.match(/changed: its settings apply/g)).toHaveLength(1);
    // Four frames a second of the one recording. The encoder runs ahead of the publish by what
    // the pipe holds (seconds, for this nearly black clip), so the next video it starts after the
    // change is on air a little later than the change: one 2 s video at most, and that (5 s here).
    const timeline = await colourTimeline(flv, 4);
    const firstRed = timeline.findIndex(isRed) / 4;
    process.stderr.write(`[settings] the watermark on air ${(firstRed - changedAtMediaSec).toFixed(2)} s (media) after lecture.conf changed, and on every frame from then on\n`);
    expect(firstRed).toBeGreaterThanOrEqual(changedAtMediaSec - 1);
    expect(firstRed).toBeLessThanOrEqual(changedAtMediaSec + 8);
    const after = timeline.slice(firstRed * 4);
    expect(after.length).toBeGreaterThan(8);
    expect(after.filter((c) => !isRed(c))).toEqual([]);
  });
});
