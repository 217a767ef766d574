// The streamer's live state files (templates/orbis-service/orbis-diffuser): `etat`, its
// publisher's two last progress samples (newest first, one every 5 s), and `tour`, the round of
// the playlist it plays, what is on air (a video or the slate) since when and why, and the videos
// it skipped. `orbis status` shows them; the verify step reads the encoder's speed from them on a
// Pi that streams.

import { keyValues, lastValue, wholeValue } from '../../wire/key-values.js';

export interface StreamerSample {
  /** Host time, microseconds. */
  atUs: number;
  frames: number;
  bytes: number;
  mediaUs: number;
}

export interface StreamerState {
  /** The publisher's progress: the latest sample, and the one before it. */
  samples: StreamerSample[];
  /** `skipped`: the videos skipped this round (its `skip=` lines, the last 10 at most). */
  round?: { round: number; startedUs: number; videos: number; skipped: number };
  /** What is on air: a video of the playlist or the slate, since when (host µs), and why the slate. */
  onAir?: { what: 'video' | 'slate'; sinceUs: number; item: number; source?: string; reason?: string };
  /** The videos skipped in this round, oldest first: when (host µs), which, why. */
  skips: Array<{ atUs: number; source: string; why: string }>;
}

/** A streamer sample older than this (3 progress periods) is stale: no fps or speed from it. */
export const STALE_SAMPLE_SEC = 15;

function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of line.trim().split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}


/** The streamer's `etat` (two lines of counters, newest first) and `tour` (key=value lines). */
export function parseStreamerState(etat: string, tour: string): StreamerState {
  const samples = etat
    .split('\n')
    .map(fields)
    .filter((f) => f.at_us !== undefined)
    .map((f) => ({ atUs: Number(f.at_us), frames: Number(f.frames ?? 0), bytes: Number(f.bytes ?? 0), mediaUs: Number(f.media_us ?? 0) }))
    .filter((s) => Number.isFinite(s.atUs) && Number.isFinite(s.frames) && Number.isFinite(s.bytes) && Number.isFinite(s.mediaUs));
  const t = keyValues(tour);
  const state: StreamerState = {
    samples,
    skips: (t.get('skip') ?? []).flatMap((s) => {
      const m = /^(\d+) (\S+) (.*)$/.exec(s);
      return m ? [{ atUs: Number(m[1]), source: m[2] as string, why: m[3] as string }] : [];
    }),
  };
  if (t.has('round')) {
    state.round = { round: wholeValue(t, 'round'), startedUs: wholeValue(t, 'started'), videos: wholeValue(t, 'videos'), skipped: state.skips.length };
  }
  const what = lastValue(t, 'on_air');
  if (what === 'video' || what === 'slate') {
    const source = lastValue(t, 'source');
    const reason = lastValue(t, 'reason');
    state.onAir = { what, sinceUs: wholeValue(t, 'since'), item: wholeValue(t, 'item'), ...(source ? { source } : {}), ...(reason ? { reason } : {}) };
  }
  return state;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** fps and speed between the streamer's two last samples, if the newest is fresh. */
export function streamerRates(samples: StreamerSample[], nowUs: number): { fps: number; speed: number } | undefined {
  const [latest, previous] = samples;
  if (!latest || !previous) return undefined;
  const wallUs = latest.atUs - previous.atUs;
  if (wallUs <= 0 || nowUs - latest.atUs > STALE_SAMPLE_SEC * 1e6) return undefined;
  return {
    fps: round(((latest.frames - previous.frames) * 1e6) / wallUs, 1),
    speed: round((latest.mediaUs - previous.mediaUs) / wallUs, 2),
  };
}
