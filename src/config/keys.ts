// Stream keys are needed only to provision, and only for the platforms that are on: every other
// command (inventory, check, render with masks) works without them.
import type { ConfigIssue } from './errors.js';
import { locateProblem } from './locate.js';
import type { SettingOrigins } from './origins.js';
import { enabledPlatforms, PLATFORM_LIMITS, PLATFORM_SETTING_NAMES, type Platform } from './platform-limits.js';
import { envNameOf, type Settings } from './settings.js';

/** One issue per enabled platform whose key is empty, placed where the empty value came from. */
export function requireKeysFor(settings: Settings, origins?: SettingOrigins, platforms: readonly Platform[] = enabledPlatforms(settings)): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const platform of platforms) {
    const name = PLATFORM_SETTING_NAMES[platform].key;
    if (!settings[name].isEmpty) continue;
    const label = PLATFORM_LIMITS[platform].label;
    const other = platforms.length === 1 ? '' : `, or stream without ${label} (${PLATFORM_SETTING_NAMES[platform].active}=false)`;
    issues.push(locateProblem(
      {
        variable: name,
        message: `${label} is enabled but its stream key is empty`,
        hint: `set ${envNameOf(name)} in the environment, or ${name} in conf/orbis.conf or the inventory${other}`,
      },
      { origin: origins?.[name] ?? { kind: 'default' } },
    ));
  }
  return issues;
}
