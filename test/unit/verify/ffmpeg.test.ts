import { describe, expect, it } from 'vitest';
import { ffmpegCheck } from '../../../src/verify/checks/ffmpeg.js';
import { parseFfmpegProgress, parseTimestamp } from '../../../src/verify/parse/ffmpeg.js';
import { fixture, labInput } from './helpers.js';

const opts = { seconds: 10, minSpeed: 1.2, timeLimitSec: 37 };
const run = (rc: number, log: string, ms = 2500) => ({ rc, ms, user: 'orbis', encoder: 'libx264', how: 'configured', log });

describe('FFmpeg progress', () => {
  it('takes the last speed and time from \\r-separated progress lines', () => {
    expect(parseFfmpegProgress(fixture('ffmpeg-lab.log'))).toMatchObject({ speed: 20.3, mediaSeconds: 3.01 });
    const log = 'frame=  10 fps=0.0 q=0.0 size=N/A time=00:00:00.33 bitrate=N/A speed=0.66x    \rframe=  299 fps= 29 q=-1.0 Lsize=N/A time=00:00:09.96 bitrate=N/A speed=0.98x    \n';
    expect(parseFfmpegProgress(log)).toMatchObject({ speed: 0.98, mediaSeconds: 9.96 });
    expect(parseTimestamp('01:02:03.50')).toBe(3723.5);
    expect(parseFfmpegProgress('nothing here').speed).toBeUndefined();
  });

  it('keeps the error lines', () => {
    const log = "[tcp @ 0x55] Connection to tcp://127.0.0.1:8080 failed: Connection refused\nhttp://127.0.0.1:8080/btfs/Qm: Connection refused\n";
    expect(parseFfmpegProgress(log).errors).toHaveLength(2);
  });
});

describe('ffmpeg.speed', () => {
  const input = labInput();
  it('passes above --min-speed with the measured speed and what was encoded', () => {
    const r = ffmpegCheck(input, run(0, 'frame=  299 fps=0.0 q=-1.0 Lsize=N/A time=00:00:10.00 bitrate=N/A speed=4.01x\n'), opts);
    expect(r).toMatchObject({ status: 'pass', value: 'speed 4.01x: 10.0 s of media in 2.5 s (640x360 libx264, as orbis)' });
  });

  it('fails below --min-speed with a hint about size, preset and encoder', () => {
    const r = ffmpegCheck(input, run(0, 'time=00:00:10.00 bitrate=N/A speed=4.01x\n'), { ...opts, minSpeed: 50 });
    expect(r.status).toBe('fail');
    expect(r.value).toContain('below the 50x minimum');
    expect(r.hint).toMatch(/LARGEUR_MAX.*PRESET_ENCODAGE.*h264_v4l2m2m/);
  });

  it('a test cut by its time limit reports how far it got', () => {
    const r = ffmpegCheck(input, run(124, 'time=00:00:04.00 bitrate=N/A speed=0.4x\r'), opts);
    expect(r.value).toBe('stopped after 37 s with 4.0 s of 10 s encoded, speed 0.4x (640x360 libx264, as orbis)');
  });

  it('an unreadable input is a consequence of the gateway; a device error names the group', () => {
    const refused = ffmpegCheck(input, run(1, 'http://127.0.0.1:8080/btfs/Qm: Connection refused\n'), opts);
    expect(refused).toMatchObject({ status: 'fail', needs: ['btfs.gateway'] });
    const device = ffmpegCheck(input, run(1, '[h264_v4l2m2m @ 0x1] Could not find a valid device\n/dev/video11: Permission denied\n'), opts);
    expect(device.hint).toContain('video group');
    expect(ffmpegCheck(input, run(127, ''), opts).value).toBe('ffmpeg is not installed on the Pi');
  });

  it('says when the encoder was assumed', () => {
    const r = ffmpegCheck(labInput([], null), { ...run(0, 'speed=3x time=00:00:10.00'), how: 'assumed' }, opts);
    expect(r.value).toContain('libx264 (assumed: /etc/orbis/encodeur.env not found)');
  });
});
