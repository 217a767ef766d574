// What a run reads once, before any host is touched: the roles, their variables, every host's
// settings (an error in any stops the run here), and one template renderer for all hosts.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, formatIssue, loadSettings, requireKeysFor, SECRET_SETTING_NAMES, type LoadedSettings } from '../config/index.js';
import { readPlaylist } from '../config/playlist.js';
import { isSecret } from '../redact/secret.js';
import { templateCacheDir } from '../render/compiled.js';
import { TemplateRenderer } from '../render/templates.js';
import { loadRoles, roleSourceAt, type LoadedRole, type RoleSource } from '../roles/load.js';
import { splitRoleVariables } from '../roles/variables.js';
import { clearKeyWarnings } from '../secrets/clear-keys.js';
import { packageRoot } from '../util/paths.js';
import { ORBIS_VERSION } from '../version.js';
import type { HostTarget, RunRequest } from './request.js';

/** The stack, in the order a Pi needs it (the host's basics first). */
export const STACK_ROLES = ['system', 'ffmpeg', 'nginx-rtmp', 'stunnel', 'btfs', 'orbis-service'];

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
