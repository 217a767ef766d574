// Load the settings of one host: read and parse the conf file, stack the layers, validate.
import { readBoundedText, UnreadableFileError } from '../util/bounded-read.js';
import { scanConf, type ParsedConf } from './conf-parser.js';
import type { EncodeSettings } from './encode.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import type { SettingOrigins } from './origins.js';
import type { Platform } from './platform-limits.js';
import { Secret } from '../redact/secret.js';
import type { Settings } from './settings.js';
import { gatherSources, type Candidates, type SettingsLayer } from './sources.js';
import type { ConfOutline } from './upstream-compat.js';
import { validateCandidates } from './validate.js';

export interface LoadOptions {
  /** The conf file, as the user named it (messages show this path). Omit for no file layer. */
  confPath?: string;
  /** The file's text, when already read (tests, `orbis import`); `confPath` then only names it. */
  confText?: string;
  /** Inventory levels between the conf file and the environment, lowest first. */
  layers?: readonly SettingsLayer[];
  /** Where ORBIS_<NAME> overrides are read. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** `--var KEY=VALUE` arguments, in command-line order (the last wins). */
  vars?: readonly string[];
}

export interface LoadedSettings {
  settings: Settings;
  /** Where each effective value came from. */
  origins: SettingOrigins;
  /** The platforms that receive the stream (never empty). */
  platforms: readonly Platform[];
  /** The single encode feeding those platforms. */
  encode: EncodeSettings;
  warnings: readonly ConfigIssue[];
  /** The conf file's names and positions, when there was one (for the compatibility report). */
  conf: ConfOutline | undefined;
}

const DEFAULT_CONF_NAME = 'orbis.conf';

/**
 * Load and validate. Throws a ConfigError listing every problem found at the first stage that
 * failed (the file's syntax, then names and values, then checks across values). Stream keys are
 * not required here: see `requireKeysFor`, called when provisioning.
 */
export function loadSettings(options: LoadOptions = {}): LoadedSettings {
  const conf = readConf(options);
  const gathered = gatherSources({
    ...(conf === undefined ? {} : { conf }),
    layers: options.layers ?? [],
    env: options.env ?? process.env,
    vars: options.vars ?? [],
  });
  const warnings = [...(conf?.warnings ?? []), ...gathered.warnings];
  if (gathered.errors.length > 0) throw new ConfigError(gathered.errors, secretsOf(gathered.candidates));

  const validation = validateCandidates(gathered.candidates);
  if (!validation.ok) throw new ConfigError(validation.errors, secretsOf(gathered.candidates));
  const { settings, origins, platforms, encode } = validation.value;
  return { settings, origins, platforms, encode, warnings: [...warnings, ...validation.value.warnings], conf: conf && outline(conf) };
}

function readConf(options: LoadOptions): ParsedConf | undefined {
  if (options.confText === undefined && options.confPath === undefined) return undefined;
  const file = options.confPath ?? DEFAULT_CONF_NAME;
  const text = options.confText ?? readConfText(file);
  const scan = scanConf(text, { file });
  if (scan.errors.length > 0) throw new ConfigError(scan.errors);
  return { file: scan.file, entries: scan.entries, warnings: scan.warnings };
}

function readConfText(file: string): string {
  try {
    return readBoundedText(file);
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new ConfigError([{ file, message: error.message, hint: error.hint }]);
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT'
      ? 'copy conf/orbis.conf.example to conf/orbis.conf and fill it in, or name another file with --conf'
      : 'check the file\'s permissions';
    throw new ConfigError([{ file, message: code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`, hint }]);
  }
}

// Values are left out: the parsed file holds stream keys in clear, and LoadedSettings travels far.
function outline(conf: ParsedConf): ConfOutline {
  return { file: conf.file, entries: conf.entries.map(({ key, line, col }) => ({ key, line, col })) };
}

function secretsOf(candidates: Candidates): Secret[] {
  return Object.values(candidates).flatMap((c) => (c.raw instanceof Secret && !c.raw.isEmpty ? [c.raw] : []));
}
