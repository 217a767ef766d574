// What `orbis init` needs to know, and the checks every answer goes through whether it came
// from a flag, the environment, stdin or the terminal. Stream keys stay `Secret`s from the moment
// they are read: messages about them say what is wrong and where, never the key.
import { checkStreamKey } from '../config/stream-key.js';
import { ConfigError } from '../config/errors.js';
import { Secret } from '../redact/secret.js';
import { scanConf } from '../config/conf-parser.js';
import type { TargetSpec } from '../transport/ssh-config.js';
import { NAME_RE, NAME_RULE } from '../inventory/names.js';

export type Platform = 'dlive' | 'kick';
export type PlatformChoice = 'dlive' | 'kick' | 'toutes';
/** Where the keys go: clear in the conf file (0600), the encrypted secrets file, or nowhere (the inventory names environment variables). */
export type KeyStore = 'conf' | 'secrets' | 'env';

export const PLATFORM_LABELS: Record<Platform, string> = { dlive: 'DLive', kick: 'Kick' };
export const KEY_SETTINGS: Record<Platform, 'DLIVE_CLE_FLUX' | 'KICK_CLE_FLUX'> = { dlive: 'DLIVE_CLE_FLUX', kick: 'KICK_CLE_FLUX' };
/** Where each platform shows its key (from the settings' own help). */
export const KEY_WHERE: Record<Platform, string> = {
  dlive: 'dlive.tv > Settings > Stream dashboard',
  kick: 'kick.com > Dashboard > Stream settings',
};

export const DEFAULT_TARGET = 'pi@raspberrypi.local';

export interface InitAnswers {
  platforms: PlatformChoice;
  /** Keys given (a platform without one is set up later, by hand or the environment). */
  keys: Partial<Record<Platform, Secret>>;
  /** With store `env`: the environment variable the inventory reads each key from. */
  keyEnv: Partial<Record<Platform, string>>;
  store: KeyStore;
  target: TargetSpec;
  /** The host's name in the inventory (and the inventory file's name). */
  name: string;
}

export function enabledPlatforms(choice: PlatformChoice): Platform[] {
  return choice === 'toutes' ? ['dlive', 'kick'] : [choice];
}

/** The seed's words, plus the English ones people type. */
export function parsePlatforms(text: string): PlatformChoice | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'dlive' || t === 'kick' || t === 'toutes') return t;
  if (['both', 'all', 'dlive,kick', 'kick,dlive', 'dlive+kick', 'les deux'].includes(t)) return 'toutes';
  return undefined;
}

/** A key as typed or read: checked, never echoed. `source` says where it came from. */
export function checkKey(platform: Platform, value: string, source: string): Secret {
  const key = new Secret(value, source);
  const problem = checkStreamKey(value);
  if (problem) {
    throw new ConfigError([{ source, variable: KEY_SETTINGS[platform], message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) }], [key]);
  }
  return key;
}

/** `--dlive-key-env NAME`: the key from that environment variable (the name is in argv, never the key). */
export function keyFromEnv(platform: Platform, variable: string, env: Readonly<Record<string, string | undefined>>): Secret {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new ConfigError([{ source: `--${platform}-key-env`, message: `"${variable}" is not an environment variable name`, hint: 'give the NAME of the variable that holds the key, e.g. --dlive-key-env DLIVE_KEY' }]);
  }
  const value = env[variable];
  if (value === undefined || value === '') {
    throw new ConfigError([{ source: `environment ${variable}`, message: 'is not set, or empty', hint: `export ${variable} in this shell first (e.g. read -rs ${variable} && export ${variable})` }]);
  }
  return checkKey(platform, value, `environment ${variable}`);
}

/**
 * `--keys-stdin`: `DLIVE_CLE_FLUX=...` / `KICK_CLE_FLUX=...` lines in the conf file's own syntax,
 * e.g. `printf 'DLIVE_CLE_FLUX=%s\n' "$KEY" | orbis init --keys-stdin ...`.
 */
export function keysFromText(text: string, source = '<stdin>'): Partial<Record<Platform, Secret>> {
  const scan = scanConf(text, { file: source });
  if (scan.errors.length > 0) throw new ConfigError(scan.errors, scan.entries.map((e) => e.value));
  const keys: Partial<Record<Platform, Secret>> = {};
  const values = scan.entries.map((e) => e.value);
  for (const entry of scan.entries) {
    const platform = (Object.keys(KEY_SETTINGS) as Platform[]).find((p) => KEY_SETTINGS[p] === entry.key);
    if (!platform) {
      throw new ConfigError(
        [{ file: source, line: entry.line, col: entry.col, variable: entry.key, message: 'is not read from stdin: only DLIVE_CLE_FLUX and KICK_CLE_FLUX are', hint: 'give other settings in conf/orbis.conf after init' }],
        values,
      );
    }
    const where = `${source}:${entry.line}:${entry.col}`;
    try {
      keys[platform] = checkKey(platform, entry.value, where);
    } catch (error) {
      throw error instanceof ConfigError ? new ConfigError(error.issues, values) : error;
    }
  }
  return keys;
}

/** A name for the inventory from the host: `raspberrypi.local` -> raspberrypi, `10.0.0.12` -> pi-10-0-0-12. */
export function defaultName(target: TargetSpec): string {
  const host = target.host;
  if (/^[\d.]+$/.test(host) || host.includes(':')) return `pi-${host.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  const first = host.split('.')[0] ?? host;
  const cleaned = first.replace(/[^A-Za-z0-9_-]/g, '-');
  return NAME_RE.test(cleaned) ? cleaned : `pi-${cleaned}`;
}

export function checkName(name: string): string {
  if (!NAME_RE.test(name) || name === 'all') {
    throw new ConfigError([{ source: '--name', message: `"${name}" cannot name an inventory host (${NAME_RULE}; not "all")`, hint: 'choose another name, e.g. salon' }]);
  }
  return name;
}

/** The secret's name in the secrets file for a host's key: letters, digits and _ only. */
export function secretNameFor(hostName: string, platform: Platform): string {
  return `${hostName.replace(/[^A-Za-z0-9_]/g, '_')}_${platform}`;
}

/** The target back as `[user@]host[:port]`. */
export function targetText(target: TargetSpec): string {
  const host = target.host.includes(':') && target.port !== undefined ? `[${target.host}]` : target.host;
  return `${target.user ? `${target.user}@` : ''}${host}${target.port !== undefined ? `:${target.port}` : ''}`;
}
