// From upstream's install to what `orbis import` writes: the reconciled settings, the conf file,
// the playlists, the inventory entry and (with --keys secrets) the keys for the secrets file,
// and what orbis would refuse in them. Pure: the CLI does the writing.
import { posix } from 'node:path';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { requireKeysFor } from '../config/keys.js';
import { loadSettings, type LoadedSettings } from '../config/load.js';
import { Secret } from '../redact/secret.js';
import { SETTINGS, type SettingName } from '../config/settings.js';
import { renderConf, type ConfHeader } from './conf-writer.js';
import { findingsOf, type Finding } from './findings.js';
import { inventoryName, renderInventory, secretName, type InventoryEntry } from './inventory-writer.js';
import { importPlaylists, PLAYLIST_DIR, streamerCandidates, type PlaylistCopy } from './playlists.js';
import type { UpstreamInstall } from './read-upstream.js';
import { decide, gatherCandidates, variableRows, type CarriedSetting, type Conflict, type VariableRow } from './reconcile.js';

export type KeysDestination = 'conf' | 'secrets';

export interface ImportRequest {
  /** How the Pi was reached, for the inventory entry and the headers. */
  connection: { address?: string; sshAlias?: string; user: string; port: number; key?: string };
  /** `--name`; default: the Pi's hostname. */
  name?: string;
  /** `--out`: conf/orbis.conf, conf/ldl/ and inventory/<name>.yaml go under it. */
  outDir: string;
  keys: KeysDestination;
  /** Where the secrets file is (for the header and the commands printed). */
  secretsFile: string;
  date: Date;
}

export interface OutputFile {
  path: string;
  text: string;
  mode: number;
  what: string;
}

export interface SecretToStore {
  name: string;
  setting: SettingName;
  value: Secret;
}

export interface ImportPlan {
  name: string;
  install: UpstreamInstall;
  settings: Map<SettingName, CarriedSetting>;
  variables: VariableRow[];
  conflicts: Conflict[];
  findings: Finding[];
  playlists: PlaylistCopy[];
  files: OutputFile[];
  secrets: SecretToStore[];
  /** What orbis refuses in the imported settings (positions in the written conf). */
  problems: ConfigIssue[];
  paths: { conf: string; inventory: string; playlists: string };
  /** The commands that take it from here. */
  next: { provision: string; apply: string; removeOld: string };
}

const KEY_SETTINGS = [
  ['DLIVE_CLE_FLUX', 'dlive'],
  ['KICK_CLE_FLUX', 'kick'],
] as const;

function tryLoad(confText: string, confPath: string): { loaded?: LoadedSettings; issues: ConfigIssue[] } {
  try {
    return { loaded: loadSettings({ confPath, confText, env: {} }), issues: [] };
  } catch (error) {
    if (error instanceof ConfigError) return { issues: [...error.issues] };
    throw error;
  }
}

/**
 * Upstream encoded once, at the bitrates of the platform `diffuser.sh -p` named (Kick's unless
 * `-p dlive`); orbis, with both platforms on, takes the lower of the two. When they differ, the
 * encode is pinned (ENCODAGE_BITRATE_*) to what upstream really streamed.
 */
function carryEncodeBitrates(install: UpstreamInstall, settings: Map<SettingName, CarriedSetting>, loaded: LoadedSettings): void {
  const platform = install.streamer?.args.platform ?? 'toutes';
  const prefix = platform === 'dlive' ? 'DLIVE' : 'KICK';
  const pairs = [
    ['ENCODAGE_BITRATE_VIDEO', `${prefix}_BITRATE_VIDEO`, loaded.encode.videoBitrateKbps],
    ['ENCODAGE_BITRATE_AUDIO', `${prefix}_BITRATE_AUDIO`, loaded.encode.audioBitrateKbps],
  ] as const;
  for (const [target, source, derived] of pairs) {
    const upstream = settings.get(source);
    if (settings.has(target) || upstream === undefined || Number(upstream.value) === derived) continue;
    const how = install.streamer?.args.platform !== undefined
      ? `the running diffuser.sh -p ${platform}`
      : `${install.streamer ? 'the running ' : ''}diffuser.sh without -p (toutes)`;
    settings.set(target, {
      name: target,
      value: String(upstream.value),
      from: { file: upstream.from.file, ...(upstream.from.line === undefined ? {} : { line: upstream.from.line }), what: `${source}, which ${how} encodes with` },
      confirmedBy: [],
    });
  }
}

