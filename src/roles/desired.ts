// Roles + the run's render context -> the desired state: an ordered list of resources (plain
// data for the pure plan functions), the handlers they may notify, and the verify checks.
// Within a role, resources come in a fixed order that makes dependencies hold without
// declaring them: packages, groups, users, directories, downloads, files, links, commands,
// services. Roles come in dependency order (load.ts).
import { join } from 'node:path';
import { isSecret } from '../redact/secret.js';
import { RunSecrets } from '../redact/secret-mask.js';
import type { Desired, ResourceId } from '../resources/types.js';
import type { TemplateRenderer } from '../render/templates.js';
import { evaluateCondition } from './condition.js';
import type { LoadedRole } from './load.js';
import { RoleError } from './load.js';
import type { HandlerSpec } from './schema.js';

export interface Handler {
  name: string;
  role: string;
  unit?: string;
  action?: HandlerSpec['action'];
  command?: string;
}

/** A handler that restarts a unit (not a command, not a reload): the apply script and off-air.ts. */
export function isUnitRestart(h: Pick<Handler, 'unit' | 'action' | 'command'>): boolean {
  return !h.command && h.unit !== undefined && (h.action ?? 'restart') === 'restart';
}

export interface VerifyCheck {
  role: string;
  check: string;
  params: Record<string, unknown>;
}

export interface DesiredState {
  roles: string[];
  resources: Desired[];
  handlers: Handler[];
  verify: VerifyCheck[];
  /** Every secret value revealed into a file: masked wherever text from this run is shown. */
  secretValues: string[];
  /**
   * Every secret the run knows (revealed or not: a platform turned off keeps its key), where the
   * templates put them and the words orbis writes: what masks the Pi's answers (secret-mask.ts).
   */
  secrets?: RunSecrets;
  /** Roles that may run while apt installs (`runsDuringApt`), each with every role it depends on. */
  duringApt?: { role: string; dependsOn: string[] }[];
}

/** The roles a role depends on, directly or not (load.ts has checked that they exist and do not loop). */
function dependsOn(name: string, roles: readonly LoadedRole[]): string[] {
  const byName = new Map(roles.map((r) => [r.spec.name, r.spec.depends]));
  const seen = new Set<string>();
  const visit = (n: string): void => {
    for (const d of byName.get(n) ?? []) if (!seen.has(d)) (seen.add(d), visit(d));
  };
  visit(name);
  return [...seen];
}

/**
 * The context's secrets (every stream key set, whether a template reveals it or not) and its
 * other values, whose words orbis can vouch for in a file it shows.
 */
function runSecretsOf(context: Record<string, unknown>): RunSecrets {
  const secrets = new RunSecrets();
  const visit = (value: unknown, depth: number): void => {
    if (isSecret(value)) secrets.addValue(value);
    else if (typeof value === 'string' || typeof value === 'number') secrets.addShown(String(value));
    else if (depth > 0 && Array.isArray(value)) for (const v of value) visit(v, depth - 1);
    else if (depth > 0 && value !== null && typeof value === 'object') {
      // Values only: a getter may compute (or refuse) what only the roles that use it need.
      for (const d of Object.values(Object.getOwnPropertyDescriptors(value))) if ('value' in d) visit(d.value, depth - 1);
    }
  };
  visit(context, 3);
  return secrets;
}

