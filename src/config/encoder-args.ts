// The encode a host runs, from its settings and what it has: which video encoder (the hardware
// one where the Pi has it, libx264 otherwise) and the FFmpeg arguments for it. Configuration, not
// engine: the render context, verify's test encode and the docs all derive the same arguments.
import type { EncodeSettings } from './encode.js';
import { resolveVideoEncoder } from './encoder-choice.js';

/** FFmpeg arguments for the chosen encoder (the seed's parameters; upstream-orbis.md §4). */
export function encoderArgs(encode: EncodeSettings, encoder: string): string {
  return `${encoderShapeArgs(encode, encoder)} ${videoRateArgs(encode)}`;
}

/**
 * The bitrate's arguments. Apart from the others: changing them does not change the stream's
 * shape (its SPS; libx264's level is fixed by -level:v), so the streamer takes them at the next
 * video, without a new publish (templates/orbis-service/lecture.conf.hbs).
 */
export function videoRateArgs(encode: EncodeSettings): string {
  const v = encode.videoBitrateKbps;
  return [`-b:v ${v}k`, `-maxrate ${v}k`, `-bufsize ${2 * v}k`].join(' ');
}

/** The encoder and what fixes the stream's shape: codec, preset, profile, level, keyframes. */
export function encoderShapeArgs(encode: EncodeSettings, encoder: string): string {
  if (encoder === 'h264_v4l2m2m') {
    // The hardware encoder takes no preset/profile options; it needs enough capture buffers.
    return ['-c:v h264_v4l2m2m', `-g ${encode.gop}`, '-num_capture_buffers 32'].join(' ');
  }
  return [
    '-c:v libx264',
    `-preset ${encode.preset}`,
    `-profile:v ${encode.profile}`,
    `-level:v ${encode.level}`,
    // -profile:v is only a ceiling: the fast presets (ultrafast) turn CABAC off and x264 then
    // signals Constrained Baseline. CABAC is what makes the stream the Main the platforms ask for.
    ...(encode.profile === 'baseline' ? [] : ['-x264-params cabac=1']),
    `-g ${encode.gop}`,
    `-keyint_min ${encode.gop}`,
    '-sc_threshold 0',
  ].join(' ');
}

export interface EncoderDecision {
  encoder: string;
  reason: string;
  assumption?: string;
}

export class EncoderError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'EncoderError';
  }
}

/** What the choice of encoder reads from a host's facts (facts/types.ts HostFacts has it all). */
export interface HostEncodeFacts {
  piModel: string | null;
  packages: Record<string, string | undefined>;
  encoders: string[];
  hasV4l2Encoder: boolean;
}

export function decideEncoder(encode: EncodeSettings, facts: HostEncodeFacts | null): EncoderDecision {
  const resolution = resolveVideoEncoder(encode.encoder, {
    piModel: facts?.piModel ?? undefined,
    // FFmpeg's own list only once it is installed; before, the choice assumes the distribution's.
    ffmpegEncoders: facts && facts.packages.ffmpeg !== undefined ? facts.encoders : undefined,
    hasVideo11: facts?.hasV4l2Encoder ?? false,
  });
  if (!resolution.ok) throw new EncoderError(resolution.message, resolution.hint);
  return { encoder: resolution.encoder, reason: resolution.reason, ...(resolution.assumption ? { assumption: resolution.assumption } : {}) };
}
