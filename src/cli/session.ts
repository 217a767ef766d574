// One command run over one or more hosts: read settings and roles once (any error here stops
// before a host is touched), then per host: connect -> facts -> plan -> apply/check -> report.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, formatIssue, loadSettings, requireKeysFor, SECRET_SETTING_NAMES, type LoadedSettings, type SettingsLayer } from '../config/index.js';
import { decideEncoder, renderContext } from '../engine/context.js';
import type { RecordedVerify } from '../engine/run-record.js';
import type { HostRun } from '../engine/run.js';
import { runHostGuarded } from '../engine/guarded-run.js';
import { firstContact } from '../bootstrap/first-contact.js';
import { templateCacheDir } from '../render/compiled.js';
import { TemplateRenderer } from '../render/templates.js';
import { hostReportOfPhases } from '../report/host.js';
import { runHostsWithProgress } from '../report/progress.js';
import { hostErrorOf, summarize, type HostAccess, type HostReport, type ReportedChange, type RunReport } from '../report/result.js';
import { loadRoles, roleSourceAt, type LoadedRole, type RoleSource } from '../roles/load.js';
import { splitRoleVariables } from '../roles/variables.js';
import { connect, type SshConnectOptions, type SshTransport } from '../transport/ssh.js';
import type { Transport } from '../transport/types.js';
import type { VerifyOptions } from '../verify/types.js';
import type { EarlyConnections } from './early-connect.js';
import { UnreachableError, HostKeyError, isAuthFailure } from '../transport/errors.js';
import { isSecret } from '../config/secret.js';
import { maskHostText } from '../resources/secret-mask.js';
import { readPlaylist } from '../config/playlist.js';
import { clearKeyWarnings } from '../secrets/clear-keys.js';
import { packageRoot } from '../util/paths.js';
import { verifyInputFrom } from '../verify/input.js';
import { ORBIS_VERSION } from '../version.js';

/** The stack, in the order a Pi needs it (the host's basics first). */
export const STACK_ROLES = ['system', 'ffmpeg', 'nginx-rtmp', 'stunnel', 'btfs', 'orbis-service'];

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
  /**
   * The command renders nothing to compare or apply (verify, status, reconnect): the stream keys
   * only mask its output, and an empty one is no error.
   */
  keysOptional?: boolean;
  connect: SshConnectOptions;
  concurrency: number;
  quiet: boolean;
  /** Seconds to wait for another run's lock on a host. */
  lockWaitSec: number;
  /** Connections already under way, by host name (see early-connect.ts). */
  early?: EarlyConnections;
  /** Verify each host after applying (provision/apply without --no-verify). */
  verify?: Omit<VerifyOptions, 'progress' | 'checks'>;
  /** A host whose run or verify fails is put back on its previous generation (and verified again). */
  rollbackOnFail?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * First contact (`--ask-pass`, the password in `connect.loginPassword`): a host that refuses our
   * keys is logged into by password, gets our key, and is reached by key from then on; `harden`
   * adds the ssh role (unless the host's SSH_DURCISSEMENT is false).
   */
  bootstrap?: { harden: boolean };
}

/** The role a bootstrap adds to harden sshd (roles/ssh). */
export const HARDENING_ROLE = 'ssh';

/** Where roles come from: the package, then ORBIS_ROLES_PATH (colon-separated roots with roles/ and templates/). */
export function roleSources(env: Readonly<Record<string, string | undefined>>): RoleSource[] {
  const extra = (env.ORBIS_ROLES_PATH ?? '').split(':').filter((p) => p.length > 0);
  return [roleSourceAt(packageRoot()), ...extra.map(roleSourceAt)];
}

export function defaultRoles(sources: RoleSource[]): string[] {
  const present = new Set(sources.flatMap((s) => (existsSync(s.rolesDir) ? readdirSync(s.rolesDir) : [])));
  return STACK_ROLES.filter((r) => present.has(r) && existsSync(join(sources[0]?.rolesDir ?? '', r, 'role.yaml')));
}

export interface Prepared {
  roles: LoadedRole[];
  roleValues: Record<string, string | number | boolean>;
  settingsFor: (host: HostTarget) => LoadedSettings;
  /** One for every host: templates are compiled once per run, not once per host. */
  renderer: TemplateRenderer;
}

