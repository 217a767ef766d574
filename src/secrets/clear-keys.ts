// A stream key written in clear in a file git tracks is in the repository's history for good, and
// in every clone. Warn at the key's position in orbis.conf-format files (conf/orbis.conf, a copy
// of it, a per-site .conf); the inventory's YAML has its own check (src/inventory/clear-keys.ts).
// Untracked or git-ignored files may hold keys: that is what conf/orbis.conf is for.
import { readFileSync } from 'node:fs';
import { scanConf } from '../config/conf-parser.js';
import type { ConfigIssue } from '../config/errors.js';
import { envNameOf, isSecretSetting, isSettingName } from '../config/settings.js';
import { isTrackedByGit } from '../inventory/git.js';

export interface ClearKeyOptions {
  /** The file's text when already read; otherwise it is read (a missing file has no keys). */
  text?: string;
  /** Default: asks git (`git ls-files --error-unmatch`) from the file's directory. */
  isTracked?: (file: string) => boolean;
}

export function clearKeyWarnings(file: string, options: ClearKeyOptions = {}): ConfigIssue[] {
  const text = options.text ?? readIfPresent(file);
  if (text === undefined) return [];
  // Lines that do not parse are reported by loadSettings; the good ones still count here.
  const clear = scanConf(text, { file }).entries.flatMap((e) => {
    const key = e.key;
    return isSettingName(key) && isSecretSetting(key) && e.value !== '' ? [{ ...e, key }] : [];
  });
  // Ask git only when there is something to warn about: it costs a process.
  if (clear.length === 0 || !(options.isTracked ?? isTrackedByGit)(file)) return [];
  return clear.map((entry) => ({
    file,
    line: entry.valueLine,
    col: entry.valueCol,
    variable: entry.key,
    message: 'a stream key in clear in a file git tracks: it is in the repository\'s history and every clone',
    hint: `move it to the secrets file (\`orbis secrets edit\`, then ${entry.key}: { secret: NAME } in the inventory) or to the environment (${envNameOf(entry.key)}), leave ${entry.key}="" here, stop tracking the file (git rm --cached ${file}; add it to .gitignore), and change the key on the platform`,
  }));
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
