// ENCODEUR_VIDEO=auto, decided from facts: the Pi 4's hardware H.264 encoder when it is really
// usable, libx264 otherwise. A pure function, so plans and tests see the same decision.
import type { VideoEncoder, VideoEncoderChoice } from './settings/encode.js';

/** What the decision needs to know about a host (gathered by the facts module). */
export interface EncoderFacts {
  /** /proc/device-tree/model, e.g. "Raspberry Pi 4 Model B Rev 1.4"; undefined when not a Pi. */
  piModel: string | undefined;
  /** Encoders `ffmpeg -encoders` lists; undefined when FFmpeg is not installed yet. */
  ffmpegEncoders: readonly string[] | undefined;
  /** Whether /dev/video11 (the BCM2711 encoder's V4L2 device) exists. */
  hasVideo11: boolean;
}

export type EncoderResolution =
  | {
      ok: true;
      encoder: VideoEncoder;
      /** Why, in one line, for the plan. */
      reason: string;
      /** Set when the decision relies on something not yet true (FFmpeg about to be installed). */
      assumption?: string;
    }
  | { ok: false; message: string; hint: string };

export const HARDWARE_ENCODER: VideoEncoder = 'h264_v4l2m2m';
export const SOFTWARE_ENCODER: VideoEncoder = 'libx264';

// The Pi 4 family (4 B, 400, Compute Module 4) shares the BCM2711 and its encoder; the Pi 5 has none.
const PI4_FAMILY = /Raspberry Pi (?:4|400|Compute Module 4)(?![0-9])/;

export function isPi4(model: string | undefined): boolean {
  return model !== undefined && PI4_FAMILY.test(model);
}

export function resolveVideoEncoder(choice: VideoEncoderChoice, facts: EncoderFacts): EncoderResolution {
  const missing = missingForHardware(facts);
  if (choice === 'libx264') return { ok: true, encoder: SOFTWARE_ENCODER, reason: 'ENCODEUR_VIDEO=libx264' };
  if (choice === 'h264_v4l2m2m') {
    if (missing.length === 0) return withAssumption({ ok: true, encoder: HARDWARE_ENCODER, reason: 'ENCODEUR_VIDEO=h264_v4l2m2m' }, facts);
    return {
      ok: false,
      message: `ENCODEUR_VIDEO=h264_v4l2m2m, but this host cannot use the hardware encoder: ${missing.join('; ')}`,
      hint: 'set ENCODEUR_VIDEO=auto (hardware where it exists, libx264 elsewhere) or libx264',
    };
  }
  if (missing.length === 0) return withAssumption({ ok: true, encoder: HARDWARE_ENCODER, reason: `auto: ${facts.piModel} with h264_v4l2m2m and /dev/video11` }, facts);
  return { ok: true, encoder: SOFTWARE_ENCODER, reason: `auto: ${missing.join('; ')}` };
}

function missingForHardware(facts: EncoderFacts): string[] {
  const missing: string[] = [];
  if (!isPi4(facts.piModel)) missing.push(facts.piModel === undefined ? 'not a Raspberry Pi' : `${facts.piModel} is not a Pi 4 (only the Pi 4 family has the hardware encoder)`);
  if (facts.ffmpegEncoders !== undefined && !facts.ffmpegEncoders.includes(HARDWARE_ENCODER)) missing.push('FFmpeg does not list h264_v4l2m2m');
  if (!facts.hasVideo11) missing.push('/dev/video11 does not exist');
  return missing;
}

// On a fresh Pi, FFmpeg is not installed when the plan is made. Raspberry Pi OS's and Debian's
// arm64 FFmpeg packages are built with V4L2 mem2mem, so the plan assumes it, and says so.
function withAssumption(resolution: EncoderResolution & { ok: true }, facts: EncoderFacts): EncoderResolution {
  if (facts.ffmpegEncoders !== undefined) return resolution;
  return { ...resolution, assumption: 'FFmpeg is not installed yet: assumes the distribution package lists h264_v4l2m2m' };
}
