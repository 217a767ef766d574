// What each platform accepts (from the seed's tables), and which platforms are on.
import type { Settings, SettingName } from './settings.js';

export type Platform = 'dlive' | 'kick';
export const PLATFORMS: readonly Platform[] = ['dlive', 'kick'];

export interface KbpsRange {
  min: number;
  max: number;
}

export interface PlatformLimits {
  label: string;
  videoKbps: KbpsRange;
  audioKbps: KbpsRange;
  /** Frame rates the platform accepts. */
  fps: readonly number[];
  /** Required keyframe interval. */
  keyframeSeconds: number;
}

export const PLATFORM_LIMITS: Readonly<Record<Platform, PlatformLimits>> = {
  dlive: { label: 'DLive', videoKbps: { min: 2500, max: 4500 }, audioKbps: { min: 128, max: 160 }, fps: [30], keyframeSeconds: 2 },
  kick: { label: 'Kick', videoKbps: { min: 3500, max: 6000 }, audioKbps: { min: 160, max: 160 }, fps: [30, 60], keyframeSeconds: 2 },
};

/** Both platforms want AAC at 44.1 kHz stereo: fixed, not settings. */
export const AUDIO_SAMPLE_RATE_HZ = 44100;
export const AUDIO_CHANNELS = 2;

/** The settings that belong to each platform. */
export const PLATFORM_SETTING_NAMES = {
  dlive: { active: 'DLIVE_ACTIF', key: 'DLIVE_CLE_FLUX', video: 'DLIVE_BITRATE_VIDEO', audio: 'DLIVE_BITRATE_AUDIO' },
  kick: { active: 'KICK_ACTIF', key: 'KICK_CLE_FLUX', video: 'KICK_BITRATE_VIDEO', audio: 'KICK_BITRATE_AUDIO' },
} as const satisfies Record<Platform, Record<string, SettingName>>;

/**
 * The platforms that receive the stream. PLATEFORMES (the CLI's `--platforms`, the seed's `-p`)
 * wins when set; otherwise DLIVE_ACTIF and KICK_ACTIF decide. This one answer drives the nginx
 * pushes, whether stunnel exists, the encode and the checks.
 */
export function enabledPlatforms(settings: Pick<Settings, 'PLATEFORMES' | 'DLIVE_ACTIF' | 'KICK_ACTIF'>): Platform[] {
  switch (settings.PLATEFORMES) {
    case 'dlive':
      return ['dlive'];
    case 'kick':
      return ['kick'];
    case 'toutes':
      return ['dlive', 'kick'];
    case undefined:
      return PLATFORMS.filter((p) => (p === 'dlive' ? settings.DLIVE_ACTIF : settings.KICK_ACTIF));
  }
}

export function platformLabels(platforms: readonly Platform[]): string {
  return platforms.map((p) => PLATFORM_LIMITS[p].label).join(' and ');
}

/** The values every range accepts at once, or undefined when they do not meet. */
export function intersectRanges(ranges: readonly KbpsRange[]): KbpsRange | undefined {
  const min = Math.max(...ranges.map((r) => r.min));
  const max = Math.min(...ranges.map((r) => r.max));
  return min <= max ? { min, max } : undefined;
}

export function describeRange(range: KbpsRange, unit = 'kbps'): string {
  return range.min === range.max ? `${range.min} ${unit}` : `${range.min}-${range.max} ${unit}`;
}

export function inRange(value: number, range: KbpsRange): boolean {
  return value >= range.min && value <= range.max;
}
