// One command run over one or more hosts: read settings and roles once (any error here stops
// before a host is touched), then per host: connect -> facts -> plan -> apply/check -> report.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, formatIssue, loadSettings, requireKeysFor, SECRET_SETTING_NAMES, type LoadedSettings, type SettingsLayer } from '../config/index.js';
import { decideEncoder, renderContext } from '../engine/context.js';
import { runHost, type HostRun } from '../engine/run.js';
import { templateCacheDir } from '../render/compiled.js';
import { TemplateRenderer } from '../render/templates.js';
import { hostReport } from '../report/host.js';
import { runHostsWithProgress } from '../report/progress.js';
import { hostErrorOf, summarize, type HostReport, type RunReport } from '../report/result.js';
import { loadRoles, roleSourceAt, type LoadedRole, type RoleSource } from '../roles/load.js';
import { splitRoleVariables } from '../roles/variables.js';
import { connect, type SshConnectOptions } from '../transport/ssh.js';
import type { Transport } from '../transport/types.js';
import type { VerifyOptions } from '../verify/types.js';
import type { EarlyConnections } from './early-connect.js';
import { UnreachableError, HostKeyError } from '../transport/errors.js';
import { isSecret, maskSecrets } from '../config/secret.js';
import { readPlaylist } from '../config/playlist.js';
import { clearKeyWarnings } from '../secrets/clear-keys.js';
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
  /** How the inventory says to reach this host (user, port, key); command-line options win. */
  connect?: Partial<SshConnectOptions>;
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
  /** Connections already under way, by host name (see early-connect.ts). */
  early?: EarlyConnections;
  /** Verify each host after applying (provision/apply without --no-verify). */
  verify?: Omit<VerifyOptions, 'progress' | 'checks'>;
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
  /** One for every host: templates are compiled once per run, not once per host. */
  renderer: TemplateRenderer;
}

export function prepare(request: RunRequest): Prepared {
  const env = request.env ?? process.env;
  const sources = roleSources(env);
  const roles = loadRoles(request.roles ?? defaultRoles(sources), sources, ORBIS_VERSION);
  const { settingVars, roleValues } = splitRoleVariables(roles, request.vars, env);
  const confPath = request.confPath ?? 'conf/orbis.conf';
  const useConf = request.confExplicit || existsSync(confPath);
  // A stream key in clear in a file git tracks leaks with every push: say so, every run.
  if (useConf) for (const w of clearKeyWarnings(confPath)) process.stderr.write(`warning: ${formatIssue(w)}\n`);
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
  // Validate every host's settings before touching any host, and keep them for its run.
  const loaded = new Map(request.hosts.map((host) => [host.name, settingsFor(host)]));
  return { roles, roleValues, settingsFor: (host) => loaded.get(host.name) ?? settingsFor(host), renderer: new TemplateRenderer({ compiledDir: templateCacheDir(env) }) };
}

export function secretValuesOf(loaded: LoadedSettings): string[] {
  return SECRET_SETTING_NAMES.map((name) => loaded.settings[name]).flatMap((v) => (isSecret(v) && !v.isEmpty ? [v.reveal()] : []));
}

function errorReport(name: string, error: unknown, secrets: string[], startedAt: number, roundTrips = 0, connections = 0): HostReport {
  const unreachable = error instanceof UnreachableError || error instanceof HostKeyError;
  const { message, hint } = hostErrorOf(error);
  return {
    name,
    status: unreachable ? 'unreachable' : 'failed',
    changes: [],
    handlers: [],
    verify: [],
    error: { message: maskSecrets(message, secrets), ...(hint ? { hint } : {}) },
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
    transport = await (request.early?.take(host.name) ?? connect(host.target, { ...host.connect, ...request.connect, name: host.name }));
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt);
  }
  const connectMs = Date.now() - startedAt;
  try {
    update(request.mode === 'check' ? 'gathering facts and planning' : 'gathering facts, planning, applying');
    const run = await runHost(transport, {
      mode: request.mode,
      roles: prepared.roles,
      contextFor: (facts) => renderContext(loaded, { values: prepared.roleValues }, facts, ORBIS_VERSION),
      renderer: prepared.renderer,
      secretValues: secrets,
      orbisVersion: ORBIS_VERSION,
      lockWaitSec: request.lockWaitSec,
    });
    const report = hostReport(host.name, run, transport, startedAt, request.checkStatus, connectMs);
    if (request.mode === 'apply' && request.verify && !run.failure) {
      const verifyStarted = Date.now();
      await verifyAfterApply(report, run, loaded, transport, request.verify, update);
      if (report.phasesMs) report.phasesMs.verify = Date.now() - verifyStarted;
      report.durationMs = Date.now() - startedAt;
      report.roundTrips = transport.roundTrips;
    }
    return report;
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt, transport.roundTrips, transport.connections);
  } finally {
    await transport.close();
  }
}

/**
 * The verify step at the end of a run: the checks the applied roles list (none listed: no
 * verify, e.g. `--roles ffmpeg`). A failed check fails the host.
 */
async function verifyAfterApply(
  report: HostReport,
  run: HostRun,
  loaded: LoadedSettings,
  transport: Transport,
  options: Omit<VerifyOptions, 'progress' | 'checks'>,
  update: (m: string) => void,
): Promise<void> {
  const checks = [...new Set(run.desired.verify.map((v) => v.check))];
  if (checks.length === 0) return;
  const { verifyHost, verifyInputFrom } = await import('../verify/index.js');
  const input = verifyInputFrom(loaded, { encoder: decideEncoder(loaded.encode, run.facts).encoder });
  report.verify = await verifyHost(transport, input, { ...options, checks, progress: (m) => update(`verify: ${m}`) });
  const failed = report.verify.filter((r) => r.status === 'fail').map((r) => r.name);
  if (failed.length > 0) {
    report.status = 'failed';
    report.error = {
      message: `verify: ${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}`,
      hint: `see each check's hint below; \`orbis verify ${report.name}\` runs them again`,
    };
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
