// When the stand-in platforms receive the stream, second by second. nginx-rtmp's recorder writes
// every frame it receives to the recording as it arrives, with a plain write and no buffer of its
// own (ngx_rtmp_record_module.c, ngx_rtmp_record_write_frame: "we're left with plain writing"),
// and the lab binds the ingest's recording folders to the controller: the size of a recording,
// sampled often, is when its bytes arrived. A gap on air is then measured, not guessed.
import { stat } from 'node:fs/promises';
import type { LabState } from '../../../src/lab/index.js';
import { newestRecording } from './stack.js';

export interface ArrivalSample {
  /** Controller time, ms. */
  atMs: number;
  file: string;
  bytes: number;
}

export interface Arrivals {
  samples: ArrivalSample[];
  /** The recordings seen, in order (one when the platform never saw the stream end). */
  files: string[];
  /** The longest time without a new byte arriving, ms, and when it began. */
  longestGapMs: number;
  gapFromMs: number;
  /** Bytes that arrived in each whole second since the start. */
  perSecond: number[];
}

/** Sample a platform's newest recording of `key` every `everyMs` until `stop()`. */
export function sampleArrivals(lab: LabState, platform: 'dlive' | 'kick', key: string, everyMs = 200): { stop(): Promise<Arrivals> } {
  const samples: ArrivalSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const recording = await newestRecording(lab, platform, key);
      if (recording) {
        const bytes = await stat(recording.path).then((s) => s.size, () => -1);
        if (bytes >= 0) samples.push({ atMs: Date.now(), file: recording.file, bytes });
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return summarize(samples);
    },
  };
}

export function summarize(samples: ArrivalSample[]): Arrivals {
  const files: string[] = [];
  for (const s of samples) if (files.at(-1) !== s.file) files.push(s.file);
  let longestGapMs = 0;
  let gapFromMs = samples[0]?.atMs ?? 0;
  let lastGrowth = samples[0];
  const perSecond: number[] = [];
  const start = samples[0]?.atMs ?? 0;
  for (let i = 1; i < samples.length; i += 1) {
    const s = samples[i] as ArrivalSample;
    const previous = samples[i - 1] as ArrivalSample;
    const grown = s.file !== previous.file ? s.bytes : s.bytes - previous.bytes;
    const second = Math.floor((s.atMs - start) / 1000);
    perSecond[second] = (perSecond[second] ?? 0) + Math.max(0, grown);
    if (grown > 0 && lastGrowth) {
      // The bytes arrived at some point since the previous sample: the gap is at most this long.
      const gap = s.atMs - lastGrowth.atMs;
      if (gap > longestGapMs) {
        longestGapMs = gap;
        gapFromMs = lastGrowth.atMs;
      }
      lastGrowth = s;
    }
  }
  const last = samples.at(-1);
  if (last && lastGrowth && last.atMs - lastGrowth.atMs > longestGapMs) {
    longestGapMs = last.atMs - lastGrowth.atMs;
    gapFromMs = lastGrowth.atMs;
  }
  return { samples, files, longestGapMs, gapFromMs, perSecond: Array.from(perSecond, (b) => b ?? 0) };
}
