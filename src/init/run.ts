// `orbis init`: from answers (flags, then questions on a terminal) to conf/orbis.conf (0600), an
// inventory with the Pi, the keys where the user chose (that file, the encrypted secrets file,
// or environment variables the inventory names), and conf/orbis.conf in .gitignore. Everything
// that can be refused is refused before the first file is written.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { BtfsArch } from '../config/btfs-download.js';
import { ConfigError } from '../config/errors.js';
import type { Secret } from '../redact/secret.js';
import { isTrackedByGit } from '../inventory/git.js';
import { DEFAULT_SECRETS_FILE } from '../secrets/locations.js';
import { writeFileAtomic } from '../secrets/private-files.js';
import type { AskPassphrase } from '../secrets/identity.js';
import { parseTarget } from '../transport/ssh-config.js';
import { packageRoot } from '../util/paths.js';
import {
  checkName,
  DEFAULT_TARGET,
  defaultName,
  enabledPlatforms,
  KEY_SETTINGS,
  keyFromEnv,
  keysFromText,
  PLATFORM_LABELS,
  secretNameFor,
  targetText,
  type InitAnswers,
  type KeyStore,
  type Platform,
  type PlatformChoice,
} from './answers.js';
import { checkUrlTemplate, pinCommand, planPins, writePins } from '../btfs-release/pin.js';
import { planJson, planText } from '../btfs-release/text.js';
import { confText, ensureGitignored, inventoryText, type GitignoreOutcome } from './files.js';
import { askAnswers, type Asker, type Given } from './questions.js';

export interface InitOptions {
  platforms?: PlatformChoice;
  dliveKeyEnv?: string;
  kickKeyEnv?: string;
  keysStdin: boolean;
  store?: KeyStore;
  host?: string;
  name?: string;
  conf: string;
  inventoryDir: string;
  secrets: string;
  identity?: string;
  force: boolean;
  /** Pin the BTFS release (download it, write its sha256 into the new conf): on unless --no-pin. */
  pin: boolean;
  /** The architectures to pin (default arm64, a Pi). */
  arches: readonly BtfsArch[];
  /** `--btfs-url`: a template for the BTFS download (a mirror), written into the conf. */
  btfsUrl?: string;
  /** Give up on a download that sends nothing for this long. */
  pinIdleTimeoutMs?: number;
}

export interface InitIo {
  /** Present when questions may be asked (a terminal). */
  asker?: Asker;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  readStdin: () => Promise<string>;
  askPassphrase?: AskPassphrase;
  /** The date written in the files' headers (default: today). */
  date?: string;
  /** Progress lines (the downloads), for stderr. */
  progress?: (line: string) => void;
}

/** What became of pinning BTFS's checksum once the files were written. */
export interface InitPin {
  status: 'pinned' | 'skipped' | 'failed';
  /** Lines about each architecture's release (URL, size, sha256, checks) or the failure. */
  lines: string[];
  /** The conf lines written: BTFS_SHA256_<ARCH>="...". */
  written: Array<{ variable: string; sha256: string; line: number }>;
  /** The `orbis btfs pin` arguments (without the program) to run when it was skipped or failed. */
  retry: string[];
  /** The pinning report (`orbis btfs pin --json`'s), when a download was tried. */
  report?: object;
}

export interface InitResult {
  conf: string;
  inventory: string;
  host: string;
  target: string;
  platforms: PlatformChoice;
  store: KeyStore;
  /** Platforms whose key was stored or referenced (never the keys). */
  keys: Platform[];
  gitignore: GitignoreOutcome;
  notes: string[];
  /** Shell lines to run first (export the keys the inventory reads from the environment). */
  before: string[];
  /** orbis commands to run next, in order, as argv lists without the program. */
  next: string[][];
  pin: InitPin;
}

export const DEFAULT_CONF = 'conf/orbis.conf';
export const DEFAULT_INVENTORY_DIR = 'inventory';

function refuseExisting(path: string, what: string): void {
  throw new ConfigError([{ file: path, message: `already exists (${what})`, hint: 'add --force to replace it, or edit it by hand' }]);
}

