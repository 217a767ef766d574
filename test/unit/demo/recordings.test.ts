// Watching the stand-in platforms' recordings, on real files: a recording that appears and
// grows is a stream arriving; one that does not appear, or stops growing, is an error naming
// the platform. Names hold the key: only masked names come out.
import { appendFileSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { mediaText, newestRecording, watchArrivals, type RecordingTarget } from '../../../src/demo/recordings.js';

const timers: NodeJS.Timeout[] = [];
afterEach(() => timers.splice(0).forEach(clearInterval));

function target(platform: 'dlive' | 'kick', key: string): RecordingTarget {
  return { platform, ingest: `rtmp://${platform}.test/live`, dir: mkdtempSync(join(tmpdir(), `orbis-rec-${platform}-`)), key: new Secret(key) };
}

/** nginx-rtmp's way: `<key>-<time>.flv`, growing while the stream lasts. */
function record(t: RecordingTarget, stamp: number, everyMs: number | undefined): string {
  const path = join(t.dir, `${t.key.reveal()}-${stamp}.flv`);
  writeFileSync(path, Buffer.alloc(1000));
  if (everyMs !== undefined) timers.push(setInterval(() => appendFileSync(path, Buffer.alloc(500)), everyMs));
  return path;
}

describe('the stream arriving at the stand-in platforms', () => {
  it('reports each platform\'s newest recording, its growth, and masks the key in the name', async () => {
    const dlive = target('dlive', 'demo-dlive-abc123');
    const kick = target('kick', 'sk_demo-kick-def456');
    writeFileSync(join(dlive.dir, 'someone-else-1.flv'), Buffer.alloc(99_999));
    const old = record(dlive, 100, undefined);
    utimesSync(old, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    record(dlive, 200, 50);
    setTimeout(() => record(kick, 300, 50), 300);
    const arrivals = await watchArrivals([dlive, kick], { appearMs: 5_000, watchMs: 400 });
    expect(arrivals.map((a) => [a.platform, a.file])).toEqual([
      ['dlive', '********-200.flv'],
      ['kick', '********-300.flv'],
    ]);
    for (const a of arrivals) {
      expect(a.grewBytes).toBeGreaterThan(0);
      expect(a.bytes).toBeGreaterThan(1000);
      expect(a.watchedMs).toBeGreaterThanOrEqual(350);
      expect(JSON.stringify(a)).not.toMatch(/abc123|def456/);
    }
  });

  it('fails naming the platform that records nothing', async () => {
    const dlive = target('dlive', 'demo-dlive-1');
    const kick = target('kick', 'demo-kick-2');
    record(dlive, 1, 50);
    await expect(watchArrivals([dlive, kick], { appearMs: 600, watchMs: 100 })).rejects.toThrow(/no recording at the stand-in kick after 1 s/);
  });

  it('fails when a recording stops growing (the push dropped)', async () => {
    const kick = target('kick', 'demo-kick-3');
    record(kick, 1, undefined);
    await expect(watchArrivals([kick], { appearMs: 1_000, watchMs: 300 })).rejects.toThrow(/kick recording stopped growing/);
  });

  it('finds nothing in a directory that does not exist', async () => {
    expect(await newestRecording('/nonexistent/orbis-demo', new Secret('k'))).toBeUndefined();
  });

  it('describes what ffprobe sees in a few words', () => {
    expect(
      mediaText([
        { codec_type: 'video', codec_name: 'h264', width: 640, height: 360, r_frame_rate: '30/1' },
        { codec_type: 'audio', codec_name: 'aac', sample_rate: '44100', channels: 2 },
      ]),
    ).toBe('H.264 640x360 30 fps, AAC 44100 Hz 2 ch');
    expect(mediaText([{ codec_type: 'video', codec_name: 'vp9', width: 1, height: 1, r_frame_rate: '30000/1001' }])).toBe('vp9 1x1 29.97 fps');
    expect(mediaText([])).toBeUndefined();
  });
});
