// Audio/video sync as a viewer would judge it, from a recording of a clip that flashes white and
// beeps at the same instant once a second (FLASH_BEEP_VIDEO, FLASH_BEEP_AUDIO): where each flash
// begins in the video (a frame's mean luma, FFmpeg's signalstats YAVG, jumping above mid-grey)
// and where each beep begins in the audio (an audio frame's RMS level, FFmpeg's astats, rising
// above -30 dBFS), and how far apart each flash is from the beep nearest to it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The clip's lavfi sources live with the lab's content, which holds the clip too.
export { flashBeepAudio, flashBeepVideo } from '../../src/lab/btfs-standin/content.js';

/** The times (s) at which a per-frame value crosses above `threshold` (the frame before was below it). */
function onsets(rows: Array<[number, number]>, threshold: number): number[] {
  const out: number[] = [];
  let above = false;
  for (const [t, v] of rows) {
    if (v > threshold && !above) out.push(t);
    above = v > threshold;
  }
  return out;
}

function rowsOf(csv: string): Array<[number, number]> {
  return csv
    .split('\n')
    .map((line) => line.split(','))
    .filter((f) => f.length >= 2 && f[0] !== '' && f[1] !== '')
    .map((f) => [Number(f[0]), Number(f[1])] as [number, number])
    .filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v));
}

/** Where flashes begin in the recording's video. */
export async function flashes(path: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-f', 'lavfi', '-i', `movie=${path},signalstats`, '-show_entries', 'frame=pts_time:frame_tags=lavfi.signalstats.YAVG', '-of', 'csv=p=0'], { maxBuffer: 64 << 20 });
  return onsets(rowsOf(stdout), 128);
}

/** Where beeps begin in the recording's audio. */
export async function beeps(path: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-f', 'lavfi', '-i', `amovie=${path},astats=metadata=1:reset=1`, '-show_entries', 'frame=pts_time:frame_tags=lavfi.astats.Overall.RMS_level', '-of', 'csv=p=0'], { maxBuffer: 64 << 20 });
  return onsets(rowsOf(stdout.replace(/-inf/g, '-999')), -30);
}

export interface SyncReport {
  flashes: number;
  beeps: number;
  /** For each flash with a beep within half a second, the signed distance (s): audio late is positive. */
  offsets: number[];
  worst: number;
  /**
   * Flashes with no beep within half a second: a video cut short (its source gone mid-video) loses
   * what FFmpeg still held of its last instant, and that may be the beep's first audio frames.
   */
  unpaired: number;
  /** Where the flashes and the beeps begin (s), for a failure's message. */
  flashAt: number[];
  beepAt: number[];
}

/** Each flash against its nearest beep. */
export async function avSync(path: string): Promise<SyncReport> {
  const [f, b] = await Promise.all([flashes(path), beeps(path)]);
  const nearest = (t: number) => b.reduce<number | undefined>((best, x) => (best === undefined || Math.abs(x - t) < Math.abs(best - t) ? x : best), undefined);
  const offsets: number[] = [];
  let unpaired = 0;
  for (const t of f) {
    const beep = nearest(t);
    if (beep !== undefined && Math.abs(beep - t) < 0.5) offsets.push(beep - t);
    else unpaired += 1;
  }
  return { flashes: f.length, beeps: b.length, offsets, worst: offsets.reduce((m, o) => Math.max(m, Math.abs(o)), 0), unpaired, flashAt: f, beepAt: b };
}
