// The configuration layer's public API. See load.ts for the entry point.
export { loadSettings, type LoadOptions, type LoadedSettings } from './load.js';
export { scanConf, parseConf, effectiveEntries, type ConfEntry, type ParsedConf, type ConfScan, type ConfParseOptions } from './conf-parser.js';
export { ConfigError, formatIssue, formatIssues, isConfigError, type ConfigIssue } from './errors.js';
export { type SettingsLayer } from './sources.js';
export { describeOrigin, type ValueOrigin, type SettingOrigins, type SourcePosition } from './origins.js';
export {
  SETTINGS, SETTING_NAMES, SECRET_SETTING_NAMES, settingsSchema, settingSpec, isSettingName, isSecretSetting, defaultTexts, envNameOf,
  type Settings, type SettingName,
} from './settings.js';
export type { SettingSpec, SettingGroup, RoleName } from './settings/spec.js';
export type { PlatformChoice } from './settings/platforms.js';
export type { VideoEncoder, VideoEncoderChoice, X264Preset, H264Profile, H264Level } from './settings/encode.js';
export type { BtfsChainId } from './settings/btfs.js';
export type { LogLevel } from './settings/stream.js';
export {
  enabledPlatforms, PLATFORMS, PLATFORM_LIMITS, PLATFORM_SETTING_NAMES, AUDIO_SAMPLE_RATE_HZ, AUDIO_CHANNELS,
  type Platform, type PlatformLimits, type KbpsRange,
} from './platform-limits.js';
export { deriveEncode, deriveEncodeSettings, type EncodeSettings, type EncodeDerivation } from './encode.js';
export { resolveVideoEncoder, isPi4, type EncoderFacts, type EncoderResolution } from './encoder-choice.js';
export { requireKeysFor } from './keys.js';
export { checkStreamKey, STREAM_KEY_ALLOWED } from './stream-key.js';
export { upstreamCompatibility, formatCompatibility, UPSTREAM_RULES, UPSTREAM_VARIABLES, type CompatRow, type CompatRule, type CompatStatus, type ConfOutline } from './upstream-compat.js';
export { settingRows, displayValue, type SettingRow } from './display.js';
export { Secret, isSecret, maskSecrets } from '../redact/secret.js';
export { btfsDownload, BTFS_ARCHES, type BtfsArch, type BtfsDownload } from './btfs-download.js';