export function planImport(install: UpstreamInstall, request: ImportRequest): ImportPlan {
  const name = request.name ?? inventoryName(install.hostname || request.connection.address || 'pi');
  const confDir = posix.join(request.outDir, 'conf');
  const paths = {
    conf: posix.join(confDir, 'orbis.conf'),
    inventory: posix.join(request.outDir, 'inventory', `${name}.yaml`),
    playlists: posix.join(confDir, PLAYLIST_DIR),
  };
  const gateway = install.conf.entries.get('BTFS_PASSERELLE')?.value || SETTINGS.BTFS_PASSERELLE.default;
  const playlists = importPlaylists(install, confDir, gateway);
  const running = [...streamerCandidates(install), ...(playlists.chosen ? [playlists.chosen] : [])];
  const { settings, conflicts } = decide(gatherCandidates(install, running));

  const reached = request.connection.sshAlias ?? request.connection.address ?? name;
  const header: ConfHeader = { from: `${request.connection.user}@${reached} (${install.hostname || name})`, project: install.project.dir, date: request.date };
  let render = (withheld = new Map<SettingName, string>(), keysElsewhere?: string): string =>
    renderConf(settings, variableRows(install, settings), keysElsewhere ? { ...header, keysElsewhere } : header, withheld);

  const first = tryLoad(render(), paths.conf);
  if (first.loaded) carryEncodeBitrates(install, settings, first.loaded);
  const checked = tryLoad(render(), paths.conf);
  const problems = [...checked.issues];
  if (checked.loaded) problems.push(...requireKeysFor(checked.loaded.settings, checked.loaded.origins, checked.loaded.platforms));
  const chosen = playlists.copies.find((c) => playlists.chosen?.value === `${PLAYLIST_DIR}/${c.name}`);
  if (chosen) problems.push(...chosen.issues);

  const secrets: SecretToStore[] = [];
  const withheld = new Map<SettingName, string>();
  const secretRefs = new Map<string, string>();
  if (request.keys === 'secrets') {
    for (const [setting, platform] of KEY_SETTINGS) {
      const value = settings.get(setting)?.value;
      if (!(value instanceof Secret) || value.isEmpty) continue;
      const secret = secretName(name, platform);
      secrets.push({ name: secret, setting, value });
      withheld.set(setting, `in ${request.secretsFile} as ${secret} (${paths.inventory} refers to it)`);
      secretRefs.set(setting, secret);
    }
    const plain = render;
    render = () => plain(withheld, secrets.length > 0 ? request.secretsFile : undefined);
  }

  const target = `${request.connection.user}@${reached}${request.connection.port === 22 ? '' : `:${request.connection.port}`}`;
  const confOption = paths.conf === 'conf/orbis.conf' ? '' : ` --conf ${paths.conf}`;
  const outOption = request.outDir === '.' ? '' : ` --out ${request.outDir}`;
  const nameOption = request.name === undefined ? '' : ` --name ${name}`;
  const next = {
    provision: `orbis provision ${target}${confOption}`,
    apply: `orbis apply -i ${paths.inventory}${confOption}`,
    removeOld: `orbis import ${target}${outOption}${nameOption} --remove-old`,
  };

  const entry: InventoryEntry = {
    name,
    user: request.connection.user,
    port: request.connection.port,
    secretRefs,
    ...(request.connection.sshAlias !== undefined ? { sshAlias: request.connection.sshAlias } : { address: request.connection.address ?? name }),
    ...(request.connection.key !== undefined ? { key: request.connection.key } : {}),
  };
  const variables = variableRows(install, settings);
  const files: OutputFile[] = [
    { path: paths.conf, text: render(), mode: 0o600, what: 'settings' },
    ...playlists.copies.map((c) => ({ path: posix.join(paths.playlists, c.name), text: c.text, mode: 0o644, what: 'playlist' })),
    { path: paths.inventory, text: renderInventory(entry, { from: header.from, date: request.date, commands: [next.apply] }), mode: 0o644, what: 'inventory' },
  ];
  return {
    name,
    install,
    settings,
    variables,
    conflicts,
    findings: [...playlists.notes.map((n) => ({ level: 'warn' as const, ...n })), ...findingsOf(install, settings)],
    playlists: playlists.copies,
    files,
    secrets,
    problems,
    paths,
    next,
  };
}