export function prepare(request: RunRequest): Prepared {
  const env = request.env ?? process.env;
  const sources = roleSources(env);
  const names = request.roles ?? defaultRoles(sources);
  const hardening = request.bootstrap?.harden === true && !names.includes(HARDENING_ROLE);
  // Hardening comes first: the rest is then applied over the connection that confirmed it.
  const roles = loadRoles(hardening ? [HARDENING_ROLE, ...names] : names, sources, ORBIS_VERSION);
  // Every role's variables are known to every command, whatever roles it loads: `--var
  // BLOCAGE_MAX=45` means the same to status and verify --roles ffmpeg as to provision.
  const stack = defaultRoles(sources);
  const everyRole = stack.every((r) => names.includes(r)) ? roles : loadRoles([...new Set([...stack, ...names])], sources, ORBIS_VERSION);
  const { settingVars, roleValues } = splitRoleVariables(everyRole, request.vars, env);
  const confPath = request.confPath ?? 'conf/orbis.conf';
  const useConf = request.confExplicit || existsSync(confPath);
  // A stream key in clear in a file git tracks leaks with every push: say so, every run.
  if (useConf) for (const w of clearKeyWarnings(confPath)) process.stderr.write(`warning: ${formatIssue(w)}\n`);
  // In every mode: a plan or a drift check made with an empty key would show `playPath=` as
  // the change to make, a plan the real run then refuses.
  const needsKeys = !request.keysOptional && roles.some((r) => r.spec.name === 'nginx-rtmp');
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
  // What the conf file or a layer holds that is suspect but not wrong (a BOM, CRLF, a key set
  // twice, a name that is no setting): said once per run, as `orbis inventory` says it.
  const warnings = new Set([...loaded.values()].flatMap((l) => l.warnings.map(formatIssue)));
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  request.early?.release(); // every host's settings are valid: connections opened early may log in
  return { roles, roleValues, settingsFor: (host) => loaded.get(host.name) ?? settingsFor(host), renderer: new TemplateRenderer({ compiledDir: templateCacheDir(env) }) };
}

export function secretValuesOf(loaded: LoadedSettings): string[] {
  return SECRET_SETTING_NAMES.map((name) => loaded.settings[name]).flatMap((v) => (isSecret(v) && !v.isEmpty ? [v.reveal()] : []));
}

function errorReport(name: string, error: unknown, secrets: string[], startedAt: number, roundTrips = 0, connections = 0): HostReport {
  const unreachable = error instanceof UnreachableError || error instanceof HostKeyError;
  const { message, hint } = hostErrorOf(error);
  // Masked by place as well as by value: an error may quote what the Pi printed, a key the
  // controller no longer knows included (resources/secret-mask.ts).
  const mask = (text: string): string => maskHostText(text, { values: secrets, anchors: [] });
  return {
    name,
    status: isAuthFailure(error) ? 'auth-failed' : unreachable ? 'unreachable' : 'failed',
    changes: [],
    handlers: [],
    verify: [],
    error: { message: mask(message), ...(hint ? { hint: mask(hint) } : {}) },
    roundTrips,
    connections,
    durationMs: Date.now() - startedAt,
  };
}

/**
 * Connect to a host, run `work` over the connection, close it. Whatever goes wrong (the host
 * unreachable, the link lost, a host-side failure) becomes the host's report, secrets masked.
 */
export async function onHost(
  host: HostTarget,
  request: Pick<RunRequest, 'connect'>,
  secrets: string[],
  update: (m: string) => void,
  work: (transport: Transport, startedAt: number) => Promise<HostReport>,
): Promise<HostReport> {
  const startedAt = Date.now();
  update('connecting');
  let transport;
  try {
    transport = await connect(host.target, { ...host.connect, ...request.connect, name: host.name });
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt);
  }
  try {
    return await work(transport, startedAt);
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt, transport.roundTrips, transport.connections);
  } finally {
    await transport.close();
  }
}

