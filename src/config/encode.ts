// The one encode (issue "One encode, one destinations model"): FFmpeg encodes once and nginx-rtmp
// fans out, so with both platforms on, the encode must satisfy both at once.
//
// How the bitrates are chosen (the same rule for video and audio):
//   1. ENCODAGE_BITRATE_VIDEO (resp. _AUDIO) when set;
//   2. else, one platform on: that platform's *_BITRATE_VIDEO;
//   3. else, both on: the LOWER of DLIVE_BITRATE_VIDEO and KICK_BITRATE_VIDEO (less CPU and
//      upload for the Pi, and it is what the stricter platform was told).
// Every setting the rule reads must lie in the range of the platforms that are on: with both on,
// in the overlap (video 3500-4500, audio 160), so a per-platform value outside it is refused even
// when the other one would be picked: it says something the stream would not do.
// Frame rate: DLive 30, Kick 30 or 60 (both: 30). Keyframes every 2 s: GOP = 2 x DEBIT_IMAGES.
import { ConfigError } from './errors.js';
import { locateProblem, type SettingProblem } from './locate.js';
import type { SettingOrigins } from './origins.js';
import {
  AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ, describeRange, enabledPlatforms, inRange, intersectRanges,
  platformLabels, PLATFORM_LIMITS, PLATFORM_SETTING_NAMES, type KbpsRange, type Platform,
} from './platform-limits.js';
import type { Settings, SettingName } from './settings.js';
import type { H264Level, H264Profile, VideoEncoderChoice, X264Preset } from './settings/encode.js';

export interface EncodeSettings {
  /** The platforms this encode feeds (never empty). */
  platforms: readonly Platform[];
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  fps: number;
  /** Keyframe interval in frames (= fps x keyframeSeconds). */
  gop: number;
  keyframeSeconds: number;
  sampleRateHz: number;
  channels: number;
  width: number;
  height: number;
  /** The choice as configured; `resolveVideoEncoder` turns `auto` into an encoder from facts. */
  encoder: VideoEncoderChoice;
  preset: X264Preset;
  profile: H264Profile;
  level: H264Level;
  /** The setting each bitrate was taken from, for plans and `orbis inventory`. */
  videoBitrateFrom: SettingName;
  audioBitrateFrom: SettingName;
}

export interface EncodeDerivation {
  /** Undefined when `problems` is not empty. */
  encode: EncodeSettings | undefined;
  problems: SettingProblem[];
  warnings: SettingProblem[];
}

/** Derive the encode from validated settings; problems name settings, not positions. */
export function deriveEncode(settings: Settings): EncodeDerivation {
  const problems: SettingProblem[] = [];
  const warnings: SettingProblem[] = [];
  const platforms = enabledPlatforms(settings);
  if (platforms.length === 0) {
    problems.push({
      variable: 'DLIVE_ACTIF',
      message: 'DLive and Kick are both off (DLIVE_ACTIF=false and KICK_ACTIF=false): there is nowhere to stream',
      hint: 'set DLIVE_ACTIF=true or KICK_ACTIF=true, or choose with --platforms dlive|kick|toutes',
    });
    return { encode: undefined, problems, warnings };
  }

  const video = chooseBitrate(settings, platforms, 'video', problems);
  const audio = chooseBitrate(settings, platforms, 'audio', problems);
  const fps = checkFrameRate(settings, platforms, problems);
  const keyframeSeconds = Math.max(...platforms.map((p) => PLATFORM_LIMITS[p].keyframeSeconds));
  const gop = checkGop(settings, platforms, fps, keyframeSeconds, problems);
  warnAboutProfileAndLevel(settings, platforms, fps, warnings);

  if (problems.length > 0) return { encode: undefined, problems, warnings };
  return {
    encode: {
      platforms,
      videoBitrateKbps: video.kbps,
      audioBitrateKbps: audio.kbps,
      fps,
      gop,
      keyframeSeconds,
      sampleRateHz: AUDIO_SAMPLE_RATE_HZ,
      channels: AUDIO_CHANNELS,
      width: settings.LARGEUR_MAX,
      height: settings.HAUTEUR_MAX,
      encoder: settings.ENCODEUR_VIDEO,
      preset: settings.PRESET_ENCODAGE,
      profile: settings.PROFIL_H264,
      level: settings.NIVEAU_H264,
      videoBitrateFrom: video.from,
      audioBitrateFrom: audio.from,
    },
    problems,
    warnings,
  };
}

/** The encode of validated settings, or a ConfigError placing each problem (origins optional). */
export function deriveEncodeSettings(settings: Settings, origins?: SettingOrigins): EncodeSettings {
  const { encode, problems } = deriveEncode(settings);
  if (encode !== undefined) return encode;
  throw new ConfigError(problems.map((p) => locateProblem(p, { origin: origins?.[p.variable] ?? { kind: 'default' } })));
}

type Stream = 'video' | 'audio';

const EXPLICIT: Record<Stream, SettingName> = { video: 'ENCODAGE_BITRATE_VIDEO', audio: 'ENCODAGE_BITRATE_AUDIO' };