/** What the flags settle, read and checked (keys from the environment or stdin, never argv). */
async function givenByFlags(options: InitOptions, io: InitIo): Promise<Given> {
  const keyEnv: Partial<Record<Platform, string>> = {};
  if (options.dliveKeyEnv) keyEnv.dlive = options.dliveKeyEnv;
  if (options.kickKeyEnv) keyEnv.kick = options.kickKeyEnv;
  const keys: Partial<Record<Platform, Secret>> = {};
  if (options.store === 'env') {
    if (Object.keys(keyEnv).length === 0) {
      throw new ConfigError([{ source: '--store env', message: 'names no variable for the inventory to read the keys from', hint: 'add --dlive-key-env NAME and/or --kick-key-env NAME' }]);
    }
    if (options.keysStdin) throw new ConfigError([{ source: '--store env', message: 'stores no key, so --keys-stdin has nowhere to put them', hint: 'use --store conf or --store secrets with --keys-stdin' }]);
  }
  for (const [platform, variable] of Object.entries(keyEnv) as Array<[Platform, string]>) {
    // With --store env the variable is read at every run, not now: it may be unset yet.
    if (options.store === 'env' && !io.env[variable]) continue;
    keys[platform] = keyFromEnv(platform, variable, io.env);
  }
  if (options.keysStdin) {
    const fromStdin = keysFromText(await io.readStdin());
    for (const platform of Object.keys(fromStdin) as Platform[]) {
      if (keys[platform]) throw new ConfigError([{ source: '--keys-stdin', variable: KEY_SETTINGS[platform], message: `also given with --${platform}-key-env`, hint: 'give each key once' }]);
      keys[platform] = fromStdin[platform];
    }
  }
  return {
    ...(options.platforms ? { platforms: options.platforms } : {}),
    keys,
    keyEnv: options.store === 'env' ? keyEnv : {},
    ...(options.store ? { store: options.store } : {}),
    ...(options.host !== undefined ? { target: parseTarget(options.host) } : {}),
    ...(options.name !== undefined ? { name: checkName(options.name) } : {}),
  };
}

function withDefaults(given: Given): InitAnswers {
  const target = given.target ?? parseTarget(DEFAULT_TARGET);
  return {
    platforms: given.platforms ?? 'toutes',
    keys: given.keys,
    keyEnv: given.keyEnv,
    store: given.store ?? 'conf',
    target,
    name: given.name ?? defaultName(target),
  };
}

