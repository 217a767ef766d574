// The typed settings model: every variable of orbis.conf (upstream's 58 and orbis's own), as one
// zod schema, with defaults and descriptions. See settings/*.ts for the variables themselves.
import { z } from '../util/zod.js';
import { BTFS_SETTINGS } from './settings/btfs.js';
import { ENCODE_SETTINGS } from './settings/encode.js';
import { PLATFORM_SETTINGS } from './settings/platforms.js';
import { RELAY_SETTINGS } from './settings/relay.js';
import type { SettingSpec, ValueOf } from './settings/spec.js';
import { STREAM_SETTINGS } from './settings/stream.js';
import { SYSTEM_SETTINGS } from './settings/system.js';
import { UPSTREAM_ONLY_SETTINGS } from './settings/upstream.js';

export const SETTINGS = {
  ...PLATFORM_SETTINGS,
  ...ENCODE_SETTINGS,
  ...RELAY_SETTINGS,
  ...BTFS_SETTINGS,
  ...STREAM_SETTINGS,
  ...SYSTEM_SETTINGS,
  ...UPSTREAM_ONLY_SETTINGS,
};

export type SettingName = keyof typeof SETTINGS;

/** Validated settings, by their conf-file names. Stream keys are `Secret`s; '' settings are undefined. */
export type Settings = { readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

export const SETTING_NAMES = Object.keys(SETTINGS) as readonly SettingName[];

const NAME_SET: ReadonlySet<string> = new Set(SETTING_NAMES);

export function isSettingName(name: string): name is SettingName {
  return NAME_SET.has(name);
}

export function settingSpec(name: SettingName): SettingSpec<unknown> {
  return SETTINGS[name];
}

export function isSecretSetting(name: SettingName): boolean {
  return SETTINGS[name].secret;
}

/** The names whose values are secrets (stream keys). */
export const SECRET_SETTING_NAMES = SETTING_NAMES.filter(isSecretSetting);

/** The schema of the whole settings object (input: text or secret per name; output: Settings). */
export const settingsSchema = z.object(
  Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].type.schema.describe(SETTINGS[name].description)])) as {
    [K in SettingName]: (typeof SETTINGS)[K]['type']['schema'];
  },
);

/** The defaults as conf-file text: the lowest layer of every load. */
export function defaultTexts(): Record<SettingName, string> {
  return Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].default])) as Record<SettingName, string>;
}

/** The environment variable that overrides a setting. */
export function envNameOf(name: SettingName): string {
  return `ORBIS_${name}`;
}
