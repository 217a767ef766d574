// What a recording shows at a moment: a frame averaged to one RGB pixel (FFmpeg scales it to
// 1x1), and whether that is the streamer's default slate (ARDOISE_COULEUR=#1b2a3a, its text a
// few white pixels that barely move the average). Used by the streamer's unit test and the e2e.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The default slate's background, ARDOISE_COULEUR=#1b2a3a. */
export const SLATE_RGB = [0x1b, 0x2a, 0x3a] as const;

/** The frame at a media time of a recording, averaged to one RGB pixel. */
export async function meanColour(path: string, atSec: number): Promise<number[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-ss', atSec.toFixed(3), '-i', path, '-frames:v', '1', '-vf', 'scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 1024 });
  if (stdout.length < 3) throw new Error(`no frame at ${atSec} s in ${path}`);
  return [...stdout.subarray(0, 3)];
}

/** The default slate, give or take its text and the encoder's rounding. */
export function isSlate(rgb: readonly number[]): boolean {
  return rgb.length === 3 && rgb.every((c, i) => Math.abs(c - (SLATE_RGB[i] as number)) <= 24);
}

/** The recording `perSecond` times a second, each frame averaged to one RGB pixel, in order. */
export async function colourTimeline(path: string, perSecond = 4): Promise<number[][]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-vf', `fps=${perSecond},scale=1:1`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 16 << 20 });
  const out: number[][] = [];
  for (let i = 0; i + 3 <= stdout.length; i += 3) out.push([...stdout.subarray(i, i + 3)]);
  return out;
}

/** The longest run of slate frames in a timeline: where it starts and how long it lasts (s). */
export function longestSlate(timeline: readonly number[][], perSecond = 4): { fromSec: number; seconds: number } {
  let best = { from: 0, length: 0 };
  let from = -1;
  timeline.forEach((rgb, i) => {
    if (isSlate(rgb)) {
      if (from < 0) from = i;
      if (i - from + 1 > best.length) best = { from, length: i - from + 1 };
    } else from = -1;
  });
  return { fromSec: best.from / perSecond, seconds: best.length / perSecond };
}