export async function runInit(options: InitOptions, io: InitIo): Promise<InitResult> {
  const at = (p: string) => resolve(io.cwd, p);
  if (existsSync(at(options.conf)) && !options.force) refuseExisting(options.conf, 'orbis init never overwrites your settings');
  if (options.btfsUrl !== undefined) checkUrlTemplate(options.btfsUrl, '--btfs-url');
  const given = await givenByFlags(options, io);
  const answers = io.asker ? await askAnswers(given, io.asker) : withDefaults(given);
  const inventory = join(options.inventoryDir, `${answers.name}.yaml`);
  if (existsSync(at(inventory)) && !options.force) refuseExisting(inventory, `an inventory for ${answers.name}`);

  const notes: string[] = [];
  const on = enabledPlatforms(answers.platforms);
  for (const platform of Object.keys(answers.keys) as Platform[]) {
    if (!on.includes(platform)) {
      delete answers.keys[platform];
      notes.push(`the ${PLATFORM_LABELS[platform]} key was not stored: ${PLATFORM_LABELS[platform]} is not among the platforms (${answers.platforms})`);
    }
  }
  if (answers.store === 'env') {
    for (const platform of Object.keys(answers.keyEnv) as Platform[]) if (!on.includes(platform)) delete answers.keyEnv[platform];
  }
  const date = io.date ?? new Date().toISOString().slice(0, 10);

  if (answers.store === 'secrets') {
    const entries = new Map(on.flatMap((p) => (answers.keys[p] ? [[secretNameFor(answers.name, p), answers.keys[p]] as const] : [])));
    if (entries.size > 0) {
      const { putSecrets } = await import('../secrets/put.js');
      notes.push(
        ...(await putSecrets(entries, {
          file: at(options.secrets),
          ...(options.identity ? { identity: options.identity } : {}),
          env: io.env,
          replace: options.force,
          ...(io.askPassphrase ? { askPassphrase: io.askPassphrase } : {}),
        })).map((n) => n.split(`${resolve(io.cwd)}${sep}`).join('')),
      );
    }
  }

  const example = readFileSync(join(packageRoot(), 'conf', 'orbis.conf.example'), 'utf8');
  mkdirSync(dirname(at(options.conf)), { recursive: true });
  writeFileAtomic(
    at(options.conf),
    confText(example, answers, { inventoryPath: inventory, secretsFile: options.secrets, date, ...(options.btfsUrl !== undefined ? { btfsUrl: options.btfsUrl } : {}) }),
    0o600,
  );
  mkdirSync(dirname(at(inventory)), { recursive: true });
  writeFileAtomic(at(inventory), inventoryText(answers, { inventoryPath: inventory, confPath: options.conf, date }), 0o644);
  const gitignore = ensureGitignored(options.conf, io.cwd);
  if (answers.store === 'conf' && Object.keys(answers.keys).length > 0 && isTrackedByGit(at(options.conf))) {
    notes.push(`warning: git tracks ${options.conf}: .gitignore does not apply to it, and the keys would be committed; run \`git rm --cached ${options.conf}\``);
  }

  const keyed = on.filter((p) => answers.keys[p] || answers.keyEnv[p]);
  for (const platform of on.filter((p) => !keyed.includes(p))) {
    notes.push(`no ${PLATFORM_LABELS[platform]} key yet: set ${KEY_SETTINGS[platform]} in ${options.conf} (or ORBIS_${KEY_SETTINGS[platform]} in the environment) before provisioning`);
  }
  const target = targetText(answers.target);
  const files = [
    ...(options.conf === DEFAULT_CONF ? [] : ['--conf', options.conf]),
    ...(answers.store === 'secrets' && options.secrets !== DEFAULT_SECRETS_FILE ? ['--secrets', options.secrets] : []),
  ];
  // Keys in the conf file: the Pi as typed is enough. Elsewhere: only the inventory refers to them.
  const how = answers.store === 'conf' ? ['provision', target] : ['apply', '-i', inventory];
  const before = answers.store === 'env' ? Object.values(answers.keyEnv).map((v) => `read -rs ${v} && export ${v}    # type the key (hidden)`) : [];
  const next = [[...how, ...files, '--check'], [...how, ...files]];
  // Last, once everything else is written: a failed download loses nothing.
  const pin = await pinRelease(options, io);
  return { conf: options.conf, inventory, host: answers.name, target, platforms: answers.platforms, store: answers.store, keys: keyed, gitignore, notes, before, next, pin };
}

/**
 * BTFS's checksum, pinned into the conf init just wrote. Running init is the consent to write its
 * own file, so nothing is asked; the output shows the sha256 and says so.
 */
async function pinRelease(options: InitOptions, io: InitIo): Promise<InitPin> {
  // The conf now holds the mirror's URL, if any: no --url needed to pin again later.
  const retry = pinCommand({ conf: options.conf }, options.arches);
  if (!options.pin) return { status: 'skipped', lines: [], written: [], retry };
  try {
    const plan = await planPins({
      conf: options.conf,
      cwd: io.cwd,
      arches: options.arches,
      replace: false,
      env: io.env,
      ...(options.pinIdleTimeoutMs !== undefined ? { idleTimeoutMs: options.pinIdleTimeoutMs } : {}),
      ...(io.progress ? { progress: io.progress } : {}),
    });
    if (!plan.ok) return { status: 'failed', lines: planText(plan), written: [], retry, report: planJson(plan, false) };
    const changes = writePins(plan, io.cwd);
    const written = changes.map((c) => ({ variable: c.key, sha256: plan.writes.find((w) => w.key === c.key)?.value ?? '', line: c.line }));
    return { status: 'pinned', lines: planText(plan), written, retry, report: planJson(plan, true, changes) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'failed', lines: [`BTFS not pinned: ${message}`], written: [], retry };
  }
}
