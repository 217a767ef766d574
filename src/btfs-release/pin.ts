// Pinning the BTFS release: download it on the controller for each architecture, check what it
// carries, and say what BTFS_SHA256_<ARCH> should be; then (with consent) write it into the conf
// file. read -> plan (downloads, checks, comparison with what is pinned) -> write (one atomic
// rename, only those lines changed). A hash already pinned is never replaced silently: a release
// file that changed upstream is exactly what pinning exists to catch.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BTFS_ARCHES, btfsReleaseUrl, DEFAULT_CONF_PATH, type BtfsArch } from '../config/btfs-download.js';
import { ConfigError } from '../config/errors.js';
import { loadSettings } from '../config/load.js';
import { describeOrigin } from '../config/origins.js';
import { settingSpec, type SettingName } from '../config/settings.js';
import { failureFrom } from '../config/value-types.js';
import { writeFileAtomic } from '../secrets/private-files.js';
import { shCommand } from '../util/shell.js';
import { setConfValues, type ConfLineChange, type ConfValue } from './conf-lines.js';
import { DownloadError, downloadToTemp } from './download.js';
import { inspectRelease, ReleaseRefused, type ReleaseCheck } from './inspect.js';

export const DEFAULT_PIN_ARCHES: readonly BtfsArch[] = ['arm64'];
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export interface PinRequest {
  /** The conf file as the user named it (messages show this), relative to `cwd`. */
  conf: string;
  cwd: string;
  arches: readonly BtfsArch[];
  /** `--url`: a template to download from instead of the conf's, written into it too. */
  url?: string;
  /** Pin a download whose sha256 differs from the one already pinned. */
  replace: boolean;
  idleTimeoutMs?: number;
  /** To warn about ORBIS_BTFS_* overrides, which pinning does not read. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
}

export type PinStatus = 'new' | 'unchanged' | 'replace' | 'changed' | 'failed';

export interface ArchPin {
  arch: BtfsArch;
  setting: SettingName;
  url: string;
  status: PinStatus;
  download?: { size: number; sha256: string; finalUrl: string };
  check?: ReleaseCheck;
  /** What the conf pins now, and where. */
  pinned?: { sha256: string; at: string };
  problem?: { message: string; hint: string };
}

export interface PinPlan {
  conf: string;
  version: string;
  template: string;
  arches: ArchPin[];
  /** What writing changes (empty when everything is pinned already or something failed). */
  writes: ConfValue[];
  ok: boolean;
  notes: string[];
  /** The conf's text the plan was made from: writing refuses if the file changed since. */
  confText: string;
}

/** `--arch arm64,amd64` read and checked. */
export function parseArches(text: string, source = '--arch'): BtfsArch[] {
  const known = Object.keys(BTFS_ARCHES);
  const arches: BtfsArch[] = [];
  for (const word of text.split(/[\s,]+/).filter((w) => w !== '')) {
    if (!known.includes(word)) {
      const hint = word === 'aarch64' ? 'Debian calls it arm64' : word === 'x86_64' || word === 'x86-64' ? 'Debian calls it amd64' : `write ${known.join(', ')} (Debian's names), comma-separated`;
      throw new ConfigError([{ source, message: `"${word}" is not an architecture orbis installs BTFS on (${known.join(', ')})`, hint }]);
    }
    if (!arches.includes(word as BtfsArch)) arches.push(word as BtfsArch);
  }
  if (arches.length === 0) throw new ConfigError([{ source, message: 'names no architecture', hint: `e.g. ${source} arm64,amd64` }]);
  return arches;
}

/** `--url`/`--btfs-url`: checked as BTFS_URL_TELECHARGEMENT is. */
export function checkUrlTemplate(template: string, source: string): string {
  const parsed = settingSpec('BTFS_URL_TELECHARGEMENT').type.schema.safeParse(template);
  if (parsed.success) return parsed.data as string;
  const failure = failureFrom(parsed.error, 'is not a URL template');
  throw new ConfigError([{ source, message: failure.message, hint: failure.hint ?? 'e.g. http://mirror.lan/btfs/v{version}/btfs-linux-{arch}.tar' }]);
}

/** The `orbis btfs pin` command line (without the program) that pins `arches` as `request` does. */
export function pinCommand(request: Pick<PinRequest, 'conf' | 'url'>, arches: readonly BtfsArch[]): string[] {
  return [
    'btfs', 'pin',
    ...(arches.length === 1 && arches[0] === 'arm64' ? [] : ['--arch', arches.join(',')]),
    ...(request.conf === DEFAULT_CONF_PATH ? [] : ['--conf', request.conf]),
    ...(request.url !== undefined ? ['--url', request.url] : []),
  ];
}

/** What to do when a download fails: the mirror case first, since it is the usual way out. */
function downloadHint(version: string, request: PinRequest): string {
  return (
    `check the URL on https://github.com/bittorrent/go-btfs/releases/tag/v${version} and BTFS_VERSION; without access to GitHub, ` +
    `put the release files on a server you reach and give its URL template: ${request.url !== undefined ? '--url' : '--url (or BTFS_URL_TELECHARGEMENT)'} 'http://mirror.lan/btfs/v{version}/btfs-linux-{arch}.tar'`
  );
}

