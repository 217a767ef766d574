// One command run over one or more hosts: read settings and roles once (any error here stops
// before a host is touched), then per host: connect -> facts -> plan -> apply/check -> report.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadSettings, requireKeysFor, SECRET_SETTING_NAMES, type LoadedSettings, type SettingsLayer } from '../config/index.js';
import { renderContext } from '../engine/context.js';
import { runHost } from '../engine/run.js';
import { TemplateRenderer } from '../render/templates.js';
import { hostReport } from '../report/host.js';
import { runHostsWithProgress } from '../report/progress.js';
import { summarize, type HostReport, type RunReport } from '../report/result.js';
import { loadRoles, roleSourceAt, type LoadedRole, type RoleSource } from '../roles/load.js';
import { splitRoleVariables } from '../roles/variables.js';
import { connect, type SshConnectOptions } from '../transport/ssh.js';
import { UnreachableError, HostKeyError } from '../transport/errors.js';
import { isSecret, maskSecrets } from '../config/secret.js';
import { readPlaylist } from '../config/playlist.js';
import { packageRoot } from '../util/paths.js';
import { ORBIS_VERSION } from '../version.js';

/** The stack, in the order a Pi needs it. */
export const STACK_ROLES = ['ffmpeg', 'nginx-rtmp', 'stunnel', 'btfs', 'orbis-service'];

export interface HostTarget {
  /** Display name (inventory name, or the target as typed). */
  name: string;
  /** `[user@]host[:port]` or an SSH config alias. */
  target: string;
  /** Inventory layers for this host, lowest first. */
  layers?: SettingsLayer[];
}

export interface RunRequest {
  command: string;
  mode: 'apply' | 'check';
  /** How a host with pending changes is reported in check mode. */
  checkStatus: 'changed' | 'drift';
  hosts: HostTarget[];
  confPath?: string;
  /** --conf given: a missing file is an error (otherwise no file is fine). */
  confExplicit: boolean;
  vars: string[];
  roles?: string[];
  connect: SshConnectOptions;
  concurrency: number;
  quiet: boolean;
  /** Seconds to wait for another run's lock on a host. */
  lockWaitSec: number;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Where roles come from: the package, then ORBIS_ROLES_PATH (colon-separated roots with roles/ and templates/). */
export function roleSources(env: Readonly<Record<string, string | undefined>>): RoleSource[] {
  const extra = (env.ORBIS_ROLES_PATH ?? '').split(':').filter((p) => p.length > 0);
  return [roleSourceAt(packageRoot()), ...extra.map(roleSourceAt)];
}

export function defaultRoles(sources: RoleSource[]): string[] {
  const present = new Set(sources.flatMap((s) => (existsSync(s.rolesDir) ? readdirSync(s.rolesDir) : [])));
  return STACK_ROLES.filter((r) => present.has(r) && existsSync(join(sources[0]?.rolesDir ?? '', r, 'role.yaml')));
}

interface Prepared {
  roles: LoadedRole[];
  roleValues: Record<string, string | number | boolean>;
  settingsFor: (host: HostTarget) => LoadedSettings;
}

export function prepare(request: RunRequest): Prepared {
  const env = request.env ?? process.env;
  const sources = roleSources(env);
  const roles = loadRoles(request.roles ?? defaultRoles(sources), sources, ORBIS_VERSION);
  const { settingVars, roleValues } = splitRoleVariables(roles, request.vars, env);
  const confPath = request.confPath ?? 'conf/orbis.conf';
  const useConf = request.confExplicit || existsSync(confPath);
  const needsKeys = request.mode === 'apply' && roles.some((r) => r.spec.name === 'nginx-rtmp');
  const needsPlaylist = roles.some((r) => r.spec.name === 'orbis-service');
  const settingsFor = (host: HostTarget): LoadedSettings => {
    const loaded = loadSettings({ ...(useConf ? { confPath } : {}), layers: host.layers ?? [], env, vars: settingVars });
    if (needsKeys) {
      const issues = requireKeysFor(loaded.settings, loaded.origins, loaded.platforms);
      if (issues.length > 0) throw new ConfigError(issues);
    }
    if (needsPlaylist) readPlaylist(loaded); // a bad playlist stops the run before any host
    return loaded;
  };
  // Validate every host's settings before touching any host.
  for (const host of request.hosts) settingsFor(host);
  return { roles, roleValues, settingsFor };
}

export function secretValuesOf(loaded: LoadedSettings): string[] {
  return SECRET_SETTING_NAMES.map((name) => loaded.settings[name]).flatMap((v) => (isSecret(v) && !v.isEmpty ? [v.reveal()] : []));
}

function errorReport(name: string, error: unknown, secrets: string[], startedAt: number, roundTrips = 0, connections = 0): HostReport {
  const unreachable = error instanceof UnreachableError || error instanceof HostKeyError;
  // A TransportError's message already ends with its hint: report them apart.
  const hinted = (error as { hint?: unknown } | null)?.hint;
  const hint = typeof hinted === 'string' ? hinted : undefined;
  const raw = error instanceof Error ? error.message : String(error);
  const message = maskSecrets(hint && raw.endsWith(`\n${hint}`) ? raw.slice(0, -hint.length - 1) : raw, secrets);
  return {
    name,
    status: unreachable ? 'unreachable' : 'failed',
    changes: [],
    handlers: [],
    verify: [],
    error: { message, ...(hint ? { hint } : {}) },
    roundTrips,
    connections,
    durationMs: Date.now() - startedAt,
  };
}

export async function runOnHost(host: HostTarget, request: RunRequest, prepared: Prepared, update: (m: string) => void): Promise<HostReport> {
  const startedAt = Date.now();
  const loaded = prepared.settingsFor(host);
  const secrets = secretValuesOf(loaded);
  update('connecting');
  let transport;
  try {
    transport = await connect(host.target, { ...request.connect, name: host.name });
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt);
  }
  try {
    update(request.mode === 'check' ? 'gathering facts and planning' : 'gathering facts, planning, applying');
    const renderer = new TemplateRenderer();
    const run = await runHost(transport, {
      mode: request.mode,
      roles: prepared.roles,
      contextFor: (facts) => renderContext(loaded, { values: prepared.roleValues }, facts, ORBIS_VERSION),
      renderer,
      secretValues: secrets,
      orbisVersion: ORBIS_VERSION,
      lockWaitSec: request.lockWaitSec,
    });
    return hostReport(host.name, run, transport, startedAt, request.checkStatus);
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt, transport.roundTrips, transport.connections);
  } finally {
    await transport.close();
  }
}

export async function runRequest(request: RunRequest): Promise<RunReport> {
  const startedAt = Date.now();
  const prepared = prepare(request);
  const hosts = await runHostsWithProgress(
    request.hosts.map((h) => h.name),
    (name, update) => runOnHost(request.hosts.find((h) => h.name === name) as HostTarget, request, prepared, update),
    { concurrency: request.concurrency, quiet: request.quiet },
  );
  return {
    command: request.command,
    mode: request.mode,
    orbisVersion: ORBIS_VERSION,
    hosts,
    summary: summarize(hosts, Date.now() - startedAt),
  };
}
