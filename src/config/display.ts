// Settings as rows for `orbis inventory` and reports: value (secrets masked) and origin.
import { describeOrigin, type SettingOrigins } from './origins.js';
import { isSecret, Secret } from '../redact/secret.js';
import { SETTING_NAMES, SETTINGS, type SettingName, type Settings } from './settings.js';

export interface SettingRow {
  name: SettingName;
  /** As text; a secret shows as a mask, or `(empty)` when unset; an unset optional as ''. */
  value: string;
  origin: string;
  description: string;
  secret: boolean;
}

export function displayValue(value: unknown): string {
  if (isSecret(value)) return value.isEmpty ? '(empty)' : Secret.MASK;
  if (value === undefined) return '';
  return String(value);
}

export function settingRows(loaded: { settings: Settings; origins: SettingOrigins }): SettingRow[] {
  return SETTING_NAMES.map((name) => ({
    name,
    value: displayValue(loaded.settings[name]),
    origin: describeOrigin(loaded.origins[name], name),
    description: SETTINGS[name].description,
    secret: SETTINGS[name].secret,
  }));
}