function chooseBitrate(settings: Settings, platforms: readonly Platform[], stream: Stream, problems: SettingProblem[]): { kbps: number; from: SettingName } {
  const explicitName = EXPLICIT[stream];
  const explicit = stream === 'video' ? settings.ENCODAGE_BITRATE_VIDEO : settings.ENCODAGE_BITRATE_AUDIO;
  const read: Array<{ name: SettingName; kbps: number }> =
    explicit !== undefined
      ? [{ name: explicitName, kbps: explicit }]
      : platforms.map((p) => {
          const name = PLATFORM_SETTING_NAMES[p][stream];
          return { name, kbps: settings[name] };
        });
  const ranges = platforms.map((p) => (stream === 'video' ? PLATFORM_LIMITS[p].videoKbps : PLATFORM_LIMITS[p].audioKbps));
  const allowed = intersectRanges(ranges);
  for (const { name, kbps } of read) {
    if (allowed === undefined || !inRange(kbps, allowed)) {
      problems.push(rangeProblem(name, kbps, stream, platforms, ranges, allowed));
    }
  }
  const chosen = read.reduce((low, r) => (r.kbps < low.kbps ? r : low));
  return { kbps: chosen.kbps, from: chosen.name };
}

function rangeProblem(name: SettingName, kbps: number, stream: Stream, platforms: readonly Platform[], ranges: readonly KbpsRange[], allowed: KbpsRange | undefined): SettingProblem {
  const what = `${stream} bitrate`;
  if (platforms.length === 1) {
    const platform = platforms[0]!;
    const range = ranges[0]!;
    return {
      variable: name,
      message: `${kbps} kbps is outside ${PLATFORM_LIMITS[platform].label}'s ${what} range, ${describeRange(range)}`,
      hint: `set ${name} from ${range.min} to ${range.max}`,
    };
  }
  const each = platforms.map((p, i) => `${PLATFORM_LIMITS[p].label} ${describeRange(ranges[i]!)}`).join(', ');
  const overlap = allowed === undefined ? 'and those ranges do not meet' : `so it must be ${describeRange(allowed)}`;
  const fix = allowed === undefined ? '' : `set ${name} ${allowed.min === allowed.max ? `to ${allowed.min}` : `from ${allowed.min} to ${allowed.max}`}, or `;
  return {
    variable: name,
    message: `${kbps} kbps does not suit both platforms: one encode feeds ${platformLabels(platforms)}, whose ${what} ranges are ${each}, ${overlap}`,
    hint: `${fix}stream to one platform only (--platforms dlive or kick, or *_ACTIF=false)`,
  };
}

function checkFrameRate(settings: Settings, platforms: readonly Platform[], problems: SettingProblem[]): number {
  const fps = settings.DEBIT_IMAGES;
  const accepted = platforms
    .map((p) => PLATFORM_LIMITS[p].fps)
    .reduce((common, list) => common.filter((f) => list.includes(f)));
  if (!accepted.includes(fps)) {
    const rates = (p: Platform): string => `${PLATFORM_LIMITS[p].label} ${PLATFORM_LIMITS[p].fps.join(' or ')} fps`;
    const message = platforms.length === 1
      ? `${fps} fps is not a frame rate the platform accepts: ${rates(platforms[0]!)}`
      : `${fps} fps does not suit both platforms: one encode feeds ${platformLabels(platforms)}, which accept ${platforms.map(rates).join(', ')}, so it must be ${accepted.join(' or ')} fps`;
    problems.push({ variable: 'DEBIT_IMAGES', message, hint: `set DEBIT_IMAGES=${accepted[0] ?? 30}` });
  }
  return fps;
}

function checkGop(settings: Settings, platforms: readonly Platform[], fps: number, seconds: number, problems: SettingProblem[]): number {
  const wanted = fps * seconds;
  const gop = settings.GOP;
  if (gop === undefined || gop === wanted) return wanted;
  problems.push({
    variable: 'GOP',
    message: `${gop} frames is a keyframe every ${round(gop / fps)} s at ${fps} fps; ${platformLabels(platforms)} require one every ${seconds} s, so GOP must be ${wanted} (${seconds} x DEBIT_IMAGES)`,
    hint: `set GOP=${wanted}, or leave GOP empty and orbis computes it`,
  });
  return wanted;
}

// H.264 level limits (frame size in macroblocks, macroblocks per second) from the standard's
// table A-1: a level too low for the size and rate makes players and ingests drop or refuse frames.
const LEVEL_LIMITS: Readonly<Record<H264Level, { frame: number; perSecond: number }>> = {
  '3.0': { frame: 1620, perSecond: 40500 },
  '3.1': { frame: 3600, perSecond: 108000 },
  '3.2': { frame: 5120, perSecond: 216000 },
  '4.0': { frame: 8192, perSecond: 245760 },
  '4.1': { frame: 8192, perSecond: 245760 },
  '4.2': { frame: 8704, perSecond: 522240 },
};

function warnAboutProfileAndLevel(settings: Settings, platforms: readonly Platform[], fps: number, warnings: SettingProblem[]): void {
  if (settings.PROFIL_H264 !== 'main') {
    warnings.push({ variable: 'PROFIL_H264', message: `${settings.PROFIL_H264}: ${platformLabels(platforms)} ask for the main profile`, hint: 'set PROFIL_H264=main' });
  }
  const level = settings.NIVEAU_H264;
  const frame = Math.ceil(settings.LARGEUR_MAX / 16) * Math.ceil(settings.HAUTEUR_MAX / 16);
  const limit = LEVEL_LIMITS[level];
  if (frame > limit.frame || frame * fps > limit.perSecond) {
    const enough = (Object.keys(LEVEL_LIMITS) as H264Level[]).find((l) => frame <= LEVEL_LIMITS[l].frame && frame * fps <= LEVEL_LIMITS[l].perSecond);
    warnings.push({
      variable: 'NIVEAU_H264',
      message: `level ${level} is too low for ${settings.LARGEUR_MAX}x${settings.HAUTEUR_MAX} at ${fps} fps`,
      hint: enough ? `set NIVEAU_H264=${enough}, or lower the size or frame rate` : 'lower the size or frame rate',
    });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