export async function runOnHost(host: HostTarget, request: RunRequest, prepared: Prepared, update: (m: string) => void): Promise<HostReport> {
  const startedAt = Date.now();
  const loaded = prepared.settingsFor(host);
  const secrets = secretValuesOf(loaded);
  const options: SshConnectOptions = { ...host.connect, ...request.connect, name: host.name };
  // Every connection after the first is by key only: the password served once, to get a key in.
  const { loginPassword: _once, ...byKey } = options;
  const spent = { roundTrips: 0, connections: 0 };
  const counters = (t: Transport): { roundTrips: number; connections: number } => ({
    roundTrips: spent.roundTrips + t.roundTrips,
    connections: spent.connections + t.connections,
  });
  update('connecting');
  let transport: SshTransport;
  try {
    transport = await (request.early?.take(host.name) ?? connect(host.target, options));
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt);
  }
  const connectMs = Date.now() - startedAt;
  let access: HostAccess | undefined;
  const bootstrapChanges: ReportedChange[] = [];
  try {
    if (request.bootstrap) {
      access = { login: transport.loginMethod };
      if (transport.loginMethod === 'password') update('installing the SSH key');
      const contact = await firstContact(transport, {
        mode: request.mode,
        ...(options.keyPassphrase ? { keyPassphrase: options.keyPassphrase } : {}),
        reconnectByKey: () => connect(host.target, byKey),
      });
      transport = contact.transport;
      add(spent, contact.spent);
      if (contact.key) access.key = contact.key;
      if (contact.change) bootstrapChanges.push(contact.change);
    }
    const roles = rolesFor(loaded, request, prepared.roles);
    const hardening = roles.some((r) => r.spec.name === HARDENING_ROLE);
    if (hardening && transport.isRoot) {
      throw Object.assign(new Error(`hardening SSH turns root logins off, and orbis logs into ${host.name} as root: it would lock itself out`), {
        hint: 'log in as a user with sudo (e.g. pi@HOST), or keep SSH as it is with --no-harden (or SSH_DURCISSEMENT=false)',
      });
    }
    update('gathering facts and planning');
    const guarded = await runHostGuarded(
      transport,
      {
        mode: request.mode,
        roles,
        contextFor: (facts) => renderContext(loaded, { values: prepared.roleValues }, facts, ORBIS_VERSION),
        renderer: prepared.renderer,
        secretValues: secrets,
        orbisVersion: ORBIS_VERSION,
        lockWaitSec: request.lockWaitSec,
        onApplyStep: (what) => update(`applying: ${what}`),
        verifyRecord: (facts, desired) => recordedVerify(loaded, facts, desired.verify.map((v) => v.check)),
      },
      {
        deadlineSec: loaded.settings.SSH_DELAI_CONFIRMATION,
        reconnect: (readyTimeoutMs) => connect(host.target, { ...byKey, readyTimeoutMs }),
        progress: update,
      },
    );
    transport = guarded.transport as SshTransport;
    add(spent, guarded.spent);
    if (guarded.access) (access ??= { login: 'key' }).guard = guarded.access;
    const report = hostReportOfPhases(host.name, guarded.phases, counters(transport), startedAt, request.checkStatus, connectMs);
    report.changes.unshift(...bootstrapChanges);
    if (bootstrapChanges.some((c) => c.status === 'applied') && report.status === 'ok') report.status = 'changed';
    if (bootstrapChanges.length > 0 && request.mode === 'check' && report.status === 'ok') report.status = request.checkStatus;
    if (access) report.access = access;
    const last = guarded.phases[guarded.phases.length - 1];
    if (request.mode === 'apply' && request.verify && last && !guarded.phases.some((p) => p.failure)) {
      const verifyStarted = Date.now();
      // A run whose roles list no check verifies nothing: its verify time is 0, not the
      // millisecond a busy machine takes to find that out (CI once failed on exactly that).
      const verified = await verifyAfterApply(report, guarded.phases, loaded, transport, request.verify, update);
      if (report.phasesMs && verified) report.phasesMs.verify = Date.now() - verifyStarted;
    }
    // The run's script started (it may have changed files) and the host failed: put it back.
    const undo = [...guarded.phases].reverse().find((p) => p.runId !== undefined)?.runId;
    if (request.rollbackOnFail && undo !== undefined && report.status === 'failed') {
      const { rollbackAndVerify } = await import('./rollback-host.js');
      const done = await rollbackAndVerify(transport, {
        mode: 'apply',
        request: { undo },
        secretValues: secrets,
        lockWaitSec: request.lockWaitSec,
        ...(request.verify ? { verify: request.verify } : {}),
        update: (m) => update(`rollback: ${m}`),
      });
      report.rollback = done.outcome;
    }
    report.durationMs = Date.now() - startedAt;
    report.roundTrips = counters(transport).roundTrips;
    return report;
  } catch (error) {
    const { roundTrips, connections } = counters(transport);
    const report = errorReport(host.name, error, secrets, startedAt, roundTrips, connections);
    report.changes.push(...bootstrapChanges);
    if (access) report.access = access;
    return report;
  } finally {
    await transport.close();
  }
}

/** How a run's result is verified, kept in its record: a rollback to it verifies the same way. */
function recordedVerify(loaded: LoadedSettings, facts: HostRun['facts'], checks: string[]): RecordedVerify | undefined {
  if (checks.length === 0) return undefined;
  const { secrets: _keys, ...input } = verifyInputFrom(loaded, { encoder: decideEncoder(loaded.encode, facts).encoder });
  return { checks: [...new Set(checks)], input };
}

function add(into: { roundTrips: number; connections: number }, more: { roundTrips: number; connections: number }): void {
  into.roundTrips += more.roundTrips;
  into.connections += more.connections;
}

/** The roles of this host's run: a host whose SSH_DURCISSEMENT is false is not hardened by a bootstrap. */
function rolesFor(loaded: LoadedSettings, request: RunRequest, roles: LoadedRole[]): LoadedRole[] {
  const implicit = request.bootstrap?.harden === true && !(request.roles ?? []).includes(HARDENING_ROLE);
  if (!implicit || loaded.settings.SSH_DURCISSEMENT) return roles;
  return roles.filter((r) => r.spec.name !== HARDENING_ROLE);
}

/**
 * The verify step at the end of a run: the checks the applied roles list (none listed: no
 * verify, e.g. `--roles ffmpeg`). A failed check fails the host.
 */
async function verifyAfterApply(
  report: HostReport,
  phases: readonly HostRun[],
  loaded: LoadedSettings,
  transport: Transport,
  options: Omit<VerifyOptions, 'progress' | 'checks'>,
  update: (m: string) => void,
): Promise<boolean> {
  const checks = [...new Set(phases.flatMap((p) => p.desired.verify.map((v) => v.check)))];
  const run = phases[phases.length - 1];
  if (checks.length === 0 || run === undefined) return false;
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
  return true;
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
