// FFmpeg's stderr from the null-output test. Progress lines are separated by \r; the last one
// (`... time=00:00:10.00 bitrate=N/A speed=4.01x`) holds the final speed and media time.

export interface FfmpegProgress {
  /** The last `speed=` value, e.g. 4.01; undefined when FFmpeg reported none. */
  speed?: number;
  /** Media seconds encoded (the last `time=`). */
  mediaSeconds?: number;
  /** The last lines that look like errors, for a hint. */
  errors: string[];
}

export function parseTimestamp(text: string): number | undefined {
  const m = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] === '-' ? -value : value;
}

export function parseFfmpegProgress(log: string): FfmpegProgress {
  const lines = log.split(/[\r\n]+/).map((l) => l.trim()).filter((l) => l.length > 0);
  const progress: FfmpegProgress = { errors: [] };
  for (const line of lines) {
    const speed = /speed=\s*([0-9.]+)x/.exec(line);
    if (speed) progress.speed = Number(speed[1]);
    const time = /time=\s*(-?[0-9:.]+)/.exec(line);
    const seconds = time ? parseTimestamp(time[1] ?? '') : undefined;
    if (seconds !== undefined) progress.mediaSeconds = seconds;
  }
  const errorLike = /error|failed|refused|invalid|not found|no such|permission denied|unknown encoder|could not|cannot|unable|timed out|unauthorized|\b[45]\d\d\b/i;
  progress.errors = lines.filter((l) => !/^frame=|^size=/.test(l) && errorLike.test(l)).slice(-3);
  return progress;
}
