// The render context a host's roles see: every setting by its own name (secrets stay Secret
// objects, so only {{secret X}} reveals them), the derived one-encode model, the enabled
// platforms, the variables roles declare themselves, and what the facts say about the host.
import { btfsDownload, ConfigError, resolveVideoEncoder, type EncodeSettings, type LoadedSettings, type Platform } from '../config/index.js';
import { readPlaylist } from '../config/playlist.js';
import type { HostFacts } from '../resources/types.js';

export interface RoleVariables {
  /** Values of the variables roles declare in `defaults:` (after env and --var overrides). */
  values: Record<string, string | number | boolean>;
}

/** FFmpeg arguments for the chosen encoder (the seed's parameters; upstream-orbis.md §4). */
export function encoderArgs(encode: EncodeSettings, encoder: string): string {
  const v = encode.videoBitrateKbps;
  const rate = [`-b:v ${v}k`, `-maxrate ${v}k`, `-bufsize ${2 * v}k`, `-g ${encode.gop}`];
  if (encoder === 'h264_v4l2m2m') {
    // The hardware encoder takes no preset/profile options; it needs enough capture buffers.
    return ['-c:v h264_v4l2m2m', ...rate, '-num_capture_buffers 32'].join(' ');
  }
  return [
    '-c:v libx264',
    `-preset ${encode.preset}`,
    `-profile:v ${encode.profile}`,
    `-level:v ${encode.level}`,
    // -profile:v is only a ceiling: the fast presets (ultrafast) turn CABAC off and x264 then
    // signals Constrained Baseline. CABAC is what makes the stream the Main the platforms ask for.
    ...(encode.profile === 'baseline' ? [] : ['-x264-params cabac=1']),
    ...rate,
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

export function decideEncoder(encode: EncodeSettings, facts: HostFacts | null): EncoderDecision {
  const resolution = resolveVideoEncoder(encode.encoder, {
    piModel: facts?.piModel ?? undefined,
    // FFmpeg's own list only once it is installed; before, the choice assumes the distribution's.
    ffmpegEncoders: facts && facts.packages.ffmpeg !== undefined ? facts.encoders : undefined,
    hasVideo11: facts?.hasV4l2Encoder ?? false,
  });
  if (!resolution.ok) throw new EncoderError(resolution.message, resolution.hint);
  return { encoder: resolution.encoder, reason: resolution.reason, ...(resolution.assumption ? { assumption: resolution.assumption } : {}) };
}

export function renderContext(
  loaded: LoadedSettings,
  roleVariables: RoleVariables,
  facts: HostFacts | null,
  orbisVersion: string,
): Record<string, unknown> {
  const encoder = decideEncoder(loaded.encode, facts);
  const platforms: Record<Platform, boolean> = { dlive: false, kick: false };
  for (const p of loaded.platforms) platforms[p] = true;
  return {
    ...roleVariables.values,
    ...loaded.settings,
    platforms: { ...platforms, list: [...loaded.platforms] },
    encode: {
      ...loaded.encode,
      encoder: encoder.encoder,
      encoderReason: encoder.reason,
      encoderArgs: encoderArgs(loaded.encode, encoder.encoder),
    },
    host: {
      arch: facts?.arch ?? 'unknown',
      piModel: facts?.piModel ?? null,
      hostname: facts?.hostname ?? 'unknown',
    },
    // The BTFS release depends on the host's architecture. A getter, so that only a role that
    // uses it fails when its checksum is missing, and the message says which setting to set.
    get btfs(): { url: string; sha256: string } {
      if (facts === null) return { url: '', sha256: '' }; // provisional render: paths only
      const download = btfsDownload(loaded.settings, facts.arch, loaded.origins);
      // A ConfigError: the renderer passes it through as the user's configuration problem.
      if (!download.ok) throw new ConfigError([download.issue]);
      return { url: download.url, sha256: download.sha256 };
    },
    // The videos to stream ({url, title} each): read from the controller's LISTE_LECTURE file only
    // by a role that uses it (session.ts checks it before any host is touched).
    get playlist() {
      return readPlaylist(loaded);
    },
    orbis: { version: orbisVersion },
  };
}
