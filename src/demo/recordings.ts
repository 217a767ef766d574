// Seeing the stream arrive: the lab's stand-in DLive and Kick record what they receive
// (nginx-rtmp names each recording `<key>-<time>.flv`, in a directory the controller shares with
// the ingest). A recording that exists and keeps growing is a stream that arrives. File names
// hold the key: only masked names leave this module.
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { maskSecrets, type Secret } from '../redact/secret.js';
import { LabError, sleep } from '../lab/exec.js';

export interface RecordingTarget {
  platform: 'dlive' | 'kick';
  /** What the Pi pushes to, as the user would read it (no key). */
  ingest: string;
  dir: string;
  key: Secret;
}

export interface StreamArrival {
  platform: 'dlive' | 'kick';
  ingest: string;
  /** The recording's name with the key masked. */
  file: string;
  bytes: number;
  /** Bytes added while watching, and over how long. */
  grewBytes: number;
  watchedMs: number;
  /** What ffprobe reads in it, when it can (e.g. "H.264 640x360 30 fps, AAC 44100 Hz 2 ch"). */
  media?: string;
}

interface Found {
  name: string;
  path: string;
  bytes: number;
  mtimeMs: number;
}

/** The newest recording of `key` in `dir`, if any. */
export async function newestRecording(dir: string, key: Secret): Promise<Found | undefined> {
  const prefix = `${key.reveal()}-`;
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix) && n.endsWith('.flv'));
  const found = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const s = await stat(path).catch(() => undefined);
      return s ? { name, path, bytes: s.size, mtimeMs: s.mtimeMs } : undefined;
    }),
  );
  return found.filter((f): f is Found => f !== undefined).sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
}

/**
 * Wait (up to `appearMs`) for a non-empty recording on every target, then watch them for
 * `watchMs`: each must have grown. Throws, saying which platform, when one does not.
 */
export async function watchArrivals(targets: readonly RecordingTarget[], options: { appearMs: number; watchMs: number }): Promise<StreamArrival[]> {
  const deadline = Date.now() + options.appearMs;
  const first = new Map<RecordingTarget, Found>();
  while (first.size < targets.length) {
    for (const t of targets) {
      if (first.has(t)) continue;
      const found = await newestRecording(t.dir, t.key);
      if (found && found.bytes > 0) first.set(t, found);
    }
    if (first.size === targets.length) break;
    if (Date.now() > deadline) {
      const missing = targets.filter((t) => !first.has(t)).map((t) => t.platform);
      throw new LabError(
        `no recording at the stand-in ${missing.join(' and ')} after ${Math.round(options.appearMs / 1000)} s, although the Pi verified`,
        "the stand-in ingest did not record the push: see its nginx log (`journalctl -u nginx` on the lab's ingest host)",
      );
    }
    await sleep(500);
  }
  const started = Date.now();
  await sleep(options.watchMs);
  const watchedMs = Date.now() - started;
  return Promise.all(
    targets.map(async (t): Promise<StreamArrival> => {
      const before = first.get(t) as Found;
      const now = await stat(before.path).catch(() => undefined);
      const bytes = now?.size ?? 0;
      if (bytes <= before.bytes) {
        throw new LabError(
          `the stand-in ${t.platform} recording stopped growing (${before.bytes} bytes ${Math.round(watchedMs / 1000)} s ago, ${bytes} now)`,
          'the push dropped: see /var/log/nginx/error.log on the Pi and `journalctl -u orbis` there',
        );
      }
      const media = await describeMedia(before.path);
      return {
        platform: t.platform,
        ingest: t.ingest,
        file: maskSecrets(before.name, [t.key]),
        bytes,
        grewBytes: bytes - before.bytes,
        watchedMs,
        ...(media ? { media } : {}),
      };
    }),
  );
}

interface ProbedStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
}

const CODEC_NAMES: Record<string, string> = { h264: 'H.264', aac: 'AAC' };

/** ffprobe's view of a recording, in a few words; undefined when ffprobe cannot tell. */
export async function describeMedia(path: string): Promise<string | undefined> {
  const json = await new Promise<string | undefined>((resolve) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height,r_frame_rate,sample_rate,channels', '-of', 'json', path],
      { timeout: 15_000 },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
  if (json === undefined) return undefined;
  try {
    return mediaText((JSON.parse(json) as { streams?: ProbedStream[] }).streams ?? []);
  } catch {
    return undefined;
  }
}

export function mediaText(streams: readonly ProbedStream[]): string | undefined {
  const parts: string[] = [];
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (video?.codec_name) {
    const [n, d] = (video.r_frame_rate ?? '').split('/').map(Number);
    const fps = n && d ? ` ${Math.round((n / d) * 100) / 100} fps` : '';
    parts.push(`${CODEC_NAMES[video.codec_name] ?? video.codec_name} ${video.width ?? '?'}x${video.height ?? '?'}${fps}`);
  }
  if (audio?.codec_name) {
    parts.push(`${CODEC_NAMES[audio.codec_name] ?? audio.codec_name}${audio.sample_rate ? ` ${audio.sample_rate} Hz` : ''}${audio.channels ? ` ${audio.channels} ch` : ''}`);
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}