export function buildDesired(
  roles: LoadedRole[],
  context: Record<string, unknown>,
  renderer: TemplateRenderer,
): DesiredState {
  const secrets = runSecretsOf(context);
  const state: DesiredState = { roles: [], resources: [], handlers: [], verify: [], secretValues: [], secrets };
  for (const role of roles) {
    const { spec, file } = role;
    state.roles.push(spec.name);
    if (spec.runsDuringApt) (state.duringApt ??= []).push({ role: spec.name, dependsOn: dependsOn(spec.name, roles) });
    const applies = (when: string | undefined): boolean => {
      if (when === undefined) return true;
      try {
        return evaluateCondition(when, context);
      } catch (error) {
        throw new RoleError([{ file, message: (error as Error).message, hint: 'conditions name a setting, e.g. `when: platforms.kick`' }]);
      }
    };
    const str = (text: string): string => renderer.renderString(text, context, file).content;
    const id = (type: ResourceId['type'], name: string): ResourceId => ({ role: spec.name, type, name });

    for (const p of spec.preconditions) {
      if (!applies(p.when)) continue;
      state.resources.push({ kind: 'precondition', id: id('precondition', p.name), check: str(p.check), message: str(p.message) });
    }
    for (const p of spec.packages) {
      if (!applies(p.when)) continue;
      const name = str(p.name);
      state.resources.push({ kind: 'package', id: id('package', name), name, version: p.version, state: p.state, notify: p.notify });
    }
    for (const g of spec.groups) {
      if (!applies(g.when)) continue;
      const name = str(g.name);
      state.resources.push({ kind: 'group', id: id('group', name), name, system: g.system });
    }
    for (const u of spec.users) {
      if (!applies(u.when)) continue;
      const name = str(u.name);
      state.resources.push({
        kind: 'user',
        id: id('user', name),
        name,
        system: u.system,
        home: u.home === undefined ? undefined : str(u.home),
        shell: u.shell,
        groups: u.groups?.map(str),
      });
    }
    for (const d of spec.directories) {
      if (!applies(d.when)) continue;
      const path = str(d.path);
      state.resources.push({ kind: 'directory', id: id('directory', path), path, mode: d.mode, owner: str(d.owner), group: str(d.group), notify: d.notify });
    }
    for (const d of spec.downloads) {
      if (!applies(d.when)) continue;
      const path = str(d.path);
      state.resources.push({
        kind: 'download',
        id: id('download', path),
        url: str(d.url),
        sha256: str(d.sha256).toLowerCase(),
        path,
        extract: d.extract === undefined ? undefined : str(d.extract),
        mode: d.mode,
        owner: str(d.owner),
        group: str(d.group),
        notify: d.notify,
      });
    }
    for (const f of spec.files) {
      if (!applies(f.when)) continue;
      const path = str(f.path);
      const rendered =
        f.template !== undefined
          ? renderer.render(join(role.templatesDir, f.template), context)
          : renderer.renderString(f.content ?? '', context, file);
      state.secretValues.push(...rendered.secretValues);
      for (const value of rendered.secretValues) secrets.addValue(value);
      if (rendered.spans) secrets.addTemplate(path, rendered.spans);
      secrets.addShown(rendered.content);
      state.resources.push({
        kind: 'file',
        id: id('file', path),
        path,
        content: rendered.content,
        mode: f.mode,
        owner: str(f.owner),
        group: str(f.group),
        validate: f.validate === undefined ? undefined : str(f.validate),
        backup: f.backup,
        secretValues: rendered.secretValues.length > 0 ? rendered.secretValues : undefined,
        notify: f.notify,
      });
    }
    for (const l of spec.links) {
      if (!applies(l.when)) continue;
      const path = str(l.path);
      state.resources.push({ kind: 'link', id: id('link', path), path, target: str(l.target), notify: l.notify });
    }
    for (const c of spec.commands) {
      if (!applies(c.when)) continue;
      state.resources.push({
        kind: 'command',
        id: id('command', c.name),
        command: str(c.command),
        creates: c.creates === undefined ? undefined : str(c.creates),
        unless: c.unless === undefined ? undefined : str(c.unless),
        user: c.user === undefined ? undefined : str(c.user),
        notify: c.notify,
      });
    }
    for (const s of spec.services) {
      if (!applies(s.when)) continue;
      const unit = str(s.unit);
      state.resources.push({
        kind: 'service',
        id: id('service', unit),
        unit,
        enabled: s.enabled,
        state: s.state,
        masked: s.masked,
        providedBy: s.providedBy,
        notify: s.notify,
      });
    }
    for (const h of spec.handlers) {
      if (!applies(h.when)) continue;
      if (state.handlers.some((x) => x.name === h.name)) {
        throw new RoleError([{ file, message: `handler "${h.name}" is defined twice`, hint: 'handler names are global: prefix them with the role' }]);
      }
      state.handlers.push({
        name: h.name,
        role: spec.name,
        unit: h.unit === undefined ? undefined : str(h.unit),
        action: h.action,
        command: h.command === undefined ? undefined : str(h.command),
      });
    }
    for (const v of spec.verify) {
      if (!applies(v.when)) continue;
      const { check, when: _when, ...params } = v;
      state.verify.push({ role: spec.name, check, params });
    }
  }
  const known = new Set(state.handlers.map((h) => h.name));
  for (const r of state.resources) {
    for (const n of r.notify ?? []) {
      if (!known.has(n)) {
        throw new RoleError([{ file: `role ${r.id.role}`, message: `${r.id.type} ${r.id.name} notifies unknown handler "${n}"`, hint: `defined handlers: ${[...known].join(', ') || 'none'}` }]);
      }
    }
  }
  return state;
}