function readConfText(path: string, shown: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      { file: shown, message: code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`, hint: code === 'ENOENT' ? 'write it with `orbis init` (or copy conf/orbis.conf.example), or name another one with --conf' : "check the file's permissions" },
    ]);
  }
}

async function pinArch(arch: BtfsArch, url: string, version: string, pinned: ArchPin['pinned'], request: PinRequest): Promise<ArchPin> {
  const setting = BTFS_ARCHES[arch];
  const base = { arch, setting, url, ...(pinned ? { pinned } : {}) };
  request.progress?.(`downloading BTFS ${version} for ${arch}: ${url}`);
  let downloaded;
  try {
    downloaded = await downloadToTemp(url, { idleTimeoutMs: request.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, hint: downloadHint(version, request) });
  } catch (error) {
    if (!(error instanceof DownloadError)) throw error;
    return { ...base, status: 'failed', problem: { message: `cannot download ${url}: ${error.reason}`, hint: error.hint } };
  }
  const download = { size: downloaded.size, sha256: downloaded.sha256, finalUrl: downloaded.finalUrl };
  try {
    const check = await inspectRelease(downloaded.path, downloaded, arch, version);
    if (!pinned) return { ...base, status: 'new', download, check };
    if (pinned.sha256 === download.sha256) return { ...base, status: 'unchanged', download, check };
    if (request.replace) return { ...base, status: 'replace', download, check };
    return {
      ...base,
      status: 'changed',
      download,
      check,
      problem: {
        message:
          `${pinned.at}: ${setting} pins sha256 ${pinned.sha256}, but ${url} now serves sha256 ${download.sha256}: ` +
          'the file changed since it was pinned (re-published upstream under the same version, or the URL now leads elsewhere: another mirror, a proxy, an attack)',
        hint: `orbis will not install it. If you changed BTFS_VERSION or the URL on purpose, or the release page confirms the new file, pin it: orbis ${shCommand(pinCommand(request, [arch]))} --replace`,
      },
    };
  } catch (error) {
    if (!(error instanceof ReleaseRefused)) throw error;
    return { ...base, status: 'failed', download, problem: { message: `${url}: ${error.message}`, hint: error.hint } };
  } finally {
    await downloaded.dispose();
  }
}

/** Download and check each architecture's release; decide what writing would change. */
export async function planPins(request: PinRequest): Promise<PinPlan> {
  const path = resolve(request.cwd, request.conf);
  const confText = readConfText(path, request.conf);
  // The conf file alone: that is what gets written, and what a Pi without overrides uses.
  const { settings, origins } = loadSettings({ confPath: request.conf, confText, env: {} });
  const template = request.url ?? settings.BTFS_URL_TELECHARGEMENT;
  const version = settings.BTFS_VERSION;
  const notes: string[] = [];
  for (const name of ['BTFS_VERSION', 'BTFS_URL_TELECHARGEMENT', ...request.arches.map((a) => BTFS_ARCHES[a])]) {
    if (request.env?.[`ORBIS_${name}`] !== undefined) {
      notes.push(`ORBIS_${name} is set in this environment and overrides ${request.conf} at run time; pinning reads and writes ${request.conf} only`);
    }
  }
  const arches = await Promise.all(
    request.arches.map((arch) => {
      const setting = BTFS_ARCHES[arch];
      const current = settings[setting];
      const pinned = current === undefined ? undefined : { sha256: current, at: describeOrigin(origins[setting]) };
      return pinArch(arch, btfsReleaseUrl(template, version, arch), version, pinned, request);
    }),
  );
  const ok = arches.every((a) => a.status !== 'failed' && a.status !== 'changed');
  const writes: ConfValue[] = [];
  if (ok) {
    if (request.url !== undefined && request.url !== settings.BTFS_URL_TELECHARGEMENT) {
      writes.push({ key: 'BTFS_URL_TELECHARGEMENT', value: request.url, after: ['BTFS_VERSION'] });
    }
    for (const pin of arches) {
      if (pin.status === 'new' || pin.status === 'replace') {
        writes.push({ key: pin.setting, value: pin.download!.sha256, after: ['BTFS_SHA256_ARM64', 'BTFS_SHA256_AMD64', 'BTFS_URL_TELECHARGEMENT', 'BTFS_VERSION'].filter((k) => k !== pin.setting) });
      }
    }
  }
  return { conf: request.conf, version, template, arches, writes, ok, notes, confText };
}

/** Where the plan's values would go in the conf file (nothing written). */
export function previewPins(plan: PinPlan): ConfLineChange[] {
  return plan.writes.length === 0 ? [] : setConfValues(plan.confText, plan.conf, plan.writes).changes;
}

/** Write the plan's values into the conf file (0600, atomically), if it did not change meanwhile. */
export function writePins(plan: PinPlan, cwd: string): ConfLineChange[] {
  if (plan.writes.length === 0) return [];
  const path = resolve(cwd, plan.conf);
  const now = readConfText(path, plan.conf);
  if (now !== plan.confText) {
    throw new ConfigError([{ file: plan.conf, message: 'changed while the releases were downloaded; nothing was written', hint: 'run the command again' }]);
  }
  const { text, changes } = setConfValues(now, plan.conf, plan.writes);
  writeFileAtomic(path, text, 0o600);
  return changes;
}
